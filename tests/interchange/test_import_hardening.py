"""Imports that other systems (or attackers) send: what the importer refuses, and how it says so."""

import json

import pytest
from django.urls import NoReverseMatch, reverse

from motcua.dossiers.models import Dossier
from motcua.interchange.importer import import_exchange_set
from motcua.interchange.models import ImportRun

from .samples import RAW

pytestmark = pytest.mark.django_db


def write_set(folder, **files):
    """An exchange set of JSON Lines files, one record per line."""
    folder.mkdir(exist_ok=True)
    for name, records in files.items():
        (folder / f"{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
    return folder


def catalogue(folder):
    return write_set(folder, units=RAW["units"], procedures=RAW["procedures"])


def dossier(code="H44-260302-0001", **fields) -> dict:
    return {"MaHoSo": code, "MaTTHC": "2.000001", "MaDonVi": "H44", **fields}


def rejected(report) -> list[str]:
    assert report.outcome == ImportRun.Outcome.REJECTED, report.outcome
    return [str(e) for e in report.errors]


def test_one_bad_line_is_one_error_not_also_a_missing_reference_downstream(tmp_path):
    # The bad unit dooms the import, so nothing is written; the valid units still count as known.
    write_set(
        tmp_path,
        units=[*RAW["units"], {"MaDonVi": "H44.99"}],
        procedures=RAW["procedures"],
        online_services=RAW["online_services"],
        dossiers=[dossier(), dossier("H44-2", MaTTHC="1.001234", MaDonVi="H44.12.01", MaDVC="DVC-1")],
    )
    assert rejected(import_exchange_set(tmp_path)) == [
        "units.jsonl, dòng 3, trường TenDonVi: thiếu giá trị bắt buộc (tên đơn vị)"
    ]


# --- dossier codes (#13 item 2) ------------------------------------------------------------------


def linkable(code: str) -> bool:
    try:
        reverse("workspace:dossier", args=[code])
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize(
    "code",
    [
        "H44.12.01-260315-0001",
        "000.00.12.H44-260101-AA0001",
        "H44/0001",
        "H44 0001",
        "../H44",
        "H44?x=1",
        "Hồ-sơ-1",
        "x" * 64,
        "x" * 65,
        ".hidden",
        "H44\n0001",
    ],
)
def test_a_code_is_imported_exactly_when_its_dossier_page_can_be_linked(tmp_path, code):
    catalogue(tmp_path)
    write_set(tmp_path, dossiers=[dossier(code)])
    report = import_exchange_set(tmp_path)
    assert report.ok == linkable(code), (code, [str(e) for e in report.errors])


def test_a_code_with_a_slash_is_refused_with_file_line_and_field(tmp_path):
    catalogue(tmp_path)
    write_set(tmp_path, dossiers=[dossier(), dossier("H44/260302/0002")])
    (message,) = rejected(import_exchange_set(tmp_path))
    assert message.startswith("dossiers.jsonl, dòng 2, trường MaHoSo: ")
    assert "H44/260302/0002" in message and "mã hồ sơ" in message
    assert not Dossier.objects.exists()


# --- hostile values: the same refusal, with file, line and field, on SQLite and PostgreSQL (#13 item 10)


def unit(code="H44.99", **fields) -> dict:
    return {"MaDonVi": code, "TenDonVi": "Xã Thử", "MaDonViCha": "H44", "LoaiDonVi": "XA", **fields}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


HOSTILE = {
    "NUL in a declared field": (
        {"units": [unit(TenDonVi="Xã\u0000Thử")]},
        "units.jsonl, dòng 3, trường TenDonVi",
        "NUL",
    ),
    "NUL in an unknown field": (
        {"units": [unit(GhiChu={"a": ["x\u0000"]})]},
        "units.jsonl, dòng 3, trường GhiChu.a[0]",
        "NUL",
    ),
    "NUL in an unknown field's name": (
        {"units": [unit(**{"Ghi\u0000Chu": 1})]},
        "units.jsonl, dòng 3, trường Ghi\\u0000Chu",
        "NUL",
    ),
    "NUL in an applicant field": (
        {"dossiers": [dossier(ChuHoSo="Nguyễn\u0000")]},
        "dossiers.jsonl, dòng 1, trường ChuHoSo",
        "NUL",
    ),
    "a 5,000-character unit code": (
        {"units": [unit("H" * 5000)]},
        "units.jsonl, dòng 3, trường MaDonVi",
        "vượt quá 64 ký tự",
    ),
    "a 5,000-character dossier code": (
        {"dossiers": [dossier("H" * 5000)]},
        "dossiers.jsonl, dòng 1, trường MaHoSo",
        "vượt quá 64 ký tự",
    ),
    "a too long phone number": (
        {"dossiers": [dossier(SoDienThoai="0" * 33)]},
        "dossiers.jsonl, dòng 1, trường SoDienThoai",
        "vượt quá 32 ký tự",
    ),
    "a too long fee name": (
        {"dossiers": [dossier(DanhSachLePhi=[{"TenPhiLePhi": "x" * 256, "Gia": 1}])]},
        "dossiers.jsonl, dòng 1, trường DanhSachLePhi[0].TenPhiLePhi",
        "vượt quá 255 ký tự",
    ),
    "a fee of 1e30": (
        {"dossiers": [dossier(DanhSachLePhi=[{"Gia": 1e30}])]},
        "dossiers.jsonl, dòng 1, trường DanhSachLePhi[0].Gia",
        "lớn nhất",
    ),
    "a fee of 2^63": (
        {"dossiers": [dossier(DanhSachLePhi=[{"Gia": 2**63}])]},
        "dossiers.jsonl, dòng 1, trường DanhSachLePhi[0].Gia",
        "lớn nhất",
    ),
    "a count of 2^31": (
        {"reference_counts": [{"MaDonVi": "H44", "Ky": "2026", "SoHoSoBCQG": 2**31}]},
        "reference_counts.jsonl, dòng 1, trường SoHoSoBCQG",
        "lớn nhất",
    ),
    "a time limit of 1e30": (
        {"procedures": [{"MaTTHC": "3.000001", "ThoiGianGiaiQuyet": 1e30}]},
        "procedures.jsonl, dòng 3, trường ThoiGianGiaiQuyet",
        "lớn nhất",
    ),
    "an unknown field nested 40 deep": (
        {"units": [unit(Sau=json.loads(deep(40)))]},
        "units.jsonl, dòng 3, trường Sau",
        "lồng nhau",
    ),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_values_are_refused_with_file_line_and_field(tmp_path, case):
    extra, where, words = HOSTILE[case]
    catalogue(tmp_path)
    files = {"units": RAW["units"], "procedures": RAW["procedures"]}
    for name, records in extra.items():
        files[name] = files.get(name, []) + records
    write_set(tmp_path, **files)
    messages = rejected(import_exchange_set(tmp_path))
    assert len(messages) == 1 and messages[0].startswith(f"{where}: ") and words in messages[0], messages
    assert not Dossier.objects.exists()


def test_json_nested_100000_deep_is_refused_with_its_line(tmp_path):
    catalogue(tmp_path)
    with open(tmp_path / "units.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"MaDonVi": "H44.99", "TenDonVi": "Xã", "Sau": ' + deep(100_000) + "}\n")
    (message,) = rejected(import_exchange_set(tmp_path))
    assert message.startswith("units.jsonl, dòng 3: ") and "lồng nhau" in message


def test_a_number_beyond_double_range_is_refused_with_its_line(tmp_path):
    catalogue(tmp_path)
    with open(tmp_path / "units.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"MaDonVi": "H44.99", "TenDonVi": "Xã", "DienTich": 1e400}\n')
    (message,) = rejected(import_exchange_set(tmp_path))
    assert message.startswith("units.jsonl, dòng 3: dòng không phải JSON hợp lệ")


def test_csv_cells_get_the_same_checks(tmp_path):
    catalogue(tmp_path)
    (tmp_path / "dossiers.csv").write_text(
        "MaHoSo,MaTTHC,MaDonVi,ChuHoSo,LichSuTrangThai\n"
        "H44-1,2.000001,H44,Nguyễn\x00,\n"
        f"H44-2,2.000001,H44,,{deep(20_000)}\n",
        encoding="utf-8",
    )
    messages = rejected(import_exchange_set(tmp_path))
    assert [m.split(": ")[0] for m in messages] == [
        "dossiers.csv, dòng 2, trường ChuHoSo",
        "dossiers.csv, dòng 3, trường LichSuTrangThai",
    ], messages


def column_sizes():
    """Each sized exchange field and the model column it is stored in."""
    from motcua.catalog.models import OnlineService, Procedure, PublicationDecision
    from motcua.dossiers.models import DossierComponent, DossierResult, FeeLine
    from motcua.feedback.models import Complaint
    from motcua.interchange.models import ReferenceCount
    from motcua.org.models import Unit

    return {
        ("units", "MaDonVi"): (Unit, "code"),
        ("units", "TenDonVi"): (Unit, "name"),
        ("units", "MaDonViCha"): (Unit, "code"),
        ("procedures", "MaTTHC"): (Procedure, "code"),
        ("procedures", "MaLinhVuc"): (Procedure, "field_code"),
        ("procedures", "TenLinhVuc"): (Procedure, "field_name"),
        ("procedures", "DonViThucHien"): (Unit, "code"),
        ("procedures", "ThoiGianGiaiQuyet"): (Procedure, "time_limit"),
        ("online_services", "MaDVC"): (OnlineService, "code"),
        ("online_services", "MaTTHC"): (Procedure, "code"),
        ("online_services", "MaDonVi"): (Unit, "code"),
        ("publications", "SoQuyetDinh"): (PublicationDecision, "number"),
        ("publications", "MaDonVi"): (Unit, "code"),
        ("publications", "DanhSachTTHC.MaTTHC"): (Procedure, "code"),
        ("dossiers", "MaHoSo"): (Dossier, "code"),
        ("dossiers", "MaTTHC"): (Procedure, "code"),
        ("dossiers", "MaDVC"): (OnlineService, "code"),
        ("dossiers", "MaDonVi"): (Unit, "code"),
        ("dossiers", "MaDonViTiepNhan"): (Unit, "code"),
        ("dossiers", "DanhSachLePhi.MaPhiLePhi"): (FeeLine, "code"),
        ("dossiers", "DanhSachLePhi.TenPhiLePhi"): (FeeLine, "name"),
        ("dossiers", "DanhSachLePhi.Gia"): (FeeLine, "amount"),
        ("dossiers", "TaiLieuNop.MaThanhPhanHoSo"): (DossierComponent, "component_code"),
        ("dossiers", "MaKetQua"): (DossierResult, "code"),
        ("dossiers", "DuongDanTepTinKetQua"): (DossierResult, "file_url"),
        ("dossiers", "MaCSDL"): (Dossier, "population_db_ref"),
        ("complaints", "MaPAKN"): (Complaint, "code"),
        ("complaints", "MaDonVi"): (Unit, "code"),
        ("complaints", "MaHoSo"): (Complaint, "dossier_code"),
        ("complaints", "SoThich"): (Complaint, "likes"),
        ("complaints", "SoKhongThich"): (Complaint, "dislikes"),
        ("complaints", "MaPAKNTruoc"): (Complaint, "code"),
        ("reference_counts", "MaDonVi"): (Unit, "code"),
        ("reference_counts", "SoHoSoBCQG"): (ReferenceCount, "national_reporting_count"),
        ("reference_counts", "SoHoSoDVCQG"): (ReferenceCount, "national_portal_count"),
    }


def limit_of(spec):
    """What the schema lets through: a text's length or a number's largest value."""
    spec = spec.item or spec
    return spec.max_length if spec.kind in ("str", "url") else spec.maximum


INTEGER_COLUMN_MAX = {"PositiveIntegerField": 2**31 - 1, "BigIntegerField": 2**63 - 1}


def column_limit(model, column):
    field = model._meta.get_field(column)
    if field.get_internal_type() == "DecimalField":
        return 10 ** (field.max_digits - field.decimal_places) - 10**-field.decimal_places
    return field.max_length or INTEGER_COLUMN_MAX[field.get_internal_type()]


def schema_fields():
    """(file, dotted path, spec) of every field and sub-field."""
    from motcua.interchange.schema import FILES

    for file, file_spec in FILES.items():
        for spec in file_spec.fields:
            yield file, spec.name, spec
            for sub in spec.fields or ():
                yield file, f"{spec.name}.{sub.name}", sub


def test_the_schema_lets_through_exactly_what_the_columns_hold():
    from motcua.interchange.rows import APPLICANT_FIELDS, APPLICANT_MAX_LENGTHS

    sized = column_sizes()
    specs = {(file, path): spec for file, path, spec in schema_fields()}
    for key, (model, column) in sized.items():
        assert limit_of(specs[key]) == pytest.approx(column_limit(model, column)), key
    # Every other text field is stored in a text column (or a JSON list).
    assert {key for key, spec in specs.items() if (spec.item or spec).kind == "str" and key not in sized} == {
        ("procedures", "TenTTHC"),
        ("procedures", "DoiTuongThucHien"),
    }
    for national, column in APPLICANT_FIELDS.items():
        assert APPLICANT_MAX_LENGTHS[national] == Dossier._meta.get_field(column).max_length, national


# --- size and compression limits (#13 item 13) ----------------------------------------------------


def units_lines(count: int) -> bytes:
    """The sample units and ``count`` more: valid, highly compressible lines."""
    records = [*RAW["units"], *(unit(f"H44.{n:05d}", TenDonVi="Xã " + "a" * 200) for n in range(count))]
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def zip_set(path, members: dict[str, bytes]):
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def refused(path, **options) -> str:
    from motcua.core.errors import UserError

    with pytest.raises(UserError) as error:
        import_exchange_set(path, **options)
    return error.value.message


def test_a_zip_expanding_beyond_the_limit_is_refused_before_reading(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_EXPANDED_MB = 1
    bomb = zip_set(tmp_path / "set.zip", {"set/units.jsonl": units_lines(3000), "set/other.bin": b"\0" * 2**20})
    assert bomb.stat().st_size < 100_000
    message = refused(bomb)
    assert "giải nén" in message and "1 MB" in message and "MOTCUA_IMPORT_MAX_EXPANDED_MB" in message
    assert not ImportRun.objects.exists()


def test_a_zip_member_compressed_beyond_the_ratio_is_refused(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_RATIO = 20
    bomb = zip_set(tmp_path / "set.zip", {"set/units.jsonl": units_lines(1000)})
    message = refused(bomb)
    assert "set/units.jsonl" in message and "tỉ lệ nén" in message and "MOTCUA_IMPORT_MAX_RATIO" in message
    settings.MOTCUA_IMPORT_MAX_RATIO = 1000
    assert import_exchange_set(bomb).ok


def test_a_workbook_is_a_zip_too(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_RATIO = 20
    bomb = zip_set(tmp_path / "set.xlsx", {"xl/worksheets/sheet1.xml": b"<c/>" * 100_000})
    assert "tỉ lệ nén" in refused(bomb)


def test_scoring_an_exchange_set_checks_the_zip_before_extracting_it(tmp_path, settings, capsys):
    from django.core.management import call_command

    settings.MOTCUA_IMPORT_MAX_RATIO = 20
    bomb = zip_set(tmp_path / "set.zip", {"set/units.jsonl": units_lines(1000)})
    with pytest.raises(SystemExit) as exit_info:
        call_command("score", "--period", "2026", "--data", str(bomb))
    assert exit_info.value.code == 2 and "tỉ lệ nén" in capsys.readouterr().err


@pytest.mark.parametrize("workers", [1, 2])
def test_a_line_longer_than_the_limit_is_an_error_of_that_line(tmp_path, settings, workers):
    settings.MOTCUA_IMPORT_MAX_LINE_KB = 1
    catalogue(tmp_path)
    write_set(tmp_path, dossiers=[dossier("H44-1"), dossier("H44-2", TrichYeuHoSo="x" * 1100), dossier("H44-3")])
    assert rejected(import_exchange_set(tmp_path, workers=workers)) == [
        "dossiers.jsonl, dòng 2: dòng dài hơn 1 KB (MOTCUA_IMPORT_MAX_LINE_KB); không đọc được"
    ]
    report = import_exchange_set(tmp_path, workers=workers, skip_invalid=True)
    assert report.ok and sorted(Dossier.objects.values_list("code", flat=True)) == ["H44-1", "H44-3"]


def test_a_csv_line_longer_than_the_limit_stops_the_file(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_LINE_KB = 1
    catalogue(tmp_path)
    (tmp_path / "dossiers.csv").write_text(
        f"MaHoSo,MaTTHC,MaDonVi,TrichYeuHoSo\nH44-1,2.000001,H44,\nH44-2,2.000001,H44,{'x' * 1100}\n",
        encoding="utf-8",
    )
    assert rejected(import_exchange_set(tmp_path)) == [
        "dossiers.csv, dòng 3: dòng dài hơn 1 KB (MOTCUA_IMPORT_MAX_LINE_KB); không đọc được"
    ]


# --- killed imports (#13 item 15) -----------------------------------------------------------------


def database_url() -> str:
    """The test database as a DATABASE_URL, for a child process."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def hanging_import_in_child(path, tmp_path):
    """``motcua import PATH`` in a child process on the test database, hanging once it reaches the dossiers."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
    }
    code = (
        "import sys, time, django; django.setup()\n"
        "from motcua.interchange.importer import Importer, import_exchange_set\n"
        "Importer._import_dossiers = lambda *args: time.sleep(600)\n"
        "import_exchange_set(sys.argv[1])\n"
    )
    return subprocess.Popen([sys.executable, "-c", code, str(path)], env=env)


def wait_for_run(source: str) -> ImportRun:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (run := ImportRun.objects.filter(source=source).first()) is not None:
            return run
        time.sleep(0.1)
    raise AssertionError(f"no import run for {source}")


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_is_marked_interrupted_when_the_next_one_starts(tmp_path):
    import signal

    assert import_exchange_set(catalogue(tmp_path / "catalogue")).ok
    hanging = write_set(tmp_path / "hanging", dossiers=[dossier()])
    child = hanging_import_in_child(hanging, tmp_path)
    try:
        run = wait_for_run(str(hanging))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.RUNNING  # what kill -9 leaves behind
    wait_for_the_killed_session_to_end(run)

    assert import_exchange_set(tmp_path / "catalogue").ok
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.INTERRUPTED and run.finished_at is not None


def wait_for_the_killed_session_to_end(run: ImportRun) -> None:
    """PostgreSQL frees a killed client's session locks when its backend sees the connection close,
    a moment later on a loaded machine (SQLite: nothing to wait for)."""
    import time

    from django.db import connection

    from motcua.interchange.runs import LOCK_SPACE

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + 30
    with connection.cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, run.pk])
            if cur.fetchone()[0]:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, run.pk])
                return
            time.sleep(0.05)
    raise AssertionError(f"the killed import's session still holds run {run.pk}'s lock")


def hold_like_a_live_import(run: ImportRun):
    """What a live import holds for its run: a database session lock (PostgreSQL), its process (SQLite)."""
    import contextlib
    import os
    import socket

    from django.db import connection

    if connection.vendor == "sqlite":
        ImportRun.objects.filter(pk=run.pk).update(host=socket.gethostname(), pid=os.getpid())
        return contextlib.nullcontext()
    import psycopg

    from motcua.interchange.runs import LOCK_SPACE

    session = psycopg.connect(database_url(), autocommit=True)
    session.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_SPACE, run.pk])
    return session


@pytest.mark.django_db(transaction=True)
def test_an_import_still_running_elsewhere_is_left_running(tmp_path):
    live = ImportRun.objects.create(source="elsewhere")
    with hold_like_a_live_import(live):
        assert import_exchange_set(catalogue(tmp_path)).ok
        live.refresh_from_db()
        assert live.outcome == ImportRun.Outcome.RUNNING


# --- identity of an existing dossier (#13 item 16) ------------------------------------------------


def test_an_existing_code_with_another_unit_and_procedure_is_an_error(tmp_path):
    assert import_exchange_set(
        write_set(tmp_path / "first", units=RAW["units"], procedures=RAW["procedures"], dossiers=[dossier()])
    ).ok
    moved = write_set(tmp_path / "moved", dossiers=[dossier(MaTTHC="1.001234", MaDonVi="H44.12.01")])
    messages = rejected(import_exchange_set(moved))
    assert [m.split(": ")[0] for m in messages] == [
        "dossiers.jsonl, dòng 1, trường MaTTHC",
        "dossiers.jsonl, dòng 1, trường MaDonVi",
    ]
    assert "«2.000001»" in messages[0] and "«1.001234»" in messages[0] and "DinhChinh" in messages[0]
    stored = Dossier.objects.select_related("procedure", "handling_unit").get()
    assert (stored.procedure.code, stored.handling_unit.code) == ("2.000001", "H44")


def test_a_correction_moves_the_dossier_when_the_line_says_so(tmp_path):
    from auditlog.models import LogEntry

    from tests.factories import official, workflow

    assert import_exchange_set(
        write_set(
            tmp_path / "first", units=RAW["units"], procedures=RAW["procedures"], dossiers=[dossier(TrangThaiHoSo=4)]
        )
    ).ok
    # Waiting at the first step of the old procedure's workflow, with a specialist of the old unit.
    old = Dossier.objects.select_related("procedure", "handling_unit").get()
    specialist = official("chuyenvien", old.handling_unit, "specialist")
    Dossier.objects.filter(pk=old.pk).update(current_step=workflow(old.procedure)[0], current_assignee=specialist)
    corrected = write_set(
        tmp_path / "corrected",
        dossiers=[dossier(MaTTHC="1.001234", MaDonVi="H44.12.01", TrangThaiHoSo=4, DinhChinh=True)],
    )
    report = import_exchange_set(corrected)
    assert report.ok and report.counts["dossiers"].updated == 1
    stored = Dossier.objects.select_related("procedure", "handling_unit").get()
    assert (stored.procedure.code, stored.handling_unit.code) == ("1.001234", "H44.12.01")
    assert stored.procedure_version.procedure == stored.procedure and "DinhChinh" not in stored.extra
    assert stored.current_step is None and stored.current_assignee is None  # it waits at its new unit
    entry = LogEntry.objects.get_for_object(stored).get(action=LogEntry.Action.UPDATE)
    assert entry.changes["MaDonVi"] == ["H44", "H44.12.01"]
    assert entry.additional_data["correction"] == ["MaTTHC", "MaDonVi"]
    assert entry.additional_data["cleared"]["assignee"] == "chuyenvien"
    # The marker is not data: the corrected line re-imported without it changes nothing.
    again = write_set(tmp_path / "again", dossiers=[dossier(MaTTHC="1.001234", MaDonVi="H44.12.01", TrangThaiHoSo=4)])
    assert import_exchange_set(again).counts["dossiers"].unchanged == 1


def test_a_correction_marker_must_be_a_boolean(tmp_path):
    catalogue(tmp_path)
    write_set(tmp_path, dossiers=[dossier(DinhChinh="có")])
    (message,) = rejected(import_exchange_set(tmp_path))
    assert message.startswith("dossiers.jsonl, dòng 1, trường DinhChinh: ")


# --- a correction import updates what it carries, never what the web entered (#13 item 4) --------

FULL = dossier(
    "H44.12.01-260315-0001",
    MaTTHC="1.001234",
    MaDonVi="H44.12.01",
    KenhThucHien=1,
    TrangThaiHoSo=10,
    NgayNopHoSo="2026-03-15T09:00:00+07:00",
    NgayTiepNhan="2026-03-15T10:00:00+07:00",
    NgayHenTra="2026-03-22T17:00:00+07:00",
    LichSuTrangThai=[
        {"TrangThai": 2, "ThoiDiem": "2026-03-15T10:00:00+07:00"},
        {"TrangThai": 10, "ThoiDiem": "2026-03-20T15:00:00+07:00"},
    ],
    DanhSachHoSoBoSung=[{"NgayYeuCau": "2026-03-16T08:00:00+07:00", "NgayBoSung": "2026-03-17T09:00:00+07:00"}],
    DanhSachLePhi=[{"MaPhiLePhi": "LP01", "TenPhiLePhi": "Lệ phí", "Gia": 50000}],
    TaiLieuNop=[{"MaThanhPhanHoSo": "TP1", "CoTepDinhKem": True}, {"MaThanhPhanHoSo": "TP2"}],
    MaKetQua="KQ-1",
    DuongDanTepTinKetQua="https://ketqua.example.vn/kq/1.pdf",
    NgayCoKetQua="2026-03-20T15:00:00+07:00",
    KhongHaiLong=True,
    NgayDanhGia="2026-03-21T08:00:00+07:00",
    ChuHoSo="Nguyễn Văn An",
    SoDienThoai="0912345678",
    GhiChu="từ hệ thống cũ",
)
SCAN_HASH = "ab" * 32


@pytest.fixture
def worked_on_the_web(tmp_path):
    """An imported dossier, then what officials entered on the web, and a newer catalogue version."""
    from motcua.catalog.versions import current_version as _current_version
    from motcua.dossiers.models import DossierComponent, DossierEvent

    assert import_exchange_set(
        write_set(tmp_path / "first", units=RAW["units"], procedures=RAW["procedures"], dossiers=[FULL])
    ).ok
    stored = Dossier.objects.get()
    for component in stored.components.all():
        component.name = f"Giấy tờ {component.component_code}"
        component.file, component.file_sha256 = f"components/2026/03/{component.component_code}.pdf", SCAN_HASH
        component.save()
    stored.results.update(
        title="Giấy phép xây dựng", file_sha256=SCAN_HASH, signature_state="signed", delivery_method="tại quầy"
    )
    stored.supplement_requests.update(reason="Thiếu bản sao", items=["Bản sao CCCD"])
    from motcua.feedback.models import Rating

    Rating.objects.filter(dossier=stored).update(comment="Chậm trả kết quả")
    DossierEvent.objects.create(
        dossier=stored,
        kind=DossierEvent.Kind.NOTE,
        action="note",
        occurred_at=stored.received_at,
        reason="Đã gọi điện cho công dân",
    )
    procedure = stored.procedure
    procedure.time_limit = 2  # the legal time limit changed after the dossier was received
    procedure.save()
    assert _current_version(procedure).number == 2  # dossiers already received keep version 1
    return {
        "components": list(DossierComponent.objects.filter(dossier=stored).values().order_by("pk")),
        "results": list(stored.results.values()),
        "supplements": list(stored.supplement_requests.values()),
        "fees": list(stored.fee_lines.values_list("code", "name", "amount")),
        "ratings": list(Rating.objects.filter(dossier=stored).values()),
        "events": list(stored.events.values()),
        "version": stored.procedure_version_id,
    }


def assert_web_data_kept(kept: dict):
    from motcua.feedback.models import Rating

    stored = Dossier.objects.get()
    assert list(stored.components.values().order_by("pk")) == kept["components"]
    assert list(stored.results.values()) == kept["results"]
    assert list(stored.supplement_requests.values()) == kept["supplements"]
    assert list(stored.fee_lines.values_list("code", "name", "amount")) == kept["fees"]
    assert list(Rating.objects.filter(dossier=stored).values()) == kept["ratings"]
    assert list(stored.events.values()) == kept["events"]
    assert stored.procedure_version_id == kept["version"]


def test_export_change_one_phone_number_import_keeps_everything_else(worked_on_the_web, tmp_path):
    from auditlog.models import LogEntry

    from motcua.interchange.exporter import export_exchange_set

    export_exchange_set(tmp_path / "exported", files=["dossiers"])
    path = tmp_path / "exported" / "dossiers.jsonl"
    (line,) = path.read_text(encoding="utf-8").splitlines()
    path.write_text(line.replace("0912345678", "0987654321") + "\n", encoding="utf-8")

    report = import_exchange_set(tmp_path / "exported")
    assert report.ok and report.counts["dossiers"].updated == 1
    stored = Dossier.objects.get()
    assert stored.applicant_phone == "0987654321" and stored.applicant_name == "Nguyễn Văn An"
    assert_web_data_kept(worked_on_the_web)
    entry = LogEntry.objects.get_for_object(stored).get(action=LogEntry.Action.UPDATE)
    assert entry.changes == {"SoDienThoai": ["0912345678", "0987654321"]}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_line_carrying_a_few_fields_updates_only_those(worked_on_the_web, tmp_path, fmt):
    folder = tmp_path / "few"
    folder.mkdir()
    if fmt == "jsonl":
        write_set(
            folder,
            dossiers=[
                {
                    **dossier(FULL["MaHoSo"], MaTTHC="1.001234", MaDonVi="H44.12.01"),
                    "SoDienThoai": "0987654321",
                    "NgayHenTraMoi": "2026-03-25T17:00:00+07:00",
                }
            ],
        )
    else:
        (folder / "dossiers.csv").write_text(
            "MaHoSo,MaTTHC,MaDonVi,SoDienThoai,NgayHenTraMoi\n"
            f"{FULL['MaHoSo']},1.001234,H44.12.01,0987654321,2026-03-25T17:00:00+07:00\n",
            encoding="utf-8",
        )
    report = import_exchange_set(folder)
    assert report.ok and report.counts["dossiers"].updated == 1
    stored = Dossier.objects.get()
    assert stored.applicant_phone == "0987654321" and stored.extended_due_at is not None
    assert (
        stored.status == 10
        and stored.applicant_name == "Nguyễn Văn An"
        and stored.extra == {"GhiChu": "từ hệ thống cũ"}
    )
    assert_web_data_kept(worked_on_the_web)


def test_a_changed_child_is_updated_in_place(worked_on_the_web, tmp_path):
    line = {
        **FULL,
        "TaiLieuNop": [
            {"MaThanhPhanHoSo": "TP1", "CoTepDinhKem": True, "DuocSoHoa": True},
            {"MaThanhPhanHoSo": "TP2"},
            {"MaThanhPhanHoSo": "TP3"},
        ],
        "DanhSachHoSoBoSung": [{"NgayYeuCau": "2026-03-16T08:00:00+07:00", "NgayBoSung": "2026-03-18T09:00:00+07:00"}],
        "KetQuaDayVaoKho": True,
    }
    assert import_exchange_set(write_set(tmp_path / "changed", dossiers=[line])).ok
    stored = Dossier.objects.get()
    tp1, tp2, tp3 = stored.components.order_by("pk")
    assert (tp1.pk, tp1.name, tp1.file_sha256, tp1.digitized) == (
        worked_on_the_web["components"][0]["id"],
        "Giấy tờ TP1",
        SCAN_HASH,
        True,
    )
    assert tp2.pk == worked_on_the_web["components"][1]["id"] and tp3.component_code == "TP3"
    (supplement,) = stored.supplement_requests.all()
    assert supplement.reason == "Thiếu bản sao" and supplement.completed_at.day == 18
    (result,) = stored.results.all()
    assert result.signature_state == "signed" and result.pushed_to_citizen_store


DESTRUCTIVE = {
    "drops a scanned component": ({"TaiLieuNop": [{"MaThanhPhanHoSo": "TP2"}]}, "TaiLieuNop", "TP1"),
    "clears a signed result": (
        {"MaKetQua": None, "DuongDanTepTinKetQua": None, "NgayCoKetQua": None},
        "MaKetQua",
        "KQ-1",
    ),
    "replaces the file of a signed result": (
        {"DuongDanTepTinKetQua": "https://ketqua.example.vn/kq/khac.pdf"},
        "DuongDanTepTinKetQua",
        "KQ-1",
    ),
    "drops a supplement request with a reason": ({"DanhSachHoSoBoSung": []}, "DanhSachHoSoBoSung", "16/03/2026"),
    "drops a rating with a comment": ({"KhongHaiLong": False, "NgayDanhGia": None}, "KhongHaiLong", "Chậm trả kết quả"),
}


@pytest.mark.parametrize("case", DESTRUCTIVE, ids=list(DESTRUCTIVE))
def test_what_an_import_would_destroy_is_refused(worked_on_the_web, tmp_path, case):
    change, field, named = DESTRUCTIVE[case]
    (message,) = rejected(import_exchange_set(write_set(tmp_path / "changed", dossiers=[{**FULL, **change}])))
    assert message.startswith(f"dossiers.jsonl, dòng 1, trường {field}: ") and named in message, message
    assert_web_data_kept(worked_on_the_web)


def test_status_history_recorded_on_the_web_is_not_rewritten(worked_on_the_web, tmp_path):
    from motcua.dossiers.models import DossierEvent

    stored = Dossier.objects.get()
    DossierEvent.objects.create(
        dossier=stored,
        kind=DossierEvent.Kind.STATUS,
        action="return_result",
        from_status=9,
        to_status=10,
        occurred_at=stored.received_at,
    )
    kept = list(stored.events.values())
    rewritten = {**FULL, "LichSuTrangThai": [{"TrangThai": 2, "ThoiDiem": "2026-03-15T10:00:00+07:00"}]}
    (message,) = rejected(import_exchange_set(write_set(tmp_path / "changed", dossiers=[rewritten])))
    assert message.startswith("dossiers.jsonl, dòng 1, trường LichSuTrangThai: ")
    assert list(stored.events.values()) == kept


# --- spreadsheets (#13 item 12) --------------------------------------------------------------------


def test_a_formula_without_a_computed_value_is_an_error_not_an_empty_cell(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "units"
    sheet.append(["MaDonVi", "TenDonVi", "LoaiDonVi", "HieuLucTu"])
    sheet.append(["H44", "Tỉnh", "TINH", "2025-07-01"])
    sheet.append(["H44.99", "Xã Thử", "XA", "=D2"])  # openpyxl saves no computed value, as many generators
    workbook.save(tmp_path / "set.xlsx")
    (message,) = rejected(import_exchange_set(tmp_path / "set.xlsx"))
    assert message.startswith("set.xlsx, trang units, dòng 3, trường HieuLucTu: ") and "công thức" in message


# --- plausibility (#13 item 11) --------------------------------------------------------------------

RECEIVED = {
    "NgayNopHoSo": "2026-03-02T08:00:00+07:00",
    "NgayTiepNhan": "2026-03-02T09:00:00+07:00",
    "NgayHenTra": "2026-03-09T09:00:00+07:00",
}
IMPLAUSIBLE = {
    "received in 2099": ({"NgayTiepNhan": "2099-03-02T09:00:00+07:00", "NgayHenTra": None}, "NgayTiepNhan"),
    "a status in 9999": (
        {
            "LichSuTrangThai": [
                {"TrangThai": 2, "ThoiDiem": "2026-03-02T09:00:00+07:00"},
                {"TrangThai": 4, "ThoiDiem": "9999-03-02T09:00:00+07:00"},
            ]
        },
        "LichSuTrangThai[1].ThoiDiem",
    ),
    "due in 9999": ({"NgayHenTra": "9999-12-31T17:00:00+07:00"}, "NgayHenTra"),
    "due before receipt": ({"NgayHenTra": "2026-03-01T17:00:00+07:00"}, "NgayHenTra"),
    "received before submission": ({"NgayNopHoSo": "2026-03-03T08:00:00+07:00"}, "NgayTiepNhan"),
}


@pytest.mark.parametrize("case", IMPLAUSIBLE, ids=list(IMPLAUSIBLE))
def test_implausible_dossier_dates_are_refused(tmp_path, case):
    change, field = IMPLAUSIBLE[case]
    catalogue(tmp_path)
    write_set(tmp_path, dossiers=[dossier(**{**RECEIVED, **change})])
    (message,) = rejected(import_exchange_set(tmp_path))
    assert message.startswith(f"dossiers.jsonl, dòng 1, trường {field}: "), message


def test_plausible_dates_pass(tmp_path):
    catalogue(tmp_path)
    write_set(tmp_path, dossiers=[dossier(**RECEIVED)])
    assert import_exchange_set(tmp_path).ok


def test_a_cycle_in_the_unit_tree_is_refused(tmp_path):
    cycle = [{"MaDonVi": "A", "TenDonVi": "A", "MaDonViCha": "B"}, {"MaDonVi": "B", "TenDonVi": "B", "MaDonViCha": "A"}]
    messages = rejected(import_exchange_set(write_set(tmp_path / "file", units=[*RAW["units"], *cycle])))
    assert [m.split(": ")[0] for m in messages] == [
        "units.jsonl, dòng 3, trường MaDonViCha",
        "units.jsonl, dòng 4, trường MaDonViCha",
    ]
    assert "A → B → A" in messages[0]


def test_a_cycle_through_stored_units_is_refused(tmp_path):
    assert import_exchange_set(write_set(tmp_path / "first", units=RAW["units"])).ok
    province_under_commune = {**RAW["units"][0], "MaDonViCha": "H44.12.01"}
    (message,) = rejected(import_exchange_set(write_set(tmp_path / "second", units=[province_under_commune])))
    assert message.startswith("units.jsonl, dòng 1, trường MaDonViCha: ") and "H44 → H44.12.01 → H44" in message


@pytest.mark.parametrize(
    "fields",
    [
        {"NgayHenTra": "2026-03-24T17:00:00+07:00"},
        {
            "DanhSachHoSoBoSung": [
                {"NgayYeuCau": "2026-03-16T08:00:00+07:00", "NgayBoSung": "2026-03-18T09:00:00+07:00"}
            ]
        },
        {"NgayHenTraMoi": "2026-03-27T17:00:00+07:00"},
    ],
    ids=["due", "supplement", "new-appointment"],
)
def test_a_correction_of_a_due_input_stores_the_new_effective_due_instant(worked_on_the_web, tmp_path, fields):
    """The queue sorts on the stored column; it must stay the instant the rules (and the engine) compute."""
    from motcua.dossiers import rules

    before = Dossier.objects.get().effective_due_at
    line = {**dossier(FULL["MaHoSo"], MaTTHC="1.001234", MaDonVi="H44.12.01"), **fields}
    assert import_exchange_set(write_set(tmp_path / "due", dossiers=[line])).ok
    stored = Dossier.objects.get()
    assert stored.effective_due_at != before
    assert stored.effective_due_at == rules.effective_due_at(stored)
