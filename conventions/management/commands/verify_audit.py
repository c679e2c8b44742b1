"""python manage.py verify_audit [--organisation ID] [--head] [--against FILE]: check the audit chains.

Walks each organisation's chain over both audit tables (conventions' TransitionLog, hostportal's AuditEntry,
see hostportal.audit) and prints every edited, deleted, reordered or inserted entry with its organisation,
table, id and sequence; exits 0 when every chain is intact, 1 otherwise. `--head` prints each chain head
(organisation id, last sequence, last hash) to keep outside the database; `--against FILE` also checks that
the chains still contain the heads of such an export (a chain rewritten from scratch does not).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from conventions.models import TransitionLog
from hostportal.audit import Finding, Head, Link, link_of, verify_chain
from hostportal.models import AuditChain, AuditEntry, Organisation

TABLES: tuple[tuple[str, Any], ...] = (("transition_log", TransitionLog), ("audit_entry", AuditEntry))


def stream(table: str, model: Any, organisation_id: int) -> Iterator[Link]:
    rows = model.objects.filter(organisation_id=organisation_id).order_by("sequence", "pk")
    return (link_of(table, row) for row in rows.iterator(chunk_size=2000))


def links(organisation_id: int) -> Iterator[Link]:
    """Both tables' rows of one organisation, merged in (sequence, table, id) order, streamed."""
    streams = [stream(table, model, organisation_id) for table, model in TABLES]
    return heapq.merge(*streams, key=lambda link: (link.sequence, link.table, link.pk))


def read_export(path: str) -> list[tuple[int, int, str]]:
    """The heads of an earlier `--head` export: lines "organisation_id sequence hash [name]"."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"--against: cannot read {path}: {exc.strerror}") from exc
    heads = []
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts or line.startswith("#"):
            continue
        if len(parts) < 3 or not (parts[0].isdigit() and parts[1].isdigit()):
            raise CommandError(f"--against: line {number} of {path} is not 'organisation_id sequence hash'")
        heads.append((int(parts[0]), int(parts[1]), parts[2]))
    return heads


def check_export(heads: list[tuple[int, int, str]]) -> list[Finding]:
    """Each exported head must still be the hash of its sequence in its organisation's chain."""
    findings = []
    for organisation_id, sequence, expected in heads:
        rows = [
            (table, pk, found)
            for table, model in TABLES
            for pk, found in model.objects.filter(organisation_id=organisation_id, sequence=sequence)
            .values_list("pk", "entry_hash")
        ]  # fmt: skip
        if not any(found == expected for _table, _pk, found in rows):
            table, pk = (rows[0][0], rows[0][1]) if rows else ("audit_chain", None)
            findings.append(
                Finding(organisation_id, table, pk, sequence, "rewritten: not the hash of the exported head")
            )
    return findings


class Command(BaseCommand):
    help = "Verify the hash-chained audit trail of each organisation (exit status 1 when it is broken)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", type=int, help="Check only this organisation (its id).")
        parser.add_argument(
            "--head",
            action="store_true",
            help="Print each chain head (id, last sequence, last hash) and stop.",
        )
        parser.add_argument("--against", type=str, help="A file written by --head earlier, to check against.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("pk")
        if options["organisation"] is not None:
            organisations = organisations.filter(pk=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"--organisation: there is no organisation {options['organisation']}.")
        heads = {c.organisation_id: Head(c.last_sequence, c.last_hash) for c in AuditChain.objects.all()}
        if options["head"]:
            for organisation in organisations:
                head = heads.get(organisation.pk, Head(0, ""))
                self.stdout.write(f"{organisation.pk} {head.sequence} {head.hash or '-'} {organisation.name}")
            return
        names = {organisation.pk: organisation.name for organisation in organisations}
        findings = [f for pk in names for f in verify_chain(pk, links(pk), heads.get(pk))]
        if options["against"]:
            findings += [
                f for f in check_export(read_export(options["against"])) if f.organisation_id in names
            ]
        for finding in findings:
            self.stdout.write(self.describe(finding, names))
        if findings:
            raise CommandError(f"The audit trail is broken: {len(findings)} problem(s) found.")
        entries = sum(head.sequence for pk, head in heads.items() if pk in names)
        self.stdout.write(f"The audit trail is intact: {len(names)} organisation(s), {entries} entries.")

    @staticmethod
    def describe(finding: Finding, names: dict[int, str]) -> str:
        entry = f"{finding.table} #{finding.pk}" if finding.pk is not None else finding.table
        return (
            f"{names[finding.organisation_id]} (organisation {finding.organisation_id}): "
            f"{entry}, sequence {finding.sequence}: {finding.problem}"
        )
