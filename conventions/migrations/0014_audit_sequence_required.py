"""Every TransitionLog row has its place in the chain once 0013 has chained the existing rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0013_chain_existing_audit_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="transitionlog",
            name="sequence",
            field=models.PositiveBigIntegerField(verbose_name="sequence"),
        ),
        migrations.AddConstraint(
            model_name="transitionlog",
            constraint=models.UniqueConstraint(
                fields=("organisation", "sequence"), name="transition_log_sequence_once"
            ),
        ),
    ]
