"""Calendar-dependent derived columns of the facts (see facts.py).

Working-day arithmetic is not portable SQL, so every deadline the engine needs
is computed here, in Python, with the one calendar implementation of the
project (``motcua.workdays.calendar.WorkCalendar``, vectorised API), while facts
are prepared. None of these values depends on the evaluation instant, so a
prepared snapshot serves every period and every ``as_of``.

Instants in and out are UTC-naive ``datetime64[us]`` (facts.py convention);
missing values are NaT. Dates are local ``datetime.date``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from motcua.feedback.deadlines import HANDLE_HOURS as PAKN_HANDLE_HOURS
from motcua.feedback.deadlines import PUBLISH_HOURS as PAKN_PUBLISH_HOURS
from motcua.feedback.deadlines import REFUSE_HOURS as PAKN_REFUSE_HOURS
from motcua.feedback.deadlines import SUPPLEMENT_HOURS as PAKN_SUPPLEMENT_HOURS
from motcua.index766.periods import VN, to_utc_naive

#: 1.1 / 1.2 working-day offsets by publishing unit kind.
DECISION_LEAD_WD = {"province": 5, "ministry": 20}
PUBLISH_LAG_WD = {"province": 5, "ministry": 10}

DURATION_UNITS = ("ngay_lam_viec", "gio_lam_viec", "ngay")


def official_calendar() -> Any:
    """The official working-day calendar (owned by the workdays app)."""
    from motcua.workdays.calendar import WorkCalendar

    return WorkCalendar.official()


def _as_instants(values: Any) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values)), dtype="datetime64[us]").reset_index(drop=True)


def parse_cutoff(value: Any) -> time | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return None
    if isinstance(value, time):
        return value
    hh, mm = str(value).strip().split(":")[:2]
    return time(int(hh), int(mm))


def statutory_due(cal: Any, received: Any, amounts: Any, units: Any, cutoffs: Any) -> pd.Series:
    """Due = received + the statutory limit under the calendar (2.1 without NgayHenTra).

    NaT where the received instant, the amount or a known unit is missing.
    """
    rec = _as_instants(received)
    amt = pd.Series(amounts, dtype="float64").reset_index(drop=True)
    unit = pd.Series(units, dtype=object).reset_index(drop=True)
    cut = pd.Series([parse_cutoff(c) for c in cutoffs], dtype=object)
    out = pd.Series(pd.NaT, index=rec.index, dtype="datetime64[us]")
    ok = rec.notna() & amt.notna() & (amt >= 0) & unit.isin(DURATION_UNITS)
    if not ok.any():
        return out
    keys = pd.DataFrame({"unit": unit[ok], "cut": cut[ok].map(lambda c: c.isoformat() if c else "")})
    for (u, c), grp in keys.groupby(["unit", "cut"], sort=False):
        idx = grp.index
        due = cal.add_batch(
            rec[idx].to_numpy(dtype="datetime64[us]"),
            amt[idx].to_numpy(),
            u,
            time.fromisoformat(c) if c else None,
        )
        out.loc[idx] = due
    return out


def elapsed_working_days(cal: Any, starts: Any, ends: Any) -> pd.Series:
    """Working hours from received to finished / hours per day (2.2); NaN if either is missing."""
    a, b = _as_instants(starts), _as_instants(ends)
    out = pd.Series(np.nan, index=a.index, dtype="float64")
    ok = a.notna() & b.notna()
    if ok.any():
        hours = cal.working_hours_between_batch(
            a[ok].to_numpy(dtype="datetime64[us]"), b[ok].to_numpy(dtype="datetime64[us]")
        )
        out.loc[ok] = np.maximum(hours, 0.0) / float(getattr(cal, "hours_per_day", 8.0))
    return out


def add_working_hours(cal: Any, starts: Any, hours: float) -> pd.Series:
    s = _as_instants(starts)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    ok = s.notna()
    if ok.any():
        out.loc[ok] = cal.add_batch(s[ok].to_numpy(dtype="datetime64[us]"), hours, "gio_lam_viec")
    return out


class WorkingDates:
    """Date-level stepping over working days (1.1 / 1.2), cached per date."""

    def __init__(self, cal: Any):
        self.cal = cal
        self._is_wd = lru_cache(maxsize=None)(self._probe)

    def _probe(self, d: date) -> bool:
        return bool(self.cal.is_working_day(d))

    def nth_before(self, d: date, n: int) -> date:
        """The n-th working day strictly before d."""
        cur, found = d, 0
        while found < n:
            cur -= timedelta(days=1)
            found += self._is_wd(cur)
        return cur

    def nth_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after d."""
        cur, found = d, 0
        while found < n:
            cur += timedelta(days=1)
            found += self._is_wd(cur)
        return cur


def publication_deadlines(
    cal: Any,
    decision_dates: Iterable[date | None],
    basis_dates: Iterable[date | None],
    kinds: Iterable[str],
) -> tuple[list[date | None], list[datetime | None]]:
    """Per item: (decision_deadline, publish_deadline).

    decision_deadline: the last on-time decision date, the 5th (ministry: 20th)
    working day before the legal basis takes effect (1.1).
    publish_deadline: UTC-naive exclusive instant, 24:00 local of the 5th
    (ministry: 10th) working day after the decision date (1.2).
    kind is "ministry" or "province" (the publishing unit).
    """
    wd = WorkingDates(cal)
    dec_out: list[date | None] = []
    pub_out: list[datetime | None] = []
    for q, e, kind in zip(decision_dates, basis_dates, kinds, strict=True):
        dec_out.append(None if e is None else wd.nth_before(e, DECISION_LEAD_WD[kind]))
        if q is None:
            pub_out.append(None)
        else:
            last = wd.nth_after(q, PUBLISH_LAG_WD[kind])
            pub_out.append(to_utc_naive(datetime.combine(last + timedelta(days=1), time(0), tzinfo=VN)))
    return dec_out, pub_out


def derived_frames(con: Any, prefix: str = "", calendar: Any | None = None) -> dict[str, pd.DataFrame]:
    """Every calendar-derived value, computed from base relations on any Ibis backend.

    For sources that cannot run Python inside their views (the application
    database): read the base relations (names as in facts.py, derived columns not
    needed), compute here, store the frames as tables and join them in the views.

    Returns frames (instants UTC-naive):
      dossier_calendar(MaHoSo, due_effective, finished_at, elapsed_wd)
      complaint_clocks(MaPAKN, start_at, refuse_due, supplement_due, handle_due)
      complaint_publish_due(MaPAKN, ThoiDiem, publish_due)      -- cho_cong_khai rows
      publication_deadlines(SoQuyetDinh, MaTTHC, decision_deadline, publish_deadline)
    """
    cal = calendar if calendar is not None else official_calendar()

    def t(name: str):
        return con.table(prefix + name)

    d, log, p = t("dossiers"), t("dossier_status_log"), t("procedures")
    fin = log.group_by("MaHoSo").agg(
        f9=log.ThoiDiem.min(where=log.TrangThai == 9), f10=log.ThoiDiem.min(where=log.TrangThai == 10)
    )
    fin = fin.rename(k_fin="MaHoSo")
    pp = p.select("MaTTHC", "ThoiGianGiaiQuyet", "DonViTinh", "GioChotTiepNhan").rename(k_p="MaTTHC")
    j = d.left_join(fin, d.MaHoSo == fin.k_fin).left_join(pp, d.MaTTHC == pp.k_p)
    frame = con.execute(
        j.select(
            "MaHoSo",
            "NgayTiepNhan",
            "NgayHenTra",
            "ThoiGianGiaiQuyet",
            "DonViTinh",
            "GioChotTiepNhan",
            finished_at=ibis_coalesce(j.f9, j.f10),
        )
    )
    out = {"dossier_calendar": dossier_calendar_frame(cal, frame)}

    c, cl = t("complaints"), t("complaint_status_log")
    starts = con.execute(
        c.filter(c.NgayGui.notnull())
        .select("MaPAKN", start_at=c.NgayGui)
        .union(
            cl.filter((cl.TrangThai == "chuyen_xu_ly") & cl.ThoiDiem.notnull()).select("MaPAKN", start_at=cl.ThoiDiem),
            distinct=True,
        )
    )
    waits = con.execute(
        cl.filter((cl.TrangThai == "cho_cong_khai") & cl.ThoiDiem.notnull()).select("MaPAKN", "ThoiDiem")
    )
    out.update(complaint_frames(cal, starts, waits))

    pi, u = t("publication_items"), t("units").select("MaDonVi", "LoaiDonVi").rename(k_u="MaDonVi")
    pj = pi.left_join(u, pi.MaDonVi == u.k_u)
    items = con.execute(pj.select("SoQuyetDinh", "MaTTHC", "NgayQuyetDinh", "NgayHieuLucCanCu", "LoaiDonVi"))

    def as_date(v: Any) -> date | None:
        return None if v is None or pd.isna(v) else pd.Timestamp(v).date()

    dec, pub = publication_deadlines(
        cal,
        [as_date(v) for v in items["NgayQuyetDinh"]],
        [as_date(v) for v in items["NgayHieuLucCanCu"]],
        ["ministry" if k == "BO" else "province" for k in items["LoaiDonVi"]],
    )
    out["publication_deadlines"] = pd.DataFrame(
        {
            "SoQuyetDinh": items["SoQuyetDinh"].astype(object),
            "MaTTHC": items["MaTTHC"].astype(object),
            "decision_deadline": pd.Series(dec, dtype=object),
            "publish_deadline": pd.Series(pub, dtype="datetime64[us]"),
        }
    )
    return out


def dossier_calendar_frame(cal: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """dossier_calendar rows from (MaHoSo, NgayTiepNhan, NgayHenTra, ThoiGianGiaiQuyet, DonViTinh,
    GioChotTiepNhan, finished_at): the due instant (statutory when NgayHenTra is missing) and 2.2's
    elapsed working days. Also used for a few dossiers at a time (database.refresh_records)."""
    frame = frame.reset_index(drop=True)
    received = _as_instants(frame["NgayTiepNhan"])
    due = _as_instants(frame["NgayHenTra"])
    missing = due.isna() & received.notna()
    if missing.any():
        idx = missing[missing].index
        due.loc[idx] = statutory_due(
            cal,
            received[idx],
            frame["ThoiGianGiaiQuyet"][idx],
            frame["DonViTinh"][idx],
            list(frame["GioChotTiepNhan"][idx]),
        ).to_numpy()
    finished = _as_instants(frame["finished_at"])
    return pd.DataFrame(
        {
            "MaHoSo": frame["MaHoSo"].astype(object),
            "due_effective": due,
            "finished_at": finished,
            "elapsed_wd": elapsed_working_days(cal, received, finished),
        }
    )


def complaint_frames(cal: Any, starts: pd.DataFrame, waits: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """complaint_clocks from the clock starts (MaPAKN, start_at) and complaint_publish_due from
    the cho_cong_khai rows (MaPAKN, ThoiDiem)."""
    s = _as_instants(starts["start_at"])
    w = _as_instants(waits["ThoiDiem"])
    return {
        "complaint_clocks": pd.DataFrame(
            {
                "MaPAKN": starts["MaPAKN"].astype(object).reset_index(drop=True),
                "start_at": s,
                "refuse_due": add_working_hours(cal, s, PAKN_REFUSE_HOURS),
                "supplement_due": add_working_hours(cal, s, PAKN_SUPPLEMENT_HOURS),
                "handle_due": add_working_hours(cal, s, PAKN_HANDLE_HOURS),
            }
        ),
        "complaint_publish_due": pd.DataFrame(
            {
                "MaPAKN": waits["MaPAKN"].astype(object).reset_index(drop=True),
                "ThoiDiem": w,
                "publish_due": add_working_hours(cal, w, PAKN_PUBLISH_HOURS),
            }
        ),
    }


def ibis_coalesce(*values: Any) -> Any:
    import ibis

    return ibis.coalesce(*values)
