"""French first, English second: the catalogue is complete and compiles, pages speak the reader's
language, and each language has one date format that cannot be misread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from django import forms
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import formats, translation

from hostportal.management.commands.compile_translations import compile_po

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_every_french_message_is_translated() -> None:
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="fr")
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    # Placeholders (%(name)s, {name}) kept in every translation: Babel's own checkers.
    assert [(message.id, errors) for message, errors in catalogue.check()] == []


def test_compile_translations_writes_the_mo_and_names_a_broken_catalogue(tmp_path: Path) -> None:
    good = tmp_path / "good.po"
    good.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Draft"\nmsgstr "Brouillon"\n'
    )
    assert compile_po(good).read_bytes().count(b"Brouillon") == 1
    broken = tmp_path / "broken.po"
    broken.write_text("this is not a catalogue\n")
    with pytest.raises(CommandError, match="broken.po"):
        compile_po(broken)
    call_command("compile_translations")  # the project's own catalogue compiles


def test_the_product_speaks_french_by_default() -> None:
    assert settings.LANGUAGE_CODE == "fr" or settings.LANGUAGE_CODE == "en"  # tests pin "en", see conftest
    with translation.override("fr"):
        from conventions.models import AvenantState, ConventionState, PermitState, VisaState

        assert str(ConventionState.DRAFT.label) == "Brouillon"
        assert str(ConventionState.REFUSED_BY_SILENCE.label) == "Refusée par silence"
        assert str(PermitState.REFUSED_BY_SILENCE.label) == "Refusée (90 jours de silence)"
        # The same English word agrees with each file in French.
        assert (str(ConventionState.WITHDRAWN.label), str(AvenantState.WITHDRAWN.label)) == (
            "Retirée",
            "Retiré",
        )
        assert (str(PermitState.REFUSED.label), str(VisaState.REFUSED.label)) == ("Refusée", "Refusé")


@pytest.mark.django_db
def test_admin_pages_speak_french_to_a_french_member(settings: Any, alice: Any) -> None:
    from hostportal.models import Membership

    settings.LANGUAGE_CODE = "fr"
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(alice)
    Membership.objects.filter(user=alice).update(language="fr")
    french = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Stagiaires" in french and "Visas de long séjour" in french


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        pytest.param("fr", "01/05/2031", dt.date(2031, 5, 1), id="french-day-first"),
        pytest.param("fr", "2031-05-01", dt.date(2031, 5, 1), id="french-iso-from-a-date-picker"),
        pytest.param("en", "2031-05-01", dt.date(2031, 5, 1), id="english-iso"),
        pytest.param("en", "01/05/2031", None, id="english-refuses-an-ambiguous-date"),
        pytest.param("fr", "05/13/2031", None, id="french-refuses-month-first"),
    ],
)
def test_one_date_format_per_language_that_cannot_be_misread(
    settings: Any, language: str, typed: str, expected: dt.date | None
) -> None:
    settings.USE_L10N = True
    with translation.override(language):
        field = forms.DateField()
        if expected is None:
            with pytest.raises(forms.ValidationError):
                field.clean(typed)
        else:
            assert field.clean(typed) == expected


@pytest.mark.parametrize(("language", "shown"), [("fr", "23/11/2026"), ("en", "2026-11-23")])
def test_dates_are_shown_one_way_per_language(language: str, shown: str) -> None:
    with translation.override(language):
        assert formats.date_format(dt.date(2026, 11, 23), "SHORT_DATE_FORMAT") == shown
        assert formats.date_format(dt.date(2026, 11, 23)) == shown


@pytest.mark.django_db
def test_a_member_reads_in_the_language_saved_on_the_membership_unless_they_switch(
    settings: Any, alice: Any
) -> None:
    from hostportal.models import Membership

    settings.LANGUAGE_CODE = "fr"
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    Membership.objects.filter(user=alice).update(language="en")
    client = Client()
    client.force_login(alice)
    # An English member with a French browser reads English...
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "en" and "Interns" in page.content.decode()
    # ...until they choose French with the switch (the language cookie).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "fr" and "Stagiaires" in page.content.decode()
    # Anonymous visitors follow their browser.
    assert Client().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Le 01/11/2026 est antérieur à « reçue le » (02/11/2026)."),
        ("en", "2026-11-01 is before “received on” (2026-11-02)."),
    ],
)
def test_date_errors_name_the_field_as_the_reader_sees_it(language: str, message: str) -> None:
    from conventions.services.validation import require_not_before

    with translation.override(language), pytest.raises(forms.ValidationError) as caught:
        require_not_before("decision_on", dt.date(2026, 11, 1), "received_on", dt.date(2026, 11, 2))
    assert caught.value.message_dict == {"decision_on": [message]}


@pytest.mark.django_db
def test_service_errors_speak_french_to_a_french_reader(make_convention: Any, alice: Any) -> None:
    from conventions import services

    convention = services.convention_withdraw(actor=alice, convention=make_convention())
    with translation.override("fr"), pytest.raises(forms.ValidationError) as caught:
        services.convention_update(actor=alice, convention=convention, expected_version=None, tutor_name="X")
    assert caught.value.messages == [
        f"convention #{convention.pk} est « Retirée » : un dossier clos ne peut plus être modifié."
    ]
