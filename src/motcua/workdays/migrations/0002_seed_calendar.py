"""Seed the working-day table 2015–2035 from motcua.workdays.official (official 2024–2026,
statutory fallback for the other years)."""

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2015, 2035


def seed(apps, schema_editor):
    from motcua.workdays import official

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    db = schema_editor.connection.alias
    existing = set(CalendarDay.objects.using(db).values_list("date", flat=True))
    rows = [CalendarDay(**row) for row in official.day_rows(FIRST_YEAR, LAST_YEAR) if row["date"] not in existing]
    CalendarDay.objects.using(db).bulk_create(rows, batch_size=1000)


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarDay.objects.using(schema_editor.connection.alias).filter(
        date__year__gte=FIRST_YEAR, date__year__lte=LAST_YEAR
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
