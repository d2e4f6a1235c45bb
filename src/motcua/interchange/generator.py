"""``motcua generate``: a deterministic, realistic synthetic province as an exchange set.

The set (interchange.md §1) describes one invented province (Tỉnh Lam Giang, ``H44``): its
departments and communes after the 07/2025 two-tier reform (plus the dissolved districts and
their old communes, kept for history), a catalogue of thủ tục hành chính, the online services
(DVC) that apply them, the publication decisions (quyết định công bố), a year of dossiers (hồ
sơ), complaints (phản ánh, kiến nghị — PAKN) and the national reference counts.

The province is deliberately mediocre (the seed letters' province stood at 57.5/100): every
unit draws a hidden "quality" that drives its online share, lateness, sync, digitisation,
payment and so on, so that good and bad units sit side by side and every 766 indicator
(index-766.md §2) has both a numerator and a remainder.

Design for speed: dossiers are simulated day by day in vectorised numpy blocks (one
``Generator`` stream per file), due instants come from ``WorkCalendar.add_batch`` (the one
official deadline implementation), and lines are assembled from pre-rendered JSON fragments.
Nothing but the catalogue is held in memory. Output is byte-identical for a seed.

Time inside this module is int64 epoch seconds (UTC); Viet Nam is UTC+07:00 all year.
"""

from __future__ import annotations

import itertools
import json
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from motcua.interchange import names as N
from motcua.interchange.schema import IMPORT_ORDER
from motcua.interchange.writers import JsonlWriter

FILES = IMPORT_ORDER
DEFAULT_UNTIL = date(2026, 11, 20)
DEFAULT_DOSSIERS = 50_000
DEFAULT_SEED = 766
DEFAULT_UNITS = 130
DEFAULT_PROCEDURES = 1600
#: The smallest province the generator draws: itself, its departments, the three dissolved
#: districts kept for history (each with three old communes) and ten communes of today.
MIN_COMMUNES = 10
MIN_UNITS = 1 + len(N.DEPARTMENTS) + 3 * (1 + 3) + MIN_COMMUNES
MIN_PROCEDURES = 60
REFORM_DAY = date(2025, 7, 1)  # two-tier local government (no districts) from 01/7/2025
#: Share of the departments' counter and post dossiers received at the province's public-service centre.
PROVINCE_CENTRE_SHARE = 0.6

TZ_OFFSET = 7 * 3600
DAY = 86_400
UNIT_NAMES = ("ngay_lam_viec", "gio_lam_viec", "ngay")  # DonViTinh, indexed 0..2
CUTOFF_1500 = dtime(15, 0)

ProgressFn = Callable[[str], None]


def _j(value) -> str:
    """Compact JSON as the exchange files use it (UTF-8, no spaces)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _epoch(d: date, seconds_of_day: int = 0) -> int:
    """Epoch seconds of a local (+07:00) wall time."""
    return (d - date(1970, 1, 1)).days * DAY + seconds_of_day - TZ_OFFSET


def _local_day(t: np.ndarray | int):
    return (t + TZ_OFFSET) // DAY


def fmt_ts(t: np.ndarray) -> list[str]:
    """ISO 8601 with +07:00, seconds precision, for an int64 array of epoch seconds."""
    if t.size == 0:
        return []
    s = np.datetime_as_string((t + TZ_OFFSET).astype("datetime64[s]"))
    return np.char.add(s, "+07:00").tolist()


def fmt_one(t: int) -> str:
    return fmt_ts(np.array([t], dtype=np.int64))[0]


class Clock:
    """The official calendar over int64 epoch-second arrays (a thin adapter of ``add_batch``)."""

    def __init__(self, calendar=None):
        if calendar is None:
            from motcua.workdays.calendar import WorkCalendar

            calendar = WorkCalendar.official()
        self.calendar = calendar

    def add(self, starts: np.ndarray, amounts, unit: str = "gio_lam_viec", cutoff=None) -> np.ndarray:
        starts = np.asarray(starts, dtype=np.int64)
        if starts.size == 0:
            return starts.copy()
        out = self.calendar.add_batch(starts.astype("datetime64[s]"), amounts, unit, cutoff)
        return out.astype("datetime64[s]").astype(np.int64)

    def is_working_day(self, d: date) -> bool:
        return self.calendar.is_working_day(d)


# --------------------------------------------------------------------------- catalogue


@dataclass
class Unit:
    code: str
    name: str
    parent: str | None
    kind: str  # BO, TINH, SO, HUYEN, XA
    e_copy: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    size: float = 0.0
    quality: float = 0.5
    #: mã định danh điện tử (QCVN 102:2016 ``V1V2V3.Z1Z2.Y1Y2.MX1X2``), synthetic: the dossier codes' unit part
    e_id: str | None = None

    @property
    def code_prefix(self) -> str:
        """Unit part of its dossier codes: the electronic identifier when known (TT 03/2025 Art. 13)."""
        return self.e_id or self.code

    def record(self) -> dict:
        out = {
            "MaDonVi": self.code,
            "TenDonVi": self.name,
            "MaDonViCha": self.parent,
            "LoaiDonVi": self.kind,
            "CungCapChungThucDienTu": self.e_copy,
            "HieuLucTu": self.valid_from.isoformat() if self.valid_from else None,
            "HieuLucDen": self.valid_to.isoformat() if self.valid_to else None,
        }
        if self.e_id:
            out["MaDinhDanhDienTu"] = self.e_id  # an extra field: kept in Unit.extra on import
        return out


@dataclass
class Procedure:
    code: str
    name: str
    field_code: str
    field_name: str
    levels: list[str]
    units: list[str] | None
    limit: float
    limit_unit: int  # index into UNIT_NAMES
    fee: bool
    paper: bool
    subjects: list[str]
    full_ok: bool
    seven: bool
    status: str
    cutoff: bool
    popularity: float
    late_mult: float
    components: int
    dept: int  # index of the competent department in Catalogue.depts
    fee_lines: list[dict] = field(default_factory=list)

    @property
    def limit_hours(self) -> float:
        if self.limit_unit == 0:
            return self.limit * 8.0
        if self.limit_unit == 1:
            return float(self.limit)
        return self.limit * 8.0 * 5 / 7 * 0.95  # calendar days, roughly in working hours

    @property
    def citizen(self) -> bool:
        return any(
            s in ("Công dân Việt Nam", "Người Việt Nam định cư ở nước ngoài", "Người nước ngoài") for s in self.subjects
        )

    def record(self) -> dict:
        return {
            "MaTTHC": self.code,
            "TenTTHC": self.name,
            "MaLinhVuc": self.field_code,
            "TenLinhVuc": self.field_name,
            "CapThucHien": self.levels,
            "DonViThucHien": self.units,
            "ThoiGianGiaiQuyet": self.limit,
            "DonViTinh": UNIT_NAMES[self.limit_unit],
            "CoPhiLePhi": self.fee,
            "KetQuaGiay": self.paper,
            "DoiTuongThucHien": self.subjects,
            "DuDieuKienToanTrinh": self.full_ok,
            "DayDuBayBoPhan": self.seven,
            "TrangThaiCongKhai": self.status,
            "GioChotTiepNhan": "15:00" if self.cutoff else None,
        }


@dataclass
class Service:
    code: str
    proc: int
    unit: int
    level: str
    status: str
    valid_from: date
    valid_to: date | None

    def record(self, catalogue: Catalogue) -> dict:
        return {
            "MaDVC": self.code,
            "MaTTHC": catalogue.procs[self.proc].code,
            "MaDonVi": catalogue.units[self.unit].code,
            "MucDo": self.level,
            "TrangThai": self.status,
            "HieuLucTu": self.valid_from.isoformat(),
            "HieuLucDen": self.valid_to.isoformat() if self.valid_to else None,
        }


# Statutory limits per field: (amount, unit index, weight).
_LIMITS_DEFAULT = [
    (1, 0, 3),
    (2, 0, 4),
    (3, 0, 12),
    (5, 0, 15),
    (7, 0, 10),
    (10, 0, 15),
    (12, 0, 2),
    (15, 0, 14),
    (20, 0, 8),
    (25, 0, 2),
    (30, 0, 5),
    (4, 1, 2),
    (8, 1, 3),
    (15, 2, 2),
    (30, 2, 3),
    (45, 2, 1),
]
_LIMITS_BY_FIELD = {
    "G09-TP01": [(1, 0, 4), (3, 0, 5), (5, 0, 4), (10, 0, 2), (8, 1, 2)],
    "G09-TP02": [(4, 1, 3), (8, 1, 5), (1, 0, 3), (2, 0, 2)],
    "G09-TP03": [(10, 0, 6), (15, 0, 2), (5, 0, 1)],
    "G09-NM01": [(10, 0, 4), (15, 0, 4), (20, 0, 3), (30, 0, 3), (30, 2, 1), (5, 0, 2)],
    "G09-XD01": [(15, 0, 3), (20, 0, 4), (7, 0, 2), (10, 0, 1)],
    "G09-XD03": [(5, 0, 4), (10, 0, 3), (3, 0, 2), (8, 1, 1)],
    "G09-TC01": [(3, 0, 6), (5, 0, 2)],
    "G09-KD01": [(3, 0, 6), (5, 0, 2), (8, 1, 1)],
    "G09-NV01": [(10, 0, 3), (15, 0, 3), (20, 0, 2), (30, 2, 1), (7, 0, 2)],
}
# Fields whose dossiers run late more often (land, construction) or rarely (certification).
_LATE_FIELD_MULT = {
    "G09-NM01": 1.8,
    "G09-XD01": 1.5,
    "G09-XD02": 1.4,
    "G09-NM02": 1.3,
    "G09-TP02": 0.25,
    "G09-TP01": 0.6,
    "G09-TC01": 0.5,
    "G09-KD01": 0.6,
}
# How strongly a field moved online (hộ tịch, hộ kinh doanh, enterprises: a lot).
_ONLINE_FIELD_MULT = {
    "G09-TP01": 1.15,
    "G09-KD01": 1.2,
    "G09-TC01": 1.5,
    "G09-TP03": 1.3,
    "G09-TP02": 0.7,
    "G09-NM01": 0.8,
    "G09-XD03": 1.2,
    "G09-BH01": 1.1,
}
_MERGED_2025 = {
    "NNMT",
    "XD",
    "TC",
    "NV",
    "DTTG",
    "KHCN",
}  # departments formed by the 03/2025 merger


def _field_names(f: dict) -> list[str]:
    """The field's catalogue of names: every template with every object, capitalised."""
    names = [t.format(o=o) if "{o}" in t else t for t in f["templates"] for o in f["objects"]]
    return [n[0].upper() + n[1:] for n in names]


def _procedure_names(rng: np.random.Generator, n_procs: int) -> list[tuple[int, str]]:
    """(field index, name) of ``n_procs`` procedures, round robin over the fields: small fields are
    complete, big ones partly drawn; when every pool is drained, again with the next name variant."""
    pools = []
    for f in N.FIELDS:
        names = _field_names(f)
        pools.append([names[i] for i in rng.permutation(len(names))])
    picks: list[tuple[int, str]] = []
    seen: set[str] = set()
    variant = 0
    while len(picks) < n_procs:
        suffix = N.NAME_VARIANTS[variant % len(N.NAME_VARIANTS)]
        if not _pick_round(pools, picks, seen, n_procs, suffix):
            variant += 1
            pools = [_field_names(f) for f in N.FIELDS]
    return picks


def _pick_round(pools: list[list[str]], picks: list, seen: set[str], n_procs: int, suffix: str) -> bool:
    """Take one new name from each field's pool; whether any was taken."""
    progressed = False
    for fi, pool in enumerate(pools):
        if len(picks) >= n_procs:
            break
        while pool:
            nm = pool.pop() + suffix
            if nm not in seen:
                seen.add(nm)
                picks.append((fi, nm))
                progressed = True
                break
    return progressed


def _legal_fee_lines(name: str) -> list[dict]:
    """The fee lines the law sets for a procedure of this name (names.LEGAL_FEES), else none."""
    lowered = name.lower()
    return [
        {"MaPhiLePhi": code, "TenPhiLePhi": fee_name, "Gia": amount}
        for phrase, code, fee_name, amount, _basis in N.LEGAL_FEES
        if phrase in lowered
    ]


def _draw_fee_lines(rng: np.random.Generator) -> list[dict]:
    """One or two fee lines (DanhSachLePhi) of a fee-bearing procedure."""
    lines = []
    for li in range(1 if rng.random() < 0.7 else 2):
        fk, fname = N.FEE_NAMES[int(rng.integers(0, len(N.FEE_NAMES)))]
        amt = int(N.FEE_AMOUNTS[min(len(N.FEE_AMOUNTS) - 1, int(rng.geometric(0.18)) - 1)])
        lines.append({"MaPhiLePhi": f"{fk}{li + 1:02d}", "TenPhiLePhi": fname, "Gia": amt})
    return lines


class Catalogue:
    """Units, procedures and online services, plus the per-unit and per-(unit, procedure)
    arrays the dossier simulation draws from."""

    def __init__(self, rng: np.random.Generator, n_units: int, n_procs: int, until: date):
        self.until = until
        self._build_units(rng, n_units)
        self._build_procedures(rng, n_procs)
        self._build_services(rng)
        self._build_pairs(rng)

    # -- units
    def _build_units(self, rng, n_units: int) -> None:
        prov = N.PROVINCE_CODE
        units = [Unit(prov, N.PROVINCE_NAME, None, "TINH", quality=0.5, e_id=f"000.00.00.{prov}")]
        self.province = 0  # receives at its public-service centre; handles no dossier itself
        n_dept = len(N.DEPARTMENTS)
        n_dist = 3 if n_units < 300 else min(len(N.DISTRICT_NAMES), n_units // 100)
        per_dist = 3
        n_comm = n_units - 1 - n_dept - n_dist * (1 + per_dist)
        if n_comm < MIN_COMMUNES:
            raise ValueError(f"too few units ({n_units}); at least {MIN_UNITS} are needed")
        # Quality: mediocre on average, spread wide (Beta(2.2, 2) has mean 0.52).
        self.depts: list[int] = []
        self.dept_by_key: dict[str, int] = {}
        for i, (key, name, _w) in enumerate(N.DEPARTMENTS):
            u = Unit(
                f"{prov}.{i + 1:02d}",
                name,
                prov,
                "SO",
                valid_from=date(2025, 3, 1) if key in _MERGED_2025 else None,
                quality=float(rng.beta(2.2, 2.0)),
                e_id=f"000.00.{i + 1:02d}.{prov}",
            )
            self.dept_by_key[key] = len(units)
            self.depts.append(len(units))
            units.append(u)
        place_names = [f"{a} {b}" for a in N.PLACE_FIRST for b in N.PLACE_SECOND if a != b]
        order = rng.permutation(len(place_names))
        self.communes: list[int] = []
        width = max(3, len(str(n_comm)))
        for i in range(n_comm):
            base = place_names[order[i % len(place_names)]]
            if i >= len(place_names):
                base = f"{base} {i // len(place_names) + 1}"
            ward = rng.random() < 0.25
            q = float(rng.beta(2.2, 2.0))
            u = Unit(
                f"{prov}.X{i + 1:0{width}d}",
                ("Phường " if ward else "Xã ") + base,
                prov,
                "XA",
                e_copy=bool(rng.random() < 0.3 + 0.55 * q),
                valid_from=REFORM_DAY,
                size=float(rng.lognormal(0.0, 0.55) * (1.7 if ward else 1.0)),
                quality=q,
                # Level 3 under a synthetic level-2 group (50, 51, …), 99 communes per group.
                e_id=f"000.{i % 99 + 1:02d}.{50 + i // 99:02d}.{prov}",
            )
            self.communes.append(len(units))
            units.append(u)
        # Dissolved districts and their old communes (history only: no dossiers in the window).
        end = REFORM_DAY - timedelta(days=1)
        self.legacy: list[int] = []
        for d in range(n_dist):
            dcode = f"{prov}.H{d + 1:02d}"
            self.legacy.append(len(units))
            units.append(Unit(dcode, N.DISTRICT_NAMES[d % len(N.DISTRICT_NAMES)], prov, "HUYEN", valid_to=end))
            for k in range(per_dist):
                nm = place_names[order[(n_comm + d * per_dist + k) % len(place_names)]]
                self.legacy.append(len(units))
                units.append(Unit(f"{dcode}.{k + 1:02d}", f"Xã {nm}", dcode, "XA", valid_to=end))
        self.units = units

    # -- procedures
    def _build_procedures(self, rng, n_procs: int) -> None:
        picks = _procedure_names(rng, n_procs)
        # Unique codes d.dddddd.
        nums = rng.choice(np.arange(200, 12_000), size=n_procs, replace=False)
        heads = np.where(rng.random(n_procs) < 0.72, 1, 2)
        commune_codes = [self.units[i].code for i in self.communes]
        self.procs = [
            self._procedure(rng, f"{heads[k]}.{nums[k]:06d}", N.FIELDS[fi], nm, commune_codes)
            for k, (fi, nm) in enumerate(picks)
        ]

    def _procedure(self, rng, code: str, f: dict, nm: str, commune_codes: list[str]) -> Procedure:
        """One procedure of field ``f``: its levels and competent units, limit, flags and fees."""
        dept = self.dept_by_key[f["dept"]]
        r = rng.random()
        if r < f["xa"]:
            levels, units_ = ["XA"], None
        elif 0 < f["xa"] < 1 and r < f["xa"] + 0.06:
            levels, units_ = ["TINH", "XA"], [self.units[dept].code, *commune_codes]
        else:
            levels, units_ = ["TINH"], [self.units[dept].code]
        choices = _LIMITS_BY_FIELD.get(f["code"], _LIMITS_DEFAULT)
        w = np.array([c[2] for c in choices], dtype=float)
        amount, lu, _ = choices[int(rng.choice(len(choices), p=w / w.sum()))]
        fee = bool(rng.random() < (0.75 if f["code"] in ("G09-TP02", "G09-TP03", "G09-XD03", "G09-NM01") else 0.33))
        subj_i = int(rng.integers(0, 4)) if levels == ["XA"] else int(rng.integers(0, len(N.SUBJECT_SETS)))
        status_r = rng.random()
        status = "dang_cong_khai" if status_r < 0.88 else ("sua_doi_bo_sung" if status_r < 0.97 else "bai_bo")
        p = Procedure(
            code=code,
            name=nm,
            field_code=f["code"],
            field_name=f["name"],
            levels=levels,
            units=units_,
            limit=amount,
            limit_unit=lu,
            fee=fee,
            paper=bool(rng.random() < 0.7),
            subjects=list(N.SUBJECT_SETS[subj_i]),
            full_ok=bool(rng.random() < 0.45),
            seven=bool(rng.random() < 0.96),
            status=status,
            cutoff=bool(rng.random() < 0.12),
            popularity=float(f["weight"] * rng.lognormal(0.0, 1.5)),
            late_mult=float(_LATE_FIELD_MULT.get(f["code"], 1.0) * rng.lognormal(0.0, 0.3)),
            components=int(rng.choice(5, p=[0.3, 0.3, 0.2, 0.12, 0.08])) + 1,
            dept=dept,
        )
        if fee:
            p.fee_lines = _draw_fee_lines(rng)
        legal = _legal_fee_lines(nm)
        if legal:  # after the draws above, so that the other procedures come out as before
            p.fee, p.fee_lines = True, legal
        return p

    # -- online services
    def _build_services(self, rng) -> None:
        services: list[Service] = []
        # (proc, unit) -> service index, for services that can receive dossiers.
        self.active_service: dict[tuple[int, int], int] = {}
        seq = 0
        for pi, p in enumerate(self.procs):
            if p.status == "bai_bo" or rng.random() > 0.78:
                continue
            level = "toan_trinh" if p.full_ok and rng.random() < 0.75 else "mot_phan"
            units_ = [p.dept] if "TINH" in p.levels else []
            if "XA" in p.levels:
                units_ += self.communes
            # Commune services were configured anew for the communes of 07/2025.
            start = date(2023, 1, 1) + timedelta(days=int(rng.integers(0, 900)))
            if "XA" in p.levels:
                start = max(start, REFORM_DAY)
            for ui in units_:
                if ui != p.dept and rng.random() < 0.08:  # a commune that never configured it
                    continue
                r = rng.random()
                status = (
                    "dang_cong_khai"
                    if r < 0.91
                    else "cho_dung_cong_khai"
                    if r < 0.94
                    else "dang_kiem_thu"
                    if r < 0.965
                    else "dung_cong_khai"
                )
                valid_to = None
                if status == "dung_cong_khai":
                    valid_to = self.until - timedelta(days=int(rng.integers(30, 300)))
                seq += 1
                services.append(Service(f"DVC{seq:07d}", pi, ui, level, status, start, valid_to))
                if status in ("dang_cong_khai", "cho_dung_cong_khai"):
                    self.active_service[(pi, ui)] = len(services) - 1
        self.services = services

    # -- (unit, procedure) pairs with dossier weights and per-unit behaviour
    def _build_pairs(self, rng) -> None:
        units = self.units
        n = len(units)
        q = np.array([u.quality for u in units])
        # Per-unit behaviour, driven by quality with noise. Bad units: slow, offline, unsynced.
        noise = lambda s: rng.normal(0.0, s, n)  # noqa: E731
        self.u_online = np.clip(0.12 + 0.85 * q + noise(0.08), 0.03, 0.95)
        self.u_post = np.clip(0.08 + noise(0.03), 0.01, 0.2)
        self.u_late = np.clip(0.03 + 0.34 * (1 - q) ** 1.4 + noise(0.03), 0.01, 0.5)
        self.u_slow = np.clip(0.6 + 1.6 * (1 - q) + noise(0.2), 0.3, 3.0)
        self.u_sync = np.clip(0.86 + 0.16 * q + noise(0.03), 0.7, 1.0)
        self.u_result = np.clip(0.3 + 0.68 * q + noise(0.08), 0.05, 0.99)
        self.u_attach = np.clip(0.35 + 0.63 * q + noise(0.08), 0.1, 1.0)
        self.u_reuse = np.clip(0.05 + 0.8 * q + noise(0.1), 0.0, 0.97)
        self.u_kho = np.clip(0.02 + 0.3 * q + noise(0.05), 0.0, 0.6)
        self.u_vneid = np.clip(0.45 + 0.5 * q + noise(0.07), 0.1, 0.99)
        self.u_csdl = np.clip(0.05 + 0.4 * q + noise(0.05), 0.0, 0.8)
        self.u_pay_online = np.clip(0.15 + 0.7 * q + noise(0.08), 0.02, 0.95)
        self.u_pay_counter = np.clip(0.02 + 0.25 * q + noise(0.05), 0.0, 0.5)
        self.u_gateway = np.where(rng.random(n) < 0.6, 1, 2)
        self.u_fee_missing = np.clip(0.01 + 0.2 * (1 - q) ** 2 + noise(0.02), 0.0, 0.4)
        self.u_sup = np.clip(0.05 + 0.07 * (1 - q) + noise(0.015), 0.02, 0.2)
        self.u_dvcqg = np.clip(0.7 + 0.28 * q + noise(0.05), 0.4, 1.0)
        self.u_dislike = np.clip(0.5 + 1.2 * (1 - q) + noise(0.2), 0.2, 3.0)
        self.u_syncdelay = rng.random(n) < 0.1  # units whose sync lags by hours
        self.communes_np = np.array(self.communes, dtype=np.int64)
        self.u_is_commune = np.zeros(n, dtype=bool)
        self.u_is_commune[self.communes_np] = True
        self.u_is_dept = np.zeros(n, dtype=bool)
        self.u_is_dept[self.depts] = True

        procs = self.procs
        pair_u: list[int] = []
        pair_p: list[int] = []
        pair_w: list[float] = []
        pair_s: list[int] = []
        commune_size = np.array([units[i].size for i in self.communes])
        commune_size = commune_size / commune_size.sum()
        # Target volume split: about 58 % of dossiers at communes, 42 % at departments.
        tot_x = sum(p.popularity for p in procs if "XA" in p.levels and p.status != "bai_bo")
        tot_t = sum(p.popularity for p in procs if "TINH" in p.levels and p.status != "bai_bo")
        for pi, p in enumerate(procs):
            if p.status == "bai_bo":
                continue
            both = len(p.levels) == 2
            if "TINH" in p.levels:
                w = 0.42 * p.popularity / tot_t * (0.5 if both else 1.0)
                pair_u.append(p.dept)
                pair_p.append(pi)
                pair_w.append(w)
                pair_s.append(self.active_service.get((pi, p.dept), -1))
            if "XA" in p.levels:
                base = 0.58 * p.popularity / tot_x * (0.5 if both else 1.0)
                for ci, ui in enumerate(self.communes):
                    pair_u.append(ui)
                    pair_p.append(pi)
                    pair_w.append(base * commune_size[ci])
                    pair_s.append(self.active_service.get((pi, ui), -1))
        pu = np.array(pair_u, dtype=np.int64)
        pp = np.array(pair_p, dtype=np.int64)
        pw = np.array(pair_w, dtype=np.float64)
        ps = np.array(pair_s, dtype=np.int64)
        # Probability that a dossier of the pair is online: the unit's share, rescaled to the
        # part of its volume that has an online service, and the field's habit.
        has = ps >= 0
        w_all = np.bincount(pu, weights=pw, minlength=n)
        w_dvc = np.bincount(pu, weights=pw * has, minlength=n)
        scale = np.where(w_dvc > 0, w_all / np.maximum(w_dvc, 1e-300), 0.0)
        fmult = np.array([_ONLINE_FIELD_MULT.get(procs[i].field_code, 1.0) for i in range(len(procs))])
        self.pair_on = np.where(has, np.clip(self.u_online[pu] * scale[pu] * fmult[pp], 0, 0.97), 0.0)
        self.pair_u, self.pair_p, self.pair_s = pu, pp, ps
        self.cum_all = np.cumsum(pw) / pw.sum()
        won = pw * self.pair_on
        self.cum_online = np.cumsum(won) / won.sum()

        # Per-procedure arrays.
        self.p_limit = np.array([p.limit for p in procs], dtype=np.float64)
        self.p_lunit = np.array([p.limit_unit for p in procs], dtype=np.int64)
        self.p_cutoff = np.array([p.cutoff for p in procs], dtype=bool)
        self.p_lhours = np.array([p.limit_hours for p in procs], dtype=np.float64)
        self.p_fee = np.array([p.fee for p in procs], dtype=bool)
        self.p_paper = np.array([p.paper for p in procs], dtype=bool)
        self.p_citizen = np.array([p.citizen for p in procs], dtype=bool)
        self.p_late = np.array([p.late_mult for p in procs], dtype=np.float64)
        self.p_ncomp = np.array([p.components for p in procs], dtype=np.int64)


# --------------------------------------------------------------------------- writing helpers


class _Out:
    """dossiers.jsonl: whole blocks of pre-rendered lines, counted."""

    def __init__(self, path: Path):
        self.f = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.count = 0

    def lines(self, text: str, count: int) -> None:
        self.f.write(text)
        self.count += count

    def close(self) -> None:
        self.f.close()


# Event slots of the dossier timeline, in chronological order. Slot 1 carries 2 (received),
# 3 (refused at intake) or 7 (withdrawn before reception).
_SLOT_STATUS = np.array([1, 2, 8, 4, 5, 4, 5, 4, 6, 4, 7, 8, 9, 10], dtype=np.int64)
S_SUB, S_INTAKE, S_PRE8, S_PROC, S_R1, S_D1, S_R2, S_D2, S_F6, S_F4, S_W7, S_STOP, S_DONE, S_RET = range(14)
_N_SLOTS = 14


def _minute_cdf(weights_by_hour: list[tuple[float, float, float]]) -> np.ndarray:
    """Cumulative distribution over the 1,440 minutes of a day from (from_h, to_h, weight)."""
    w = np.zeros(1440)
    for a, b, x in weights_by_hour:
        w[int(a * 60) : int(b * 60)] += x
    c = np.cumsum(w)
    return c / c[-1]


# Counter hours (Bộ phận Một cửa): morning rush, quieter after lunch.
_OFFICE_CDF = _minute_cdf([(7.1, 8, 0.8), (8, 10, 1.6), (10, 11.4, 1.1), (13.6, 15, 1.2), (15, 16.9, 0.8)])
# Online submissions: office hours mostly, evenings too, a little at night.
_ONLINE_CDF = _minute_cdf(
    [
        (0, 6, 0.05),
        (6, 7, 0.4),
        (7, 11.5, 1.5),
        (11.5, 13.5, 0.8),
        (13.5, 17, 1.4),
        (17, 21, 0.75),
        (21, 24, 0.3),
    ]
)


def _component_patterns() -> dict[tuple[int, int, int, int, int], str]:
    """TaiLieuNop as JSON by (components, attached, digitised, reused, from store)."""
    pat = {}
    for c, att, dig, reu, kho in itertools.product(range(1, 6), (0, 1), (0, 1), (0, 1), (0, 1)):
        items = []
        for k in range(c):
            o: dict[str, object] = {"MaThanhPhanHoSo": f"TP{k + 1:02d}"}
            if att:
                o["CoTepDinhKem"] = True
                if dig:
                    o["DuocSoHoa"] = True
            if k == 0 and reu:
                o["DuocTaiSuDung"] = True
            if k == 0 and kho:
                o["DuocLayTuKhoDMQG"] = True
            items.append(o)
        pat[(c, att, dig, reu, kho)] = _j(items)
    return pat


def _applicant_names() -> list[str]:
    """4,096 applicants' names, one in nine a business; fixed (the list itself is not seed-dependent)."""
    rng = np.random.default_rng(12345)
    fam = np.array(N.FAMILY_WEIGHTS) / sum(N.FAMILY_WEIGHTS)
    names = []
    for _ in range(4096):
        male = rng.random() < 0.5
        f = N.FAMILY_NAMES[int(rng.choice(len(fam), p=fam))]
        m = (N.MIDDLE_MALE if male else N.MIDDLE_FEMALE)[int(rng.integers(0, 10))]
        g = (N.GIVEN_MALE if male else N.GIVEN_FEMALE)[int(rng.integers(0, 30))]
        names.append(f"{f} {m} {g}")
    for i in range(0, 4096, 9):  # businesses submit too
        names[i] = (
            f"{N.COMPANY_WORDS[int(rng.integers(0, len(N.COMPANY_WORDS)))]} "
            f"{N.COMPANY_NAMES[int(rng.integers(0, len(N.COMPANY_NAMES)))]}"
        )
    return names


class _DossierSim:
    """Simulates and writes the dossiers, day by day."""

    def __init__(
        self,
        cat: Catalogue,
        clock: Clock,
        rng: np.random.Generator,
        start: date,
        until: date,
        horizon: int,
    ):
        self.cat, self.clock, self.rng = cat, clock, rng
        self.start, self.until, self.horizon = start, until, horizon
        self.seq: dict[str, int] = {}
        n_units = len(cat.units)
        self.n_months = (until.year - start.year) * 12 + until.month - start.month + 1
        self.recv_counts = np.zeros((n_units, self.n_months), dtype=np.int64)
        self.sync_counts = np.zeros((n_units, self.n_months), dtype=np.int64)
        self.complaint_pool: list[tuple[str, int, int, bool]] = []
        self.complaint_rate = 0.006
        self._prepare_strings()

    def _prepare_strings(self) -> None:
        cat = self.cat
        self.u_code = [u.code for u in cat.units]
        self.u_prefix = [u.code_prefix for u in cat.units]
        self.p_code = [p.code for p in cat.procs]
        self.s_code = [s.code for s in cat.services]
        self.fee_full = [_j(p.fee_lines) if p.fee_lines else "" for p in cat.procs]
        self.fee_zero = [
            _j([dict(x, Gia=0) for x in p.fee_lines])
            if p.fee_lines
            else _j([{"MaPhiLePhi": "LP00", "TenPhiLePhi": "Miễn lệ phí", "Gia": 0}])
            for p in cat.procs
        ]
        self.comp_pat = _component_patterns()
        self.ncomp = cat.p_ncomp.tolist()
        self.applicants = _applicant_names()

    # -- calendar of the window
    def day_plan(self, total: int) -> list[tuple[date, bool, int]]:
        days = []
        d = self.start
        while d <= self.until and _epoch(d) <= self.horizon:
            days.append(d)
            d += timedelta(days=1)
        working = np.array([self.clock.is_working_day(x) for x in days])
        # Tết: the longest run of non-working days in January–February.
        tet_start, tet_len, run = None, 0, 0
        for i, x in enumerate(days):
            if not working[i] and x.month in (1, 2):
                run += 1
                if run > tet_len:
                    tet_len, tet_start = run, i - run + 1
            else:
                run = 0
        month_f = {
            1: 1.08,
            2: 0.85,
            3: 1.05,
            4: 1.0,
            5: 1.0,
            6: 1.02,
            7: 1.0,
            8: 0.97,
            9: 1.0,
            10: 1.05,
            11: 1.04,
            12: 1.12,
        }
        weekday_f = [1.18, 1.06, 1.0, 0.98, 0.9, 0.55, 0.5]
        w = np.zeros(len(days))
        for i, x in enumerate(days):
            f = month_f[x.month]
            if tet_start is not None and tet_len >= 5:
                if tet_start - 8 <= i < tet_start:
                    f *= 1.3  # rush before Tết
                elif tet_start + tet_len <= i < tet_start + tet_len + 6:
                    f *= 0.65  # slow restart after Tết
            w[i] = f * (weekday_f[x.weekday()] if working[i] else 0.1)
        # Exact apportionment (largest remainder) so the total is exactly ``total``.
        share = w / w.sum() * total
        counts = np.floor(share).astype(np.int64)
        rest = total - int(counts.sum())
        if rest > 0:
            counts[np.argsort(-(share - counts), kind="stable")[:rest]] += 1
        return [(days[i], bool(working[i]), int(counts[i])) for i in range(len(days))]

    # -- one day
    def simulate_day(self, day: date, working: bool, n: int) -> str:
        """The day's ``n`` dossiers as JSON lines. Every random draw is one row of ``R`` (a column per
        decision), so the steps below only compute: the same seed gives the same lines."""
        b = SimpleNamespace(n=n, R=self.rng.random((n, 25)))
        self._arrivals(b, day, working)
        self._intake(b)
        self._due(b)
        self._processing(b)
        self._supplements(b)
        self._finishing(b)
        self._returns_and_stops(b)
        self._timeline(b)
        self._lateness(b)
        self._fees(b)
        self._flags(b)
        self._count(b)
        return self._render(b)

    def _arrivals(self, b: SimpleNamespace, day: date, working: bool) -> None:
        """Which (unit, procedure) pair, by which channel, at what instant."""
        cat, R, n = self.cat, b.R, b.n
        pair = np.searchsorted(cat.cum_all if working else cat.cum_online, R[:, 0], side="right")
        pair = np.minimum(pair, len(cat.pair_u) - 1)
        b.u, b.p, b.svc = cat.pair_u[pair], cat.pair_p[pair], cat.pair_s[pair]
        if working:
            online = R[:, 1] < cat.pair_on[pair]
            post = ~online & (R[:, 2] < cat.u_post[b.u])
        else:
            online = np.ones(n, dtype=bool)
            post = np.zeros(n, dtype=bool)
        online &= b.svc >= 0
        b.online, b.post = online, post
        b.channel = np.where(online, 2, np.where(post, 3, 1))
        day0 = _epoch(day)
        u3 = R[:, 3]
        if day0 + DAY - 1 > self.horizon:  # today: only what was submitted by now
            m_lim = min(1439, (self.horizon - day0) // 60)
            minute = np.where(
                online,
                np.searchsorted(_ONLINE_CDF, u3 * _ONLINE_CDF[m_lim]),
                np.searchsorted(_OFFICE_CDF, u3 * _OFFICE_CDF[m_lim]),
            )
            minute = np.minimum(minute, m_lim)
        else:
            minute = np.where(online, np.searchsorted(_ONLINE_CDF, u3), np.searchsorted(_OFFICE_CDF, u3))
        tod = minute * 60 + (R[:, 4] * 60).astype(np.int64)
        b.t_at = np.minimum(day0 + tod, self.horizon)  # online: submission; counter, post: reception

    def _intake(self, b: SimpleNamespace) -> None:
        """Submission and reception instants, and the intake outcome (received, refused, withdrawn)."""
        cat, clock, R, n = self.cat, self.clock, b.R, b.n
        online, post, t_at = b.online, b.post, b.t_at
        b.lh = cat.p_lhours[b.p]
        # Online: received within working hours of the submission (bad units slower than 8 h).
        recv_delay = (0.15 + 7.5 * R[:, 5] ** 1.5) * cat.u_slow[b.u]
        t_recv = t_at.copy()
        if online.any():
            t_recv[online] = clock.add(t_at[online], np.round(recv_delay[online], 2))
        t_sub = t_at.copy()
        t_sub[post] = t_at[post] - (43_200 + (R[post, 6] * 3 * DAY).astype(np.int64))

        refused = np.where(online, R[:, 7] < 0.025, R[:, 7] < 0.004)
        pre_withdraw = online & ~refused & (R[:, 7] > 0.997)
        received = ~refused & ~pre_withdraw

        E = np.full((n, _N_SLOTS), -1, dtype=np.int64)
        b.intake_status = np.where(refused, 3, np.where(pre_withdraw, 7, 2))
        E[online, S_SUB] = t_sub[online]
        E[:, S_INTAKE] = np.where(
            pre_withdraw,
            t_sub + ((t_recv - t_sub) * R[:, 8]).astype(np.int64),
            np.where(refused & ~online, t_sub + 120 + (R[:, 8] * 1800).astype(np.int64), t_recv),
        )
        pw = np.flatnonzero(pre_withdraw)
        E[pw, S_PRE8] = E[pw, S_INTAKE] + 600 + (R[pw, 9] * 7200).astype(np.int64)
        b.E, b.t_recv, b.t_sub, b.received = E, t_recv, t_sub, received

    def _due(self, b: SimpleNamespace) -> None:
        """Due instant: received + statutory limit under the official calendar."""
        cat, received, t_recv = self.cat, b.received, b.t_recv
        due = np.full(b.n, -1, dtype=np.int64)
        lu, cut, amt = cat.p_lunit[b.p], cat.p_cutoff[b.p], cat.p_limit[b.p]
        for ui, uname in enumerate(UNIT_NAMES):
            for c in (False, True):
                m = received & (lu == ui) & (cut == c)
                if m.any():
                    due[m] = self.clock.add(t_recv[m], amt[m], uname, CUTOFF_1500 if c else None)
        b.due = due

    def _processing(self, b: SimpleNamespace) -> None:
        """Hand-over to the processing officer and the outcome of the received dossiers."""
        cat, R, u, received = self.cat, b.R, b.u, b.received
        rec = np.flatnonzero(received)
        # Handed to the processing officer within working hours (after 15:00: next morning).
        t4 = b.t_recv.copy()
        # Backlogged units leave some dossiers waiting for assignment for a day or more.
        wait = 0.05 + 2.5 * R[:, 9] ** 2 + np.where(R[:, 10] > 1 - 0.08 * cat.u_slow[u], 8 + 16 * R[:, 9], 0)
        t4[rec] = self.clock.add(b.t_recv[rec], np.round(wait[rec], 2))
        b.E[rec, S_PROC] = t4[rec]
        r_out = R[:, 10]
        b.withdraw = received & (r_out < 0.012)
        b.stop = received & (r_out >= 0.012) & (r_out < 0.02)
        processed = received & ~b.withdraw & ~b.stop
        late = processed & (R[:, 11] < np.clip(cat.u_late[u] * cat.p_late[b.p], 0, 0.9))
        lh = b.lh
        b.target = np.where(late, lh + 1 + R[:, 12] * (0.5 * lh + 30), lh * (0.08 + 0.88 * R[:, 12]))
        b.t4, b.processed = t4, processed

    def _supplements(self, b: SimpleNamespace) -> None:
        """Supplements (yêu cầu bổ sung): one, sometimes two; some never answered."""
        R, target = b.R, b.target
        sup = b.processed & (R[:, 13] < self.cat.u_sup[b.u])
        b.two = sup & (R[:, 14] < 0.12)
        b.outstanding = sup & (R[:, 15] < 0.22)
        b.h1 = target * (0.1 + 0.35 * R[:, 16])
        b.tail_start = b.t4.copy()
        b.remaining = target.copy()
        si = np.flatnonzero(sup)
        if si.size:
            self._supplement_dates(b, si)

    def _supplement_dates(self, b: SimpleNamespace, si: np.ndarray) -> None:
        clock, R, E, two = self.clock, b.R, b.E, b.two
        req1 = clock.add(b.t4[si], np.round(b.h1[si], 2))
        wait1 = np.round(2 + 60 * R[si, 17] ** 2, 2)
        done1 = clock.add(req1, wait1)
        E[si, S_R1] = req1
        E[si, S_D1] = done1
        b.tail_start[si] = done1
        b.remaining[si] = np.maximum(0.5, b.target[si] - b.h1[si])
        ti = np.flatnonzero(two)
        if ti.size:
            req2 = clock.add(E[ti, S_D1], np.round(1 + 10 * R[ti, 18], 2))
            done2 = clock.add(req2, np.round(2 + 40 * R[ti, 17], 2))
            E[ti, S_R2] = req2
            E[ti, S_D2] = done2
            b.tail_start[ti] = done2
        oi = np.flatnonzero(b.outstanding)
        last_done = np.where(two[oi], S_D2, S_D1)
        E[oi, last_done] = -1
        closed = oi[R[oi, 19] < 0.5]  # closed after 15 working days without an answer
        last_req = np.where(two[closed], E[closed, S_R2], E[closed, S_R1])
        E[closed, S_STOP] = clock.add(last_req, 120.0)

    def _finishing(self, b: SimpleNamespace) -> None:
        """The result (status 9), after a financial obligation (status 6) for some fee-bearing dossiers."""
        clock, R, E, tail_start = self.clock, b.R, b.E, b.tail_start
        finishing = b.processed & ~b.outstanding
        fi = np.flatnonzero(finishing)
        finish = np.full(b.n, -1, dtype=np.int64)
        finish[fi] = clock.add(tail_start[fi], np.round(b.remaining[fi], 2))
        fee6 = finishing & self.cat.p_fee[b.p] & (R[:, 20] < 0.15)
        f6 = np.flatnonzero(fee6)
        b.t_paid6 = np.full(b.n, -1, dtype=np.int64)
        if f6.size:
            t6 = clock.add(tail_start[f6], np.round(0.5 + 3 * R[f6, 21], 2))
            t6 = np.minimum(t6, np.maximum(finish[f6] - 1200, tail_start[f6] + 60))
            t_pay = t6 + 300 + (R[f6, 22] * 2 * DAY).astype(np.int64)
            E[f6, S_F6] = t6
            E[f6, S_F4] = t_pay
            b.t_paid6[f6] = t_pay
            # Paid after the planned finish: the result follows the payment within hours.
            after = finish[f6] < t_pay + 600
            if after.any():
                finish[f6[after]] = clock.add(t_pay[after], np.round(0.5 + 4 * R[f6[after], 23], 2))
        E[fi, S_DONE] = finish[fi]
        b.finishing, b.finish = finishing, finish

    def _returns_and_stops(self, b: SimpleNamespace) -> None:
        """Result handed over (status 10: online e-results at once, the counter later); withdrawals, stops."""
        clock, R, E, finish = self.clock, b.R, b.E, b.finish
        ret = b.finishing & (R[:, 22] < 0.9)
        ri = np.flatnonzero(ret)
        instant = b.online[ri] & (R[ri, 23] < 0.5)
        t10 = np.where(instant, finish[ri] + 5 + (R[ri, 21] * 900).astype(np.int64), 0)
        slow_ri = ri[~instant]
        t10[~instant] = clock.add(finish[slow_ri], np.round(0.5 + 40 * R[slow_ri, 21] ** 2, 2))
        E[ri, S_RET] = t10
        lh, t4 = b.lh, b.t4
        wi = np.flatnonzero(b.withdraw)
        if wi.size:
            t7 = clock.add(t4[wi], np.round(1 + np.maximum(1, 0.6 * lh[wi]) * R[wi, 12], 2))
            E[wi, S_W7] = t7
            E[wi, S_STOP] = clock.add(t7, np.round(0.5 + 7.5 * R[wi, 13], 2))
        st = np.flatnonzero(b.stop)
        if st.size:
            E[st, S_STOP] = clock.add(t4[st], np.round(2 + np.maximum(1, lh[st]) * R[st, 12], 2))

    def _timeline(self, b: SimpleNamespace) -> None:
        """Chronological safety net, then cut at the horizon (what had happened by then)."""
        n, E = b.n, b.E
        present = E >= 0
        run = np.maximum.accumulate(np.where(present, E, 0), axis=1)
        prev = np.concatenate([np.zeros((n, 1), dtype=np.int64), run[:, :-1]], axis=1)
        E = np.where(present, np.maximum(E, prev), -1)
        E[E > self.horizon] = -1
        present = E >= 0
        status_m = np.broadcast_to(_SLOT_STATUS, (n, _N_SLOTS)).copy()
        status_m[:, S_INTAKE] = b.intake_status
        last_slot = _N_SLOTS - 1 - np.argmax(present[:, ::-1], axis=1)
        b.final_status = status_m[np.arange(n), last_slot]
        b.got_received = present[:, S_INTAKE] & (b.intake_status == 2)
        b.E, b.present, b.status_m = E, present, status_m

    def _lateness(self, b: SimpleNamespace) -> None:
        """End of processing, lateness, and an apology letter (thư xin lỗi) for a share of late dossiers."""
        E, present, R, due = b.E, b.present, b.R, b.due
        # End of processing: first of 9, 10, 8, 7 (received only).
        end = np.where(
            present[:, S_DONE],
            E[:, S_DONE],
            np.where(
                present[:, S_RET],
                E[:, S_RET],
                np.where(
                    present[:, S_STOP],
                    E[:, S_STOP],
                    np.where(present[:, S_PRE8], E[:, S_PRE8], np.where(present[:, S_W7], E[:, S_W7], -1)),
                ),
            ),
        )
        b.is_late = b.got_received & ((end > due) | ((end < 0) & (self.horizon > due)) | (b.two & present[:, S_R2]))
        b.apology = b.is_late & (R[:, 14] > 0.65) & (due - DAY <= self.horizon)
        b.new_due = np.full(b.n, -1, dtype=np.int64)
        ai_ = np.flatnonzero(b.apology)
        b.new_due[ai_] = self.clock.add(due[ai_], np.round(8 + 40 * R[ai_, 15], 0))
        b.end = end

    def _fees(self, b: SimpleNamespace) -> None:
        """Fee lines (none, all zero, or the procedure's) and whether and when they were paid."""
        cat, R, u, online = self.cat, b.R, b.u, b.online
        fee_p = cat.p_fee[b.p]
        r_fee = R[:, 16]
        b.fee_mode = np.where(
            fee_p,
            np.where(r_fee < cat.u_fee_missing[u], 0, np.where(r_fee < cat.u_fee_missing[u] + 0.05, 1, 2)),
            np.where(r_fee > 0.96, 1, 0),
        )  # 0 none, 1 all-zero lines, 2 real lines
        pay_p = np.where(online, cat.u_pay_online[u], cat.u_pay_counter[u])
        paid = (b.fee_mode == 2) & b.got_received & (R[:, 17] < pay_p)
        paid |= (b.t_paid6 >= 0) & (b.fee_mode == 2)  # the obligation of status 6 paid online
        b.t_pay = np.where(
            b.t_paid6 >= 0,
            b.t_paid6,
            np.where(
                online,
                b.t_sub + 60 + (R[:, 18] * 1800).astype(np.int64),
                b.t_recv + 120 + (R[:, 18] * 2400).astype(np.int64),
            ),
        )
        b.paid = paid & (b.t_pay <= self.horizon)
        b.pay_kind = cat.u_gateway[u]

    def _flags(self, b: SimpleNamespace) -> None:
        """Components, digitisation, reuse, data store, identity, sync and rating."""
        cat, R, u, p, online, present, E = self.cat, b.R, b.u, b.p, b.online, b.present, b.E
        b.attach = online | (R[:, 19] < cat.u_attach[u])
        b.digit = b.attach & (R[:, 20] < 0.93)
        b.reuse = R[:, 21] < cat.u_reuse[u]
        b.src_dvcqg = online & (R[:, 23] < cat.u_dvcqg[u])
        b.kho = online & (R[:, 5] < 0.05)
        b.has_result = present[:, S_DONE] & (
            R[:, 6] < np.where(cat.p_paper[p], cat.u_result[u], np.minimum(1.0, cat.u_result[u] + 0.15))
        )
        b.pushed = b.has_result & online & (R[:, 2] < cat.u_kho[u])
        b.vneid = np.where(online, R[:, 11] < cat.u_vneid[u], R[:, 11] < 0.04)
        b.csdl = cat.p_citizen[p] & (R[:, 9] < cat.u_csdl[u])
        b.csdl_no = (R[:, 8] * 1e10).astype(np.int64)
        first_event = np.where(present[:, S_SUB], E[:, S_SUB], E[:, S_INTAKE])
        lag = np.where(
            cat.u_syncdelay[u],
            1800 + (R[:, 7] * 20_000).astype(np.int64),
            3 + (R[:, 7] * 600).astype(np.int64),
        )
        b.t_sync = first_event + lag
        b.synced = (R[:, 1] > 1 - cat.u_sync[u]) & (first_event >= 0) & (b.t_sync <= self.horizon)
        ended = b.end >= 0
        dislike = ended & b.got_received & (R[:, 4] < np.where(b.is_late, 0.07, 0.011) * cat.u_dislike[u])
        b.t_rate = b.end + 3600 + (R[:, 3] * 3 * DAY).astype(np.int64)
        b.dislike = dislike & (b.t_rate <= self.horizon)

    def _count(self, b: SimpleNamespace) -> None:
        """Reference counts: received per unit and month, and how many of them were synced."""
        recv_idx = np.flatnonzero(b.got_received)
        if recv_idx.size:
            mon = self._month_index(b.E[recv_idx, S_INTAKE])
            np.add.at(self.recv_counts, (b.u[recv_idx], mon), 1)
            sy = recv_idx[b.synced[recv_idx]]
            np.add.at(self.sync_counts, (b.u[sy], self._month_index(b.E[sy, S_INTAKE])), 1)

    def _render(self, b: SimpleNamespace) -> str:
        """The JSON lines, from pre-formatted columns."""
        R, E, present = b.R, b.E, b.present
        ts = np.empty(E.shape, dtype=object)
        ts[present] = fmt_ts(E[present])
        code_day = np.where(b.got_received, E[:, S_INTAKE], b.t_sub)
        ymd = np.datetime_as_string((code_day + TZ_OFFSET).astype("datetime64[s]").astype("datetime64[D]")).tolist()
        recv_unit = self._receiving_units(b)
        cols = zip(
            b.u.tolist(),
            b.p.tolist(),
            b.svc.tolist(),
            b.channel.tolist(),
            b.final_status.tolist(),
            b.got_received.tolist(),
            ts.tolist(),
            b.status_m.tolist(),
            self._fmt_opt(b.due, b.got_received),
            self._fmt_opt(b.new_due, b.apology),
            b.fee_mode.tolist(),
            b.paid.tolist(),
            self._fmt_opt(b.t_pay, b.paid),
            b.pay_kind.tolist(),
            b.attach.tolist(),
            b.digit.tolist(),
            b.reuse.tolist(),
            b.src_dvcqg.tolist(),
            b.kho.tolist(),
            b.has_result.tolist(),
            b.pushed.tolist(),
            b.vneid.tolist(),
            b.csdl.tolist(),
            b.csdl_no.tolist(),
            self._fmt_opt(b.t_sync, b.synced),
            b.dislike.tolist(),
            self._fmt_opt(b.t_rate, b.dislike),
            ymd,
            fmt_ts(b.t_sub),
            (R[:, 22] * len(self.applicants)).astype(np.int64).tolist(),
            b.is_late.tolist(),
            R[:, 24].tolist(),
            recv_unit.tolist(),
            strict=True,
        )
        return "".join(map(self._line, cols))

    def _receiving_units(self, b: SimpleNamespace) -> np.ndarray:
        """The unit that received a counter or post dossier when it is not the handling unit (MaDonViTiepNhan;
        -1: the same). Reception regardless of administrative boundary (NĐ 118/2025, from 01/07/2025): now and
        then a commune's dossier filed at another commune's centre, and most departments' dossiers at the
        province's public-service centre (the province node), which routes them to the competent department."""
        cat, R = self.cat, b.R
        counter = b.channel != 2
        communes = cat.communes_np
        cross = counter & cat.u_is_commune[b.u] & (R[:, 24] > 0.985)
        recv_unit = np.where(cross, communes[(R[:, 6] * len(communes)).astype(np.int64)], -1)
        recv_unit = np.where(recv_unit == b.u, -1, recv_unit)
        centre = counter & cat.u_is_dept[b.u] & (R[:, 24] > 1 - PROVINCE_CENTRE_SHARE)
        return np.where(centre, cat.province, recv_unit)

    def _line(self, row: tuple) -> str:
        """One dossier's line; a received one may join the pool complaints are drawn from."""
        # fmt: off
        (ui, pi, si_, ch, fs, rcv, trow, srow, due_, ndue, fm, pd, pay_, pk, att, dig, reu, dvq, kh,
         hres, push, vne, cs, csno, syn, dis, rate, ymd_, sub_, ai, lt, r0, ru) = row
        # fmt: on
        # The code is allocated by the unit that received the dossier (its counter), as in the application.
        key = f"{self.u_prefix[ru if ru >= 0 else ui]}-{ymd_[2:4]}{ymd_[5:7]}{ymd_[8:10]}"
        k = self.seq.get(key, 0) + 1
        self.seq[key] = k
        code = f"{key}-{k:04d}"
        parts = [f'{{"MaHoSo":"{code}","MaTTHC":"{self.p_code[pi]}"']
        if ch == 2:
            parts.append(f',"MaDVC":"{self.s_code[si_]}"')
        parts.append(f',"MaDonVi":"{self.u_code[ui]}"')
        if ru >= 0:
            parts.append(f',"MaDonViTiepNhan":"{self.u_code[ru]}"')
        parts.append(f',"KenhThucHien":{ch},"NgayNopHoSo":"{sub_}"')
        if rcv:
            parts.append(f',"NgayTiepNhan":"{trow[1]}","NgayHenTra":"{due_}"')
            if ndue:
                parts.append(f',"NgayHenTraMoi":"{ndue}"')
        parts.append(',"NguonHoSo":"dvcqg"' if dvq else ',"NguonHoSo":"dia_phuong"')
        _history(parts, fs, trow, srow)
        if fm == 2:
            parts.append(f',"DanhSachLePhi":{self.fee_full[pi]}')
        elif fm == 1:
            parts.append(f',"DanhSachLePhi":{self.fee_zero[pi]}')
        if pd:
            parts.append(f',"DuocThanhToanTrucTuyen":{pk},"NgayThanhToan":"{pay_}"')
        parts.append(f',"TaiLieuNop":{self.comp_pat[(self.ncomp[pi], att, dig, reu and dvq, kh)]}')
        if reu and not dvq:
            parts.append(',"HoSoCoThanhPhanSoHoa":true')
        _outcome_parts(parts, code, trow, hres, push, vne, cs, csno, syn, dis, rate)
        parts.append(f',"ChuHoSo":"{self.applicants[ai]}"}}\n')
        if rcv and r0 < (self.complaint_rate * 3 if lt else self.complaint_rate):
            self.complaint_pool.append((code, ui, int(_parse_local(trow[1])), bool(lt)))
        return "".join(parts)

    def _month_index(self, t: np.ndarray) -> np.ndarray:
        d = (_local_day(t)).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        base = (self.start.year - 1970) * 12 + self.start.month - 1
        return np.clip(d - base, 0, self.n_months - 1)

    @staticmethod
    def _fmt_opt(t: np.ndarray, mask: np.ndarray) -> list:
        out = np.full(t.shape, "", dtype=object)
        if mask.any():
            out[mask] = fmt_ts(t[mask])
        return out.tolist()


def _history(parts: list[str], fs: int, trow: list, srow: list) -> None:
    """TrangThaiHoSo, LichSuTrangThai and DanhSachHoSoBoSung of one line."""
    log = [f'{{"TrangThai":{srow[j]},"ThoiDiem":"{x}"}}' for j, x in enumerate(trow) if x]
    parts.append(f',"TrangThaiHoSo":{fs},"LichSuTrangThai":[{",".join(log)}]')
    if trow[4]:
        sups = [f'{{"NgayYeuCau":"{trow[4]}","NgayBoSung":' + (f'"{trow[5]}"}}' if trow[5] else "null}")]
        if trow[6]:
            sups.append(f'{{"NgayYeuCau":"{trow[6]}","NgayBoSung":' + (f'"{trow[7]}"}}' if trow[7] else "null}"))
        parts.append(f',"DanhSachHoSoBoSung":[{",".join(sups)}]')


def _outcome_parts(parts: list[str], code: str, trow: list, hres, push, vne, cs, csno, syn, dis, rate) -> None:
    """Result, identity, population-database reference, sync and rating of one line."""
    if hres:
        parts.append(
            f',"MaKetQua":"KQ{code}","DuongDanTepTinKetQua":"https://{N.PORTAL_HOST}/kq/{code}.pdf",'
            f'"NgayCoKetQua":"{trow[12]}"'
        )
        if push:
            parts.append(',"KetQuaDayVaoKho":true')
    if vne:
        parts.append(',"TaiKhoanDuocXacThucVoiVNeID":true')
    if cs:
        parts.append(f',"MaCSDL":"DC{csno:010d}"')
    if syn:
        parts.append(f',"NgayDongBo":"{syn}"')
    if dis:
        parts.append(f',"KhongHaiLong":true,"NgayDanhGia":"{rate}"')


def _parse_local(s: str) -> int:
    return int(datetime.fromisoformat(s).timestamp())


# --------------------------------------------------------------------------- other files


def _publications(
    cat: Catalogue,
    rng: np.random.Generator,
    workdays: list[date],
    start: date,
    until: date,
    horizon: int,
) -> list[dict]:
    """Quyết định công bố by the province over the window; some late (1.1), some published late
    or not yet (1.2)."""
    wd_index = {d: i for i, d in enumerate(workdays)}
    in_window = [d for d in workdays if start <= d <= until]
    procs = cat.procs
    by_status = {
        s: [i for i, p in enumerate(procs) if p.status == s] for s in ("dang_cong_khai", "sua_doi_bo_sung", "bai_bo")
    }
    n_new = max(2, len(by_status["dang_cong_khai"]) // 18)
    pool_new = list(
        rng.choice(
            by_status["dang_cong_khai"],
            size=min(n_new * 12, len(by_status["dang_cong_khai"])),
            replace=False,
        )
    )
    lists = []
    for kind, idx in (
        ("sua_doi", by_status["sua_doi_bo_sung"]),
        ("bai_bo", by_status["bai_bo"]),
        ("them_moi", [int(x) for x in pool_new]),
    ):
        idx = list(idx)
        while idx:
            k = int(rng.integers(3, 40))
            lists.append((kind, idx[:k]))
            idx = idx[k:]
    order = rng.permutation(len(lists))
    dec_days = sorted(in_window[int(x)] for x in rng.integers(0, len(in_window), size=len(lists)))
    out = []
    numbers = np.sort(rng.choice(np.arange(50, 3200), size=len(lists), replace=False))
    for n_i, (li, dday) in enumerate(zip(order, dec_days, strict=True)):
        kind, idx = lists[li]
        di = wd_index[dday]
        late_decision = rng.random() < 0.18
        items = []
        for pi in idx:
            # Legal basis in force k working days after the decision (≥ 5 is on time).
            k = int(rng.integers(-8, 5)) if late_decision and rng.random() < 0.7 else int(rng.integers(5, 40))
            basis = workdays[min(max(di + k, 0), len(workdays) - 1)]
            r = rng.random()
            pub_k = int(rng.integers(0, 5)) if r < 0.8 else int(rng.integers(5, 25))
            pub_day = workdays[min(di + pub_k, len(workdays) - 1)]
            pub_t = _epoch(pub_day, int(rng.integers(7 * 3600 + 1800, 16 * 3600 + 1800)))
            items.append(
                {
                    "MaTTHC": procs[pi].code,
                    "NgayHieuLucCanCu": basis.isoformat(),
                    "NgayCongKhai": None if (r > 0.97 or pub_t > horizon) else fmt_one(pub_t),
                }
            )
        out.append(
            {
                "SoQuyetDinh": f"{numbers[n_i]}/QĐ-UBND",
                "MaDonVi": N.PROVINCE_CODE,
                "NgayQuyetDinh": dday.isoformat(),
                "Loai": kind,
                "DanhSachTTHC": items,
            }
        )
    return out


# Complaint (PAKN) scenarios: (weight, steps as (status, working hours after the previous step)).
def _complaint_steps(rng: np.random.Generator, late: bool) -> list[tuple[str, float]]:
    r = rng.random()
    slow = 2.5 if late else 1.0

    def h(a, b):
        return round(float(a + (b - a) * rng.random()) * slow, 2)

    if r < 0.1:  # refused (từ chối) — within 2 WD, mostly
        return [("tu_choi", h(1, 20))]
    if r < 0.15:  # sent back (trả lại): not a matter for the portal
        return [("da_tiep_nhan", h(1, 12)), ("tra_lai", h(2, 30))]
    steps: list[tuple[str, float]] = []
    if r < 0.28:  # transferred to the competent agency first
        steps.append(("chuyen_xu_ly", h(2, 30)))
    steps.append(("da_tiep_nhan", h(1, 14)))
    if rng.random() < 0.1:
        steps += [("yeu_cau_bo_sung", h(4, 34)), ("dang_xu_ly", h(8, 60))]
    else:
        steps.append(("dang_xu_ly", h(0.5, 8)))
    steps.append(("cho_cong_khai", h(16, 118)))
    steps.append(("da_cong_khai", h(1, 17)))
    return steps


def _complaints(
    cat: Catalogue,
    sim: _DossierSim,
    rng: np.random.Generator,
    clock: Clock,
    n_target: int,
    start: date,
    horizon: int,
) -> list[dict]:
    """PAKN: about half linked to a dossier (late dossiers draw more), the rest by unit volume;
    an unsatisfying or late answer is sometimes followed by a repeat (MaPAKNTruoc)."""
    seeds = _complaint_seeds(cat, sim, rng, n_target, start, horizon)
    items = _simulate_complaints(cat, rng, clock, horizon, [(t, ui, code, late, None) for t, ui, code, late in seeds])
    # Repeats: the citizen comes back after an answer that did not satisfy, or came late.
    repeats: list[tuple[int, int, str | None, bool, dict | None]] = []
    for it in items:
        unhappy = it["SoKhongThich"] > it["SoThich"] or it["late"] or it["log"][-1][0] == "tu_choi"
        if rng.random() < (0.3 if unhappy else 0.03):
            t2 = it["log"][-1][1] + int((1 + 20 * rng.random()) * DAY)
            if t2 <= horizon:
                repeats.append((t2, it["unit"], it["MaHoSo"], bool(rng.random() < 0.3), it))
    items += _simulate_complaints(cat, rng, clock, horizon, repeats)
    items.sort(key=lambda x: (x["t"], x["unit"], x["MaHoSo"] or ""))
    return _complaint_records(cat, items)


def _complaint_seeds(
    cat: Catalogue, sim: _DossierSim, rng: np.random.Generator, n_target: int, start: date, horizon: int
) -> list[tuple[int, int, str | None, bool]]:
    """(sent, unit, dossier code, late) of the first complaints, in order, up to the horizon."""
    pool = sim.complaint_pool
    n_linked = min(len(pool), int(round(n_target * 0.55)))
    chosen = [pool[i] for i in sorted(rng.choice(len(pool), size=n_linked, replace=False))] if n_linked else []
    n_free = max(0, n_target - n_linked)
    # Units of unlinked complaints: by dossier volume, so small communes often have none.
    vol = sim.recv_counts.sum(axis=1).astype(float)
    vol[cat.depts] *= 1.3
    start_t = _epoch(start)
    seeds: list[tuple[int, int, str | None, bool]] = []
    for code, ui, t_recv, late in chosen:
        seeds.append((t_recv + int((2 + 25 * rng.random()) * DAY * (0.5 if late else 1.0)), ui, code, late))
    if n_free and vol.sum() > 0:
        us = rng.choice(len(vol), size=n_free, p=vol / vol.sum())
        ts = start_t + (rng.random(n_free) * (horizon - start_t)).astype(np.int64)
        for t, ui in zip(ts.tolist(), us.tolist(), strict=True):
            seeds.append((t, ui, None, bool(rng.random() < 0.2)))
    seeds.sort(key=lambda x: (x[0], x[1], x[2] or ""))
    return [s for s in seeds if s[0] <= horizon]


def _simulate_complaints(
    cat: Catalogue,
    rng: np.random.Generator,
    clock: Clock,
    horizon: int,
    batch: list[tuple[int, int, str | None, bool, dict | None]],
) -> list[dict]:
    """Run the complaints' step plans on the calendar, one step index at a time (batched)."""
    plans = [_complaint_steps(rng, late) for _t, _u, _c, late, _p in batch]
    logs = _complaint_logs(clock, horizon, batch, plans)
    out = []
    for (t, ui, code, late, prev), log in zip(batch, logs, strict=True):
        # A transfer (chuyển xử lý) hands the complaint to the competent agency.
        unit = ui
        if any(s == "chuyen_xu_ly" for s, _ in log) and rng.random() < 0.6:
            unit = int(rng.choice(cat.depts))
        published = log[-1][0] == "da_cong_khai"
        kind = prev["PhanLoai"] if prev else ("quy_dinh" if rng.random() < 0.62 else "hanh_vi")
        out.append(
            {
                "t": t,
                "unit": unit,
                "MaHoSo": code,
                "PhanLoai": kind,
                "log": log,
                "SoThich": int(rng.poisson(1.6)) if published else 0,
                "SoKhongThich": int(rng.poisson(2.6 if late else 0.7)) if published else 0,
                "prev": prev,
                "late": late,
            }
        )
    return out


def _complaint_logs(clock: Clock, horizon: int, batch: list, plans: list) -> list[list[tuple[str, int]]]:
    """(status, instant) of each complaint's steps that happened by the horizon."""
    logs = [[("cho_tiep_nhan", t)] for t, *_ in batch]
    cur = np.array([t for t, *_ in batch], dtype=np.int64)
    alive = np.ones(len(batch), dtype=bool)
    for k in range(max((len(x) for x in plans), default=0)):
        idx = np.flatnonzero(alive & np.array([len(x) > k for x in plans], dtype=bool))
        if idx.size == 0:
            break
        nxt = clock.add(cur[idx], np.array([plans[i][k][1] for i in idx]))
        for i, t in zip(idx.tolist(), nxt.tolist(), strict=True):
            if t > horizon:
                alive[i] = False
            else:
                logs[i].append((plans[i][k][0], t))
                cur[i] = t
    return logs


def _complaint_records(cat: Catalogue, items: list[dict]) -> list[dict]:
    """complaints.jsonl records of the simulated complaints (in order): codes, history, reactions."""
    flat = [x for it in items for _s, x in it["log"]]
    texts = iter(fmt_ts(np.array(flat, dtype=np.int64)))
    for it in items:
        it["texts"] = [next(texts) for _ in it["log"]]
    out = []
    for k, it in enumerate(items):
        sent = it["texts"][0]
        it["MaPAKN"] = f"PAKN.{N.PROVINCE_CODE}.{sent[2:4]}{sent[5:7]}{sent[8:10]}.{k + 1:05d}"
        out.append(
            {
                "MaPAKN": it["MaPAKN"],
                "MaDonVi": cat.units[it["unit"]].code,
                "MaHoSo": it["MaHoSo"],
                "PhanLoai": it["PhanLoai"],
                "NgayGui": sent,
                "LichSu": [{"TrangThai": s, "ThoiDiem": x} for (s, _t), x in zip(it["log"], it["texts"], strict=True)],
                "SoThich": it["SoThich"],
                "SoKhongThich": it["SoKhongThich"],
                "MaPAKNTruoc": it["prev"]["MaPAKN"] if it["prev"] else None,
            }
        )
    return out


# --------------------------------------------------------------------------- entry point


def generate_exchange_set(
    output_dir: str | Path,
    *,
    dossiers: int = DEFAULT_DOSSIERS,
    seed: int = DEFAULT_SEED,
    until: date | None = None,
    units: int = DEFAULT_UNITS,
    procedures: int = DEFAULT_PROCEDURES,
    calendar=None,
    progress: ProgressFn | None = None,
) -> dict[str, int]:
    """Write a synthetic exchange set into ``output_dir``; return the record count per file.

    Dossiers are submitted over the 12 months ending at ``until`` (inclusive; default
    2026-11-20), with events up to the end of that day. ``calendar`` is a ``WorkCalendar``
    (default: the official one).
    """
    _check_sizes(dossiers, units, procedures)
    until = until or DEFAULT_UNTIL
    start, horizon = _window(until)
    out_dir = Path(output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = Clock(calendar)
    say = progress or (lambda _msg: None)
    t0 = _time.perf_counter()

    def stream(k: int) -> np.random.Generator:
        return np.random.default_rng([seed, k])

    cat = Catalogue(stream(1), units, procedures, until)
    counts: dict[str, int] = {}

    def write_all(name: str, records) -> None:
        # Records are built JSON-ready in canonical order: the writer's trusted mode.
        with JsonlWriter(out_dir / f"{name}.jsonl", name, trusted=True) as w:
            counts[name] = w.write_records(records)

    write_all("units", (u.record() for u in cat.units))
    write_all("procedures", (p.record() for p in cat.procs))
    write_all("online_services", (s.record(cat) for s in cat.services))
    say(f"catalogue: {len(cat.units)} units, {len(cat.procs)} procedures, {len(cat.services)} services")
    workdays = _working_days(clock, start - timedelta(days=90), until + timedelta(days=90))
    write_all("publications", _publications(cat, stream(4), workdays, start, until, horizon))

    sim = _DossierSim(cat, clock, stream(5), start, until, horizon)
    counts["dossiers"] = _write_dossiers(sim, out_dir / "dossiers.jsonl", dossiers, progress and say, t0)

    n_complaints = max(40, int(round(dossiers * 0.003))) if dossiers else 0
    write_all("complaints", _complaints(cat, sim, stream(6), clock, n_complaints, start, horizon))
    write_all("reference_counts", _reference_counts(cat, sim, stream(7)))
    say(f"done in {_time.perf_counter() - t0:.1f} s")
    return {name: counts[name] for name in FILES}


def _check_sizes(dossiers: int, units: int, procedures: int) -> None:
    if dossiers < 0:
        raise ValueError("dossiers must not be negative")
    if units < MIN_UNITS:
        raise ValueError(f"units must be at least {MIN_UNITS}")
    if procedures < MIN_PROCEDURES:
        raise ValueError(f"procedures must be at least {MIN_PROCEDURES}")


def _window(until: date) -> tuple[date, int]:
    """First day of the 12 months ending at ``until``, and the horizon: events up to the end of ``until``
    — but never in the future (the demo passes today)."""
    try:
        start = until.replace(year=until.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = until - timedelta(days=365)
    horizon = min(_epoch(until + timedelta(days=1)) - 1, int(_time.time()))
    if horizon < _epoch(start):
        raise ValueError("until must not be more than a year in the future")
    return start, horizon


def _working_days(clock: Clock, first: date, last: date) -> list[date]:
    """Working days from ``first`` to ``last`` (publication dates around the window)."""
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if clock.is_working_day(d)]


def _write_dossiers(sim: _DossierSim, path: Path, dossiers: int, say: ProgressFn | None, t0: float) -> int:
    """Simulate the window day by day into dossiers.jsonl; ``say`` reports each month's progress."""
    o = _Out(path)
    try:
        done = 0
        for day, working, n in sim.day_plan(dossiers):
            if n:
                o.lines(sim.simulate_day(day, working, n), n)
                done += n
            if say and day.day == 1:
                rate = done / max(1e-9, _time.perf_counter() - t0)
                say(f"dossiers: {day.isoformat()} {done:,} ({rate:,.0f}/s)")
    finally:
        o.close()
    return o.count


def _reference_counts(cat: Catalogue, sim: _DossierSim, rng: np.random.Generator):
    """Per unit and month, what the national systems counted: near our received counts; the
    reporting system (BCQG) a bit higher where the unit under-syncs or mis-keys."""
    base = (sim.start.year, sim.start.month)
    for ui in range(len(cat.units)):
        for m in range(sim.n_months):
            rc = int(sim.recv_counts[ui, m])
            if rc == 0:
                continue
            y, mo = divmod(base[0] * 12 + base[1] - 1 + m, 12)
            sc = int(sim.sync_counts[ui, m])
            bump = rng.random()
            bcqg = rc + (int(np.ceil(rc * 0.08 * rng.random())) if bump < 0.3 else 0)
            dvcqg = sc + (int(rng.integers(0, 3)) if bump > 0.85 else 0)
            yield {
                "MaDonVi": cat.units[ui].code,
                "Ky": f"{y}-{mo + 1:02d}",
                "SoHoSoBCQG": bcqg,
                "SoHoSoDVCQG": dvcqg,
            }


__all__ = ["Clock", "DEFAULT_UNTIL", "FILES", "generate_exchange_set"]
