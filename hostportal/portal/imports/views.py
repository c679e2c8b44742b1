"""The import pages: choose a file, preview its report (nothing written), confirm."""

from __future__ import annotations

import base64
from typing import Any

import tablib
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hostportal.models import Organisation
from hostportal.permissions import can_write
from hostportal.portal.context import current_organisation
from hostportal.portal.imports.columns import KINDS
from hostportal.portal.imports.reading import MAX_BYTES, ImportFileError
from hostportal.portal.imports.run import run_import
from hostportal.portal.lists import export_response
from hostportal.selectors import organisations_for_user

SESSION_KEY = "portal_import"

# --- views ----------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What to import"),
        choices=[("interns", gettext_lazy("Interns")), ("conventions", gettext_lazy("Conventions"))],
        widget=forms.RadioSelect,
        initial="interns",
    )
    file = forms.FileField(label=gettext_lazy("File (CSV or Excel .xlsx)"))


def _writer_organisation(request: HttpRequest) -> Organisation:
    """The current organisation, for its editors and managers only (a viewer gets 403)."""
    organisation = current_organisation(request)
    if organisation is None or not can_write(request.user, organisation.pk):
        raise PermissionDenied
    return organisation


def _render(request: HttpRequest, organisation: Organisation, **context: Any) -> HttpResponse:
    context |= {
        "organisation": organisation,
        "organisations": list(organisations_for_user(request.user).order_by("name")),
    }
    return render(request, "portal/lists/import.html", context)


def _preview(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, organisation, form=form)
    upload = form.cleaned_data["file"]
    content = upload.read(MAX_BYTES + 1)
    kind = form.cleaned_data["kind"]
    try:
        report = run_import(
            kind=kind,
            actor=request.user,
            organisation=organisation,
            name=upload.name,
            content=content,
            commit=False,
        )
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return _render(request, organisation, form=form)
    if not report.errors:
        request.session[SESSION_KEY] = {
            "kind": kind,
            "name": upload.name,
            "content": base64.b64encode(content).decode(),
        }
    return _render(request, organisation, form=form, report=report)


def _confirm(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    pending = request.session.pop(SESSION_KEY, None)
    if not pending:
        messages.error(request, _("Nothing to import: choose the file again."))
        return HttpResponseRedirect(reverse("portal:import"))
    try:
        report = run_import(
            kind=pending["kind"],
            actor=request.user,
            organisation=organisation,
            name=pending["name"],
            content=base64.b64decode(pending["content"]),
            commit=True,
        )
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("portal:import"))
    if report.errors:  # the data changed since the preview (someone else imported the same intern...)
        return _render(
            request, organisation, form=ImportForm(initial={"kind": pending["kind"]}), report=report
        )
    count = len(report.created)
    messages.success(
        request, ngettext("%(count)s row imported.", "%(count)s rows imported.", count) % {"count": count}
    )
    return HttpResponseRedirect(reverse(f"portal:{pending['kind']}"))


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Choose a file → preview (nothing written; the report of every error) → confirm (one transaction)."""
    organisation = _writer_organisation(request)
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            return _confirm(request, organisation)
        return _preview(request, organisation)
    return _render(request, organisation, form=ImportForm())


@login_required
def import_template(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    """The header row of an import, in the reader's language, as CSV or Excel."""
    _writer_organisation(request)
    if kind not in KINDS:
        raise Http404
    data = tablib.Dataset(headers=[str(c.label) for c in KINDS[kind]], title=str(_("Import")))
    return export_response(data, file_format, f"template-{kind}")
