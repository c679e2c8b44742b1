"""What the new HR user found in the admin (issue 7), now closed: a passport only outside the EU, warnings
at the top, overlapping stays warned, the avenants on the convention page, the deadline a list counts to,
searches beyond names, and uploaded documents that open (through the authorised download view)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conventions import services
from conventions.models import Convention, DocumentItem, Intern
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

ADD_INTERN = reverse("admin:conventions_intern_add")
CONVENTIONS = reverse("admin:conventions_convention_changelist")


def intern_data(acme: Any, **overrides: str) -> dict[str, Any]:
    data = {
        "organisation": acme.pk, "first_name": "Lena", "last_name": "Schmidt", "nationality": "DE",
        "date_of_birth": "2002-04-01", "country_of_residence": "DE", "language": "en", "email": "",
        "new_passport_number": "", "passport_expires_on": "",
    }  # fmt: skip
    return data | overrides


def test_an_eu_intern_needs_no_passport_and_any_other_does(login: Any, alice: Any, acme: Any) -> None:
    client = login(alice)
    assert client.post(ADD_INTERN, intern_data(acme)).status_code == 302
    assert Intern.objects.get(last_name="Schmidt").passport_number == ""
    refused = client.post(ADD_INTERN, intern_data(acme, last_name="Ndiaye", nationality="SN"))
    assert refused.status_code == 200
    assert "new_passport_number" in refused.context["adminform"].form.errors
    assert not Intern.objects.filter(last_name="Ndiaye").exists()


def test_warnings_and_overlapping_stays_are_at_the_top_of_the_convention_page(
    login: Any, alice: Any, make_convention: Any
) -> None:
    first = make_convention()
    second = make_convention(
        start_date=dt.date(2027, 6, 1),
        end_date=dt.date(2027, 9, 30),
        hourly_gratification_eur=Decimal("1.00"),
    )
    page = login(alice).get(reverse("admin:conventions_convention_change", args=[second.pk])).content.decode()
    top = page.index('class="errornote page-notice"')
    assert page.index(f"overlaps convention #{first.pk}") > top
    assert "gratification" in page[top : page.index("why-these-dates")]
    assert top < page.index('id="convention_form"') + 2000  # at the top of the form, not 2,500 px down


def test_the_convention_page_lists_its_avenants(login: Any, alice: Any, make_convention: Any) -> None:
    convention = make_convention(category="formation_continue", monthly_resources_eur=Decimal("2000.00"))
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    services.convention_record_decision(
        actor=alice, convention=convention, decision="validated", decided_on=dt.date(2026, 11, 20), now=NOW
    )
    avenant = services.avenant_create(
        actor=alice, convention=convention, requested_end_date=dt.date(2027, 10, 31)
    )
    page = (
        login(alice)
        .get(reverse("admin:conventions_convention_change", args=[convention.pk]))
        .content.decode()
    )
    assert reverse("admin:conventions_avenant_change", args=[avenant.pk]) in page
    assert "Extension to 2027-10-31" in page


def test_the_list_says_which_deadline_it_counts_to_and_searches_school_and_tutor(
    login: Any, alice: Any, make_convention: Any
) -> None:
    convention: Convention = make_convention(sending_establishment="Université de Dakar", tutor_name="Awa Sy")
    client = login(alice)
    listing = client.get(CONVENTIONS).content.decode()
    assert "Filing deadline (2027-01-01)" in listing
    for term in ("Dakar", "Awa Sy", "SN"):
        found = client.get(CONVENTIONS, {"q": term}).context["cl"].result_list
        assert [c.pk for c in found] == [convention.pk]


def test_an_uploaded_document_opens_from_the_admin_through_the_download_view(
    login: Any, alice: Any, claire: Any, submitted_convention: Convention, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = DocumentItem.objects.filter(convention=submitted_convention).first()
    assert item is not None
    services_upload = SimpleUploadedFile("visa.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    from conventions.services.documents import document_item_update

    document_item_update(actor=alice, item=item, status="provided", file=services_upload)
    page = login(alice).get(reverse("admin:conventions_documentitem_change", args=[item.pk])).content.decode()
    download = reverse("portal:document-download", args=[item.pk])
    assert f'href="{download}"' in page and "/media/" not in page
    assert login(alice).get(download).status_code == 200
    assert login(claire).get(download).status_code == 404
