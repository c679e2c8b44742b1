"""The legal parameters of RULES version 2 (§3): two SMIC rows and the hospital table from 2020.

Written out, frozen as they were when this migration was made (see 0002). Added rows use get_or_create, so a
value an administrator already entered is kept. The two hospital rows that RULES v2 drops (2022-01-01 3.90,
now covered by the 2020-01-01 row, and 2025-01-01 4.35, the 2024 value unchanged) are deleted only while
they still hold the seeded value: a corrected row is an administrator's decision and stays.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

HOSPITAL = "hospital_hourly_gratification_minimum"
ADDED = [
    ("smic_monthly_gross", "2022-01-01", "1603.12", "SMIC decree 2021-1741: 10.57 EUR/h x 35 h x 52 / 12"),
    ("smic_monthly_gross", "2026-06-01", "1867.02", "arrêté du 22 mai 2026: 12.31 EUR/h x 35 h x 52 / 12"),
    (HOSPITAL, "2020-01-01", "3.90", "Seed (3.90 = 26 x 0.15)"),
]
DROPPED = [
    (HOSPITAL, "2022-01-01", "3.90", "Seed (3.90 = 26 x 0.15)"),
    (
        HOSPITAL,
        "2025-01-01",
        "4.35",
        "15 % x 29 EUR hourly social-security ceiling for 2025 (yearly ceiling order)",
    ),
]


def _matching(LegalParameter, rows):
    for key, effective_from, value, _ in rows:
        yield LegalParameter.objects.filter(
            key=key, effective_from=dt.date.fromisoformat(effective_from), value=Decimal(value)
        )


def _add(LegalParameter, rows):
    for key, effective_from, value, source in rows:
        LegalParameter.objects.get_or_create(
            key=key,
            effective_from=dt.date.fromisoformat(effective_from),
            defaults={"value": Decimal(value), "source": source},
        )


def forward(apps, schema_editor):
    LegalParameter = apps.get_model("conventions", "LegalParameter")
    _add(LegalParameter, ADDED)
    for rows in _matching(LegalParameter, DROPPED):
        rows.delete()


def backward(apps, schema_editor):
    LegalParameter = apps.get_model("conventions", "LegalParameter")
    for rows in _matching(LegalParameter, ADDED):
        rows.delete()
    _add(LegalParameter, DROPPED)


class Migration(migrations.Migration):
    dependencies = [("conventions", "0006_rules_v2_fields_and_visas")]
    operations = [migrations.RunPython(forward, backward)]
