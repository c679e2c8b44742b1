"""Tenancy: a user sees the organisations and files they belong to, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from conventions import selectors
from hostportal.selectors import organisations_for_user, user_can_write

pytestmark = pytest.mark.django_db


def test_members_see_their_organisation_only(alice: Any, claire: Any, acme: Any, chu: Any) -> None:
    assert list(organisations_for_user(alice)) == [acme]
    assert list(organisations_for_user(claire)) == [chu]


def test_viewer_reads_but_cannot_write(bob: Any, acme: Any) -> None:
    assert list(organisations_for_user(bob)) == [acme]
    assert user_can_write(bob, acme.pk) is False


def test_outsider_gets_404_on_another_organisations_convention(
    submitted_convention: Any, claire: Any
) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.convention_get_for_user(claire, submitted_convention.pk)
    assert not selectors.conventions_for_user(claire).exists()
    assert not selectors.interns_for_user(claire).exists()
    assert not selectors.transition_logs_for_user(claire).exists()


def test_anonymous_sees_nothing(submitted_convention: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.conventions_for_user(AnonymousUser()).exists()
