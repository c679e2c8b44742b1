"""The data generator of the scale benchmarks (bench/generate.py, issue 10): what it loads is what the
services and the rule engine expect, and the sweep and the reminder planning have their share of work."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from bench.generate import Models, generate, truncate
from conventions.models import (
    Avenant,
    AvenantState,
    Convention,
    ConventionState,
    Intern,
    ResidencePermitApplication,
    VisaApplication,
)
from conventions.services import sweep_deadlines
from conventions.services.evaluation import avenant_evaluate, convention_evaluate, load_parameters
from hostportal.models import AuditChain, Membership, Organisation, validate_siret
from notifications.models import Notification, ReminderSettings
from notifications.services import reminders_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes with PostgreSQL SQL"),
]

TODAY = dt.date(2026, 12, 1)
SIZE = 2_000
ORGANISATIONS = 5  # the kinds cycle company, training, health, company, company: every category appears
KIND_CATEGORY = {("company", "entreprise"), ("training", "formation_continue"), ("health", "hopital")}
COMPUTED = ("validation_required", "filing_deadline", "silence_deadline")


@pytest.fixture
def generated(db: Any) -> dict[str, int]:
    return generate(SIZE, organisations=ORGANISATIONS, today=TODAY, progress=False)


def test_counts_are_the_ones_asked_for(generated: dict[str, int]) -> None:
    assert generated["conventions"] == Convention.objects.count() == SIZE
    assert generated["interns"] == Intern.objects.count() == SIZE
    assert generated["organisations"] == Organisation.objects.count() == ORGANISATIONS
    assert ReminderSettings.objects.count() == AuditChain.objects.count() == ORGANISATIONS
    assert generated["avenants"] == Avenant.objects.count() > 0
    assert generated["visas"] == VisaApplication.objects.count() > 0
    assert generated["permits"] == ResidencePermitApplication.objects.count() > 0


def test_organisations_have_two_to_four_members_a_valid_siret_and_matching_categories(
    generated: dict[str, int],
) -> None:
    for organisation in Organisation.objects.all():
        validate_siret(organisation.siret)
        roles = Counter(organisation.memberships.values_list("role", flat=True))
        assert 2 <= sum(roles.values()) <= 4
        assert roles[Membership.Role.MANAGER] == 1 and roles[Membership.Role.EDITOR] == 1
    pairs = set(Convention.objects.values_list("organisation__kind", "category").distinct())
    assert pairs == KIND_CATEGORY
    assert set(Membership.objects.values_list("language", flat=True)) == {"fr", "en"}


def test_every_state_is_present(generated: dict[str, int]) -> None:
    assert set(Convention.objects.values_list("state", flat=True)) == set(ConventionState.values)
    avenant_states = set(Avenant.objects.values_list("state", flat=True))
    assert {
        AvenantState.SUBMITTED,
        AvenantState.ACCEPTED_BY_SILENCE,
        AvenantState.VALIDATED,
    } <= avenant_states


def test_about_a_tenth_of_the_conventions_are_submitted_past_their_silence_deadline(
    generated: dict[str, int],
) -> None:
    due = Convention.objects.filter(state="submitted", silence_deadline__lt=TODAY).count()
    assert due == generated["conventions_due"]
    assert 0.08 * SIZE <= due <= 0.12 * SIZE


def test_the_sweep_moves_exactly_the_files_due(generated: dict[str, int]) -> None:
    conventions = set(
        Convention.objects.filter(state="submitted", silence_deadline__lt=TODAY).values_list("pk", flat=True)
    )
    avenants = set(
        Avenant.objects.filter(state="submitted", silence_deadline__lt=TODAY)
        .exclude(convention__category="entreprise")
        .values_list("pk", flat=True)
    )
    permits = set(
        ResidencePermitApplication.objects.filter(state="filed", silence_deadline__lt=TODAY).values_list(
            "pk", flat=True
        )
    )

    report = sweep_deadlines(today=TODAY)

    assert set(report.conventions_refused) == conventions
    assert set(report.avenants_accepted) == avenants and avenants
    assert set(report.permits_refused) == permits
    assert len(avenants) == generated["avenants_due"] and len(permits) == generated["permits_due"]
    assert not Convention.objects.filter(state="submitted", silence_deadline__lt=TODAY).exists()


def test_the_reminder_planning_has_work_today(generated: dict[str, int]) -> None:
    report = reminders_plan(today=TODAY, enqueue=False)

    assert report.created == Notification.objects.count() > 0
    assert report.by_kind["filing_due"] + report.by_kind["filing_late"] > 0


def test_a_sample_of_files_matches_the_rule_engine(generated: dict[str, int]) -> None:
    parameters = load_parameters()
    step = SIZE // 50
    for convention in Convention.objects.select_related("intern").order_by("pk")[::step]:
        result = convention_evaluate(convention, today=TODAY, parameters=parameters)
        assert str(result.regime) == convention.regime, convention.pk
        assert [getattr(result, name) for name in COMPUTED] == [
            getattr(convention, name) for name in COMPUTED
        ], convention.pk
    for avenant in Avenant.objects.select_related("convention__intern").order_by("pk")[:50]:
        result = avenant_evaluate(avenant, today=TODAY, parameters=parameters)
        assert [getattr(result, name) for name in COMPUTED] == [
            getattr(avenant, name) for name in COMPUTED
        ], avenant.pk


def test_accepted_avenants_extend_their_convention(generated: dict[str, int]) -> None:
    accepted = Avenant.objects.filter(state__in=["validated", "accepted_by_silence"]).select_related(
        "convention"
    )
    assert accepted
    for avenant in accepted:
        assert avenant.convention.effective_end_date == avenant.requested_end_date
        assert avenant.permit_application.convention_id == avenant.convention_id


def fingerprint() -> list[str]:
    with connection.cursor() as cursor:
        found = []
        for model in Models().written():
            table, pk = model._meta.db_table, model._meta.pk.column
            sql = f'SELECT md5(string_agg(t::text, \'|\' ORDER BY t."{pk}")) FROM "{table}" AS t'  # noqa: S608
            cursor.execute(sql)
            found.append(cursor.fetchone()[0])
        return found


def test_the_same_size_gives_the_same_rows(generated: dict[str, int]) -> None:
    first = fingerprint()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred FK checks
    truncate(Models())

    generate(SIZE, organisations=ORGANISATIONS, today=TODAY, progress=False)

    assert fingerprint() == first
