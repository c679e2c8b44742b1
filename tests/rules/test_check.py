"""RULES §6: one evaluation end to end: the output contract, the null rules, warnings and sources."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from conventions.rules import (
    BUILTIN_PARAMETERS,
    Category,
    CheckInput,
    CheckInputError,
    Kind,
    ParameterValue,
    Programme,
    Regime,
    SilenceOutcome,
    evaluate,
)
from tests.rules.golden import GOLDEN_STANDARD_CONVENTION

D = date
E, F, H = Category.ENTREPRISE, Category.FORMATION_CONTINUE, Category.HOPITAL
OUTPUT_KEYS = [
    "validation_required",
    "regime",
    "filing_deadline",
    "late_filing",
    "silence_days",
    "silence_deadline",
    "silence_outcome",
    "minimum_monthly_resources_eur",
    "minimum_hourly_gratification_eur",
    "resources_sufficient",
    "warnings",
    "sources",
    "presence_hours",
]
PROCEDURE_KEYS = ["filing_deadline", "late_filing", "silence_days", "silence_deadline", "silence_outcome"]


def make(**overrides: Any) -> CheckInput:
    """A standard long-stay entreprise convention (6 months minus a day), not yet filed, on 2026-06-01."""
    fields: dict[str, Any] = {
        "category": E,
        "nationality": "IN",
        "start_date": D(2026, 9, 1),
        "end_date": D(2027, 2, 28),
        "today": D(2026, 6, 1),
    }
    return CheckInput(**(fields | overrides))


def avenant(**overrides: Any) -> CheckInput:
    """An avenant extending a 6-month hospital stage by 3 months."""
    fields: dict[str, Any] = {
        "kind": Kind.AVENANT,
        "category": H,
        "start_date": D(2026, 1, 5),
        "end_date": D(2026, 7, 4),
        "new_end_date": D(2026, 10, 4),
        "today": D(2026, 6, 1),
    }
    return make(**(fields | overrides))


def codes(inp: CheckInput) -> list[str]:
    return [warning.code for warning in evaluate(inp).warnings]


def test_golden_standard_convention_json() -> None:
    result = evaluate(
        make(received_on=D(2026, 7, 10), monthly_resources_eur=Decimal("700"), today=D(2026, 8, 1))
    )
    assert result.to_json() == GOLDEN_STANDARD_CONVENTION


@pytest.mark.parametrize(
    "inp",
    [
        pytest.param(make(), id="convention"),
        pytest.param(make(nationality="DE"), id="not-required"),
        pytest.param(avenant(received_on=D(2026, 6, 1)), id="avenant"),
    ],
)
def test_to_json_has_exactly_the_contract_keys_in_order(inp: CheckInput) -> None:
    assert list(evaluate(inp).to_json()) == OUTPUT_KEYS


@pytest.mark.parametrize(
    "inp",
    [
        pytest.param(make(nationality="IT"), id="eu-citizen"),
        pytest.param(make(end_date=D(2026, 11, 30)), id="short-stay"),
        pytest.param(make(nationality="CA", category=H, received_on=D(2026, 5, 1)), id="canadian-exemption"),
        pytest.param(avenant(nationality="CA"), id="canadian-avenant"),
        pytest.param(avenant(end_date=D(2026, 4, 4), new_end_date=D(2026, 4, 30)), id="short-stay-avenant"),
    ],
)
def test_no_validation_means_null_procedure_fields(inp: CheckInput) -> None:
    out = evaluate(inp).to_json()
    assert out["validation_required"] is False
    assert [out[key] for key in PROCEDURE_KEYS] == [None] * 5


@pytest.mark.parametrize(
    ("inp", "silence_deadline"),
    [
        pytest.param(make(), None, id="not-received-yet"),
        pytest.param(make(received_on=D(2026, 5, 20)), "2026-06-19", id="received"),
        pytest.param(
            make(received_on=D(2026, 5, 20), documents_requested_on=D(2026, 5, 25)),
            None,
            id="documents-awaited",
        ),
        pytest.param(
            make(
                received_on=D(2026, 5, 20),
                documents_requested_on=D(2026, 5, 25),
                documents_received_on=D(2026, 5, 30),
            ),
            "2026-06-24",
            id="documents-arrived-suspension",
        ),
        pytest.param(make(nationality="DZ"), None, id="algeria-not-received"),
        pytest.param(avenant(), None, id="avenant-not-received"),
        pytest.param(avenant(received_on=D(2026, 6, 1)), "2026-06-16", id="avenant-received"),
    ],
)
def test_validation_required_always_gives_filing_and_silence_rules(
    inp: CheckInput, silence_deadline: str | None
) -> None:
    out = evaluate(inp).to_json()
    assert out["validation_required"] is True
    assert out["filing_deadline"] is not None
    assert isinstance(out["late_filing"], bool)
    assert out["silence_days"] in (15, 30)
    assert out["silence_outcome"] in ("refused", "accepted")
    assert out["silence_deadline"] == silence_deadline


@pytest.mark.parametrize(
    ("inp", "filing", "late", "days", "silence", "outcome"),
    [
        pytest.param(
            make(received_on=D(2026, 7, 1), today=D(2026, 7, 1)),
            D(2026, 7, 1),
            False,
            30,
            D(2026, 7, 31),
            SilenceOutcome.REFUSED,
            id="filed-on-deadline-day-on-time",
        ),
        pytest.param(
            make(received_on=D(2026, 7, 2), today=D(2026, 7, 2)),
            D(2026, 7, 1),
            True,
            30,
            D(2026, 8, 1),
            SilenceOutcome.REFUSED,
            id="filed-one-day-late",
        ),
        pytest.param(
            make(programme=Programme.EU, received_on=D(2026, 8, 1), today=D(2026, 8, 1)),
            D(2026, 8, 1),
            False,
            15,
            D(2026, 8, 16),
            SilenceOutcome.REFUSED,
            id="programme-1-month-15-days",
        ),
        pytest.param(
            make(
                start_date=D(2026, 3, 10),
                end_date=D(2026, 9, 9),
                received_on=D(2026, 1, 10),
                today=D(2026, 2, 10),
            ),
            D(2026, 1, 10),
            False,
            30,
            D(2026, 2, 9),
            SilenceOutcome.REFUSED,
            id="rules-example-received-jan10",
        ),
        pytest.param(
            make(today=D(2026, 7, 2)),
            D(2026, 7, 1),
            True,
            30,
            None,
            SilenceOutcome.REFUSED,
            id="not-filed-after-deadline-is-late",
        ),
        pytest.param(
            avenant(received_on=D(2026, 6, 19), today=D(2026, 6, 19)),
            D(2026, 6, 19),
            False,
            15,
            D(2026, 7, 4),
            SilenceOutcome.ACCEPTED,
            id="avenant-on-deadline-day",
        ),
        pytest.param(
            avenant(received_on=D(2026, 6, 20), today=D(2026, 6, 20)),
            D(2026, 6, 19),
            True,
            15,
            D(2026, 7, 5),
            SilenceOutcome.ACCEPTED,
            id="avenant-one-day-late",
        ),
        pytest.param(
            avenant(programme=Programme.EU, received_on=D(2026, 6, 1)),
            D(2026, 6, 19),
            False,
            15,
            D(2026, 6, 16),
            SilenceOutcome.ACCEPTED,
            id="avenant-programme-changes-nothing",
        ),
        pytest.param(
            avenant(
                received_on=D(2026, 6, 1),
                documents_requested_on=D(2026, 6, 5),
                documents_received_on=D(2026, 6, 10),
                today=D(2026, 6, 10),
            ),
            D(2026, 6, 19),
            False,
            15,
            D(2026, 6, 25),
            SilenceOutcome.ACCEPTED,
            id="avenant-restart",
        ),
    ],
)
def test_procedure_dates(
    inp: CheckInput, filing: date, late: bool, days: int, silence: date | None, outcome: SilenceOutcome
) -> None:
    result = evaluate(inp)
    got = (result.filing_deadline, result.late_filing, result.silence_days, result.silence_deadline)
    assert got == (filing, late, days, silence)
    assert result.silence_outcome == outcome


@pytest.mark.parametrize(
    ("inp", "expected"),
    [
        pytest.param(make(), [], id="none"),
        pytest.param(make(nationality="DZ"), ["algerian_agreement"], id="algerian-agreement"),
        pytest.param(
            make(nationality="DZ", end_date=D(2026, 10, 31)), [], id="algeria-short-stay-no-warning"
        ),
        pytest.param(
            make(start_date=D(2026, 7, 1), end_date=D(2026, 9, 30)),
            ["schengen_90_days"],
            id="schengen-92-days-in-3-months",
        ),
        pytest.param(
            make(start_date=D(2026, 2, 1), end_date=D(2026, 5, 1)),
            ["schengen_90_days"],
            id="schengen-90-days-more-than-3-months",
        ),
        pytest.param(make(category=F, same_group=True), ["ict_regime"], id="ict-regime"),
        pytest.param(
            make(category=F, start_date=D(2025, 9, 1), end_date=D(2026, 2, 28)),
            ["parameter_changes_during_stay"],
            id="smic-changes-during-stay",
        ),
        pytest.param(
            make(category=H, start_date=D(2025, 9, 1), end_date=D(2026, 2, 28)),
            ["parameter_changes_during_stay"],
            id="hospital-rate-changes-during-stay",
        ),
        pytest.param(
            make(category=H, start_date=D(2025, 7, 1), end_date=D(2025, 12, 31)),
            [],
            id="hospital-ends-before-change",
        ),
        pytest.param(
            make(start_date=D(2025, 9, 1), end_date=D(2026, 2, 28)),
            ["parameter_changes_during_stay"],
            id="entreprise-gratification-rate-changes",
        ),
        pytest.param(
            make(hourly_gratification_eur=Decimal("4.49")),
            ["gratification_below_minimum"],
            id="gratification-below-minimum",
        ),
        pytest.param(make(end_date=D(2027, 3, 1)), ["duration_exceeds_limit"], id="entreprise-over-6-months"),
        pytest.param(
            avenant(new_end_date=D(2027, 1, 5)), ["duration_exceeds_limit"], id="hospital-extension-over-6"
        ),
        pytest.param(
            avenant(end_date=D(2026, 4, 4), new_end_date=D(2026, 4, 5)),
            ["short_stay_extended"],
            id="short-stay-extended",
        ),
        pytest.param(
            make(received_on=D(2026, 5, 1), documents_requested_on=D(2026, 6, 1)),
            ["documents_requested_after_silence"],
            id="documents-requested-after-silence",
        ),
        pytest.param(
            make(
                nationality="DZ",
                category=F,
                same_group=True,
                end_date=D(2027, 9, 1),
                start_date=D(2025, 9, 1),
            ),
            ["algerian_agreement", "ict_regime", "parameter_changes_during_stay", "duration_exceeds_limit"],
            id="several-in-order",
        ),
    ],
)
def test_warnings(inp: CheckInput, expected: list[str]) -> None:
    assert codes(inp) == expected


def test_avenant_regime_is_computed_on_the_convention_dates() -> None:
    # 3-month convention extended to 4 months: still short_stay, not standard, with the warning.
    result = evaluate(avenant(nationality="IN", end_date=D(2026, 4, 4), new_end_date=D(2026, 5, 4)))
    assert (result.regime, result.validation_required) == (Regime.SHORT_STAY, False)
    assert [w.code for w in result.warnings] == ["short_stay_extended"]


def test_avenant_stay_end_is_new_end_date_for_money() -> None:
    # Entreprise convention of 2 months (no gratification owed) extended to 3 months: now owed.
    inp = make(
        kind=Kind.AVENANT, start_date=D(2026, 9, 1), end_date=D(2026, 10, 31), new_end_date=D(2026, 11, 30)
    )
    assert evaluate(inp).minimum_hourly_gratification_eur == Decimal("4.50")
    assert (
        evaluate(make(start_date=D(2026, 9, 1), end_date=D(2026, 10, 31))).minimum_hourly_gratification_eur
        is None
    )


@pytest.mark.parametrize(
    ("inp", "monthly", "hourly", "sufficient"),
    [
        pytest.param(
            make(monthly_resources_eur=Decimal("615")), "615.00", "4.50", True, id="entreprise-at-minimum"
        ),
        pytest.param(
            make(monthly_resources_eur=Decimal("614.999")),
            "615.00",
            "4.50",
            False,
            id="entreprise-compares-exact-amount",
        ),
        pytest.param(
            make(programme=Programme.EU), "615.00", "4.50", True, id="entreprise-programme-presumed"
        ),
        pytest.param(make(), "615.00", "4.50", None, id="entreprise-no-amount"),
        pytest.param(
            make(category=F, monthly_resources_eur=Decimal("1867.02")),
            "1867.02",
            None,
            True,
            id="formation-at-smic",
        ),
        pytest.param(
            make(category=H, hourly_gratification_eur=Decimal("4.4")),
            None,
            "4.50",
            False,
            id="hospital-below",
        ),
        pytest.param(
            make(nationality="FR", category=H), None, None, None, id="eu-citizen-hospital-no-minimum"
        ),
        pytest.param(
            make(nationality="FR", hourly_gratification_eur=Decimal("4")),
            None,
            "4.50",
            None,
            id="eu-citizen-entreprise-keeps-code-de-l-education-minimum",
        ),
    ],
)
def test_money_in_json(
    inp: CheckInput, monthly: str | None, hourly: str | None, sufficient: bool | None
) -> None:
    out = evaluate(inp).to_json()
    assert (out["minimum_monthly_resources_eur"], out["minimum_hourly_gratification_eur"]) == (
        monthly,
        hourly,
    )
    assert out["resources_sufficient"] is sufficient


def test_parameters_are_injected() -> None:
    rows = (
        *BUILTIN_PARAMETERS,
        ParameterValue("entreprise_monthly_minimum", D(2026, 1, 1), Decimal("650"), "order X"),
    )
    result = evaluate(make(monthly_resources_eur=Decimal("640")), parameters=rows)
    assert (result.minimum_monthly_resources_eur, result.resources_sufficient) == (Decimal("650"), False)
    assert "order X" in result.sources
    assert result.explanations["minimum_monthly_resources_eur"].source == "order X"


def test_explanations_cover_every_shown_value() -> None:
    result = evaluate(
        make(received_on=D(2026, 5, 1), monthly_resources_eur=Decimal("700"), today=D(2026, 5, 2))
    )
    assert set(result.explanations) >= {
        "regime",
        "validation_required",
        "filing_deadline",
        "late_filing",
        "silence_days",
        "silence_deadline",
        "silence_outcome",
        "minimum_monthly_resources_eur",
        "minimum_hourly_gratification_eur",
        "resources_sufficient",
    }
    assert result.explanations["filing_deadline"].rule == "start date 2026-09-01 minus 2 months"
    assert result.explanations["filing_deadline"].source == "CESEDA R426-20 al. 1"
    assert result.explanations["silence_deadline"].rule == "received on 2026-05-01 plus 30 days"
    assert result.explanations_to_json()["regime"]["source"] == "CESEDA L426-23, R426-16, R426-20"


def test_explanation_of_awaited_documents_says_why_there_is_no_date() -> None:
    result = evaluate(make(received_on=D(2026, 5, 1), documents_requested_on=D(2026, 5, 10)))
    assert result.silence_deadline is None
    why = result.explanations["silence_deadline"]
    assert "not received yet: the delay is suspended and no date was set for them" in why.rule
    assert "aucune date n’est fixée" in why.rule_fr
    assert why.source.endswith("CRPA L114-5")


def test_sources_are_deduplicated_and_cover_warnings() -> None:
    result = evaluate(make(nationality="DZ", category=F, same_group=True, received_on=D(2026, 5, 1)))
    assert len(result.sources) == len(set(result.sources))
    assert {"Franco-Algerian agreement of 27 December 1968", "CESEDA L421-30", "CESEDA R426-20 al. 1"} <= set(
        result.sources
    )


def test_no_validation_sources_do_not_cite_the_procedure() -> None:
    result = evaluate(make(nationality="BE"))
    assert result.sources[0] == "Seed: « étranger non européen »"
    assert not any("R426-20 al." in source for source in result.sources)


@pytest.mark.parametrize(
    ("inp", "field"),
    [
        pytest.param(make(end_date=D(2026, 8, 31)), "end_date", id="end-before-start"),
        pytest.param(make(kind=Kind.AVENANT), "new_end_date", id="avenant-without-new-end"),
        pytest.param(avenant(new_end_date=D(2026, 7, 4)), "new_end_date", id="new-end-not-after-end"),
        pytest.param(make(new_end_date=D(2027, 5, 1)), "new_end_date", id="convention-with-new-end"),
        pytest.param(
            make(documents_requested_on=D(2026, 5, 1)), "documents_requested_on", id="request-not-received"
        ),
    ],
)
def test_evaluate_rejects_inconsistent_input(inp: CheckInput, field: str) -> None:
    with pytest.raises(CheckInputError) as caught:
        evaluate(inp)
    assert field in caught.value.errors


def test_evaluate_accepts_events_after_today_from_services() -> None:
    assert evaluate(make(received_on=D(2026, 7, 1), today=D(2026, 6, 1))).late_filing is False


def test_result_is_frozen_and_amounts_keep_two_decimals() -> None:
    result = evaluate(make(category=F, monthly_resources_eur=Decimal("1900.5")))
    with pytest.raises(AttributeError):
        result.regime = Regime.STANDARD  # type: ignore[misc]
    assert result.to_json()["minimum_monthly_resources_eur"] == "1867.02"
