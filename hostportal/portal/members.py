"""Access pages of the portal: members and their roles, the organisation's settings, my account, and the
password reset. Thin: reads here, every write through hostportal.services (audited, channel "web").

Managers see the members and settings pages; editors and viewers get a 403 page that says why; another
organisation's membership or calendar link is a 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hostportal import services
from hostportal.middleware import saved_language
from hostportal.models import AuditEntry, Membership, Organisation
from hostportal.permissions import can_manage
from hostportal.portal.context import current_organisation
from hostportal.selectors import organisations_for_user
from notifications.models import CalendarToken, ReminderSettings

JOURNAL_SIZE = 50
View = Callable[..., HttpResponse]


# --- helpers ---------------------------------------------------------------------------------------------
def _base_context(request: HttpRequest, organisation: Organisation | None) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "organisations": list(organisations_for_user(request.user).order_by("name")),
    }


def _forbidden(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    """A 403 that says why and whom to ask, in the reader's language."""
    return render(request, "portal/members/forbidden.html", _base_context(request, organisation), status=403)


def manager_only(view: View) -> View:
    """Run the view for a manager of the current organisation; anyone else gets the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        organisation = current_organisation(request)
        if organisation is None or not can_manage(request.user, organisation.pk):
            return _forbidden(request, organisation)
        return view(request, organisation, *args, **kwargs)

    return login_required(wrapper)


def _report(request: HttpRequest, error: ValidationError) -> None:
    """Each message of the service already names the field as the user sees it."""
    for text in error.messages:
        messages.error(request, text)


def _membership_or_404(request: HttpRequest, pk: int) -> Membership:
    """A membership of one of the user's organisations; anything else is a 404, as if absent."""
    found = (
        Membership.objects.select_related("user", "organisation")
        .filter(pk=pk, organisation__in=organisations_for_user(request.user))
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- the journal, in plain words -------------------------------------------------------------------------
def _field_label(field: str) -> str:
    labels: dict[str, Any] = {
        "role": Membership._meta.get_field("role").verbose_name,
        "language": Membership._meta.get_field("language").verbose_name,
        "email_preference": Membership._meta.get_field("email_preference").verbose_name,
        "label": CalendarToken._meta.get_field("label").verbose_name,
        "revoked_at": CalendarToken._meta.get_field("revoked_at").verbose_name,
        **services.LEAD_TIME_FIELDS,
        **services.BOOLEAN_SETTINGS,
    }
    return capfirst(str(labels.get(field, field)))


def _value_label(field: str, value: Any) -> str:
    choices: dict[str, Any] = {
        "role": Membership.Role,
        "language": Membership.Language,
        "email_preference": Membership.EmailPreference,
    }
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field in choices and value in choices[field].values:
        return str(choices[field](value).label)
    if field == "revoked_at":
        return formats.date_format(dt.datetime.fromisoformat(value), "SHORT_DATETIME_FORMAT")
    return str(value)


def journal(entries: Iterable[AuditEntry]) -> Iterator[dict[str, Any]]:
    """Each entry with its action and changes in the reader's words (never the code names)."""
    for entry in entries:
        yield {
            "entry": entry,
            "action": entry.get_action_display(),
            "channel": entry.get_channel_display(),
            "changes": [
                (_field_label(field), _value_label(field, old), _value_label(field, new))
                for field, (old, new) in entry.changes.items()
            ],
        }


# --- members ---------------------------------------------------------------------------------------------
@manager_only
def members(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The members with role, language and emails; the invitation form; the organisation's journal."""
    rows = (
        Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__username")
    )
    entries = AuditEntry.objects.filter(organisation=organisation)[:JOURNAL_SIZE]
    context = _base_context(request, organisation) | {
        "members": list(rows),
        "roles": Membership.Role.choices,
        "languages": Membership.Language.choices,
        "journal": list(journal(entries)),
    }
    return render(request, "portal/members/members.html", context)


@require_POST
@manager_only
def member_invite(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    email = request.POST.get("email", "")
    try:
        membership = services.membership_invite(
            actor=request.user,
            organisation=organisation,
            email=email,
            role=request.POST.get("role", ""),
            language=request.POST.get("language", Membership.Language.FR),
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("%(email)s is now a member; the invitation is on its way.") % {"email": membership.user.email},
        )
    return HttpResponseRedirect(reverse("portal:members"))


def _manage_membership(request: HttpRequest, pk: int, action: Callable[[Membership], str]) -> HttpResponse:
    """Another organisation's membership is a 404; a non-manager gets the 403 page; errors are messages."""
    membership = _membership_or_404(request, pk)
    if not can_manage(request.user, membership.organisation_id):
        return _forbidden(request, membership.organisation)
    try:
        messages.success(request, action(membership))
    except ValidationError as error:
        _report(request, error)
    return HttpResponseRedirect(reverse("portal:members"))


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    def change(membership: Membership) -> str:
        updated = services.membership_set_role(
            actor=request.user, membership=membership, role=request.POST.get("role", "")
        )
        return _("%(member)s is now %(role)s.") % {
            "member": services.member_label(updated),
            "role": updated.get_role_display(),
        }

    return _manage_membership(request, pk, change)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    def remove(membership: Membership) -> str:
        services.membership_remove(actor=request.user, membership=membership)
        return _("%(member)s is no longer a member of the organisation.") % {
            "member": services.member_label(membership)
        }

    return _manage_membership(request, pk, remove)


# --- settings --------------------------------------------------------------------------------------------
def _settings_fields(
    row: ReminderSettings, posted: dict[str, Any], errors: dict[str, list[str]]
) -> list[Any]:
    lead = [
        {
            "name": name,
            "label": label,
            "value": posted.get(name, getattr(row, name)),
            "errors": errors.get(name),
        }
        for name, label in services.LEAD_TIME_FIELDS.items()
    ]
    switches = [
        {"name": name, "label": label, "value": posted.get(name, getattr(row, name))}
        for name, label in services.BOOLEAN_SETTINGS.items()
    ]
    return [lead, switches]


def _feed_url(token: CalendarToken) -> str:
    return settings.SITE_URL + reverse("notifications:calendar_feed", args=[token.token])


def _render_settings(
    request: HttpRequest,
    organisation: Organisation,
    posted: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    row = ReminderSettings.objects.filter(organisation=organisation).first() or ReminderSettings(
        organisation=organisation
    )
    lead, switches = _settings_fields(row, posted or {}, errors or {})
    tokens = CalendarToken.objects.filter(organisation=organisation, revoked_at__isnull=True)
    context = _base_context(request, organisation) | {
        "lead_fields": lead,
        "switches": switches,
        "tokens": [
            {"token": token, "url": _feed_url(token)} for token in tokens.select_related("created_by")
        ],
        "languages": Membership.Language.choices,
    }
    return render(request, "portal/members/settings.html", context)


@manager_only
def organisation_settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The reminder lead times and switches (nothing saved if one is wrong), and the calendar links."""
    if request.method != "POST":
        return _render_settings(request, organisation)
    posted: dict[str, Any] = {name: request.POST.get(name, "") for name in services.LEAD_TIME_FIELDS}
    posted |= {name: name in request.POST for name in services.BOOLEAN_SETTINGS}
    try:
        services.reminder_settings_update(actor=request.user, organisation=organisation, values=posted)
    except ValidationError as error:
        _report(request, error)
        return _render_settings(request, organisation, posted, error.message_dict)
    messages.success(request, _("The reminder settings are saved."))
    return HttpResponseRedirect(reverse("portal:settings"))


@require_POST
@manager_only
def calendar_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    language = request.POST.get("language", Membership.Language.FR)
    if language not in Membership.Language.values:
        messages.error(request, _("Language: choose Français or English."))
        return HttpResponseRedirect(reverse("portal:settings"))
    services.calendar_token_create(
        actor=request.user,
        organisation=organisation,
        label=request.POST.get("label", "")[:100],
        language=language,
    )
    messages.success(request, _("A new calendar link is ready: copy it into your calendar application."))
    return HttpResponseRedirect(reverse("portal:settings"))


@login_required
@require_POST
def calendar_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = (
        CalendarToken.objects.select_related("organisation")
        .filter(pk=pk, organisation__in=organisations_for_user(request.user))
        .first()
    )
    if token is None:
        raise Http404
    if not can_manage(request.user, token.organisation_id):
        return _forbidden(request, token.organisation)
    services.calendar_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The calendar link is revoked: it no longer works."))
    return HttpResponseRedirect(reverse("portal:settings"))


# --- my account ------------------------------------------------------------------------------------------
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Every member sets their own language and emails for the current organisation."""
    organisation = current_organisation(request)
    user: Any = request.user  # login_required: an authenticated user
    membership = (
        Membership.objects.filter(user=user, organisation=organisation).select_related("user").first()
        if organisation is not None
        else None
    )
    if request.method == "POST" and membership is not None:
        return _save_account(request, membership)
    context = _base_context(request, organisation) | {
        "membership": membership,
        "languages": Membership.Language.choices,
        "email_preferences": Membership.EmailPreference.choices,
    }
    return render(request, "portal/members/account.html", context)


def _save_account(request: HttpRequest, membership: Membership) -> HttpResponse:
    try:
        updated = services.member_set_preferences(
            actor=request.user,
            membership=membership,
            language=request.POST.get("language", ""),
            email_preference=request.POST.get("email_preference", ""),
        )
    except ValidationError as error:
        _report(request, error)
        return HttpResponseRedirect(reverse("portal:account"))
    with translation.override(updated.language):
        messages.success(request, _("Your preferences are saved."))
    response = HttpResponseRedirect(reverse("portal:account"))
    # The language switch's cookie wins over the saved language: align it with the new choice.
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, updated.language, samesite="Lax")
    return response


# --- password reset --------------------------------------------------------------------------------------
class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, in the member's language, open to invited members who have no password yet."""

    def get_users(self, email: str) -> Iterator[Any]:
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        for user in users:
            if user.has_usable_password() or user.memberships.exists():
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = saved_language(context["user"].pk) or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
