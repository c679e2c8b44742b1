"""Who receives what: each organisation's lead times and recipients, read once for a batch of files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hostportal.models import Membership
from notifications.facts import FileRef
from notifications.models import DEFAULT_ROLES, ReminderSettings
from notifications.rules import DEFAULT_LEAD_TIMES, INTERN_KINDS, LeadTimes, ReminderKind


@dataclass(frozen=True)
class Recipient:
    user_id: int | None
    intern_id: int | None
    email: str
    language: str
    digest: bool

    @property
    def key(self) -> str:
        return f"user-{self.user_id}" if self.user_id is not None else f"intern-{self.intern_id}"


def load_settings(organisation_ids: Iterable[int] | None = None) -> dict[int, ReminderSettings]:
    """Every organisation's settings row (one query); an organisation without one uses the defaults."""
    rows = ReminderSettings.objects.all()
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=list(organisation_ids))
    return {row.organisation_id: row for row in rows}


class Audience:
    """Lead times and member recipients of a set of organisations (two queries for the whole batch)."""

    def __init__(
        self, organisation_ids: Iterable[int], settings: dict[int, ReminderSettings] | None = None
    ) -> None:
        ids = sorted(set(organisation_ids))
        self.settings = settings if settings is not None else load_settings(ids)
        self.members: dict[int, list[tuple[str, Recipient]]] = defaultdict(list)
        if not ids:
            return
        rows = (
            Membership.objects.filter(organisation_id__in=ids, user__is_active=True)
            .exclude(email_preference=Membership.EmailPreference.OFF)
            .exclude(user__email="")
            .values_list("organisation_id", "role", "user_id", "user__email", "language", "email_preference")
            .order_by("organisation_id", "user_id")
        )
        for organisation_id, role, user_id, email, language, preference in rows:
            digest = preference == Membership.EmailPreference.DIGEST
            self.members[organisation_id].append((role, Recipient(user_id, None, email, language, digest)))

    def lead_times(self, organisation_id: int) -> LeadTimes:
        row = self.settings.get(organisation_id)
        return row.lead_times() if row else DEFAULT_LEAD_TIMES

    def recipients(self, ref: FileRef, kind: ReminderKind) -> list[Recipient]:
        """Members whose role the organisation notifies ("off" excluded), and the intern when asked."""
        row = self.settings.get(ref.organisation_id)
        roles = row.roles() if row else DEFAULT_ROLES
        found = [recipient for role, recipient in self.members[ref.organisation_id] if role in roles]
        if kind in INTERN_KINDS and ref.notify_intern and ref.intern_email:
            found.append(Recipient(None, ref.intern_id, ref.intern_email, ref.intern_language, digest=False))
        return found


def longest_lead(settings: dict[int, ReminderSettings]) -> int:
    """The planning horizon: the longest lead time of any organisation (or of the defaults)."""
    return max([DEFAULT_LEAD_TIMES.longest(), *(row.lead_times().longest() for row in settings.values())])
