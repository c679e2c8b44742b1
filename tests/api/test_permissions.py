"""Every endpoint with every persona: Acme's manager, editor and viewer tokens, the CHU's manager (an
outsider), an anonymous caller and a revoked token. Another organisation's object is a 404, a reader's
write a 403, no credentials (or a revoked token) a 401 — always as problem+json."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from conventions import services
from conventions.models import Convention
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

PERSONAS = ["manager_api", "editor_api", "viewer_api", "outsider_api", "anonymous_api", "revoked_api"]


@pytest.fixture
def files(alice: Any, submitted_convention: Convention) -> dict[str, int]:
    """One of each file of Acme: a validated convention with its visa, an avenant, a document."""
    validated = services.convention_record_decision(
        actor=alice,
        convention=submitted_convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        now=NOW,
    )
    avenant = services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 10, 31), now=NOW
    )
    return {
        "intern": validated.intern_id,
        "convention": validated.pk,
        "visa": validated.visa.pk,
        "avenant": avenant.pk,
        "document": validated.document_items.first().pk,  # type: ignore[union-attr]
    }


def client_of(request: Any, persona: str) -> APIClient:
    return request.getfixturevalue(persona)


READS = [
    "/api/v1/interns/{intern}/",
    "/api/v1/conventions/{convention}/",
    "/api/v1/avenants/{avenant}/",
    "/api/v1/visas/{visa}/",
    "/api/v1/documents/{document}/",
]
LISTS = [
    "/api/v1/interns/",
    "/api/v1/conventions/",
    "/api/v1/avenants/",
    "/api/v1/visas/",
    "/api/v1/residence-permit-applications/",
    "/api/v1/documents/",
    "/api/v1/notifications/",
    "/api/v1/audit/transitions/",
]


def assert_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:hostportal:problem:")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("template", READS)
def test_reading_one_file(request: Any, persona: str, template: str, files: dict[str, int]) -> None:
    response = client_of(request, persona).get(template.format(**files))
    if persona in ("anonymous_api", "revoked_api"):
        assert_problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
    elif persona == "outsider_api":
        assert_problem(response, 404)
    else:
        assert response.status_code == 200
        assert response.json()["id"] in files.values()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", LISTS)
def test_lists_show_only_the_callers_organisation(request: Any, persona: str, url: str, files: Any) -> None:
    response = client_of(request, persona).get(url)
    if persona in ("anonymous_api", "revoked_api"):
        assert_problem(response, 401)
        return
    assert response.status_code == 200
    organisations = {row["organisation"] for row in response.json()["results"]}
    expected = set() if persona == "outsider_api" else {Convention.objects.get().organisation_id}
    assert organisations <= expected
    if persona != "outsider_api" and "notifications" not in url and "permit" not in url:
        assert organisations == expected


INTERN = {
    "first_name": "Kofi",
    "last_name": "Mensah",
    "nationality": "GH",
    "date_of_birth": "2000-05-01",
    "country_of_residence": "GH",
    "passport_number": "G1234567",
    "passport_expires_on": "2031-01-01",
}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager_api", 201),
        ("editor_api", 201),
        ("viewer_api", 403),
        ("anonymous_api", 401),
        ("revoked_api", 401),
    ],
)
def test_creating_an_intern(request: Any, persona: str, status: int, acme: Any) -> None:
    response = client_of(request, persona).post("/api/v1/interns/", INTERN, format="json")
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["organisation"] == acme.pk


def test_an_outsider_creates_in_its_own_organisation_only(
    outsider_api: APIClient, chu: Any, acme: Any
) -> None:
    response = outsider_api.post("/api/v1/interns/", INTERN | {"organisation": acme.pk}, format="json")
    assert_problem(response, 400)
    assert "organisation" in response.json()["errors"]
    assert outsider_api.post("/api/v1/interns/", INTERN, format="json").json()["organisation"] == chu.pk


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager_api", 200),
        ("editor_api", 200),
        ("viewer_api", 403),
        ("outsider_api", 404),
        ("anonymous_api", 401),
        ("revoked_api", 401),
    ],
)
def test_editing_an_intern(request: Any, persona: str, status: int, files: dict[str, int]) -> None:
    url = f"/api/v1/interns/{files['intern']}/"
    response = client_of(request, persona).patch(
        url, {"first_name": "Awa"}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager_api", 200),
        ("editor_api", 200),
        ("viewer_api", 403),
        ("outsider_api", 404),
        ("anonymous_api", 401),
        ("revoked_api", 401),
    ],
)
def test_an_action_on_a_file(request: Any, persona: str, status: int, files: dict[str, int]) -> None:
    url = f"/api/v1/visas/{files['visa']}/apply/"
    response = client_of(request, persona).post(url, {"applied_on": "2026-11-21"}, format="json")
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["state"] == "applied"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager_api", 200),
        ("editor_api", 200),
        ("viewer_api", 403),
        ("outsider_api", 404),
        ("anonymous_api", 401),
    ],
)
def test_correcting_and_documents(request: Any, persona: str, status: int, files: dict[str, int]) -> None:
    client = client_of(request, persona)
    url = f"/api/v1/conventions/{files['convention']}/correct/"
    body = {"decision_reference": "PREF-69-2026-001", "reason": "Reference printed on the decision"}
    assert client.post(url, body, format="json").status_code == status
    document = f"/api/v1/documents/{files['document']}/"
    etag = client.get(document).get("ETag", '"t0"')
    response = client.patch(document, {"status": "provided"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager_api", 200),
        ("editor_api", 403),
        ("viewer_api", 403),
        ("outsider_api", 200),
        ("anonymous_api", 401),
        ("revoked_api", 401),
    ],
)
def test_audit_entries_are_for_managers(request: Any, persona: str, status: int, acme: Any) -> None:
    response = client_of(request, persona).get("/api/v1/audit/entries/")
    assert response.status_code == status
    if persona == "outsider_api":
        assert {row["organisation"] for row in response.json()["results"]} == {
            request.getfixturevalue("chu").pk
        }


def test_a_session_works_with_csrf(alice: Any, files: dict[str, int]) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(f"/api/v1/conventions/{files['convention']}/").status_code == 200
    url = f"/api/v1/visas/{files['visa']}/apply/"
    assert_problem(client.post(url, {"applied_on": "2026-11-21"}, format="json"), 403)  # no CSRF token
    client.get("/")  # a portal page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"applied_on": "2026-11-21"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_a_token_is_capped_at_its_creators_role_and_dies_when_they_leave(
    alice: Any, acme: Any, make_token: Any, erin: Any
) -> None:
    from hostportal.models import Membership
    from tests.api.conftest import bearer

    Membership.objects.filter(user=erin).update(role="manager")
    _token, secret = make_token(erin, acme, "editor")
    client = bearer(secret)
    assert client.get("/api/v1/interns/").status_code == 200
    Membership.objects.filter(user=erin).update(role="viewer")
    assert client.post("/api/v1/interns/", INTERN, format="json").status_code == 403  # capped at viewer now
    Membership.objects.filter(user=erin).delete()
    assert_problem(client.get("/api/v1/interns/"), 401)
