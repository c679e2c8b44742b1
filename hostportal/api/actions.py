"""Transitions and out-of-band events as POST actions, from the registry the portal and the admin use
(conventions.transitions.REGISTRY): `POST /conventions/{id}/submit/`, `/request-documents/` …

The body is validated by the action's own form (the same labels, formats and checks as the portal), then
`action.run(..., channel="api")` calls the service, which judges. An action that the file's state does not
allow is a 409, a concurrent change a 409 (412 when If-Match was sent), a reader's attempt a 403, another
organisation's file a 404. Corrections (`/correct/`) go through conventions.services.corrections.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from conventions.models import (
    Avenant,
    Channel,
    Convention,
    ResidencePermitApplication,
    VisaApplication,
)
from conventions.selectors import avenants_for_user, conventions_for_user, permits_for_user, visas_for_user
from conventions.services.corrections import correctable_fields, file_correct
from conventions.services.errors import TransitionError
from conventions.transitions import REGISTRY, TransitionAction, find_action
from hostportal.api import serializers as api_serializers
from hostportal.api.base import (
    IDEMPOTENCY_KEY,
    IF_MATCH_OPTIONAL,
    ApiView,
    conflict_as_precondition,
    require_if_match,
    scoped,
    with_etag,
)
from hostportal.api.errors import NON_FIELD
from hostportal.api.idempotency import idempotent
from hostportal.api.permissions import require_write
from hostportal.api.serializers import BoundedDateField, StrictMixin, url_name

KIND_MODEL: Mapping[str, type[models.Model]] = {
    "convention": Convention,
    "avenant": Avenant,
    "visa": VisaApplication,
    "permit": ResidencePermitApplication,
}
KIND_SELECTOR = {
    "convention": lambda user: conventions_for_user(user).select_related("visa"),
    "avenant": avenants_for_user,
    "visa": visas_for_user,
    "permit": lambda user: permits_for_user(user).select_related("convention__visa"),
}
KIND_SERIALIZER: Mapping[str, type[serializers.Serializer]] = {
    "convention": api_serializers.ConventionSerializer,
    "avenant": api_serializers.AvenantSerializer,
    "visa": api_serializers.VisaSerializer,
    "permit": api_serializers.PermitSerializer,
}
# record-decision: one URL for the decision whatever it is, as the HR systems expect.
DECISIONS: Mapping[str, Mapping[str, str]] = {
    "convention": {"validated": "validate", "refused": "refuse"},
    "avenant": {"validated": "validate", "refused": "refuse"},
    "visa": {"issued": "issue", "refused": "refuse"},
    "permit": {"granted": "grant", "refused": "refuse"},
}


# --- the forms' fields, as a schema -----------------------------------------------------------------------
def _schema_field(field: forms.Field) -> serializers.Field:
    common: dict[str, Any] = {"required": field.required, "help_text": str(field.help_text or "") or None}
    if isinstance(field, forms.DateField):
        return BoundedDateField(**common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(min_value=1, max_value=10**9, **common)
    max_length = getattr(field, "max_length", None)
    return serializers.CharField(allow_blank=not field.required, max_length=max_length, **common)


def body_serializer(name: str, form_class: type[forms.Form], extra: Mapping[str, Any] | None = None) -> Any:
    fields: dict[str, Any] = {
        field_name: _schema_field(field)
        for field_name, field in form_class.base_fields.items()
        if field_name != "expected_version"
    }
    fields |= dict(extra or {})
    return type(name, (StrictMixin, serializers.Serializer), fields)


# --- running an action ------------------------------------------------------------------------------------
def form_data(body: Any, form_class: type[forms.Form], ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """The JSON body as the form's data (strings); a non-object body or an unknown field is a 400."""
    if body is None or body == {}:
        return {}
    if not isinstance(body, Mapping):
        raise serializers.ValidationError({NON_FIELD: _("The body must be a JSON object.")})
    names = set(form_class.base_fields) - {"expected_version"}
    unknown = sorted(str(key) for key in body if key not in names and key not in ignore)
    if unknown:
        raise serializers.ValidationError(
            {k: _("This field is unknown or cannot be written.") for k in unknown}
        )
    data: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, value in body.items():
        if key in ignore or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            errors[key] = _("Give a string.")
        else:
            data[key] = str(value)
    if errors:
        raise serializers.ValidationError(errors)
    return data


def _state_allows(action: TransitionAction, obj: Any) -> bool:
    if action.is_event:
        return obj.state in action.states
    return can_proceed(getattr(obj, action.name), check_conditions=False)


class FileView(ApiView):
    """A view on one file of the registry (`kind`), found in the caller's organisations."""

    kind = "convention"

    def get_file(self, request: Request, pk: int) -> Any:
        found = scoped(request, KIND_SELECTOR[self.kind](request.user)).filter(pk=pk).first()
        if found is None:
            raise Http404
        return found

    def represent(self, request: Request, pk: int, status: int = 200) -> Response:
        obj = scoped(request, KIND_SELECTOR[self.kind](request.user)).get(pk=pk)
        data = KIND_SERIALIZER[self.kind](obj, context={"request": request}).data
        return with_etag(Response(data, status=status), obj)

    def locked(self, request: Request, obj: Any) -> bool:
        """With If-Match, hold the row and check its version before the service locks it again; whether
        If-Match was given."""
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        return require_if_match(request, locked, required=False)

    def perform(self, request: Request, pk: int, action_name: str, data: Mapping[str, str]) -> Response:
        subject, actions = REGISTRY[self.kind]
        action = find_action(actions, action_name)
        assert action is not None  # the URLs are built from the registry
        obj = self.get_file(request, pk)
        require_write(request, obj.organisation_id)
        if not _state_allows(action, obj):
            raise TransitionError(
                _("“%(action)s” is not possible now: the file is “%(state)s”.")
                % {"action": action.label, "state": obj.get_state_display()}
            )
        form = action.form_class(data=data)
        if not form.is_valid():
            raise serializers.ValidationError(
                {k: " ".join(str(m) for m in v) for k, v in form.errors.items()}
            )
        self.error_field_map = {**action.field_map}
        with transaction.atomic():
            if_match = self.locked(request, obj)
            conflict_as_precondition(
                lambda: action.run(
                    subject=subject, obj=obj, actor=request.user, data=form.cleaned_data, channel=Channel.API
                ),
                if_match=if_match,
            )
        return self.represent(request, pk)


class ActionView(FileView):
    """POST one action of the registry (`action_name`) on a file."""

    action_name = ""

    def post(self, request: Request, pk: int) -> Response:
        _subject, actions = REGISTRY[self.kind]
        action = find_action(actions, self.action_name)
        assert action is not None

        def run() -> Response:
            return self.perform(request, pk, self.action_name, form_data(request.data, action.form_class))

        return idempotent(request, run)


class DecisionView(FileView):
    """POST record-decision: {"decision": "validated" | "refused" | …, "decided_on", "reference", …}."""

    def post(self, request: Request, pk: int) -> Response:
        # Another organisation's file is a 404 and a reader's write a 403 whatever the body says, as on
        # every other action route (the isolation matrix, tests/test_isolation_matrix.py).
        require_write(request, self.get_file(request, pk).organisation_id)
        body = request.data
        choices = DECISIONS[self.kind]
        decision = body.get("decision") if isinstance(body, Mapping) else None
        if not isinstance(decision, str) or decision not in choices:
            raise serializers.ValidationError(
                {"decision": _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}}
            )
        name = choices[decision]
        _subject, actions = REGISTRY[self.kind]
        action = find_action(actions, name)
        assert action is not None
        data = form_data(body, action.form_class, ignore=("decision",))
        return idempotent(request, lambda: self.perform(request, pk, name, data))


# --- corrections ------------------------------------------------------------------------------------------
def correction_serializer(kind: str) -> Any:
    model = KIND_MODEL[kind]
    names = sorted(correctable_fields(model))
    extra = {n: {"required": False} for n in names}
    meta = type("Meta", (), {"model": model, "fields": [*names, "reason"], "extra_kwargs": extra})
    attrs: dict[str, Any] = {
        "Meta": meta,
        "reason": serializers.CharField(max_length=2000, help_text="Why it is corrected (audit trail)."),
    }
    return type(f"{model.__name__}CorrectionRequest", (api_serializers.StrictModelSerializer,), attrs)


class CorrectView(FileView):
    """POST /{kind}/{id}/correct/: {"<field>": <new value>, …, "reason": "…"}; the state stays."""

    def post(self, request: Request, pk: int) -> Response:
        def run() -> Response:
            obj = self.get_file(request, pk)
            require_write(request, obj.organisation_id)
            body = correction_serializer(self.kind)(data=request.data)
            body.is_valid(raise_exception=True)
            changes = dict(body.validated_data)
            reason = changes.pop("reason")
            model = KIND_MODEL[self.kind]
            with transaction.atomic():
                if_match = self.locked(request, obj)
                conflict_as_precondition(
                    lambda: file_correct(
                        model, obj.pk, actor=request.user, changes=changes, reason=reason, channel=Channel.API
                    ),
                    if_match=if_match,
                )
            return self.represent(request, pk)

        return idempotent(request, run)


def _response_serializer(kind: str) -> Any:
    return KIND_SERIALIZER[kind]


def _documented(base: type[FileView], name: str, attrs: dict[str, Any], **schema: Any) -> Any:
    """A subclass of `base` whose post() is its own function, documented with `schema` (drf-spectacular
    annotates the function object: a shared one would carry the last action's schema everywhere)."""

    def post(self: Any, request: Request, pk: int) -> Response:
        return base.post(self, request, pk)

    schema.setdefault("parameters", [IDEMPOTENCY_KEY, IF_MATCH_OPTIONAL])
    return type(name, (base,), attrs | {"post": extend_schema(**schema)(post)})


def action_views(kind: str) -> list[tuple[str, Any, str]]:
    """(route suffix, view, route name) for every action of the kind, with its documented body."""
    prefix = api_serializers.KIND_PREFIX[kind]
    _subject, actions = REGISTRY[kind]
    found: list[tuple[str, Any, str]] = []
    tag = prefix
    for action in actions:
        name = url_name(action.name)
        body = body_serializer(
            f"{kind.title()}{action.name.title().replace('_', '')}Request", action.form_class
        )
        view = _documented(
            ActionView,
            f"{kind.title()}{action.name.title().replace('_', '')}View",
            {"kind": kind, "action_name": action.name},
            operation_id=f"{prefix.replace('-', '_')}_{action.name}",
            summary=str(action.label),
            description=str(action.help),
            request=body,
            responses={200: _response_serializer(kind)},
            tags=[tag],
        )
        found.append((name, view, f"{prefix}-{name}"))
    decision_fields: dict[str, Any] = {}
    for action_name in DECISIONS[kind].values():
        decided = find_action(actions, action_name)
        assert decided is not None
        decision_fields |= {n: _schema_field(f) for n, f in decided.form_class.base_fields.items()}
        decision_fields.pop("expected_version", None)
    for field in decision_fields.values():
        field.required = False
    decision_fields["decision"] = serializers.ChoiceField(choices=list(DECISIONS[kind]))
    decision_fields["decided_on"] = BoundedDateField()
    body = type(f"{kind.title()}DecisionRequest", (StrictMixin, serializers.Serializer), decision_fields)
    view = _documented(
        DecisionView,
        f"{kind.title()}DecisionView",
        {"kind": kind},
        operation_id=f"{prefix.replace('-', '_')}_record_decision",
        summary="Record the decision",
        request=body,
        responses={200: _response_serializer(kind)},
        tags=[tag],
    )
    found.append(("record-decision", view, f"{prefix}-record-decision"))
    correct = _documented(
        CorrectView,
        f"{kind.title()}CorrectView",
        {"kind": kind},
        operation_id=f"{prefix.replace('-', '_')}_correct",
        summary="Correct a recorded fact (the state stays)",
        request=correction_serializer(kind),
        responses={200: _response_serializer(kind)},
        tags=[tag],
    )
    found.append(("correct", correct, f"{prefix}-correct"))
    return found
