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
    assert "demande reçue le 02/11/2026 plus 30 jours" in page  # the why, in French
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
