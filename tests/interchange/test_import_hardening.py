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
    write_set(tmp_path, units=[*RAW["units"], {"MaDonVi": "H44.99"}], procedures=RAW["procedures"],
              online_services=RAW["online_services"],
              dossiers=[dossier(), dossier("H44-2", MaTTHC="1.001234", MaDonVi="H44.12.01", MaDVC="DVC-1")])
    assert rejected(import_exchange_set(tmp_path)) == [
        "units.jsonl, dòng 3, trường TenDonVi: thiếu giá trị bắt buộc (tên đơn vị)"]


# --- dossier codes (#13 item 2) ------------------------------------------------------------------


def linkable(code: str) -> bool:
    try:
        reverse("workspace:dossier", args=[code])
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize(
    "code",
    ["H44.12.01-260315-0001", "000.00.12.H44-260101-AA0001", "H44/0001", "H44 0001", "../H44", "H44?x=1",
     "Hồ-sơ-1", "x" * 64, "x" * 65, ".hidden", "H44\n0001"],
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
