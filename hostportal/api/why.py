"""Every computed date with its why, for the API: the rows of conventions.explain (label, rule and source
in the caller's language) with the value as JSON (`value`, ISO dates) and as a reader writes it
(`display`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils import translation

from conventions import explain
from conventions.models import Avenant, Convention, ResidencePermitApplication, VisaApplication
from conventions.rules import CheckInputError, CheckResult, ParameterValue, permit_filing_window
from conventions.services import avenant_evaluate, convention_evaluate


def language() -> str:
    return (translation.get_language() or "fr")[:2]


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(getattr(value, "value", value))


def _with_values(rows: Sequence[explain.Row], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": row["name"],
            "label": row["label"],
            "value": json_value(values.get(row["name"])),
            "display": row["value"],
            "rule": row["rule"],
            "source": row["source"],
        }
        for row in rows
    ]


def result_rows(result: CheckResult) -> list[dict[str, Any]]:
    values = {name: getattr(result, name) for name, _label in explain.RESULT_ROWS}
    return _with_values(explain.why_rows(result, language()), values)


def warnings(result: CheckResult | None) -> list[dict[str, str]]:
    if result is None:
        return []
    return [{"code": w.code, "message": w.text(language())} for w in result.warnings]


def evaluate(
    obj: Convention | Avenant, today: dt.date, parameters: Sequence[ParameterValue]
) -> CheckResult | None:
    """The engine's answer for a stored file; None when its data cannot be evaluated (an old bad row)."""
    try:
        if isinstance(obj, Avenant):
            return avenant_evaluate(obj, today=today, parameters=parameters)
        return convention_evaluate(obj, today=today, parameters=parameters)
    except (CheckInputError, ValueError, OverflowError):
        return None


def visa_rows(visa: VisaApplication) -> list[dict[str, Any]]:
    lang = language()
    rows = [*explain.ofii_rows(visa.arrived_on, lang), *explain.filing_window_rows(visa.expires_on, lang)]
    values: dict[str, Any] = {"ofii_validation_deadline": visa.ofii_validation_deadline}
    if visa.expires_on is not None:
        opens, deadline = permit_filing_window(expires_on=visa.expires_on)
        values |= {"filing_opens_on": opens.value, "filing_deadline": deadline.value}
    return _with_values(rows, values)


def permit_rows(permit: ResidencePermitApplication, visa_expires_on: dt.date | None) -> list[dict[str, Any]]:
    lang = language()
    rows = [
        *explain.filing_window_rows(visa_expires_on, lang),
        *explain.permit_silence_rows(permit.filed_on, permit.complete_on, lang),
    ]
    values = {
        "filing_opens_on": permit.filing_opens_on,
        "filing_deadline": permit.filing_deadline,
        "silence_deadline": permit.silence_deadline,
    }
    return _with_values(rows, values)
