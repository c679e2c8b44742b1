"""seed_demo: every state reached through the services, dates relative to today, never seeded twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from conventions.models import (
    Avenant,
    AvenantState,
    Channel,
    Convention,
    ConventionState,
    Intern,
    PermitState,
    ResidencePermitApplication,
    TransitionLog,
    VisaApplication,
)
from hostportal.models import Membership, Organisation, validate_siret

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
USERNAMES = ["admin", "alice", "bob", "claire", "david"]


def seed(*args: str, now: dt.datetime | None = None) -> str:
    out = StringIO()
    with time_machine.travel(now or dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS), tick=False):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> tuple[int, ...]:
    return tuple(
        model._default_manager.count()
        for model in (
            Organisation,
            Membership,
            Intern,
            Convention,
            Avenant,
            ResidencePermitApplication,
            TransitionLog,
        )
    )


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS),
        # End of month, just after the spring DST change: month arithmetic clamps, dates stay calendar days.
        dt.datetime(2027, 3, 31, 0, 30, tzinfo=PARIS),
    ],
    ids=["november", "end-of-march-after-dst"],
)
def test_seed_reaches_every_convention_state_and_the_avenant_and_permit_states(now: dt.datetime) -> None:
    seed(now=now)

    assert set(Convention.objects.values_list("state", flat=True)) == set(ConventionState.values)
    avenant_states = set(Avenant.objects.values_list("state", flat=True))
    assert {
        AvenantState.DRAFT,
        AvenantState.SUBMITTED,
        AvenantState.ACCEPTED_BY_SILENCE,
        AvenantState.VALIDATED,
    } <= (avenant_states)
    assert {PermitState.TO_FILE, PermitState.FILED} <= set(
        ResidencePermitApplication.objects.values_list("state", flat=True)
    )
    not_required = set(Convention.objects.filter(state="not_required").values_list("regime", flat=True))
    assert not_required == {"eu_citizen", "canadian_exemption"}
    assert set(VisaApplication.objects.values_list("state", flat=True)) == {"applied", "issued"}


def test_seed_shows_the_visa_step_and_the_carte_de_sejour_window_near_today() -> None:
    seed(now=dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS))
    today = dt.date(2026, 11, 23)

    # Every validated convention has its visa step; one intern still has to validate the visa (R431-16).
    assert not Convention.objects.filter(state="validated", visa__isnull=True).exists()
    awaiting = VisaApplication.objects.get(state="issued", ofii_validated_on__isnull=True)
    assert awaiting.arrived_on is not None
    assert awaiting.ofii_validation_deadline == awaiting.arrived_on + relativedelta(months=3)
    assert today < awaiting.ofii_validation_deadline <= today + dt.timedelta(days=30)
    # The accepted avenant's application to file has its window (R431-5): open now, closing in 30 days.
    to_file = ResidencePermitApplication.objects.get(state=PermitState.TO_FILE)
    expires = to_file.convention.visa.expires_on
    assert (to_file.filing_opens_on, to_file.filing_deadline) == (
        expires - dt.timedelta(days=120),
        expires - dt.timedelta(days=60),
    )
    assert to_file.filing_opens_on <= today < to_file.filing_deadline == today + dt.timedelta(days=30)
    filed = ResidencePermitApplication.objects.get(state=PermitState.FILED)
    assert filed.filed_on is not None
    assert filed.silence_deadline == filed.filed_on + dt.timedelta(days=90)


def test_seed_shows_the_rules_v2_facts() -> None:
    seed(now=dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS))

    requested = Convention.objects.get(state="documents_requested")
    assert requested.documents_due_on == dt.date(2026, 11, 30)
    assert requested.silence_deadline is not None
    assert Convention.objects.filter(acknowledged_decision_on__isnull=False).exists()
    company_avenant = Avenant.objects.get(convention__category="entreprise", state="submitted")
    assert company_avenant.silence_deadline is None  # no implicit decision: the sweep left it alone


def test_seed_dates_are_relative_to_today() -> None:
    seed(now=dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS))
    today = dt.date(2026, 11, 23)

    late = Convention.objects.filter(state="draft", filing_deadline__lt=today)
    on_time = Convention.objects.filter(state="draft", filing_deadline__gte=today)
    running = Convention.objects.filter(state="submitted", silence_deadline__gte=today)

    assert late.exists() and on_time.exists() and running.exists()
    # The implicit decisions were born from the real sweep, the day after the silence deadline.
    swept = TransitionLog.objects.filter(channel=Channel.SWEEP)
    assert {log.transition for log in swept} == {"refuse_by_silence", "accept_by_silence", "extend"}
    refused = Convention.objects.get(state="refused_by_silence")
    assert refused.silence_deadline is not None and refused.silence_deadline < today
    assert refused.decision_on == refused.silence_deadline + dt.timedelta(days=1)


def test_seed_goes_through_the_services_as_the_system() -> None:
    seed()

    channels = set(TransitionLog.objects.values_list("channel", flat=True))
    assert channels == {Channel.COMMAND, Channel.SWEEP}
    assert not TransitionLog.objects.filter(actor__isnull=False).exists()
    assert Convention.objects.filter(version__gt=1).exists()  # transitions bumped the versions


def test_seed_creates_valid_organisations_and_varied_interns() -> None:
    seed()

    organisations = {org.name: org for org in Organisation.objects.all()}
    assert set(organisations) == {"Acme Robotics", "Formapro Continue", "CHU de Lyon-Est"}
    for organisation in organisations.values():
        validate_siret(organisation.siret)
    nationalities = {str(code) for code in Intern.objects.values_list("nationality", flat=True)}
    assert {"DZ", "CA", "DE", "SN", "BR", "IN", "VN"} <= nationalities
    roles = {
        (m.user.username, m.organisation.name, m.role) for m in Membership.objects.select_related("user")
    }
    assert roles == {
        ("alice", "Acme Robotics", "manager"),
        ("bob", "Acme Robotics", "viewer"),
        ("claire", "CHU de Lyon-Est", "manager"),
        ("david", "Formapro Continue", "editor"),
    }
    assert set(Membership.objects.values_list("language", flat=True)) == {"fr", "en"}
    assert set(Membership.objects.values_list("email_preference", flat=True)) == {"immediately", "digest"}


def test_demo_users_log_in_and_the_logins_are_printed() -> None:
    output = seed()

    for username in USERNAMES:
        client = Client()
        assert client.login(username=username, password=settings.HOSTPORTAL_DEMO_PASSWORD), username
        assert username in output
        assert client.get("/admin/").status_code == 200, username


def test_second_run_with_once_creates_nothing() -> None:
    seed("--once")
    before = row_counts()

    output = seed("--once")

    assert row_counts() == before
    assert "nothing was created" in output


def test_second_run_without_once_refuses_clearly(db: Any) -> None:
    seed()
    before = row_counts()

    with pytest.raises(CommandError, match="already exists"):
        seed()

    assert row_counts() == before
