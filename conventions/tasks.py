"""Thin Celery tasks: load, call one service, return a summary.

The sweep is one transaction: a database that goes away in the middle (connection dropped, failover)
rolls it back whole, and the task retries with backoff; the rerun moves each file once (tests/faults/).
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from conventions.services import sweep_deadlines


@shared_task(
    name="conventions.tasks.sweep_deadlines_task",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,  # and the beat runs it again every hour
)
def sweep_deadlines_task() -> dict[str, int]:
    report = sweep_deadlines()
    return {
        "conventions_refused": len(report.conventions_refused),
        "avenants_accepted": len(report.avenants_accepted),
        "permits_refused": len(report.permits_refused),
    }
