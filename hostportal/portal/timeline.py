"""The dashboard's timeline picture: pure layout from plain data to SVG, no ORM and no clock.

`layout` places each stay (a bar from its start to its effective end date) and its deadlines (marks) on a
window of dates; `render_svg` writes the picture with `format_html`, which escapes every value it is given
(intern names included), so the result is safe to put in a template without any `mark_safe` of user data.
Colour is never the only sign: each kind of deadline also has its own shape, a legend, a tooltip
(`<title>`), and the dashboard shows the same facts as a table.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LABEL_WIDTH = 180  # the intern names' column
PLOT_WIDTH = 760  # the dates' area
HEADER = 44  # month ticks and the "today" label
ROW = 30
BAR = 12
MARK = 7  # half the size of a mark
NAME_CHARS = 24  # longer names are cut with an ellipsis (the full name stays in the tooltip)


@dataclass(frozen=True)
class MarkKind:
    """One kind of deadline: its colour and its shape (colour is never the only sign)."""

    key: str
    label: StrOrPromise  # translated when shown, in the reader's language
    colour: str
    shape: str


# The deadlines the stored columns give (conventions.reporting.TIMELINE_KINDS uses the same keys).
KINDS: dict[str, MarkKind] = {
    kind.key: kind
    for kind in (
        MarkKind("filing", _("Convention filing deadline"), "#1d4f91", "diamond"),
        MarkKind("silence", _("Silence deadline of the administration"), "#8a4b00", "circle"),
        MarkKind("documents", _("Requested documents due"), "#5b3a8c", "square"),
        MarkKind("avenant_filing", _("Avenant filing deadline"), "#0b6e75", "triangle-up"),
        MarkKind("avenant_silence", _("Avenant silence deadline"), "#2f6b1f", "triangle-down"),
        MarkKind("ofii", _("Deadline to validate the visa with the OFII"), "#9c2a6b", "star"),
        MarkKind("permit_opens", _("Carte de séjour: filing opens"), "#6b5900", "bracket-open"),
        MarkKind("permit_filing", _("Carte de séjour: last day to file"), "#6b5900", "bracket-close"),
        MarkKind("permit_silence", _("Carte de séjour: silence deadline"), "#444a50", "cross"),
    )
}


@dataclass(frozen=True)
class Mark:
    kind: str
    on: dt.date


@dataclass(frozen=True)
class Stay:
    """One intern's stay as the picture needs it (plain data: the view builds it from the read model)."""

    name: str
    url: str
    start: dt.date
    end: dt.date
    marks: tuple[Mark, ...] = ()
    requested_end: dt.date | None = None  # an avenant's requested extension, drawn dashed


@dataclass(frozen=True)
class Window:
    """The dates shown, mapped linearly onto [LABEL_WIDTH, LABEL_WIDTH + PLOT_WIDTH]."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("The window must end after it starts.")

    def x(self, day: dt.date) -> float:
        """The x of a day's start, clamped to the plot so a date outside the window sits on its edge."""
        span = (self.end - self.start).days
        offset = min(max((day - self.start).days, 0), span)
        return round(LABEL_WIDTH + PLOT_WIDTH * offset / span, 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class PlacedMark:
    kind: MarkKind
    on: dt.date
    x: float
    y: float
    late: bool = False  # past: drawn with a ring and said in its tooltip


@dataclass(frozen=True)
class Row:
    name: str
    short_name: str
    url: str
    y: float
    bar_x: float
    bar_width: float
    start: dt.date
    end: dt.date
    starts_before: bool  # the stay continues left of the window
    ends_after: bool  # and right of it
    extension_x: float | None
    extension_width: float
    marks: tuple[PlacedMark, ...]


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    window: Window
    today_x: float | None
    ticks: tuple[Tick, ...]
    rows: tuple[Row, ...] = field(default=())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), on the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def window_around(today: dt.date, *, before: int = 1, after: int = 6) -> Window:
    """From `before` months before today to `after` months after it."""
    return Window(add_months(today, -before), add_months(today, after))


def month_ticks(window: Window) -> list[Tick]:
    """A tick on the first day of each month inside the window, named in the active language; the year
    is added on the first tick and on each January so the reader never guesses it."""
    ticks: list[Tick] = []
    day = dt.date(window.start.year, window.start.month, 1)
    while day <= window.end:
        if day >= window.start:
            name = str(MONTHS[day.month])
            label = f"{name} {day.year}" if not ticks or day.month == 1 else name
            ticks.append(Tick(window.x(day), label))
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


def short(name: str, limit: int = NAME_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def place_row(stay: Stay, window: Window, index: int, today: dt.date | None = None) -> Row:
    """One stay's bar, clipped to the window, and its marks (the ones inside the window only)."""
    y = HEADER + index * ROW + ROW / 2
    bar_x = window.x(stay.start)
    extension_x, extension_width = None, 0.0
    if stay.requested_end and stay.requested_end > stay.end:
        extension_x = window.x(stay.end)
        extension_width = round(window.x(stay.requested_end) - extension_x, 1)
    marks = tuple(
        PlacedMark(
            KINDS[mark.kind], mark.on, window.x(mark.on), y, late=today is not None and mark.on < today
        )
        for mark in sorted(stay.marks, key=lambda mark: mark.on)
        if mark.kind in KINDS and window.contains(mark.on)
    )
    return Row(
        name=stay.name,
        short_name=short(stay.name),
        url=stay.url,
        y=y,
        bar_x=bar_x,
        bar_width=round(window.x(stay.end) - bar_x, 1),
        start=stay.start,
        end=stay.end,
        starts_before=stay.start < window.start,
        ends_after=stay.end > window.end,
        extension_x=extension_x,
        extension_width=extension_width,
        marks=marks,
    )


def layout(stays: Sequence[Stay], *, window: Window, today: dt.date) -> Picture:
    """The whole picture: one row per stay in the order given, month ticks, and the "today" line."""
    rows = tuple(place_row(stay, window, index, today) for index, stay in enumerate(stays))
    return Picture(
        width=LABEL_WIDTH + PLOT_WIDTH + 20,
        height=HEADER + max(len(rows), 1) * ROW + 8,
        window=window,
        today_x=window.x(today) if window.contains(today) else None,
        ticks=tuple(month_ticks(window)),
        rows=rows,
    )


# --- SVG -------------------------------------------------------------------------------------------------
def shape(kind: MarkKind, x: float, y: float, size: float = MARK) -> SafeString:
    """The mark's glyph centred on (x, y). Only numbers and our own constants reach the markup."""
    s = size
    points = {
        "diamond": [(x, y - s), (x + s, y), (x, y + s), (x - s, y)],
        "square": [(x - s * 0.8, y - s * 0.8), (x + s * 0.8, y - s * 0.8), (x + s * 0.8, y + s * 0.8),
                   (x - s * 0.8, y + s * 0.8)],
        "triangle-up": [(x, y - s), (x + s, y + s * 0.8), (x - s, y + s * 0.8)],
        "triangle-down": [(x - s, y - s * 0.8), (x + s, y - s * 0.8), (x, y + s)],
        "star": [(x, y - s), (x + s * 0.3, y - s * 0.3), (x + s, y), (x + s * 0.3, y + s * 0.3), (x, y + s),
                 (x - s * 0.3, y + s * 0.3), (x - s, y), (x - s * 0.3, y - s * 0.3)],
        "bracket-open": [(x + s * 0.6, y - s), (x, y - s), (x, y + s), (x + s * 0.6, y + s),
                         (x + s * 0.6, y + s * 0.6), (x + s * 0.3, y + s * 0.6), (x + s * 0.3, y - s * 0.6),
                         (x + s * 0.6, y - s * 0.6)],
        "bracket-close": [(x - s * 0.6, y - s), (x, y - s), (x, y + s), (x - s * 0.6, y + s),
                          (x - s * 0.6, y + s * 0.6), (x - s * 0.3, y + s * 0.6), (x - s * 0.3, y - s * 0.6),
                          (x - s * 0.6, y - s * 0.6)],
    }  # fmt: skip
    if kind.shape == "circle":
        return format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="{}"/>', x, y, round(s * 0.85, 1), kind.colour
        )
    if kind.shape == "cross":
        d = f"M{x - s},{y - s}L{x + s},{y + s}M{x - s},{y + s}L{x + s},{y - s}"
        return format_html('<path d="{}" stroke="{}" stroke-width="3"/>', d, kind.colour)
    coords = " ".join(f"{round(px, 1)},{round(py, 1)}" for px, py in points[kind.shape])
    return format_html('<polygon points="{}" fill="{}" stroke="#fff" stroke-width="1"/>', coords, kind.colour)


def _date(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")  # 23/11/2026 in French


def _mark_svg(mark: PlacedMark, past: str) -> SafeString:
    if not mark.late:
        return format_html(
            '<g class="tl-mark"><title>{}: {}</title>{}</g>',
            mark.kind.label,
            _date(mark.on),
            shape(mark.kind, mark.x, mark.y),
        )
    return format_html(
        '<g class="tl-mark tl-late"><title>{}: {} ({})</title>'
        '<circle class="tl-late-ring" cx="{}" cy="{}" r="{}"/>{}</g>',
        mark.kind.label, _date(mark.on), past, mark.x, mark.y, MARK + 3, shape(mark.kind, mark.x, mark.y),
    )  # fmt: skip


def _row_svg(row: Row, continues: str) -> SafeString:
    past = str(_("past"))
    marks = format_html_join("", "{}", ((_mark_svg(mark, past),) for mark in row.marks))
    extension = (
        format_html(
            '<rect class="tl-extension" x="{}" y="{}" width="{}" height="{}" rx="3"/>',
            row.extension_x, row.y - BAR / 2, max(row.extension_width, 1), BAR,
        )
        if row.extension_x is not None
        else ""
    )  # fmt: skip
    edges = format_html_join(
        "",
        '<path class="tl-edge" d="{}"><title>{}</title></path>',
        [(_chevron(row.bar_x, row.y, -1), continues)] * row.starts_before
        + [(_chevron(row.bar_x + row.bar_width, row.y, 1), continues)] * row.ends_after,
    )
    return format_html(
        '<g class="tl-row"><a href="{url}" tabindex="-1"><title>{name}: {start} – {end}</title>'
        '<text class="tl-name" x="8" y="{ty}">{short}</text>'
        '<rect class="tl-bar" x="{bx}" y="{by}" width="{bw}" height="{bh}" rx="3"/></a>'
        "{ext}{edges}{marks}</g>",
        url=row.url, name=row.name, start=_date(row.start), end=_date(row.end), ty=row.y + 5,
        short=row.short_name, bx=row.bar_x, by=row.y - BAR / 2, bw=max(row.bar_width, 2), bh=BAR,
        ext=extension, edges=edges, marks=marks,
    )  # fmt: skip


def _chevron(x: float, y: float, direction: int) -> str:
    """A small arrow at a clipped end of a bar: the stay continues outside the window."""
    tip = x + direction * 8
    return f"M{x},{y - 6}L{tip},{y}L{x},{y + 6}"


def render_svg(picture: Picture, *, title: str, description: str, today_label: str) -> SafeString:
    """The picture as an inline SVG (role="img", with <title> and <desc> for assistive technologies)."""
    bottom = picture.height - 4
    lines = format_html_join(
        "",
        '<line class="tl-tick" x1="{0}" y1="18" x2="{0}" y2="{1}"/>',
        ((tick.x, bottom) for tick in picture.ticks),
    )
    # A month starting on the window's last days has no room for its name: its line alone is drawn.
    labels = format_html_join(
        "",
        '<text class="tl-month" x="{}" y="14">{}</text>',
        ((tick.x + 3, tick.label) for tick in picture.ticks if tick.x <= LABEL_WIDTH + PLOT_WIDTH - 50),
    )
    ticks = format_html("{}{}", lines, labels)
    today = (
        format_html(
            '<line class="tl-today" x1="{0}" y1="22" x2="{0}" y2="{1}"/>'
            '<text class="tl-today-label" x="{2}" y="34">{3}</text>',
            picture.today_x, bottom, picture.today_x + 4, today_label,
        )
        if picture.today_x is not None
        else ""
    )  # fmt: skip
    continues = str(_("continues outside the period shown"))
    rows = format_html_join("", "{}", ((_row_svg(row, continues),) for row in picture.rows))
    return format_html(
        '<svg class="timeline-svg" xmlns="http://www.w3.org/2000/svg" role="img"'
        ' aria-labelledby="tl-title tl-desc"'
        ' viewBox="0 0 {w} {h}" width="{w}" height="{h}"><title id="tl-title">{title}</title>'
        '<desc id="tl-desc">{desc}</desc>{ticks}{rows}{today}</svg>',
        w=picture.width, h=picture.height, title=title, desc=description, ticks=ticks, rows=rows, today=today,
    )  # fmt: skip


def legend_svg(kind: MarkKind) -> SafeString:
    """A mark's glyph alone, for the legend next to its label (aria-hidden: the label says it)."""
    return format_html(
        '<svg class="tl-glyph" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">{}</svg>',
        shape(kind, 10, 10, 8),
    )
