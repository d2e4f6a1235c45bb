# Merges the dossier migrations of three branches built side by side (digital dossier, workspace, office law).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0004_digital_dossier"),
        ("dossiers", "0004_workspace_handover_search"),
        ("dossiers", "0004_office_effective_due"),
    ]

    operations = []
