"""Time to render one receipt PDF (Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả).

Run: ``.venv/bin/python bench/receipt.py [RUNS]``. Sets up Django on a fresh SQLite database in a
temporary MOTCUA_DATA_DIR, migrates, receives one dossier through the lifecycle services, renders
once to warm up (WeasyPrint, fonts, templates), then prints the median of RUNS (default 20)
renders. Target: ≤ 500 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 500.0


def main(runs: int = 20) -> int:
    data_dir = tempfile.mkdtemp(prefix="motcua-bench-receipt-")
    os.environ["MOTCUA_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)  # always the throw-away SQLite file, never a real database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("MOTCUA_LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from datetime import datetime
    from decimal import Decimal

    from motcua.catalog.models import Procedure
    from motcua.documents.services import receipt_pdf
    from motcua.dossiers import services
    from motcua.dossiers.models import DossierComponent
    from motcua.org.models import Unit, UnitKind
    from motcua.workdays.calendar import VN_TZ

    province = Unit.objects.create(code="H99", name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE)
    unit = Unit.objects.create(code="H99.01", name="Sở Tư pháp", kind=UnitKind.DEPARTMENT, parent=province)
    procedure = Procedure.objects.create(
        code="1.000001",
        name="Cấp phiếu lý lịch tư pháp",
        level_province=True,
        time_limit=Decimal(5),
        time_unit="ngay_lam_viec",
    )
    dossier = services.receive(
        procedure=procedure,
        handling_unit=unit,
        channel=1,
        received_at=datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ),
        applicant={
            "applicant_name": "Nguyễn Thị Hồng Nhung",
            "applicant_id_number": "001185012345",
            "applicant_address": "Số 12 đường Trần Hưng Đạo, phường Hội An",
            "applicant_phone": "0912 345 678",
        },
        result_delivery="Bộ phận tiếp nhận và trả kết quả Sở Tư pháp",
    )
    for name in ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản sao căn cước công dân"):
        DossierComponent.objects.create(dossier=dossier, name=name)

    started = time.perf_counter()
    pdf = receipt_pdf(dossier)  # warm-up: imports WeasyPrint, loads the fonts, compiles templates
    first_ms = (time.perf_counter() - started) * 1000
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        pdf = receipt_pdf(dossier)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    out = Path(data_dir) / "receipt.pdf"
    out.write_bytes(pdf)
    print(
        f"receipt PDF ({len(pdf):,} bytes, {out}): first {first_ms:.0f} ms; "
        f"median of {runs} {median:.1f} ms (min {min(timings):.1f}, max {max(timings):.1f}); "
        f"target ≤ {TARGET_MS:.0f} ms: {'OK' if median <= TARGET_MS else 'MISSED'}"
    )
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
