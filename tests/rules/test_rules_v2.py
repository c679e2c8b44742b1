"""RULES version 2, rule by rule, with the boundaries (every expected value computed by hand).

The base case is a standard entreprise convention (IN, 2026-09-01 to 2027-02-28) evaluated on 2026-06-01;
each row changes what its rule is about.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from conventions.rules import Category, CheckInput, Kind, Programme, evaluate, hospital_total_warning
from tests.rules.test_check import make  # the standard entreprise convention (IN, 2026-09-01 to 2027-02-28)

D = date
E, F, H = Category.ENTREPRISE, Category.FORMATION_CONTINUE, Category.HOPITAL


def avenant(**overrides: Any) -> CheckInput:
    """A hospital avenant: convention 2026-01-05 to 2026-07-04 extended to 2026-10-04."""
    fields: dict[str, Any] = {
        "kind": Kind.AVENANT,
        "category": H,
        "start_date": D(2026, 1, 5),
        "end_date": D(2026, 7, 4),
        "new_end_date": D(2026, 10, 4),
        "today": D(2026, 6, 20),
    }
    return make(**(fields | overrides))


def codes(inp: CheckInput) -> list[str]:
    return [warning.code for warning in evaluate(inp).warnings]


# --- §2 acknowledgment of receipt (CRPA R112-5) and incomplete file (CRPA L114-5) --------------------------
CONVENTION_SILENCE = [
    # (received, programme, requested, due, documents received, acknowledged, today, deadline, warnings)
    pytest.param(D(2026, 5, 20), None, None, None, None, None, D(2026, 6, 1), D(2026, 6, 19), [], id="base"),
    pytest.param(
        D(2026, 5, 20), None, None, None, None, D(2026, 6, 25), D(2026, 6, 1), D(2026, 6, 24),
        ["acknowledgment_differs"], id="acknowledgment-wins-later",
    ),
    pytest.param(
        D(2026, 5, 20), None, None, None, None, D(2026, 6, 10), D(2026, 6, 1), D(2026, 6, 9),
        ["acknowledgment_differs"], id="acknowledgment-wins-earlier",
    ),
    pytest.param(
        D(2026, 5, 20), None, None, None, None, D(2026, 6, 20), D(2026, 6, 1), D(2026, 6, 19), [],
        id="acknowledgment-equal-to-computed-no-warning",
    ),
    pytest.param(
        D(2026, 5, 20), None, None, None, None, D(2026, 5, 21), D(2026, 6, 1), D(2026, 5, 20),
        ["acknowledgment_differs"], id="acknowledgment-day-after-receipt",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 6, 1), None, D(2026, 6, 11), D(2026, 6, 25), D(2026, 6, 15),
        D(2026, 7, 4), ["acknowledgment_differs"], id="suspension-added-to-acknowledged-deadline",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 5, 25), D(2026, 6, 10), None, None, D(2026, 6, 1), D(2026, 7, 5), [],
        id="awaited-with-due-date-suspends-until-it",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 5, 25), D(2026, 6, 10), D(2026, 6, 1), None, D(2026, 6, 5),
        D(2026, 6, 26), [], id="documents-before-due-date-move-it-earlier",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 5, 25), D(2026, 6, 10), D(2026, 6, 10), None, D(2026, 6, 12),
        D(2026, 7, 5), [], id="documents-on-due-date",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 5, 25), D(2026, 6, 10), D(2026, 6, 15), None, D(2026, 6, 20),
        D(2026, 7, 5), [], id="documents-after-due-date-suspend-only-until-it",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 5, 25), D(2026, 5, 25), None, None, D(2026, 6, 1), D(2026, 6, 19), [],
        id="due-on-request-day-suspends-nothing",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 5, 25), None, None, None, D(2026, 6, 1), None,
        ["documents_due_date_missing"], id="neither-received-nor-due-is-unknown",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 5, 25), None, D(2026, 6, 4), None, D(2026, 6, 5), D(2026, 6, 29), [],
        id="received-without-due-date",
    ),
    pytest.param(
        D(2026, 5, 1), None, D(2026, 5, 31), D(2026, 6, 10), None, None, D(2026, 6, 1), D(2026, 6, 10), [],
        id="request-on-deadline-day-still-suspends",
    ),
    pytest.param(
        D(2026, 5, 1), None, D(2026, 6, 1), None, None, None, D(2026, 6, 1), D(2026, 5, 31),
        ["documents_requested_after_silence"], id="request-after-deadline-ignored-no-due-warning",
    ),
    pytest.param(
        D(2026, 5, 20), None, D(2026, 6, 20), D(2026, 7, 1), None, D(2026, 6, 20), D(2026, 6, 20),
        D(2026, 6, 19), ["documents_requested_after_silence"],
        id="request-after-acknowledged-deadline-ignored",
    ),
    pytest.param(
        D(2026, 5, 20), Programme.EU, D(2026, 5, 25), D(2026, 6, 2), None, None, D(2026, 6, 1),
        D(2026, 6, 12), [], id="programme-15-days-plus-suspension",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("received", "programme", "requested", "due", "arrived", "acknowledged", "today", "deadline", "warnings"),
    CONVENTION_SILENCE,
)
def test_convention_silence_deadline_v2(
    received: date,
    programme: Programme | None,
    requested: date | None,
    due: date | None,
    arrived: date | None,
    acknowledged: date | None,
    today: date,
    deadline: date | None,
    warnings: list[str],
) -> None:
    inp = make(
        received_on=received,
        programme=programme,
        documents_requested_on=requested,
        documents_due_on=due,
        documents_received_on=arrived,
        acknowledged_decision_on=acknowledged,
        today=today,
    )
    result = evaluate(inp)
    assert result.silence_deadline == deadline
    assert result.silence_outcome == "refused"
    assert [w.code for w in result.warnings] == warnings
    why = result.explanations["silence_deadline"]
    assert why.rule and why.rule_fr and why.source


def test_acknowledgment_warning_names_both_dates_and_the_explanation_cites_r112_5() -> None:
    result = evaluate(make(received_on=D(2026, 5, 20), acknowledged_decision_on=D(2026, 6, 25)))
    message = result.warnings[0].message
    assert "2026-06-25" in message and "2026-06-20" in message
    assert "CRPA R112-5" in result.explanations["silence_deadline"].source
    assert "CRPA R112-5" in result.sources


AVENANT_SILENCE = [
    # (category, requested, due, documents received, acknowledged, deadline, outcome, warnings)
    pytest.param(H, None, None, None, None, D(2026, 6, 16), "accepted", [], id="hospital-base"),
    pytest.param(F, None, None, None, None, D(2026, 6, 16), "accepted", [], id="training-base"),
    pytest.param(
        H, None, None, None, D(2026, 6, 20), D(2026, 6, 19), "accepted", ["acknowledgment_differs"],
        id="acknowledgment-wins",
    ),
    pytest.param(
        H, D(2026, 6, 5), D(2026, 6, 8), None, None, None, "accepted", [],
        id="awaited-due-date-changes-nothing",
    ),
    pytest.param(
        H, D(2026, 6, 5), D(2026, 6, 8), D(2026, 6, 10), D(2026, 6, 20), D(2026, 6, 25), "accepted",
        ["acknowledgment_differs"], id="restart-from-documents-even-with-acknowledgment",
    ),
    pytest.param(
        H, D(2026, 6, 17), None, None, None, D(2026, 6, 16), "accepted",
        ["documents_requested_after_silence"], id="request-after-acceptance-ignored",
    ),
    pytest.param(E, None, None, None, None, None, None, ["avenant_not_provided"], id="entreprise-no-silence"),
    pytest.param(
        E, None, None, None, D(2026, 6, 20), None, None, ["avenant_not_provided"],
        id="entreprise-acknowledgment-accepted-changes-nothing",
    ),
    pytest.param(
        E, D(2026, 6, 5), D(2026, 6, 8), D(2026, 6, 10), None, None, None, ["avenant_not_provided"],
        id="entreprise-documents-change-nothing",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("category", "requested", "due", "arrived", "acknowledged", "deadline", "outcome", "warnings"),
    AVENANT_SILENCE,
)
def test_avenant_silence_deadline_v2(
    category: Category,
    requested: date | None,
    due: date | None,
    arrived: date | None,
    acknowledged: date | None,
    deadline: date | None,
    outcome: str | None,
    warnings: list[str],
) -> None:
    inp = avenant(
        category=category,
        received_on=D(2026, 6, 1),
        documents_requested_on=requested,
        documents_due_on=due,
        documents_received_on=arrived,
        acknowledged_decision_on=acknowledged,
    )
    out = evaluate(inp).to_json()
    assert out["validation_required"] is True
    assert out["filing_deadline"] == "2026-06-19"  # 2026-07-04 - 15 days, the seed's lead time for all
    assert out["silence_deadline"] == (deadline.isoformat() if deadline else None)
    assert out["silence_outcome"] == outcome
    assert out["silence_days"] == (None if category == E else 15)
    procedure_codes = {
        "acknowledgment_differs", "avenant_not_provided", "documents_due_date_missing",
        "documents_requested_after_silence",
    }  # fmt: skip
    assert [w["code"] for w in out["warnings"] if w["code"] in procedure_codes] == warnings


def test_entreprise_avenant_explains_why_there_is_no_implicit_decision() -> None:
    result = evaluate(avenant(category=E, received_on=D(2026, 6, 1)))
    why = result.explanations["silence_deadline"]
    assert "no implicit decision" in why.rule and "R426-21" in why.source
    assert "pas de décision implicite" in why.rule_fr
    assert result.late_filing is False


@pytest.mark.parametrize(
    ("inp", "warns"),
    [
        pytest.param(avenant(category=E), True, id="standard-regime"),
        pytest.param(avenant(category=E, nationality="DZ"), True, id="algerian-agreement"),
        pytest.param(
            avenant(category=E, end_date=D(2026, 3, 31), new_end_date=D(2026, 4, 3)), False, id="short-stay"
        ),
        pytest.param(avenant(category=E, nationality="BE"), False, id="eu-citizen"),
    ],
)
def test_avenant_not_provided_only_when_a_validation_is_required(inp: CheckInput, warns: bool) -> None:
    assert ("avenant_not_provided" in codes(inp)) is warns


# --- §1 EU/EEA/Swiss nationals and ict_regime ---------------------------------------------------------------
@pytest.mark.parametrize(
    "inp",
    [
        pytest.param(make(nationality="DE", category=F, same_group=True), id="training-same-group"),
        pytest.param(
            make(nationality="CH", category=H, start_date=D(2026, 1, 5), end_date=D(2026, 12, 31)),
            id="hospital-over-6-months",
        ),
        pytest.param(
            make(nationality="NO", start_date=D(2027, 1, 25), end_date=D(2027, 4, 24)), id="feb-90-days"
        ),
        pytest.param(
            avenant(nationality="IS", end_date=D(2026, 3, 31), new_end_date=D(2026, 5, 31)),
            id="short-stay-extended",
        ),
        pytest.param(
            avenant(nationality="IT", category=F, prior_extensions=1), id="training-second-extension"
        ),
        pytest.param(
            avenant(nationality="FR", category=E, end_date=D(2026, 5, 31), new_end_date=D(2026, 6, 30)),
            id="entreprise-avenant-within-6-months",
        ),
    ],
)
def test_eu_citizens_get_no_immigration_law_output(inp: CheckInput) -> None:
    out = evaluate(inp).to_json()
    assert out["regime"] == "eu_citizen" and out["validation_required"] is False
    assert out["warnings"] == []
    assert out["minimum_monthly_resources_eur"] is None and out["resources_sufficient"] is None
    if inp.category != E:
        assert out["minimum_hourly_gratification_eur"] is None


def test_eu_citizens_keep_the_code_de_l_education_rules_of_student_stages() -> None:
    inp = make(
        nationality="ES", end_date=D(2027, 3, 1), hourly_gratification_eur=Decimal("4.00"), programme="eu"
    )
    out = evaluate(inp).to_json()
    assert out["minimum_hourly_gratification_eur"] == "4.50"
    assert out["resources_sufficient"] is None  # no presumption either: everything else is null
    assert [w["code"] for w in out["warnings"]] == ["gratification_below_minimum", "duration_exceeds_limit"]


@pytest.mark.parametrize(
    ("category", "warns"),
    [
        pytest.param(F, True, id="formation-continue"),
        pytest.param(E, False, id="entreprise"),
        pytest.param(H, False, id="hopital"),
    ],
)
def test_ict_regime_only_for_formation_continue(category: Category, warns: bool) -> None:
    assert ("ict_regime" in codes(make(category=category, same_group=True))) is warns


# --- §3 presence hours (D124-6) -----------------------------------------------------------------------
PRESENCE = [
    # (weekly hours, end, presence_hours, gratification owed)
    pytest.param(None, D(2026, 10, 31), None, False, id="no-hours-month-rule-exactly-2-months"),
    pytest.param(None, D(2026, 11, 1), None, True, id="no-hours-month-rule-more-than-2-months"),
    pytest.param("35", D(2026, 10, 31), 305, False, id="35h-61-days-305h"),
    pytest.param("38.5", D(2026, 10, 26), 308, False, id="exactly-308h-is-not-more"),
    pytest.param("38.5", D(2026, 10, 27), 313, True, id="313h-is-more"),
    pytest.param("35.4", D(2026, 10, 31), 308, False, id="308.49h-floored-to-308-not-more"),
    pytest.param("35.5", D(2026, 10, 31), 309, True, id="309.36h-floored-to-309-more"),
    pytest.param("20", D(2026, 11, 30), 260, False, id="part-time-3-months-not-owed"),
    pytest.param("48", D(2026, 10, 20), 342, True, id="full-time-7-weeks-owed"),
    pytest.param("0.5", D(2026, 9, 1), 0, False, id="one-day-half-hour"),
]  # fmt: skip


@pytest.mark.parametrize(("weekly", "end", "hours", "owed"), PRESENCE)
def test_gratification_threshold_counts_presence_hours(
    weekly: str | None, end: date, hours: int | None, owed: bool
) -> None:
    result = evaluate(make(end_date=end, weekly_hours=Decimal(weekly) if weekly else None))
    assert result.presence_hours == hours
    assert (result.minimum_hourly_gratification_eur is not None) is owed
    if owed:
        why = result.explanations["minimum_hourly_gratification_eur"]
        text = "estimated presence" if weekly else "calendar-month rule stands in"
        assert text in why.rule
    if weekly:
        assert "estimate" in result.explanations["presence_hours"].rule


@pytest.mark.parametrize(
    ("weekly", "end", "warns"),
    [
        pytest.param(None, D(2027, 2, 28), False, id="month-rule-6-months"),
        pytest.param(None, D(2027, 3, 1), True, id="month-rule-more-than-6-months"),
        pytest.param("35", D(2027, 2, 28), False, id="905h"),
        pytest.param("48", D(2027, 1, 14), True, id="932h-over-924"),
        pytest.param("48", D(2027, 1, 13), True, id="925.71h-floored-925-over-924"),
        pytest.param("47.95", D(2027, 1, 13), False, id="924.75h-floored-924-not-over"),
        pytest.param("20", D(2027, 3, 31), False, id="part-time-7-months-605h"),
    ],
)
def test_entreprise_six_months_are_924_hours_of_presence(weekly: str | None, end: date, warns: bool) -> None:
    inp = make(end_date=end, weekly_hours=Decimal(weekly) if weekly else None)
    assert ("duration_exceeds_limit" in codes(inp)) is warns


def test_presence_hours_is_given_for_every_category_and_counts_an_avenant_to_its_new_end() -> None:
    assert evaluate(make(category=H, weekly_hours=Decimal("35"))).presence_hours == 905
    # 2026-01-05 to 2026-10-04: 273 days x 35 / 7.
    assert evaluate(avenant(weekly_hours=Decimal("35"))).presence_hours == 1365


def test_entreprise_avenant_gratification_and_duration_count_the_whole_stay() -> None:
    inp = avenant(
        category=E,
        start_date=D(2026, 9, 1),
        end_date=D(2026, 10, 20),
        new_end_date=D(2026, 10, 31),
        weekly_hours=Decimal("35"),
        today=D(2026, 9, 1),
    )
    result = evaluate(inp)
    assert result.presence_hours == 305 and result.minimum_hourly_gratification_eur is None


# --- §3 parameters: parameter_unknown, the new SMIC rows ----------------------------------------------
@pytest.mark.parametrize(
    ("inp", "monthly", "hourly", "unknown"),
    [
        pytest.param(
            make(
                category=F, start_date=D(2021, 12, 31), end_date=D(2022, 6, 30),
                monthly_resources_eur=Decimal("9999"),
            ),
            None, None, 1, id="smic-before-2022-even-with-rows-during-the-stay",
        ),
        pytest.param(
            make(category=F, start_date=D(2022, 1, 1), end_date=D(2022, 4, 30)), "1603.12", None, 0,
            id="smic-2022-01-01",
        ),
        pytest.param(
            make(category=F, start_date=D(2026, 6, 1), end_date=D(2026, 12, 31)), "1867.02", None, 0,
            id="smic-2026-06-01",
        ),
        pytest.param(
            make(category=H, start_date=D(2019, 12, 31), end_date=D(2020, 5, 31)), None, None, 1,
            id="hospital-before-2020",
        ),
        pytest.param(
            make(category=H, start_date=D(2020, 1, 1), end_date=D(2020, 5, 31)), None, "3.90", 0,
            id="hospital-2020-01-01",
        ),
        pytest.param(
            make(start_date=D(2019, 9, 1), end_date=D(2020, 1, 31)), "615.00", None, 1,
            id="entreprise-backdated-but-gratification-unknown",
        ),
        pytest.param(
            make(start_date=D(2015, 9, 1), end_date=D(2015, 10, 31)), "615.00", None, 0,
            id="entreprise-short-stage-in-2015",
        ),
        pytest.param(
            make(nationality="PT", start_date=D(2019, 9, 1), end_date=D(2020, 1, 31)), None, None, 1,
            id="eu-citizen-gratification-unknown",
        ),
    ],
)  # fmt: skip
def test_parameter_unknown_before_a_tables_first_row(
    inp: CheckInput, monthly: str | None, hourly: str | None, unknown: int
) -> None:
    out = evaluate(inp).to_json()
    assert out["minimum_monthly_resources_eur"] == monthly
    assert out["minimum_hourly_gratification_eur"] == hourly
    found = [w for w in out["warnings"] if w["code"] == "parameter_unknown"]
    assert len(found) == unknown
    assert "parameter_changes_during_stay" not in [w["code"] for w in out["warnings"]]
    if unknown and inp.category == F:
        assert out["resources_sufficient"] is None and "smic_monthly_gross" in found[0]["message"]


def test_smic_of_june_2026_changes_during_a_stay_started_before() -> None:
    inp = make(
        category=F, start_date=D(2026, 1, 5), end_date=D(2026, 12, 31), monthly_resources_eur=Decimal("1830")
    )
    out = evaluate(inp).to_json()
    assert (out["minimum_monthly_resources_eur"], out["resources_sufficient"]) == ("1823.03", True)
    changes = [w["message"] for w in out["warnings"] if w["code"] == "parameter_changes_during_stay"]
    assert changes == [changes[0]] and "from 1823.03 to 1867.02 EUR on 2026-06-01" in changes[0]


# --- §4 extensions ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("inp", "warns"),
    [
        pytest.param(avenant(category=F, prior_extensions=0), False, id="training-first-extension"),
        pytest.param(avenant(category=F, prior_extensions=1), True, id="training-second-extension"),
        pytest.param(avenant(category=F, prior_extensions=3), True, id="training-fourth-extension"),
        pytest.param(avenant(category=H, prior_extensions=2), False, id="hospital-not-concerned"),
        pytest.param(make(category=F, prior_extensions=2), False, id="convention-ignores-prior-extensions"),
    ],
)
def test_extension_limit_reached(inp: CheckInput, warns: bool) -> None:
    assert ("extension_limit_reached" in codes(inp)) is warns


@pytest.mark.parametrize(
    ("stays", "warns"),
    [
        pytest.param([], False, id="none"),
        pytest.param([(D(2024, 1, 1), D(2025, 12, 31))], False, id="one-stay-exactly-24-months"),
        pytest.param([(D(2024, 1, 1), D(2026, 1, 1))], True, id="one-stay-24-months-and-a-day"),
        pytest.param(
            [(D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 3, 1), D(2026, 3, 1))], True,
            id="two-stays-366-and-366-days-laid-end-to-end",
        ),
        pytest.param(
            [(D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 3, 1), D(2026, 2, 28))], False,
            id="two-stays-366-and-365-days-exactly-24-months",
        ),
        pytest.param(
            [
                (D(2020, 1, 1), D(2020, 6, 30)),
                (D(2023, 1, 1), D(2023, 6, 30)),
                (D(2026, 1, 1), D(2026, 6, 30)),
            ],
            False, id="three-separate-six-month-stages",
        ),
    ],
)  # fmt: skip
def test_hospital_stages_of_one_intern_total_at_most_24_months(
    stays: list[tuple[date, date]], warns: bool
) -> None:
    found = hospital_total_warning(stays)
    assert (found is not None) is warns
    if found:
        assert found.warning.code == "hospital_total_exceeds_24_months"
