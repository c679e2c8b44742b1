"""Portal views of an intern's stay: the case page, its buttons, corrections, documents, and the forms that
create interns, conventions and avenants (with the live preview of their deadlines).

Thin: every read is scoped to the user's organisations (another organisation's object is a 404, as if it
did not exist); every write is a service call that judges it (its error lands on the named field and
nothing is written).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conventions import services, uploads
from conventions.models import Channel, Convention, Intern
from conventions.selectors import (
    avenants_for_user,
    conventions_for_user,
    documents_for_user,
    interns_for_user,
    permits_for_user,
    visas_for_user,
)
from conventions.services.corrections import file_correct
from conventions.services.documents import document_item_update
from conventions.services.interns import INTERN_FIELD_ORDER, intern_create, intern_update
from conventions.transitions import (
    REGISTRY,
    SERVICE_ERRORS,
    add_service_error,
    available_actions,
    error_messages,
    find_action,
    initial_for,
)
from hostportal.models import Membership, Organisation
from hostportal.permissions import WRITE_ROLES, can_write, role_of
from hostportal.portal import caseinfo, forms, preview
from hostportal.portal.context import SESSION_KEY, current_organisation
from hostportal.selectors import organisations_for_user


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render with what the header needs: the organisation (the file's, when the page shows one) and the
    switcher's list, in one query."""
    organisations = list(organisations_for_user(request.user).order_by("name"))
    if "organisation" not in context:
        chosen = request.session.get(SESSION_KEY)
        context["organisation"] = next((o for o in organisations if o.pk == chosen), None) or (
            organisations[0] if organisations else None
        )
    context["organisations"] = organisations
    return render(request, f"portal/case/{template}", context, status=status)


def remember_role(request: HttpRequest, organisation_id: int) -> tuple[bool, bool]:
    """(may write, may manage) in the organisation, asked once; the nav's `manages` tag reads it too."""
    role = role_of(request.user, organisation_id)
    manager = role == Membership.Role.MANAGER
    request.__dict__.setdefault("_portal_manages", {})[organisation_id] = manager
    return role in WRITE_ROLES, manager


def require_write(request: HttpRequest, organisation_id: int) -> None:
    if not can_write(request.user, organisation_id):
        raise PermissionDenied(_("Your role is read-only: you may read these files, not change them."))


def file_for_user(request: HttpRequest, kind: str, pk: int) -> Any:
    """The file of that kind, if the user may see it; 404 otherwise (another organisation's file too)."""
    lookups = {
        "convention": conventions_for_user,
        "avenant": avenants_for_user,
        "permit": permits_for_user,
        "visa": visas_for_user,
        "document": documents_for_user,
    }
    if kind not in lookups:
        raise Http404
    return get_object_or_404(lookups[kind](request.user), pk=pk)


def case_url(convention_id: int, anchor: str = "") -> str:
    url = reverse("portal:convention", args=[convention_id])
    return f"{url}#{anchor}" if anchor else url


def convention_of(kind: str, obj: Any) -> int:
    return int(obj.pk if kind == "convention" else obj.convention_id)


# --- the case page ---------------------------------------------------------------------------------------


@login_required
def convention_page(request: HttpRequest, pk: int) -> HttpResponse:
    convention = get_object_or_404(conventions_for_user(request.user).select_related("visa"), pk=pk)
    writer, _manager = remember_role(request, convention.organisation_id)
    context = caseinfo.case_context(convention, request.user, writer)
    return page(request, "convention.html", context | {"organisation": convention.organisation})


@login_required
def intern_page(request: HttpRequest, pk: int) -> HttpResponse:
    intern = get_object_or_404(interns_for_user(request.user).select_related("organisation"), pk=pk)
    conventions = list(intern.conventions.order_by("-start_date"))
    context = {
        "intern": intern,
        "conventions": conventions,
        "writer": can_write(request.user, intern.organisation_id),
    }
    return page(request, "intern.html", context)


@login_required
def file_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """An avenant, visa or carte de séjour application lives on its convention's case page (email links)."""
    obj = file_for_user(request, kind, pk)
    return HttpResponseRedirect(case_url(convention_of(kind, obj), f"{kind}-{obj.pk}"))


# --- buttons: transitions and events ---------------------------------------------------------------------


@login_required
def file_action(request: HttpRequest, kind: str, pk: int, name: str) -> HttpResponse:
    """The form of one button (its confirmation, with an optional comment); posting it calls the service."""
    obj = file_for_user(request, kind, pk)
    subject, actions = REGISTRY[kind]
    action = find_action(actions, name)
    if action is None:
        raise Http404
    require_write(request, obj.organisation_id)
    back = case_url(convention_of(kind, obj), f"{kind}-{obj.pk}")
    if request.method != "POST" and action not in available_actions(obj, request.user, actions):
        messages.error(
            request,
            _("“%(action)s” is not possible now: the file is “%(state)s”.")
            % {"action": action.label, "state": obj.get_state_display()},
        )
        return HttpResponseRedirect(back)
    form = action.form_class(
        request.POST if request.method == "POST" else None,
        initial=initial_for(action.form_class, obj, timezone.localdate()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = action.run(
                subject=subject, obj=obj, actor=request.user, data=form.cleaned_data, channel=Channel.WEB
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc, action.field_map)
        else:
            done = (
                _("“%(action)s” is recorded; the file is still “%(state)s”.")
                if action.is_event
                else _("“%(action)s” is done; the file is now “%(state)s”.")
            )
            messages.success(request, done % {"action": action.label, "state": result.get_state_display()})
            return HttpResponseRedirect(back)
    context = {
        "obj": obj,
        "kind": kind,
        "kind_label": caseinfo.KIND_WORDS[kind],
        "action": action,
        "form": form,
        "back": back,
    }
    return page(request, "action.html", context, status=400 if form.errors else 200)


# --- corrections -----------------------------------------------------------------------------------------


@login_required
def file_correct_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Correct a recorded fact (a reference, an amount, a date) with a reason; the state does not change."""
    obj = file_for_user(request, kind, pk)
    require_write(request, obj.organisation_id)
    model = caseinfo.KIND_MODEL[kind]
    form_class = forms.correction_form(model, obj)
    names = [n for n in form_class.base_fields if n not in ("reason", "expected_version")]
    initial = {name: getattr(obj, name) for name in names} | {"expected_version": obj.version}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    back = case_url(convention_of(kind, obj), f"{kind}-{obj.pk}")
    if request.method == "POST" and form.is_valid():
        changes = {n: _stored(model, n, form.cleaned_data[n]) for n in form.changed_data if n in names}
        try:
            file_correct(
                model,
                obj.pk,
                actor=request.user,
                changes=changes,
                reason=form.cleaned_data["reason"],
                channel=Channel.WEB,
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("The correction is recorded in the audit trail; the dates are recomputed.")
            )
            return HttpResponseRedirect(back)
    context = {"obj": obj, "kind": kind, "kind_label": caseinfo.KIND_WORDS[kind], "form": form, "back": back}
    return page(request, "correct.html", context, status=400 if form.errors else 200)


def _stored(model: Any, name: str, value: Any) -> Any:
    """An emptied text field is "" in the database, an emptied date or amount is None."""
    if value in (None, "") and model._meta.get_field(name).get_internal_type() in ("CharField", "TextField"):
        return ""
    return value


# --- documents -------------------------------------------------------------------------------------------


@login_required
@require_POST
def document_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(documents_for_user(request.user), pk=pk)
    require_write(request, item.organisation_id)
    form = forms.DocumentForm(request.POST, request.FILES)
    back = case_url(item.convention_id, f"document-{item.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(
                    request,
                    _("%(document)s: %(message)s Nothing was changed.")
                    % {"document": item.label, "message": message},
                )
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    changes: dict[str, Any] = {
        "status": data["status"],
        "rejection_reason": data["rejection_reason"],
        "expires_on": data["expires_on"],
    }
    if data.get("file") is not None:
        changes["file"] = data["file"]
    try:
        document_item_update(actor=request.user, item=item.pk, **changes)
    except SERVICE_ERRORS as exc:
        for message in error_messages(exc):
            messages.error(
                request,
                _("%(document)s: %(message)s Nothing was changed.")
                % {"document": item.label, "message": message},
            )
    else:
        messages.success(request, _("%(document)s is saved.") % {"document": item.label})
    return HttpResponseRedirect(back)


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded file, to members of its organisation only (a 404 for anyone else, or when none), as an
    attachment named after the document (passport-12.pdf), never after what the uploader called it."""
    item = get_object_or_404(documents_for_user(request.user), pk=pk)
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    name = str(item.file.name)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=uploads.download_name(item),
        content_type=uploads.content_type_of(name),
    )
    response["X-Content-Type-Options"] = "nosniff"  # the browser must not guess another type
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- creating interns, conventions and avenants ----------------------------------------------------------


def writable_organisation(request: HttpRequest) -> Organisation:
    organisation = current_organisation(request)
    if organisation is None:
        raise Http404
    require_write(request, organisation.pk)
    return organisation


INTERN_NAMES = INTERN_FIELD_ORDER


@login_required
def intern_create_view(request: HttpRequest) -> HttpResponse:
    organisation = writable_organisation(request)
    form = forms.InternForm(request.POST or None, initial={"language": "fr"})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in INTERN_NAMES}
        fields["email"] = fields["email"] or ""
        try:
            intern = intern_create(actor=request.user, organisation=organisation, **fields)
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(intern)s is recorded.") % {"intern": intern})
            return HttpResponseRedirect(reverse("portal:convention-create", args=[intern.pk]))
    return page(request, "intern_form.html", {"form": form, "editing": None}, 400 if form.errors else 200)


@login_required
def intern_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    intern = get_object_or_404(interns_for_user(request.user), pk=pk)
    require_write(request, intern.organisation_id)
    initial = {name: getattr(intern, name) for name in INTERN_NAMES if name != "passport_number"}
    form = forms.InternForm(
        request.POST or None, initial=initial | {"expected_version": intern.version}, editing=True
    )
    if request.method == "POST" and form.is_valid():
        changes = {n: form.cleaned_data[n] for n in form.changed_data if n in INTERN_NAMES}
        if not form.cleaned_data.get("passport_number"):
            changes.pop("passport_number", None)  # empty: keep the recorded number
        if "email" in changes:
            changes["email"] = changes["email"] or ""
        try:
            intern_update(
                actor=request.user,
                intern=intern.pk,
                expected_version=form.cleaned_data.get("expected_version"),
                **changes,
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(intern)s is saved.") % {"intern": intern})
            return HttpResponseRedirect(reverse("portal:intern", args=[intern.pk]))
    return page(request, "intern_form.html", {"form": form, "editing": intern}, 400 if form.errors else 200)


def ask_confirmation(request: HttpRequest) -> Any:
    """The posted data again, with the confirmation the next save carries (a hidden field)."""
    data = request.POST.copy()
    data["confirm"] = "on"
    return data


def _save_convention(
    request: HttpRequest, form: forms.ConventionForm, intern: Intern, convention: Convention | None
) -> Convention | None:
    fields = form.service_fields()
    try:
        if convention is None:
            return services.convention_create(
                actor=request.user,
                organisation=intern.organisation,
                intern=intern,
                channel=Channel.WEB,
                **fields,
            )
        changes = {name: fields[name] for name in form.changed_data if name in fields}
        return services.convention_update(
            actor=request.user,
            convention=convention.pk,
            channel=Channel.WEB,
            expected_version=form.cleaned_data.get("expected_version"),
            **changes,
        )
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return None


def convention_form_view(
    request: HttpRequest, intern: Intern, convention: Convention | None, initial: dict[str, Any]
) -> HttpResponse:
    """Create or edit a convention: the live preview shows its deadlines and warnings as it is typed; saving
    a stay that will fail (resources below the minimum, too long, overlapping another) asks to confirm."""
    form = forms.ConventionForm(request.POST or None, initial=initial)
    answer = None
    if request.method == "POST" and form.is_valid():
        answer = preview.evaluate_draft(form.cleaned_data, intern, convention)
        if answer.blocking and not form.cleaned_data.get("confirm"):
            form.data = ask_confirmation(request)
            messages.warning(request, _("Read the warnings at the top, then save again to confirm."))
        else:
            saved = _save_convention(request, form, intern, convention)
            if saved is not None:
                messages.success(request, _("The convention is saved; its deadlines are computed."))
                return HttpResponseRedirect(case_url(saved.pk))
    context = {
        "form": form,
        "intern": intern,
        "convention": convention,
        "answer": answer,
        "confirming": bool(answer and answer.blocking),
    }
    return page(request, "convention_form.html", context, 400 if form.errors else 200)


@login_required
def convention_create_view(request: HttpRequest, intern_pk: int) -> HttpResponse:
    intern = get_object_or_404(interns_for_user(request.user).select_related("organisation"), pk=intern_pk)
    require_write(request, intern.organisation_id)
    return convention_form_view(request, intern, None, {})


@login_required
def convention_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    convention = get_object_or_404(conventions_for_user(request.user), pk=pk)
    require_write(request, convention.organisation_id)
    if convention.is_final:
        messages.error(request, _("This convention is final: correct a recorded fact instead."))
        return HttpResponseRedirect(case_url(convention.pk))
    initial = {name: getattr(convention, name) for name in forms.ConventionForm.FIELDS}
    return convention_form_view(
        request, convention.intern, convention, initial | {"expected_version": convention.version}
    )


@login_required
@require_POST
def convention_preview_view(request: HttpRequest, intern_pk: int) -> HttpResponse:
    """The deadlines and warnings of the form as typed (the engine of check_convention); saves nothing."""
    intern = get_object_or_404(interns_for_user(request.user), pk=intern_pk)
    existing = None
    chosen = request.POST.get("convention", "")
    if chosen.isdigit():
        existing = conventions_for_user(request.user).filter(pk=int(chosen)).first()
    form = forms.ConventionForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/case/_preview.html", {"form_errors": form.errors})
    answer = preview.evaluate_draft(form.cleaned_data, intern, existing)
    return render(request, "portal/case/_preview.html", {"answer": answer})


@login_required
def avenant_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Extend a validated convention with an avenant; an extension beyond the limit asks to confirm."""
    convention = get_object_or_404(conventions_for_user(request.user), pk=pk)
    require_write(request, convention.organisation_id)
    form = forms.AvenantForm(request.POST or None)
    answer = None
    if request.method == "POST" and form.is_valid():
        end = form.cleaned_data["requested_end_date"]
        answer = preview.evaluate_avenant(convention, end)
        if answer.blocking and not form.cleaned_data.get("confirm"):
            form.data = ask_confirmation(request)
            messages.warning(request, _("Read the warnings at the top, then save again to confirm."))
        else:
            try:
                avenant = services.avenant_create(
                    actor=request.user,
                    convention=convention.pk,
                    requested_end_date=end,
                    reason=form.cleaned_data["reason"],
                    channel=Channel.WEB,
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The avenant is drafted: file it with the administration."))
                return HttpResponseRedirect(case_url(convention.pk, f"avenant-{avenant.pk}"))
    context = {"form": form, "convention": convention, "answer": answer, "today": timezone.localdate()}
    return page(request, "avenant_form.html", context, 400 if form.errors else 200)
