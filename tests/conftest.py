"""Personas across organisations (STYLE habit 10), pinned time, and the factories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from conventions import services
from conventions.models import Channel, Convention, Intern
from hostportal.models import Membership, Organisation
from tests.factories import (
    InternFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    convention_fields,
)
from tests.processes import private_redis, sink, smtp  # noqa: F401 (fixtures of the real-process tests)

PARIS = ZoneInfo("Europe/Paris")
# The day the tests live on unless they say otherwise: a Monday, well before the demo stages start.
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def english_unless_asked(settings: Any) -> Iterator[None]:
    """The product speaks French first (settings.LANGUAGE_CODE); the tests that assert English wording run
    in English, and the French ones (tests/hostportal/test_i18n.py, the portal) say so explicitly."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def acme(db: Any) -> Organisation:
    return OrganisationFactory(name="Acme Robotics", kind=Organisation.Kind.COMPANY)


@pytest.fixture
def chu(db: Any) -> Organisation:
    return OrganisationFactory(name="CHU de Lyon-Est", kind=Organisation.Kind.HEALTH)


@pytest.fixture
def alice(acme: Organisation) -> Any:
    """HR manager at Acme."""
    return MembershipFactory(
        user=UserFactory(username="alice"), organisation=acme, role=Membership.Role.MANAGER
    ).user


@pytest.fixture
def bob(acme: Organisation) -> Any:
    """HR viewer (read-only) at Acme."""
    return MembershipFactory(
        user=UserFactory(username="bob"), organisation=acme, role=Membership.Role.VIEWER
    ).user


@pytest.fixture
def claire(chu: Organisation) -> Any:
    """Hospital administrator at the CHU: an outsider for Acme's files."""
    return MembershipFactory(
        user=UserFactory(username="claire"), organisation=chu, role=Membership.Role.MANAGER
    ).user


@pytest.fixture
def intern(acme: Organisation) -> Intern:
    return InternFactory(organisation=acme)


@pytest.fixture
def make_convention(alice: Any, acme: Organisation, intern: Intern) -> Any:
    def make(**overrides: Any) -> Convention:
        the_intern = overrides.pop("intern", intern)
        return services.convention_create(
            actor=alice,
            organisation=acme,
            intern=the_intern,
            channel=Channel.WEB,
            now=NOW,
            **convention_fields(**overrides),
        )

    return make


@pytest.fixture
def submitted_convention(make_convention: Any, alice: Any) -> Convention:
    """Filed on 2026-11-02 (on time for a 2027-03-01 start): silence deadline 2026-12-02."""
    convention = make_convention()
    return services.convention_submit(
        actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
    )
