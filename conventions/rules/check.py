"""RULES §6: one evaluation of every rule for one convention or avenant, with its explanations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from . import sources
from .base import (
    Category,
    ExplainedAmount,
    ExplainedDate,
    Explanation,
    Kind,
    Regime,
    RuleWarning,
    SilenceOutcome,
    SourcedWarning,
    eur,
    split_sources,
)
from .dates import (
    AVENANT_SILENCE_DAYS,
    avenant_filing_deadline,
    avenant_silence_deadline,
    convention_filing_deadline,
    convention_silence_days,
    convention_silence_deadline,
    late_filing,
    late_filing_explanation,
    late_request_warning,
)
from .durations import duration_warnings
from .inputs import CheckInput, CheckInputError, consistency_errors, input_values
from .months import add_days
from .parameters import BUILTIN_PARAMETERS, ParameterValue
from .regime import (
    algerian_warning,
    determine_regime,
    ict_warning,
    schengen_warning,
    short_stay_extended_warning,
)
from .resources import (
    MONTHLY_KEYS,
    gratification_warning,
    hourly_key,
    minimum_hourly_gratification,
    minimum_monthly_resources,
    parameter_change_warnings,
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
    explanations: dict[str, Explanation] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        """Exactly the RULES §6 output keys, in order: ISO dates, amounts as 2-decimal strings."""
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
        }

    def explanations_to_json(self) -> dict[str, dict[str, str]]:
        """The "why this value" companion of `to_json`: field -> {rule, source}."""
        return {name: {"rule": why.rule, "source": why.source} for name, why in self.explanations.items()}


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


def _stay_warnings(inp: CheckInput, regime: Regime, out: _Collector) -> None:
    if regime == Regime.ALGERIAN_AGREEMENT:
        out.warn(algerian_warning())
    out.warn(schengen_warning(inp.start_date, inp.end_date))
    if inp.kind == Kind.AVENANT and inp.new_end_date is not None:
        out.warn(
            short_stay_extended_warning(
                start_date=inp.start_date, end_date=inp.end_date, new_end_date=inp.new_end_date
            )
        )
    if inp.same_group:
        out.warn(ict_warning())


def _filing(inp: CheckInput, filing: ExplainedDate, out: _Collector) -> tuple[date, bool]:
    deadline = filing.value
    if deadline is None:
        raise ValueError("a filing deadline always exists")
    late = late_filing(filing_deadline=deadline, received_on=inp.received_on, today=inp.today)
    why = late_filing_explanation(filing_deadline=deadline, received_on=inp.received_on, today=inp.today)
    out.explain("filing_deadline", filing.explanation)
    out.explain("late_filing", Explanation(rule=why, source=filing.explanation.source))
    return deadline, late


def _warn_late_request(inp: CheckInput, silence_days: int, out: _Collector) -> None:
    """CRPA L114-5: a request for documents made after the (unsuspended) deadline changes nothing."""
    if inp.received_on is not None:
        base = add_days(inp.received_on, silence_days)
        out.warn(late_request_warning(base_deadline=base, documents_requested_on=inp.documents_requested_on))


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
    )
    source = sources.CONVENTION_SILENCE if inp.programme is None else sources.CONVENTION_SILENCE_PROGRAMME
    why_days = "no programme" if inp.programme is None else f"{inp.programme} programme"
    out.explain("silence_days", Explanation(rule=f"{days} days of silence ({why_days})", source=source))
    out.explain("silence_deadline", silence.explanation)
    out.explain(
        "silence_outcome",
        Explanation(rule="the prefect's silence on a convention is a refusal", source=source),
    )
    _warn_late_request(inp, days, out)
    return _Procedure(deadline, late, days, silence.value, SilenceOutcome.REFUSED)


def _avenant_procedure(inp: CheckInput, out: _Collector) -> _Procedure:
    deadline, late = _filing(inp, avenant_filing_deadline(end_date=inp.end_date), out)
    silence = avenant_silence_deadline(
        received_on=inp.received_on,
        documents_requested_on=inp.documents_requested_on,
        documents_received_on=inp.documents_received_on,
    )
    days, source = AVENANT_SILENCE_DAYS, sources.AVENANT_SILENCE
    out.explain("silence_days", Explanation(rule=f"{days} days of silence for an avenant", source=source))
    out.explain("silence_deadline", silence.explanation)
    out.explain(
        "silence_outcome",
        Explanation(rule="the prefect's silence on an avenant is an acceptance", source=source),
    )
    _warn_late_request(inp, days, out)
    return _Procedure(deadline, late, days, silence.value, SilenceOutcome.ACCEPTED)


def _warn_parameter_changes(
    inp: CheckInput, stay_end: date, parameters: Sequence[ParameterValue], out: _Collector
) -> None:
    """RULES §3: only the parameters whose minimum this stay reports can warn."""
    keys = [MONTHLY_KEYS[inp.category]] if inp.category in MONTHLY_KEYS else []
    hourly_parameter = hourly_key(category=inp.category, start_date=inp.start_date, stay_end=stay_end)
    keys += [hourly_parameter] if hourly_parameter else []
    for found in parameter_change_warnings(
        keys=keys, start_date=inp.start_date, stay_end=stay_end, parameters=parameters
    ):
        out.warn(found)


def _money(inp: CheckInput, parameters: Sequence[ParameterValue], out: _Collector) -> _Money:
    stay_end = _stay_end(inp)
    monthly = minimum_monthly_resources(
        category=inp.category, start_date=inp.start_date, parameters=parameters
    )
    hourly = minimum_hourly_gratification(
        category=inp.category, start_date=inp.start_date, stay_end=stay_end, parameters=parameters
    )
    sufficient = resources_sufficient(
        category=inp.category,
        programme=inp.programme,
        monthly_resources_eur=inp.monthly_resources_eur,
        hourly_gratification_eur=inp.hourly_gratification_eur,
        minimum_monthly=monthly,
        minimum_hourly=hourly,
    )
    out.explain("minimum_monthly_resources_eur", monthly.explanation if monthly else None)
    out.explain("minimum_hourly_gratification_eur", hourly.explanation if hourly else None)
    out.explain("resources_sufficient", sufficient.explanation)
    _warn_parameter_changes(inp, stay_end, parameters, out)
    out.warn(
        gratification_warning(
            category=inp.category,
            hourly_gratification_eur=inp.hourly_gratification_eur,
            minimum_hourly=hourly,
        )
    )
    return _Money(monthly, hourly, sufficient.value)


def _warn_durations(inp: CheckInput, out: _Collector) -> None:
    new_end_date = inp.new_end_date if inp.kind == Kind.AVENANT else None
    for found in duration_warnings(
        category=Category(inp.category),
        start_date=inp.start_date,
        end_date=inp.end_date,
        new_end_date=new_end_date,
    ):
        out.warn(found)


def evaluate(inp: CheckInput, *, parameters: Sequence[ParameterValue] = BUILTIN_PARAMETERS) -> CheckResult:
    """Apply RULES §1-§4 to one input. Raises CheckInputError when its dates are out of order.

    Dates of events after `inp.today` are not rejected here (parse_check_input does that): services
    may evaluate recorded data with any `today`.
    """
    errors = consistency_errors(input_values(inp))
    if errors:
        raise CheckInputError(errors)
    out = _Collector()
    regime, required, why = determine_regime(
        nationality=inp.nationality, category=inp.category, start_date=inp.start_date, end_date=inp.end_date
    )
    out.explain("regime", why)
    out.explain("validation_required", why)
    _stay_warnings(inp, regime, out)
    procedure = _Procedure()
    if required:
        procedure = (
            _avenant_procedure(inp, out) if inp.kind == Kind.AVENANT else _convention_procedure(inp, out)
        )
    money = _money(inp, parameters, out)
    _warn_durations(inp, out)
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
        explanations=out.explanations,
    )
