"""Issue 8's "done when", end to end: an HR system, with an API token only, creates an intern and a
convention, files it, reads its deadlines and why, registers a webhook, and is called back (signed) when the
préfecture's silence turns into a refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conventions.services import sweep_deadlines
from notifications.services.webhook_delivery import webhooks_deliver
from tests.notifications.test_webhooks_delivery import Receiver, serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def hris() -> Iterator[Receiver]:
    found = Receiver()
    server = serve(found)
    yield found
    server.shutdown()
    server.server_close()


def test_an_hr_system_files_a_convention_and_hears_of_its_refusal_by_silence(
    manager_api: APIClient, hris: Receiver
) -> None:
    today = timezone.localdate()
    intern = manager_api.post(
        "/api/v1/interns/",
        {"first_name": "Kwame", "last_name": "Asante", "nationality": "GH", "date_of_birth": "2001-02-03",
         "country_of_residence": "GH", "passport_number": "G7654321", "passport_expires_on": "2031-01-01"},
        format="json",
    )  # fmt: skip
    assert intern.status_code == 201, intern.content
    start = today + dt.timedelta(days=90)
    convention = manager_api.post(
        "/api/v1/conventions/",
        {"intern": intern.json()["id"], "category": "entreprise", "start_date": start.isoformat(),
         "end_date": (start + dt.timedelta(days=150)).isoformat(), "sending_establishment": "KNUST",
         "tutor_name": "Jeanne Martin", "weekly_hours": "35", "hourly_gratification_eur": "4.50",
         "monthly_resources_eur": "900.00"},
        format="json",
    )  # fmt: skip
    assert convention.status_code == 201, convention.content
    pk = convention.json()["id"]
    received = today - dt.timedelta(days=40)
    filed = manager_api.post(
        f"/api/v1/conventions/{pk}/submit/", {"received_on": received.isoformat()}, format="json"
    )
    assert filed.status_code == 200, filed.content
    read = manager_api.get(f"/api/v1/conventions/{pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (received + dt.timedelta(days=30)).isoformat() in read and "CESEDA R426-20" in read

    hook = manager_api.post(
        "/api/v1/webhooks/", {"url": hris.url, "events": ["convention.refused_by_silence"]}, format="json"
    )
    assert hook.status_code == 201, hook.content
    hris.secret = hook.json()["secret"]

    sweep_deadlines()  # the hourly job: 40 days after the filing, the 30 days of silence are over
    assert webhooks_deliver().sent == 1
    (call,) = hris.received
    assert call.signature_ok and call.headers["Hostportal-Event"] == "convention.refused_by_silence"
    assert str(pk) in call.body.decode()
    state = manager_api.get(f"/api/v1/conventions/{pk}/").json()["state"]
    assert state == "refused_by_silence"
