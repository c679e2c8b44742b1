"""Transition and event buttons in the admin: each leads to a small form that calls its service.

The registry (forms, actions, which are allowed now) is conventions.transitions, shared with the portal.

Two kinds of button share one registry (`TransitionAction`) and one view:
- a transition moves the file; it appears when django-fsm allows it now, for this user (state, conditions,
  permission). The implicit decisions (refuse_by_silence, accept_by_silence) belong to the sweep and are
  never offered;
- an event records a date without moving the file (the documents' due date, the acknowledgment of receipt,
  an arrival); it appears to the file's writers in the states its service accepts (`states`).
The service is the judge: its error is shown on the form and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions.admin.base import SERVICE_ERRORS, add_service_error, error_messages
from conventions.models import Channel
from conventions.transitions import (  # noqa: F401  (the forms are re-exported for the admin modules)
    ACKNOWLEDGMENT_FIELDS,
    DECISION_FIELDS,
    DOCUMENTS_DUE_FIELDS,
    DOCUMENTS_REQUESTED_FIELDS,
    AcknowledgmentForm,
    CommentForm,
    DecisionForm,
    DocumentsDueForm,
    DocumentsReceivedForm,
    DocumentsRequestedForm,
    PermitCompleteForm,
    PermitFileForm,
    PermitGrantForm,
    ReceivedForm,
    TransitionAction,
    VersionedReceivedForm,
    available_actions,
    date_field,
    initial_for,
    set_date_field,
)


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
        return available_actions(obj, request.user, self.transition_actions)

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
        return {"label": str(action.label), "url": self.transition_url(obj, action), "help": str(action.help)}

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
        raise Http404(_("No such step for this file."))

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
                request,
                _("“%(action)s” is not possible now: %(file)s is %(state)s.")
                % {"action": chosen.label, "file": obj, "state": obj.get_state_display()},
            )
            return HttpResponseRedirect(self.change_url(obj))
        form = chosen.form_class(
            request.POST if request.method == "POST" else None,
            initial=initial_for(chosen.form_class, obj, timezone.localdate()),
        )
        if request.method == "POST" and form.is_valid():
            try:
                result = chosen.run(
                    subject=self.transition_subject,
                    obj=obj,
                    actor=request.user,
                    data=form.cleaned_data,
                    channel=Channel.ADMIN,
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc, chosen.field_map)
                for message in error_messages(exc):
                    messages.error(
                        request,
                        _("%(action)s: %(message)s Nothing was changed.")
                        % {"action": chosen.label, "message": message},
                    )
            else:
                done = {"file": result, "action": chosen.label, "state": result.get_state_display()}
                if chosen.is_event:
                    outcome = _("%(file)s: “%(action)s” recorded; it is still %(state)s.")
                else:
                    outcome = _("%(file)s: “%(action)s” done; it is now %(state)s.")
                messages.success(request, outcome % done)
                return HttpResponseRedirect(self.change_url(obj))
        return self.render_transition_form(request, obj, chosen, form)

    def render_transition_form(
        self, request: HttpRequest, obj: Any, action: TransitionAction, form: forms.Form
    ) -> HttpResponse:
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(action)s: %(file)s") % {"action": action.label, "file": obj},
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
