"""RULES version 2 on the stored files, set-based (one UPDATE or one INSERT per step, whatever the rows).

- Every validated convention gets its long-stay visa step (state to_apply), as the validation service now
  opens it.
- Carte de séjour silence: 90 days after the complete application (CESEDA R426-17), no longer 4 months.
  An implicit refusal already born keeps the deadline it was born from (its decision_on is that deadline
  plus one day): rewriting it would make the record contradict itself.
- The carte de séjour filing window (CESEDA R431-5 1°: 120 to 60 days before the visa expires) of the
  applications still to file, from their convention's visa. No visa has an expiry before this migration
  (the visa table is new), so this updates nothing today; it is written set-based all the same so that it
  stays right if the migration is ever replayed on restored data.
- prior_extensions of the existing avenants: the accepted avenants of the same convention drafted before
  them (one open avenant at a time, so an earlier one was already decided when the later one was drafted).

The numbers are written out here (migrations are frozen): 90, 120 and 60 days.
"""

import calendar
import datetime as dt

from django.db import migrations, models
from django.db.models import Count, ExpressionWrapper, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

PERMIT_SILENCE_DAYS = 90  # CESEDA R426-17
FILING_OPENS_DAYS = 120  # CESEDA R431-5 1°
FILING_DEADLINE_DAYS = 60
OLD_PERMIT_SILENCE_MONTHS = 4  # RULES v1 (R432-2 al. 1), for the reverse only
ACCEPTED_AVENANT_STATES = ["validated", "accepted_by_silence"]


def _date(expression):
    return ExpressionWrapper(expression, output_field=models.DateField())


def open_visas(apps, schema_editor):
    Convention = apps.get_model("conventions", "Convention")
    VisaApplication = apps.get_model("conventions", "VisaApplication")
    rows = Convention.objects.filter(state="validated", visa__isnull=True).values_list(
        "pk", "organisation_id"
    )
    VisaApplication.objects.bulk_create(
        VisaApplication(convention_id=pk, organisation_id=organisation_id) for pk, organisation_id in rows
    )


def permit_silence_90_days(apps, schema_editor):
    Permit = apps.get_model("conventions", "ResidencePermitApplication")
    start = Coalesce(F("complete_on"), F("filed_on"))
    Permit.objects.filter(filed_on__isnull=False).exclude(state="refused_by_silence").update(
        silence_deadline=_date(start + dt.timedelta(days=PERMIT_SILENCE_DAYS))
    )


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def permit_silence_4_months(apps, schema_editor):
    """Reverse: the version-1 deadline, filed_on + 4 calendar months clamped to the month end.

    Row by row (month arithmetic with clamping has no portable SQL form); only ever run to go back.
    """
    Permit = apps.get_model("conventions", "ResidencePermitApplication")
    for permit in Permit.objects.filter(filed_on__isnull=False).exclude(state="refused_by_silence"):
        deadline = _add_months(permit.filed_on, OLD_PERMIT_SILENCE_MONTHS)
        Permit.objects.filter(pk=permit.pk).update(silence_deadline=deadline)


def permit_filing_window(apps, schema_editor):
    Permit = apps.get_model("conventions", "ResidencePermitApplication")
    VisaApplication = apps.get_model("conventions", "VisaApplication")
    expires = Subquery(
        VisaApplication.objects.filter(convention_id=OuterRef("convention_id")).values("expires_on")[:1],
        output_field=models.DateField(),
    )
    Permit.objects.filter(state="to_file", convention__visa__expires_on__isnull=False).update(
        filing_opens_on=_date(expires - dt.timedelta(days=FILING_OPENS_DAYS)),
        filing_deadline=_date(expires - dt.timedelta(days=FILING_DEADLINE_DAYS)),
    )


def count_prior_extensions(apps, schema_editor):
    Avenant = apps.get_model("conventions", "Avenant")
    earlier = (
        Avenant.objects.filter(
            convention_id=OuterRef("convention_id"), pk__lt=OuterRef("pk"), state__in=ACCEPTED_AVENANT_STATES
        )
        .order_by()
        .values("convention_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Avenant.objects.update(
        prior_extensions=Coalesce(Subquery(earlier, output_field=models.IntegerField()), Value(0))
    )


class Migration(migrations.Migration):
    dependencies = [("conventions", "0007_rules_v2_legal_parameters")]
    operations = [
        migrations.RunPython(open_visas, migrations.RunPython.noop),
        migrations.RunPython(permit_silence_90_days, permit_silence_4_months),
        migrations.RunPython(permit_filing_window, migrations.RunPython.noop),
        migrations.RunPython(count_prior_extensions, migrations.RunPython.noop),
    ]
