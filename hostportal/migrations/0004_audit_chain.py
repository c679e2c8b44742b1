"""The audit chain (hostportal.audit): the per-organisation head table and the chain fields of AuditEntry.

The chain fields start nullable/empty; conventions 0013 chains the existing rows of both audit tables and
hostportal 0005 then makes `sequence` required and unique per organisation.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hostportal", "0003_audit_entry"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="audit_chain",
                        serialize=False,
                        to="hostportal.organisation",
                        verbose_name="organisation",
                    ),
                ),
                ("last_sequence", models.PositiveBigIntegerField(default=0, verbose_name="last sequence")),
                ("last_hash", models.CharField(max_length=64, verbose_name="last hash")),
            ],
            options={"verbose_name": "audit chain head", "verbose_name_plural": "audit chain heads"},
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="created at"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="actor_ref",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="actor id"),
        ),
    ]
