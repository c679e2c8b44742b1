"""A single reminder rendered from its shape (the templates run once per kind, deadline day, days left...
with stand-ins, each email writing its own values in their place) reads exactly as its templates render
it: escaped where the HTML escapes, as is in the text and subject, for every kind and language."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from conventions.rules.base import Explanation
from notifications.emails import TEMPLATE_DIR, EmailItem, Envelope, Shapes, build_message, checklist_for
from notifications.rules import Deadline, FileType, ReminderKind

KINDS = [kind for kind in ReminderKind if kind not in (ReminderKind.DIGEST, ReminderKind.WEBHOOK_DISABLED)]
NAMES = ["Zoë L'HÔPITAL <b>", 'Ana "Tom" & Jerry', "Li  Wei"]  # escaped in HTML; two spaces in a subject


def reminder(kind: ReminderKind, language: str, n: int, *, name: str, rule_fr: str = "") -> EmailItem:
    checklist, stamp = checklist_for(kind, language)
    why = Explanation(
        rule=f"start date 2027-03-0{n + 1} minus 2 months, A & B <{n}>",
        source=f"CESEDA R426-20, al. {n}",
        rule_fr=rule_fr or f"date de début 0{n + 1}/03/2027 moins 2 mois « x » & <y>",
    )
    return EmailItem(
        kind=kind, file_type=FileType.CONVENTION, object_id=100 + n, intern_name=name,
        organisation_name=f"CHU d'Amiens & Co {n}", deadline=Deadline(dt.date(2027, 1, 4), why),
        days_left=5, document_label="Attestation « OFII » & <b>", checklist=checklist, stamp_eur=stamp,
    )  # fmt: skip


def templates_render(envelope: Envelope) -> tuple[str, str, str]:
    """What the three templates give for the envelope, rendered the plain way."""
    items = envelope.items
    context = {
        "items": items, "first": items[0], "digest": len(items) > 1, "count": len(items),
        "organisation_name": envelope.organisation_name, "for_intern": envelope.for_intern,
        "site_url": "http://testserver", "account_path": "/account/",
    }  # fmt: skip
    with translation.override(envelope.language):
        parts = [
            render_to_string(f"{TEMPLATE_DIR}/{envelope.language}/{name}", context)
            for name in ("subject.txt", "body.txt", "body.html")
        ]
    return " ".join(parts[0].split()), parts[1], parts[2]


def built(envelope: Envelope, shapes: Shapes) -> tuple[str, str, str]:
    message = build_message(envelope, shapes=shapes)
    return str(message.subject), str(message.body), str(message.alternatives[0][0])


@pytest.fixture(autouse=True)
def _site(settings: object) -> None:
    settings.SITE_URL = "http://testserver"  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_reminders_of_one_shape_read_as_their_templates_render_them(
    kind: ReminderKind, language: str
) -> None:
    shapes = Shapes()
    for for_intern in (False, True):
        for n, name in enumerate(NAMES):
            envelope = Envelope(
                to="hr@example.org", language=language, message_id=f"<k{n}@h>",
                organisation_name=f"Hôpital « {n} » & <Co>", for_intern=for_intern,
                items=[reminder(kind, language, n, name=name)],
            )  # fmt: skip
            assert built(envelope, shapes) == templates_render(envelope)
    # the same shape: rendered once per for_intern, then filled in
    assert shapes.render.cache_info().hits == 4


def test_an_empty_value_is_rendered_by_the_templates() -> None:
    """An empty name may change what a template writes (an {% if %}): that email is rendered in full."""
    item = reminder(ReminderKind.FILING_DUE, "fr", 1, name="Zoë")
    shapes = Shapes()
    for changed in (
        replace(item, intern_name=""),
        replace(item, deadline=Deadline(item.deadline.on, Explanation("r", "s", ""))),
    ):
        envelope = Envelope("hr@example.org", "fr", "<k@h>", "CHU", items=[changed])
        assert built(envelope, shapes) == templates_render(envelope)
    assert shapes.render.cache_info().currsize == 0
