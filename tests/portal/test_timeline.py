"""The timeline picture's layout, without the database: dates to x, months, clipping, escaping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from hostportal.portal import timeline
from hostportal.portal.timeline import LABEL_WIDTH, PLOT_WIDTH, Mark, Stay, Window

TODAY = dt.date(2026, 11, 23)
WINDOW = Window(dt.date(2026, 11, 1), dt.date(2027, 5, 1))  # 181 days


def stay(**overrides: object) -> Stay:
    fields: dict[str, object] = {
        "name": "Amina DIALLO",
        "url": "/conventions/1/",
        "start": dt.date(2027, 1, 1),
        "end": dt.date(2027, 3, 31),
    }
    fields.update(overrides)
    return Stay(**fields)  # type: ignore[arg-type]


def test_dates_map_linearly_onto_the_plot_and_outside_dates_sit_on_its_edges() -> None:
    assert WINDOW.x(WINDOW.start) == LABEL_WIDTH
    assert WINDOW.x(WINDOW.end) == LABEL_WIDTH + PLOT_WIDTH
    middle = WINDOW.start + dt.timedelta(days=181 // 2)
    assert WINDOW.x(middle) == pytest.approx(LABEL_WIDTH + PLOT_WIDTH * 90 / 181, abs=0.1)
    assert WINDOW.x(dt.date(2020, 1, 1)) == LABEL_WIDTH
    assert WINDOW.x(dt.date(2030, 1, 1)) == LABEL_WIDTH + PLOT_WIDTH


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError):
        Window(TODAY, TODAY)


def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month() -> None:
    assert timeline.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert timeline.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert timeline.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)
    assert timeline.add_months(dt.date(2027, 1, 15), -1) == dt.date(2026, 12, 15)
    assert timeline.add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    window = timeline.window_around(TODAY)
    assert (window.start, window.end) == (dt.date(2026, 10, 23), dt.date(2027, 5, 23))


def test_month_ticks_fall_on_the_first_of_each_month_with_french_names() -> None:
    with translation.override("fr"):
        ticks = timeline.month_ticks(WINDOW)
    assert [tick.label for tick in ticks] == [
        "novembre 2026", "décembre", "janvier 2027", "février", "mars", "avril", "mai",
    ]  # fmt: skip
    assert ticks[0].x == WINDOW.x(dt.date(2026, 11, 1)) == LABEL_WIDTH
    assert ticks[2].x == WINDOW.x(dt.date(2027, 1, 1))
    with translation.override("en"):
        assert timeline.month_ticks(Window(dt.date(2026, 11, 2), dt.date(2027, 1, 1)))[0].label == (
            "December 2026"
        )


def test_a_stay_crossing_both_edges_is_clipped_and_says_it_continues() -> None:
    row = timeline.place_row(stay(start=dt.date(2026, 6, 1), end=dt.date(2027, 9, 1)), WINDOW, 0)
    assert row.bar_x == LABEL_WIDTH and row.bar_width == PLOT_WIDTH
    assert row.starts_before and row.ends_after
    svg = timeline.render_svg(
        timeline.layout(
            [stay(start=dt.date(2026, 6, 1), end=dt.date(2027, 9, 1))], window=WINDOW, today=TODAY
        ),
        title="t",
        description="d",
        today_label="Today",
    )
    assert svg.count('class="tl-edge"') == 2


def test_a_stay_inside_the_window_is_not_clipped_and_its_marks_outside_are_left_out() -> None:
    marks = (Mark("filing", dt.date(2026, 10, 1)), Mark("silence", dt.date(2027, 2, 1)), Mark("nope", TODAY))
    row = timeline.place_row(stay(marks=marks), WINDOW, 2)
    assert not row.starts_before and not row.ends_after
    assert row.bar_x == WINDOW.x(dt.date(2027, 1, 1))
    assert [(mark.kind.key, mark.on) for mark in row.marks] == [("silence", dt.date(2027, 2, 1))]
    assert row.y == timeline.HEADER + 2 * timeline.ROW + timeline.ROW / 2


def test_a_month_starting_at_the_right_edge_has_its_line_but_no_name() -> None:
    svg = timeline.render_svg(timeline.layout([], window=WINDOW, today=TODAY), title="t", description="d",
                              today_label="T")  # fmt: skip
    assert svg.count('class="tl-tick"') == 7 and svg.count('class="tl-month"') == 6  # not May: it is the end


def test_past_marks_are_ringed_and_say_so() -> None:
    marks = (Mark("filing", dt.date(2026, 11, 10)), Mark("silence", dt.date(2026, 12, 2)))
    picture = timeline.layout([stay(marks=marks)], window=WINDOW, today=TODAY)
    assert [mark.late for mark in picture.rows[0].marks] == [True, False]
    svg = timeline.render_svg(picture, title="t", description="d", today_label="T")
    assert svg.count('class="tl-late-ring"') == 1 and "(past)</title>" in svg


def test_the_today_line_is_drawn_only_inside_the_window() -> None:
    assert timeline.layout([], window=WINDOW, today=TODAY).today_x == WINDOW.x(TODAY)
    assert timeline.layout([], window=WINDOW, today=dt.date(2028, 1, 1)).today_x is None


def test_names_are_escaped_and_kept_whole_in_the_tooltip() -> None:
    evil = stay(name='<script>alert("x")</script> & Co', url='/c/1/?a=1&b="2"')
    svg = timeline.render_svg(
        timeline.layout([evil], window=WINDOW, today=TODAY), title="<b>", description="d", today_label="T"
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in svg
    assert 'href="/c/1/?a=1&amp;b=&quot;2&quot;"' in svg


def test_long_names_are_shortened_with_an_ellipsis() -> None:
    assert timeline.short("Maria-Fernanda DE LOS SANTOS GUTIERREZ") == "Maria-Fernanda DE LOS S…"
    assert timeline.short("Amina DIALLO") == "Amina DIALLO"


def test_the_svg_is_an_image_with_a_title_a_description_and_one_shape_per_kind() -> None:
    marks = tuple(Mark(kind, dt.date(2027, 2, 1)) for kind in timeline.KINDS)
    svg = timeline.render_svg(
        timeline.layout([stay(marks=marks)], window=WINDOW, today=TODAY),
        title="Stays",
        description="One bar per stay",
        today_label="Today",
    )
    assert 'role="img"' in svg and '<title id="tl-title">Stays</title>' in svg and "<desc" in svg
    assert svg.count('class="tl-mark"') == len(timeline.KINDS)
    shapes = {kind.shape for kind in timeline.KINDS.values()}
    assert len(shapes) >= 8  # two kinds may share a colour, never a shape


def test_the_picture_grows_with_its_rows() -> None:
    one = timeline.layout([stay()], window=WINDOW, today=TODAY)
    three = timeline.layout([stay(), stay(), stay()], window=WINDOW, today=TODAY)
    assert three.height - one.height == 2 * timeline.ROW
    assert one.width == LABEL_WIDTH + PLOT_WIDTH + 20
