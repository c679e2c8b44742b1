"""The resources: interns and conventions created, read and updated (If-Match, no lost update), every
computed date with its why, the actions allowed now, filters, ordering and cursor pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from conventions import services
from conventions.models import Convention, Intern
from tests.api.test_permissions import INTERN, assert_problem
from tests.conftest import NOW
from tests.factories import InternFactory, convention_fields

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


def convention_body(intern: Intern, **changes: Any) -> dict[str, Any]:
    return {k: str(v) for k, v in convention_fields().items()} | {"intern": intern.pk} | changes


def test_an_intern_is_created_and_its_passport_read_back_masked(manager_api: APIClient) -> None:
    response = manager_api.post("/api/v1/interns/", INTERN, format="json")
    assert response.status_code == 201
    body = response.json()
    assert "passport_number" not in body and body["passport_number_masked"].endswith("567")
    assert "G1234567" not in response.content.decode()
    assert response["Location"].endswith(f"/api/v1/interns/{body['id']}/")
    assert response["ETag"] == '"v1"'
    assert Intern.objects.get(pk=body["id"]).passport_number == "G1234567"
    listed = manager_api.get("/api/v1/interns/").content.decode()
    assert "G1234567" not in listed


def test_patch_needs_if_match_and_refuses_a_stale_one(
    manager_api: APIClient, editor_api: APIClient, intern: Intern
) -> None:
    url = f"/api/v1/interns/{intern.pk}/"
    read = manager_api.get(url)
    etag = read["ETag"]
    assert etag == '"v1"'
    assert_problem(manager_api.patch(url, {"first_name": "Awa"}, format="json"), 428)
    first = editor_api.patch(url, {"first_name": "Awa"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first["ETag"] == '"v2"'
    lost = manager_api.patch(url, {"last_name": "Ba"}, format="json", HTTP_IF_MATCH=etag)
    assert_problem(lost, 412)
    intern.refresh_from_db()
    assert (intern.first_name, intern.version) == ("Awa", 2)
    assert_problem(manager_api.patch(url, {"last_name": "Ba"}, format="json", HTTP_IF_MATCH='W/"v2"'), 412)
    assert manager_api.patch(url, {"last_name": "Ba"}, format="json", HTTP_IF_MATCH='"v2"').status_code == 200


def test_a_version_lost_between_the_check_and_the_write_is_412(
    manager_api: APIClient, intern: Intern, monkeypatch: Any
) -> None:
    """Someone writes after our If-Match check but before the service locks: the service's own version
    check, under the lock, refuses (no lost update even in that window)."""
    from conventions.services import interns

    original = interns.intern_update

    def racing(**kwargs: Any) -> Any:
        Intern.objects.filter(pk=intern.pk).update(version=5)
        return original(**kwargs)

    monkeypatch.setattr("hostportal.api.views.intern_update", racing)
    response = manager_api.patch(
        f"/api/v1/interns/{intern.pk}/", {"first_name": "X"}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert_problem(response, 412)


def test_a_convention_has_its_dates_with_their_why_and_its_actions(
    manager_api: APIClient, intern: Intern
) -> None:
    response = manager_api.post(
        "/api/v1/conventions/", convention_body(intern), format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["filing_deadline"] == "2027-01-01"
    why = {row["name"]: row for row in body["explanations"]}
    assert why["filing_deadline"]["value"] == "2027-01-01"
    assert why["filing_deadline"]["display"] == "01/01/2027"
    assert "2 mois" in why["filing_deadline"]["rule"] and why["filing_deadline"]["source"].startswith(
        "CESEDA R426-20"
    )
    actions = {action["name"]: action for action in body["actions"]}
    assert {"submit", "withdraw", "correct"} <= set(actions)
    assert actions["submit"]["url"].endswith(f"/api/v1/conventions/{body['id']}/submit/")
    assert "received_on" in actions["submit"]["fields"]


def test_a_viewer_sees_no_action(viewer_api: APIClient, make_convention: Any) -> None:
    convention = make_convention()
    assert viewer_api.get(f"/api/v1/conventions/{convention.pk}/").json()["actions"] == []


def test_a_draft_is_updated_with_if_match_and_its_dates_recomputed(
    editor_api: APIClient, make_convention: Any
) -> None:
    convention = make_convention()
    url = f"/api/v1/conventions/{convention.pk}/"
    response = editor_api.patch(url, {"start_date": "2027-04-01"}, format="json", HTTP_IF_MATCH='"v1"')
    assert response.status_code == 200, response.content
    assert response.json()["filing_deadline"] == "2027-02-01"
    assert_problem(editor_api.patch(url, {"intern": 1}, format="json", HTTP_IF_MATCH='"v2"'), 400)
    assert_problem(editor_api.patch(url, {"state": "validated"}, format="json", HTTP_IF_MATCH='"v2"'), 400)


def test_a_convention_for_another_organisations_intern_is_refused(
    outsider_api: APIClient, intern: Intern
) -> None:
    response = outsider_api.post("/api/v1/conventions/", convention_body(intern), format="json")
    assert_problem(response, 400)
    assert "intern" in response.json()["errors"]
    assert not Convention.objects.exists()


def test_filters_and_cursor_pages(
    manager_api: APIClient, alice: Any, acme: Any, make_convention: Any
) -> None:
    drafts = [
        make_convention(intern=InternFactory(organisation=acme), start_date=dt.date(2027, 3, day))
        for day in range(1, 6)
    ]
    services.convention_submit(actor=alice, convention=drafts[0], received_on=dt.date(2026, 11, 2), now=NOW)
    submitted = manager_api.get("/api/v1/conventions/?state=submitted").json()["results"]
    assert [row["id"] for row in submitted] == [drafts[0].pk]
    both = manager_api.get("/api/v1/conventions/?state=submitted,draft&category=entreprise").json()["results"]
    assert len(both) == 5
    ranged = manager_api.get(
        "/api/v1/conventions/?filing_deadline_after=2027-01-02&filing_deadline_before=2027-01-04"
    )
    assert sorted(row["filing_deadline"] for row in ranged.json()["results"]) == [
        "2027-01-02",
        "2027-01-03",
        "2027-01-04",
    ]
    silence = manager_api.get("/api/v1/conventions/?silence_deadline_before=2026-12-31").json()["results"]
    assert [row["id"] for row in silence] == [drafts[0].pk]
    seen: list[int] = []
    url: str | None = "/api/v1/conventions/?page_size=2&ordering=start_date"
    while url:
        page = manager_api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == [c.pk for c in drafts]
    newest = manager_api.get("/api/v1/conventions/?ordering=-start_date&page_size=1").json()["results"]
    assert newest[0]["id"] == drafts[-1].pk


def test_a_list_page_has_a_bounded_number_of_queries(
    manager_api: APIClient, acme: Any, make_convention: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(8):
        make_convention(intern=InternFactory(organisation=acme))
    with django_assert_max_num_queries(12):
        response = manager_api.get("/api/v1/conventions/")
    assert len(response.json()["results"]) == 8


def test_an_avenant_is_created_for_a_validated_convention(
    manager_api: APIClient, alice: Any, submitted_convention: Convention
) -> None:
    services.convention_record_decision(
        actor=alice,
        convention=submitted_convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        now=NOW,
    )
    body = {
        "convention": submitted_convention.pk,
        "requested_end_date": "2027-10-31",
        "reason": "Project extended",
    }
    response = manager_api.post("/api/v1/avenants/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "draft" and response.json()["previous_end_date"] == "2027-08-31"
    again = manager_api.post("/api/v1/avenants/", body, format="json")
    assert_problem(again, 400)  # one open avenant at a time


def test_visa_and_permit_dates_come_with_their_why(
    manager_api: APIClient, alice: Any, submitted_convention: Convention
) -> None:
    validated = services.convention_record_decision(
        actor=alice,
        convention=submitted_convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        now=NOW,
    )
    visa = manager_api.get(f"/api/v1/visas/{validated.visa.pk}/").json()
    names = [row["name"] for row in visa["explanations"]]
    assert names == ["ofii_validation_deadline", "filing_opens_on", "filing_deadline"]
    assert all(row["source"] for row in visa["explanations"])
    assert {a["name"] for a in visa["actions"]} >= {"apply", "record-decision", "correct"} - {
        "record-decision"
    }


def test_documents_upload_and_download_for_members_only(
    manager_api: APIClient, outsider_api: APIClient, viewer_api: APIClient, make_convention: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    convention = make_convention()
    item = convention.document_items.first()
    url = f"/api/v1/documents/{item.pk}/file/"
    etag = manager_api.get(f"/api/v1/documents/{item.pk}/")["ETag"]
    upload = SimpleUploadedFile("passport.pdf", PDF, content_type="application/pdf")
    assert_problem(manager_api.post(url, {"file": upload}, format="multipart"), 428)
    upload.seek(0)
    response = manager_api.post(url, {"file": upload}, format="multipart", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["has_file"] is True
    download = viewer_api.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert_problem(outsider_api.get(url), 404)
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    etag = manager_api.get(f"/api/v1/documents/{item.pk}/")["ETag"]
    assert_problem(manager_api.post(url, {"file": bad}, format="multipart", HTTP_IF_MATCH=etag), 400)


def test_notifications_and_the_audit_trail_are_read_only(
    manager_api: APIClient, make_convention: Any
) -> None:
    make_convention()
    assert manager_api.get("/api/v1/audit/transitions/").json()["results"][0]["transition"] == "create"
    assert manager_api.post("/api/v1/audit/transitions/", {}, format="json").status_code == 405
    assert manager_api.post("/api/v1/notifications/", {}, format="json").status_code == 405
