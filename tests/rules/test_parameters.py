"""RULES §3: the effective-dated parameter table and its lookup."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from conventions.rules import (
    BUILTIN_PARAMETERS,
    ENTREPRISE_MONTHLY_MINIMUM,
    HOSPITAL_HOURLY_GRATIFICATION_MINIMUM,
    PARAMETER_KEYS,
    SMIC_MONTHLY_GROSS,
    ParameterValue,
    UnknownParameterError,
    parameter_in_force,
)
from conventions.rules.parameters import parameter_change_during, parameter_label

ENT, SMIC, HOSP = ENTREPRISE_MONTHLY_MINIMUM, SMIC_MONTHLY_GROSS, HOSPITAL_HOURLY_GRATIFICATION_MINIMUM

# Every row of RULES §3 (version 2): (key, effective_from, value, value in force the day before; None
# before a table's first row, except the backdated entreprise allowance).
ROWS = [
    pytest.param(ENT, date(2022, 5, 1), "615.00", "615.00", id="entreprise-615-backdated"),
    pytest.param(SMIC, date(2022, 1, 1), "1603.12", None, id="smic-2022-01-first-row"),
    pytest.param(SMIC, date(2022, 5, 1), "1645.58", "1603.12", id="smic-2022-05"),
    pytest.param(SMIC, date(2022, 8, 1), "1678.95", "1645.58", id="smic-2022-08"),
    pytest.param(SMIC, date(2023, 1, 1), "1709.28", "1678.95", id="smic-2023-01"),
    pytest.param(SMIC, date(2023, 5, 1), "1747.20", "1709.28", id="smic-2023-05"),
    pytest.param(SMIC, date(2024, 1, 1), "1766.92", "1747.20", id="smic-2024-01"),
    pytest.param(SMIC, date(2024, 11, 1), "1801.80", "1766.92", id="smic-2024-11"),
    pytest.param(SMIC, date(2026, 1, 1), "1823.03", "1801.80", id="smic-2026-01"),
    pytest.param(SMIC, date(2026, 6, 1), "1867.02", "1823.03", id="smic-2026-06"),
    pytest.param(HOSP, date(2020, 1, 1), "3.90", None, id="hospital-2020-first-row"),
    pytest.param(HOSP, date(2023, 1, 1), "4.05", "3.90", id="hospital-2023"),
    pytest.param(HOSP, date(2024, 1, 1), "4.35", "4.05", id="hospital-2024-and-2025"),
    pytest.param(HOSP, date(2026, 1, 1), "4.50", "4.35", id="hospital-2026"),
]


def _value(key: str, on: date) -> Decimal | None:
    row = parameter_in_force(BUILTIN_PARAMETERS, key, on)
    return None if row is None else row.value


@pytest.mark.parametrize(("key", "effective_from", "value", "before"), ROWS)
def test_each_row_is_in_force_from_its_day_and_not_the_day_before(
    key: str, effective_from: date, value: str, before: str | None
) -> None:
    assert [(r.key, r.effective_from, r.value) for r in BUILTIN_PARAMETERS].count(
        (key, effective_from, Decimal(value))
    ) == 1
    assert _value(key, effective_from) == Decimal(value)
    day_before = effective_from - timedelta(days=1)
    assert _value(key, day_before) == (None if before is None else Decimal(before))


def test_builtin_table_has_exactly_the_rules_rows() -> None:
    assert len(BUILTIN_PARAMETERS) == len(ROWS)
    assert all(row.source for row in BUILTIN_PARAMETERS)
    assert {row.key for row in BUILTIN_PARAMETERS} == set(PARAMETER_KEYS)


@pytest.mark.parametrize(
    ("key", "on", "value"),
    [
        pytest.param(ENT, date(1990, 1, 1), "615.00", id="entreprise-backdated-to-every-date"),
        pytest.param(SMIC, date(2021, 12, 31), None, id="smic-before-first-row-is-unknown"),
        pytest.param(HOSP, date(2019, 12, 31), None, id="hospital-before-first-row-is-unknown"),
        pytest.param(HOSP, date(2022, 6, 1), "3.90", id="hospital-2022"),
        pytest.param(SMIC, date(2025, 6, 1), "1801.80", id="smic-2025-no-new-row"),
        pytest.param(SMIC, date(2030, 1, 1), "1867.02", id="far-future-uses-latest"),
    ],
)
def test_lookup_outside_the_rows(key: str, on: date, value: str | None) -> None:
    assert _value(key, on) == (None if value is None else Decimal(value))


def test_lookup_does_not_depend_on_row_order() -> None:
    shuffled = tuple(reversed(BUILTIN_PARAMETERS))
    row = parameter_in_force(shuffled, SMIC, date(2023, 6, 1))
    assert row is not None and row.value == Decimal("1747.20")


def test_an_added_row_takes_effect_without_code_change() -> None:
    rows = (*BUILTIN_PARAMETERS, ParameterValue(ENT, date(2027, 1, 1), Decimal("700.00"), "new order"))
    before, after = (
        parameter_in_force(rows, ENT, date(2026, 12, 31)),
        parameter_in_force(rows, ENT, date(2027, 1, 1)),
    )
    assert before is not None and before.value == Decimal("615.00")
    assert after is not None and after.source == "new order"


def test_unknown_key_raises() -> None:
    with pytest.raises(UnknownParameterError, match="no value for parameter 'nope'"):
        parameter_in_force(BUILTIN_PARAMETERS, "nope", date(2026, 1, 1))


@pytest.mark.parametrize(
    ("key", "start", "end", "changed_on"),
    [
        pytest.param(SMIC, date(2024, 6, 1), date(2024, 10, 31), None, id="ends-the-day-before-a-change"),
        pytest.param(SMIC, date(2024, 6, 1), date(2024, 11, 1), date(2024, 11, 1), id="ends-on-change-day"),
        pytest.param(SMIC, date(2024, 11, 1), date(2025, 6, 1), None, id="starts-on-change-day"),
        pytest.param(HOSP, date(2024, 6, 1), date(2025, 6, 1), None, id="same-value-row-does-not-count"),
        pytest.param(HOSP, date(2024, 6, 1), date(2026, 1, 1), date(2026, 1, 1), id="skips-same-value-row"),
        pytest.param(ENT, date(2022, 1, 1), date(2023, 1, 1), None, id="single-row-before-first-row"),
        pytest.param(SMIC, date(2021, 6, 1), date(2022, 3, 1), None, id="unknown-at-start-is-not-a-change"),
        pytest.param(SMIC, date(2026, 1, 5), date(2026, 6, 1), date(2026, 6, 1), id="smic-june-2026"),
    ],
)
def test_parameter_change_during(key: str, start: date, end: date, changed_on: date | None) -> None:
    row = parameter_change_during(BUILTIN_PARAMETERS, key, start, end)
    assert (row.effective_from if row else None) == changed_on


def test_parameter_keys_describe_what_they_are_the_minimum_of() -> None:
    for key, definition in PARAMETER_KEYS.items():
        assert definition.label and definition.minimum_of and definition.unit.startswith("EUR/"), key
    assert parameter_label("custom_key") == "custom_key"
