"""The "why these dates" rows, for every interface (admin, portal, API): each value with its rule and source.

Every row is a value with the engine's Explanation (its rule and its legal source), in the reader's language:
the CheckResult of a convention or an avenant, and the dates the services store outside it (a visa's OFII
deadline, a carte de séjour's filing window and silence deadline), computed by the same engine functions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conventions.rules import (
    CheckResult,
    ExplainedDate,
    Explanation,
    permit_filing_window,
    residence_permit_silence_deadline,
    sources,
    vls_ts_validation_deadline,
)

Row = dict[str, str]

# The values of a CheckResult worth explaining, in reading order.
RESULT_ROWS = [
    ("regime", gettext_lazy("Regime")),
    ("validation_required", gettext_lazy("Validation required")),
    ("filing_deadline", gettext_lazy("Filing deadline")),
    ("late_filing", gettext_lazy("Late filing")),
    ("silence_days", gettext_lazy("Silence delay (days)")),
    ("silence_deadline", gettext_lazy("Silence deadline")),
    ("silence_outcome", gettext_lazy("Outcome of silence")),
    ("minimum_monthly_resources_eur", gettext_lazy("Minimum monthly resources (EUR)")),
    ("minimum_hourly_gratification_eur", gettext_lazy("Minimum hourly gratification (EUR)")),
    ("resources_sufficient", gettext_lazy("Resources sufficient")),
    ("presence_hours", gettext_lazy("Presence (hours, estimated)")),
]

# The engine's enumerated values, as a reader says them.
VALUE_LABELS = {
    "standard": gettext_lazy("standard"),
    "eu_citizen": gettext_lazy("EU/EEA/Swiss citizen"),
    "short_stay": gettext_lazy("short stay"),
    "algerian_agreement": gettext_lazy("Franco-Algerian agreement"),
    "canadian_exemption": gettext_lazy("Canadian exemption"),
    "refused": gettext_lazy("refusal"),
    "accepted": gettext_lazy("acceptance"),
}


def display_value(value: Any) -> str:
    """A value as the reader writes it: dates in the active language's format, yes/no, amounts."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        # 615,00 in French, 615.00 in English: the reader's own decimal separator.
        exponent = value.as_tuple().exponent
        return formats.number_format(value, decimal_pos=-exponent if isinstance(exponent, int) else None)
    raw = str(getattr(value, "value", value))
    return str(VALUE_LABELS.get(raw, raw))


def row(name: str, label: Any, value: Any, why: Explanation | None, language: str) -> Row:
    text = str(label)
    return {
        "name": name,
        "label": text[:1].upper() + text[1:],
        "value": display_value(value),
        "rule": why.text(language) if why else "",
        "source": why.source if why else "",
    }


def date_row(name: str, label: Any, date: ExplainedDate, language: str) -> Row:
    return row(name, label, date.value, date.explanation, language)


def why_rows(result: CheckResult, language: str) -> list[Row]:
    rows = []
    for name, label in RESULT_ROWS:
        value = getattr(result, name)
        why: Explanation | None = result.explanations.get(name)
        if value is not None or why is not None:
            rows.append(row(name, label, value, why, language))
    return rows


# --- the dates the services store outside the CheckResult, each from its engine function ------------------


def ofii_rows(arrived_on: dt.date | None, language: str) -> list[Row]:
    """The VLS-TS validation with the OFII, 3 months after arrival (CESEDA R431-16)."""
    name, label = "ofii_validation_deadline", _("OFII validation deadline")
    if arrived_on is None:
        why = Explanation(
            "3 months after the intern's arrival in France: known once the arrival is recorded",
            sources.VLS_TS_VALIDATION,
            "3 mois après l’arrivée du stagiaire en France : connue une fois l’arrivée enregistrée",
        )
        return [row(name, label, None, why, language)]
    return [date_row(name, label, vls_ts_validation_deadline(arrived_on=arrived_on), language)]


def filing_window_rows(expires_on: dt.date | None, language: str) -> list[Row]:
    """The carte de séjour filing window, 120 to 60 days before the visa expires (CESEDA R431-5)."""
    labels = [
        ("filing_opens_on", _("Carte de séjour: filing opens")),
        ("filing_deadline", _("Carte de séjour: filing deadline")),
    ]
    if expires_on is None:
        why = Explanation(
            "120 to 60 days before the long-stay visa expires: known once the visa is issued with its expiry",
            sources.PERMIT_FILING_WINDOW,
            "120 à 60 jours avant l’expiration du visa de long séjour : connue une fois le visa délivré "
            "avec sa date d’expiration",
        )
        return [row(name, label, None, why, language) for name, label in labels]
    dates = permit_filing_window(expires_on=expires_on)
    return [date_row(name, label, date, language) for (name, label), date in zip(labels, dates, strict=True)]


def permit_silence_rows(filed_on: dt.date | None, complete_on: dt.date | None, language: str) -> list[Row]:
    """Silence kept 90 days after the complete application is a refusal (CESEDA R426-17)."""
    name, label = "silence_deadline", _("Silence deadline (implicit refusal after it)")
    if filed_on is None:
        why = Explanation(
            "90 days after the complete application (the filing date unless a later complete date is "
            "recorded): known once the application is filed",
            sources.RESIDENCE_PERMIT_SILENCE,
            "90 jours après la demande complète (la date du dépôt, sauf date de complétude ultérieure "
            "enregistrée) : connue une fois la demande déposée",
        )
        return [row(name, label, None, why, language)]
    deadline = residence_permit_silence_deadline(filed_on=filed_on, complete_on=complete_on)
    return [date_row(name, label, deadline, language)]


def warning_text(warning: Any, language: str) -> str:
    """A rule warning in the reader's language (the engine's French sentence when it has one)."""
    text = getattr(warning, "text", None)
    return str(text(language)) if callable(text) else str(warning.message)


def overlap_warnings(others: list[Any]) -> list[str]:
    """One sentence per other stay of the same intern at the same time."""
    return [
        _(
            "This stay overlaps convention #%(pk)s of the same intern (%(start)s – %(end)s): an intern "
            "cannot follow two stages at once; check the dates or withdraw one of them."
        )
        % {
            "pk": other.pk,
            "start": display_value(other.start_date),
            "end": display_value(other.effective_end_date),
        }
        for other in others
    ]
