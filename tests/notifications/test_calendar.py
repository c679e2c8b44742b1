"""The calendar feed: every upcoming deadline of one organisation, at a secret and revocable URL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from icalendar import Calendar

from conventions import services
from conventions.models import Convention
from hostportal.models import Organisation
from notifications.models import CalendarToken
from notifications.services import calendar_token_create, calendar_token_revoke
from tests.factories import InternFactory
from tests.notifications.conftest import at


def fetch(token: CalendarToken | str) -> Any:
    value = token.token if isinstance(token, CalendarToken) else token
    return Client().get(f"/calendar/{value}.ics")


def events(response: Any) -> dict[tuple[str, dt.date], Any]:
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {(str(e["summary"]), e.decoded("dtstart")): e for e in calendar.walk("VEVENT")}


@pytest.mark.django_db
def test_feed_lists_every_upcoming_deadline_with_rule_and_source(
    make_convention: Any, submitted_convention: Convention, alice: Any, acme: Organisation, live_on: Any
) -> None:
    draft = make_convention(intern=InternFactory(organisation=acme, first_name="Kofi", last_name="Mensah"))
    token = calendar_token_create(actor=alice, organisation=acme, language="en")
    live_on(dt.date(2026, 11, 23))
    found = events(fetch(token))
    amina = str(submitted_convention.intern)
    assert set(found) == {
        ("Kofi MENSAH — Convention filing deadline", dt.date(2027, 1, 1)),
        ("Kofi MENSAH — End of the stage", dt.date(2027, 8, 31)),
        (f"{amina} — Silence deadline (implicit refusal the day after)", dt.date(2026, 12, 2)),
        (f"{amina} — End of the stage", dt.date(2027, 8, 31)),
    }
    filing = found[("Kofi MENSAH — Convention filing deadline", dt.date(2027, 1, 1))]
    assert "start date 2027-03-01 minus 2 months" in str(filing["description"])
    assert "CESEDA R426-20 al. 1" in str(filing["description"])
    assert filing.decoded("dtend") == dt.date(2027, 1, 2)  # an all-day event
    assert str(filing["url"]).endswith(f"/conventions/{draft.pk}/")
    assert str(filing["uid"]) == f"convention-{draft.pk}-filing@hostportal.localhost"


@pytest.mark.django_db
def test_feed_follows_the_files_avenants_and_carte_de_sejour(
    submitted_convention: Convention, alice: Any, acme: Organisation, live_on: Any
) -> None:
    services.convention_record_decision(
        actor=alice, convention=submitted_convention, decision="validated", decided_on=dt.date(2026, 11, 20),
        now=at(dt.date(2026, 11, 23)),
    )  # fmt: skip
    avenant = services.avenant_create(
        actor=alice, convention=submitted_convention, requested_end_date=dt.date(2027, 10, 31),
        now=at(dt.date(2027, 7, 1)),
    )  # fmt: skip
    token = calendar_token_create(actor=alice, organisation=acme, language="fr")
    live_on(dt.date(2027, 7, 1))
    days = {(summary.split(" — ")[1], day) for summary, day in events(fetch(token))}
    assert days == {
        ("Date limite de dépôt de l'avenant", dt.date(2027, 8, 16)),
        ("Fin du stage", dt.date(2027, 8, 31)),
    }
    services.avenant_submit(
        actor=alice, avenant=avenant, received_on=dt.date(2027, 7, 1), now=at(dt.date(2027, 7, 1))
    )
    live_on(dt.date(2027, 7, 2))
    labels = {summary.split(" — ")[1] for summary, _ in events(fetch(token))}
    # A company stage's avenant has no silence deadline (R426-21): nothing promises an acceptance.
    assert not any("avenant (acceptation" in label for label in labels)
    services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="validated", decided_on=dt.date(2027, 7, 10),
        now=at(dt.date(2027, 7, 10)),
    )  # fmt: skip
    visa = services.visa_apply(
        actor=alice,
        visa=submitted_convention.visa,
        applied_on=dt.date(2026, 12, 1),
        now=at(dt.date(2027, 7, 10)),
    )
    services.visa_record_decision(
        actor=alice, visa=visa, decision="issued", decided_on=dt.date(2026, 12, 20),
        valid_from=dt.date(2027, 2, 22), expires_on=dt.date(2027, 10, 31), now=at(dt.date(2027, 7, 10)),
    )  # fmt: skip
    live_on(dt.date(2027, 7, 12))
    days = {(summary.split(" — ")[1], day) for summary, day in events(fetch(token))}
    # The carte de séjour window of R431-5: visa expiry 2027-10-31 minus 60 days.
    assert (
        "Carte de séjour : dernier jour de dépôt (60 jours avant l'expiration du visa)",
        dt.date(2027, 9, 1),
    ) in days
    permit = avenant.permit_application
    services.permit_file(
        actor=alice, permit=permit, filed_on=dt.date(2027, 7, 20), now=at(dt.date(2027, 7, 20))
    )
    live_on(dt.date(2027, 7, 20))
    days = {(summary.split(" — ")[1], day) for summary, day in events(fetch(token))}
    assert ("Fin du stage", dt.date(2027, 10, 31)) in days  # the end date in force moved
    # 90 days of silence from the complete file (CESEDA R426-17).
    assert any(
        label.startswith("Carte de séjour : fin du délai de 90 jours") and day == dt.date(2027, 10, 18)
        for label, day in days
    )


@pytest.mark.django_db
def test_revoked_or_unknown_token_is_404(alice: Any, acme: Organisation) -> None:
    token = calendar_token_create(actor=alice, organisation=acme)
    assert fetch(token).status_code == 200
    calendar_token_revoke(actor=alice, token=token)
    assert fetch(token).status_code == 404
    assert fetch("not-a-token").status_code == 404
    assert fetch("x" * 100).status_code == 404


@pytest.mark.django_db
def test_another_organisations_feed_never_shows_these_files(
    submitted_convention: Convention, claire: Any, chu: Organisation
) -> None:
    chu_token = calendar_token_create(actor=claire, organisation=chu)
    response = fetch(chu_token)
    assert events(response) == {}
    assert submitted_convention.intern.last_name.upper().encode() not in response.content


@pytest.mark.django_db
def test_viewers_and_outsiders_cannot_create_or_revoke_feeds(
    alice: Any, bob: Any, claire: Any, acme: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        calendar_token_create(actor=bob, organisation=acme)
    with pytest.raises(PermissionDenied):
        calendar_token_create(actor=claire, organisation=acme)
    token = calendar_token_create(actor=alice, organisation=acme)
    with pytest.raises(PermissionDenied):
        calendar_token_revoke(actor=claire, token=token)
    assert fetch(token).status_code == 200
