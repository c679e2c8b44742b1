"""Portal view of the access-request export (GDPR art. 15): a manager downloads everything held about one
intern, with a reason, from the intern's page. Thin: the ZIP is built and audited by
conventions.services.privacy.intern_access_export.

Another organisation's intern is a 404 (as if it did not exist); editors and viewers get a 403 page that
says why: the archive holds the full passport number and the scans.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conventions.selectors import interns_for_user
from conventions.services.privacy import REASON_MAX_LENGTH, intern_access_export
from conventions.transitions import SERVICE_ERRORS, add_service_error
from hostportal.permissions import can_manage
from hostportal.selectors import organisations_for_user


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit trail with your name, e.g. « Access request of 12/03 by email »."),
    )


def _render(request: HttpRequest, template: str, context: dict[str, object], status: int) -> HttpResponse:
    context["organisations"] = list(organisations_for_user(request.user).order_by("name"))
    return render(request, f"portal/privacy/{template}", context, status=status)


@login_required
def intern_export(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form (a reason); POST: the ZIP, as an attachment named by the intern's id only."""
    intern = get_object_or_404(interns_for_user(request.user).select_related("organisation"), pk=pk)
    context: dict[str, object] = {"intern": intern, "organisation": intern.organisation}
    form = ExportForm(request.POST if request.method == "POST" else None)
    if not form.is_bound or not form.is_valid():
        # A valid POST is judged by the service (one permission query less); anything else here.
        if not can_manage(request.user, intern.organisation_id):
            return _render(request, "forbidden.html", context, 403)
        return _render(request, "export.html", context | {"form": form}, 400 if form.errors else 200)
    try:
        archive = intern_access_export(actor=request.user, intern=intern, reason=form.cleaned_data["reason"])
    except PermissionDenied:
        return _render(request, "forbidden.html", context, 403)
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _render(request, "export.html", context | {"form": form}, 400)
    return _attachment(archive, intern.pk)


def _attachment(archive: bytes, intern_id: int) -> HttpResponse:
    response = HttpResponse(archive, content_type="application/zip")
    name = f"intern-{intern_id}-data-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: no cache, shared or private, keeps a copy.
    response["Cache-Control"] = "no-store"
    return response
