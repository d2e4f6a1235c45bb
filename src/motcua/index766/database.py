"""The application database as a 766 fact source (facts.py), on SQLite and PostgreSQL.

``refresh_database_facts()`` (re)creates, idempotently and without migrations:

* ``m766_base_<relation>``: views over the Django tables giving every relation of
  ``facts.SCHEMAS`` without its calendar-derived columns, record for record what
  ``interchange.exporter`` writes and ``sources.load_exchange_set`` then reads
  (synthesized status-log rows, supplements from 5→4 transitions, flattened lists);
* ``m766_dossier_calendar``, ``m766_complaint_clocks``, ``m766_complaint_publish_due``,
  ``m766_publication_deadlines``: tables of the calendar-derived values, computed in
  Python (``derive.derived_frames``, vectorised) over the base views;
* ``m766_<relation>``: the full relations the engine reads (base joined with derived);
* ``m766_dossier_summary``: the engine's optional per-dossier summary, as a table.

Base columns are live (views); derived values and the summary are as of the last
refresh, so refresh after data changes (``score_database`` does by default).

Vendor notes. PostgreSQL stores instants as timestamptz: views expose
``col AT TIME ZONE 'UTC'`` and cast every column to its contract type; views are
replaced in place (CREATE OR REPLACE) so concurrent scores keep finding them.
SQLite stores instants as naive-UTC text, already the facts convention, but a view
column computed by an expression has no declared type and Ibis would guess it from
the first row (text, or an error on an empty view) — and ``CAST(.. AS TIMESTAMP)``
would turn the text into a number. So each SQLite view is
``SELECT .. FROM m766_t_<relation> WHERE 0 UNION ALL <query>``: an empty table with
the declared contract types, whose types SQLite reports for the whole compound.

Ibis opens its own connection, so it sees committed data only: call these outside
an atomic block (in tests: ``django_db(transaction=True)`` and, on SQLite, a file).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
from django.db import connections, transaction
from django.db.models import Model

from motcua.index766 import derive
from motcua.index766.facts import SCHEMAS, Facts

PREFIX = "m766_"
BASE = PREFIX + "base_"
TYPED = PREFIX + "t_"  # SQLite only: empty tables carrying the declared types

#: Relations whose final form joins calendar-derived values (or is entirely derived), or is stored.
DERIVED_RELATIONS = ("dossiers", "complaint_status_log", "publication_items", "complaint_clocks", "dossier_supplements")

#: Per-dossier relations stored as tables (not views): scoring reads them often and, filtered to a
#: few units, by index. Their views are costly (window functions over every event, rating and
#: result). Refilled by a refresh; ``refresh_records`` updates the rows of a few dossiers in place.
STORED_RELATIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "dossiers": (("MaHoSo",), ("MaDonVi",), ("MaDVC",)),
    "dossier_supplements": (("MaHoSo",),),
}

#: Helper tables naming the dossiers / complaints ``refresh_records`` is updating (in its transaction).
DIRTY_DOSSIERS = PREFIX + "dirty"
DIRTY_COMPLAINTS = PREFIX + "dirty_pakn"
#: Views restricted to the dirty dossiers, one per per-dossier base relation (prefix ``m766_dirty_``).
DIRTY_RELATIONS = ("dossiers", "dossier_status_log", "dossier_supplements", "dossier_fees", "dossier_components")

#: Switches that differ when scoring our own database. None since §4.1: the scoreboard reproduces
#: the portal, whose 1.4 takes the reference counts (stored ones too), else the numerator
#: (sync_denominator=synced); §4's own_received stays available as a switch value.
DEFAULT_SWITCHES: dict[str, str] = {}

_SQLITE_TYPES = {
    "string": "TEXT",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "int64": "INTEGER",
    "float64": "REAL",
}
_PG_TYPES = {
    "string": "text",
    "timestamp": "timestamp",
    "date": "date",
    "boolean": "boolean",
    "int64": "bigint",
    "float64": "double precision",
}

#: Derived tables: name -> {column: facts type}.
DERIVED_TABLES: dict[str, dict[str, str]] = {
    "dossier_calendar": {
        "MaHoSo": "string",
        "due_effective": "timestamp",
        "finished_at": "timestamp",
        "elapsed_wd": "float64",
    },
    "complaint_clocks": dict(SCHEMAS["complaint_clocks"]),
    "complaint_publish_due": {"MaPAKN": "string", "ThoiDiem": "timestamp", "publish_due": "timestamp"},
    "publication_deadlines": {
        "NgayQuyetDinh": "date",
        "NgayHieuLucCanCu": "date",
        "publisher_kind": "string",
        "decision_deadline": "date",
        "publish_deadline": "timestamp",
    },
}
_DERIVED_KEYS = {
    "dossier_calendar": ("MaHoSo",),
    "complaint_clocks": ("MaPAKN",),
    "complaint_publish_due": ("MaPAKN", "ThoiDiem"),
    "publication_deadlines": ("NgayQuyetDinh", "NgayHieuLucCanCu"),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Dialect:
    """The few SQL fragments that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str):
        if vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"766 database facts support SQLite and PostgreSQL, not {vendor}")
        self.vendor = vendor
        self.pg = vendor == "postgresql"
        self.false = "false" if self.pg else "0"
        self.types = _PG_TYPES if self.pg else _SQLITE_TYPES

    def ts(self, expr: str) -> str:
        # timestamptz -> the UTC wall clock; SQLite already stores naive-UTC text.
        return f"({expr} AT TIME ZONE 'UTC')" if self.pg else expr

    def real(self, expr: str) -> str:
        return f"CAST({expr} AS {'double precision' if self.pg else 'REAL'})"

    def hhmm(self, expr: str) -> str:
        # TimeField: PG time, SQLite 'HH:MM:SS[.ffffff]' text; the exporter writes %H:%M.
        return f"to_char({expr}, 'HH24:MI')" if self.pg else f"substr({expr}, 1, 5)"

    def json_items(self, expr: str, alias: str) -> str:
        """A FROM-clause item yielding ``alias.value`` per element of a JSON list (non-lists: none)."""
        if self.pg:
            return (
                f"CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof({expr}) = 'array' "
                f"THEN {expr} ELSE '[]'::jsonb END) AS {alias}(value)"
            )
        return f"CROSS JOIN json_each(CASE WHEN json_type({expr}) = 'array' THEN {expr} ELSE '[]' END) AS {alias}"

    def same(self, a: str, b: str) -> str:
        return f"{a} IS NOT DISTINCT FROM {b}" if self.pg else f"{a} IS {b}"


def _tables() -> dict[str, str]:
    from motcua.catalog.models import OnlineService, Procedure, PublicationDecision, PublicationItem
    from motcua.dossiers.models import (
        Dossier,
        DossierComponent,
        DossierEvent,
        DossierResult,
        FeeLine,
        SupplementRequest,
    )
    from motcua.feedback.models import Complaint, ComplaintStatusLog, Rating
    from motcua.interchange.models import ReferenceCount
    from motcua.org.models import Unit

    models: dict[str, type[Model]] = {
        "unit": Unit,
        "procedure": Procedure,
        "service": OnlineService,
        "decision": PublicationDecision,
        "item": PublicationItem,
        "dossier": Dossier,
        "event": DossierEvent,
        "result": DossierResult,
        "fee": FeeLine,
        "component": DossierComponent,
        "supplement": SupplementRequest,
        "complaint": Complaint,
        "clog": ComplaintStatusLog,
        "rating": Rating,
        "refcount": ReferenceCount,
        "competent": Procedure.competent_units.through,
    }
    return {k: _q(m._meta.db_table) for k, m in models.items()}


def base_queries(d: _Dialect, only: str | None = None) -> dict[str, str]:
    """Relation -> SELECT giving its base columns in contract order (see interchange.exporter).

    ``only``: an SQL ``IN (…)`` restricting the per-dossier relations to some dossier ids, pushed
    into every subquery (the incremental refresh reads a few dossiers without scanning all events).
    """
    t = _tables()
    ts, real, false = d.ts, d.real, d.false

    def o(col: str) -> str:
        return f" AND {col} {only}" if only else ""

    q = {}
    q["units"] = f"""
        SELECT u.code AS "MaDonVi", u.name AS "TenDonVi", p.code AS "MaDonViCha", UPPER(u.kind) AS "LoaiDonVi",
               u.offers_e_certified_copy AS "CungCapChungThucDienTu", u.valid_from AS "HieuLucTu",
               u.valid_to AS "HieuLucDen"
        FROM {t["unit"]} u LEFT JOIN {t["unit"]} p ON p.id = u.parent_id"""
    q["unit_tree"] = f"""
        SELECT DISTINCT a.code AS "ancestor", dd.code AS "descendant", tr.depth AS "depth"
        FROM (WITH RECURSIVE tr(anc, des, depth) AS (
                SELECT id, id, 0 FROM {t["unit"]}
                UNION ALL
                SELECT u.parent_id, tr.des, tr.depth + 1
                FROM tr JOIN {t["unit"]} u ON u.id = tr.anc
                WHERE u.parent_id IS NOT NULL AND tr.depth < 32)
              SELECT anc, des, depth FROM tr) tr
        JOIN {t["unit"]} a ON a.id = tr.anc JOIN {t["unit"]} dd ON dd.id = tr.des"""
    q["procedures"] = f"""
        SELECT code AS "MaTTHC", NULLIF(name, '') AS "TenTTHC", NULLIF(field_code, '') AS "MaLinhVuc",
               {real("time_limit")} AS "ThoiGianGiaiQuyet", NULLIF(time_unit, '') AS "DonViTinh",
               has_fee AS "CoPhiLePhi", paper_result AS "KetQuaGiay",
               eligible_full_online AS "DuDieuKienToanTrinh", all_seven_parts AS "DayDuBayBoPhan",
               NULLIF(publication_status, '') AS "TrangThaiCongKhai",
               {d.hhmm("cutoff_time")} AS "GioChotTiepNhan"
        FROM {t["procedure"]}"""
    q["procedure_levels"] = " UNION ALL ".join(
        f"""SELECT code AS "MaTTHC", '{cap}' AS "Cap" FROM {t["procedure"]} WHERE {col}"""
        for cap, col in (
            ("BO", "level_ministry"),
            ("TINH", "level_province"),
            ("HUYEN", "level_district"),
            ("XA", "level_commune"),
        )
    )
    q["procedure_units"] = f"""
        SELECT DISTINCT p.code AS "MaTTHC", u.code AS "MaDonVi"
        FROM {t["competent"]} c JOIN {t["procedure"]} p ON p.id = c.procedure_id
        JOIN {t["unit"]} u ON u.id = c.unit_id"""
    q["procedure_subjects"] = f"""
        SELECT DISTINCT p.code AS "MaTTHC", s.value AS "DoiTuongThucHien"
        FROM {t["procedure"]} p {d.json_items("p.subjects", "s")}
        WHERE s.value IS NOT NULL"""
    q["online_services"] = f"""
        SELECT s.code AS "MaDVC", p.code AS "MaTTHC", u.code AS "MaDonVi", NULLIF(s.level, '') AS "MucDo",
               NULLIF(s.status, '') AS "TrangThai", s.valid_from AS "HieuLucTu", s.valid_to AS "HieuLucDen"
        FROM {t["service"]} s JOIN {t["procedure"]} p ON p.id = s.procedure_id
        JOIN {t["unit"]} u ON u.id = s.unit_id"""
    q["publication_items"] = f"""
        SELECT pd.number AS "SoQuyetDinh", u.code AS "MaDonVi", pd.decided_on AS "NgayQuyetDinh",
               NULLIF(pd.kind, '') AS "Loai", p.code AS "MaTTHC", i.basis_effective_on AS "NgayHieuLucCanCu",
               {ts("i.published_at")} AS "NgayCongKhai"
        FROM {t["item"]} i JOIN {t["decision"]} pd ON pd.id = i.decision_id
        JOIN {t["unit"]} u ON u.id = pd.unit_id JOIN {t["procedure"]} p ON p.id = i.procedure_id"""
    # First result row per dossier (by pk); latest rating by (rated_at, pk) — the
    # descending order puts NULL rated_at where each vendor's ascending order ends,
    # so the row is the one the exporter takes on that vendor.
    q["dossiers"] = f"""
        SELECT d.code AS "MaHoSo", p.code AS "MaTTHC", s.code AS "MaDVC", hu.code AS "MaDonVi",
               ru.code AS "MaDonViTiepNhan", d.channel AS "KenhThucHien",
               {ts("d.submitted_at")} AS "NgayNopHoSo", {ts("d.received_at")} AS "NgayTiepNhan",
               {ts("d.due_at")} AS "NgayHenTra", NULLIF(d.origin, '') AS "NguonHoSo",
               d.status AS "TrangThaiHoSo", {ts("d.ended_at")} AS "NgayKetThucXuLy",
               d.online_payment AS "DuocThanhToanTrucTuyen", {ts("d.paid_at")} AS "NgayThanhToan",
               d.has_digitized_component AS "HoSoCoThanhPhanSoHoa",
               NULLIF(TRIM(r.code), '') AS "MaKetQua", NULLIF(TRIM(r.file_url), '') AS "DuongDanTepTinKetQua",
               {ts("r.issued_at")} AS "NgayCoKetQua",
               COALESCE(r.pushed_to_citizen_store, {false}) AS "KetQuaDayVaoKho",
               d.vneid_authenticated AS "TaiKhoanDuocXacThucVoiVNeID",
               NULLIF(TRIM(d.population_db_ref), '') AS "MaCSDL", {ts("d.synced_at")} AS "NgayDongBo",
               COALESCE(rt.dissatisfied, {false}) AS "KhongHaiLong", {ts("rt.rated_at")} AS "NgayDanhGia"
        FROM {t["dossier"]} d
        JOIN {t["procedure"]} p ON p.id = d.procedure_id
        JOIN {t["unit"]} hu ON hu.id = d.handling_unit_id
        LEFT JOIN {t["unit"]} ru ON ru.id = d.receiving_unit_id
        LEFT JOIN {t["service"]} s ON s.id = d.online_service_id
        LEFT JOIN (SELECT r1.dossier_id, r1.code, r1.file_url, r1.issued_at, r1.pushed_to_citizen_store
                   FROM {t["result"]} r1
                   JOIN (SELECT MIN(id) AS id FROM {t["result"]} WHERE 1 = 1{o("dossier_id")}
                         GROUP BY dossier_id) f ON f.id = r1.id
                  ) r ON r.dossier_id = d.id
        LEFT JOIN (SELECT dossier_id, dissatisfied, rated_at
                   FROM (SELECT dossier_id, dissatisfied, rated_at,
                                ROW_NUMBER() OVER (PARTITION BY dossier_id ORDER BY rated_at DESC, id DESC) AS rn
                         FROM {t["rating"]} WHERE 1 = 1{o("dossier_id")}) x
                   WHERE rn = 1) rt ON rt.dossier_id = d.id
        WHERE 1 = 1{o("d.id")}"""
    # No status event: one synthetic terminal row (sources.py, dossier_status_log).
    q["dossier_status_log"] = f"""
        SELECT d.code AS "MaHoSo", e.to_status AS "TrangThai", {ts("e.occurred_at")} AS "ThoiDiem"
        FROM {t["event"]} e JOIN {t["dossier"]} d ON d.id = e.dossier_id
        WHERE e.kind = 'status'{o("e.dossier_id")}
        UNION ALL
        SELECT d.code, d.status, {ts("d.ended_at")}
        FROM {t["dossier"]} d
        WHERE d.status IN (7, 8, 9, 10) AND d.ended_at IS NOT NULL{o("d.id")}
          AND NOT EXISTS (SELECT 1 FROM {t["event"]} e WHERE e.dossier_id = d.id AND e.kind = 'status')"""
    # Supplement requests when recorded, else the 5→4 transitions of the log, exactly
    # as sources.py derives them (log order = occurred_at, then pk, as exported).
    q["dossier_supplements"] = f"""
        SELECT d.code AS "MaHoSo", {ts("x.req")} AS "NgayYeuCau", {ts("x.done")} AS "NgayBoSung"
        FROM (
          SELECT dossier_id, requested_at AS req, completed_at AS done FROM {t["supplement"]}
          WHERE stage <> 'reception'{o("dossier_id")}
          UNION ALL
          SELECT * FROM (
            WITH ev AS (
              SELECT e.dossier_id, e.to_status AS st, e.occurred_at AS at,
                     ROW_NUMBER() OVER (PARTITION BY e.dossier_id ORDER BY e.occurred_at, e.id) AS rn
              FROM {t["event"]} e
              WHERE e.kind = 'status'{o("e.dossier_id")}
                AND EXISTS (SELECT 1 FROM {t["event"]} f
                            WHERE f.dossier_id = e.dossier_id AND f.kind = 'status' AND f.to_status = 5)
                AND NOT EXISTS (SELECT 1 FROM {t["supplement"]} s WHERE s.dossier_id = e.dossier_id)),
            marked AS (
              SELECT ev.*, LAG(st) OVER (PARTITION BY dossier_id ORDER BY rn) AS prev FROM ev),
            requests AS (
              SELECT dossier_id, at AS req, rn FROM marked WHERE st = 5 AND (prev IS NULL OR prev <> 5)),
            leaving AS (
              SELECT r.dossier_id, r.req, MIN(m.rn) AS next_rn
              FROM requests r JOIN marked m ON m.dossier_id = r.dossier_id AND m.rn > r.rn AND m.st <> 5
              GROUP BY r.dossier_id, r.req)
            SELECT r.dossier_id, r.req, CASE WHEN m.st = 4 THEN m.at END AS done
            FROM requests r
            LEFT JOIN leaving l ON l.dossier_id = r.dossier_id AND l.req = r.req
            LEFT JOIN marked m ON m.dossier_id = l.dossier_id AND m.rn = l.next_rn) y
        ) x JOIN {t["dossier"]} d ON d.id = x.dossier_id"""
    q["dossier_fees"] = f"""
        SELECT d.code AS "MaHoSo", NULLIF(f.code, '') AS "MaPhiLePhi", {real("f.amount")} AS "Gia"
        FROM {t["fee"]} f JOIN {t["dossier"]} d ON d.id = f.dossier_id
        WHERE 1 = 1{o("d.id")}"""
    q["dossier_components"] = f"""
        SELECT d.code AS "MaHoSo", NULLIF(c.component_code, '') AS "MaThanhPhanHoSo",
               c.has_file AS "CoTepDinhKem", c.digitized AS "DuocSoHoa", c.reused AS "DuocTaiSuDung",
               c.from_citizen_store AS "DuocLayTuKhoDMQG"
        FROM {t["component"]} c JOIN {t["dossier"]} d ON d.id = c.dossier_id
        WHERE 1 = 1{o("d.id")}"""
    q["complaints"] = f"""
        SELECT c.code AS "MaPAKN", u.code AS "MaDonVi", NULLIF(c.dossier_code, '') AS "MaHoSo",
               NULLIF(c.category, '') AS "PhanLoai", {ts("c.submitted_at")} AS "NgayGui",
               c.likes AS "SoThich", c.dislikes AS "SoKhongThich", prev.code AS "MaPAKNTruoc"
        FROM {t["complaint"]} c JOIN {t["unit"]} u ON u.id = c.unit_id
        LEFT JOIN {t["complaint"]} prev ON prev.id = c.repeats_id"""
    q["complaint_status_log"] = f"""
        SELECT c.code AS "MaPAKN", NULLIF(l.status, '') AS "TrangThai", {ts("l.occurred_at")} AS "ThoiDiem"
        FROM {t["clog"]} l JOIN {t["complaint"]} c ON c.id = l.complaint_id"""
    q["reference_counts"] = f"""
        SELECT u.code AS "MaDonVi", UPPER(r.period) AS "Ky", r.national_reporting_count AS "SoHoSoBCQG",
               r.national_portal_count AS "SoHoSoDVCQG"
        FROM {t["refcount"]} r JOIN {t["unit"]} u ON u.id = r.unit_id"""
    return q


def _final_queries(d: _Dialect, dossier_base: str = BASE + "dossiers") -> dict[str, str]:
    """Relations with derived columns: base view joined with the derived tables."""

    def cols(name: str, alias: str, skip: Iterable[str] = ()) -> str:
        return ", ".join(f"{alias}.{_q(c)}" for c in SCHEMAS[name] if c not in set(skip))

    q = {}
    q["dossiers"] = f"""
        SELECT {cols("dossiers", "b", ("due_effective", "finished_at", "elapsed_wd"))},
               c."due_effective", c."finished_at", c."elapsed_wd"
        FROM {_q(dossier_base)} b LEFT JOIN {PREFIX}dossier_calendar c ON c."MaHoSo" = b."MaHoSo" """
    q["complaint_status_log"] = f"""
        SELECT b."MaPAKN", b."TrangThai", b."ThoiDiem",
               CASE WHEN b."TrangThai" = 'cho_cong_khai' THEN c."publish_due" END AS "publish_due"
        FROM {BASE}complaint_status_log b
        LEFT JOIN {PREFIX}complaint_publish_due c ON c."MaPAKN" = b."MaPAKN" AND c."ThoiDiem" = b."ThoiDiem" """
    q["publication_items"] = f"""
        SELECT {cols("publication_items", "b", ("decision_deadline", "publish_deadline"))},
               c."decision_deadline", c."publish_deadline"
        FROM {BASE}publication_items b
        LEFT JOIN {BASE}units u ON u."MaDonVi" = b."MaDonVi"
        LEFT JOIN {PREFIX}publication_deadlines c
          ON {d.same('c."NgayQuyetDinh"', 'b."NgayQuyetDinh"')}
         AND {d.same('c."NgayHieuLucCanCu"', 'b."NgayHieuLucCanCu"')}
         AND c."publisher_kind" = CASE WHEN u."LoaiDonVi" = 'BO' THEN 'ministry' ELSE 'province' END"""
    q["complaint_clocks"] = f"SELECT {cols('complaint_clocks', 'c')} FROM {PREFIX}complaint_clocks c"
    return q


# --- DDL ----------------------------------------------------------------------------------------------


def _existing(cur: Any, d: _Dialect) -> dict[str, str]:
    """m766_* relation name -> 'view' | 'table'."""
    if d.pg:
        cur.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name LIKE 'm766\\_%'"
        )
        return {n: ("view" if k == "VIEW" else "table") for n, k in cur.fetchall()}
    cur.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('view', 'table') AND name LIKE 'm766\\_%' ESCAPE '\\'"
    )
    return dict(cur.fetchall())


def _serialize(cur: Any, d: _Dialect) -> None:
    """One refresh at a time (SQLite: BEGIN IMMEDIATE in settings already serialises writers)."""
    if d.pg:
        cur.execute("SELECT pg_advisory_xact_lock(766766)")


def _drop(cur: Any, d: _Dialect, name: str, kind: str) -> None:
    cascade = " CASCADE" if d.pg else ""
    cur.execute(f"DROP {kind.upper()} IF EXISTS {_q(name)}{cascade}")


def _columns_of(cur: Any, d: _Dialect, name: str) -> list[str]:
    if d.pg:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s ORDER BY ordinal_position",
            [name],
        )
        return [row[0] for row in cur.fetchall()]
    cur.execute(f"PRAGMA table_info({_q(name)})")
    return [row[1] for row in cur.fetchall()]


def _index_names(name: str, indexes: tuple[tuple[str, ...], ...]) -> list[str]:
    return [name + ("_key" if i == 0 else f"_k{i}") for i in range(len(indexes))]


def _reload_table(cur: Any, d: _Dialect, name: str, cols: dict[str, str], indexes: tuple[tuple[str, ...], ...]) -> None:
    """Make ``name`` an empty table with ``cols`` and no index, ready to be filled in the caller's
    transaction; ``_index_table`` then (re)creates ``indexes`` (a bulk load indexes faster after).

    An existing table with the same columns is emptied, not dropped: it keeps its identity,
    so a score running meanwhile on another connection reads the old rows or (after the
    commit) the new ones, never a relation that has disappeared. PostgreSQL's TRUNCATE
    makes such a reader wait for the commit instead.
    """
    if _columns_of(cur, d, name) == list(cols):
        cur.execute(f"TRUNCATE {_q(name)}" if d.pg else f"DELETE FROM {_q(name)}")
        for index in _index_names(name, indexes):
            cur.execute(f"DROP INDEX IF EXISTS {_q(index)}")
        return
    _drop(cur, d, name, "table")
    cur.execute(f"CREATE TABLE {_q(name)} (" + ", ".join(f"{_q(c)} {d.types[t]}" for c, t in cols.items()) + ")")


def _index_table(cur: Any, d: _Dialect, name: str, indexes: tuple[tuple[str, ...], ...]) -> None:
    """The indexes ``_reload_table`` left out, once the rows are in; fresh planner statistics."""
    for index, key in zip(_index_names(name, indexes), indexes, strict=True):
        cur.execute(f"CREATE INDEX IF NOT EXISTS {_q(index)} ON {_q(name)} ({', '.join(_q(c) for c in key)})")
    if d.pg:
        cur.execute(f"ANALYZE {_q(name)}")


def _bulk_session(cur: Any, d: _Dialect) -> None:
    """Memory for a full rebuild's joins, sorts and index builds (this transaction only): with the
    default 4 MB, 2 million dossiers spill every hash join to disk."""
    if d.pg:
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")


def _create_view(cur: Any, d: _Dialect, name: str, relation_cols: dict[str, str], query: str) -> None:
    """CREATE OR REPLACE (PG) / drop and create (SQLite) a view typed as ``relation_cols``."""
    if d.pg:
        select = ", ".join(f"CAST(q.{_q(c)} AS {d.types[t]}) AS {_q(c)}" for c, t in relation_cols.items())
        sql = f"CREATE OR REPLACE VIEW {_q(name)} AS SELECT {select} FROM ({query}) q"
        try:
            with transaction.atomic(using=cur.db.alias):  # savepoint
                cur.execute(sql)
        except Exception:  # noqa: BLE001 - columns changed since the view was made: rebuild
            _drop(cur, d, name, "view")
            cur.execute(sql)
        return
    # SQLite resolves views at query time: dependants survive a drop and create.
    typed = TYPED + name.removeprefix(PREFIX)
    cur.execute(f"DROP VIEW IF EXISTS {_q(name)}")
    cur.execute(f"DROP TABLE IF EXISTS {_q(typed)}")
    cur.execute(
        f"CREATE TABLE {_q(typed)} (" + ", ".join(f"{_q(c)} {d.types[t]}" for c, t in relation_cols.items()) + ")"
    )
    cols = ", ".join(_q(c) for c in relation_cols)
    cur.execute(
        f"CREATE VIEW {_q(name)} AS SELECT {cols} FROM {_q(typed)} WHERE 0 UNION ALL SELECT {cols} FROM ({query})"
    )


def _base_columns(name: str) -> dict[str, str]:
    derived = {
        "dossiers": ("due_effective", "finished_at", "elapsed_wd"),
        "publication_items": ("decision_deadline", "publish_deadline"),
        "complaint_status_log": ("publish_due",),
    }.get(name, ())
    return {c: t for c, t in SCHEMAS[name].items() if c not in derived}


def _create_base_views(using: str, d: _Dialect) -> None:
    # Replaced in place (no drop first), so scoring meanwhile still finds every relation.
    queries = base_queries(d)
    with transaction.atomic(using=using), connections[using].cursor() as cur:
        _serialize(cur, d)
        for name, query in queries.items():
            _create_view(cur, d, BASE + name, _base_columns(name), query)
        for name in SCHEMAS:  # relations without derived columns: the base view as is
            if name not in DERIVED_RELATIONS:
                _create_view(cur, d, PREFIX + name, dict(SCHEMAS[name]), f"SELECT * FROM {_q(BASE + name)}")


# --- derived tables -------------------------------------------------------------------------------------


def _publication_frame(con: Any, cal: Any) -> pd.DataFrame:
    """1.1/1.2 deadlines per distinct (decision date, basis date, publisher kind).

    Not derived_frames' per-(SoQuyetDinh, MaTTHC) frame: decision numbers are unique
    per unit only, and the deadlines depend on these three values alone.
    """
    pi, u = con.table(BASE + "publication_items"), con.table(BASE + "units")
    u = u.select(k_u=u.MaDonVi, LoaiDonVi=u.LoaiDonVi)
    j = pi.left_join(u, pi.MaDonVi == u.k_u)
    kind = (j.LoaiDonVi == "BO").ifelse("ministry", "province").fill_null("province")
    items = con.execute(j.select("NgayQuyetDinh", "NgayHieuLucCanCu", publisher_kind=kind).distinct())

    def as_date(v: Any) -> date | None:
        return None if v is None or pd.isna(v) else pd.Timestamp(v).date()

    decided = [as_date(v) for v in items["NgayQuyetDinh"]]
    basis = [as_date(v) for v in items["NgayHieuLucCanCu"]]
    kinds = list(items["publisher_kind"])
    dec, pub = derive.publication_deadlines(cal, decided, basis, kinds)
    return pd.DataFrame(
        {
            "NgayQuyetDinh": pd.Series(decided, dtype=object),
            "NgayHieuLucCanCu": pd.Series(basis, dtype=object),
            "publisher_kind": pd.Series(kinds, dtype=object),
            "decision_deadline": pd.Series(dec, dtype=object),
            "publish_deadline": pd.Series(pub, dtype="datetime64[us]"),
        }
    )


def compute_derived(con: Any, calendar: Any | None = None) -> dict[str, pd.DataFrame]:
    """The derived tables' contents, from the base views on the Ibis connection ``con``."""
    cal = calendar if calendar is not None else derive.official_calendar()
    frames = derive.derived_frames(con, prefix=BASE, calendar=cal)
    frames.pop("publication_deadlines")
    # Values depend on the instant only: duplicates (same instant twice) would duplicate joins.
    frames["complaint_publish_due"] = frames["complaint_publish_due"].drop_duplicates(["MaPAKN", "ThoiDiem"])
    frames["publication_deadlines"] = _publication_frame(con, cal)
    return frames


def _text_frame(frame: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    """Vectorised: instants and dates as the text both vendors accept, NaN/None for missing.

    Instants in Django's SQLite form (str(datetime): microseconds only when non-zero),
    so equal instants compare equal as text.
    """
    out = {}
    for c, typ in cols.items():
        s = frame[c]
        if typ == "timestamp":
            text = pd.Series(s, dtype="datetime64[us]").dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object)
            out[c] = text.where(~text.str.endswith(".000000", na=False), text.str[:-7])
        elif typ == "date":
            out[c] = s.map(lambda v: None if v is None or pd.isna(v) else pd.Timestamp(v).date().isoformat())
        elif typ == "float64":
            out[c] = s.astype("float64")
        else:
            out[c] = s.astype(object)
    return pd.DataFrame(out, index=frame.index)


def _insert_frame(cur: Any, d: _Dialect, full: str, cols: dict[str, str], frame: pd.DataFrame) -> None:
    text = _text_frame(frame, cols)
    col_list = ", ".join(_q(c) for c in cols)
    if len(text) and d.pg:
        # CSV COPY through the psycopg cursor under Django's wrapper (empty field = NULL).
        buf = io.StringIO()
        text.to_csv(buf, header=False, index=False)
        with cur.cursor.copy(f"COPY {_q(full)} ({col_list}) FROM STDIN WITH (FORMAT csv)") as cp:
            cp.write(buf.getvalue())
    elif len(text):
        rows = text.astype(object).where(text.notna(), None).itertuples(index=False, name=None)
        cur.executemany(f"INSERT INTO {_q(full)} ({col_list}) VALUES ({', '.join(['%s'] * len(cols))})", list(rows))


def _write_derived(cur: Any, d: _Dialect, frames: dict[str, pd.DataFrame]) -> None:
    for name, cols in DERIVED_TABLES.items():
        full = PREFIX + name
        _reload_table(cur, d, full, cols, (_DERIVED_KEYS[name],))
        _insert_frame(cur, d, full, cols, frames[name])
        _index_table(cur, d, full, (_DERIVED_KEYS[name],))


def _only_dirty(t: dict[str, str]) -> str:
    return f"IN (SELECT dd.id FROM {t['dossier']} dd JOIN {_q(DIRTY_DOSSIERS)} x ON x.{_q('MaHoSo')} = dd.code)"


def _install_stored(cur: Any, d: _Dialect, final: dict[str, str]) -> None:
    """The stored per-dossier relations, refilled; and the views restricted to dirty dossiers."""
    for name, indexes in STORED_RELATIONS.items():
        full = PREFIX + name
        cols = dict(SCHEMAS[name])
        _reload_table(cur, d, full, cols, indexes)
        source = final[name] if name in final else f"SELECT * FROM {_q(BASE + name)}"
        col_list = ", ".join(_q(c) for c in cols)
        cur.execute(f"INSERT INTO {_q(full)} ({col_list}) SELECT {col_list} FROM ({source}) s")
        _index_table(cur, d, full, indexes)
    for table, key in ((DIRTY_DOSSIERS, "MaHoSo"), (DIRTY_COMPLAINTS, "MaPAKN")):
        cur.execute(f"CREATE TABLE IF NOT EXISTS {_q(table)} ({_q(key)} {d.types['string']} PRIMARY KEY)")
    dirty = base_queries(d, only=_only_dirty(_tables()))
    for name in DIRTY_RELATIONS:
        _create_view(cur, d, PREFIX + "dirty_" + name, _base_columns(name), dirty[name])


def _install_derived(using: str, d: _Dialect, frames: dict[str, pd.DataFrame]) -> None:
    final = _final_queries(d)
    with transaction.atomic(using=using), connections[using].cursor() as cur:
        _serialize(cur, d)
        _bulk_session(cur, d)
        existing = _existing(cur, d)
        for name in DERIVED_TABLES:  # an older layout may have a view where a derived table goes
            if existing.get(PREFIX + name) == "view":
                _drop(cur, d, PREFIX + name, "view")
        # complaint_clocks is both a derived table and a final relation: the table
        # takes the name the engine reads; other final relations are views.
        for name in STORED_RELATIONS:  # an older layout had views there
            if existing.get(PREFIX + name) == "view":
                _drop(cur, d, PREFIX + name, "view")
        _write_derived(cur, d, frames)
        for name in ("complaint_status_log", "publication_items"):
            _create_view(cur, d, PREFIX + name, dict(SCHEMAS[name]), final[name])
        _install_stored(cur, d, final)


# --- public API -----------------------------------------------------------------------------------------


#: Settings of the engine's own PostgreSQL session (not the application's): its queries are a few
#: large scans, joins and sorts. JIT compiling costs 30-300 ms a query and saves nothing at these
#: sizes; the default 4 MB work_mem spills the sorts of a large department's dossiers to disk.
ANALYTIC_SESSION = ("jit = off", "work_mem = '64MB'", "temp_buffers = '256MB'")


def ibis_connection(using: str = "default") -> Any:
    """An Ibis connection of its own to Django's database ``using`` (sees committed data only)."""
    import ibis

    conn = connections[using]
    s = conn.settings_dict
    if conn.vendor == "sqlite":
        name = str(s["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError(
                "766 database facts need a file SQLite database: Ibis opens its own connection "
                "(tests: set the test database NAME to a file)."
            )
        return ibis.sqlite.connect(name)
    if conn.vendor == "postgresql":
        kwargs = {
            k: v
            for k, v in (s.get("OPTIONS") or {}).items()
            if k
            in (
                "sslmode",
                "sslrootcert",
                "sslcert",
                "sslkey",
                "connect_timeout",
                "options",
                "application_name",
                "target_session_attrs",
            )
        }
        con = ibis.postgres.connect(
            host=s.get("HOST") or None,
            port=int(s["PORT"]) if s.get("PORT") else None,
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
            database=s.get("NAME"),
            **kwargs,
        )
        for setting in ANALYTIC_SESSION:
            con.raw_sql(f"SET {setting}").close()
        return con
    raise NotImplementedError(f"766 database facts support SQLite and PostgreSQL, not {conn.vendor}")


def _source_tables() -> list[str]:
    return sorted(set(_tables().values()))


def _analyze(using: str, d: _Dialect) -> None:
    """Fresh planner statistics: right after a bulk import PostgreSQL has none yet
    and picks nested loops over 200k-row joins (scores 5x slower)."""
    with connections[using].cursor() as cur:
        if d.pg:
            cur.execute("ANALYZE " + ", ".join(_source_tables()))
        else:
            cur.execute("PRAGMA optimize")


def _store_summary(using: str, d: _Dialect) -> None:
    """The optional dossier_summary relation as a table (the engine's own Ibis definition).

    Like the calendar values it is instant-independent and as of the refresh.
    """
    from motcua.index766.context import dossier_summary
    from motcua.index766.facts import OPTIONAL_SCHEMAS

    con = ibis_connection(using)
    try:
        sql = str(con.compile(dossier_summary(Facts.from_backend(con, prefix=PREFIX, check=False))))
    finally:
        con.disconnect()
    cols = OPTIONAL_SCHEMAS["dossier_summary"]
    full = PREFIX + "dossier_summary"
    col_list = ", ".join(_q(c) for c in cols)
    with transaction.atomic(using=using), connections[using].cursor() as cur:
        _serialize(cur, d)
        _bulk_session(cur, d)
        _reload_table(cur, d, full, cols, (("MaHoSo",),))
        cur.execute(f"INSERT INTO {_q(full)} ({col_list}) SELECT {col_list} FROM ({sql}) s")
        _index_table(cur, d, full, (("MaHoSo",),))


def refresh_database_facts(
    using: str = "default",
    *,
    calendar: Any | None = None,
    summary: bool = True,
    analyze: bool = True,
) -> dict[str, float]:
    """(Re)create the m766_* views and derived tables on ``using``; returns timings (s).

    ``summary``: also store the optional ``dossier_summary`` relation (faster scores).
    ``analyze``: refresh the planner statistics of the tables the views read.
    Must run outside an atomic block: the derived values are computed through a
    separate (Ibis) connection that reads the committed base views.
    """
    conn = connections[using]
    if conn.in_atomic_block:
        raise RuntimeError("refresh_database_facts() must run outside transaction.atomic()")
    d = _Dialect(conn.vendor)
    timings: dict[str, float] = {}

    def step(name: str, fn: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args)
        timings[name] = time.perf_counter() - t0
        return out

    if analyze:
        step("analyze", _analyze, using, d)
    step("views", _create_base_views, using, d)

    def derived() -> dict[str, pd.DataFrame]:
        con = ibis_connection(using)
        try:
            return compute_derived(con, calendar)
        finally:
            con.disconnect()

    frames = step("derive", derived)
    step("store", _install_derived, using, d, frames)
    if summary:
        step("summary", _store_summary, using, d)
    else:
        with transaction.atomic(using=using), conn.cursor() as cur:
            _drop(cur, d, PREFIX + "dossier_summary", "table")  # would be stale
    return timings


_SUMMARY_SQL: dict[tuple[str, str], str] = {}


def _dirty_summary_sql(using: str) -> str:
    """dossier_summary's own Ibis definition over the dirty views, compiled once per database."""
    from motcua.index766.context import dossier_summary

    key = (using, connections[using].vendor)
    if key not in _SUMMARY_SQL:
        con = ibis_connection(using)
        try:
            facts = Facts.from_backend(con, prefix=PREFIX + "dirty_", check=False)
            _SUMMARY_SQL[key] = str(con.compile(dossier_summary(facts)))
        finally:
            con.disconnect()
    return _SUMMARY_SQL[key]


def _mark(cur: Any, table: str, key: str, codes: list[str], d: _Dialect | None = None) -> str:
    cur.execute(f"DELETE FROM {_q(table)}")
    cur.executemany(f"INSERT INTO {_q(table)} ({_q(key)}) VALUES (%s)", [(c,) for c in codes])
    if d is not None and d.pg:
        # The marker table is otherwise never analysed: PostgreSQL then assumes ~1,360 rows
        # and hash-joins it against every dossier (a full scan per event); a few rows → index.
        cur.execute(f"ANALYZE {_q(table)}")
    return f"{_q(key)} IN (SELECT {_q(key)} FROM {_q(table)})"


def _frame(cur: Any, sql: str, columns: list[str]) -> pd.DataFrame:
    cur.execute(sql)
    return pd.DataFrame(cur.fetchall(), columns=columns)


def _refresh_dossier_rows(cur: Any, d: _Dialect, codes: list[str], cal: Any, using: str) -> None:
    dirty = _mark(cur, DIRTY_DOSSIERS, "MaHoSo", codes, d)
    frame = _frame(
        cur,
        f"""
        SELECT b."MaHoSo", b."NgayTiepNhan", b."NgayHenTra", p."ThoiGianGiaiQuyet", p."DonViTinh",
               p."GioChotTiepNhan", l.f9, l.f10
        FROM {PREFIX}dirty_dossiers b LEFT JOIN {BASE}procedures p ON p."MaTTHC" = b."MaTTHC"
        LEFT JOIN (SELECT "MaHoSo", MIN(CASE WHEN "TrangThai" = 9 THEN "ThoiDiem" END) AS f9,
                          MIN(CASE WHEN "TrangThai" = 10 THEN "ThoiDiem" END) AS f10
                   FROM {PREFIX}dirty_dossier_status_log GROUP BY "MaHoSo") l ON l."MaHoSo" = b."MaHoSo" """,
        ["MaHoSo", "NgayTiepNhan", "NgayHenTra", "ThoiGianGiaiQuyet", "DonViTinh", "GioChotTiepNhan", "f9", "f10"],
    )
    frame["finished_at"] = derive._as_instants(frame["f9"]).fillna(derive._as_instants(frame["f10"]))
    frame["ThoiGianGiaiQuyet"] = pd.to_numeric(frame["ThoiGianGiaiQuyet"], errors="coerce")
    cols = DERIVED_TABLES["dossier_calendar"]
    cur.execute(f"DELETE FROM {PREFIX}dossier_calendar WHERE {dirty}")
    _insert_frame(cur, d, PREFIX + "dossier_calendar", cols, derive.dossier_calendar_frame(cal, frame))
    final = _final_queries(d, dossier_base=PREFIX + "dirty_dossiers")
    sources = {"dossiers": final["dossiers"], "dossier_supplements": f"SELECT * FROM {PREFIX}dirty_dossier_supplements"}
    if _columns_of(cur, d, PREFIX + "dossier_summary"):
        sources["dossier_summary"] = _dirty_summary_sql(using)
    for name, source in sources.items():
        schema = SCHEMAS.get(name) or _optional_schema(name)
        col_list = ", ".join(_q(c) for c in schema)
        cur.execute(f"DELETE FROM {PREFIX}{name} WHERE {dirty}")
        cur.execute(f"INSERT INTO {PREFIX}{name} ({col_list}) SELECT {col_list} FROM ({source}) s")
    cur.execute(f"DELETE FROM {_q(DIRTY_DOSSIERS)}")


def _optional_schema(name: str) -> dict[str, str]:
    from motcua.index766.facts import OPTIONAL_SCHEMAS

    return OPTIONAL_SCHEMAS[name]


def _refresh_complaint_rows(cur: Any, d: _Dialect, codes: list[str], cal: Any) -> None:
    dirty = _mark(cur, DIRTY_COMPLAINTS, "MaPAKN", codes, d)
    starts = _frame(
        cur,
        f"""
        SELECT "MaPAKN", "NgayGui" FROM {BASE}complaints WHERE "NgayGui" IS NOT NULL AND {dirty}
        UNION
        SELECT "MaPAKN", "ThoiDiem" FROM {BASE}complaint_status_log
        WHERE "TrangThai" = 'chuyen_xu_ly' AND "ThoiDiem" IS NOT NULL AND {dirty}""",
        ["MaPAKN", "start_at"],
    )
    waits = _frame(
        cur,
        f"""
        SELECT "MaPAKN", "ThoiDiem" FROM {BASE}complaint_status_log
        WHERE "TrangThai" = 'cho_cong_khai' AND "ThoiDiem" IS NOT NULL AND {dirty}""",
        ["MaPAKN", "ThoiDiem"],
    )
    frames = derive.complaint_frames(cal, starts, waits)
    frames["complaint_publish_due"] = frames["complaint_publish_due"].drop_duplicates(["MaPAKN", "ThoiDiem"])
    for name, frame in frames.items():
        cur.execute(f"DELETE FROM {PREFIX}{name} WHERE {dirty}")
        _insert_frame(cur, d, PREFIX + name, DERIVED_TABLES[name], frame)
    cur.execute(f"DELETE FROM {_q(DIRTY_COMPLAINTS)}")


_PLANNER_SETTINGS = ("from_collapse_limit", "join_collapse_limit")


def refresh_records(
    dossiers: Iterable[str] = (),
    complaints: Iterable[str] = (),
    *,
    using: str = "default",
    calendar: Any | None = None,
) -> None:
    """Bring the stored and derived rows of a few dossiers and complaints (by code) up to date.

    The incremental counterpart of ``refresh_database_facts`` (which must have run once: it
    creates the tables and the ``m766_dirty_*`` views this reads): each relation's rows of
    those records are deleted and rebuilt from the same queries and calendar code, restricted
    to them. One transaction; may run inside the caller's.
    """
    dossiers, complaints = sorted(set(dossiers)), sorted(set(complaints))
    if not dossiers and not complaints:
        return
    conn = connections[using]
    d = _Dialect(conn.vendor)
    cal = calendar if calendar is not None else derive.official_calendar()
    with transaction.atomic(using=using), conn.cursor() as cur:
        _serialize(cur, d)
        if d.pg:
            # The m766_dirty_dossiers view joins 8 relations plus the dirty filter: above the
            # default collapse limits (8) PostgreSQL keeps the filter on top and joins every
            # dossier first. Same results, planned with the filter pushed down; reset below.
            for setting in _PLANNER_SETTINGS:
                cur.execute(f"SET LOCAL {setting} = 20")
        if dossiers:
            _refresh_dossier_rows(cur, d, dossiers, cal, using)
        if complaints:
            _refresh_complaint_rows(cur, d, complaints, cal)
        if d.pg:  # on an error the rollback (to the savepoint) undoes the SET LOCAL itself
            for setting in _PLANNER_SETTINGS:
                cur.execute(f"SET LOCAL {setting} TO DEFAULT")


def database_facts(using: str = "default") -> Facts:
    """Facts over the m766_* relations of ``using`` (call ``refresh_database_facts`` first).

    The caller owns the connection: ``facts.con.disconnect()`` when done.
    """
    from motcua.index766.responsibility import responsible_for

    facts = Facts.from_backend(ibis_connection(using), prefix=PREFIX)
    facts.meta["source"] = f"database:{using}"
    facts.meta["responsibility"] = responsible_for  # explain: step and official of a dossier
    return facts


def score_database(
    period: Any,
    *,
    as_of: str | datetime | None = None,
    now: datetime | None = None,
    units: Iterable[str] | None = None,
    switches: dict[str, Any] | None = None,
    formula_set: str = "portal-2026",
    refresh: bool = True,
    using: str = "default",
) -> Any:
    """Score the application database with the same definitions as an exchange set.

    ``switches`` default to DEFAULT_SWITCHES (the portal's rules, interchange.md §4.1), overridden
    by the caller's.
    """
    from motcua.index766.engine import score

    timings = refresh_database_facts(using) if refresh else {}
    try:
        facts = database_facts(using)
    except ValueError as exc:  # never refreshed: the m766_* relations are missing
        from motcua.core.errors import UserError

        raise UserError(
            "Chưa có dữ liệu dẫn xuất 766 trong cơ sở dữ liệu: chấm điểm một lần không kèm "
            "--no-refresh (hoặc chạy worker) để tạo.",
            f"766 derived relations missing: {exc}",
        ) from None
    facts.meta["timings"] = timings
    try:
        return score(
            facts,
            period,
            as_of=as_of,
            now=now,
            units=units,
            formula_set=formula_set,
            switches={**DEFAULT_SWITCHES, **(switches or {})},
        )
    finally:
        facts.con.disconnect()


__all__ = [
    "refresh_database_facts",
    "refresh_records",
    "database_facts",
    "score_database",
    "ibis_connection",
    "compute_derived",
    "DEFAULT_SWITCHES",
]
