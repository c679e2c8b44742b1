"""Property tests of the rule engine (issue 9 item 5): for any valid input in the supported range, `evaluate`
raises nothing and the invariants of RULES §1-§6 hold.

Reproducible: the profile below is derandomized (the same examples on every run and in CI), 200 examples a
property, no deadline (the CI machine is shared).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conventions.rules import (
    EU_EEA_CH,
    Category,
    CheckInput,
    CheckInputError,
    CheckResult,
    Kind,
    Programme,
    evaluate,
    parse_check_input,
)
from conventions.rules.inputs import consistency_errors, future_event_errors, input_values
from conventions.rules.parsing import FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE, MAX_AMOUNT_EUR

settings.register_profile(
    "rules-properties",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = settings(settings.get_profile("rules-properties"))

# EU/EEA/CH, the special regimes (Algeria, Canada) and others, plus any code at all now and then.
NATIONALITIES = st.one_of(
    st.sampled_from(sorted(EU_EEA_CH)),
    st.sampled_from(["DZ", "CA", "SN", "VN", "BR", "US", "CN", "MA", "TN", "IN", "GB"]),
)
DAYS = (LAST_SUPPORTED_DATE - FIRST_SUPPORTED_DATE).days
# Mostly around today, sometimes anywhere in the supported range (its edges included).
DATES = st.one_of(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)),
    st.dates(min_value=FIRST_SUPPORTED_DATE, max_value=LAST_SUPPORTED_DATE),
    st.sampled_from([FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE, date(2028, 2, 29), date(2026, 12, 31)]),
)
AMOUNTS = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=5000, places=2),
    st.decimals(min_value=0, max_value=MAX_AMOUNT_EUR, places=2),
)
HOURS = st.one_of(st.none(), st.decimals(min_value=Decimal("0.5"), max_value=48, places=1))
GAPS = st.integers(min_value=0, max_value=120)


def _clamped(day: date, days: int) -> date:
    """`day` + `days`, kept inside the supported range."""
    return min(max(day + timedelta(days=days), FIRST_SUPPORTED_DATE), LAST_SUPPORTED_DATE)


@st.composite
def procedures(draw: Any, start: date) -> dict[str, date | None]:
    """The procedure dates in the order of CRPA L114-5: received, documents asked for, due, received;
    the acknowledged decision after the receipt; each part optional."""
    if not draw(st.booleans()):
        return {}
    received = _clamped(start, -draw(st.integers(min_value=-60, max_value=200)))
    out: dict[str, date | None] = {"received_on": received}
    if draw(st.booleans()):
        requested = _clamped(received, draw(GAPS))
        out["documents_requested_on"] = requested
        if draw(st.booleans()):
            out["documents_due_on"] = _clamped(requested, draw(GAPS))
        if draw(st.booleans()):
            out["documents_received_on"] = _clamped(requested, draw(GAPS))
    if draw(st.booleans()):
        out["acknowledged_decision_on"] = _clamped(received, 1 + draw(GAPS))
    return out


@st.composite
def check_inputs(draw: Any) -> CheckInput:
    """Any input parse_check_input accepts."""
    kind = draw(st.sampled_from(list(Kind)))
    start = draw(DATES)
    end = _clamped(start, draw(st.integers(min_value=0, max_value=900)))
    new_end = None
    if kind == Kind.AVENANT:
        assume(end < LAST_SUPPORTED_DATE)
        new_end = _clamped(end, draw(st.integers(min_value=1, max_value=400)))
    procedure = draw(procedures(start))
    events = [procedure.get(n) for n in ("received_on", "documents_requested_on", "documents_received_on")]
    latest = max([d for d in events if d is not None], default=start)
    today = _clamped(latest, draw(st.integers(min_value=0, max_value=400)))
    inp = CheckInput(
        kind=kind,
        category=draw(st.sampled_from(list(Category))),
        nationality=draw(NATIONALITIES),
        start_date=start,
        end_date=end,
        new_end_date=new_end,
        programme=draw(st.one_of(st.none(), st.sampled_from(list(Programme)))),
        monthly_resources_eur=draw(AMOUNTS),
        hourly_gratification_eur=draw(AMOUNTS),
        weekly_hours=draw(HOURS),
        same_group=draw(st.booleans()),
        prior_extensions=draw(st.integers(min_value=0, max_value=5)),
        today=today,
        **procedure,
    )
    values = input_values(inp)
    assume(not consistency_errors(values) and not future_event_errors(values))
    return inp


def as_json(inp: CheckInput) -> dict[str, Any]:
    """The §6 JSON a client would send for `inp` (dates ISO, amounts as decimal strings, no nulls)."""
    out: dict[str, Any] = {}
    for name, value in input_values(inp).items():
        if value is None:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "value"):
            value = value.value
        out[name] = value
    return out


def result_dates(result: CheckResult) -> dict[str, date]:
    named = {"filing_deadline": result.filing_deadline, "silence_deadline": result.silence_deadline}
    return {name: day for name, day in named.items() if day is not None}


@PROFILE
@given(check_inputs())
def test_evaluate_raises_nothing_and_its_json_round_trips(inp: CheckInput) -> None:
    result = evaluate(inp)
    output = result.to_json()
    assert json.loads(json.dumps(output)) == output
    assert set(output) == {
        "validation_required", "regime", "filing_deadline", "late_filing", "silence_days", "silence_deadline",
        "silence_outcome", "minimum_monthly_resources_eur", "minimum_hourly_gratification_eur",
        "resources_sufficient", "presence_hours", "warnings", "sources",
    }  # fmt: skip
    assert json.loads(json.dumps(result.explanations_to_json())) == result.explanations_to_json()


@PROFILE
@given(check_inputs())
def test_the_filing_deadline_is_before_the_stay_and_the_silence_after_the_receipt(inp: CheckInput) -> None:
    """filing_deadline < start_date (a convention) or < end_date (an avenant, R426-21: 15 days before the end
    in force); silence_deadline > received_on, or >= it when an acknowledgment states the date (§2.5)."""
    result = evaluate(inp)
    if result.filing_deadline is not None:
        # A convention is filed before the stage starts; an avenant before the end in force (R426-21).
        limit = inp.start_date if inp.kind == Kind.CONVENTION else inp.end_date
        assert result.filing_deadline < limit
    if result.silence_deadline is not None and inp.received_on is not None:
        if inp.acknowledged_decision_on is None:
            assert result.silence_deadline > inp.received_on
        else:
            # §2.5: the acknowledgment's date wins, the last day of silence is the day before it; an
            # acknowledgment stating the day after the receipt makes that the receipt's own day.
            assert result.silence_deadline >= inp.acknowledged_decision_on - timedelta(days=1)
            assert result.silence_deadline >= inp.received_on


@PROFILE
@given(check_inputs(), st.integers(min_value=1, max_value=60))
def test_a_later_receipt_never_gives_an_earlier_silence_deadline(inp: CheckInput, delay: int) -> None:
    assume(inp.received_on is not None)
    assert inp.received_on is not None
    later = replace(inp, received_on=_clamped(inp.received_on, delay))
    values = input_values(later)
    assume(later.received_on != inp.received_on)
    assume(not consistency_errors(values) and not future_event_errors(values))
    before, after = evaluate(inp).silence_deadline, evaluate(later).silence_deadline
    if before is not None and after is not None:
        assert after >= before


@PROFILE
@given(check_inputs())
def test_eu_nationals_never_need_a_validation(inp: CheckInput) -> None:
    eu = replace(inp, nationality=sorted(EU_EEA_CH)[hash(inp.nationality) % len(EU_EEA_CH)])
    result = evaluate(eu)
    assert result.validation_required is False
    assert result.filing_deadline is None and result.silence_deadline is None


@PROFILE
@given(check_inputs())
def test_every_date_of_the_result_is_explained(inp: CheckInput) -> None:
    result = evaluate(inp)
    for name in result_dates(result):
        why = result.explanations[name]
        assert why.rule.strip() and why.rule_fr.strip() and why.source.strip(), name


@PROFILE
@given(check_inputs())
def test_the_cli_parser_accepts_the_input_as_json_and_gives_it_back(inp: CheckInput) -> None:
    payload = json.loads(json.dumps(as_json(inp)))
    parsed = parse_check_input(payload, default_today=date(2026, 12, 1))
    assert parsed == inp
    assert evaluate(parsed).to_json() == evaluate(inp).to_json()


@PROFILE
@given(check_inputs(), st.dates(), st.dates(), st.decimals(allow_nan=False, allow_infinity=False))
def test_any_calendar_date_or_amount_is_evaluated_or_refused_never_a_crash(
    inp: CheckInput, start: date, received: date, amount: Decimal
) -> None:
    """Dates anywhere from year 1 to 9999 and amounts of any size: CheckInputError or a result, nothing else
    (issue 9: ValueError, OverflowError and InvalidOperation reached the API as 500s)."""
    hostile = replace(inp, start_date=start, received_on=received, monthly_resources_eur=amount)
    try:
        evaluate(hostile).to_json()
    except CheckInputError:
        pass
