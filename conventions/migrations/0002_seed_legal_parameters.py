"""Seed the effective-dated legal parameters from the rule engine's built-in table (RULES.md §3).

get_or_create keeps it idempotent and never overwrites a value an administrator corrected in admin.
Values added to the built-in table later come with a migration of their own.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from conventions.rules import BUILTIN_PARAMETERS

    LegalParameter = apps.get_model("conventions", "LegalParameter")
    for row in BUILTIN_PARAMETERS:
        LegalParameter.objects.get_or_create(
            key=row.key, effective_from=row.effective_from, defaults={"value": row.value, "source": row.source}
        )


class Migration(migrations.Migration):
    dependencies = [("conventions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
