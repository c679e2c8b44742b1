"""Every list endpoint of the API costs the same queries with one file or many (issue 10): at most 12, for a
token of an organisation and for an operator's session over every organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conventions import services
from tests.conftest import NOW
from tests.factories import InternFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/interns/", "/api/v1/conventions/", "/api/v1/avenants/", "/api/v1/visas/",
    "/api/v1/residence-permit-applications/", "/api/v1/documents/", "/api/v1/notifications/",
    "/api/v1/audit/transitions/", "/api/v1/audit/entries/", "/api/v1/webhooks/",
    "/api/v1/webhook-deliveries/",
]  # fmt: skip


def stages(make_convention: Any, alice: Any, acme: Any, count: int) -> None:
    """Validated stages, each with an avenant (their checklists, audit rows and outbox come with them)."""
    for _ in range(count):
        convention = make_convention(intern=InternFactory(organisation=acme))
        convention = services.convention_submit(
            actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
        )
        convention = services.convention_record_decision(
            actor=alice,
            convention=convention,
            decision="validated",
            decided_on=dt.date(2026, 11, 20),
            now=NOW,
        )
        services.avenant_create(
            actor=alice, convention=convention, requested_end_date=dt.date(2027, 11, 30), now=NOW
        )


def counts(client: APIClient) -> dict[str, int]:
    found = {}
    for url in LISTS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        found[url] = len(captured.captured_queries)
    return found


@pytest.mark.parametrize("who", ["token", "operator"])
def test_every_list_costs_the_same_queries_with_one_file_or_many(
    who: str, manager_api: APIClient, alice: Any, acme: Any, make_convention: Any
) -> None:
    if who == "operator":
        client = APIClient()
        client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    else:
        client = manager_api
    stages(make_convention, alice, acme, 1)
    counts(client)  # once-a-minute writes (the token's last use) and caches are not the data's cost
    one = counts(client)
    stages(make_convention, alice, acme, 6)
    many = counts(client)
    assert many == one, {url: (one[url], many[url]) for url in LISTS if one[url] != many[url]}
    assert max(many.values()) <= 12, many
