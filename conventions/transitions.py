"""The registry of what a person can do to a file: transitions and out-of-band events, for every interface.

Each `TransitionAction` names a django-fsm transition (or an event that records a date without moving the
file), its form and the service it calls. The admin and the HR portal offer the same buttons from these
lists (`available_actions`), and run them the same way (`TransitionAction.run`): the service is the judge,
its error lands on the form and nothing changes.

- a transition appears when django-fsm allows it now, for this user (state, conditions, permission). The
  implicit decisions (refuse_by_silence, accept_by_silence) belong to the sweep and are never offered;
- an event appears to the file's writers in the states its service accepts (`states`).

Date inputs are `<input type="date">`: a date picker in every browser, posted as ISO 8601, so a date can
never be misread whatever the reader's language (each language also accepts its own typed format).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from conventions import services
from conventions.models import Channel, PermitState, VisaState
from conventions.rules import CheckInputError
from conventions.services import ServiceError
from conventions.services.filing import ACKNOWLEDGEABLE, DOCUMENTS_REQUESTED
from conventions.services.validation import field_label
from hostportal.permissions import can_write


class DatePicker(forms.DateInput):
    """The browser's date picker; its value is ISO 8601 (yyyy-mm-dd) in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Optional; kept in the audit trail."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # the label is the field's name, in every language
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "comment"] + ["comment"])


# The forms name their fields after the service's arguments; errors come back as model fields.
DECISION_FIELDS = {"decision_on": "decided_on", "decision_reference": "reference"}
DOCUMENTS_REQUESTED_FIELDS = {"documents_requested_on": "requested_on", "documents_due_on": "due_on"}
DOCUMENTS_DUE_FIELDS = {"documents_due_on": "due_on"}
ACKNOWLEDGMENT_FIELDS = {"acknowledged_decision_on": "acknowledged_on"}


class EventDateField(forms.DateField):
    """The day something happened (received, decided, arrived): today is a sensible default."""


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return EventDateField(label=label, required=required, widget=DatePicker, help_text=help_text)


def set_date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    """A date someone else sets, often in the future (a due date, a visa's expiry): no default."""
    return forms.DateField(label=label, required=required, widget=DatePicker, help_text=help_text)


class ReceivedForm(CommentForm):
    received_on = date_field(
        _("Received by the administration on"),
        help_text=_("Starts the silence delay. A registered letter: the day of its delivery."),
    )


class VersionedReceivedForm(ReceivedForm):
    # The version the user saw: filing a file someone has just changed is refused with a clear message.
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


DUE_ON_LABEL = _("Documents due by (date set by the administration)")
DUE_ON_HELP = _(
    "The date the administration set for the missing documents, not before the request. A convention's "
    "refusal delay stays suspended until the documents arrive or this date, whichever comes first (CRPA "
    "L114-5 al. 4); an avenant's 15 days run again only from the documents' receipt (al. 3)."
)


class DocumentsRequestedForm(CommentForm):
    requested_on = date_field(
        _("Documents requested on"), help_text=_("Suspends the silence delay (CRPA L114-5).")
    )
    due_on = set_date_field(DUE_ON_LABEL, required=False, help_text=DUE_ON_HELP)
    documents = forms.CharField(
        label=_("Documents asked for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "One per line, as the administration listed them: each becomes a line of the documents' "
            "checklist, and the list is kept in the audit trail."
        ),
    )


class DocumentsDueForm(CommentForm):
    due_on = set_date_field(DUE_ON_LABEL, help_text=DUE_ON_HELP)


class AcknowledgmentForm(CommentForm):
    acknowledged_on = set_date_field(
        _("Implicit decision on (date stated on the acknowledgment of receipt)"),
        help_text=_(
            "The acknowledgment of receipt states the day the request will be deemed decided; recorded, it "
            "wins over the computed silence deadline, which becomes the day before (CRPA L112-3, R112-5). "
            "It must be after the date the administration received the request."
        ),
    )


class DocumentsReceivedForm(CommentForm):
    received_on = date_field(_("Documents received by the administration on"))


class DecisionForm(CommentForm):
    decided_on = date_field(_("Decided on"))
    reference = forms.CharField(
        label=_("Decision reference"),
        required=False,
        max_length=100,
        help_text=_("As printed on the decision; it can be added later as a correction."),
    )


COMPLETE_ON_HELP = _(
    "The day the préfecture had the complete application. 90 days of silence after it mean refusal "
    "(CESEDA R426-17, the delay of the carte de séjour « stagiaire »)."
)


class PermitFileForm(CommentForm):
    filed_on = date_field(
        _("Filed at the préfecture on"),
        help_text=_(
            "The 90-day silence delay runs from this date, or from the complete date below (R426-17)."
        ),
    )
    complete_on = date_field(
        _("Complete on (if later than the filing)"),
        required=False,
        help_text=_("Leave empty when the file was complete when filed."),
    )
    prefecture = forms.CharField(label=_("Préfecture"), required=False, max_length=200)


class PermitCompleteForm(CommentForm):
    complete_on = date_field(_("Application complete on"), help_text=COMPLETE_ON_HELP)


class PermitGrantForm(DecisionForm):
    card_valid_until = date_field(_("Card valid until"), required=False)
    stamp_paid_on = date_field(_("Tax stamp (75 EUR) paid on"), required=False)


class VisaApplyForm(CommentForm):
    applied_on = date_field(_("Applied at the consulate on"))
    consulate = forms.CharField(label=_("Consulate"), required=False, max_length=200)


class VisaValidityForm(CommentForm):
    valid_from = set_date_field(_("Valid from"), required=False)
    expires_on = set_date_field(
        _("Expires on"),
        help_text=_(
            "The visa's last day of validity: the carte de séjour is filed from 120 to 60 days before it "
            "(CESEDA R431-5)."
        ),
    )


class VisaIssuedForm(DecisionForm, VisaValidityForm):
    pass


class ArrivalForm(CommentForm):
    arrived_on = date_field(
        _("Arrived in France on"),
        help_text=_("The OFII validation of the visa is due 3 months later (CESEDA R431-16)."),
    )


class OfiiValidationForm(CommentForm):
    validated_on = date_field(_("Validated with the OFII on"), help_text=_("Not before the arrival."))


def _documents_comment(data: dict[str, Any]) -> dict[str, Any]:
    """The documents asked for, one per line: lines of the checklist (the service), and the audit trail's
    comment too, so the history says what was asked."""
    documents = [line.strip() for line in str(data.pop("documents", "") or "").splitlines() if line.strip()]
    data["documents"] = documents
    if documents:
        listed = "\n".join(f"- {line}" for line in documents)
        head = str(_("Documents asked for:"))
        data["comment"] = f"{head}\n{listed}" + (f"\n{data['comment']}" if data.get("comment") else "")
    return data


@dataclass(frozen=True)
class TransitionAction:
    """One button: the django-fsm transition (or the event) it performs, its form, and the service it calls.

    The service is called with the form's cleaned data as keyword arguments (the form fields are named
    after the service's parameters), plus `fixed` ones, the file, the acting user and the channel.
    An action with `states` is an event: no django-fsm transition, offered in those states only.
    """

    name: str
    label: str | Promise
    form_class: type[forms.Form]
    service: Callable[..., Any]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    help: str | Promise = ""
    # Service error field -> form field, when the service names the model field ("decision_on").
    field_map: Mapping[str, str] = field(default_factory=dict)
    states: Collection[str] = ()
    # Turns the form's data into the service's arguments (e.g. a list folded into the comment).
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def is_event(self) -> bool:
        return bool(self.states)

    def allowed(self, obj: Any, fsm_allowed: Collection[str]) -> bool:
        return obj.state in self.states if self.is_event else self.name in fsm_allowed

    def run(self, *, subject: str, obj: Any, actor: Any, data: Mapping[str, Any], channel: str) -> Any:
        arguments = dict(data)
        if self.prepare is not None:
            arguments = self.prepare(arguments)
        return self.service(actor=actor, channel=channel, **{subject: obj.pk}, **self.fixed, **arguments)


def available_actions(
    obj: Any, user: Any, actions: Sequence[TransitionAction], *, writer: bool | None = None
) -> list[TransitionAction]:
    """The transitions django-fsm allows now for this user and the events of this state; none for a
    read-only member or an outsider.

    `writer` is the caller's answer to `can_write(user, obj.organisation_id)` when it already has it: every
    offered transition's permission is that same check (models.common.member_can_write), so a page that
    shows several files asks it once instead of once per transition.
    """
    if obj is None or obj.pk is None:
        return []
    if writer is None:
        writer = can_write(user, obj.organisation_id)
    if not writer:
        return []
    fsm_allowed = {t.name for t in obj.get_available_state_transitions()}
    return [action for action in actions if action.allowed(obj, fsm_allowed)]


def find_action(actions: Sequence[TransitionAction], name: str) -> TransitionAction | None:
    return next((action for action in actions if action.name == name), None)


def initial_for(form_class: type[forms.Form], obj: Any, today: dt.date) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: today
        for name, form_field in form_class.base_fields.items()
        if isinstance(form_field, EventDateField) and form_field.required
    }
    if "expected_version" in form_class.base_fields:
        initial["expected_version"] = obj.version
    return initial


SUBMIT = _("Submit to the administration")
DOCUMENTS_REQUESTED_LABEL = _("Documents requested")
DOCUMENTS_RECEIVED_LABEL = _("Documents received")
VALIDATE = _("Record validation")
REFUSE = _("Record refusal")
WITHDRAW = _("Withdraw")
SET_DUE = _("Set the documents' due date")
ACKNOWLEDGE = _("Record the acknowledgment of receipt")
ACKNOWLEDGE_HELP = _(
    "The decision date stated on the acknowledgment wins over the computed one (CRPA R112-5)."
)

CONVENTION_ACTIONS = [
    TransitionAction(
        "submit", SUBMIT, VersionedReceivedForm, services.convention_submit,
        help=_("Record the day the administration received the convention (CESEDA R426-20)."),
    ),
    TransitionAction(
        "mark_not_required", _("Close: no validation required"), CommentForm,
        services.convention_mark_not_required,
        help=_("The rules say this stay needs no validation (EU citizen, short stay, Canadian exemption)."),
    ),
    TransitionAction(
        "request_documents", DOCUMENTS_REQUESTED_LABEL, DocumentsRequestedForm,
        services.convention_request_documents,
        help=_(
            "The administration asked for missing documents: the refusal delay is suspended until they "
            "arrive or the date it set for them (CRPA L114-5 al. 4)."
        ),
        field_map=DOCUMENTS_REQUESTED_FIELDS, prepare=_documents_comment,
    ),
    TransitionAction(
        "receive_documents", DOCUMENTS_RECEIVED_LABEL, DocumentsReceivedForm,
        services.convention_receive_documents,
        help=_("The documents reached the administration: the silence delay runs again, moved later."),
        field_map={"documents_received_on": "received_on"},
    ),
    TransitionAction(
        "validate", VALIDATE, DecisionForm, services.convention_record_decision,
        fixed={"decision": "validated"}, help=_("The administration validated (visé) the convention."),
        field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "refuse", REFUSE, DecisionForm, services.convention_record_decision, fixed={"decision": "refused"},
        help=_("The administration refused the convention explicitly."), field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "withdraw", WITHDRAW, CommentForm, services.convention_withdraw,
        help=_("The host gives the stage up."),
    ),
    TransitionAction(
        "set_documents_due", SET_DUE, DocumentsDueForm, services.convention_set_documents_due,
        help=_("The date the administration set for the documents: the silence deadline moves (L114-5)."),
        field_map=DOCUMENTS_DUE_FIELDS, states=(DOCUMENTS_REQUESTED,),
    ),
    TransitionAction(
        "record_acknowledgment", ACKNOWLEDGE, AcknowledgmentForm, services.convention_record_acknowledgment,
        help=ACKNOWLEDGE_HELP, field_map=ACKNOWLEDGMENT_FIELDS, states=ACKNOWLEDGEABLE,
    ),
]  # fmt: skip

AVENANT_ACTIONS = [
    TransitionAction(
        "submit", SUBMIT, ReceivedForm, services.avenant_submit,
        help=_(
            "15 days of silence from this date accept the avenant (CESEDA R426-21); not for a company "
            "stage, which needs an explicit answer."
        ),
    ),
    TransitionAction(
        "request_documents", DOCUMENTS_REQUESTED_LABEL, DocumentsRequestedForm,
        services.avenant_request_documents,
        help=_("No silence deadline until the documents arrive; then 15 days again (CRPA L114-5)."),
        field_map=DOCUMENTS_REQUESTED_FIELDS, prepare=_documents_comment,
    ),
    TransitionAction(
        "receive_documents", DOCUMENTS_RECEIVED_LABEL, DocumentsReceivedForm,
        services.avenant_receive_documents, field_map={"documents_received_on": "received_on"},
    ),
    TransitionAction(
        "validate", _("Record acceptance"), DecisionForm, services.avenant_record_decision,
        fixed={"decision": "validated"},
        help=_("The convention's end date in force moves and the carte de séjour application opens."),
        field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "refuse", REFUSE, DecisionForm, services.avenant_record_decision, fixed={"decision": "refused"},
        field_map=DECISION_FIELDS,
    ),
    TransitionAction("withdraw", WITHDRAW, CommentForm, services.avenant_withdraw),
    TransitionAction(
        "set_documents_due", SET_DUE, DocumentsDueForm, services.avenant_set_documents_due,
        help=_("The date the administration set for the documents (kept for the record and the reminders)."),
        field_map=DOCUMENTS_DUE_FIELDS, states=(DOCUMENTS_REQUESTED,),
    ),
    TransitionAction(
        "record_acknowledgment", ACKNOWLEDGE, AcknowledgmentForm, services.avenant_record_acknowledgment,
        help=ACKNOWLEDGE_HELP, field_map=ACKNOWLEDGMENT_FIELDS, states=ACKNOWLEDGEABLE,
    ),
]  # fmt: skip

VISA_ISSUED = (VisaState.ISSUED,)  # the events of an issued visa (services.visas)
VISA_ACTIONS = [
    TransitionAction(
        "apply", _("Applied at the consulate"), VisaApplyForm, services.visa_apply,
        help=_("The intern applied for the long-stay visa (VLS-TS stagiaire)."),
    ),
    TransitionAction(
        "issue", _("Record the visa issued"), VisaIssuedForm, services.visa_record_decision,
        fixed={"decision": "issued"}, field_map=DECISION_FIELDS,
        help=_("Its expiry dates the carte de séjour filing window (CESEDA R431-5)."),
    ),
    TransitionAction(
        "refuse", REFUSE, DecisionForm, services.visa_record_decision,
        fixed={"decision": "refused"}, field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "record_arrival", _("Record the arrival in France"), ArrivalForm, services.visa_record_arrival,
        help=_("Starts the 3 months to validate the visa with the OFII (CESEDA R431-16)."),
        states=VISA_ISSUED,
    ),
    TransitionAction(
        "record_ofii_validation", _("Record the OFII validation"), OfiiValidationForm,
        services.visa_record_ofii_validation, field_map={"ofii_validated_on": "validated_on"},
        help=_("The intern validated the visa online with the OFII."), states=VISA_ISSUED,
    ),
    TransitionAction(
        "set_validity", _("Correct the visa's validity"), VisaValidityForm, services.visa_set_validity,
        help=_("The carte de séjour filing window moves with the expiry."), states=VISA_ISSUED,
    ),
]  # fmt: skip

PERMIT_ACTIONS = [
    TransitionAction(
        "file", _("Filed at the préfecture"), PermitFileForm, services.permit_file,
        help=_("90 days of silence after the complete application mean refusal (CESEDA R426-17)."),
    ),
    TransitionAction(
        "grant", _("Record the card granted"), PermitGrantForm, services.permit_record_decision,
        fixed={"decision": "granted"}, field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "refuse", REFUSE, DecisionForm, services.permit_record_decision,
        fixed={"decision": "refused"}, field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "record_complete", _("Record the file complete"), PermitCompleteForm, services.permit_record_complete,
        help=_("The préfecture has the complete application: the 90 days run from that day (R426-17)."),
        states=(PermitState.FILED,),
    ),
]  # fmt: skip

# Each kind of file: its actions and the service's keyword for it.
REGISTRY: Mapping[str, tuple[str, Sequence[TransitionAction]]] = {
    "convention": ("convention", CONVENTION_ACTIONS),
    "avenant": ("avenant", AVENANT_ACTIONS),
    "visa": ("visa", VISA_ACTIONS),
    "permit": ("permit", PERMIT_ACTIONS),
}

__all__ = ["Channel", "REGISTRY", "TransitionAction", "available_actions", "find_action", "initial_for"]


# --- the services' errors on a form, for every interface -------------------------------------------------

SERVICE_ERRORS = (ValidationError, ServiceError, PermissionDenied, CheckInputError)


def _labelled(name: str, message: str) -> str:
    # French puts a space before the colon.
    colon = " :" if (translation.get_language() or "")[:2] == "fr" else ":"
    label = field_label(name)
    return f"{label[:1].upper()}{label[1:]}{colon} {message}"


def error_messages(exc: BaseException) -> list[str]:
    """Readable messages of a service error, each prefixed with its field's label (as the user sees it)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                message if name == NON_FIELD_ERRORS else _labelled(name, message)
                for name, errors in exc.message_dict.items()
                for message in errors
            ]
        return list(exc.messages)
    if isinstance(exc, CheckInputError):
        return [_labelled(name, message) for name, message in exc.errors.items()]
    return [str(exc)]


def add_service_error(form: forms.BaseForm, exc: BaseException, field_map: Mapping[str, str] = {}) -> None:  # noqa: B006
    """Put a service error on the form: on the named field when the form has it, else on the form with the
    field's label (never its code name)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        per_field: Mapping[str, list[str]] = exc.message_dict
    elif isinstance(exc, CheckInputError):
        per_field = {name: [message] for name, message in exc.errors.items()}
    else:
        form.add_error(None, error_messages(exc))
        return
    for name, errors in per_field.items():
        target = field_map.get(name, name)
        if target in form.fields:
            form.add_error(target, errors)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, errors)
        else:
            form.add_error(None, [_labelled(name, e) for e in errors])
