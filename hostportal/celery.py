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
app.conf.beat_schedule = BEAT_SCHEDULE
