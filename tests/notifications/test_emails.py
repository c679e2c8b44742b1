"""Email content: subject, text and HTML in French and English, link, .ics, and no passport number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from icalendar import Calendar

from conventions import services
from conventions.models import Avenant, Convention, Intern
from hostportal.models import Membership
from notifications.models import Notification
from notifications.rules import ReminderKind
from notifications.services import notifications_on_transition
from tests.notifications.conftest import THIRTY_DAYS_BEFORE, at

Deliver = Callable[[], list[Any]]

EXPECTED = {
    "fr": {
        "subject": "Amina DIALLO0 — déposer la convention au plus tard le 1 janvier 2027 (dans 30 jours)",
        "action": "Déposez la convention de stage tripartite",
        "why": "Pourquoi : date de début du stage 01/03/2027 moins 2 mois.",
        "months": "moins 2 mois",
        "source": "Source : CESEDA R426-20 al. 1.",
        "link": "Ouvrir le dossier",
    },
    "en": {
        "subject": "Amina DIALLO0 — file the convention by 1 January 2027 (30 days left)",
        "action": "File the tripartite convention with the administration",
        "why": "Why: start date 2027-03-01 minus 2 months.",
        "months": "minus 2 months",
        "source": "Source: CESEDA R426-20 al. 1.",
        "link": "Open the file",
    },
}


def parts(message: EmailMultiAlternatives) -> tuple[str, str, Calendar]:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    [(name, ics, ics_type)] = message.attachments
    assert (name, ics_type) == ("deadline.ics", "text/calendar")
    return str(message.body), str(html), Calendar.from_ical(ics)


@pytest.fixture
def amina(intern: Intern) -> Intern:
    intern.first_name, intern.last_name = "Amina", "Diallo0"
    intern.save()
    return intern


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_reminder_email_in_the_members_language(
    language: str, amina: Intern, make_convention: Any, alice: Any, plan: Any, deliver: Deliver
) -> None:
    Membership.objects.filter(user=alice).update(language=language)
    convention = make_convention()
    plan(THIRTY_DAYS_BEFORE)
    [message] = deliver()
    text, html, calendar = parts(message)
    expected = EXPECTED[language]
    assert message.subject == expected["subject"]
    link = f"http://127.0.0.1:8000/conventions/{convention.pk}/"
    for part in (text, html.replace("&#x27;", "'")):
        assert expected["action"] in part
        assert expected["months"] in part and "CESEDA R426-20 al. 1" in part
        assert link in part and expected["link"] in part
    assert expected["why"] in text and expected["source"] in text
    assert "<h2" in html and f'href="{link}"' in html
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == dt.date(2027, 1, 1) and event.decoded("dtend") == dt.date(2027, 1, 2)
    assert "Amina DIALLO0" in str(event["summary"]) and "CESEDA R426-20 al. 1" in str(event["description"])
    assert expected["months"] in str(event["description"])
    assert amina.passport_number not in text + html + message.subject + str(calendar.to_ical())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            ["refusée (refus implicite)", "recours gracieux", "tribunal administratif", "3 décembre 2026"],
        ),
        (
            "en",
            [
                "refused (implicit refusal)",
                "administrative appeal",
                "administrative court",
                "3 December 2026",
            ],
        ),
    ],
)
def test_refusal_by_silence_says_what_it_means_and_what_can_be_done(
    language: str,
    words: list[str],
    submitted_convention: Convention,
    alice: Any,
    live_on: Any,
    deliver: Deliver,
) -> None:
    Membership.objects.filter(user=alice).update(language=language)
    services.sweep_deadlines(today=dt.date(2026, 12, 3))
    row = Notification.objects.get(kind=ReminderKind.REFUSED_BY_SILENCE)
    assert (row.deadline, row.due_on) == (dt.date(2026, 12, 2), dt.date(2026, 12, 3))
    live_on(dt.date(2026, 12, 3))
    [message] = deliver()
    text, html, _ = parts(message)
    for word in words:
        assert word in text and word in html.replace("&#x27;", "'")
    assert "CRPA L232-4" in text
    assert {"fr": "2 décembre 2026", "en": "2 December 2026"}[language] in message.subject


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["demande de carte de séjour", "75,00 €", "Justificatif de domicile de moins de 6 mois"]),
        ("en", ["carte de séjour « stagiaire »", "75.00 EUR", "Proof of address less than 6 months old"]),
    ],
)
def test_accepted_avenant_asks_to_file_the_carte_de_sejour_with_its_checklist_and_stamp(
    language: str,
    words: list[str],
    submitted_convention: Convention,
    alice: Any,
    live_on: Any,
    deliver: Deliver,
) -> None:
    Membership.objects.filter(user=alice).update(language=language)
    services.convention_record_decision(
        actor=alice, convention=submitted_convention, decision="validated", decided_on=dt.date(2026, 11, 20),
        now=at(dt.date(2026, 11, 23)),
    )  # fmt: skip
    avenant = services.avenant_create(
        actor=alice, convention=submitted_convention, requested_end_date=dt.date(2027, 10, 31),
        now=at(dt.date(2027, 7, 1)),
    )  # fmt: skip
    services.avenant_submit(
        actor=alice, avenant=avenant, received_on=dt.date(2027, 7, 1), now=at(dt.date(2027, 7, 1))
    )
    services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="validated", decided_on=dt.date(2027, 7, 10),
        now=at(dt.date(2027, 7, 10)),
    )  # fmt: skip
    live_on(dt.date(2027, 7, 10))
    [message] = [m for m in deliver() if "carte de s" in m.subject]
    text, html, calendar = parts(message)
    for word in words:
        assert word in text and word in html.replace("&#x27;", "'")
    assert "<li>" in html and text.count("\n- ") >= 7
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == dt.date(2027, 8, 31)  # the stay in force ends
    assert Avenant.objects.get().state == "validated"


@pytest.mark.django_db
def test_the_intern_gets_their_own_email_without_an_admin_link(
    make_convention: Any, alice: Any, acme: Any, plan: Any, deliver: Deliver
) -> None:
    from tests.factories import InternFactory

    intern = InternFactory(
        organisation=acme, notify_intern=True, language="en", passport_expires_on=dt.date(2027, 6, 1)
    )
    make_convention(intern=intern)
    plan(dt.date(2027, 4, 2))
    [message] = [m for m in deliver() if m.to == [intern.email]]
    text, html, _ = parts(message)
    assert "passport expires on 1 June 2027" in message.subject and "(60 days left)" in message.subject
    assert "/admin/" not in text.split("-- ")[0] and "your host organisation" in text
    assert intern.passport_number not in text + html


@pytest.mark.django_db
def test_an_event_email_is_written_in_the_transaction_of_its_cause(
    submitted_convention: Convention, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        services.sweep_deadlines(today=dt.date(2026, 12, 3))
        assert Notification.objects.filter(kind=ReminderKind.REFUSED_BY_SILENCE).exists()
        raise Abort
    assert not Notification.objects.exists()  # rolled back with the refusal
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.sweep_deadlines(today=dt.date(2026, 12, 3))
    assert Notification.objects.filter(kind=ReminderKind.REFUSED_BY_SILENCE).count() == 1
    assert len(callbacks) == 1  # the delivery is enqueued once the sweep commits


@pytest.mark.django_db
def test_events_of_the_same_file_twice_write_one_row(submitted_convention: Convention) -> None:
    services.sweep_deadlines(today=dt.date(2026, 12, 3))
    created = notifications_on_transition(
        file_type="convention", ids=[submitted_convention.pk], target="refused_by_silence",  # type: ignore[arg-type]
        today=dt.date(2026, 12, 3),
    )  # fmt: skip
    assert created == 0 and Notification.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_footer_sends_the_member_to_the_portal_page_where_they_choose_their_emails(
    language: str, make_convention: Any, alice: Any, plan: Any, deliver: Deliver, client: Any
) -> None:
    Membership.objects.filter(user=alice).update(language=language)
    make_convention()
    plan(THIRTY_DAYS_BEFORE)
    [message] = deliver()
    text, html, _ = parts(message)
    page = "http://127.0.0.1:8000/account/"
    assert page in text and page in html and "/admin/" not in text.split("\n")[-1]
    assert not alice.is_staff  # a member, not an operator: the admin would not let her in
    client.force_login(alice)
    answer = client.get("/account/")
    assert answer.status_code == 200 and 'name="email_preference"' in answer.content.decode()
