"""Calendar arithmetic: calendar months with end-of-month clamping, and inclusive day counts.

RULES §2: periods are calendar days or calendar months and month arithmetic clamps to the month end
(2026-04-30 minus 2 months is 2026-02-28), exactly like `dateutil.relativedelta(months=n)`. It is written
out here (and tested against relativedelta) so the pure package needs no untyped import.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (negative to go back), clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day))


def add_days(day: date, days: int) -> date:
    """Calendar days: no roll-over to the next working day (RULES §2, CPC 642 does not apply)."""
    return day + timedelta(days=days)


def stay_exceeds_months(start: date, end: date, months: int) -> bool:
    """RULES 1.1: a stay (both days inclusive) is more than N months when end >= start + N months."""
    return end >= add_months(start, months)


def inclusive_days(start: date, end: date) -> int:
    """Number of days of presence from `start` to `end`, both counted (RULES 1.1)."""
    return (end - start).days + 1
