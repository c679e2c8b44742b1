"""Checklist items: what HR checked on each document, through one service, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conventions.models import Convention, DocumentItem, DocumentStatus
from conventions.services.documents import document_item_update

pytestmark = pytest.mark.django_db


def passport_item(convention: Convention) -> DocumentItem:
    return DocumentItem.objects.get(convention=convention, step="vls_ts", code="passport")


def test_verify_and_date_a_document(make_convention: Any, alice: Any) -> None:
    item = passport_item(make_convention())
    updated = document_item_update(
        actor=alice, item=item, status=DocumentStatus.VERIFIED, expires_on=dt.date(2027, 6, 30)
    )
    assert (updated.status, updated.expires_on) == (DocumentStatus.VERIFIED, dt.date(2027, 6, 30))
    last = updated.history.latest()
    assert (last.history_user, last.status) == (alice, DocumentStatus.VERIFIED)


def test_rejection_needs_a_reason_and_writes_nothing_without(make_convention: Any, alice: Any) -> None:
    item = passport_item(make_convention())
    with pytest.raises(ValidationError) as excinfo:
        document_item_update(actor=alice, item=item, status=DocumentStatus.REJECTED, rejection_reason="  ")
    assert "rejection_reason" in excinfo.value.message_dict
    item.refresh_from_db()
    assert item.status == DocumentStatus.MISSING


def test_a_document_no_longer_rejected_loses_its_old_reason(make_convention: Any, alice: Any) -> None:
    item = passport_item(make_convention())
    document_item_update(actor=alice, item=item, status=DocumentStatus.REJECTED, rejection_reason="Expired")
    provided = document_item_update(actor=alice, item=item, status=DocumentStatus.PROVIDED)
    assert (provided.status, provided.rejection_reason) == (DocumentStatus.PROVIDED, "")


def test_unknown_status_is_named(make_convention: Any, alice: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        document_item_update(actor=alice, item=passport_item(make_convention()), status="lost")
    assert "status" in excinfo.value.message_dict


@pytest.mark.parametrize("persona", ["bob", "claire"])
def test_viewer_and_outsider_cannot_change_a_document(
    make_convention: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    item = passport_item(make_convention())
    with pytest.raises(PermissionDenied):
        document_item_update(
            actor=request.getfixturevalue(persona), item=item, status=DocumentStatus.VERIFIED
        )
