"""The access-request export in the portal: a manager's button on the intern's page, the form with its
reason, the ZIP; editors and viewers get a 403, another organisation a 404, anonymous visitors the login."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conventions.models import Convention, Intern
from conventions.services.privacy import ACTION_EXPORTED
from hostportal.models import AuditEntry, Membership, Organisation
from tests.conventions.privacy_setup import PDF, attach_scan, closed_stay
from tests.factories import InternFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stay(make_convention: Any, alice: Any, intern: Intern, settings: Any, tmp_path: Path) -> Convention:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    convention = closed_stay(make_convention, alice, intern)
    attach_scan(convention)
    return convention


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def export_url(intern: Intern) -> str:
    return reverse("portal:intern-export", args=[intern.pk])


def test_the_manager_sees_the_button_the_viewer_does_not(intern: Intern, alice: Any, bob: Any) -> None:
    page = reverse("portal:intern", args=[intern.pk])
    assert export_url(intern) in logged_in(alice).get(page).content.decode()
    assert export_url(intern) not in logged_in(bob).get(page).content.decode()


def test_the_manager_downloads_the_zip_with_a_reason(
    stay: Convention,
    intern: Intern,
    alice: Any,
    acme: Organisation,
    make_convention: Any,
    django_assert_max_num_queries: Any,
) -> None:
    other = InternFactory(organisation=acme, first_name="Other")
    client = logged_in(alice)
    form = client.get(export_url(intern))
    assert form.status_code == 200 and "full passport number" in form.content.decode()
    attach_scan(
        closed_stay(
            make_convention, alice, intern, start_date=dt.date(2027, 9, 1), end_date=dt.date(2028, 2, 1)
        )
    )
    # A download, not a page: session, user, language, intern, 8 reads whatever the data size, the
    # chained audit entry (3 statements and a savepoint) and the content types (cached in production).
    with django_assert_max_num_queries(18):
        response = client.post(export_url(intern), {"reason": "Access request of 2026-11-20"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip" and response["Cache-Control"] == "no-store"
    assert f'filename="intern-{intern.pk}-data-' in response["Content-Disposition"]
    assert intern.last_name not in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["intern"]["passport_number"] == intern.passport_number
    assert data["exported_by"] == "alice" and data["reason"] == "Access request of 2026-11-20"
    assert PDF in [archive.read(name) for name in archive.namelist() if name.startswith("documents/")]
    assert other.last_name not in archive.read("data.json").decode()
    entry = AuditEntry.objects.get(action=ACTION_EXPORTED)
    assert (entry.actor, entry.channel, entry.target_label) == (alice, "web", f"Intern #{intern.pk}")


def test_no_reason_is_a_400_that_names_the_field_in_french(intern: Intern, alice: Any) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    response = logged_in(alice).post(export_url(intern), {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Motif" in text and "Ce champ est obligatoire" in text
    assert not AuditEntry.objects.filter(action=ACTION_EXPORTED).exists()


@pytest.mark.parametrize("role", [Membership.Role.EDITOR, Membership.Role.VIEWER])
def test_editors_and_viewers_get_a_403(intern: Intern, acme: Organisation, role: str) -> None:
    user = MembershipFactory(user=UserFactory(), organisation=acme, role=role).user
    client = logged_in(user)
    assert client.get(export_url(intern)).status_code == 403
    response = client.post(export_url(intern), {"reason": "curious"})
    assert response.status_code == 403 and "Reserved for managers" in response.content.decode()
    assert not AuditEntry.objects.filter(action=ACTION_EXPORTED).exists()


def test_another_organisations_manager_gets_a_404(intern: Intern, claire: Any) -> None:
    client = logged_in(claire)
    assert client.get(export_url(intern)).status_code == 404
    assert client.post(export_url(intern), {"reason": "curious"}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(intern: Intern) -> None:
    response = Client().post(export_url(intern), {"reason": "x"})
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_manager_exports_an_interns_data_in_french(
    browser: Any, live_server: Any, intern: Intern, alice: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    alice.set_password("demo-pass-2026")
    alice.save()
    Membership.objects.filter(user=alice).update(language="fr")
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR", accept_downloads=True)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("demo-pass-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('portal:intern', args=[intern.pk])}")
    page.get_by_role("link", name="Exporter les données du stagiaire").click()
    page.get_by_label("Motif").fill("Demande d’accès du 20/11 par courriel")
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page.screenshot(path=str(shots / "privacy-export-1366.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger l’archive").click()
    archive = zipfile.ZipFile(download.value.path())
    assert json.loads(archive.read("data.json"))["reason"] == "Demande d’accès du 20/11 par courriel"
    assert AuditEntry.objects.filter(action=ACTION_EXPORTED, actor=alice).count() == 1
