"""No URL lookup on personal data (issue 9): the admin answers 400 and shows nothing, for every role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/conventions/intern/?passport_number__startswith=SN",
        "/admin/conventions/intern/?passport_number__regex=%5ESN7",
        "/admin/conventions/intern/?passport_number=SN7309919",
        "/admin/conventions/intern/?date_of_birth__year=1998",
        "/admin/conventions/intern/?email__contains=mail",
        "/admin/conventions/convention/?intern__passport_number__startswith=SN",
        "/admin/conventions/avenant/?convention__intern__passport_number__gt=A",
        "/admin/conventions/documentitem/?convention__intern__passport_expires_on__lt=2030-01-01",
    ],
)
def test_lookups_on_personal_fields_are_refused(
    url: str, login: Callable[[Any], Client], bob: Any, operator: Any, make_convention: Any
) -> None:
    make_convention()  # an intern of Acme with a passport number, for bob (viewer) to probe
    for client in (login(bob), login(operator)):
        response = client.get(url)
        assert response.status_code == 400, url
        assert b"SN7" not in response.content


def test_the_list_filters_still_work(login: Callable[[Any], Client], bob: Any) -> None:
    client = login(bob)
    assert client.get("/admin/conventions/convention/?state__exact=draft").status_code == 200
    assert client.get("/admin/conventions/intern/?nationality=SN").status_code == 200
