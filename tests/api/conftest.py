"""API personas: tokens of Acme with each role (created by alice, its manager), an outsider's token (claire,
CHU), a revoked token, and clients that send them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from hostportal.api.models import ApiToken
from hostportal.api.services import api_token_create, api_token_revoke
from hostportal.models import Membership, Organisation
from tests.factories import MembershipFactory, UserFactory
from tests.portal.conftest import browser  # noqa: F401 - the portal's real browser, for the token page

Client = Callable[..., APIClient]


@pytest.fixture(autouse=True)
def fresh_throttles() -> None:
    cache.clear()  # the rate limits count in the cache: each test starts with none used


@pytest.fixture
def erin(acme: Organisation) -> Any:
    """HR editor at Acme."""
    return MembershipFactory(
        user=UserFactory(username="erin"), organisation=acme, role=Membership.Role.EDITOR
    ).user


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def make_token() -> Callable[..., tuple[ApiToken, str]]:
    def make(actor: Any, organisation: Organisation, role: str, name: str = "SIRH") -> tuple[ApiToken, str]:
        return api_token_create(actor=actor, organisation=organisation, name=name, role=role)

    return make


@pytest.fixture
def manager_api(alice: Any, acme: Organisation, make_token: Any) -> APIClient:
    return bearer(make_token(alice, acme, "manager")[1])


@pytest.fixture
def editor_api(alice: Any, acme: Organisation, make_token: Any) -> APIClient:
    return bearer(make_token(alice, acme, "editor", name="SIRH editor")[1])


@pytest.fixture
def viewer_api(alice: Any, acme: Organisation, make_token: Any) -> APIClient:
    return bearer(make_token(alice, acme, "viewer", name="Tableau de bord")[1])


@pytest.fixture
def outsider_api(claire: Any, chu: Organisation, make_token: Any) -> APIClient:
    return bearer(make_token(claire, chu, "manager", name="CHU SIRH")[1])


@pytest.fixture
def revoked_api(alice: Any, acme: Organisation, make_token: Any) -> APIClient:
    token, secret = make_token(alice, acme, "manager", name="Old")
    api_token_revoke(actor=alice, token=token)
    return bearer(secret)


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()
