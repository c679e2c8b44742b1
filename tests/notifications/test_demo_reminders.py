"""The demo data's rules-version-2 reminders: planned once, sent once, each saying why in its reader's
language (issue: "a visa and a carte de séjour window appear on the files they concern, and their
reminders are planned and sent once")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from notifications.models import Notification, NotificationStatus
from notifications.rules import ReminderKind
from notifications.services import PlanReport, digests_send
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
V2_KINDS = {
    ReminderKind.OFII_VALIDATION_DUE,
    ReminderKind.PERMIT_FILING_DUE,
    ReminderKind.DOCUMENTS_DUE,
    ReminderKind.AVENANT_EXPLICIT_ANSWER,
}


def test_demo_visa_and_carte_de_sejour_reminders_are_planned_and_sent_once(
    live_on: Callable[[dt.date], None],
    plan: Callable[[dt.date], PlanReport],
    deliver: Callable[[], list[Any]],
) -> None:
    live_on(at(TODAY))
    call_command("seed_demo", stdout=StringIO())
    Notification.objects.all().delete()  # the seed's own event emails are not what this test is about

    first = plan(TODAY)
    assert V2_KINDS <= set(first.by_kind)
    assert plan(TODAY).created == 0  # planning again writes nothing

    sent = deliver()  # alice and david: each reminder at once
    digests_send(today=TODAY)  # claire (CHU) chose the daily digest: the visa and the carte de séjour
    sent += deliver()
    rows = Notification.objects.filter(kind__in=V2_KINDS)
    assert rows.exists()
    assert set(rows.values_list("status", flat=True)) <= {
        NotificationStatus.SENT,
        NotificationStatus.DIGESTED,
    }
    keys = [message.extra_headers["Message-ID"] for message in sent]
    assert len(keys) == len(set(keys))
    assert digests_send(today=TODAY).items == 0 and deliver() == []  # nothing goes twice
    assert plan(TODAY).created == 0

    bodies = "\n".join(message.body for message in sent)
    # claire reads French: the OFII validation and the carte de séjour window, each with its why.
    assert "valider le visa auprès de l'OFII" in bodies and "CESEDA R431-16" in bodies
    assert "Carte de séjour" in bodies or "carte de séjour" in bodies
    assert "CESEDA R431-5 1°, R431-2" in bodies
    assert "R426-21" in bodies  # the company avenant needs an explicit answer
    assert "CRPA L114-5" in bodies  # the documents' due date
