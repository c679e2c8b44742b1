"""The portal's "Aujourd'hui": log in, one list of what to do with its why, scoped to the organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from conventions import services
from hostportal.portal.context import SESSION_KEY
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_the_login_page() -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Client().get("/login/").status_code == 200


def test_login_with_the_form_leads_to_today(alice: Any) -> None:
    alice.set_password("s3cret-pass")
    alice.save()
    response = Client().post("/login/", {"username": "alice", "password": "s3cret-pass"}, follow=True)
    assert response.redirect_chain[-1][0] == "/" and b"Act now" in response.content
    wrong = Client().post("/login/", {"username": "alice", "password": "nope"})
    assert wrong.status_code == 200 and b"did not match" in wrong.content


def test_today_lists_each_deadline_with_its_why_most_urgent_first(
    alice: Any, make_convention: Any, submitted_convention: Any
) -> None:
    make_convention()  # a draft: filing deadline 2027-01-01 (start 2027-03-01 - 2 months)
    with time_machine.travel(NOW, tick=False):
        page = client_for(alice).get("/").content.decode()
    silence = page.index("02/12/2026") if "02/12/2026" in page else page.index("2026-12-02")
    filing = page.index("2027-01-01")
    assert silence < filing  # the silence deadline (received 2026-11-02 + 30 days) comes first
    assert "received on 2026-11-02 plus 30 days" in page and "CESEDA R426-20" in page
    assert "start date 2027-03-01 minus 2 months" in page


def test_today_speaks_french_to_a_french_member(alice: Any, submitted_convention: Any, settings: Any) -> None:
    from hostportal.models import Membership

    Membership.objects.filter(user=alice).update(language="fr")
    with time_machine.travel(NOW, tick=False):
        page = client_for(alice).get("/").content.decode()
    assert "Aujourd’hui" in page or "Aujourd'hui" in page
    assert "30 jours après la demande reçue le 02/11/2026" in page  # the why, in French
    assert "02/12/2026" in page  # the French date format


def test_a_late_filing_is_marked_late_and_a_passed_silence_deadline_is_not_a_task(
    alice: Any, make_convention: Any, submitted_convention: Any
) -> None:
    make_convention()
    with time_machine.travel(dt.datetime(2027, 1, 5, 10, 0, tzinfo=NOW.tzinfo), tick=False):
        page = client_for(alice).get("/").content.decode()
    assert 'class="todo-item late"' in page and "4 days late" in page
    assert "received on 2026-11-02 plus 30 days" not in page  # refused by silence: for the sweep


def test_an_outsider_sees_only_their_own_organisation(
    claire: Any, submitted_convention: Any, acme: Any
) -> None:
    client = client_for(claire)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/").content.decode()
    assert "received on 2026-11-02" not in page
    assert client.post("/organisation/", {"organisation": acme.pk}).status_code == 404
    assert client.post("/organisation/", {"organisation": "x"}).status_code == 404


def test_a_member_of_two_organisations_switches(alice: Any, chu: Any, submitted_convention: Any) -> None:
    from hostportal.models import Membership

    Membership.objects.create(user=alice, organisation=chu, role=Membership.Role.VIEWER, language="en")
    client = client_for(alice)
    assert client.post("/organisation/", {"organisation": chu.pk}).status_code == 302
    assert client.session[SESSION_KEY] == chu.pk
    with time_machine.travel(NOW, tick=False):
        page = client.get("/").content.decode()
    assert "received on 2026-11-02" not in page and "CHU de Lyon-Est" in page


def test_a_viewer_reads_today(bob: Any, submitted_convention: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        assert b"received on 2026-11-02" in client_for(bob).get("/").content


def test_today_costs_a_fixed_number_of_queries(
    alice: Any, make_convention: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(alice)
    for _ in range(6):
        convention = make_convention()
        services.convention_submit(
            actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
        )
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


# --- the timeline and the indicators (helper "timeline") ------------------------------------------------
def many_files(alice: Any, acme: Any, make_convention: Any, count: int) -> list[Any]:
    """`count` conventions of every kind: drafts, submitted, validated (a visa each), some with an
    avenant, refused; each for its own intern."""
    from tests.factories import InternFactory

    made = []
    for index in range(count):
        convention = make_convention(
            intern=InternFactory(organisation=acme),
            start_date=dt.date(2027, 1, 4) + dt.timedelta(days=3 * index),
            end_date=dt.date(2027, 6, 30) + dt.timedelta(days=3 * index),
        )
        if index % 4:
            convention = services.convention_submit(
                actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
            )
        if index % 4 in (2, 3):
            decision = "validated" if index % 4 == 2 else "refused"
            convention = services.convention_record_decision(
                actor=alice, convention=convention, decision=decision,
                decided_on=dt.date(2026, 11, 2) + dt.timedelta(days=index % 13), now=NOW,
            )  # fmt: skip
        if index % 8 == 2:
            services.avenant_create(
                actor=alice, convention=convention, requested_end_date=dt.date(2027, 12, 31), now=NOW
            )
        made.append(convention)
    return made


def test_today_with_fifty_files_stays_within_twelve_queries_and_hides_the_extra_bars(
    alice: Any, acme: Any, make_convention: Any, django_assert_max_num_queries: Any
) -> None:
    many_files(alice, acme, make_convention, 52)
    client = client_for(alice)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(12):
        response = client.get("/")
    page = response.content.decode()
    assert page.count('class="tl-row"') == 25  # the 25 stays closest to a deadline
    # 52 files - 13 refused - 2 filed or validated ones starting after the window (2027-05-23) = 37 stays
    assert "25 stays closest to a deadline shown, 12 more hidden." in page
    assert "Median time from filing to decision" in page and "13 refused by silence" not in page


def test_the_timeline_links_each_bar_to_its_case_page_and_escapes_names(
    alice: Any, acme: Any, make_convention: Any
) -> None:
    from tests.factories import InternFactory

    evil = InternFactory(organisation=acme, first_name="<script>alert(1)</script>", last_name="X")
    convention = make_convention(intern=evil)
    with time_machine.travel(NOW, tick=False):
        page = client_for(alice).get("/").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; X" in page
    assert f'href="/conventions/{convention.pk}/"' in page
    assert 'role="img"' in page and "Convention filing deadline" in page  # the mark, in legend and table


def test_the_indicators_say_how_they_are_computed_in_french(
    alice: Any, make_convention: Any, submitted_convention: Any
) -> None:
    from hostportal.models import Membership

    Membership.objects.filter(user=alice).update(language="fr")
    services.convention_record_decision(
        actor=alice, convention=submitted_convention, decision="validated", decided_on=dt.date(2026, 11, 14),
        now=NOW,
    )  # fmt: skip
    make_convention(start_date=dt.date(2027, 1, 10), end_date=dt.date(2027, 6, 30))  # filing was due 11-10
    with time_machine.travel(NOW, tick=False):
        page = client_for(alice).get("/").content.decode()
    assert "Délai médian entre dépôt et décision" in page and "12 jours" in page
    assert "Part refusée par silence" in page and "0 %" in page
    assert "Dossiers en retard" in page
    assert "Brouillons dont la date limite de dépôt est passée" in page
    assert "décembre" in page and "janvier 2027" in page  # the month ticks, in French
    assert "Date limite de dépôt de la convention" in page  # the legend, in French


def test_a_viewer_sees_the_same_timeline_and_indicators(
    alice: Any, bob: Any, acme: Any, make_convention: Any, submitted_convention: Any
) -> None:
    make_convention()
    with time_machine.travel(NOW, tick=False):
        mine = client_for(alice).get("/").content.decode()
        theirs = client_for(bob).get("/").content.decode()
    start = mine.index('id="timeline"')
    end = mine.index('id="counts"')
    assert mine[start:end] == theirs[theirs.index('id="timeline"') : theirs.index('id="counts"')]


def test_an_outsider_never_sees_another_organisations_stays(
    claire: Any, intern: Any, submitted_convention: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        page = client_for(claire).get("/").content.decode()
    assert str(intern) not in page and f"/conventions/{submitted_convention.pk}/" not in page
    assert "No stay in this period." in page


# --- at scale: a bounded list, a fixed number of queries (issue 10) -------------------------------------
def copies(conventions: list[Any], times: int) -> None:
    """`times` more rows like each of `conventions` (their states and stored deadlines), in one INSERT."""
    from conventions.models import Convention

    fields = [field for field in Convention._meta.concrete_fields if not field.primary_key]
    Convention.objects.bulk_create(
        Convention(**{field.attname: getattr(convention, field.attname) for field in fields})
        for convention in conventions
        for _ in range(times)
    )


def queries_of_today(client: Client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_today_costs_the_same_queries_with_a_few_files_and_with_many(
    alice: Any, acme: Any, make_convention: Any, django_assert_max_num_queries: Any
) -> None:
    made = many_files(alice, acme, make_convention, 8)
    client = client_for(alice)
    few = queries_of_today(client)
    copies(made, 40)  # 328 conventions
    with django_assert_max_num_queries(12):
        assert queries_of_today(client) == few


def test_today_lists_the_hundred_most_urgent_and_sends_to_the_conventions_list_for_the_rest(
    alice: Any, acme: Any, make_convention: Any
) -> None:
    from notifications.selectors import act_now

    copies(many_files(alice, acme, make_convention, 8), 40)
    with time_machine.travel(NOW, tick=False):
        page = client_for(alice).get("/").content.decode()
    items = act_now(acme.pk, NOW.date(), 60)
    late = sum(1 for item in items if item.urgency == "late")
    todo = page[page.index('<ol class="todo">') : page.index("</ol>")]
    assert todo.count('class="todo-item') == 100 < len(items)
    shown = [line.split('"')[1] for line in todo.split("<time datetime=")[1:]]
    assert shown == [item.on.isoformat() for item in items[:100]]  # the most urgent first
    assert f"{len(items)} deadlines in the next 60 days or late" in page and f"{late} late" in page
    assert (
        f"Only the 100 most urgent are listed here, {len(items) - 100} others are not: see "
        '<a href="/conventions/?sort=deadline">the conventions list, sorted by next deadline</a>.'
    ) in page


def test_a_short_list_has_no_sentence_about_the_rest_and_the_long_one_speaks_french(
    alice: Any, acme: Any, make_convention: Any, submitted_convention: Any
) -> None:
    from hostportal.models import Membership

    with time_machine.travel(NOW, tick=False):
        assert "most urgent are listed" not in client_for(alice).get("/").content.decode()
    copies([submitted_convention], 120)
    Membership.objects.filter(user=alice).update(language="fr")
    with time_machine.travel(NOW, tick=False):
        page = client_for(alice).get("/").content.decode()
    assert "121 échéances dans les 60 prochains jours ou en retard" in page
    assert (
        "Seules les 100 plus urgentes sont affichées ici, 21 autres ne le sont pas : voir "
        '<a href="/conventions/?sort=deadline">la liste des conventions, triée par prochaine échéance</a>.'
    ) in page
