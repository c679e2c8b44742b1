"""Idempotency-Key: a retry with the same key and body returns the first answer and creates nothing; the
same key with another body is a 422; two concurrent requests with one key create one row."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from conventions.models import Intern
from hostportal.api.models import IdempotencyKey
from tests.api.test_permissions import INTERN, assert_problem

pytestmark = pytest.mark.django_db


def test_a_replay_returns_the_first_answer_and_creates_nothing(manager_api: APIClient) -> None:
    first = manager_api.post("/api/v1/interns/", INTERN, format="json", HTTP_IDEMPOTENCY_KEY="hr-42")
    again = manager_api.post(
        "/api/v1/interns/", dict(reversed(INTERN.items())), format="json", HTTP_IDEMPOTENCY_KEY="hr-42"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Intern.objects.count() == 1


def test_the_same_key_with_another_body_is_422(manager_api: APIClient) -> None:
    manager_api.post("/api/v1/interns/", INTERN, format="json", HTTP_IDEMPOTENCY_KEY="hr-43")
    other = manager_api.post(
        "/api/v1/interns/", INTERN | {"first_name": "Ama"}, format="json", HTTP_IDEMPOTENCY_KEY="hr-43"
    )
    assert_problem(other, 422)
    assert other.json()["type"] == "urn:hostportal:problem:idempotency-key-reused"
    assert Intern.objects.count() == 1


def test_keys_belong_to_their_token(manager_api: APIClient, editor_api: APIClient) -> None:
    manager_api.post("/api/v1/interns/", INTERN, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    editor_api.post("/api/v1/interns/", INTERN, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert Intern.objects.count() == 2


def test_a_failure_is_not_kept_so_the_retry_runs(manager_api: APIClient) -> None:
    bad = manager_api.post(
        "/api/v1/interns/", INTERN | {"nationality": "ZZ"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert bad.status_code == 400 and not IdempotencyKey.objects.exists()
    good = manager_api.post(
        "/api/v1/interns/",
        INTERN | {"nationality": "ZZ"} | {"nationality": "GH"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert good.status_code == 201


def test_a_bad_key_is_400(manager_api: APIClient) -> None:
    response = manager_api.post("/api/v1/interns/", INTERN, format="json", HTTP_IDEMPOTENCY_KEY="x" * 201)
    assert_problem(response, 400)
    assert "Idempotency-Key" in response.json()["errors"]


def test_actions_replay_too(manager_api: APIClient, make_convention: Any) -> None:
    convention = make_convention()
    url = f"/api/v1/conventions/{convention.pk}/submit/"
    first = manager_api.post(url, {"received_on": "2026-11-02"}, format="json", HTTP_IDEMPOTENCY_KEY="file-1")
    again = manager_api.post(url, {"received_on": "2026-11-02"}, format="json", HTTP_IDEMPOTENCY_KEY="file-1")
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    without = manager_api.post(url, {"received_on": "2026-11-02"}, format="json")
    assert without.status_code == 409  # a real second submit is refused: the first was done


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_one_intern(alice: Any, acme: Any) -> None:
    from hostportal.api.services import api_token_create
    from tests.api.conftest import bearer

    _token, secret = api_token_create(actor=alice, organisation=acme, name="SIRH", role="manager")
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def call() -> None:
        client = bearer(secret)
        barrier.wait()
        try:
            answers.append(
                client.post("/api/v1/interns/", INTERN, format="json", HTTP_IDEMPOTENCY_KEY="race")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Intern.objects.count() == 1


def test_a_key_is_kept_a_day(manager_api: APIClient) -> None:
    import datetime as dt

    import time_machine

    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        manager_api.post("/api/v1/interns/", INTERN, format="json", HTTP_IDEMPOTENCY_KEY="daily")
    with time_machine.travel(start + dt.timedelta(hours=23), tick=False):
        other = INTERN | {"first_name": "Ama"}
        assert (
            manager_api.post(
                "/api/v1/interns/", other, format="json", HTTP_IDEMPOTENCY_KEY="daily"
            ).status_code
            == 422
        )
    with time_machine.travel(start + dt.timedelta(hours=25), tick=False):
        assert (
            manager_api.post(
                "/api/v1/interns/", other, format="json", HTTP_IDEMPOTENCY_KEY="daily"
            ).status_code
            == 201
        )
    assert Intern.objects.count() == 2
