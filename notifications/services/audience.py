"""Who receives what: each organisation's lead times, and the recipients of the reminders, set-based.

The recipients are chosen in SQL, for every due reminder at once (`RECIPIENTS`): the organisation's
members whose role it notifies (ReminderSettings, or DEFAULT_ROLES without a row), active, with an address,
whose preference is not "off" ("digest" waits for the daily digest), and the intern for the kinds meant
for them (INTERN_KINDS) when they asked for emails. The planning and the event emails both go through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from hostportal.models import Membership
from notifications.models import DEFAULT_ROLES, NotificationStatus, ReminderSettings
from notifications.rules import DEFAULT_LEAD_TIMES, LeadTimes


def load_settings(organisation_ids: Iterable[int] | None = None) -> dict[int, ReminderSettings]:
    """Every organisation's settings row (one query); an organisation without one uses the defaults."""
    rows = ReminderSettings.objects.all()
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=list(organisation_ids))
    return {row.organisation_id: row for row in rows}


class LeadTimesByOrganisation:
    """Each organisation's lead times, parsed once per run (not once per file)."""

    def __init__(self, settings: dict[int, ReminderSettings]) -> None:
        self._parsed = {organisation_id: row.lead_times() for organisation_id, row in settings.items()}

    def __getitem__(self, organisation_id: int) -> LeadTimes:
        return self._parsed.get(organisation_id, DEFAULT_LEAD_TIMES)

    def longest(self) -> int:
        """The planning horizon: the longest lead time of any organisation (or of the defaults)."""
        return max([DEFAULT_LEAD_TIMES.longest(), *(leads.longest() for leads in self._parsed.values())])


# The columns of a due reminder that its outbox rows copy as they are.
REMINDER_COLUMNS = (
    "kind", "file_type", "object_id", "convention_id", "deadline", "due_on", "days_left", "rule", "source"
)  # fmt: skip


def recipients_sql(due: str) -> tuple[str, dict[str, Any]]:
    """A SELECT of one outbox row per (due reminder of the table `due`, recipient), and its parameters.

    `due` has organisation_id, intern_id, to_intern, key_prefix and the reminder's columns (kind,
    file_type, object_id, convention_id, deadline, due_on, days_left, rule, source). Plain SQL that
    PostgreSQL and SQLite both run; the idempotency key is the prefix and the recipient.
    """
    from conventions.models import Intern

    user, intern = get_user_model()._meta.db_table, Intern._meta.db_table
    member, settings = Membership._meta.db_table, ReminderSettings._meta.db_table
    reminder = ", ".join(f"d.{column}" for column in REMINDER_COLUMNS)
    roles = " OR ".join(
        f"(m.role = %(role_{role})s AND COALESCE(rs.notify_{role}s, %(default_{role})s))"
        for role in ("manager", "editor", "viewer")
    )
    sql = f"""
SELECT d.organisation_id, d.key_prefix || 'user-' || CAST(m.user_id AS TEXT) AS idempotency_key, {reminder},
       m.user_id AS recipient_user_id, NULL AS recipient_intern_id, u.email AS recipient_email,
       m.language AS language,
       CASE WHEN m.email_preference = %(digest)s THEN %(awaiting_digest)s ELSE %(pending)s END AS status
FROM {due} AS d
JOIN {member} AS m ON m.organisation_id = d.organisation_id
JOIN {user} AS u ON u.id = m.user_id
LEFT JOIN {settings} AS rs ON rs.organisation_id = d.organisation_id
WHERE u.is_active AND u.email <> '' AND m.email_preference <> %(off)s AND ({roles})
UNION ALL
SELECT d.organisation_id, d.key_prefix || 'intern-' || CAST(i.id AS TEXT), {reminder},
       NULL, i.id, i.email, i.language, %(pending)s
FROM {due} AS d
JOIN {intern} AS i ON i.id = d.intern_id
WHERE d.to_intern AND i.notify_intern AND i.email <> ''"""  # noqa: S608 (names from the models)
    params: dict[str, Any] = {
        "digest": Membership.EmailPreference.DIGEST.value,
        "off": Membership.EmailPreference.OFF.value,
        "awaiting_digest": NotificationStatus.AWAITING_DIGEST.value,
        "pending": NotificationStatus.PENDING.value,
    }
    for role in ("manager", "editor", "viewer"):
        value = getattr(Membership.Role, role.upper()).value
        params[f"role_{role}"] = value
        params[f"default_{role}"] = value in DEFAULT_ROLES
    return sql, params
