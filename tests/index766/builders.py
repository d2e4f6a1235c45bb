"""Tiny exchange sets built in tests (interchange.md §1), loaded into DuckDB in memory.

Times are written without offset (= Asia/Ho_Chi_Minh), e.g. "2026-03-02T08:00".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from motcua.index766.facts import Facts
from motcua.index766.sources import load_exchange_set


def unit(code: str, kind: str = "XA", parent: str | None = None, **kw: Any) -> dict:
    return {"MaDonVi": code, "TenDonVi": f"Đơn vị {code}", "MaDonViCha": parent, "LoaiDonVi": kind, **kw}


def procedure(code: str, levels=("XA",), **kw: Any) -> dict:
    rec = {
        "MaTTHC": code,
        "TenTTHC": f"Thủ tục {code}",
        "CapThucHien": list(levels),
        "ThoiGianGiaiQuyet": 5,
        "DonViTinh": "ngay_lam_viec",
        "TrangThaiCongKhai": "dang_cong_khai",
        "DayDuBayBoPhan": True,
    }
    rec.update(kw)
    return rec


def service(code: str, proc: str, unit_code: str, **kw: Any) -> dict:
    return {
        "MaDVC": code,
        "MaTTHC": proc,
        "MaDonVi": unit_code,
        "MucDo": "toan_trinh",
        "TrangThai": "dang_cong_khai",
        **kw,
    }


def dossier(
    code: str,
    proc: str,
    unit_code: str,
    received: str | None = "2026-03-02T08:00",
    due: str | None = "2026-03-09T17:00",
    log: list | None = None,
    **kw: Any,
) -> dict:
    """A dossier; ``log`` is a list of (status, time) pairs."""
    rec = {
        "MaHoSo": code,
        "MaTTHC": proc,
        "MaDonVi": unit_code,
        "KenhThucHien": 1,
        "NgayNopHoSo": received,
        "NgayTiepNhan": received,
        "NgayHenTra": due,
        "TrangThaiHoSo": 4,
        "LichSuTrangThai": [{"TrangThai": s, "ThoiDiem": t} for s, t in (log or [])],
    }
    if log:
        rec["TrangThaiHoSo"] = log[-1][0]
    rec.update(kw)
    return rec


def complaint(code: str, unit_code: str, sent: str = "2026-03-02T08:00", log: list | None = None, **kw: Any) -> dict:
    return {
        "MaPAKN": code,
        "MaDonVi": unit_code,
        "PhanLoai": "quy_dinh",
        "NgayGui": sent,
        "LichSu": [{"TrangThai": s, "ThoiDiem": t} for s, t in (log or [])],
        **kw,
    }


def publication(number: str, unit_code: str, date: str, items: list[dict], kind="them_moi") -> dict:
    return {"SoQuyetDinh": number, "MaDonVi": unit_code, "NgayQuyetDinh": date, "Loai": kind, "DanhSachTTHC": items}


def write_set(folder: Path, **files: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, records in files.items():
        with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return folder


def load(folder: Path, **files: list[dict]) -> Facts:
    return load_exchange_set(write_set(folder, **files))


# ----------------------------------------------------------------------------- scoring helpers


def ind(report, unit_code: str, code: str) -> dict:
    """The JSON of one indicator of one unit."""
    for u in report.to_json()["units"]:
        if u["unit"] == unit_code:
            for i in u["indicators"]:
                if i["code"] == code:
                    return i
    raise KeyError((unit_code, code))


def nds(report, unit_code: str, code: str) -> tuple:
    """(numerator, denominator, score) of one indicator."""
    i = ind(report, unit_code, code)
    return i["numerator"], i["denominator"], i["score"]


PROVINCE = [
    unit("P", "TINH"),
    unit("S1", "SO", "P"),
    unit("X1", "XA", "P", CungCapChungThucDienTu=True),
    unit("X2", "XA", "P"),
]
