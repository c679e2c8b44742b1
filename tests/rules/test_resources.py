"""RULES §3 (which minimum, sufficiency, gratification) and §4 (durations)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conventions.rules import (
    BUILTIN_PARAMETERS,
    Category,
    CheckInput,
    CheckResult,
    Programme,
    duration_warnings,
    evaluate,
)
from conventions.rules.resources import parameter_change_warnings

E, F, H = Category.ENTREPRISE, Category.FORMATION_CONTINUE, Category.HOPITAL
D = date


def _evaluate(
    category: Category,
    start: date,
    end: date,
    *,
    programme: Programme | None = None,
    monthly: str | None = None,
    hourly: str | None = None,
) -> CheckResult:
    return evaluate(
        CheckInput(
            category=category,
            nationality="IN",
            start_date=start,
            end_date=end,
            programme=programme,
            monthly_resources_eur=Decimal(monthly) if monthly else None,
            hourly_gratification_eur=Decimal(hourly) if hourly else None,
            today=D(2022, 1, 1),
        )
    )


@pytest.mark.parametrize(
    ("category", "start", "end", "monthly", "hourly"),
    [
        pytest.param(E, D(2026, 9, 1), D(2026, 10, 31), "615.00", None, id="entreprise-2-months-no-hourly"),
        pytest.param(E, D(2026, 9, 1), D(2026, 11, 1), "615.00", "4.50", id="entreprise-more-than-2-months"),
        pytest.param(E, D(2022, 5, 1), D(2022, 12, 31), "615.00", "3.90", id="entreprise-2022"),
        pytest.param(
            F, D(2024, 10, 31), D(2025, 6, 30), "1766.92", None, id="formation-day-before-smic-change"
        ),
        pytest.param(F, D(2024, 11, 1), D(2025, 6, 30), "1801.80", None, id="formation-on-smic-change-day"),
        pytest.param(F, D(2026, 1, 1), D(2026, 12, 31), "1823.03", None, id="formation-2026"),
        pytest.param(H, D(2025, 12, 31), D(2026, 6, 30), None, "4.35", id="hospital-day-before-2026"),
        pytest.param(H, D(2026, 1, 1), D(2026, 6, 30), None, "4.50", id="hospital-2026"),
        pytest.param(H, D(2023, 3, 1), D(2023, 8, 31), None, "4.05", id="hospital-2023"),
    ],
)
def test_minimum_reported_per_category_uses_the_value_in_force_on_start_date(
    category: Category, start: date, end: date, monthly: str | None, hourly: str | None
) -> None:
    result = _evaluate(category, start, end)
    assert result.minimum_monthly_resources_eur == (Decimal(monthly) if monthly else None)
    assert result.minimum_hourly_gratification_eur == (Decimal(hourly) if hourly else None)
    if monthly:
        assert f"in force on start date {start}" in result.explanations["minimum_monthly_resources_eur"].rule
    if hourly and category == E:
        why = result.explanations["minimum_hourly_gratification_eur"]
        assert why.source.startswith("Code de l'éducation L124-6")


def _sufficient(
    category: Category, programme: Programme | None, monthly: str | None, hourly: str | None
) -> bool | None:
    result = _evaluate(
        category, D(2026, 9, 1), D(2027, 2, 28), programme=programme, monthly=monthly, hourly=hourly
    )
    return result.resources_sufficient


@pytest.mark.parametrize(
    ("category", "programme", "monthly", "hourly", "expected"),
    [
        pytest.param(E, None, "615.00", None, True, id="entreprise-exactly-minimum"),
        pytest.param(E, None, "614.99", None, False, id="entreprise-one-cent-short"),
        pytest.param(E, None, None, "10.00", None, id="entreprise-only-hourly-given-is-null"),
        pytest.param(E, None, None, None, None, id="entreprise-nothing-given-is-null"),
        pytest.param(E, Programme.EU, None, None, True, id="entreprise-programme-presumed"),
        pytest.param(
            E, Programme.INTERGOVERNMENTAL, "10.00", None, True, id="entreprise-programme-presumed-low"
        ),
        pytest.param(F, None, "1867.02", None, True, id="formation-exactly-smic"),
        pytest.param(F, None, "1867.01", None, False, id="formation-below-smic"),
        pytest.param(F, Programme.EU, None, None, None, id="formation-programme-not-presumed"),
        pytest.param(F, None, None, "20.00", None, id="formation-only-hourly-is-null"),
        pytest.param(H, None, None, "4.50", True, id="hospital-exactly-minimum"),
        pytest.param(H, None, None, "4.49", False, id="hospital-below-minimum"),
        pytest.param(H, None, "5000.00", None, None, id="hospital-monthly-does-not-count"),
        pytest.param(H, Programme.EU, None, None, None, id="hospital-programme-not-presumed"),
    ],
)
def test_resources_sufficient(
    category: Category,
    programme: Programme | None,
    monthly: str | None,
    hourly: str | None,
    expected: bool | None,
) -> None:
    assert _sufficient(category, programme, monthly, hourly) is expected


@pytest.mark.parametrize(
    ("category", "end", "hourly", "warns"),
    [
        pytest.param(E, D(2026, 11, 1), "4.49", True, id="entreprise-over-2-months-below"),
        pytest.param(E, D(2026, 11, 1), "4.50", False, id="entreprise-over-2-months-at-minimum"),
        pytest.param(E, D(2026, 11, 1), None, False, id="entreprise-no-amount-given"),
        pytest.param(E, D(2026, 10, 31), "0.00", False, id="entreprise-2-months-not-owed"),
        pytest.param(H, D(2027, 1, 31), "1.00", False, id="hospital-uses-resources-sufficient-instead"),
    ],
)
def test_gratification_below_minimum(category: Category, end: date, hourly: str | None, warns: bool) -> None:
    result = _evaluate(category, D(2026, 9, 1), end, hourly=hourly)
    assert ("gratification_below_minimum" in [w.code for w in result.warnings]) is warns
    if warns:
        assert "Code de l'éducation L124-6" in result.sources


def test_parameter_change_warning_names_old_and_new_values() -> None:
    found = parameter_change_warnings(
        keys=["smic_monthly_gross"],
        start_date=D(2024, 6, 1),
        stay_end=D(2024, 12, 31),
        parameters=BUILTIN_PARAMETERS,
    )
    assert [f.warning.code for f in found] == ["parameter_changes_during_stay"]
    assert "from 1766.92 to 1801.80 EUR on 2024-11-01" in found[0].warning.message


@pytest.mark.parametrize(
    ("category", "start", "end", "new_end", "count"),
    [
        # entreprise: more than 6 months with the same host (L124-5); with an avenant, the whole stay.
        pytest.param(E, D(2026, 1, 1), D(2026, 6, 30), None, 0, id="entreprise-exactly-6-months"),
        pytest.param(E, D(2026, 1, 1), D(2026, 7, 1), None, 1, id="entreprise-6-months-and-a-day"),
        pytest.param(
            E, D(2026, 1, 1), D(2026, 4, 30), D(2026, 6, 30), 0, id="entreprise-avenant-to-6-months"
        ),
        pytest.param(
            E, D(2026, 1, 1), D(2026, 4, 30), D(2026, 7, 1), 1, id="entreprise-avenant-beyond-6-months"
        ),
        # formation_continue: initial over 12 months, or over 18 with its extension.
        pytest.param(F, D(2026, 1, 1), D(2026, 12, 31), None, 0, id="formation-exactly-12-months"),
        pytest.param(F, D(2026, 1, 1), D(2027, 1, 1), None, 1, id="formation-initial-over-12"),
        pytest.param(
            F, D(2026, 1, 1), D(2026, 12, 31), D(2027, 6, 30), 0, id="formation-exactly-18-with-extension"
        ),
        pytest.param(
            F, D(2026, 1, 1), D(2026, 12, 31), D(2027, 7, 1), 1, id="formation-over-18-with-extension"
        ),
        pytest.param(F, D(2026, 1, 1), D(2027, 1, 1), D(2027, 7, 1), 2, id="formation-both-limits"),
        # hopital: initial over 6 months, or an extension over 6 months (days after end_date).
        pytest.param(H, D(2026, 1, 1), D(2026, 6, 30), None, 0, id="hospital-exactly-6-months"),
        pytest.param(H, D(2026, 1, 1), D(2026, 7, 1), None, 1, id="hospital-initial-over-6"),
        pytest.param(H, D(2026, 1, 1), D(2026, 6, 30), D(2026, 12, 31), 0, id="hospital-extension-exactly-6"),
        pytest.param(H, D(2026, 1, 1), D(2026, 6, 30), D(2027, 1, 1), 1, id="hospital-extension-over-6"),
        pytest.param(
            H, D(2026, 3, 1), D(2026, 8, 31), D(2027, 2, 28), 0, id="hospital-extension-from-sep1-6-months"
        ),
        pytest.param(
            H, D(2026, 3, 1), D(2026, 8, 31), D(2027, 3, 1), 1, id="hospital-extension-from-sep1-over-6"
        ),
        pytest.param(H, D(2026, 1, 1), D(2026, 7, 1), D(2027, 1, 2), 2, id="hospital-both-over-6"),
    ],
)
def test_duration_exceeds_limit(
    category: Category, start: date, end: date, new_end: date | None, count: int
) -> None:
    found = duration_warnings(category=category, start_date=start, end_date=end, new_end_date=new_end)
    assert [f.warning.code for f in found] == ["duration_exceeds_limit"] * count
    expected_source = "Code de l'éducation L124-5" if category == E else "former CESEDA R313-10-3"
    assert all(f.source.startswith(expected_source) for f in found)
