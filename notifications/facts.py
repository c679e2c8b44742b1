"""From stored files to the pure rules' facts: one query per kind of file, whatever the number of rows.

Planning (with date windows on the indexed deadline columns), the re-check before sending (one pk), the
event receivers (the ids a transition or the sweep moved) and the calendar feed (one organisation) all
read files through these functions, so they all feed the rules the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from conventions.models import Avenant, Convention, DocumentItem, ResidencePermitApplication, VisaApplication
from conventions.models.avenants import AVENANT_ACCEPTED_STATES, AVENANT_OPEN_STATES
from hostportal.bulk import among
from notifications.rules import (
    ACTIVE_CONVENTION_STATES,
    AvenantFacts,
    ConventionFacts,
    DocumentFacts,
    Facts,
    FileType,
    PermitFacts,
    VisaFacts,
)

STREAM_CHUNK = 2000  # rows fetched at a time from a server-side cursor
MODELS: dict[FileType, type[Any]] = {
    FileType.CONVENTION: Convention,
    FileType.AVENANT: Avenant,
    FileType.PERMIT: ResidencePermitApplication,
    FileType.DOCUMENT: DocumentItem,
    FileType.VISA: VisaApplication,
}


def file_type_of(model: type[Any]) -> FileType | None:
    return next((file_type for file_type, known in MODELS.items() if known is model), None)


@dataclass(frozen=True)
class FileRef:
    """Who and what a file is about, for recipients, links and the email's wording."""

    file_type: FileType
    pk: int
    organisation_id: int
    organisation_name: str
    convention_id: int
    intern_id: int
    intern_name: str
    intern_email: str
    intern_language: str
    notify_intern: bool


@dataclass(frozen=True)
class File:
    ref: FileRef
    facts: Facts


def _intern_name(first: str, last: str) -> str:
    return f"{first} {last.upper()}"  # as Intern.__str__: the family name in capitals


def _ref(file_type: FileType, row: dict[str, Any], prefix: str) -> FileRef:
    return FileRef(
        file_type=file_type,
        pk=row["pk"],
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation__name"],
        convention_id=row[f"{prefix}id"] if prefix else row["pk"],
        intern_id=row[f"{prefix}intern_id"],
        intern_name=_intern_name(row[f"{prefix}intern__first_name"], row[f"{prefix}intern__last_name"]),
        intern_email=row[f"{prefix}intern__email"],
        intern_language=row[f"{prefix}intern__language"],
        notify_intern=row[f"{prefix}intern__notify_intern"],
    )


INTERN_FIELDS = (
    "intern_id", "intern__first_name", "intern__last_name", "intern__email", "intern__language",
    "intern__notify_intern",
)  # fmt: skip


def _ref_fields(prefix: str) -> list[str]:
    """`prefix` reaches the convention from the file ("convention__"), "" for a convention itself."""
    own = ["pk", "organisation_id", "organisation__name"]
    return own + [prefix + name for name in INTERN_FIELDS] + ([f"{prefix}id"] if prefix else [])


CONVENTION_FIELDS = [
    "state", "category", "programme", "validation_required", "start_date", "effective_end_date",
    "received_on", "documents_requested_on", "documents_received_on", "documents_due_on",
    "acknowledged_decision_on", "intern__passport_expires_on",
]  # fmt: skip


def _rows(values: QuerySet[Any, dict[str, Any]], stream: bool) -> Iterable[dict[str, Any]]:
    """The rows of a values() queryset; with `stream`, through a server-side cursor, STREAM_CHUNK at a time
    (one query whatever their number, and never all of them in memory)."""
    return values.iterator(chunk_size=STREAM_CHUNK) if stream else values


def conventions(
    queryset: QuerySet[Convention], stream: bool = False, organisation_id: int | None = None
) -> Iterator[File]:
    """The conventions' files. With `organisation_id` (every row is of that organisation), the avenant
    checks read that organisation's avenants only, not every organisation's (the dashboard)."""
    avenants = Avenant.objects.filter(convention=OuterRef("pk"))
    if organisation_id is not None:
        avenants = avenants.filter(organisation_id=organisation_id)
    rows = queryset.annotate(
        has_open_avenant=Exists(avenants.filter(state__in=AVENANT_OPEN_STATES)),
        has_accepted_avenant=Exists(avenants.filter(state__in=AVENANT_ACCEPTED_STATES)),
    ).values(*_ref_fields(""), *CONVENTION_FIELDS, "has_open_avenant", "has_accepted_avenant")
    return (File(_ref(FileType.CONVENTION, row, ""), _convention_facts(row)) for row in _rows(rows, stream))


def _convention_facts(row: dict[str, Any]) -> ConventionFacts:
    return ConventionFacts(
        state=row["state"],
        category=row["category"],
        programme=row["programme"],
        validation_required=row["validation_required"],
        start_date=row["start_date"],
        effective_end_date=row["effective_end_date"],
        received_on=row["received_on"],
        documents_requested_on=row["documents_requested_on"],
        documents_received_on=row["documents_received_on"],
        documents_due_on=row["documents_due_on"],
        acknowledged_decision_on=row["acknowledged_decision_on"],
        passport_expires_on=row["intern__passport_expires_on"],
        has_open_avenant=row["has_open_avenant"],
        has_accepted_avenant=row["has_accepted_avenant"],
    )


AVENANT_FIELDS = [
    "state", "validation_required", "previous_end_date", "received_on", "documents_requested_on",
    "documents_received_on", "documents_due_on", "acknowledged_decision_on",
]  # fmt: skip


def avenants(queryset: QuerySet[Avenant], stream: bool = False) -> Iterator[File]:
    rows = queryset.values(
        *_ref_fields("convention__"), *AVENANT_FIELDS, "permit_application__state", "convention__category",
        "convention__visa__expires_on",
    )  # fmt: skip
    return (
        File(
            _ref(FileType.AVENANT, row, "convention__"),
            AvenantFacts(
                **_pick(row, AVENANT_FIELDS),
                category=row["convention__category"],
                permit_state=row["permit_application__state"],
                visa_expires_on=row["convention__visa__expires_on"],
            ),
        )
        for row in _rows(rows, stream)
    )


def permits(queryset: QuerySet[ResidencePermitApplication], stream: bool = False) -> Iterator[File]:
    rows = queryset.values(
        *_ref_fields("convention__"), "state", "filed_on", "complete_on", "convention__visa__expires_on"
    )
    return (
        File(
            _ref(FileType.PERMIT, row, "convention__"),
            PermitFacts(
                state=row["state"],
                filed_on=row["filed_on"],
                complete_on=row["complete_on"],
                visa_expires_on=row["convention__visa__expires_on"],
            ),
        )
        for row in _rows(rows, stream)
    )


def visas(queryset: QuerySet[VisaApplication], stream: bool = False) -> Iterator[File]:
    rows = queryset.values(*_ref_fields("convention__"), "state", "arrived_on", "ofii_validated_on")
    return (
        File(
            _ref(FileType.VISA, row, "convention__"),
            VisaFacts(
                state=row["state"], arrived_on=row["arrived_on"], ofii_validated_on=row["ofii_validated_on"]
            ),
        )
        for row in _rows(rows, stream)
    )


def documents(queryset: QuerySet[DocumentItem], stream: bool = False) -> Iterator[File]:
    rows = queryset.values(
        *_ref_fields("convention__"), "code", "label", "status", "expires_on", "convention__state",
        "convention__effective_end_date",
    )  # fmt: skip
    return (
        File(_ref(FileType.DOCUMENT, row, "convention__"), _document_facts(row))
        for row in _rows(rows, stream)
    )


def _document_facts(row: dict[str, Any]) -> DocumentFacts:
    return DocumentFacts(
        code=row["code"],
        label=row["label"],
        status=row["status"],
        expires_on=row["expires_on"],
        convention_state=row["convention__state"],
        stage_end=row["convention__effective_end_date"],
    )


def _pick(row: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: row[name] for name in names}


_READERS = {
    FileType.CONVENTION: conventions,
    FileType.AVENANT: avenants,
    FileType.PERMIT: permits,
    FileType.DOCUMENT: documents,
    FileType.VISA: visas,
}


def files_by_ids(file_type: FileType, ids: Iterable[int]) -> list[File]:
    """The files of one type with these ids (one query)."""
    model = MODELS[file_type]
    return list(_READERS[file_type](model.objects.filter(pk__in=list(ids))))  # type: ignore[operator]


def stream_files_by_ids(file_type: FileType, ids: list[int]) -> Iterator[File]:
    """`files_by_ids` for any number of ids, streamed in no particular order (the sweep's 100,000 refused
    conventions)."""
    model = MODELS[file_type]
    return _READERS[file_type](model.objects.filter(pk__in=among(ids)).order_by(), stream=True)  # type: ignore[operator]


# --- planning windows: only the rows whose deadline is near, through the indexed columns ------------------
def conventions_to_remind(today: dt.date, horizon: int) -> Iterator[File]:
    """Drafts to file (late ones too), submitted ones near the silence deadline, validated ones near
    their end, and every active stage whose intern's passport expires within the horizon."""
    until = today + dt.timedelta(days=horizon)
    window = (
        Q(state="draft", validation_required=True, filing_deadline__lte=until)
        | Q(state="submitted", silence_deadline__range=(today, until))
        | Q(state="documents_requested", documents_due_on__range=(today, until))
        | Q(state="validated", effective_end_date__range=(today, until))
        | Q(state__in=_active_states(), intern__passport_expires_on__range=(today, until))
    )
    return conventions(Convention.objects.filter(window).order_by(), stream=True)


def avenants_to_remind(today: dt.date, horizon: int) -> Iterator[File]:
    """Drafts to file, documents due, and company-stage avenants waiting for an explicit answer (R426-21)."""
    until = today + dt.timedelta(days=horizon)
    window = (
        Q(state="draft", validation_required=True, filing_deadline__range=(today, until))
        | Q(state="documents_requested", documents_due_on__range=(today, until))
        | Q(
            state__in=["submitted", "documents_requested"],
            convention__category="entreprise",
            previous_end_date__range=(today, until),
        )
    )
    return avenants(Avenant.objects.filter(window).order_by(), stream=True)


def permits_to_remind(today: dt.date, horizon: int) -> Iterator[File]:
    """Filed ones near the silence deadline; ones to file whose window opens soon or closes (late too)."""
    until = today + dt.timedelta(days=horizon)
    window = (
        Q(state="filed", silence_deadline__range=(today, until))
        | Q(state="to_file", filing_opens_on__range=(today, until))
        | Q(state="to_file", filing_deadline__lte=until)
    )
    return permits(ResidencePermitApplication.objects.filter(window).order_by(), stream=True)


def visas_to_remind(today: dt.date, horizon: int) -> Iterator[File]:
    """Issued visas whose OFII validation (arrival + 3 months, R431-16) is near or late, until recorded."""
    until = today + dt.timedelta(days=horizon)
    return visas(
        VisaApplication.objects.filter(
            state="issued", ofii_validated_on__isnull=True, ofii_validation_deadline__lte=until
        ).order_by(),
        stream=True,
    )


def documents_to_remind(today: dt.date, horizon: int) -> Iterator[File]:
    until = today + dt.timedelta(days=horizon)
    return documents(
        DocumentItem.objects.filter(
            expires_on__range=(today, until), convention__state__in=_active_states()
        ).order_by(),
        stream=True,
    )


def _active_states() -> list[str]:
    return sorted(ACTIVE_CONVENTION_STATES)


# --- the calendar and "act now": the files of one organisation that can still have a deadline -----------
def files_of_organisation(organisation_id: int, today: dt.date, act_by: dt.date | None = None) -> list[File]:
    """Every file of the organisation that can still have an upcoming deadline (the calendar); with
    `act_by`, only the files that can have a deadline to act on by that date, late ones still actionable
    included (act_now). The window is read on the stored deadline columns and keeps a row whose column is
    empty, so it holds every file `act_now_deadlines` keeps. Four queries either way."""

    def window(file_type: FileType) -> Q:
        return Q() if act_by is None else _ACT_ON[file_type](today, act_by)

    found = list(
        conventions(
            Convention.objects.filter(organisation_id=organisation_id, state__in=_active_states())
            .filter(window(FileType.CONVENTION), effective_end_date__gte=today)
            .order_by("pk"),
            organisation_id=organisation_id,
        )
    )
    found += avenants(
        Avenant.objects.filter(
            window(FileType.AVENANT),
            organisation_id=organisation_id,
            state__in=["draft", "submitted", "documents_requested"],
        )
    )
    found += permits(
        ResidencePermitApplication.objects.filter(
            window(FileType.PERMIT), organisation_id=organisation_id, state__in=["to_file", "filed"]
        )
    )
    found += visas(
        VisaApplication.objects.filter(
            window(FileType.VISA),
            organisation_id=organisation_id,
            state="issued",
            ofii_validated_on__isnull=True,
        ).exclude(ofii_validation_deadline__isnull=True)
    )
    return found


# Which deadline each state brings to act on: notifications.rules.file_deadlines less NOT_A_TASK, a passed
# one only when STILL_ACTIONABLE_WHEN_LATE (`_by`), else from today (`_between`: a passed silence deadline
# is an implicit decision, not a task). The columns are the ones the services store from the same rules.
def _by(column: str, until: dt.date) -> Q:
    return Q(**{f"{column}__lte": until}) | Q(**{f"{column}__isnull": True})


def _between(column: str, today: dt.date, until: dt.date) -> Q:
    return Q(**{f"{column}__range": (today, until)}) | Q(**{f"{column}__isnull": True})


def _conventions_to_act_on(today: dt.date, until: dt.date) -> Q:
    return (
        (Q(state="draft", validation_required=True) & _by("filing_deadline", until))
        | (Q(state="submitted") & _between("silence_deadline", today, until))
        | Q(state="documents_requested", documents_due_on__lte=until)
    )


def _avenants_to_act_on(today: dt.date, until: dt.date) -> Q:
    company = Q(convention__category="entreprise")  # no implicit decision, an explicit answer (R426-21)
    return (
        (Q(state="draft", validation_required=True) & _by("filing_deadline", until))
        | (Q(state="submitted") & ~company & _between("silence_deadline", today, until))
        | Q(state="documents_requested", documents_due_on__lte=until)
        | (
            company
            & Q(state__in=["submitted", "documents_requested"], previous_end_date__range=(today, until))
        )
    )


def _permits_to_act_on(today: dt.date, until: dt.date) -> Q:
    return (Q(state="filed") & _between("silence_deadline", today, until)) | (
        Q(state="to_file") & _by("filing_deadline", until)
    )


def _visas_to_act_on(today: dt.date, until: dt.date) -> Q:
    return Q(ofii_validation_deadline__lte=until)


_ACT_ON: dict[FileType, Callable[[dt.date, dt.date], Q]] = {
    FileType.CONVENTION: _conventions_to_act_on,
    FileType.AVENANT: _avenants_to_act_on,
    FileType.PERMIT: _permits_to_act_on,
    FileType.VISA: _visas_to_act_on,
}
