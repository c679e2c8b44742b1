"""Stays for the data-protection tests: an intern whose stay ended long ago (validated, visa issued, a
scan on disk, reminders naming them), and the day the purge runs on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from conventions import services
from conventions.models import Convention, DocumentItem, Intern
from notifications.models import Notification, NotificationStatus
from tests.conftest import NOW, TODAY

# The stays of convention_fields() end on 2027-08-31: 24 months later is 2029-08-31.
PURGE_DAY = dt.date(2030, 1, 15)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def closed_stay(make_convention: Any, alice: Any, intern: Intern, **overrides: Any) -> Convention:
    """Validated, visa issued: no file left open."""
    convention = make_convention(intern=intern, **overrides)
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    services.convention_record_decision(
        actor=alice, convention=convention, decision="validated", decided_on=TODAY, now=NOW
    )
    visa = services.visa_apply(actor=alice, visa=convention.visa.pk, applied_on=TODAY, now=NOW)
    services.visa_record_decision(
        actor=alice,
        visa=visa,
        decision="issued",
        decided_on=TODAY,
        expires_on=dt.date(2028, 3, 1),
        comment="Visa reçu",
        now=NOW,
    )
    convention.refresh_from_db()
    return convention


def attach_scan(convention: Convention) -> DocumentItem:
    """Put a file on the convention's first checklist line (as an upload would) and mark it provided."""
    item = DocumentItem.objects.filter(convention=convention).order_by("pk").first()
    assert item is not None
    item.file.save("passport.pdf", ContentFile(PDF), save=False)
    item.status = "provided"
    item.expires_on = dt.date(2031, 1, 1)
    item.save()
    return item


def reminder(
    convention: Convention, *, to_intern: bool = False, user: Any = None, key: str = ""
) -> Notification:
    intern = convention.intern
    return Notification.objects.create(
        organisation_id=convention.organisation_id,
        idempotency_key=key or f"test-{convention.pk}-{'intern' if to_intern else 'staff'}",
        kind="convention_end",
        file_type="convention",
        object_id=convention.pk,
        convention=convention,
        due_on=TODAY,
        recipient_user=None if to_intern else user,
        recipient_intern=intern if to_intern else None,
        recipient_email=intern.email if to_intern else user.email,
        language="fr",
        status=NotificationStatus.SENT,
        next_attempt_at=timezone.now(),
        subject=f"Fin de stage de {intern}",
        text_body=f"Le stage de {intern.first_name} {intern.last_name} se termine.",
    )
