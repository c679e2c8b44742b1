"""The case page and its writes: every fact of the stay on one page, buttons through the services,
corrections with their audit, documents uploaded and downloaded by members only, interns and conventions
created with a live preview; a viewer reads and writes nothing, an outsider gets a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conventions import services
from conventions.models import Convention, DocumentItem, Intern, TransitionLog
from hostportal.models import Membership
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def pinned_now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def validated(convention: Convention, actor: Any) -> Convention:
    services.convention_submit(actor=actor, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    return services.convention_record_decision(
        actor=actor, convention=convention, decision="validated", decided_on=dt.date(2026, 11, 20), now=NOW
    )


def test_the_case_page_shows_the_convention_its_whys_visa_documents_and_history(
    alice: Any, submitted_convention: Convention
) -> None:
    page = client_for(alice).get(f"/conventions/{submitted_convention.pk}/").content.decode()
    assert "received on 2026-11-02 plus 30 days" in page and "CESEDA R426-20" in page
    assert "Long-stay visa and arrival" in page and "Documents" in page
    assert "Submitted to the administration" in page  # the state, and the audit trail in plain words
    assert "Convention : Created" in page and ": submit" not in page
    assert f"/files/convention/{submitted_convention.pk}/do/request_documents/" in page  # a button


def test_the_case_page_speaks_french(alice: Any, submitted_convention: Convention) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    page = client_for(alice).get(f"/conventions/{submitted_convention.pk}/").content.decode()
    assert "30 jours après la demande reçue le 02/11/2026" in page
    assert "Historique" in page and "Pièces demandées" in page and "Créée" in page


def test_a_viewer_reads_the_case_page_with_no_button(bob: Any, submitted_convention: Convention) -> None:
    page = client_for(bob).get(f"/conventions/{submitted_convention.pk}/").content.decode()
    assert "CESEDA R426-20" in page and "/do/" not in page and "/correct/" not in page
    url = f"/files/convention/{submitted_convention.pk}/do/request_documents/"
    assert client_for(bob).post(url, {"requested_on": "2026-11-20"}).status_code == 403
    assert Convention.objects.get(pk=submitted_convention.pk).state == "submitted"


@pytest.mark.parametrize(
    "path",
    [
        "/conventions/{c}/",
        "/conventions/{c}/edit/",
        "/conventions/{c}/avenants/new/",
        "/files/convention/{c}/",
        "/files/convention/{c}/do/withdraw/",
        "/files/convention/{c}/correct/",
        "/interns/{i}/",
        "/interns/{i}/edit/",
        "/interns/{i}/conventions/new/",
        "/documents/{d}/download/",
    ],
)
def test_an_outsider_gets_404_everywhere(claire: Any, submitted_convention: Convention, path: str) -> None:
    document = DocumentItem.objects.filter(convention=submitted_convention).first()
    assert document is not None
    url = path.format(c=submitted_convention.pk, i=submitted_convention.intern_id, d=document.pk)
    assert client_for(claire).get(url).status_code == 404
    assert client_for(claire).post(url, {}).status_code == 404


def test_a_button_runs_its_service_with_the_list_of_documents_asked_for(
    alice: Any, submitted_convention: Convention
) -> None:
    url = f"/files/convention/{submitted_convention.pk}/do/request_documents/"
    form = client_for(alice).get(url)
    assert form.status_code == 200 and 'type="date"' in form.content.decode()
    response = client_for(alice).post(
        url, {"requested_on": "2026-11-20", "due_on": "2026-12-20", "documents": "Passeport\nAttestation"}
    )
    assert response.status_code == 302
    convention = Convention.objects.get(pk=submitted_convention.pk)
    assert convention.state == "documents_requested" and convention.documents_due_on == dt.date(2026, 12, 20)
    log = TransitionLog.objects.filter(object_id=convention.pk, transition="request_documents").get()
    assert log.channel == "web" and "- Passeport" in log.comment and "- Attestation" in log.comment
    asked = DocumentItem.objects.filter(convention=convention, step="administration_request")
    assert sorted(asked.values_list("label", flat=True)) == ["Attestation", "Passeport"]
    assert set(asked.values_list("status", flat=True)) == {"missing"}
    page = client_for(alice).get(f"/conventions/{convention.pk}/").content.decode()
    assert "Asked for by the administration" in page and "Attestation" in page


def test_a_refused_button_names_the_field_as_the_user_sees_it_and_changes_nothing(
    alice: Any, submitted_convention: Convention
) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    url = f"/files/convention/{submitted_convention.pk}/do/validate/"
    response = client_for(alice).post(url, {"decided_on": "2026-11-01"})  # before the receipt
    page = response.content.decode()
    assert response.status_code == 400 and "est antérieur à « reçue le » (02/11/2026)" in page
    assert "decision_on" not in page
    assert Convention.objects.get(pk=submitted_convention.pk).state == "submitted"


def test_a_decision_without_reference_is_completed_later_by_a_correction(
    alice: Any, make_convention: Any
) -> None:
    convention = validated(make_convention(), alice)
    assert convention.decision_reference == ""
    url = f"/files/convention/{convention.pk}/correct/"
    assert (
        client_for(alice).post(url, {"decision_reference": "2026-PREF-123", "reason": ""}).status_code == 400
    )
    response = client_for(alice).post(
        url,
        {
            "decision_reference": "2026-PREF-123",
            "decision_on": "2026-11-20",
            "received_on": "2026-11-02",
            "monthly_resources_eur": "700.00",
            "hourly_gratification_eur": "4.50",
            "weekly_hours": "35.0",
            "sending_establishment": convention.sending_establishment,
            "tutor_name": convention.tutor_name,
            "tutor_email": convention.tutor_email,
            "reason": "Référence reçue par courrier",
            "expected_version": convention.version,
        },
    )
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.state == "validated" and convention.decision_reference == "2026-PREF-123"
    log = TransitionLog.objects.get(object_id=convention.pk, transition="correct")
    assert log.changes == {"decision_reference": ["", "2026-PREF-123"]}
    assert (
        log.comment == "Référence reçue par courrier" and log.source_state == log.target_state == "validated"
    )
    page = client_for(alice).get(f"/conventions/{convention.pk}/").content.decode()
    assert "Corrected" in page and "2026-PREF-123" in page and "Référence reçue par courrier" in page


def test_a_wrong_amount_on_a_decided_file_is_corrected_and_the_rules_rerun(
    alice: Any, make_convention: Any
) -> None:
    convention = validated(make_convention(), alice)
    services.convention_correct(
        actor=alice,
        convention=convention,
        changes={"monthly_resources_eur": Decimal("1500.00")},
        reason="Montant mal saisi",
        now=NOW,
    )
    convention.refresh_from_db()
    assert convention.monthly_resources_eur == Decimal("1500.00") and convention.state == "validated"
    log = TransitionLog.objects.get(object_id=convention.pk, transition="correct")
    assert log.changes == {"monthly_resources_eur": ["700.00", "1500.00"]}


def test_a_correction_keeps_the_dates_in_order_and_writes_nothing_when_refused(
    alice: Any, bob: Any, make_convention: Any
) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    convention = validated(make_convention(), alice)
    with pytest.raises(ValidationError) as error:
        services.convention_correct(
            actor=alice,
            convention=convention,
            changes={"decision_on": dt.date(2026, 10, 1)},
            reason="x",
            now=NOW,
        )
    assert "decision_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.convention_correct(
            actor=alice, convention=convention, changes={"state": "draft"}, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.convention_correct(
            actor=bob, convention=convention, changes={"decision_reference": "R"}, reason="x"
        )
    assert not TransitionLog.objects.filter(transition="correct").exists()
    assert Convention.objects.get(pk=convention.pk).version == convention.version


def test_documents_are_uploaded_by_editors_and_downloaded_by_members_only(
    alice: Any, bob: Any, claire: Any, submitted_convention: Convention
) -> None:
    item = DocumentItem.objects.filter(convention=submitted_convention).first()
    assert item is not None
    upload = SimpleUploadedFile("passeport.pdf", PDF, content_type="application/pdf")
    response = client_for(alice).post(
        f"/documents/{item.pk}/", {"status": "provided", "rejection_reason": "", "file": upload}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "provided" and item.file
    download = client_for(bob).get(f"/documents/{item.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert client_for(claire).get(f"/documents/{item.pk}/download/").status_code == 404
    assert Client().get(f"/documents/{item.pk}/download/").status_code == 302  # to the login page
    refused = client_for(bob).post(f"/documents/{item.pk}/", {"status": "verified"})
    assert refused.status_code == 403


def test_a_rejected_document_needs_its_reason(alice: Any, submitted_convention: Convention) -> None:
    item = DocumentItem.objects.filter(convention=submitted_convention).first()
    assert item is not None
    response = client_for(alice).post(f"/documents/{item.pk}/", {"status": "rejected"}, follow=True)
    assert "reason is required" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "missing"


def test_an_intern_is_created_without_passport_when_european_and_with_one_otherwise(alice: Any) -> None:
    fields = {
        "first_name": "Lena",
        "last_name": "Schmidt",
        "nationality": "DE",
        "date_of_birth": "2002-04-01",
        "country_of_residence": "DE",
        "language": "en",
    }
    response = client_for(alice).post("/interns/new/", fields)
    assert response.status_code == 302
    assert Intern.objects.get(last_name="Schmidt").passport_number == ""
    outside = fields | {"last_name": "Ndiaye", "nationality": "SN", "country_of_residence": "SN"}
    refused = client_for(alice).post("/interns/new/", outside)
    assert refused.status_code == 400 and "passport number is required" in refused.content.decode()
    assert not Intern.objects.filter(last_name="Ndiaye").exists()


def test_the_live_preview_answers_the_deadlines_and_saves_nothing(alice: Any, intern: Intern) -> None:
    data = {
        "category": "entreprise",
        "start_date": "2027-03-01",
        "end_date": "2027-08-31",
        "weekly_hours": "35",
        "monthly_resources_eur": "700",
    }
    response = client_for(alice).post(f"/interns/{intern.pk}/preview/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "start date 2027-03-01 minus 2 months" in page
    assert not Convention.objects.exists()


def test_saving_a_stay_below_the_minimum_asks_to_confirm(alice: Any, intern: Intern) -> None:
    data = {
        "category": "entreprise",
        "start_date": "2027-03-01",
        "end_date": "2027-08-31",
        "weekly_hours": "35",
        "monthly_resources_eur": "100",
        "sending_establishment": "UCAD",
        "tutor_name": "J. Martin",
    }
    first = client_for(alice).post(f"/interns/{intern.pk}/conventions/new/", data)
    assert first.status_code == 200 and "below the legal minimum" in first.content.decode()
    assert not Convention.objects.exists()
    second = client_for(alice).post(f"/interns/{intern.pk}/conventions/new/", data | {"confirm": "on"})
    assert second.status_code == 302 and Convention.objects.count() == 1


def test_overlapping_stays_of_one_intern_are_warned(alice: Any, make_convention: Any) -> None:
    first = make_convention()
    second = make_convention(start_date=dt.date(2027, 6, 1), end_date=dt.date(2027, 9, 30))
    page = client_for(alice).get(f"/conventions/{second.pk}/").content.decode()
    assert f"overlaps convention #{first.pk}" in page


def test_an_accepted_avenant_opens_the_carte_de_sejour_step_on_the_case_page(
    alice: Any, acme: Any, make_convention: Any
) -> None:
    convention = validated(
        make_convention(category="formation_continue", monthly_resources_eur=Decimal("2000.00")), alice
    )
    response = client_for(alice).post(
        f"/conventions/{convention.pk}/avenants/new/",
        {"requested_end_date": "2027-10-31", "reason": "Projet"},
    )
    assert response.status_code == 302
    avenant = convention.avenants.get()
    services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 20), now=NOW)
    services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="validated", decided_on=dt.date(2026, 11, 21), now=NOW
    )
    page = client_for(alice).get(f"/conventions/{convention.pk}/").content.decode()
    permit = convention.permit_applications.get()
    assert f'id="permit-{permit.pk}"' in page and f"/files/permit/{permit.pk}/do/file/" in page
    assert client_for(alice).get(f"/files/permit/{permit.pk}/").status_code == 302


def test_the_case_page_stays_within_12_queries(
    alice: Any, make_convention: Any, django_assert_max_num_queries: Any
) -> None:
    convention = validated(
        make_convention(category="formation_continue", monthly_resources_eur=Decimal("2000.00")), alice
    )
    services.avenant_create(actor=alice, convention=convention, requested_end_date=dt.date(2027, 10, 31))
    for _ in range(5):
        make_convention(start_date=dt.date(2028, 3, 1), end_date=dt.date(2028, 6, 30))
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        assert client.get(f"/conventions/{convention.pk}/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/interns/{i}/",
        "/interns/{i}/edit/",
        "/interns/{i}/conventions/new/",
        "/interns/new/",
        "/conventions/{c}/edit/",
        "/files/convention/{c}/do/request_documents/",
        "/files/convention/{c}/correct/",
    ],
)
def test_every_case_form_stays_within_12_queries(
    alice: Any,
    make_convention: Any,
    submitted_convention: Convention,
    path: str,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(5):
        make_convention(start_date=dt.date(2028, 3, 1), end_date=dt.date(2028, 6, 30))
    client = client_for(alice)
    url = path.format(c=submitted_convention.pk, i=submitted_convention.intern_id)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code in (200, 302)
