"""Validated stages whose avenants follow R426-21 (continuing training, hospital), for the services tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conventions import services
from conventions.models import Avenant, Convention
from tests.conftest import NOW

RECEIVED = dt.date(2026, 11, 2)
VALIDATED_ON = dt.date(2026, 11, 20)


def validate(convention: Convention, actor: Any) -> Convention:
    services.convention_submit(actor=actor, convention=convention, received_on=RECEIVED, now=NOW)
    return services.convention_record_decision(
        actor=actor, convention=convention, decision="validated", decided_on=VALIDATED_ON, now=NOW
    )


@pytest.fixture
def training_convention(make_convention: Any, alice: Any) -> Convention:
    """A validated continuing-training stage (R426-16 2°), 2027-03-01 to 2027-08-31."""
    convention = make_convention(category="formation_continue", monthly_resources_eur=Decimal("1900.00"))
    return validate(convention, alice)


@pytest.fixture
def submitted_avenant(training_convention: Convention, alice: Any) -> Avenant:
    """Its avenant to 2027-11-30, received 2026-11-21: accepted by silence after 2026-12-06 (R426-21)."""
    avenant = services.avenant_create(
        actor=alice, convention=training_convention, requested_end_date=dt.date(2027, 11, 30), now=NOW
    )
    return services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)
