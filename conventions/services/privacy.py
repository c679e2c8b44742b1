"""Data protection (GDPR): the purge of old interns' personal data and the access-request export.

`interns_purge` anonymises the interns whose every stay ended more than N months ago and who have no open
file; `intern_access_export` builds the ZIP of everything held about one intern. docs/privacy.md says what
is held, for how long, what stays after a purge and why.

What the purge does, per intern, in one transaction per organisation:
- Intern: names become the pseudonym « Stagiaire anonymisé #<id> », email, passport number and expiry
  cleared, the date of birth replaced (see ANONYMISED_DATE_OF_BIRTH), no more emails to the intern;
  nationality, country of residence and language are kept: the regime of each convention was computed from
  them (the « why these dates » rows), and they identify no one once the names are gone.
- HistoricalIntern: the same fields, in every past version (the passport number never reached it).
- DocumentItem: each file deleted from storage once the transaction commits, the document's expiry date
  cleared (in its history too); the checklist row stays with its status.
- Notification: the reminders about the intern's files and those sent to the intern keep their kind,
  dates and status (the proof that the host was reminded in time) but lose their subject, body and error
  (they name the intern); those sent to the intern lose the address, and the unsent ones are cancelled;
  a digest that listed one of them loses its body.
- Kept untouched: the conventions, avenants, visas, permit applications and their dates, and the audit
  trail (TransitionLog and AuditEntry rows, written once and never edited; their actors are staff). A
  TransitionLog comment is staff's free text and may name the intern: it is kept as written (docs/privacy.md).

Set-based: each batch of interns costs the same queries whatever its size (BATCH_QUERIES), files aside
(deleted after commit, one storage call each). Idempotent: an anonymised intern is never selected again.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions import uploads
from conventions.models import (
    Avenant,
    Convention,
    DocumentItem,
    Intern,
    ResidencePermitApplication,
    TransitionLog,
    VisaApplication,
)
from conventions.models.avenants import AVENANT_OPEN_STATES
from conventions.models.conventions import CONVENTION_OPEN_STATES
from conventions.models.permits import PERMIT_FINAL_STATES, PermitState
from conventions.models.visas import VisaState
from conventions.services.common import local_today
from conventions.services.errors import PermissionDenied
from hostportal.models import AuditEntry
from hostportal.permissions import can_manage
from notifications.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

PSEUDONYM_FIRST_NAME = (
    "Stagiaire anonymisé"  # + last name "#<id>": str(intern) is « Stagiaire anonymisé #12 »
)
# Intern.date_of_birth is NOT NULL: until the column allows NULL, every anonymised intern gets this same
# date, which says nothing about anyone. Neither the rule engine nor any statistic uses the date of birth
# (nor its year), so none of it is kept; once the column is nullable the purge stores NULL by itself.
ANONYMISED_DATE_OF_BIRTH = dt.date(1900, 1, 1)
DEFAULT_BATCH_SIZE = 200
# Queries of one batch of a real run (select and lock, files, 2 document updates, 2 notification updates,
# history, interns), whatever the batch's size: the test with 30 interns holds the purge to it.
BATCH_QUERIES = 8

ACTION_PURGED = "personal_data_purged"
ACTION_EXPORTED = "intern_data_exported"

VISA_OPEN_STATES = [VisaState.TO_APPLY.value, VisaState.APPLIED.value]
PERMIT_OPEN_STATES = [s.value for s in PermitState if s not in PERMIT_FINAL_STATES]
UNSENT = [NotificationStatus.PENDING.value, NotificationStatus.AWAITING_DIGEST.value]


# --- the purge -----------------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    """What a purge did (or, in a dry run, would do): counts per organisation id."""

    today: dt.date
    months: int
    cutoff: dt.date
    dry_run: bool
    interns: dict[int, int] = field(default_factory=dict)
    files: dict[int, int] = field(default_factory=dict)
    notifications: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.interns.values())


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the last day of a shorter month: 31/03 → 28/02)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def retention_months() -> int:
    return int(getattr(settings, "PERSONAL_DATA_RETENTION_MONTHS", 24))


def anonymised_last_name() -> Any:
    return Concat(Value("#"), Cast("pk", models.CharField()), output_field=models.CharField())


def purgeable_interns(cutoff: dt.date) -> models.QuerySet[Intern]:
    """Interns not yet anonymised whose every stay ended before `cutoff` (an intern with no convention:
    recorded before it) and with no convention, avenant, visa or permit application in a non-final state.

    Written with EXISTS rather than aggregates so that the rows can be locked (FOR UPDATE)."""
    stay = Convention.objects.filter(intern=OuterRef("pk"))
    created_before = dt.datetime.combine(cutoff, dt.time.min, tzinfo=timezone.get_current_timezone())
    return (
        Intern.objects.exclude(first_name=PSEUDONYM_FIRST_NAME, last_name=anonymised_last_name())
        .filter(Q(Exists(stay)) | Q(created_at__lt=created_before))
        .exclude(Exists(stay.filter(effective_end_date__gte=cutoff)))
        .exclude(Exists(stay.filter(state__in=CONVENTION_OPEN_STATES)))
        .exclude(
            Exists(Avenant.objects.filter(convention__intern=OuterRef("pk"), state__in=AVENANT_OPEN_STATES))
        )
        .exclude(
            Exists(
                VisaApplication.objects.filter(convention__intern=OuterRef("pk"), state__in=VISA_OPEN_STATES)
            )
        )
        .exclude(
            Exists(
                ResidencePermitApplication.objects.filter(
                    convention__intern=OuterRef("pk"), state__in=PERMIT_OPEN_STATES
                )
            )
        )
    )


def interns_purge(
    *,
    months: int | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    log: Callable[[str], None] | None = None,
) -> PurgeReport:
    """Anonymise every purgeable intern (see `purgeable_interns`) of every organisation.

    `months` defaults to settings.PERSONAL_DATA_RETENTION_MONTHS (24), `today` to today in Europe/Paris.
    One transaction per organisation, in batches of `batch_size` interns (rows another transaction holds
    are skipped, for the next run); the organisation's AuditEntry (channel "command", action
    "personal_data_purged", the count) is written in the same transaction, so that nothing is anonymised
    unaudited. A dry run writes nothing, deletes nothing and reports the same counts. Running it again
    anonymises nothing more. Raises ValueError for a negative `months` or a `batch_size` under 1.
    """
    months = retention_months() if months is None else months
    if months < 0 or batch_size < 1:
        raise ValueError("months must be 0 or more and batch_size at least 1.")
    today = today or local_today()
    report = PurgeReport(today=today, months=months, cutoff=months_before(today, months), dry_run=dry_run)
    say = log or (lambda line: None)
    organisation_ids = (
        purgeable_interns(report.cutoff).values_list("organisation_id", flat=True).distinct().order_by()
    )
    for organisation_id in sorted(set(organisation_ids)):
        _purge_organisation(organisation_id, report, batch_size, say)
    return report


def _purge_organisation(organisation_id: int, report: PurgeReport, batch_size: int, say: Any) -> None:
    with transaction.atomic():
        count = files = notices = 0
        for batch in _batches(organisation_id, report, batch_size):
            if report.dry_run:
                batch_files, batch_notices = _count(batch)
            else:
                batch_files, batch_notices = _anonymise(batch)
            count, files, notices = count + len(batch), files + batch_files, notices + batch_notices
            say(
                f"organisation #{organisation_id}: interns #{', #'.join(str(pk) for pk in batch)}"
                f" ({batch_files} file(s), {batch_notices} reminder(s))"
            )
        if not count:
            return
        report.interns[organisation_id] = count
        report.files[organisation_id] = files
        report.notifications[organisation_id] = notices
        if not report.dry_run:
            AuditEntry.record(
                organisation_id=organisation_id,
                actor=None,
                channel=AuditEntry.Channel.COMMAND,
                action=ACTION_PURGED,
                target_label=f"{count} intern(s) anonymised (stays ended before {report.cutoff:%Y-%m-%d})",
                changes={"interns_anonymised": [0, count], "retention_months": [None, report.months]},
            )


def _batches(organisation_id: int, report: PurgeReport, batch_size: int) -> Iterator[list[int]]:
    """The purgeable interns' ids, by pk, `batch_size` at a time; in a real run each batch is locked
    (FOR UPDATE SKIP LOCKED: an intern being edited waits for the next run)."""
    candidates = purgeable_interns(report.cutoff).filter(organisation_id=organisation_id).order_by("pk")
    if not report.dry_run:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1]


def _concerning(ids: list[int]) -> Q:
    """The reminders about the interns' files, and those sent to the interns."""
    return Q(convention__intern_id__in=ids) | Q(recipient_intern_id__in=ids)


def _count(ids: list[int]) -> tuple[int, int]:
    files = DocumentItem.objects.filter(convention__intern_id__in=ids).exclude(file="").count()
    return files, Notification.objects.filter(_concerning(ids)).count()


def _anonymise(ids: list[int]) -> tuple[int, int]:
    """Scrub the batch (locked by the caller) in BATCH_QUERIES - 1 statements; returns (files, reminders)."""
    files = _delete_files(ids)
    notices = _scrub_notifications(ids)
    _scrub_interns(ids)
    return files, notices


def _delete_files(ids: list[int]) -> int:
    documents = DocumentItem.objects.filter(convention__intern_id__in=ids)
    names = list(documents.exclude(file="").values_list("file", flat=True))
    documents.update(file="", expires_on=None, updated_at=timezone.now())
    DocumentItem.history.filter(convention__intern_id__in=ids).update(expires_on=None)
    storage = DocumentItem._meta.get_field("file").storage
    for name in names:  # after commit: a rolled-back purge keeps its files
        uploads.delete_on_commit(storage, name)
    return len(names)


def _scrub_notifications(ids: list[int]) -> int:
    concerning = Notification.objects.filter(_concerning(ids))
    # A digest lists several files, each line naming its intern: its body goes (its items stay).
    Notification.objects.filter(pk__in=concerning.exclude(digest=None).values("digest_id")).update(
        text_body=""
    )
    return concerning.update(
        subject="",
        text_body="",
        last_error="",
        recipient_email=Case(
            When(recipient_intern__isnull=False, then=Value("")),
            default=F("recipient_email"),
            output_field=models.EmailField(),
        ),
        status=Case(
            When(status__in=UNSENT, then=Value(NotificationStatus.CANCELLED.value)),
            default=F("status"),
            output_field=models.CharField(),
        ),
    )


def _anonymous_fields() -> dict[str, Any]:
    nullable = Intern._meta.get_field("date_of_birth").null
    return {
        "first_name": PSEUDONYM_FIRST_NAME,
        "last_name": anonymised_last_name(),
        "email": "",
        "date_of_birth": None if nullable else ANONYMISED_DATE_OF_BIRTH,
        "passport_expires_on": None,
    }


def _scrub_interns(ids: list[int]) -> None:
    fields = _anonymous_fields()
    # The history's pk is history_id: the pseudonym takes the intern's id (column "id").
    Intern.history.filter(id__in=ids).update(
        **fields | {"last_name": Concat(Value("#"), Cast("id", models.CharField()))}
    )
    Intern.objects.filter(pk__in=ids).update(
        **fields,
        passport_number="",
        notify_intern=False,
        # An edit form opened before the purge now conflicts instead of writing the names back.
        version=F("version") + 1,
        updated_at=timezone.now(),
    )


# --- the access-request export -------------------------------------------------------------------------

EXPORT_FORMAT = "hostportal.intern-access-export/1"
REASON_MAX_LENGTH = 500


def intern_access_export(*, actor: Any, intern: Intern, reason: str, now: dt.datetime | None = None) -> bytes:
    """A ZIP of everything held about `intern`: data.json (identity with the full passport number, the
    conventions with their avenants, visa, carte de séjour applications and documents, the reminders sent to
    the intern, the audit trail of the files, the identity's history, the earlier exports) and the
    documents' files under documents/.

    The data subject's right of access (GDPR art. 15) covers the passport number itself, so this export
    alone holds it in full: it is the managers' action (PermissionDenied for anyone else; actor None is an
    operator's command), it needs a reason (ValidationError on "reason") and it leaves an AuditEntry
    (action "intern_data_exported", the reason) before the archive is built.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Reason: say why the data is exported (e.g. the intern’s request).")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Reason: at most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}}
        )
    if actor is not None and not can_manage(actor, intern.organisation_id):
        raise PermissionDenied(_("Only the organisation’s managers may export an intern’s personal data."))
    now = now or timezone.now()
    data, documents = _export_data(intern, actor, reason, now)
    # Written before the archive is handed over: no export leaves unaudited (record is atomic itself).
    AuditEntry.record(
        organisation_id=intern.organisation_id,
        actor=actor,
        channel=AuditEntry.Channel.WEB if actor is not None else AuditEntry.Channel.COMMAND,
        action=ACTION_EXPORTED,
        target_label=intern_label(intern),
        changes={"reason": ["", reason]},
    )
    return _zip(data, documents)


def intern_label(intern: Intern) -> str:
    """How the audit names the intern: by id, never by name (a purge leaves audit entries untouched)."""
    return f"Intern #{intern.pk}"


def _row(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The concrete fields of a row by attribute name (organisation_id, …), as JSON-ready values."""
    skipped = {"file", *exclude}
    return {
        f.attname: f.value_from_object(instance)
        for f in instance._meta.concrete_fields
        if f.name not in skipped
    }


def _export_data(
    intern: Intern, actor: Any, reason: str, now: dt.datetime
) -> tuple[dict[str, Any], list[tuple[str, DocumentItem]]]:
    conventions = list(Convention.objects.filter(intern=intern).select_related("visa").order_by("pk"))
    avenants = list(
        Avenant.objects.filter(convention__intern=intern).select_related("permit_application").order_by("pk")
    )
    items = list(DocumentItem.objects.filter(convention__intern=intern).order_by("pk"))
    documents = [(f"documents/{uploads.download_name(item)}", item) for item in items if item.file]
    paths = {item.pk: path for path, item in documents}
    by_convention = _convention_rows(conventions, avenants, items, paths)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now,
        "exported_by": getattr(actor, "username", None) or "system",
        "reason": reason,
        "organisation": {"id": intern.organisation_id, "name": intern.organisation.name},
        "intern": _row(intern),
        "conventions": by_convention,
        "reminders_sent_to_intern": _reminders(intern),
        "audit_trail": _audit_trail(conventions, avenants),
        "identity_history": _identity_history(intern),
        "exports": _earlier_exports(intern),
    }, documents


def _convention_rows(
    conventions: list[Convention], avenants: list[Avenant], items: list[DocumentItem], paths: dict[int, str]
) -> list[dict[str, Any]]:
    rows = []
    for convention in conventions:
        visa = getattr(convention, "visa", None)
        mine = [a for a in avenants if a.convention_id == convention.pk]
        rows.append(
            _row(convention)
            | {
                "avenants": [_row(a) for a in mine],
                "visa": _row(visa) if visa is not None else None,
                "residence_permit_applications": [
                    _row(a.permit_application) for a in mine if hasattr(a, "permit_application")
                ],
                "documents": [
                    _row(item) | {"file": paths.get(item.pk)}
                    for item in items
                    if item.convention_id == convention.pk
                ],
            }
        )
    return rows


def _reminders(intern: Intern) -> list[dict[str, Any]]:
    fields = [
        "id", "kind", "file_type", "object_id", "convention_id", "deadline", "due_on", "rule", "source",
        "recipient_email", "language", "status", "sent_at", "subject", "text_body", "created_at",
    ]  # fmt: skip
    return list(Notification.objects.filter(recipient_intern=intern).order_by("pk").values(*fields))


def _audit_trail(conventions: list[Convention], avenants: list[Avenant]) -> list[dict[str, Any]]:
    types = ContentType.objects.get_for_models(
        Convention, Avenant, VisaApplication, ResidencePermitApplication
    )
    subjects = {
        Convention: [c.pk for c in conventions],
        Avenant: [a.pk for a in avenants],
        VisaApplication: [c.visa.pk for c in conventions if hasattr(c, "visa")],
        ResidencePermitApplication: [
            a.permit_application.pk for a in avenants if hasattr(a, "permit_application")
        ],
    }
    query = Q(pk__in=[])
    for model, pks in subjects.items():
        if pks:
            query |= Q(content_type=types[model], object_id__in=pks)
    fields = [
        "created_at", "content_type__model", "object_id", "transition", "source_state", "target_state",
        "actor_label", "channel", "comment", "changes",
    ]  # fmt: skip
    return list(TransitionLog.objects.filter(query).order_by("created_at", "pk").values(*fields))


def _identity_history(intern: Intern) -> list[dict[str, Any]]:
    fields = [
        "history_date", "history_type", "history_user__username", "first_name", "last_name", "nationality",
        "date_of_birth", "email", "country_of_residence", "passport_expires_on", "notify_intern", "language",
    ]  # fmt: skip
    return list(Intern.history.filter(id=intern.pk).order_by("history_date", "history_id").values(*fields))


def _earlier_exports(intern: Intern) -> list[dict[str, Any]]:
    fields = ["created_at", "actor_label", "channel", "changes"]
    return list(
        AuditEntry.objects.filter(
            organisation_id=intern.organisation_id, action=ACTION_EXPORTED, target_label=intern_label(intern)
        )
        .order_by("created_at", "pk")
        .values(*fields)
    )


class _Encoder(DjangoJSONEncoder):
    """Dates in ISO, decimals as text, countries by their code."""

    def default(self, o: Any) -> Any:
        code = getattr(o, "code", None)
        return code if isinstance(code, str) else super().default(o)


def _zip(data: dict[str, Any], documents: list[tuple[str, DocumentItem]]) -> bytes:
    """data.json and the files; a file missing from storage is named in data.json's missing_files."""
    buffer = io.BytesIO()
    missing: list[str] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, item in documents:
            try:
                with item.file.open("rb") as source, archive.open(path, "w") as target:
                    for chunk in source.chunks():
                        target.write(chunk)
            except OSError:
                logger.warning("document #%s: its file is missing from storage", item.pk)
                missing.append(path)
        data["missing_files"] = missing
        archive.writestr("data.json", json.dumps(data, cls=_Encoder, ensure_ascii=False, indent=2))
    return buffer.getvalue()


__all__ = [
    "ACTION_EXPORTED",
    "ACTION_PURGED",
    "ANONYMISED_DATE_OF_BIRTH",
    "PSEUDONYM_FIRST_NAME",
    "PurgeReport",
    "intern_access_export",
    "interns_purge",
    "months_before",
    "purgeable_interns",
]
