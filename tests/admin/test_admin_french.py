"""The admin's own wording speaks French to a French member: fieldsets, the rules' "why", buttons, the audit
trail in plain words, the transition forms and their messages; never a code name (issue 7)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from conventions import services
from conventions.models import Convention, VisaApplication
from conventions.transitions import AVENANT_ACTIONS, CONVENTION_ACTIONS, PERMIT_ACTIONS, VISA_ACTIONS
from hostportal.models import Membership
from tests.admin.conftest import why_row
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path("/tmp/admin")

# What a reader must never see: the services' code names (transitions, states, fields).
CODE_NAMES = sorted(
    {action.name for actions in (CONVENTION_ACTIONS, AVENANT_ACTIONS, VISA_ACTIONS, PERMIT_ACTIONS)
     for action in actions if "_" in action.name}
    | {"refuse_by_silence", "accept_by_silence", "documents_requested", "refused_by_silence", "not_required"}
)  # fmt: skip
FIELD_PREFIX = re.compile(r"\b[a-z]+(?:_[a-z]+)+\s?:")  # "decision_on:", "received_on :"


def change_url(convention: Convention) -> str:
    return reverse("admin:conventions_convention_change", args=[convention.pk])


def transition_url(convention: Convention, name: str) -> str:
    return reverse("admin:conventions_convention_transition", args=[convention.pk, name])


def visible_text(html: str) -> str:
    """What a reader sees: the page without its tags, scripts, styles and attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    html = re.sub(r"<select\b.*?</select>", " ", html, flags=re.S)  # option values are not read
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def assert_no_code_names(html: str) -> None:
    text = visible_text(html)
    assert [code for code in CODE_NAMES if code in text] == []
    assert FIELD_PREFIX.findall(text) == []


@pytest.fixture
def french(alice: Any) -> Client:
    """Alice reads French (her membership's language), whatever her browser says."""
    Membership.objects.filter(user=alice).update(language="fr")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    return client


@pytest.fixture
def documents_requested(submitted_convention: Convention, alice: Any) -> Convention:
    return services.convention_request_documents(
        actor=alice, convention=submitted_convention, requested_on=dt.date(2026, 11, 10), now=NOW
    )


def test_a_french_member_reads_the_convention_page_in_french(
    french: Client, submitted_convention: Convention, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(40):  # the admin's change page with its inlines (not a portal page)
        response = french.get(change_url(submitted_convention))

    assert response["Content-Language"] == "fr"
    page = response.content.decode()
    # Fieldsets and read-only blocks.
    titles = [
        "Stage", "Procédure (calculée, modifiée uniquement par les étapes)", "Pourquoi ces dates",
        "Historique", "Visa de long séjour (VLS-TS)", "Étape du visa", "Jours restants",
    ]  # fmt: skip
    for title in titles:
        assert title in page, title
    # The rules' "why", in French, with the French dates and the legal source.
    assert "Pourquoi (règle)" in page and "Source juridique" in page and "Évalué le 23/11/2026." in page
    silence = why_row(page, "silence_deadline")
    assert "02/12/2026" in silence and "30 jours après la demande reçue" in silence
    filing = why_row(page, "filing_deadline")
    assert "01/01/2027" in filing and "CESEDA R426-20" in filing and "moins 2 mois" in filing
    assert "Date limite de dépôt" in filing
    # The buttons allowed now, and the events of this state.
    assert "Étape suivante" in page
    assert "Pièces demandées" in page and "Enregistrer le visa de la convention" in page and "Retirer" in page
    assert "Enregistrer une date (le dossier reste « Déposée auprès de l’administration »)" in page
    assert "Enregistrer l’accusé de réception" in page
    # Nothing of the English wording the admin used to print.
    for english in ("Why these dates", "Audit trail", "Next step", "Evaluated on", "Legal source"):
        assert english not in page, english
    assert_no_code_names(page)


def test_a_french_draft_offers_the_filing_in_french(french: Client, make_convention: Any) -> None:
    ready = french.get(change_url(make_convention())).content.decode()
    incomplete = french.get(change_url(make_convention(tutor_name="", monthly_resources_eur=None)))

    assert "Déposer auprès de l’administration" in ready
    assert (
        "Pour déposer cette convention auprès de l’administration, renseignez : nom du tuteur, ressources "
        "mensuelles (EUR)." in incomplete.content.decode()
    )
    assert "S’ouvre quand la convention est validée" in ready


def test_the_french_audit_trail_says_what_happened_in_plain_words(
    french: Client, documents_requested: Convention
) -> None:
    page = french.get(change_url(documents_requested)).content.decode()

    trail = page[page.index('class="audit-trail"') :]
    trail = trail[: trail.index("</table>")]
    text = visible_text(trail)
    assert "Ce qui s’est passé" in text and "État avant" in text and "Canal" in text
    assert "Création du dossier" in text
    assert "Dépôt auprès de l’administration" in text
    assert "Pièces demandées par l’administration" in text
    assert "Brouillon" in text and "Déposée auprès de l’administration" in text
    assert "Portail web" in text
    assert "23/11/2026" in text  # dates in the French format
    for code in ("create", "submit", "request_documents", "submitted", "draft"):
        assert re.search(rf"\b{code}\b", text) is None, code


def test_a_french_transition_form_and_its_success_message(
    french: Client, submitted_convention: Convention
) -> None:
    url = transition_url(submitted_convention, "request_documents")
    form = french.get(url).content.decode()

    assert "État actuel : <strong>Déposée auprès de l’administration</strong>." in form
    assert "Pièces demandées le" in form and "Pièces à fournir avant le" in form and "Annuler" in form
    assert 'value="Pièces demandées"' in form
    assert_no_code_names(form)

    response = french.post(url, {"requested_on": "2026-11-20", "documents": "Passeport\nAttestation"})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{submitted_convention} : « Pièces demandées » effectué ; le dossier est maintenant "
        "« Pièces demandées »."
    ]
    page = french.get(change_url(submitted_convention)).content.decode()
    assert "Pièces demandées :" in visible_text(page)  # the list of documents, kept in the audit trail


def test_a_french_event_is_recorded_with_a_french_message(
    french: Client, documents_requested: Convention
) -> None:
    response = french.post(transition_url(documents_requested, "set_documents_due"), {"due_on": "2026-12-15"})

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{documents_requested} : « Fixer la date limite des pièces » enregistré ; le dossier est toujours "
        "« Pièces demandées »."
    ]


def test_a_refused_french_step_names_the_field_as_the_reader_sees_it(
    french: Client, submitted_convention: Convention
) -> None:
    # Decided before the administration received the file: the service refuses, nothing changes.
    response = french.post(transition_url(submitted_convention, "validate"), {"decided_on": "2026-11-01"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Corrigez les erreurs ci-dessous. Rien n’a été modifié." in page
    assert "Rien n’a été modifié." in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Le 01/11/2026 est antérieur à" in page
    assert_no_code_names(page)
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == "submitted"


def test_a_step_not_possible_now_is_refused_in_french(french: Client, make_convention: Any) -> None:
    draft = make_convention()
    response = french.get(transition_url(draft, "validate"), follow=True)

    assert (
        "« Enregistrer le visa de la convention » n’est pas possible maintenant" in response.content.decode()
    )


def test_no_admin_page_of_a_convention_shows_a_code_name_to_a_french_reader(
    french: Client, alice: Any, documents_requested: Convention, issued_visa: VisaApplication
) -> None:
    avenant = services.avenant_create(
        actor=alice, convention=issued_visa.convention, requested_end_date=dt.date(2027, 9, 30),
        reason="Prolongation du projet", now=NOW,
    )  # fmt: skip
    pages = [change_url(documents_requested), change_url(issued_visa.convention)]
    pages += [
        reverse("admin:conventions_avenant_change", args=[avenant.pk]),
        reverse("admin:conventions_avenant_transition", args=[avenant.pk, "request_documents"]),
    ]
    pages += [transition_url(documents_requested, a.name) for a in CONVENTION_ACTIONS]
    pages += [
        reverse("admin:conventions_visaapplication_change", args=[issued_visa.pk]),
        reverse("admin:conventions_convention_changelist"),
        reverse("admin:conventions_convention_changelist") + "?overdue=yes",
        reverse("admin:conventions_transitionlog_changelist"),
        reverse("admin:conventions_convention_history", args=[documents_requested.pk]),
    ]
    for url in pages:
        response = french.get(url, follow=True)
        assert response.status_code == 200, url
        assert_no_code_names(response.content.decode())


def test_the_french_filters_and_the_visa_panel(french: Client, issued_visa: VisaApplication) -> None:
    changelist = french.get(reverse("admin:conventions_convention_changelist")).content.decode()
    visa = french.get(reverse("admin:conventions_visaapplication_change", args=[issued_visa.pk]))
    log = french.get(reverse("admin:conventions_transitionlog_changelist")).content.decode()

    assert "en retard" in changelist and "prochaine échéance" in changelist
    assert "Dans les 7 prochains jours" in changelist and "Aucune échéance en cours" in changelist
    page = visa.content.decode()
    assert "Carte de séjour : ouverture du dépôt" in page
    assert "expiration du visa le 31/10/2027 moins 120 jours" in page
    assert "Pourquoi ces dates" in page and "Jours restants (OFII)" in page
    assert "Visa délivré" in log and "Validation par l’administration" in log


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_screenshot_of_the_french_convention_page(
    live_server: Any, alice: Any, submitted_convention: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread (see tests/portal/test_browser.py).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    Membership.objects.filter(user=alice).update(language="fr")
    client = Client()
    client.force_login(alice)
    session = client.cookies["sessionid"].value
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(live_server.url + change_url(submitted_convention))
        assert "Pourquoi ces dates" in page.content()
        page.screenshot(path=str(SCREENSHOTS / "admin-convention-fr.png"), full_page=True)
        page.screenshot(path=str(SCREENSHOTS / "admin-convention-fr-top.png"))
        page.locator("table.why-these-dates").screenshot(path=str(SCREENSHOTS / "admin-fr-why.png"))
        page.locator("table.audit-trail").screenshot(path=str(SCREENSHOTS / "admin-fr-audit.png"))
        browser.close()
