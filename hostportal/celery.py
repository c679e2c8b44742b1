"""The Celery app and the one beat schedule.

The schedule is static, in code, on purpose: every job is idempotent and safe to run more often than
scheduled, so operators have nothing to tune, and a schedule in code is reviewed and versioned with the
jobs it calls (django-celery-beat would add a second place where the truth lives).
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging
from kombu import Exchange, Queue

from hostportal.logging import use_django_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostportal.settings")

app = Celery("hostportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker and beat log through settings.LOGGING (masked; JSON with LOG_FORMAT=json), not Celery's handlers.
setup_logging.connect(use_django_logging, weak=False)

BEAT_SCHEDULE = {
    # Implicit decisions exist from the day after the silence deadline (RULES §2): sweep early each morning,
    # and again hourly so that a missed run (machine down at 00:15) is caught up the same day.
    "sweep-deadlines": {"task": "conventions.tasks.sweep_deadlines_task", "schedule": crontab(minute=15)},
    "plan-reminders": {"task": "notifications.tasks.plan_reminders_task", "schedule": crontab(minute=30)},
    "deliver-outbox": {"task": "notifications.tasks.deliver_outbox_task", "schedule": 60.0},
    "deliver-webhooks": {"task": "notifications.tasks.deliver_webhooks_task", "schedule": 60.0},
    "send-digests": {"task": "notifications.tasks.send_digests_task", "schedule": crontab(minute=0, hour=7)},
}
# A test and demo knob, never for production: every job every N seconds (the fault and topology tests run
# real beats on it; the jobs are idempotent, so running them more often changes nothing but the load).
if every := os.environ.get("HOSTPORTAL_BEAT_EVERY_SECONDS"):
    BEAT_SCHEDULE = {name: {**entry, "schedule": float(every)} for name, entry in BEAT_SCHEDULE.items()}
app.conf.beat_schedule = BEAT_SCHEDULE

# Two queues, so that deployments can give the daily jobs and the deliveries their own workers
# (`worker -Q jobs`, `worker -Q delivery`): a long sweep or planning never delays an email, and a slow mail
# server never delays the sweep. A worker started without -Q consumes every queue (the demo, small sites).
JOBS, DELIVERY = "jobs", "delivery"
app.conf.task_queues = tuple(
    Queue(name, Exchange(name), routing_key=name) for name in ("celery", JOBS, DELIVERY)
)
app.conf.task_routes = {
    "conventions.tasks.sweep_deadlines_task": {"queue": JOBS},
    "notifications.tasks.plan_reminders_task": {"queue": JOBS},
    "notifications.tasks.send_digests_task": {"queue": JOBS},
    "notifications.tasks.deliver_outbox_task": {"queue": DELIVERY},
    "notifications.tasks.deliver_webhooks_task": {"queue": DELIVERY},
}
