"""Writes of the tenant root: members, roles, preferences, reminder settings, calendar feeds (STYLE habit 14).

Each service is atomic, locks the organisation row (so two managers acting at once cannot leave the
organisation without a manager), checks the actor's role (None is the system), validates everything before
writing anything, and leaves one AuditEntry with the actor, the channel and the old and new values. A bad
input raises ValidationError({field: message}) whose message names the field as the user sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hostportal.models import AuditEntry, Membership, Organisation
from hostportal.permissions import can_manage
from notifications.models import ReminderSettings
from notifications.rules import MAX_LEAD_DAYS, parse_lead_days
from notifications.services.calendars import calendar_token_create, calendar_token_revoke

__all__ = [
    "BOOLEAN_SETTINGS",
    "LEAD_TIME_FIELDS",
    "calendar_token_create",
    "calendar_token_revoke",
    "member_set_preferences",
    "membership_add",
    "membership_invite",
    "membership_remove",
    "membership_set_role",
    "reminder_settings_update",
    "set_password_url",
]

WEB = AuditEntry.Channel.WEB

# The reminder lead times as a manager reads them (ReminderSettings' own help texts are the operator's).
LEAD_TIME_FIELDS: dict[str, Any] = {
    "filing_lead_days": gettext_lazy("Filing deadline of a draft convention"),
    "silence_lead_days": gettext_lazy("Refusal by silence of a filed convention"),
    "avenant_filing_lead_days": gettext_lazy("Filing deadline of a draft avenant"),
    "convention_end_lead_days": gettext_lazy("End of a validated convention"),
    "permit_silence_lead_days": gettext_lazy("Carte de séjour application, 90 days of silence"),
    "document_expiry_lead_days": gettext_lazy("Passport or document expiring before the end of the stage"),
    "documents_due_lead_days": gettext_lazy("Documents requested by the administration"),
    "explicit_answer_lead_days": gettext_lazy("Avenant of a company stage awaiting an explicit answer"),
    "ofii_validation_lead_days": gettext_lazy("Visa to validate with the OFII"),
    "permit_filing_lead_days": gettext_lazy("Carte de séjour to file"),
}
BOOLEAN_SETTINGS: dict[str, Any] = {
    "late_filing_daily": gettext_lazy("Remind every day once the filing deadline has passed"),
    "notify_managers": gettext_lazy("Send the reminders to the managers"),
    "notify_editors": gettext_lazy("Send the reminders to the editors"),
    "notify_viewers": gettext_lazy("Send the reminders to the viewers"),
}


# --- checks ----------------------------------------------------------------------------------------------
def _require_manager(actor: Any, organisation_id: int) -> None:
    """PermissionDenied unless the actor manages the organisation (None is the system)."""
    if actor is not None and not can_manage(actor, organisation_id):
        raise PermissionDenied(_("Only the organisation’s managers may manage its members and settings."))


def _lock_organisation(organisation_id: int) -> Organisation:
    # Every membership write of one organisation queues here, so the "last manager" count is exact.
    return Organisation.objects.select_for_update().get(pk=organisation_id)


def _check_role(role: str) -> None:
    if role not in Membership.Role.values:
        labels = ", ".join(str(label) for label in Membership.Role.labels)
        raise ValidationError(
            {
                "role": _("Role: « %(value)s » is not a known role (%(roles)s).")
                % {"value": role, "roles": labels}
            }
        )


def _check_language(language: str) -> None:
    if language not in Membership.Language.values:
        raise ValidationError(
            {
                "language": _("Language: « %(value)s » is not a language: choose Français or English.")
                % {"value": language}
            }
        )


def _check_email_preference(preference: str) -> None:
    if preference not in Membership.EmailPreference.values:
        raise ValidationError(
            {"email_preference": _("Emails: « %(value)s » is not a known choice.") % {"value": preference}}
        )


def _check_keeps_a_manager(membership: Membership) -> None:
    """Refuse a change that would leave the organisation with no manager (call with the row locked)."""
    if membership.role != Membership.Role.MANAGER:
        return
    others = (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Membership.Role.MANAGER)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise ValidationError(
            {
                "role": _(
                    "%(member)s is the last manager of the organisation: make another member a manager first."
                )
                % {"member": member_label(membership)}
            }
        )


def member_label(membership: Membership) -> str:
    user = membership.user
    name = user.get_full_name() or user.get_username()
    return f"{name} <{user.email}>" if user.email and user.email != name else name


# --- members ---------------------------------------------------------------------------------------------
def _normalised_email(email: str) -> str:
    cleaned = (email or "").strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError:
        raise ValidationError(
            {"email": _("Email address: « %(value)s » is not a valid email address.") % {"value": email}}
        ) from None
    return cleaned


def _user_for_email(email: str) -> tuple[Any, bool]:
    """The account with this email, or a new one with an unusable password (set through the invitation)."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        return user, False
    username, suffix = email[:150], 1
    while User.objects.filter(username__iexact=username).exists():
        suffix += 1
        username = f"{email[:140]}-{suffix}"
    user = User(username=username, email=email)
    user.set_unusable_password()
    user.save()
    return user, True


def set_password_url(user: Any) -> str:
    """The same link as a password reset (Django's token, valid PASSWORD_RESET_TIMEOUT), absolute."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("portal:password-reset-confirm", args=[uid, token])


def _send_invitation(membership: Membership, inviter: str, with_link: bool) -> None:
    """The invitation email (subject, text, HTML) in the member's language."""
    with translation.override(membership.language):
        context = {
            "organisation": membership.organisation.name,
            "inviter": inviter,
            "role": str(membership.get_role_display()),
            "set_password_url": set_password_url(membership.user) if with_link else "",
            "login_url": settings.SITE_URL + reverse("portal:login"),
            "username": membership.user.get_username(),
        }
        subject = render_to_string("portal/members/email/invitation_subject.txt", context).strip()
        text = render_to_string("portal/members/email/invitation.txt", context)
        html = render_to_string("portal/members/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[membership.user.email])
    message.attach_alternative(html, "text/html")
    message.send()


@transaction.atomic
def membership_invite(
    *,
    actor: Any,
    organisation: Organisation,
    email: str,
    role: str,
    language: str = Membership.Language.FR,
    channel: str = WEB,
) -> Membership:
    """Add the person with this email to the organisation with `role`, creating their account (unusable
    password) if needed, and send the invitation after commit: with a set-password link when the account
    has no password yet. ValidationError for a bad email, role or language, or an existing member;
    PermissionDenied unless the actor is a manager."""
    _require_manager(actor, organisation.pk)
    cleaned = _normalised_email(email)
    _check_role(role)
    _check_language(language)
    _lock_organisation(organisation.pk)
    if Membership.objects.filter(organisation=organisation, user__email__iexact=cleaned).exists():
        raise ValidationError(
            {
                "email": _("Email address: %(email)s is already a member of the organisation.")
                % {"email": cleaned}
            }
        )
    user, _created = _user_for_email(cleaned)
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, language=language)
    AuditEntry.record(
        organisation_id=organisation.pk,
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.MEMBER_INVITED,
        target_label=member_label(membership),
        changes={"role": [None, role], "language": [None, language]},
    )
    inviter = (actor.get_full_name() or actor.get_username()) if actor is not None else "hostportal"
    with_link = not user.has_usable_password()
    transaction.on_commit(lambda: _send_invitation(membership, inviter, with_link))
    return membership


@transaction.atomic
def membership_add(
    *,
    actor: Any,
    organisation: Organisation,
    user: Any,
    role: str,
    language: str = Membership.Language.FR,
    email_preference: str = Membership.EmailPreference.IMMEDIATELY,
    channel: str = WEB,
) -> Membership:
    """Add an existing account to the organisation, without an email (the operator's admin inline).
    ValidationError for a bad value or an existing member; PermissionDenied unless a manager."""
    _require_manager(actor, organisation.pk)
    _check_role(role)
    _check_language(language)
    _check_email_preference(email_preference)
    _lock_organisation(organisation.pk)
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(
            {"user": _("%(user)s is already a member of the organisation.") % {"user": user}}
        )
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, language=language, email_preference=email_preference
    )
    AuditEntry.record(
        organisation_id=organisation.pk,
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.MEMBER_ADDED,
        target_label=member_label(membership),
        changes={
            "role": [None, role],
            "language": [None, language],
            "email_preference": [None, email_preference],
        },
    )
    return membership


@transaction.atomic
def membership_set_role(*, actor: Any, membership: Membership, role: str, channel: str = WEB) -> Membership:
    """Give the member `role`. Setting the same role is a no-op (no audit entry). ValidationError for an
    unknown role or when it would demote the last manager; PermissionDenied unless a manager."""
    _require_manager(actor, membership.organisation_id)
    _check_role(role)
    _lock_organisation(membership.organisation_id)
    locked = Membership.objects.select_related("user").get(pk=membership.pk)
    if locked.role == role:
        return locked
    if role != Membership.Role.MANAGER:
        _check_keeps_a_manager(locked)
    old = locked.role
    locked.role = role
    locked.save(update_fields=["role"])
    AuditEntry.record(
        organisation_id=locked.organisation_id,
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.ROLE_CHANGED,
        target_label=member_label(locked),
        changes={"role": [old, role]},
    )
    return locked


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership, channel: str = WEB) -> None:
    """Remove the member from the organisation (their account stays: it may belong elsewhere).
    ValidationError when they are the last manager; PermissionDenied unless a manager."""
    _require_manager(actor, membership.organisation_id)
    _lock_organisation(membership.organisation_id)
    locked = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if locked is None:
        return  # removed meanwhile: nothing left to do
    _check_keeps_a_manager(locked)
    AuditEntry.record(
        organisation_id=locked.organisation_id,
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.MEMBER_REMOVED,
        target_label=member_label(locked),
        changes={"role": [locked.role, None]},
    )
    locked.delete()


@transaction.atomic
def member_set_preferences(
    *, actor: Any, membership: Membership, language: str, email_preference: str, channel: str = WEB
) -> Membership:
    """Set the member's language and email preference. The member themselves or a manager may;
    no change writes nothing. ValidationError for an unknown value."""
    if actor is not None and actor.pk != membership.user_id:
        _require_manager(actor, membership.organisation_id)
    _check_language(language)
    _check_email_preference(email_preference)
    locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    changes = {
        field: [getattr(locked, field), value]
        for field, value in (("language", language), ("email_preference", email_preference))
        if getattr(locked, field) != value
    }
    if not changes:
        return locked
    locked.language, locked.email_preference = language, email_preference
    locked.save(update_fields=list(changes))
    AuditEntry.record(
        organisation_id=locked.organisation_id,
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.PREFERENCES_CHANGED,
        target_label=member_label(locked),
        changes=changes,
    )
    return locked


# --- reminder settings -----------------------------------------------------------------------------------
def _cleaned_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every lead time parsed ("30, 14,7" -> "30,14,7") and every switch a bool; all errors at once."""
    unknown = set(values) - set(LEAD_TIME_FIELDS) - set(BOOLEAN_SETTINGS)
    if unknown:
        raise ValueError(f"Not a reminder setting: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, raw in values.items():
        if field in BOOLEAN_SETTINGS:
            cleaned[field] = bool(raw)
            continue
        try:
            cleaned[field] = ",".join(str(days) for days in parse_lead_days(str(raw)))
        except ValueError:
            errors[field] = _(
                "%(field)s: « %(value)s » is not a list of days between 0 and %(max)s separated by commas "
                "(for example 30,14,7)."
            ) % {"field": LEAD_TIME_FIELDS[field], "value": raw, "max": MAX_LEAD_DAYS}
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def reminder_settings_update(
    *, actor: Any, organisation: Organisation, values: Mapping[str, Any], channel: str = WEB
) -> ReminderSettings:
    """Change some of the organisation's reminder settings (lead times as "30,14,7", switches as bools),
    creating the row with the defaults if needed. Nothing is written if one value is wrong
    (ValidationError naming each wrong field); no change writes no audit entry. Managers only."""
    _require_manager(actor, organisation.pk)
    cleaned = _cleaned_settings(values)
    _lock_organisation(organisation.pk)
    row = ReminderSettings.objects.filter(organisation=organisation).first() or ReminderSettings(
        organisation=organisation
    )
    changes = {
        field: [getattr(row, field), value]
        for field, value in cleaned.items()
        if getattr(row, field) != value
    }
    if not changes and row.pk is not None:
        return row
    for field, value in cleaned.items():
        setattr(row, field, value)
    row.save()
    AuditEntry.record(
        organisation_id=organisation.pk,
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.REMINDER_SETTINGS_CHANGED,
        target_label=organisation.name,
        changes=changes,
    )
    return row
