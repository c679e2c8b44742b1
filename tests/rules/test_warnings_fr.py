"""The rule engine's warnings in French: every code the engine raises has a French sentence with the same
facts (dates as 01/03/2027, amounts as 615,00), and the RULES §6 JSON contract stays English only.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest

from conventions.rules import (
    BUILTIN_PARAMETERS,
    Category,
    CheckInput,
    ParameterValue,
    RuleWarning,
    WarningCode,
    evaluate,
    hospital_total_warning,
)
from conventions.rules.parameters import ENTREPRISE_MONTHLY_MINIMUM
from tests.rules.test_check import make
from tests.rules.test_rules_v2 import avenant

D = date
E, F, H = Category.ENTREPRISE, Category.FORMATION_CONTINUE, Category.HOPITAL

# One or more inputs for each warning the evaluation raises (the rows of test_check and test_rules_v2).
RAISING: list[tuple[WarningCode, CheckInput]] = [
    (WarningCode.ALGERIAN_AGREEMENT, make(nationality="DZ")),
    (WarningCode.SCHENGEN_90_DAYS, make(start_date=D(2026, 7, 1), end_date=D(2026, 9, 30))),
    (WarningCode.SCHENGEN_90_DAYS, make(start_date=D(2026, 2, 1), end_date=D(2026, 5, 1))),
    (WarningCode.ICT_REGIME, make(category=F, same_group=True)),
    (
        WarningCode.PARAMETER_CHANGES_DURING_STAY,
        make(category=F, start_date=D(2025, 9, 1), end_date=D(2026, 2, 28)),
    ),
    (WarningCode.PARAMETER_CHANGES_DURING_STAY, make(start_date=D(2025, 9, 1), end_date=D(2026, 2, 28))),
    (WarningCode.GRATIFICATION_BELOW_MINIMUM, make(hourly_gratification_eur=Decimal("4.49"))),
    (WarningCode.DURATION_EXCEEDS_LIMIT, make(end_date=D(2027, 3, 1))),
    (WarningCode.DURATION_EXCEEDS_LIMIT, make(end_date=D(2027, 1, 14), weekly_hours=Decimal("48.5"))),
    (WarningCode.DURATION_EXCEEDS_LIMIT, make(category=F, start_date=D(2026, 1, 5), end_date=D(2027, 1, 5))),
    (WarningCode.DURATION_EXCEEDS_LIMIT, avenant(new_end_date=D(2027, 1, 5))),
    (
        WarningCode.DURATION_EXCEEDS_LIMIT,
        avenant(category=F, end_date=D(2026, 12, 4), new_end_date=D(2027, 7, 5)),
    ),
    (
        WarningCode.DURATION_EXCEEDS_LIMIT,
        avenant(category=E, start_date=D(2026, 9, 1), end_date=D(2027, 2, 1), new_end_date=D(2027, 3, 1)),
    ),
    (WarningCode.SHORT_STAY_EXTENDED, avenant(end_date=D(2026, 4, 4), new_end_date=D(2026, 4, 5))),
    (WarningCode.AVENANT_NOT_PROVIDED, avenant(category=E)),
    (
        WarningCode.ACKNOWLEDGMENT_DIFFERS,
        make(received_on=D(2026, 5, 20), acknowledged_decision_on=D(2026, 6, 25)),
    ),
    (
        WarningCode.DOCUMENTS_DUE_DATE_MISSING,
        make(received_on=D(2026, 5, 20), documents_requested_on=D(2026, 6, 1), today=D(2026, 6, 15)),
    ),
    (
        WarningCode.DOCUMENTS_REQUESTED_AFTER_SILENCE,
        make(received_on=D(2026, 5, 1), documents_requested_on=D(2026, 6, 1)),
    ),
    (WarningCode.PARAMETER_UNKNOWN, make(category=F, start_date=D(2021, 12, 31), end_date=D(2022, 6, 30))),
    (WarningCode.PARAMETER_UNKNOWN, make(category=H, start_date=D(2019, 12, 31), end_date=D(2020, 5, 31))),
    (WarningCode.EXTENSION_LIMIT_REACHED, avenant(category=F, prior_extensions=1)),
    (WarningCode.EXTENSION_LIMIT_REACHED, avenant(category=F, prior_extensions=3)),
]
# The hospital total is raised by the services over every stage of an intern (conventions/services).
HOSPITAL_STAYS: list[list[tuple[date, date]]] = [
    [(D(2024, 1, 1), D(2026, 1, 1))],
    [(D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 3, 1), D(2026, 3, 1))],
]
# Inputs raising several warnings at once, each of which must be French too.
SEVERAL = make(
    nationality="DZ", category=F, same_group=True, start_date=D(2025, 9, 1), end_date=D(2027, 9, 1)
)

# Words of the English messages that no French sentence contains (whole words, lower case).
ENGLISH_WORDS = frozenset(
    "the of and is are with from after before days months stay deadline received requested not for to "
    "in by than this that must owed host company continuing training hospital given used".split()
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
FR_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
EN_DECIMAL = re.compile(r"\b\d+\.\d+\b")
FR_DECIMAL = re.compile(r"\b\d+,\d+\b")


def raised(code: WarningCode, inp: CheckInput) -> RuleWarning:
    found = [warning for warning in evaluate(inp).warnings if warning.code == code]
    assert found, f"{code} not raised"
    return found[0]


def every_warning() -> list[RuleWarning]:
    found = [warning for inp in [*(inp for _, inp in RAISING), SEVERAL] for warning in evaluate(inp).warnings]
    for stays in HOSPITAL_STAYS:
        total = hospital_total_warning(stays)
        assert total is not None
        found.append(total.warning)
    return found


def iso_to_fr(text: str) -> str:
    return ISO_DATE.sub(lambda match: f"{match[3]}/{match[2]}/{match[1]}", text)


def test_every_warning_code_is_covered_here() -> None:
    codes = {warning.code for warning in every_warning()}
    assert codes == {code.value for code in WarningCode}


@pytest.mark.parametrize("warning", every_warning(), ids=lambda warning: warning.code)
def test_every_warning_has_a_french_sentence_with_the_same_facts(warning: RuleWarning) -> None:
    english, french = warning.message, warning.message_fr
    assert french and french != english
    # Parameter keys (smic_monthly_gross) are identifiers the parameters admin lists, not English words.
    words = set(re.findall(r"[a-zà-ÿ’]+", re.sub(r"\w+_\w+", "", french.lower())))
    assert not words & ENGLISH_WORDS, french
    # Dates: every date of the English sentence, in French format, and no ISO date left.
    assert not ISO_DATE.search(french), french
    assert sorted(FR_DATE.findall(french)) == sorted(FR_DATE.findall(iso_to_fr(english))), french
    # Amounts and other decimals (weekly hours): the same values with a decimal comma, never a point.
    assert not EN_DECIMAL.search(french), french
    assert sorted(FR_DECIMAL.findall(french)) == sorted(
        n.replace(".", ",") for n in EN_DECIMAL.findall(english)
    )
    # French typography: typographic apostrophe, a space before the colon and the semicolon.
    assert "'" not in french, french
    assert not re.search(r"\S[:;]", french), french


def test_text_picks_the_language_and_falls_back_to_english() -> None:
    warning = raised(WarningCode.ICT_REGIME, make(category=F, same_group=True))
    assert warning.text("fr") == warning.message_fr
    assert warning.text("en") == warning.message
    assert warning.text("de") == warning.message
    assert RuleWarning(code="x", message="English only").text("fr") == "English only"


def test_french_dates_and_amounts_of_the_parameter_change() -> None:
    inp = make(
        category=F, start_date=D(2026, 1, 5), end_date=D(2026, 12, 31), monthly_resources_eur=Decimal("1830")
    )
    warning = raised(WarningCode.PARAMETER_CHANGES_DURING_STAY, inp)
    assert "from 1823.03 to 1867.02 EUR on 2026-06-01" in warning.message
    assert warning.message_fr == (
        "SMIC mensuel brut (35 heures par semaine) passe de 1823,03 à 1867,02 EUR le 01/06/2026, pendant le "
        "stage (qui se termine le 31/12/2026) ; la valeur en vigueur à la date de début 05/01/2026 est "
        "retenue"
    )


def test_french_acknowledgment_names_both_dates() -> None:
    inp = make(received_on=D(2026, 5, 20), acknowledged_decision_on=D(2026, 6, 25))
    french = raised(WarningCode.ACKNOWLEDGMENT_DIFFERS, inp).message_fr
    assert "l’accusé de réception fixe la décision implicite au 25/06/2026" in french
    assert "reçue le 20/05/2026 plus 30 jours donne le 20/06/2026" in french
    assert "fin du délai de silence le 24/06/2026" in french


def test_french_gratification_amounts_use_a_decimal_comma() -> None:
    french = raised(
        WarningCode.GRATIFICATION_BELOW_MINIMUM, make(hourly_gratification_eur=Decimal("4.49"))
    ).message_fr
    assert "4,49 EUR" in french and "4,50 EUR" in french and "gratification horaire" in french


def test_french_duration_of_a_student_stage_quotes_the_french_presence_count() -> None:
    inp = make(end_date=D(2027, 1, 14), weekly_hours=Decimal("48.5"))
    french = raised(WarningCode.DURATION_EXCEEDS_LIMIT, inp).message_fr
    assert french.startswith(
        "le stage chez le même organisme d’accueil du 01/09/2026 au 14/01/2027 dure plus"
    )
    assert "48,5 h par semaine" in french


def test_french_hospital_total_agrees_in_number() -> None:
    one, two = (hospital_total_warning(stays) for stays in HOSPITAL_STAYS)
    assert one is not None and two is not None
    assert one.warning.message_fr.startswith("le stage hospitalier de ce stagiaire compte 732 jours")
    assert "commencé le 01/01/2024, il se termine le 01/01/2026 ou après" in one.warning.message_fr
    assert two.warning.message_fr.startswith("les 2 stages hospitaliers de ce stagiaire totalisent 732 jours")


def test_french_labels_of_parameters_a_user_added() -> None:
    # A newer row of the monthly minimum (entered by an administrator) warns with the French label.
    rows: tuple[ParameterValue, ...] = (
        *BUILTIN_PARAMETERS,
        ParameterValue(ENTREPRISE_MONTHLY_MINIMUM, D(2026, 10, 1), Decimal("650"), "test row"),
    )
    result = evaluate(make(), parameters=rows)
    [warning] = [w for w in result.warnings if w.code == WarningCode.PARAMETER_CHANGES_DURING_STAY]
    assert warning.message_fr.startswith(
        "Allocation d’entretien de base des boursiers du gouvernement français"
    )
    assert "passe de 615,00 à 650,00 EUR le 01/10/2026" in warning.message_fr


@pytest.mark.parametrize("inp", [inp for _, inp in RAISING] + [SEVERAL])
def test_the_json_contract_keeps_english_code_and_message_only(inp: CheckInput) -> None:
    result = evaluate(inp)
    out = result.to_json()
    assert out["warnings"] == [{"code": w.code, "message": w.message} for w in result.warnings]
    assert all(set(item) == {"code", "message"} for item in out["warnings"])
    dumped = json.dumps(out, ensure_ascii=False)
    assert all(w.message_fr not in dumped for w in result.warnings)
    assert "message_fr" not in dumped
