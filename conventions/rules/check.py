"""RULES §6: one evaluation of every rule for one convention or avenant, with its explanations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from . import sources
from .base import (
    PROGRAMME_FR,
    Category,
    ExplainedAmount,
    ExplainedDate,
    Explanation,
    Kind,
    Programme,
    Regime,
    RuleWarning,
    SilenceOutcome,
    SourcedWarning,
    eur,
    fr_date,
    fr_number,
    split_sources,
)
from .dates import (
    AVENANT_SILENCE_DAYS,
    acknowledgment_warning,
    avenant_filing_deadline,
    avenant_silence_deadline,
    convention_filing_deadline,
    convention_silence_days,
    convention_silence_deadline,
    due_date_missing_warning,
    entreprise_avenant_silence,
    late_filing,
    late_filing_explanation,
    late_request_warning,
    request_applies,
    silence_base_deadline,
)
from .durations import duration_warnings, extension_limit_warning
from .inputs import CheckInput, CheckInputError, consistency_errors, input_values
from .months import inclusive_days
from .parameters import BUILTIN_PARAMETERS, ParameterValue
from .parsing import out_of_range_errors
from .presence import presence_hours
from .regime import (
    algerian_warning,
    avenant_not_provided_warning,
    determine_regime,
    ict_warning,
    schengen_warning,
    short_stay_extended_warning,
)
from .resources import (
    MONTHLY_KEYS,
    amount_in_force,
    gratification_owed,
    gratification_warning,
    hourly_key,
    owed_gratification_amount,
    parameter_change_warnings,
    parameter_unknown_warning,
    resources_sufficient,
)


@dataclass(frozen=True)
class CheckResult:
    """RULES §6 output; `explanations` (field -> how it was obtained) is not part of the JSON contract."""

    validation_required: bool
    regime: Regime
    filing_deadline: date | None
    late_filing: bool | None
    silence_days: int | None
    silence_deadline: date | None
    silence_outcome: SilenceOutcome | None
    minimum_monthly_resources_eur: Decimal | None
    minimum_hourly_gratification_eur: Decimal | None
    resources_sufficient: bool | None
    warnings: tuple[RuleWarning, ...] = ()
    sources: tuple[str, ...] = ()
    presence_hours: int | None = None
    explanations: dict[str, Explanation] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        """Exactly the RULES §6 output keys: ISO dates, amounts as 2-decimal strings."""
        return {
            "validation_required": self.validation_required,
            "regime": self.regime.value,
            "filing_deadline": _iso(self.filing_deadline),
            "late_filing": self.late_filing,
            "silence_days": self.silence_days,
            "silence_deadline": _iso(self.silence_deadline),
            "silence_outcome": None if self.silence_outcome is None else self.silence_outcome.value,
            "minimum_monthly_resources_eur": format_amount(self.minimum_monthly_resources_eur),
            "minimum_hourly_gratification_eur": format_amount(self.minimum_hourly_gratification_eur),
            "resources_sufficient": self.resources_sufficient,
            "warnings": [{"code": warning.code, "message": warning.message} for warning in self.warnings],
            "sources": list(self.sources),
            "presence_hours": self.presence_hours,
        }

    def explanations_to_json(self) -> dict[str, dict[str, str]]:
        """The "why this value" companion of `to_json`: field -> {rule, rule_fr, source}."""
        return {
            name: {"rule": why.rule, "rule_fr": why.rule_fr, "source": why.source}
            for name, why in self.explanations.items()
        }

    def with_warnings(self, extra: Sequence[SourcedWarning]) -> CheckResult:
        """The same result with warnings the services add (the hospital 24-month total), sources cited."""
        if not extra:
            return self
        cited = list(self.sources)
        for found in extra:
            cited += [single for single in split_sources(found.source) if single not in cited]
        warnings = (*self.warnings, *(found.warning for found in extra))
        return replace(self, warnings=warnings, sources=tuple(cited))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def format_amount(amount: Decimal | None) -> str | None:
    """An amount as a string with exactly 2 decimals ("615.00"), or None."""
    return None if amount is None else eur(amount)


class _Collector:
    """Accumulates explanations, warnings and the deduplicated list of sources, in order of use."""

    def __init__(self) -> None:
        self.explanations: dict[str, Explanation] = {}
        self.warnings: list[RuleWarning] = []
        self.sources: list[str] = []

    def cite(self, source: str) -> None:
        for single in split_sources(source):
            if single not in self.sources:
                self.sources.append(single)

    def explain(self, name: str, explanation: Explanation | None) -> None:
        if explanation is not None:
            self.explanations[name] = explanation
            self.cite(explanation.source)

    def warn(self, found: SourcedWarning | None) -> None:
        if found is not None:
            self.warnings.append(found.warning)
            self.cite(found.source)


@dataclass(frozen=True)
class _Procedure:
    filing_deadline: date | None = None
    late_filing: bool | None = None
    silence_days: int | None = None
    silence_deadline: date | None = None
    silence_outcome: SilenceOutcome | None = None


@dataclass(frozen=True)
class _Money:
    minimum_monthly: ExplainedAmount | None
    minimum_hourly: ExplainedAmount | None
    sufficient: bool | None


def _stay_end(inp: CheckInput) -> date:
    """The last day of the stay being assessed: the requested new end for an avenant."""
    return inp.new_end_date if inp.kind == Kind.AVENANT and inp.new_end_date else inp.end_date


def _is_entreprise_avenant(inp: CheckInput) -> bool:
    return inp.kind == Kind.AVENANT and inp.category == Category.ENTREPRISE


def _stay_warnings(inp: CheckInput, regime: Regime, required: bool, out: _Collector) -> None:
    """Immigration-law warnings: none at all for EU/EEA/Swiss nationals (RULES §1)."""
    if regime == Regime.EU_CITIZEN:
        return
    if regime == Regime.ALGERIAN_AGREEMENT:
        out.warn(algerian_warning())
    out.warn(schengen_warning(inp.start_date, inp.end_date))
    if inp.kind == Kind.AVENANT and inp.new_end_date is not None:
        out.warn(
            short_stay_extended_warning(
                start_date=inp.start_date, end_date=inp.end_date, new_end_date=inp.new_end_date
            )
        )
    if inp.same_group and inp.category == Category.FORMATION_CONTINUE:
        out.warn(ict_warning())
    if required and _is_entreprise_avenant(inp):
        out.warn(avenant_not_provided_warning())


def _filing(inp: CheckInput, filing: ExplainedDate, out: _Collector) -> tuple[date, bool]:
    deadline = filing.value
    if deadline is None:
        raise ValueError("a filing deadline always exists")
    late = late_filing(filing_deadline=deadline, received_on=inp.received_on, today=inp.today)
    why = late_filing_explanation(filing_deadline=deadline, received_on=inp.received_on, today=inp.today)
    out.explain("filing_deadline", filing.explanation)
    out.explain("late_filing", Explanation(why.rule, filing.explanation.source, why.rule_fr))
    return deadline, late


def _base_deadline(inp: CheckInput, silence_days: int, source: str) -> date | None:
    if inp.received_on is None:
        return None
    return silence_base_deadline(
        received_on=inp.received_on,
        silence_days=silence_days,
        acknowledged_decision_on=inp.acknowledged_decision_on,
        source=source,
    ).value


def _silence_warnings(inp: CheckInput, silence_days: int, source: str, out: _Collector) -> date | None:
    """CRPA R112-5 and L114-5 warnings shared by conventions and avenants; returns the base deadline."""
    base = _base_deadline(inp, silence_days, source)
    if base is None or inp.received_on is None:
        return None
    out.warn(
        acknowledgment_warning(
            received_on=inp.received_on,
            silence_days=silence_days,
            acknowledged_decision_on=inp.acknowledged_decision_on,
        )
    )
    out.warn(late_request_warning(base_deadline=base, documents_requested_on=inp.documents_requested_on))
    return base


def _convention_procedure(inp: CheckInput, out: _Collector) -> _Procedure:
    deadline, late = _filing(
        inp, convention_filing_deadline(start_date=inp.start_date, programme=inp.programme), out
    )
    days = convention_silence_days(inp.programme)
    silence = convention_silence_deadline(
        received_on=inp.received_on,
        programme=inp.programme,
        documents_requested_on=inp.documents_requested_on,
        documents_received_on=inp.documents_received_on,
        documents_due_on=inp.documents_due_on,
        acknowledged_decision_on=inp.acknowledged_decision_on,
    )
    source = sources.CONVENTION_SILENCE if inp.programme is None else sources.CONVENTION_SILENCE_PROGRAMME
    if inp.programme is None:
        why_days, why_days_fr = "no programme", "sans programme"
    else:
        why_days, why_days_fr = f"{inp.programme} programme", PROGRAMME_FR[Programme(inp.programme)]
    out.explain(
        "silence_days",
        Explanation(
            f"{days} days of silence ({why_days})", source, f"{days} jours de silence ({why_days_fr})"
        ),
    )
    out.explain("silence_deadline", silence.explanation)
    out.explain(
        "silence_outcome",
        Explanation(
            "the prefect's silence on a convention is a refusal",
            source,
            "le silence du préfet sur une convention vaut refus",
        ),
    )
    base = _silence_warnings(inp, days, source, out)
    requested = inp.documents_requested_on
    awaited = inp.documents_received_on is None and inp.documents_due_on is None
    if (
        base is not None
        and requested
        and awaited
        and request_applies(silence_deadline=base, documents_requested_on=requested)
    ):
        out.warn(due_date_missing_warning(requested))
    return _Procedure(deadline, late, days, silence.value, SilenceOutcome.REFUSED)


def _avenant_procedure(inp: CheckInput, out: _Collector) -> _Procedure:
    deadline, late = _filing(inp, avenant_filing_deadline(end_date=inp.end_date), out)
    if inp.category == Category.ENTREPRISE:
        # R426-21 covers only R426-16 2° and 3°: no delay, no implicit decision (RULES §2).
        out.explain("silence_deadline", entreprise_avenant_silence())
        return _Procedure(deadline, late)
    silence = avenant_silence_deadline(
        received_on=inp.received_on,
        documents_requested_on=inp.documents_requested_on,
        documents_received_on=inp.documents_received_on,
        documents_due_on=inp.documents_due_on,
        acknowledged_decision_on=inp.acknowledged_decision_on,
    )
    days, source = AVENANT_SILENCE_DAYS, sources.AVENANT_SILENCE
    out.explain(
        "silence_days",
        Explanation(
            f"{days} days of silence for an avenant", source, f"{days} jours de silence pour un avenant"
        ),
    )
    out.explain("silence_deadline", silence.explanation)
    out.explain(
        "silence_outcome",
        Explanation(
            "the prefect's silence on an avenant is an acceptance",
            source,
            "le silence du préfet sur un avenant vaut acceptation",
        ),
    )
    _silence_warnings(inp, days, source, out)
    return _Procedure(deadline, late, days, silence.value, SilenceOutcome.ACCEPTED)


def _minimum(
    key: str | None, inp: CheckInput, parameters: Sequence[ParameterValue], out: _Collector
) -> ExplainedAmount | None:
    """The value in force on the start date; before the table's first row, None and `parameter_unknown`."""
    if key is None:
        return None
    amount = amount_in_force(parameters, key, inp.start_date)
    if amount is None:
        out.warn(parameter_unknown_warning(parameters, key, inp.start_date))
    return amount


def _money(inp: CheckInput, regime: Regime, parameters: Sequence[ParameterValue], out: _Collector) -> _Money:
    """RULES §3. EU/EEA/Swiss nationals keep only the Code de l'éducation minimum (entreprise > 2 months)."""
    immigration_law = regime != Regime.EU_CITIZEN
    stay_end = _stay_end(inp)
    owed = gratification_owed(
        category=inp.category, start_date=inp.start_date, stay_end=stay_end, weekly_hours=inp.weekly_hours
    )
    monthly_key = MONTHLY_KEYS.get(inp.category) if immigration_law else None
    hourly = hourly_key(category=inp.category, owed=owed, immigration_law=immigration_law)
    monthly_amount = _minimum(monthly_key, inp, parameters, out)
    hourly_amount = _minimum(hourly, inp, parameters, out)
    if hourly_amount is not None and owed is not None and owed.exceeds:
        hourly_amount = owed_gratification_amount(hourly_amount, owed)
    sufficient = None
    if immigration_law:
        verdict = resources_sufficient(
            category=inp.category,
            programme=inp.programme,
            monthly_resources_eur=inp.monthly_resources_eur,
            hourly_gratification_eur=inp.hourly_gratification_eur,
            minimum_monthly=monthly_amount,
            minimum_hourly=hourly_amount,
        )
        out.explain("resources_sufficient", verdict.explanation)
        sufficient = verdict.value
    out.explain("minimum_monthly_resources_eur", monthly_amount.explanation if monthly_amount else None)
    out.explain("minimum_hourly_gratification_eur", hourly_amount.explanation if hourly_amount else None)
    keys = [key for key, amount in ((monthly_key, monthly_amount), (hourly, hourly_amount)) if key and amount]
    for found in parameter_change_warnings(
        keys=keys, start_date=inp.start_date, stay_end=stay_end, parameters=parameters
    ):
        out.warn(found)
    out.warn(
        gratification_warning(
            category=inp.category,
            hourly_gratification_eur=inp.hourly_gratification_eur,
            minimum_hourly=hourly_amount,
        )
    )
    return _Money(monthly_amount, hourly_amount, sufficient)


def _warn_durations(inp: CheckInput, regime: Regime, out: _Collector) -> None:
    immigration_law = regime != Regime.EU_CITIZEN
    new_end_date = inp.new_end_date if inp.kind == Kind.AVENANT else None
    for found in duration_warnings(
        category=Category(inp.category),
        start_date=inp.start_date,
        end_date=inp.end_date,
        new_end_date=new_end_date,
        weekly_hours=inp.weekly_hours,
        immigration_law=immigration_law,
    ):
        out.warn(found)
    if immigration_law and inp.kind == Kind.AVENANT:
        out.warn(extension_limit_warning(category=inp.category, prior_extensions=inp.prior_extensions))


def _presence(inp: CheckInput, out: _Collector) -> int | None:
    """RULES §6: the presence estimate over the stay assessed, whenever weekly_hours is given."""
    if inp.weekly_hours is None:
        return None
    end = _stay_end(inp)
    hours = presence_hours(weekly_hours=inp.weekly_hours, start=inp.start_date, end=end)
    days = inclusive_days(inp.start_date, end)
    rule = (
        f"{inp.weekly_hours} h a week x {days} days ({inp.start_date} to {end}) / 7, rounded down: an "
        f"estimate for a regular schedule without absence"
    )
    rule_fr = (
        f"{fr_number(inp.weekly_hours)} h par semaine x {days} jours (du {fr_date(inp.start_date)} au "
        f"{fr_date(end)}) / 7, arrondi à l’heure inférieure : estimation (horaire régulier, sans absence)"
    )
    out.explain("presence_hours", Explanation(rule, sources.PRESENCE, rule_fr))
    return hours


def evaluate(inp: CheckInput, *, parameters: Sequence[ParameterValue] = BUILTIN_PARAMETERS) -> CheckResult:
    """Apply RULES §1-§4 to one input. Raises CheckInputError when a date or amount is outside the range
    parse_check_input accepts (RULES §6.2), or when its dates are out of order; nothing else for any input.

    Dates of events after `inp.today` are not rejected here (parse_check_input does that): services
    may evaluate recorded data with any `today`.
    """
    # Out-of-range values first: the order checks and the month arithmetic assume real calendar dates.
    errors = out_of_range_errors(inp) or consistency_errors(input_values(inp))
    if errors:
        raise CheckInputError(errors)
    out = _Collector()
    regime, required, why = determine_regime(
        nationality=inp.nationality, category=inp.category, start_date=inp.start_date, end_date=inp.end_date
    )
    out.explain("regime", why)
    out.explain("validation_required", why)
    _stay_warnings(inp, regime, required, out)
    procedure = _Procedure()
    if required:
        procedure = (
            _avenant_procedure(inp, out) if inp.kind == Kind.AVENANT else _convention_procedure(inp, out)
        )
    money = _money(inp, regime, parameters, out)
    _warn_durations(inp, regime, out)
    hours = _presence(inp, out)
    return CheckResult(
        validation_required=required,
        regime=regime,
        filing_deadline=procedure.filing_deadline,
        late_filing=procedure.late_filing,
        silence_days=procedure.silence_days,
        silence_deadline=procedure.silence_deadline,
        silence_outcome=procedure.silence_outcome,
        minimum_monthly_resources_eur=money.minimum_monthly.value if money.minimum_monthly else None,
        minimum_hourly_gratification_eur=money.minimum_hourly.value if money.minimum_hourly else None,
        resources_sufficient=money.sufficient,
        warnings=tuple(out.warnings),
        sources=tuple(out.sources),
        presence_hours=hours,
        explanations=out.explanations,
    )
