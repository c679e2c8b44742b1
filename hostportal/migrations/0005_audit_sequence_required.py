"""Every AuditEntry has its place in the chain once conventions 0013 has chained the existing rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hostportal", "0004_audit_chain"),
        ("conventions", "0013_chain_existing_audit_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(verbose_name="sequence"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("organisation", "sequence"), name="audit_entry_sequence_once"
            ),
        ),
    ]
