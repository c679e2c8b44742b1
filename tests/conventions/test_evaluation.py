"""What the services feed the rule engine: stored dates, weekly hours, prior extensions, hospital total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conventions import services
from conventions.models import Avenant, Convention
from conventions.rules import sources
from conventions.services.evaluation import avenant_check_input, convention_check_input
from tests.conftest import NOW, TODAY
from tests.conventions.conftest import validate

pytestmark = pytest.mark.django_db

HOSPITAL_TOTAL = "hospital_total_exceeds_24_months"


def codes(result: Any) -> list[str]:
    return [warning.code for warning in result.warnings]


def hospital(make_convention: Any, start: dt.date, end: dt.date) -> Convention:
    return make_convention(
        category="hopital",
        start_date=start,
        end_date=end,
        hourly_gratification_eur=Decimal("4.50"),
        monthly_resources_eur=None,
    )


def test_stored_facts_reach_the_engine(submitted_avenant: Avenant, alice: Any) -> None:
    avenant = services.avenant_request_documents(
        actor=alice,
        avenant=submitted_avenant,
        requested_on=dt.date(2026, 11, 22),
        due_on=dt.date(2026, 12, 1),
        now=NOW,
    )
    avenant = services.avenant_record_acknowledgment(
        actor=alice, avenant=avenant, acknowledged_on=dt.date(2026, 12, 8), now=NOW
    )
    inp = avenant_check_input(avenant, today=TODAY)
    assert (inp.documents_due_on, inp.acknowledged_decision_on) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 8),
    )
    assert (inp.weekly_hours, inp.prior_extensions) == (Decimal("35.0"), 0)
    convention_input = convention_check_input(avenant.convention, today=TODAY)
    assert convention_input.weekly_hours == Decimal("35.0")


def test_prior_extensions_count_accepted_avenants_only(training_convention: Convention, alice: Any) -> None:
    def extend(end: dt.date, decision: str) -> Avenant:
        avenant = services.avenant_create(
            actor=alice, convention=training_convention, requested_end_date=end, now=NOW
        )
        services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)
        return services.avenant_record_decision(
            actor=alice, avenant=avenant, decision=decision, decided_on=dt.date(2026, 11, 23), now=NOW
        )

    refused = extend(dt.date(2027, 10, 31), "refused")
    first = extend(dt.date(2027, 11, 30), "validated")
    second = services.avenant_create(
        actor=alice, convention=training_convention, requested_end_date=dt.date(2027, 12, 31), now=NOW
    )
    assert (refused.prior_extensions, first.prior_extensions, second.prior_extensions) == (0, 0, 1)
    # Continuing training is extended once (RULES §4).
    assert "extension_limit_reached" in codes(services.avenant_evaluate(second, today=TODAY))
    assert "extension_limit_reached" not in codes(services.avenant_evaluate(first, today=TODAY))


def test_hospital_stages_of_one_intern_total_24_months(make_convention: Any, alice: Any) -> None:
    first = hospital(make_convention, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    second = hospital(make_convention, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert HOSPITAL_TOTAL not in codes(services.convention_evaluate(second, today=TODAY))  # 730 days
    third = hospital(make_convention, dt.date(2027, 3, 1), dt.date(2027, 8, 31))
    result = services.convention_evaluate(third, today=TODAY)
    assert HOSPITAL_TOTAL in codes(result)
    assert sources.TRAINING_DURATION in result.sources
    services.convention_withdraw(actor=alice, convention=first, now=NOW)  # a given-up stage does not count
    assert HOSPITAL_TOTAL not in codes(services.convention_evaluate(third, today=TODAY))


def test_hospital_total_counts_an_avenant_requested_end(make_convention: Any, alice: Any) -> None:
    hospital(make_convention, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    current = validate(hospital(make_convention, dt.date(2027, 3, 1), dt.date(2027, 8, 31)), alice)
    assert HOSPITAL_TOTAL not in codes(services.convention_evaluate(current, today=TODAY))
    avenant = services.avenant_create(
        actor=alice, convention=current, requested_end_date=dt.date(2028, 2, 29), now=NOW
    )
    # 365 + 366 days laid end to end from 2026-01-01 reach 2028-01-01 = start + 24 months.
    assert HOSPITAL_TOTAL in codes(services.avenant_evaluate(avenant, today=TODAY))


def test_other_categories_get_no_hospital_total(make_convention: Any) -> None:
    make_convention(start_date=dt.date(2024, 1, 1), end_date=dt.date(2026, 12, 31))
    long_stage = make_convention(start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 8, 31))
    assert HOSPITAL_TOTAL not in codes(services.convention_evaluate(long_stage, today=TODAY))
