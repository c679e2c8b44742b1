"""Write path of interns (personal data: the passport number is never logged)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from conventions.models import ConventionState, Intern
from conventions.rules.regime import EU_EEA_CH
from conventions.services.common import check_version
from conventions.services.conventions import convention_refresh_rules, require_writer
from hostportal.models import Organisation

# In the order a form shows them.
INTERN_FIELD_ORDER = (
    "first_name", "last_name", "nationality", "date_of_birth", "email", "country_of_residence",
    "passport_number", "passport_expires_on", "notify_intern", "language",
)  # fmt: skip
INTERN_FIELDS = frozenset(INTERN_FIELD_ORDER)


def _reject_unknown(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - INTERN_FIELDS)
    if unknown:
        raise ValidationError({name: f"{name} is not a field of an intern." for name in unknown})


def _normalise(intern: Intern) -> None:
    """Passport numbers are compared and masked without spaces, in capitals (as printed in the MRZ)."""
    if isinstance(intern.passport_number, str):
        intern.passport_number = intern.passport_number.replace(" ", "").upper()


def _require_passport(intern: Intern) -> None:
    """A national of a country outside the EU/EEA and Switzerland travels on a passport with a visa
    (CESEDA L312-1, L411-1): its number and expiry are required. An EU/EEA/Swiss national needs neither."""
    if str(intern.nationality) in EU_EEA_CH:
        return
    missing = {}
    if not intern.passport_number:
        missing["passport_number"] = _("The passport number is required for a national of this country.")
    if intern.passport_expires_on is None:
        missing["passport_expires_on"] = _(
            "The passport’s expiry date is required for a national of this country."
        )
    if missing:
        raise ValidationError(missing)


def intern_create(*, actor: Any, organisation: Organisation, **fields: Any) -> Intern:
    """Create an intern of `organisation`; ValidationError names each bad field (unknown country...)."""
    require_writer(actor, organisation.pk)
    _reject_unknown(fields)
    intern = Intern(organisation=organisation, **fields)
    _normalise(intern)
    intern.full_clean(exclude=["organisation", "version"])
    _require_passport(intern)
    intern._history_user = actor  # type: ignore[attr-defined]
    intern.save()
    return intern


def intern_update(
    *, actor: Any, intern: Intern | int, expected_version: int | None = None, **changes: Any
) -> Intern:
    """Edit an intern; `expected_version` (the version the user loaded) refuses to overwrite a newer change.

    Raises PermissionDenied, ConflictError or ValidationError naming each bad field; nothing is written then.
    """
    _reject_unknown(changes)
    pk = intern.pk if isinstance(intern, Intern) else intern
    with transaction.atomic():
        instance = Intern.objects.select_for_update().get(pk=pk)
        require_writer(actor, instance.organisation_id)
        check_version(instance, expected_version)
        for name, value in changes.items():
            setattr(instance, name, value)
        _normalise(instance)
        instance.full_clean(exclude=["organisation", "version"])
        _require_passport(instance)
        instance.version += 1
        instance._history_user = actor  # type: ignore[attr-defined]
        instance.save()
        # The nationality decides the regime (RULES §1): drafts follow the intern's current data.
        for convention in instance.conventions.filter(state=ConventionState.DRAFT):
            convention_refresh_rules(convention)
    return instance
