"""Chain the audit rows written before the chain existed: per organisation, both tables together, in
(created_at, pk) order (a tie between the two tables goes to the file-level log first)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from hostportal.audit import GENESIS_HASH, content, entry_hash


def _transition_rows(apps: Any) -> list[tuple[Any, ...]]:
    log_model = apps.get_model("conventions", "TransitionLog")
    content_type = apps.get_model("contenttypes", "ContentType")
    kinds = {kind.pk: f"{kind.app_label}.{kind.model}" for kind in content_type.objects.all()}
    rows = []
    for log in log_model.objects.all().iterator():
        entry = content(
            table="transition_log", created_at=log.created_at, actor_id=log.actor_id,
            actor_label=log.actor_label, channel=log.channel, action=log.transition,
            subject=f"{kinds[log.content_type_id]}#{log.object_id}", source=log.source_state,
            target=log.target_state, comment=log.comment, changes=log.changes,
        )  # fmt: skip
        rows.append((log.organisation_id, log.created_at, 0, log.pk, log, entry))
    return rows


def _entry_rows(apps: Any) -> list[tuple[Any, ...]]:
    entry_model = apps.get_model("hostportal", "AuditEntry")
    rows = []
    for row in entry_model.objects.all().iterator():
        entry = content(
            table="audit_entry", created_at=row.created_at, actor_id=row.actor_id,
            actor_label=row.actor_label, channel=row.channel, action=row.action, subject=row.target_label,
            changes=row.changes,
        )  # fmt: skip
        rows.append((row.organisation_id, row.created_at, 1, row.pk, row, entry))
    return rows


def chain(apps: Any, schema_editor: Any) -> None:
    heads: dict[int, tuple[int, str]] = {}
    changed: dict[int, list[Any]] = {0: [], 1: []}
    for organisation_id, _at, table, _pk, row, entry in sorted(
        _transition_rows(apps) + _entry_rows(apps), key=lambda r: r[:4]
    ):
        sequence, previous = heads.get(organisation_id, (0, GENESIS_HASH))
        row.actor_ref, row.sequence, row.previous_hash = row.actor_id, sequence + 1, previous
        row.entry_hash = entry_hash(previous, organisation_id, row.sequence, entry)
        heads[organisation_id] = (row.sequence, row.entry_hash)
        changed[table].append(row)
    fields = ["actor_ref", "sequence", "previous_hash", "entry_hash"]
    apps.get_model("conventions", "TransitionLog").objects.bulk_update(changed[0], fields, batch_size=500)
    apps.get_model("hostportal", "AuditEntry").objects.bulk_update(changed[1], fields, batch_size=500)
    apps.get_model("hostportal", "AuditChain").objects.bulk_create(
        apps.get_model("hostportal", "AuditChain")(organisation_id=pk, last_sequence=seq, last_hash=last)
        for pk, (seq, last) in heads.items()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0012_audit_chain_fields"),
        ("hostportal", "0004_audit_chain"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(chain, migrations.RunPython.noop)]
