"""ReferenceCount moves from index766 to interchange (decision 0022): state only.

The table keeps its name (``index766_referencecount``); nothing is copied. The content type
follows the model so audit entries and permissions keep pointing at it.
"""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="interchange", model="referencecount").exists():
        content_type.objects.filter(app_label="index766", model="referencecount").update(app_label="interchange")


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="index766", model="referencecount").exists():
        content_type.objects.filter(app_label="interchange", model="referencecount").update(app_label="index766")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("index766", "0002_indicator_snapshot"),
        ("interchange", "0002_importrun_interrupted"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReferenceCount",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("period", models.CharField(help_text="Ky: 2026, 2026-H1, 2026-Q3, 2026-08", max_length=8, verbose_name="kỳ")),
                        ("national_reporting_count", models.PositiveIntegerField(blank=True, help_text="SoHoSoBCQG", null=True, verbose_name="số hồ sơ theo Hệ thống báo cáo quốc gia")),
                        ("national_portal_count", models.PositiveIntegerField(blank=True, help_text="SoHoSoDVCQG", null=True, verbose_name="số hồ sơ theo Cổng DVCQG")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reference_counts", to="org.unit", verbose_name="đơn vị")),
                    ],
                    options={
                        "verbose_name": "số liệu đối chiếu",
                        "verbose_name_plural": "số liệu đối chiếu",
                        "db_table": "index766_referencecount",
                        "constraints": [models.UniqueConstraint(fields=("unit", "period"), name="reference_count_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
