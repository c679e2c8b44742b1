"""Admin personas: the shared ones, made staff (the admin needs is_staff), and one client each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db.models.fields.files import FieldFile
from django.test import Client

from conventions import services
from conventions.models import Channel, Convention
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
