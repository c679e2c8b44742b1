"""The chain fields of TransitionLog (hostportal.audit); an extension by silence may be logged twice."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0011_documents_asked_by_the_administration"),
        ("hostportal", "0004_audit_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="transitionlog",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="entry_hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="actor_ref",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="actor id"),
        ),
        migrations.RemoveConstraint(model_name="transitionlog", name="transition_log_sweep_once"),
        migrations.AddConstraint(
            model_name="transitionlog",
            constraint=models.UniqueConstraint(
                condition=models.Q(("channel", "sweep"), models.Q(("transition", "extend"), _negated=True)),
                fields=("content_type", "object_id", "transition"),
                name="transition_log_sweep_once",
            ),
        ),
    ]
