"""Thin Celery tasks: load, call one service, return a summary."""

from __future__ import annotations

from celery import shared_task

from conventions.services import sweep_deadlines


@shared_task(name="conventions.tasks.sweep_deadlines_task")
def sweep_deadlines_task() -> dict[str, int]:
    report = sweep_deadlines()
    return {
        "conventions_refused": len(report.conventions_refused),
        "avenants_accepted": len(report.avenants_accepted),
        "permits_refused": len(report.permits_refused),
    }
