"""Seed the effective-dated legal parameters of RULES version 1 (§3).

The rows are written out here, frozen as they were when this migration was made: a migration must do the
same thing whenever it runs, whatever the built-in table of the engine says later. get_or_create keeps it
idempotent and never overwrites a value an administrator corrected in admin. Values added later come with
a migration of their own (0007_rules_v2_legal_parameters for RULES version 2).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

SMIC = "SMIC decree: {} EUR/h x 35 h x 52 / 12"
CEILING = "15 % x {} EUR hourly social-security ceiling for {} (yearly ceiling order)"
ROWS = [
    ("entreprise_monthly_minimum", "2022-05-01", "615.00", "Seed; old CESEDA R313-10-2"),
    ("smic_monthly_gross", "2022-05-01", "1645.58", "Seed; " + SMIC.format("10.85")),
    ("smic_monthly_gross", "2022-08-01", "1678.95", SMIC.format("11.07")),
    ("smic_monthly_gross", "2023-01-01", "1709.28", SMIC.format("11.27")),
    ("smic_monthly_gross", "2023-05-01", "1747.20", SMIC.format("11.52")),
    ("smic_monthly_gross", "2024-01-01", "1766.92", SMIC.format("11.65")),
    ("smic_monthly_gross", "2024-11-01", "1801.80", SMIC.format("11.88")),
    ("smic_monthly_gross", "2026-01-01", "1823.03", SMIC.format("12.02")),
    ("hospital_hourly_gratification_minimum", "2022-01-01", "3.90", "Seed (3.90 = 26 x 0.15)"),
    ("hospital_hourly_gratification_minimum", "2023-01-01", "4.05", CEILING.format("27", "2023")),
    ("hospital_hourly_gratification_minimum", "2024-01-01", "4.35", CEILING.format("29", "2024")),
    ("hospital_hourly_gratification_minimum", "2025-01-01", "4.35", CEILING.format("29", "2025")),
    ("hospital_hourly_gratification_minimum", "2026-01-01", "4.50", CEILING.format("30", "2026")),
]


def seed(apps, schema_editor):
    LegalParameter = apps.get_model("conventions", "LegalParameter")
    for key, effective_from, value, source in ROWS:
        LegalParameter.objects.get_or_create(
            key=key,
            effective_from=dt.date.fromisoformat(effective_from),
            defaults={"value": Decimal(value), "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("conventions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
