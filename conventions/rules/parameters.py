"""RULES §3: effective-dated legal amounts.

The value in force on a date is the row with the latest `effective_from` on or before that date. The
service layer loads the same rows from the database (administrators add rows without a code change) and
passes them to the engine; `BUILTIN_PARAMETERS` is the table of RULES §3 used by the CLI and as default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

ENTREPRISE_MONTHLY_MINIMUM = "entreprise_monthly_minimum"
SMIC_MONTHLY_GROSS = "smic_monthly_gross"
HOSPITAL_HOURLY_GRATIFICATION_MINIMUM = "hospital_hourly_gratification_minimum"


@dataclass(frozen=True)
class ParameterValue:
    """One row: `value` is in force from `effective_from` until the next row of the same key."""

    key: str
    effective_from: date
    value: Decimal
    source: str


@dataclass(frozen=True)
class ParameterDefinition:
    """What a parameter key means, for admin screens and explanations.

    `backdated`: the first row also serves the dates before it (RULES §3: the entreprise allowance is the
    seed's only value, "applied to every date until a newer row is added"). Without it, a date before the
    first row has no value (`parameter_unknown`).
    """

    label: str
    minimum_of: str
    unit: str
    label_fr: str = ""
    backdated: bool = False


PARAMETER_KEYS: Mapping[str, ParameterDefinition] = MappingProxyType(
    {
        ENTREPRISE_MONTHLY_MINIMUM: ParameterDefinition(
            label="Base monthly allowance of French-government scholarship holders",
            minimum_of="monthly resources (gratification counted) of an intern on a company stage",
            unit="EUR/month",
            label_fr="Allocation d’entretien de base des boursiers du gouvernement français",
            backdated=True,
        ),
        SMIC_MONTHLY_GROSS: ParameterDefinition(
            label="Gross monthly SMIC (35 hours a week)",
            minimum_of="monthly resources of an intern in continuing vocational training",
            unit="EUR/month",
            label_fr="SMIC mensuel brut (35 heures par semaine)",
        ),
        HOSPITAL_HOURLY_GRATIFICATION_MINIMUM: ParameterDefinition(
            label="15 % of the hourly social-security ceiling",
            minimum_of=(
                "hourly gratification of a hospital intern (hopital) and of a company stage (entreprise) "
                "longer than 2 months"
            ),
            unit="EUR/hour",
            label_fr="15 % du plafond horaire de la sécurité sociale",
        ),
    }
)


def parameter_label(key: str, language: str = "en") -> str:
    """The human label of a key; a key added by an administrator without a definition shows as is."""
    definition = PARAMETER_KEYS.get(key)
    if definition is None:
        return key
    return definition.label_fr if language == "fr" and definition.label_fr else definition.label


def _row(key: str, effective_from: str, value: str, source: str) -> ParameterValue:
    return ParameterValue(key, date.fromisoformat(effective_from), Decimal(value), source)


_SMIC = "SMIC decree: {} EUR/h x 35 h x 52 / 12"
_CEILING = "15 % x {} EUR hourly social-security ceiling for {} (yearly ceiling order)"

BUILTIN_PARAMETERS: tuple[ParameterValue, ...] = (
    # Seed: "allocation d'entretien de base versée aux boursiers du gouvernement français, soit 615 €";
    # the only value known, applied to every date (backdated) until a newer row is added.
    _row(ENTREPRISE_MONTHLY_MINIMUM, "2022-05-01", "615.00", "Seed; old CESEDA R313-10-2"),
    _row(SMIC_MONTHLY_GROSS, "2022-01-01", "1603.12", "SMIC decree 2021-1741: 10.57 EUR/h x 35 h x 52 / 12"),
    _row(SMIC_MONTHLY_GROSS, "2022-05-01", "1645.58", "Seed; " + _SMIC.format("10.85")),
    _row(SMIC_MONTHLY_GROSS, "2022-08-01", "1678.95", _SMIC.format("11.07")),
    _row(SMIC_MONTHLY_GROSS, "2023-01-01", "1709.28", _SMIC.format("11.27")),
    _row(SMIC_MONTHLY_GROSS, "2023-05-01", "1747.20", _SMIC.format("11.52")),
    _row(SMIC_MONTHLY_GROSS, "2024-01-01", "1766.92", _SMIC.format("11.65")),
    _row(SMIC_MONTHLY_GROSS, "2024-11-01", "1801.80", _SMIC.format("11.88")),
    _row(SMIC_MONTHLY_GROSS, "2026-01-01", "1823.03", _SMIC.format("12.02")),
    _row(SMIC_MONTHLY_GROSS, "2026-06-01", "1867.02", "arrêté du 22 mai 2026: 12.31 EUR/h x 35 h x 52 / 12"),
    _row(HOSPITAL_HOURLY_GRATIFICATION_MINIMUM, "2020-01-01", "3.90", "Seed (3.90 = 26 x 0.15)"),
    _row(HOSPITAL_HOURLY_GRATIFICATION_MINIMUM, "2023-01-01", "4.05", _CEILING.format("27", "2023")),
    # 29 EUR in 2024, unchanged in 2025 (RULES §3): one row.
    _row(HOSPITAL_HOURLY_GRATIFICATION_MINIMUM, "2024-01-01", "4.35", _CEILING.format("29", "2024")),
    _row(HOSPITAL_HOURLY_GRATIFICATION_MINIMUM, "2026-01-01", "4.50", _CEILING.format("30", "2026")),
)


class UnknownParameterError(LookupError):
    """No row at all for a parameter key."""


def parameter_rows(parameters: Sequence[ParameterValue], key: str) -> list[ParameterValue]:
    """The rows of one key, oldest first (rows loaded from a database may come in any order)."""
    rows = sorted((row for row in parameters if row.key == key), key=lambda row: row.effective_from)
    if not rows:
        raise UnknownParameterError(f"no value for parameter {key!r}")
    return rows


def parameter_in_force(parameters: Sequence[ParameterValue], key: str, on: date) -> ParameterValue | None:
    """The row with the latest effective_from <= `on`, or None when `on` is before the first row.

    RULES §3: a date before the first row of a table has no value and nothing is guessed
    (`parameter_unknown`), except for a backdated key whose first row serves every earlier date.
    """
    rows = parameter_rows(parameters, key)
    in_force = [row for row in rows if row.effective_from <= on]
    if in_force:
        return in_force[-1]
    definition = PARAMETER_KEYS.get(key)
    return rows[0] if definition is not None and definition.backdated else None


def first_row(parameters: Sequence[ParameterValue], key: str) -> ParameterValue:
    return parameter_rows(parameters, key)[0]


def parameter_change_during(
    parameters: Sequence[ParameterValue], key: str, start: date, end: date
) -> ParameterValue | None:
    """The first row taking effect after `start` and on or before `end` with a different value.

    RULES §3: the value in force on the start date is used; a newer value during the stay only warns.
    A row that repeats the same amount changes nothing and does not warn. With no value in force on the
    start date there is nothing to change from: `parameter_unknown` says so instead.
    """
    current = parameter_in_force(parameters, key, start)
    if current is None:
        return None
    for row in parameter_rows(parameters, key):
        if start < row.effective_from <= end and row.value != current.value:
            return row
    return None
