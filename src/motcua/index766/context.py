"""Evaluation context: facts + window + switches, and the shared per-record relations.

Per-record flags (one row per dossier, per complaint, per unit × procedure) are
computed ONCE per evaluation here, materialised as temporary tables, and every
indicator aggregates them with group-bys and one join to ``unit_tree``: no
per-unit loops, so a 2 M-dossier year stays a handful of scans.

Everything is portable Ibis (DuckDB, SQLite, PostgreSQL): no bool→float casts,
no GREATEST/LEAST (SQLite's are not null-safe), instants compared as UTC-naive
timestamps, durations via epoch seconds.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import psycopg

from motcua.index766.facts import Facts
from motcua.index766.periods import Window

# LoaiDonVi -> the CapThucHien level it handles (a provincial department handles TINH procedures).
UNIT_LEVEL = {"BO": "BO", "TINH": "TINH", "SO": "TINH", "HUYEN": "HUYEN", "XA": "XA"}
# DoiTuongThucHien values that make a procedure concern residents (4.5a), compared lowercased.
CITIZEN_SUBJECTS = ("công dân việt nam", "người việt nam định cư ở nước ngoài", "người nước ngoài")
# Online-service statuses counted by 3.2.
LIVE_SERVICE_STATUSES = ("dang_cong_khai", "cho_dung_cong_khai", "dang_kiem_thu")

_ids = itertools.count()

logger = logging.getLogger("motcua.index766")

# What the drivers under the three Ibis backends raise for a statement that fails.
DRIVER_ERRORS = (duckdb.Error, sqlite3.Error, psycopg.Error)


def _raw(con: Any, sql: str) -> None:
    """Run a statement on any Ibis SQL backend (DB-API cursors are closed; DuckDB's is not one)."""
    cur = con.raw_sql(sql)
    if con.name != "duckdb":
        close = getattr(cur, "close", None)
        if close is not None:
            close()


def drop_temp_tables(con: Any, names: Iterable[str]) -> None:
    """Drop an evaluation's temporary tables; one that cannot be dropped is logged, not raised.

    This runs in ``finally`` blocks: on PostgreSQL a failed evaluation leaves the transaction
    aborted, and a DROP error must not hide the error that got us here. The session drops temp
    tables anyway. Anything but a database error (a bug) still propagates.
    """
    for name in names:
        try:
            _raw(con, f'DROP TABLE IF EXISTS "{name}"')
        except DRIVER_ERRORS as exc:
            logger.warning("temporary table %s not dropped (the session drops it): %s", name, exc)


def _i(cond: ir.BooleanValue) -> ir.IntegerValue:
    """Boolean -> 0/1 integer, null-safe and portable (no bool->float cast)."""
    return ibis.ifelse(cond.fill_null(False), 1, 0)


def _epoch(ts: ir.TimestampValue) -> ir.FloatingValue:
    return ts.epoch_seconds().cast("float64")


def _semi(t: ir.Table, keys: ir.Table, predicate: ir.BooleanValue) -> ir.Table:
    """Rows of ``t`` with a match in ``keys``, as a closed relation (later joins start afresh)."""
    return t.semi_join(keys, predicate).select(*t.columns)


def _earliest(a: ir.TimestampValue, b: ir.TimestampValue) -> ir.TimestampValue:
    """The earlier of two instants, ignoring nulls (no LEAST: SQLite's is not null-safe)."""
    return ibis.ifelse(a.isnull(), b, ibis.ifelse(b.isnull() | (a <= b), a, b))


#: Placeholder values for compiled templates (compiled.py): they render to SQL text that
#: cannot occur otherwise, and are replaced by the real values' rendering at run time.
SENTINELS: dict[str, Any] = {
    "T": datetime(1901, 1, 1, 1, 1, 1),
    "J": datetime(1902, 2, 2, 2, 2, 2),
    "start": datetime(1903, 3, 3, 3, 3, 3),
    "start_date": date(1904, 4, 4),
    "t_date": date(1905, 5, 5),
    "code": "§766-P§",
    "end": datetime(1906, 6, 6, 6, 6, 6),
}
LITERAL_TYPES = {
    "T": "timestamp",
    "J": "timestamp",
    "start": "timestamp",
    "start_date": "date",
    "t_date": "date",
    "code": "string",
    "end": "timestamp",
}
TOKEN = "zz766tokzz"  # placeholder inside temp-table names

#: Temporary table (column MaDonVi) naming the units a scoped context computes (live.py).
SCOPE_TABLE = "_m766_scope"
#: Temporary table (column MaHoSo) naming the dossiers a dossier-scoped context computes (live.py).
SCOPE_DOSSIERS = "_m766_scope_dossiers"


def month_sentinel(i: int) -> str:
    return f"§766-M{i}§"


def window_values(window: Window, judge_at: datetime | None) -> dict[str, Any]:
    values = {
        "T": window.t_utc,
        "J": judge_at or window.t_utc,
        "start": window.start_utc,
        "start_date": window.start_date,
        "t_date": window.t_date,
        "code": window.period.code,
        "end": window.end_utc,
    }
    for i, m in enumerate(window.period.months()):
        values[f"month{i}"] = m
    return values


def dossier_summary(facts: Facts, *, wide: bool = False) -> ir.Table:
    """Per-dossier aggregates that do not depend on the evaluation instant.

    first_N: first instant of national status N in the log (7 withdrawn, 8 stopped,
    9 finished, 10 returned); component and fee-line counts. Prepared snapshots store
    it as the optional relation ``dossier_summary``; otherwise it is computed here.
    ``wide``: every dossier column too (the optional relation ``dossier_wide``).
    """
    log = facts.dossier_status_log
    ends = log.group_by("MaHoSo").agg(
        **{f"first_{k}": log.ThoiDiem.min(where=log.TrangThai == k) for k in (9, 10, 8, 7)}
    )
    c = facts.dossier_components
    comp = c.group_by("MaHoSo").agg(
        n_file=_i(c.CoTepDinhKem | c.DuocSoHoa).sum(),
        n_reuse=_i(c.DuocTaiSuDung).sum(),
        n_store=_i(c.DuocLayTuKhoDMQG).sum(),
    )
    fe = facts.dossier_fees
    fees = fe.group_by("MaHoSo").agg(
        n_fee=fe.count(),
        n_fee_zero=_i(fe.Gia.notnull() & (fe.Gia == 0)).sum(),
        n_fee_pos=_i(fe.Gia.notnull() & (fe.Gia != 0)).sum(),
    )
    d = facts.dossiers if wide else facts.dossiers.select("MaHoSo")
    ends = ends.rename(k_end="MaHoSo")
    comp = comp.rename(k_comp="MaHoSo")
    fees = fees.rename(k_fee="MaHoSo")
    j = (
        d.left_join(ends, d.MaHoSo == ends.k_end)
        .left_join(comp, d.MaHoSo == comp.k_comp)
        .left_join(fees, d.MaHoSo == fees.k_fee)
    )
    return j.select(
        *d.columns,
        "first_9",
        "first_10",
        "first_8",
        "first_7",
        n_file=j.n_file.fill_null(0),
        n_reuse=j.n_reuse.fill_null(0),
        n_store=j.n_store.fill_null(0),
        n_fee=j.n_fee.fill_null(0),
        n_fee_zero=j.n_fee_zero.fill_null(0),
        n_fee_pos=j.n_fee_pos.fill_null(0),
    )


@dataclass
class Context:
    facts: Facts
    window: Window
    switches: dict[str, str]
    #: instant at which still-open dossiers/complaints are judged: T normally,
    #: the period end for a forecast (events are still cut at T).
    judge_at: datetime | None = None
    materialize: bool = True
    #: build a reusable template: sentinel literals, shared relations recorded as
    #: (temp table name, SQL) steps and created empty (compiled.py)
    template: bool = False
    steps: list[tuple[str, str]] = field(default_factory=list)
    step_schemas: dict[str, Any] = field(default_factory=dict)
    #: compute only the records of the units listed in the temporary table SCOPE_TABLE (live
    #: recomputation): inputs are filtered before any join, so a commune costs what it holds
    scoped: bool = False
    #: scoped runs read the dossier flags of the scope's units from this stored table (one row
    #: per dossier of the period, column Ky; live.py keeps it current) instead of computing them
    flags_table: str | None = None
    #: scoped runs read the units' competence (catalogue only, no instant) from this stored table
    competence_table: str | None = None
    #: compute the flags of the dossiers listed in SCOPE_DOSSIERS only (live.py refreshes their
    #: stored rows with them)
    dossier_scoped: bool = False
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _temp: list[str] = field(default_factory=list, repr=False)

    # ----------------------------------------------------------------- literals
    def _lit(self, key: str) -> ir.Scalar:
        value = SENTINELS[key] if self.template else window_values(self.window, self.judge_at)[key]
        return ibis.literal(value, type=LITERAL_TYPES[key])

    @property
    def T(self) -> ir.TimestampScalar:
        return self._lit("T")

    @property
    def J(self) -> ir.TimestampScalar:
        return self._lit("J")

    @property
    def start(self) -> ir.TimestampScalar:
        return self._lit("start")

    @property
    def end(self) -> ir.TimestampScalar:
        """The period's end (exclusive), whether or not it has passed."""
        return self._lit("end")

    @property
    def start_date(self) -> ir.DateScalar:
        return self._lit("start_date")

    @property
    def t_date(self) -> ir.DateScalar:
        return self._lit("t_date")

    @property
    def period_code(self) -> ir.StringScalar:
        return self._lit("code")

    @property
    def period_months(self) -> list[ir.StringScalar]:
        months = self.window.period.months()
        if self.template:
            return [ibis.literal(month_sentinel(i), type="string") for i in range(len(months))]
        return [ibis.literal(m, type="string") for m in months]

    def switch(self, name: str) -> str:
        return self.switches[name]

    # ----------------------------------------------------------------- plumbing
    def _restricted(self, t: ir.Table, column: str, scope: ir.Table, key: str) -> ir.Table:
        """``t``'s rows whose ``column`` is a ``key`` of ``scope`` (scoped runs only; else ``t`` itself)."""
        if not (self.scoped or self.dossier_scoped):
            return t
        keys = scope.select(k_scope=key)
        return _semi(t, keys, t[column] == keys.k_scope)

    def _store(self, key: str, expr: ir.Table) -> ir.Table:
        """Materialise a shared relation once (temp table) so indicators reuse it."""
        if key in self._memo:
            return self._memo[key]
        con = self.facts.con
        if self.template:
            name = f"_m766_{key}_{TOKEN}"
            self.steps.append((name, str(con.compile(expr))))
            self.step_schemas[key] = expr.schema()
            # Empty twin with the expression's schema, only to build later expressions on.
            con.create_table(name, schema=expr.schema(), temp=True)
            self._temp.append(name)
            expr = con.table(name)
        elif self.materialize:
            # Typed empty table, then INSERT … SELECT: Ibis 12's create_table(obj) breaks with
            # this sqlglot on SQLite, and SQLite's CREATE AS SELECT loses the column types.
            name = f"_m766_{key}_{next(_ids)}"
            con.create_table(name, schema=expr.schema(), temp=True)
            self._temp.append(name)
            _raw(con, f'INSERT INTO "{name}" {con.compile(expr)}')
            expr = con.table(name)
        self._memo[key] = expr
        return expr

    def store_relation(self, key: str, expr: ir.Table) -> ir.Table:
        """A relation several indicators read, computed once per evaluation (see ``_store``)."""
        return self._store(key, expr)

    def close(self) -> None:
        drop_temp_tables(self.facts.con, self._temp)
        self._temp.clear()
        self._memo.clear()

    # ----------------------------------------------------------------- scope
    @property
    def scope(self) -> ir.Table:
        return self.facts.con.table(SCOPE_TABLE)

    def in_scope(self, t: ir.Table, column: str = "MaDonVi") -> ir.Table:
        """``t`` restricted to the scope's units (unchanged when not scoped)."""
        if not self.scoped:
            return t
        sc = self.scope.select(k_scope="MaDonVi")
        return _semi(t, sc, t[column] == sc.k_scope)

    def scoped_dossiers(self) -> ir.Table:
        """The dossiers this context computes: all; the listed ones (dossier-scoped); or the scope's."""
        d = self.facts.dossiers
        if self.dossier_scoped:
            listed = self.facts.con.table(SCOPE_DOSSIERS).select(k_listed="MaHoSo")
            return _semi(d, listed, d.MaHoSo == listed.k_listed)
        return self._of_scope(d)

    def _of_scope(self, d: ir.Table) -> ir.Table:
        """Per-dossier rows of the scope's units, plus other units' rows of the scope's online
        services (3.2 counts a service's dossiers by MaDVC, whoever handles them)."""
        if not self.scoped:
            return d
        sc = self.scope.select(k_scope="MaDonVi")
        mine = _semi(d, sc, d.MaDonVi == sc.k_scope)
        svc = self.in_scope(self.facts.online_services).select(k_dvc="MaDVC")
        # Keys first (MaDVC, MaDonVi, MaHoSo: one index covers them), whole rows for the few left.
        theirs = d.filter(d.MaDVC.notnull()).select("MaDVC", "MaDonVi", "MaHoSo")
        theirs = _semi(theirs, svc, theirs.MaDVC == svc.k_dvc)
        theirs = theirs.anti_join(sc, theirs.MaDonVi == sc.k_scope).select(k_theirs="MaHoSo")
        return mine.union(_semi(d, theirs, d.MaHoSo == theirs.k_theirs))

    # ----------------------------------------------------------------- units
    @property
    def tree(self) -> ir.Table:
        return self.facts.unit_tree.select("ancestor", "descendant")

    def units(self) -> ir.Table:
        return self.facts.units

    def competence(self) -> ir.Table:
        """(MaDonVi, MaTTHC) a unit is competent for; bai_bo procedures excluded (§4)."""
        if "competence" in self._memo:
            return self._memo["competence"]
        if self.scoped and self.competence_table is not None:
            return self._store("competence", self.in_scope(self.facts.con.table(self.competence_table)))
        f = self.facts
        pu = f.procedure_units.select("MaDonVi", "MaTTHC")
        listed = pu.select("MaTTHC").distinct()
        pu = self.in_scope(pu)
        u = self.in_scope(f.units)
        lvl = u.select(
            "MaDonVi",
            Cap=u.LoaiDonVi.cases(*UNIT_LEVEL.items(), else_=u.LoaiDonVi),
        )
        pl = f.procedure_levels
        by_level = lvl.join(pl, lvl.Cap == pl.Cap).select(lvl.MaDonVi, pl.MaTTHC)
        by_level = by_level.anti_join(listed, "MaTTHC")
        comp = ibis.union(pu, by_level, distinct=True)
        p = f.procedures
        live = p.filter(p.TrangThaiCongKhai.isnull() | (p.TrangThaiCongKhai != "bai_bo"))
        comp = comp.join(
            live.select("MaTTHC", "CoPhiLePhi", "KetQuaGiay", "DayDuBayBoPhan", "TrangThaiCongKhai"),
            "MaTTHC",
        )
        return self._store("competence", comp)

    # ----------------------------------------------------------------- dossiers
    def dossier_flags(self) -> ir.Table:
        """One row per dossier: base memberships and every per-dossier flag at T."""
        if "dossier_flags" in self._memo:
            return self._memo["dossier_flags"]
        if self.scoped and self.flags_table is not None:
            # The table holds one period, this one (live.py checks its Ky before a scoped run).
            stored = self.facts.con.table(self.flags_table).drop("Ky")
            return self._store("dossier_flags", self._of_scope(stored))
        f, T, J, start = self.facts, self.T, self.J, self.start
        d = self.scoped_dossiers()
        if self.scoped or self.dossier_scoped:
            d = self._store("scoped_dossiers", d)

        def same_dossiers(t: ir.Table, column: str = "MaHoSo") -> ir.Table:
            return self._restricted(t, column, d, "MaHoSo")

        s = same_dossiers(f.dossier_supplements)
        s = s.filter(s.NgayYeuCau <= T)
        done = s.NgayBoSung.notnull() & (s.NgayBoSung <= T)
        supp = s.group_by("MaHoSo").agg(
            n_req=s.count(),
            n_open=_i(~done).sum(),
            open_at=s.NgayYeuCau.min(where=~done),
            supp_secs=(_epoch(s.NgayBoSung) - _epoch(s.NgayYeuCau)).sum(where=done),
        )

        # Prepared snapshots hold the dossiers with their summary alongside: no join for a full run.
        wide = not (self.scoped or self.dossier_scoped) and self.facts.has("dossier_wide")
        if wide:
            d = self.facts.table("dossier_wide")
        summary = (
            self.facts.table("dossier_summary") if self.facts.has("dossier_summary") else (dossier_summary(self.facts))
        )
        summary = same_dossiers(summary)

        cp = same_dossiers(f.complaints)
        cp = cp.filter(cp.MaHoSo.notnull() & (cp.NgayGui <= T))
        pakn = cp.group_by("MaHoSo").agg(n_pakn=cp.count())

        p = f.procedures.select("MaTTHC", "KetQuaGiay", "CoPhiLePhi")

        # One flat join chain (keys renamed apart): nested subqueries overflow SQLite's parser.
        summary = summary.rename(k_sum="MaHoSo")
        supp = supp.rename(k_supp="MaHoSo")
        pakn = pakn.rename(k_pakn="MaHoSo")
        p = p.rename(k_proc="MaTTHC")
        j = d if wide else d.left_join(summary, d.MaHoSo == summary.k_sum)
        j = (
            j.left_join(supp, d.MaHoSo == supp.k_supp)
            .left_join(pakn, d.MaHoSo == pakn.k_pakn)
            .left_join(p, d.MaTTHC == p.k_proc)
        )

        def until_t(first: ir.TimestampValue) -> ir.TimestampValue:
            # The first entry of a status at or before T is its first entry overall, if <= T.
            return ibis.ifelse(first <= T, first, ibis.null("timestamp"))

        t9, t10, t8, t7 = (until_t(j[f"first_{k}"]) for k in (9, 10, 8, 7))

        rec = j.NgayTiepNhan
        received = rec.notnull() & (rec <= T)
        t7_ok = ibis.ifelse(t7 >= rec, t7, ibis.null("timestamp"))
        terminal = ibis.coalesce(t9, t10, t8, t7_ok)
        n_open = j.n_open.fill_null(0)
        end_at = ibis.ifelse(n_open > 0, j.open_at, terminal)
        eff_end = _epoch(ibis.coalesce(end_at, J)) - j.supp_secs.fill_null(0.0)
        on_time = (j.n_req.fill_null(0) <= 1) & (j.due_effective.isnull() | (eff_end <= _epoch(j.due_effective)))
        # 3.2/3.5/3.6 date: received, or submitted if not received by T.
        entered = ibis.ifelse(received, rec, j.NgayNopHoSo)
        result_link = j.DuongDanTepTinKetQua.notnull() & (j.NgayCoKetQua.isnull() | (j.NgayCoKetQua <= T))
        paper = j.KetQuaGiay.fill_null(False)
        paid_online = j.DuocThanhToanTrucTuyen.isin([1, 2]) & (j.NgayThanhToan.isnull() | (j.NgayThanhToan <= T))
        flags = j.select(
            "MaHoSo",
            "MaDonVi",
            "MaTTHC",
            "MaDVC",
            "KenhThucHien",
            end_at=end_at,
            # Dossier base of 2.1, 4.1–4.5b, 5.4 (interchange.md §4).
            base_progress=received & ((rec >= start) | end_at.isnull() | (end_at >= start)),
            # 1.4 and 3.3: received in [start, T].
            base_received=received & (rec >= start),
            # 3.2, 3.5, 3.5b, 3.6: received (else submitted) in [start, T].
            base_entered=entered.notnull() & (entered >= start) & (entered <= T),
            on_time=on_time.fill_null(True),
            n_req=j.n_req.fill_null(0),
            synced=j.NgayDongBo.notnull() & (j.NgayDongBo <= T),
            online=j.KenhThucHien == 2,
            e_result=j.MaKetQua.notnull() & result_link,
            result_link=result_link,
            paper=paper,
            fee_bearing=j.CoPhiLePhi.fill_null(False),
            has_file=j.n_file.fill_null(0) > 0,
            reuse=j.HoSoCoThanhPhanSoHoa | (j.n_reuse.fill_null(0) > 0),
            store=j.KetQuaDayVaoKho | (j.n_store.fill_null(0) > 0),
            population=j.TaiKhoanDuocXacThucVoiVNeID | j.MaCSDL.notnull(),
            fee_positive=j.n_fee_pos.fill_null(0) > 0,
            fees_all_zero=(j.n_fee.fill_null(0) > 0) & (j.n_fee_zero.fill_null(0) == j.n_fee.fill_null(0)),
            paid_online=paid_online.fill_null(False),
            pakn_or_dislike=(j.n_pakn.fill_null(0) > 0)
            | (j.KhongHaiLong & (j.NgayDanhGia.isnull() | (j.NgayDanhGia <= T))),
            due_effective=j.due_effective,
            # 2.2: its dossiers (received in the period, finished by T) all have base_received.
            finished_at=j.finished_at,
            elapsed_wd=j.elapsed_wd,
            # Epoch instant from which an open dossier in time turns late if nothing happens
            # (its on_time flips): live.py recomputes a unit once a flip instant has passed.
            late_from=ibis.ifelse(
                end_at.isnull() & (j.n_req.fill_null(0) <= 1) & j.due_effective.notnull(),
                _epoch(j.due_effective) + j.supp_secs.fill_null(0.0),
                ibis.null("float64"),
            ),
        )
        # Keep only dossiers that any base can use.
        flags = flags.filter(flags.base_progress | flags.base_entered)
        return self._store("dossier_flags", flags)

    def dossier_marks(self) -> ir.Table:
        """Per (unit, procedure, online service) of the period's dossiers, 1 where one of them is
        entered online (3.2), entered with a fee above zero (3.5), entered and paid online (3.5b),
        in the progress base using population data (4.5a), or entered for a fee-bearing procedure
        (3.5 and 3.5b's denominator under procedure_lists=portal): one pass over the flags for the
        indicators that count procedures or services having such a dossier."""
        if "dossier_marks" not in self._memo:
            f = self.dossier_flags()
            keep = (f.base_entered & (f.online | f.fee_positive | f.paid_online)) | (f.base_progress & f.population)
            if self.switches.get("procedure_lists") == "portal":
                keep = keep | (f.base_entered & f.fee_bearing)  # 3.5's denominator: any such dossier (§4.1)
            f = f.filter(keep)
            marks = f.group_by("MaDonVi", "MaTTHC", "MaDVC").agg(
                online=_i(f.base_entered & f.online).max(),
                fee=_i(f.base_entered & f.fee_positive).max(),
                paid=_i(f.base_entered & f.paid_online).max(),
                population=_i(f.base_progress & f.population).max(),
                fee_base=_i(f.base_entered & f.fee_bearing).max(),
            )
            self._store("dossier_marks", marks)
        return self._memo["dossier_marks"]

    # ----------------------------------------------------------------- complaints
    def complaint_flags(self) -> ir.Table:
        """One row per complaint sent by T: lateness (5.2), bases of 5.1–5.3."""
        if "complaint_flags" in self._memo:
            return self._memo["complaint_flags"]
        f, T, J, start = self.facts, self.T, self.J, self.start
        # pakn_judged_at=period_end (§4.1): a step not reached by T is missed once its deadline
        # falls before the period's end, even a future one (a forecast's J is that end already).
        if self.switch("pakn_judged_at") == "period_end":
            J = self.end
        c = self.in_scope(f.complaints)
        c = c.filter(c.NgayGui.notnull() & (c.NgayGui <= T))
        if self.scoped:
            c = self._store("scoped_complaints", c)

        def same_complaints(t: ir.Table, column: str = "MaPAKN") -> ir.Table:
            return self._restricted(t, column, c, "MaPAKN")

        clk = same_complaints(f.complaint_clocks)
        clk = clk.filter(clk.start_at <= T)
        latest = clk.group_by("MaPAKN").agg(start_at=clk.start_at.max())
        clock = latest.join(clk, ["MaPAKN", "start_at"]).select(
            "MaPAKN", "start_at", "refuse_due", "supplement_due", "handle_due"
        )

        lg = same_complaints(f.complaint_status_log)
        lg = lg.filter(lg.ThoiDiem <= T)
        first_rx = lg.group_by("MaPAKN").agg(received_at=lg.ThoiDiem.min(where=lg.TrangThai == "da_tiep_nhan"))
        lc = lg.join(clock.select("MaPAKN", "start_at"), "MaPAKN")
        lc = lc.filter(lc.ThoiDiem >= lc.start_at)
        st = lc.TrangThai
        ev = lc.group_by("MaPAKN").agg(
            refused_at=lc.ThoiDiem.min(where=st == "tu_choi"),
            first_supp=lc.ThoiDiem.min(where=st == "yeu_cau_bo_sung"),
            handled_at=lc.ThoiDiem.min(where=st.isin(["cho_cong_khai", "da_cong_khai"])),
            publish_due=lc.publish_due.min(where=st == "cho_cong_khai"),
            published_at=lc.ThoiDiem.min(where=st == "da_cong_khai"),
            returned_at=lc.ThoiDiem.min(where=st == "tra_lai"),
        )
        rep = same_complaints(f.complaints, "MaPAKNTruoc")
        rep = rep.filter(rep.MaPAKNTruoc.notnull() & (rep.NgayGui <= T))
        repeats = rep.group_by(MaPAKN=rep.MaPAKNTruoc).agg(n_repeat=rep.count())

        clock = clock.rename(k_clock="MaPAKN")
        ev = ev.rename(k_ev="MaPAKN")
        first_rx = first_rx.rename(k_rx="MaPAKN")
        repeats = repeats.rename(k_rep="MaPAKN")
        j = (
            c.left_join(clock, c.MaPAKN == clock.k_clock)
            .left_join(ev, c.MaPAKN == ev.k_ev)
            .left_join(first_rx, c.MaPAKN == first_rx.k_rx)
            .left_join(repeats, c.MaPAKN == repeats.k_rep)
        )
        late_refuse = j.refused_at.notnull() & (j.refused_at > j.refuse_due)
        late_supp = j.first_supp.notnull() & (j.first_supp > j.supplement_due)
        closed = ibis.coalesce(j.handled_at, j.returned_at)
        late_handle = j.refused_at.isnull() & (
            (closed.notnull() & (closed > j.handle_due)) | (closed.isnull() & (J > j.handle_due))
        )
        late_publish = j.publish_due.notnull() & (
            (j.published_at.notnull() & (j.published_at > j.publish_due))
            | (j.published_at.isnull() & (J > j.publish_due))
        )
        late = (
            late_refuse.fill_null(False)
            | late_supp.fill_null(False)
            | late_handle.fill_null(False)
            | late_publish.fill_null(False)
        )
        ended_at = ibis.coalesce(j.published_at, j.refused_at, j.returned_at)
        flags = j.select(
            "MaPAKN",
            "MaDonVi",
            "MaHoSo",
            "PhanLoai",
            "handle_due",
            "publish_due",
            late=late,
            base_52=(j.NgayGui >= start) | ended_at.isnull() | (ended_at >= start),
            base_53=j.received_at.notnull() & (j.received_at >= start),
            unsatisfied=j.SoKhongThich > j.SoThich,
            repeated=j.n_repeat.fill_null(0) > 0,
            # When an open complaint turns late if nothing happens (see dossier_flags.late_from).
            flip_at=_earliest(
                ibis.ifelse(j.refused_at.isnull() & closed.isnull(), j.handle_due, ibis.null("timestamp")),
                ibis.ifelse(j.published_at.isnull(), j.publish_due, ibis.null("timestamp")),
            ),
        )
        return self._store("complaint_flags", flags)
