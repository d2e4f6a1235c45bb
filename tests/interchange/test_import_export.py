"""motcua import / export: all or nothing, idempotent, audited, round-trip identical."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.interchange.exporter import export_exchange_set
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
from motcua.interchange.models import ImportRun
from motcua.interchange.validation import validate
from motcua.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated") / "set"
    generate_exchange_set(folder, dossiers=300, seed=11, until=date(2026, 11, 20), units=60, procedures=200)
    return folder


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def copy_set(source: Path, target: Path, files=("units", "procedures", "online_services", "dossiers")) -> Path:
    target.mkdir(parents=True)
    for name in files:
        shutil.copy(source / f"{name}.jsonl", target / f"{name}.jsonl")
    return target


def test_import_then_export_is_identical_and_reimport_is_a_no_op(generated, tmp_path):
    report = import_exchange_set(generated)
    assert report.ok, [str(e) for e in report.errors[:5]]
    assert report.counts["dossiers"].created == 300
    export_exchange_set(tmp_path / "first")
    again = import_exchange_set(tmp_path / "first")
    assert {name: (c.created, c.updated) for name, c in again.counts.items()} == {name: (0, 0) for name in again.counts}
    export_exchange_set(tmp_path / "second")
    for path in sorted((tmp_path / "first").iterdir()):
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes(), path.name
    # The generated set itself is also a no-op the second time.
    assert import_exchange_set(generated).counts["dossiers"].unchanged == 300


def test_every_generated_dossier_survives_the_database(generated, tmp_path):
    import_exchange_set(generated)
    export_exchange_set(tmp_path / "out", files=["dossiers"])
    exported = {r["MaHoSo"]: r for r in lines(tmp_path / "out" / "dossiers.jsonl")}
    defaults = {"DuocThanhToanTrucTuyen": 0, "KenhThucHien": 1, "NguonHoSo": "dia_phuong"}
    for line, raw in enumerate(lines(generated / "dossiers.jsonl"), start=1):
        original, errors = validate("dossiers", raw, line)
        assert not errors
        mine, _ = validate("dossiers", exported[raw["MaHoSo"]], line)
        assert mine == {**original, **{k: v for k, v in defaults.items() if original[k] is None}}


def test_changed_record_is_updated_and_audited(generated, tmp_path):
    import_exchange_set(generated)
    changed = copy_set(generated, tmp_path / "changed")
    records = lines(changed / "dossiers.jsonl")
    target = records[0]
    target["NgayDongBo"] = "2026-11-21T10:00:00+07:00"
    (changed / "dossiers.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    report = import_exchange_set(changed)
    assert (report.counts["dossiers"].updated, report.counts["dossiers"].unchanged) == (1, 299)
    dossier = Dossier.objects.get(code=target["MaHoSo"])
    entry = LogEntry.objects.filter(object_id=dossier.pk, action=LogEntry.Action.UPDATE).get()
    assert entry.changes["NgayDongBo"][1] == "2026-11-21T10:00:00+07:00"
    assert entry.cid == f"import:{report.run_id}"


def test_appended_status_history_is_appended_not_rewritten(generated, tmp_path):
    import_exchange_set(generated)
    records = lines(generated / "dossiers.jsonl")
    open_one = next(r for r in records if r["TrangThaiHoSo"] == 4 and r.get("LichSuTrangThai"))
    events_before = list(DossierEvent.objects.filter(dossier__code=open_one["MaHoSo"]).values_list("pk", flat=True))
    open_one["LichSuTrangThai"].append({"TrangThai": 9, "ThoiDiem": "2026-11-21T09:00:00+07:00"})
    open_one["TrangThaiHoSo"] = 9
    changed = copy_set(generated, tmp_path / "later")
    (changed / "dossiers.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    assert import_exchange_set(changed).counts["dossiers"].updated == 1
    events_after = list(DossierEvent.objects.filter(dossier__code=open_one["MaHoSo"]).order_by("occurred_at", "pk"))
    assert [e.pk for e in events_after[: len(events_before)]] == events_before
    assert events_after[-1].to_status == 9


def test_set_with_errors_imports_nothing_and_names_file_line_field(generated, tmp_path):
    broken = copy_set(generated, tmp_path / "broken")
    records = lines(broken / "dossiers.jsonl")
    records[2]["NgayTiepNhan"] = "2026-13-01T08:00:00"
    records[5]["MaTTHC"] = "9.999999"
    (broken / "dossiers.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    report = import_exchange_set(broken)
    assert report.outcome == ImportRun.Outcome.REJECTED
    messages = [str(e) for e in report.errors]
    assert any("dossiers.jsonl, dòng 3, trường NgayTiepNhan" in m for m in messages), messages
    assert any("dòng 6, trường MaTTHC" in m and "9.999999" in m for m in messages), messages
    assert not Unit.objects.exists() and not Dossier.objects.exists()
    assert ImportRun.objects.get(pk=report.run_id).outcome == ImportRun.Outcome.REJECTED

    partial = import_exchange_set(broken, skip_invalid=True)
    assert partial.outcome == ImportRun.Outcome.IMPORTED
    assert partial.counts["dossiers"].skipped == 2 and Dossier.objects.count() == 298


def test_dry_run_writes_nothing(generated):
    report = import_exchange_set(generated, dry_run=True)
    assert report.outcome == ImportRun.Outcome.DRY_RUN and report.counts["dossiers"].created == 300
    assert not Dossier.objects.exists() and not LogEntry.objects.filter(cid=f"import:{report.run_id}").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_sets_import_like_jsonl(generated, tmp_path, fmt):
    import_exchange_set(generated)
    export_exchange_set(tmp_path / "jsonl")
    target = tmp_path / ("set.xlsx" if fmt == "xlsx" else "set")
    export_exchange_set(target, format=fmt)
    report = import_exchange_set(target)
    assert report.ok and sum(c.created + c.updated for c in report.counts.values()) == 0, report.counts


def test_import_command_exit_code_and_one_line_error(tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "units.jsonl").write_text(
        '{"MaDonVi": "H01", "TenDonVi": "Tỉnh", "LoaiDonVi": "TINH"}\n{"MaDonVi": 5\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(folder))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("units.jsonl, dòng 2")
    assert err[-1].startswith("Lỗi: Bộ dữ liệu có 1 lỗi")
    assert not Unit.objects.exists()


def test_missing_path_is_a_user_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(tmp_path / "nowhere"))
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip().startswith("Lỗi: ")


def foreign_keys() -> set[tuple[str, str]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
        )
        return set(cursor.fetchall())


def test_worker_processes_import_exactly_like_one_process(generated, tmp_path):
    constraints = foreign_keys()
    serial = import_exchange_set(generated, workers=1)
    export_exchange_set(tmp_path / "serial")
    Dossier.objects.all().delete()
    LogEntry.objects.filter(cid=f"import:{serial.run_id}").delete()
    parallel = import_exchange_set(generated, workers=2)
    assert parallel.ok and parallel.counts["dossiers"].created == 300
    export_exchange_set(tmp_path / "parallel")
    for path in sorted((tmp_path / "serial").iterdir()):
        assert path.read_bytes() == (tmp_path / "parallel" / path.name).read_bytes(), path.name
    assert LogEntry.objects.filter(cid=f"import:{parallel.run_id}", content_type__model="dossier").count() == 300
    assert foreign_keys() == constraints  # the bulk load put every foreign key back


def test_worker_processes_report_errors_and_duplicates(generated, tmp_path):
    broken = copy_set(generated, tmp_path / "broken")
    records = lines(broken / "dossiers.jsonl")
    records[3]["NgayHenTra"] = "hôm qua"
    records[7]["MaHoSo"] = records[1]["MaHoSo"]  # a duplicate key, found across batches by the main process
    (broken / "dossiers.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    rejected = import_exchange_set(broken, workers=2)
    assert rejected.outcome == ImportRun.Outcome.REJECTED and not Dossier.objects.exists()
    messages = [str(e) for e in rejected.errors]
    assert any("dòng 4, trường NgayHenTra" in m for m in messages), messages
    assert any("dòng 8, trường MaHoSo" in m and "dòng 2" in m for m in messages), messages
    partial = import_exchange_set(broken, workers=2, skip_invalid=True)
    assert partial.ok and Dossier.objects.count() == 298 and partial.counts["dossiers"].skipped == 2


def test_complaint_without_likes_imports_as_zero_and_reimports_unchanged(tmp_path):
    """A complaint line without SoThich/SoKhongThich (nobody rated the answer) used to fail the
    columns' NOT NULL and roll the whole set back; none is 0, on both databases."""
    from motcua.feedback.models import Complaint

    units = [{"MaDonVi": "P", "TenDonVi": "Tỉnh P", "MaDonViCha": None, "LoaiDonVi": "TINH"}]
    rated = {
        "MaPAKN": "C2",
        "MaDonVi": "P",
        "PhanLoai": "quy_dinh",
        "NgayGui": "2026-03-02T08:00",
        "LichSu": [{"TrangThai": "da_tiep_nhan", "ThoiDiem": "2026-03-02T09:00"}],
        "SoThich": 3,
        "SoKhongThich": 1,
    }
    unrated = {k: v for k, v in rated.items() if k not in ("SoThich", "SoKhongThich")} | {"MaPAKN": "C1"}
    folder = tmp_path / "set"
    folder.mkdir()
    for name, records in {"units": units, "complaints": [unrated, rated | {"SoKhongThich": None}]}.items():
        (folder / f"{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
    report = import_exchange_set(folder)
    assert report.ok, [str(e) for e in report.errors[:5]]
    assert dict(Complaint.objects.values_list("code", "likes")) == {"C1": 0, "C2": 3}
    assert dict(Complaint.objects.values_list("code", "dislikes")) == {"C1": 0, "C2": 0}
    again = import_exchange_set(folder)
    assert (again.counts["complaints"].unchanged, again.counts["complaints"].updated) == (2, 0)
