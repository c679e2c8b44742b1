"""Every explanation the rule engine builds has a French sentence with the same facts: dates as 01/03/2027,
amounts and hours with a decimal comma, categories, programmes and regimes in French words, no English left.
The RULES §6 JSON contract (`CheckResult.to_json`) stays as it was: it carries no explanation at all.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from itertools import product

import pytest

from conventions.rules import (
    Category,
    CheckInput,
    Explanation,
    Programme,
    Regime,
    evaluate,
)
from conventions.rules.dates import (
    entreprise_avenant_silence,
    implicit_decision_on,
    permit_filing_window,
    residence_permit_silence_deadline,
    vls_ts_validation_deadline,
)
from tests.rules.test_check import make
from tests.rules.test_rules_v2 import avenant

D = date
E, F, H = Category.ENTREPRISE, Category.FORMATION_CONTINUE, Category.HOPITAL

# One nationality and stay per regime of RULES §1 (a 3-month stay is "not more than 3 months").
LONG = {"start_date": D(2026, 9, 1), "end_date": D(2027, 2, 28)}
SHORT = {"start_date": D(2026, 9, 1), "end_date": D(2026, 11, 30)}
REGIMES: list[tuple[str, dict[str, date]]] = [
    ("ES", LONG),  # eu_citizen
    ("IN", SHORT),  # short_stay
    ("DZ", LONG),  # algerian_agreement
    ("CA", LONG),  # canadian_exemption (formation_continue, hopital) or standard (entreprise)
    ("IN", LONG),  # standard
    ("GH", {"start_date": D(2027, 2, 9), "end_date": D(2027, 7, 9)}),  # standard, the issue's example
]
MONEY = [
    {},
    {"monthly_resources_eur": Decimal("1900.50"), "hourly_gratification_eur": Decimal("4.75")},
    {"monthly_resources_eur": Decimal("600"), "hourly_gratification_eur": Decimal("3.10")},
    {"weekly_hours": Decimal("38.5")},
    {"weekly_hours": Decimal("10"), "hourly_gratification_eur": Decimal("4.5")},
]


def _grid() -> list[CheckInput]:
    """Every category x programme x regime, with and without amounts and weekly hours."""
    found = []
    for category, programme, (nationality, stay), money in product(
        Category, [None, *Programme], REGIMES, MONEY
    ):
        found.append(make(category=category, programme=programme, nationality=nationality, **stay, **money))
    return found


# The procedure: filing on time or late, documents requested (received, due, awaited, too late),
# acknowledgment of receipt, silence deadline passed, before a table's first row (backdated or unknown).
PROCEDURE: list[CheckInput] = [
    make(received_on=D(2026, 6, 20), today=D(2026, 7, 1)),
    make(received_on=D(2026, 7, 10), monthly_resources_eur=Decimal("700"), today=D(2026, 8, 1)),
    make(today=D(2026, 8, 1)),
    make(programme=Programme.EU, received_on=D(2026, 8, 1), today=D(2026, 8, 1)),
    make(programme=Programme.INTERGOVERNMENTAL, today=D(2026, 7, 15)),
    make(received_on=D(2026, 5, 20), acknowledged_decision_on=D(2026, 6, 25)),
    make(received_on=D(2026, 5, 20), acknowledged_decision_on=D(2026, 6, 20)),
    make(received_on=D(2026, 5, 1), documents_requested_on=D(2026, 5, 10)),
    make(
        received_on=D(2026, 5, 1), documents_requested_on=D(2026, 5, 10), documents_received_on=D(2026, 5, 20)
    ),
    make(received_on=D(2026, 5, 1), documents_requested_on=D(2026, 5, 10), documents_due_on=D(2026, 5, 25)),
    make(
        received_on=D(2026, 5, 1),
        documents_requested_on=D(2026, 5, 10),
        documents_due_on=D(2026, 5, 25),
        documents_received_on=D(2026, 5, 28),
        today=D(2026, 6, 15),
    ),
    make(
        received_on=D(2026, 5, 1),
        acknowledged_decision_on=D(2026, 6, 5),
        documents_requested_on=D(2026, 5, 10),
        documents_received_on=D(2026, 5, 20),
    ),
    make(received_on=D(2026, 5, 1), documents_requested_on=D(2026, 6, 1)),
    make(start_date=D(2021, 9, 1), end_date=D(2022, 2, 28), today=D(2021, 6, 1)),
    make(category=F, start_date=D(2021, 12, 31), end_date=D(2022, 6, 30), today=D(2021, 6, 1)),
    make(category=H, start_date=D(2019, 12, 31), end_date=D(2020, 5, 31), today=D(2019, 6, 1)),
    make(category=F, start_date=D(2025, 9, 1), end_date=D(2026, 2, 28), today=D(2025, 6, 1)),
    make(nationality="DZ", category=F, same_group=True, start_date=D(2025, 9, 1), end_date=D(2027, 9, 1)),
    make(end_date=D(2027, 1, 14), weekly_hours=Decimal("48.5")),
]
# Avenants of every category: received or not, documents requested (received or awaited), acknowledgment,
# late, a short stay made long, an extension after another one.
AVENANTS: list[CheckInput] = [
    *(avenant(category=category) for category in Category),
    *(avenant(category=category, received_on=D(2026, 6, 10)) for category in Category),
    *(avenant(category=category, nationality="ES", weekly_hours=Decimal("35")) for category in Category),
    avenant(received_on=D(2026, 6, 10), documents_requested_on=D(2026, 6, 15)),
    avenant(
        received_on=D(2026, 6, 10),
        documents_requested_on=D(2026, 6, 15),
        documents_received_on=D(2026, 6, 18),
    ),
    avenant(received_on=D(2026, 6, 10), acknowledged_decision_on=D(2026, 6, 30)),
    avenant(received_on=D(2026, 6, 1), documents_requested_on=D(2026, 6, 19)),
    avenant(today=D(2026, 6, 25)),
    avenant(programme=Programme.EU, received_on=D(2026, 6, 1)),
    avenant(end_date=D(2026, 4, 4), new_end_date=D(2026, 4, 5)),
    avenant(category=F, prior_extensions=1, nationality="CA"),
    avenant(category=E, nationality="DZ", weekly_hours=Decimal("35"), hourly_gratification_eur=Decimal("4")),
    avenant(category=E, start_date=D(2026, 9, 1), end_date=D(2027, 2, 1), new_end_date=D(2027, 3, 1)),
]
INPUTS: list[CheckInput] = [*_grid(), *PROCEDURE, *AVENANTS]

# The same date functions the services call outside an evaluation (OFII, carte de séjour, decisions).
STANDALONE: list[Explanation] = [
    vls_ts_validation_deadline(arrived_on=D(2027, 3, 1)).explanation,
    *(found.explanation for found in permit_filing_window(expires_on=D(2027, 10, 31))),
    residence_permit_silence_deadline(filed_on=D(2027, 1, 5)).explanation,
    residence_permit_silence_deadline(filed_on=D(2027, 1, 5), complete_on=D(2027, 1, 5)).explanation,
    residence_permit_silence_deadline(filed_on=D(2027, 1, 5), complete_on=D(2027, 2, 1)).explanation,
    implicit_decision_on(silence_deadline=D(2026, 6, 19)).explanation,
    entreprise_avenant_silence(),
]

# The English words no French explanation contains (the brief's list, then whole words as
# tests/rules/test_warnings_fr.py checks them on the warnings).
ENGLISH_FRAGMENTS = (" the ", " days", " months", " plus ", " minus ")
ENGLISH_WORDS = frozenset(
    "the of and is are with from after before days months stay deadline received requested not for to "
    "in by than this that must owed host company continuing training hospital given used plus minus "
    # The English values of the enums: the French sentences name them in French words.
    "intergovernmental formation_continue hopital eu_citizen short_stay standard regime".split()
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
FR_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
EN_DECIMAL = re.compile(r"\b\d+\.\d+\b")
FR_DECIMAL = re.compile(r"\b\d+,\d+\b")


def every_explanation() -> list[tuple[str, Explanation]]:
    found = [(name, why) for inp in INPUTS for name, why in evaluate(inp).explanations.items()]
    return found + [("standalone", why) for why in STANDALONE]


def iso_to_fr(text: str) -> str:
    return ISO_DATE.sub(lambda match: f"{match[3]}/{match[2]}/{match[1]}", text)


def assert_french(why: Explanation) -> None:
    french = why.rule_fr
    assert french and french != why.rule, why
    assert why.text("fr") == french and why.text("en") == why.rule
    assert not ISO_DATE.search(french), french
    padded = f" {french} "
    assert not [fragment for fragment in ENGLISH_FRAGMENTS if fragment in padded], french
    # Case-sensitive: the ISO country codes (IN, CA) may stay, the English words are lower case.
    words = set(re.findall(r"[a-zà-ÿ’_]+", french))
    assert not words & ENGLISH_WORDS, french
    # The same facts: every date of the English sentence in French format, every amount with a comma.
    assert sorted(FR_DATE.findall(french)) == sorted(FR_DATE.findall(iso_to_fr(why.rule))), french
    assert not EN_DECIMAL.search(french), french
    assert sorted(FR_DECIMAL.findall(french)) == sorted(
        n.replace(".", ",") for n in EN_DECIMAL.findall(why.rule)
    )
    # French typography: the typographic apostrophe, a space before the colon and the semicolon.
    assert "'" not in french, french
    assert not re.search(r"\S[:;]", french), french


def test_the_inputs_cover_every_regime_category_programme_and_field() -> None:
    results = [evaluate(inp) for inp in INPUTS]
    assert {result.regime for result in results} == set(Regime)
    assert {inp.category for inp in INPUTS} == set(Category)
    assert {inp.programme for inp in INPUTS} == {None, *Programme}
    names = {name for result in results for name in result.explanations}
    assert names == {
        "regime", "validation_required", "filing_deadline", "late_filing", "silence_days", "silence_deadline",
        "silence_outcome", "minimum_monthly_resources_eur", "minimum_hourly_gratification_eur",
        "resources_sufficient", "presence_hours",
    }  # fmt: skip
    assert {result.late_filing for result in results} == {True, False, None}
    assert {result.resources_sufficient for result in results} == {True, False, None}


def test_every_explanation_of_the_engine_is_in_french() -> None:
    failures = []
    for name, why in every_explanation():
        try:
            assert_french(why)
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    assert not failures, "\n".join(dict.fromkeys(failures))


@pytest.mark.parametrize("why", STANDALONE, ids=lambda why: why.rule[:40])
def test_the_standalone_date_functions_are_in_french(why: Explanation) -> None:
    assert_french(why)


def test_the_regime_of_the_issue_reads_in_french() -> None:
    result = evaluate(
        make(
            category=F,
            nationality="GH",
            start_date=D(2027, 2, 9),
            end_date=D(2027, 7, 9),
            today=D(2026, 6, 1),
        )
    )
    why = result.explanations["regime"]
    assert why.rule == (
        "the stay 2027-02-09 to 2027-07-09 is more than 3 months (end on or after 2027-05-09), "
        "nationality GH, category formation_continue: regime standard, validation required"
    )
    assert why.rule_fr == (
        "le séjour du 09/02/2027 au 09/07/2027 dépasse 3 mois (fin le 09/05/2027 ou après), "
        "nationalité GH, catégorie « formation professionnelle continue » ; régime général, validation de la "
        "convention requise"
    )
    assert result.explanations["validation_required"] == why


@pytest.mark.parametrize(
    ("nationality", "category", "stay", "expected"),
    [
        ("ES", E, LONG, "régime « citoyen de l’UE/EEE/Suisse », pas de validation de la convention"),
        (
            "IN",
            H,
            SHORT,
            "visa de court séjour ; régime « court séjour », pas de validation de la convention",
        ),
        ("DZ", E, LONG, "régime « accord franco-algérien », validation de la convention requise"),
        ("CA", H, LONG, "catégorie « stage en établissement de santé » ; régime « exemption canadienne »"),
        ("CA", E, LONG, "catégorie « stage étudiant en entreprise » ; régime général"),
    ],
)
def test_regimes_and_categories_in_french_words(
    nationality: str, category: Category, stay: dict[str, date], expected: str
) -> None:
    why = evaluate(make(nationality=nationality, category=category, **stay)).explanations["regime"]
    assert expected in why.rule_fr


def test_programmes_and_amounts_in_french_words() -> None:
    result = evaluate(make(programme=Programme.EU, received_on=D(2026, 7, 20), today=D(2026, 8, 1)))
    assert result.explanations["filing_deadline"].rule_fr == (
        "date de début du stage 01/09/2026 moins 1 mois (programme de l’Union européenne)"
    )
    assert (
        result.explanations["silence_days"].rule_fr == "15 jours de silence (programme de l’Union européenne)"
    )
    assert result.explanations["silence_deadline"].rule_fr == "15 jours après la demande reçue le 20/07/2026"
    assert result.explanations["late_filing"].rule_fr == (
        "demande reçue le 20/07/2026, date limite de dépôt le 01/08/2026 : dépôt dans les délais"
    )
    assert result.explanations["resources_sufficient"].rule_fr == (
        "stage étudiant en entreprise dans le cadre d’un programme de l’Union européenne : ressources "
        "présumées suffisantes"
    )
    hospital = evaluate(make(category=H, hourly_gratification_eur=Decimal("4.5")))
    assert hospital.explanations["resources_sufficient"].rule_fr == (
        "gratification horaire de 4,50 EUR, égale ou supérieure au minimum de 4,50 EUR"
    )


def test_suspension_and_restart_in_french() -> None:
    suspended = evaluate(
        make(
            received_on=D(2026, 5, 1),
            documents_requested_on=D(2026, 5, 10),
            documents_received_on=D(2026, 5, 20),
        )
    )
    assert suspended.explanations["silence_deadline"].rule_fr == (
        "30 jours après la demande reçue le 01/05/2026, délai suspendu pendant 10 jours (pièces demandées le "
        "10/05/2026, reçues le 20/05/2026)"
    )
    restarted = evaluate(
        avenant(
            received_on=D(2026, 6, 10),
            documents_requested_on=D(2026, 6, 15),
            documents_received_on=D(2026, 6, 18),
        )
    )
    assert restarted.explanations["silence_deadline"].rule_fr == (
        "15 jours après la réception, le 18/06/2026, des pièces demandées le 15/06/2026 (le délai repart)"
    )


@pytest.mark.parametrize("inp", PROCEDURE + AVENANTS, ids=lambda inp: f"{inp.kind}-{inp.category}")
def test_the_json_contract_carries_no_french(inp: CheckInput) -> None:
    result = evaluate(inp)
    dumped = json.dumps(result.to_json(), ensure_ascii=False)
    assert "rule" not in result.to_json() and "explanations" not in result.to_json()
    assert all(why.rule_fr not in dumped for why in result.explanations.values())
    # The companion of the contract keeps the English rule next to the French one.
    assert all(item["rule"] and item["rule_fr"] for item in result.explanations_to_json().values())


def test_an_explanation_needs_its_french_sentence() -> None:
    with pytest.raises(TypeError):
        Explanation("English only", "a source")  # type: ignore[call-arg]
