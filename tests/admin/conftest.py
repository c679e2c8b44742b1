"""Admin personas: the shared ones, made staff (the admin needs is_staff), and one client each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.test import Client

from conventions import services
from conventions.models import Channel, Convention, TransitionLog, VisaApplication
from hostportal.models import Organisation
from tests.conftest import NOW
from tests.factories import InternFactory, UserFactory, convention_fields


def _staff(user: Any) -> Any:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture(autouse=True)
def _pinned_now() -> Iterator[None]:
    """The admin computes "today" itself: live on the conftest's day (2026-11-23, Europe/Paris)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alice(alice: Any) -> Any:
    return _staff(alice)


@pytest.fixture
def bob(bob: Any) -> Any:
    return _staff(bob)


@pytest.fixture
def claire(claire: Any) -> Any:
    return _staff(claire)


@pytest.fixture
def operator(db: Any) -> Any:
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.fixture
def login() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def chu_convention(claire: Any, chu: Organisation) -> Convention:
    intern = InternFactory(organisation=chu, first_name="Minh", last_name="Nguyen", nationality="VN")
    return services.convention_create(
        actor=claire, organisation=chu, intern=intern, channel=Channel.WEB, now=NOW,
        **convention_fields(
            category="hopital", hourly_gratification_eur=Decimal("4.50"), monthly_resources_eur=None
        ),
    )  # fmt: skip


@pytest.fixture
def validated_convention(make_convention: Any, alice: Any) -> Convention:
    """The default company stage (2027-03-01 to 2027-08-31), received 2026-11-02 and validated 2026-11-20."""
    convention = make_convention()
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    return services.convention_record_decision(
        actor=alice, convention=convention, decision="validated", decided_on=dt.date(2026, 11, 20), now=NOW
    )


@pytest.fixture
def issued_visa(validated_convention: Convention, alice: Any) -> VisaApplication:
    """Its long-stay visa: applied 2026-11-21, issued 2026-11-22, valid 2026-11-01 to 2027-10-31."""
    visa = VisaApplication.objects.get(convention=validated_convention)
    services.visa_apply(actor=alice, visa=visa, applied_on=dt.date(2026, 11, 21), consulate="Dakar", now=NOW)
    return services.visa_record_decision(
        actor=alice, visa=visa, decision="issued", decided_on=dt.date(2026, 11, 22),
        valid_from=dt.date(2026, 11, 1), expires_on=dt.date(2027, 10, 31), now=NOW,
    )  # fmt: skip


def logs_of(obj: models.Model) -> list[TransitionLog]:
    """The audit rows of one file, oldest first."""
    content_type = ContentType.objects.get_for_model(type(obj))
    return list(TransitionLog.objects.filter(content_type=content_type, object_id=obj.pk).order_by("pk"))


def why_row(content: str, name: str) -> str:
    """One row of the "why these dates" table, by value name."""
    row = content[content.index(f'class="why-{name}"') :]
    return row[: row.index("</tr>")]


def bound_value(bound: Any) -> Any:
    value = bound.value()
    if isinstance(value, FieldFile):
        return None  # a browser sends no file when none is chosen
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def change_form_data(response: Any) -> dict[str, Any]:
    """The POST a browser would send for the rendered admin form, inlines included, unchanged."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound_value(bound)
            if value is not None:
                data[bound.html_name] = value
    return data
