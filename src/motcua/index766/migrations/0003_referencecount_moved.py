"""ReferenceCount now belongs to interchange (interchange 0003, decision 0022): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("index766", "0002_indicator_snapshot"),
        ("interchange", "0003_referencecount_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReferenceCount")],
            database_operations=[],
        ),
    ]
