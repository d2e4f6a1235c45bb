"""Correct the legal bases recorded for 2024–2026 (issue #10 item 8): a database seeded before keeps the old
texts; a row an administrator has edited since (another text) is left alone."""

from django.db import migrations

_OLD_TET_2025 = "Công văn 8726/VPCP-KGVX ngày 26/11/2024; thông báo của Bộ LĐ-TB&XH ngày 03/12/2024"
_OLD_LE_2025 = "Bộ luật Lao động 2019 Điều 112.1; hoán đổi ngày làm việc dịp 30/4–1/5/2025"
_OLD_QK_2025 = "Bộ luật Lao động 2019 Điều 112.1, 112.3; thông báo nghỉ Quốc khánh 2025"
_OLD_QK_2024 = "Bộ luật Lao động 2019 Điều 112.1, 112.3; thông báo nghỉ Quốc khánh 2024"
_OLD_DL_2026 = "Hoán đổi ngày làm việc dịp Tết Dương lịch 2026 (thống nhất ngày 25/12/2025)"
_OLD_TB_9441 = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"
_OLD_VHVN = "Nghị quyết 80-NQ/TW ngày 07/01/2026; Nghị quyết 28/2026/QH16 (hiệu lực 01/07/2026) — ngày nghỉ lễ mới"
OLD = {_OLD_TET_2025, _OLD_LE_2025, _OLD_QK_2025, _OLD_QK_2024, _OLD_DL_2026, _OLD_TB_9441, _OLD_VHVN}


def correct(apps, schema_editor):
    from motcua.workdays import official

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    db = schema_editor.connection.alias
    new = {e.date: e.legal_basis for e in official.SCHEDULE}
    for row in CalendarDay.objects.using(db).filter(date__year__in=(2024, 2025, 2026), legal_basis__in=OLD):
        if row.date in new and new[row.date] != row.legal_basis:
            row.legal_basis = new[row.date]
            row.save(update_fields=["legal_basis"])


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_seed_calendar")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
