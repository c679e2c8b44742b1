"""Transition and event buttons: each leads to a small form that calls its service.

Two kinds of button share one registry (`TransitionAction`) and one view:
- a transition moves the file; it appears when django-fsm allows it now, for this user (state, conditions,
  permission). The implicit decisions (refuse_by_silence, accept_by_silence) belong to the sweep and are
  never offered;
- an event records a date without moving the file (the documents' due date, the acknowledgment of receipt,
  an arrival); it appears to the file's writers in the states its service accepts (`states`).
The service is the judge: its error is shown on the form and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from conventions.admin.base import SERVICE_ERRORS, add_service_error, error_messages
from conventions.models import Channel


class CommentForm(forms.Form):
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the audit trail.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "comment"] + ["comment"])


# The forms name their fields after the service's arguments; errors come back as model fields.
DECISION_FIELDS = {"decision_on": "decided_on", "decision_reference": "reference"}
DOCUMENTS_REQUESTED_FIELDS = {"documents_requested_on": "requested_on", "documents_due_on": "due_on"}
DOCUMENTS_DUE_FIELDS = {"documents_due_on": "due_on"}
ACKNOWLEDGMENT_FIELDS = {"acknowledged_decision_on": "acknowledged_on"}


class EventDateField(forms.DateField):
    """The day something happened (received, decided, arrived): today is a sensible default."""


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return EventDateField(label=label, required=required, widget=AdminDateWidget, help_text=help_text)


def set_date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    """A date someone else sets, often in the future (a due date, a visa's expiry): no default."""
    return forms.DateField(label=label, required=required, widget=AdminDateWidget, help_text=help_text)


class ReceivedForm(CommentForm):
    received_on = date_field("Received by the administration on", help_text="Starts the silence delay.")


class VersionedReceivedForm(ReceivedForm):
    # The version the user saw: filing a file someone has just changed is refused with a clear message.
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


DUE_ON_LABEL = "Documents due by (date set by the administration)"
DUE_ON_HELP = (
    "The date the administration set for the missing documents, not before the request. A convention's "
    "refusal delay stays suspended until the documents arrive or this date, whichever comes first (CRPA "
    "L114-5 al. 4); an avenant's 15 days run again only from the documents' receipt (al. 3)."
)


class DocumentsRequestedForm(CommentForm):
    requested_on = date_field("Documents requested on", help_text="Suspends the silence delay (CRPA L114-5).")
    due_on = set_date_field(
        DUE_ON_LABEL,
        required=False,
        help_text=DUE_ON_HELP + " Without it a convention's silence deadline cannot be computed.",
    )


class DocumentsDueForm(CommentForm):
    due_on = set_date_field(DUE_ON_LABEL, help_text=DUE_ON_HELP)


class AcknowledgmentForm(CommentForm):
    acknowledged_on = set_date_field(
        "Implicit decision on (date stated on the acknowledgment of receipt)",
        help_text=(
            "The acknowledgment of receipt states the day the request will be deemed decided; recorded, it "
            "wins over the computed silence deadline, which becomes the day before (CRPA L112-3, R112-5). "
            "It must be after the date the administration received the request."
        ),
    )


class DocumentsReceivedForm(CommentForm):
    received_on = date_field("Documents received by the administration on")


class DecisionForm(CommentForm):
    decided_on = date_field("Decided on")
    reference = forms.CharField(label="Decision reference", required=False, max_length=100)


COMPLETE_ON_HELP = (
    "The day the préfecture had the complete application. 90 days of silence after it mean refusal "
    "(CESEDA R426-17, the delay of the carte de séjour « stagiaire »)."
)


class PermitFileForm(CommentForm):
    filed_on = date_field(
        "Filed at the préfecture on",
        help_text="The 90-day silence delay runs from this date, or from the complete date below (R426-17).",
    )
    complete_on = date_field(
        "Complete on (if later than the filing)",
        required=False,
        help_text=COMPLETE_ON_HELP + " Leave empty when the file was complete when filed.",
    )
    prefecture = forms.CharField(required=False, max_length=200)


class PermitCompleteForm(CommentForm):
    complete_on = date_field("Application complete on", help_text=COMPLETE_ON_HELP)


class PermitGrantForm(DecisionForm):
    card_valid_until = date_field("Card valid until", required=False)
    stamp_paid_on = date_field("Tax stamp (75 EUR) paid on", required=False)


@dataclass(frozen=True)
class TransitionAction:
    """One button: the django-fsm transition (or the event) it performs, its form, and the service it calls.

    The service is called with the form's cleaned data as keyword arguments (the form fields are named
    after the service's parameters), plus `fixed` ones, the file, the acting user and channel "admin".
    An action with `states` is an event: no django-fsm transition, offered in those states only.
    """

    name: str
    label: str
    form_class: type[forms.Form]
    service: Callable[..., Any]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    help: str = ""
    # Service error field -> form field, when the service names the model field ("decision_on").
    field_map: Mapping[str, str] = field(default_factory=dict)
    states: Collection[str] = ()

    @property
    def is_event(self) -> bool:
        return bool(self.states)

    def allowed(self, obj: Any, fsm_allowed: Collection[str]) -> bool:
        return obj.state in self.states if self.is_event else self.name in fsm_allowed

    def run(self, *, subject: str, obj: Any, actor: Any, data: Mapping[str, Any]) -> Any:
        return self.service(actor=actor, channel=Channel.ADMIN, **{subject: obj.pk}, **self.fixed, **data)


def initial_for(form_class: type[forms.Form], obj: Any, today: dt.date) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: today
        for name, form_field in form_class.base_fields.items()
        if isinstance(form_field, EventDateField) and form_field.required
    }
    if "expected_version" in form_class.base_fields:
        initial["expected_version"] = obj.version
    return initial


class TransitionAdminMixin:
    """For a ModelAdmin of an FSM model: buttons on the change page and one form view per transition."""

    transition_actions: ClassVar[Sequence[TransitionAction]] = ()
    transition_subject: ClassVar[str] = ""  # the service's keyword for the file: "convention", "avenant"...
    change_form_template: ClassVar[Any] = "admin/conventions/change_form_transitions.html"
    transition_form_template = "admin/conventions/transition_form.html"

    # Provided by ModelAdmin.
    model: Any
    opts: Any
    admin_site: Any

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_transition"
        own = [
            path(
                "<path:object_id>/transition/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name=name,
            )
        ]
        return own + super().get_urls()  # type: ignore[misc]

    def transition_url(self, obj: Any, action: TransitionAction) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_transition"
        return reverse(name, args=[obj.pk, action.name], current_app=self.admin_site.name)

    def change_url(self, obj: Any) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return reverse(name, args=[obj.pk], current_app=self.admin_site.name)

    def available_actions(self, request: HttpRequest, obj: Any) -> list[TransitionAction]:
        """The transitions django-fsm allows now for this user and the events of this state; none for a
        read-only member."""
        if obj is None or not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return []
        fsm_allowed = {t.name for t in obj.get_available_user_state_transitions(request.user)}
        return [action for action in self.transition_actions if action.allowed(obj, fsm_allowed)]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], add: bool = False, change: bool = False,
        form_url: str = "", obj: Any = None,
    ) -> HttpResponse:  # fmt: skip
        actions = self.available_actions(request, obj)
        context["transition_buttons"] = [self.button(obj, a) for a in actions if not a.is_event]
        context["event_buttons"] = [self.button(obj, a) for a in actions if a.is_event]
        context["page_notices"] = self.page_notices(obj) if obj is not None else []
        if obj is not None and self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            context["transition_hint"] = self.transition_hint(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def button(self, obj: Any, action: TransitionAction) -> dict[str, str]:
        return {"label": action.label, "url": self.transition_url(obj, action), "help": action.help}

    def transition_hint(self, obj: Any) -> str:
        """Why an expected next step is not offered (e.g. fields missing before filing); "" when none."""
        return ""

    def page_notices(self, obj: Any) -> list[str]:
        """What every reader of this file must know before acting (viewers included)."""
        return []

    def _action(self, name: str) -> TransitionAction:
        for action in self.transition_actions:
            if action.name == name:
                return action
        raise Http404(f"No transition {name!r} here.")

    def transition_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            # Another organisation's file answers like a missing one.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        chosen = self._action(action)
        if request.method != "POST" and chosen not in self.available_actions(request, obj):
            messages.error(
                request, f"“{chosen.label}” is not possible now: {obj} is {obj.get_state_display()}."
            )
            return HttpResponseRedirect(self.change_url(obj))
        form = chosen.form_class(
            request.POST if request.method == "POST" else None,
            initial=initial_for(chosen.form_class, obj, timezone.localdate()),
        )
        if request.method == "POST" and form.is_valid():
            try:
                result = chosen.run(
                    subject=self.transition_subject, obj=obj, actor=request.user, data=form.cleaned_data
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc, chosen.field_map)
                for message in error_messages(exc):
                    messages.error(request, f"{chosen.label}: {message} Nothing was changed.")
            else:
                state = result.get_state_display()
                outcome = f"recorded; it is still {state}" if chosen.is_event else f"done; it is now {state}"
                messages.success(request, f"{result}: “{chosen.label}” {outcome}.")
                return HttpResponseRedirect(self.change_url(obj))
        return self.render_transition_form(request, obj, chosen, form)

    def render_transition_form(
        self, request: HttpRequest, obj: Any, action: TransitionAction, form: forms.Form
    ) -> HttpResponse:
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.label}: {obj}",
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": obj,
            "form": form,
            "action": action,
            "change_url": self.change_url(obj),
            "media": self.media + form.media,  # type: ignore[attr-defined]
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.transition_form_template, context)
