"""Formula set ``portal-2026``: the 766 index as Cổng DVCQG computes it in 2026.

Sources: specs/index-766.md §2–4; where it leaves a choice, interchange.md §4
(resolved rules) decides; what stays uncertain is a named switch (registry.SWITCHES).
Each indicator is declared once, as Ibis over the facts (facts.py) and the
shared per-record flags (context.py).
"""

from __future__ import annotations

from fractions import Fraction

import ibis
import ibis.expr.types as ir

from motcua.index766.context import CITIZEN_SUBJECTS, LIVE_SERVICE_STATUSES, Context
from motcua.index766.registry import DossierRule, FormulaSet, Indicator, Zero, pool_sums, register

FS = register(
    FormulaSet(
        "portal-2026",
        "Cách tính của Cổng DVCQG năm 2026 (API /reporting/evaluation): 6 nhóm 18/20/12/10/18/22.",
    )
)


def _rows(t: ir.Table, unit: ir.Value, record: ir.Value, ok: ir.BooleanValue) -> ir.Table:
    return t.select(unit=unit, record=record, ok=ok.fill_null(False))


def _dossiers(ctx: Context, base: str) -> ir.Table:
    f = ctx.dossier_flags()
    return f.filter(f[base])


def _paper_only(ctx: Context, f: ir.Table) -> ir.BooleanValue | None:
    """4.1 under result_scope=paper_only: procedures with a paper result only."""
    return f.paper if ctx.switch("result_scope") == "paper_only" else None


def _mark(t: ir.Table, keys: list[str]) -> ir.Table:
    """Distinct keys with a marker column, for 'exists' left joins."""
    return t.select(*keys).distinct().mutate(_hit=ibis.literal(1))


def _procedure_rows(ctx: Context, comp: ir.Table, hits: ir.Table | None) -> ir.Table:
    """Competence rows (unit, procedure); ok when (unit, procedure) is in ``hits``."""
    if hits is None:
        return _rows(comp, comp.MaDonVi, comp.MaTTHC, ibis.literal(True))
    j = comp.left_join(_mark(hits, ["MaDonVi", "MaTTHC"]), ["MaDonVi", "MaTTHC"])
    return _rows(j, j.MaDonVi, j.MaTTHC, j._hit.notnull())


_pool_sums = pool_sums


# --------------------------------------------------------------------------- 1. CKMB


def _decisions_1_1(ctx: Context) -> ir.Table:
    p = ctx.facts.publication_items
    p = p.filter((p.NgayQuyetDinh >= ctx.start_date) & (p.NgayQuyetDinh <= ctx.t_date))
    ok = p.decision_deadline.isnull() | (p.NgayQuyetDinh <= p.decision_deadline)
    return _rows(p, p.MaDonVi, p.MaTTHC, ok)


def _publications_1_2(ctx: Context) -> ir.Table:
    p = ctx.facts.publication_items
    published = p.NgayCongKhai.notnull() & (p.NgayCongKhai <= ctx.T)
    # Unpublished and its deadline passed in the period (judged at J: T, or period end in a forecast).
    due_in_period = p.publish_deadline.notnull() & (p.publish_deadline > ctx.start) & (p.publish_deadline <= ctx.J)
    p = p.filter((published & (p.NgayCongKhai >= ctx.start)) | (~published & due_in_period))
    published = p.NgayCongKhai.notnull() & (p.NgayCongKhai <= ctx.T)
    ok = published & (p.publish_deadline.isnull() | (p.NgayCongKhai < p.publish_deadline))
    return _rows(p, p.MaDonVi, p.MaTTHC, ok)


def _portal_lists(ctx: Context) -> bool:
    return ctx.switch("procedure_lists") == "portal"


def _decision_list(ctx: Context, *, dated_by_t: bool) -> ir.Table:
    """(MaDonVi, MaTTHC, DayDuBayBoPhan): the procedures in the publishing unit's decisions
    (§4.1, procedure_lists=portal), without bai_bo decisions' items or bai_bo procedures;
    ``dated_by_t``: only decisions dated on or before T."""
    p = ctx.facts.publication_items
    p = p.filter(p.Loai.isnull() | (p.Loai != "bai_bo"))
    if dated_by_t:
        p = p.filter(p.NgayQuyetDinh <= ctx.t_date)
    proc = ctx.facts.procedures
    proc = proc.filter(proc.TrangThaiCongKhai.isnull() | (proc.TrangThaiCongKhai != "bai_bo"))
    listed = p.select("MaDonVi", "MaTTHC").distinct()
    return listed.join(proc.select("MaTTHC", "DayDuBayBoPhan"), "MaTTHC")


def _content_1_3(ctx: Context) -> ir.Table:
    # portal (§4.1): every decision of the province, whatever its date; competence (§4): the
    # procedures within the units' competence.
    c = _decision_list(ctx, dated_by_t=False) if _portal_lists(ctx) else ctx.competence()
    return _rows(c, c.MaDonVi, c.MaTTHC, c.DayDuBayBoPhan)


def _sync_1_4(ctx: Context) -> ir.Table:
    return _pool_sums(ctx, _sync_1_4_own(ctx))


def _sync_1_4_own(ctx: Context) -> ir.Table:
    f = _dossiers(ctx, "base_received")
    own = f.group_by(unit=f.MaDonVi).agg(num=ibis.ifelse(f.synced, 1, 0).sum(), own=f.count())
    u = ctx.in_scope(ctx.facts.units)
    u = u.select(unit=u.MaDonVi)
    j = u.left_join(own, "unit").drop("unit_right")
    rule = ctx.switch("sync_denominator")
    if rule in ("synced", "reference"):
        # Of the scope's units only: a live run (one commune) would otherwise group the
        # province's ~12,000 counts for each period.
        rc = ctx.in_scope(ctx.facts.reference_counts)
        b, g = rc.SoHoSoBCQG.fill_null(0), rc.SoHoSoDVCQG.fill_null(0)
        larger = ibis.ifelse(b >= g, b, g)
        code, months = ctx.period_code, ctx.period_months
        exact = rc.filter(rc.Ky == code).group_by(unit=rc.MaDonVi).agg(ref_exact=larger.max())
        monthly = rc.filter(rc.Ky.isin(months) & (rc.Ky != code)).group_by(unit=rc.MaDonVi).agg(ref_months=larger.sum())
        j = j.left_join(exact, "unit").drop("unit_right").left_join(monthly, "unit").drop("unit_right")
        ref = ibis.coalesce(j.ref_exact, j.ref_months)
        # No reference count (or only zeros): the portal's "temporary denominator", the numerator
        # itself (§4.1, synced); §4's reading (reference) took our own count of dossiers received.
        fallback = j.num.fill_null(0) if rule == "synced" else j.own.fill_null(0)
        den = ibis.ifelse(ref.notnull() & (ref > 0), ref, fallback)
    else:
        den = j.own.fill_null(0)
    return j.select("unit", num=j.num.fill_null(0), den=den)


FS.add(
    Indicator(
        "1.1",
        "Tỷ lệ TTHC công bố đúng hạn",
        "CKMB",
        6,
        record_kind="procedure",
        records=_decisions_1_1,
        distinct=True,
        combine="all",
        inherited=True,
        catalog_only=True,
        description="TTHC trong quyết định công bố ban hành trong kỳ, quyết định ký không muộn hơn "
        "ngày làm việc thứ 5 (bộ: thứ 20) trước ngày căn cứ pháp lý có hiệu lực; trễ một lần là trễ cả kỳ.",
        zero_note="Không có quyết định công bố TTHC trong kỳ.",
    )
)
FS.add(
    Indicator(
        "1.2",
        "Tỷ lệ TTHC được cập nhật, công khai đúng hạn",
        "CKMB",
        4,
        record_kind="procedure",
        records=_publications_1_2,
        distinct=True,
        combine="all",
        inherited=True,
        catalog_only=True,
        description="TTHC công khai trong kỳ hoặc đến hạn công khai trong kỳ; đúng hạn nếu công khai "
        "không muộn hơn ngày làm việc thứ 5 (bộ: thứ 10) sau ngày quyết định công bố.",
        zero_note="Không có TTHC công khai hoặc đến hạn công khai trong kỳ.",
    )
)
FS.add(
    Indicator(
        "1.3",
        "Tỷ lệ TTHC được công khai có đầy đủ các nội dung quy định về các bộ phận tạo thành của TTHC",
        "CKMB",
        2,
        record_kind="procedure",
        records=_content_1_3,
        distinct=True,
        inherited=True,
        catalog_only=True,
        description=(
            "TTHC đang công khai thuộc thẩm quyền có đủ 7 bộ phận (NĐ 63/2010 Điều 8), tính tại thời điểm đánh giá."
        ),
        zero_note="Không có TTHC công khai thuộc thẩm quyền.",
    )
)
FS.add(
    Indicator(
        "1.4",
        "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG",
        "CKMB",
        6,
        zero=Zero.ZERO,
        counts=_sync_1_4,
        own_counts=_sync_1_4_own,
        records=DossierRule("base_received", lambda f: f.synced),
        description="Hồ sơ tiếp nhận trong kỳ đã đồng bộ / số hồ sơ tiếp nhận (lớn hơn của BCQG và "
        "DVCQG; chưa có thì mẫu số tạm bằng số hồ sơ đã đồng bộ, như Cổng DVCQG); tỷ lệ tối đa 1.",
        zero_note="Không có hồ sơ tiếp nhận trong kỳ.",
    )
)

# --------------------------------------------------------------------------- 2. TDGQ


ELAPSED_SCALE = 28800


def _elapsed_2_2(ctx: Context) -> ir.Table:
    return _pool_sums(ctx, _elapsed_2_2_own(ctx))


def _elapsed_2_2_own(ctx: Context) -> ir.Table:
    # Received in [start, T] (base_received) and finished by T, read from the dossier flags.
    d = ctx.dossier_flags()
    d = d.filter(d.base_received & d.finished_at.notnull() & (d.finished_at <= ctx.T) & d.elapsed_wd.notnull())
    # Summed as integer 1/28800-day units (working seconds of an 8-hour day): float sums
    # depend on the engine's summation order and flip half-up roundings.
    ticks = (d.elapsed_wd * ELAPSED_SCALE).round().cast("int64")
    return d.group_by(unit=d.MaDonVi).agg(num=ticks.sum(), den=d.count())


FS.add(
    Indicator(
        "2.1",
        "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
        "TDGQ",
        20,
        zero=Zero.ZERO,
        records=DossierRule("base_progress", lambda f: f.on_time),
        description="Hồ sơ xử lý trước hạn, đúng hạn và đang xử lý còn hạn / hồ sơ tiếp nhận trong kỳ "
        "và kỳ trước chuyển sang.",
        zero_note="Không có hồ sơ tiếp nhận hoặc đang xử lý trong kỳ.",
    )
)
FS.add(
    Indicator(
        "2.2",
        "Thời gian giải quyết TTHC trung bình",
        "TDGQ",
        0,
        counts=_elapsed_2_2,
        own_counts=_elapsed_2_2_own,
        ratio_kind="average",
        num_scale=ELAPSED_SCALE,
        description=(
            "Số ngày làm việc thực tế trung bình của hồ sơ đã giải quyết xong (tiếp nhận trong kỳ); chỉ hiển thị."
        ),
        zero_note="Không có hồ sơ tiếp nhận trong kỳ đã giải quyết xong.",
    )
)

# --------------------------------------------------------------------------- 3. CLGQ


def _in_catalogue(ctx: Context, s: ir.Table) -> ir.BooleanValue:
    """An online service in the catalogue read for this evaluation (switch ``catalogue_at``).

    t (§4.1): valid on D, the last local day on or before T (HieuLucTu ≤ D < HieuLucDen), so a
    closed period keeps the catalogue it had; period (§4): valid at any time in the period."""
    if ctx.switch("catalogue_at") == "t":
        return (s.HieuLucTu.isnull() | (s.HieuLucTu <= ctx.t_date)) & (
            s.HieuLucDen.isnull() | (s.HieuLucDen > ctx.t_date)
        )
    return (s.HieuLucTu.isnull() | (s.HieuLucTu <= ctx.t_date)) & (
        s.HieuLucDen.isnull() | (s.HieuLucDen >= ctx.start_date)
    )


def _online_3_1(ctx: Context) -> ir.Table:
    s = ctx.facts.online_services
    s = s.filter((s.TrangThai.isnull() | (s.TrangThai != "dung_cong_khai")) & _in_catalogue(ctx, s))
    if _portal_lists(ctx):
        # §4.1: the province's decisions dated by T, online where a service of the procedure is
        # offered anywhere in its subtree; scored at the province only (Indicator.anchored).
        tree = ctx.tree
        offered = s.join(tree, s.MaDonVi == tree.descendant).select(MaDonVi=tree.ancestor, MaTTHC=s.MaTTHC)
        return _procedure_rows(ctx, _decision_list(ctx, dated_by_t=True), offered)
    return _procedure_rows(ctx, ctx.competence(), s)


def _services_3_2(ctx: Context) -> ir.Table:
    s = ctx.in_scope(ctx.facts.online_services)
    s = s.filter(s.TrangThai.isin(LIVE_SERVICE_STATUSES) & _in_catalogue(ctx, s))
    d = ctx.dossier_marks()
    d = d.filter(d.online == 1)
    if ctx.switch("service_key") == "mattthc":
        # §4.1: distinct procedures with a live service in the subtree, used when an online dossier
        # of the procedure exists anywhere in that subtree (named service or not): the services
        # are the denominator's rows, the dossiers evidence rows (registry: in_den).
        offered = s.select(unit=s.MaDonVi, record=s.MaTTHC, ok=ibis.literal(False), in_den=ibis.literal(True))
        used = d.select(unit=d.MaDonVi, record=d.MaTTHC, ok=ibis.literal(True), in_den=ibis.literal(False))
        return offered.union(used)
    # §4 (madvc): each service of each unit, matched by MaDVC, else by (MaTTHC, MaDonVi).
    by_code = _mark(d.filter(d.MaDVC.notnull()), ["MaDVC"])
    by_pair = _mark(d.filter(d.MaDVC.isnull()), ["MaTTHC", "MaDonVi"]).rename(_hit2="_hit")
    j = s.left_join(by_code, "MaDVC").drop("MaDVC_right")
    j = j.left_join(by_pair, ["MaTTHC", "MaDonVi"]).drop("MaTTHC_right", "MaDonVi_right")
    return _rows(j, j.MaDonVi, j.MaDVC, j._hit.notnull() | j._hit2.notnull())


FS.add(
    Indicator(
        "3.1",
        "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến",
        "CLGQ",
        2,
        target=0.8,
        zero=Zero.ZERO,
        record_kind="procedure",
        records=_online_3_1,
        distinct=True,
        catalog_only=True,
        anchored=lambda sw: sw["procedure_lists"] == "portal",
        description="TTHC thuộc thẩm quyền có dịch vụ công trực tuyến (một phần hoặc toàn trình, chưa dừng công khai).",
        zero_note="Không có TTHC thuộc thẩm quyền.",
    )
)
FS.add(
    Indicator(
        "3.2",
        "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ",
        "CLGQ",
        4,
        zero=Zero.ZERO,
        record_kind="service",
        records=_services_3_2,
        distinct=True,
        live_den=lambda sw: "rows" if sw["service_key"] == "mattthc" else "catalogue",
        kind_of=lambda sw: "procedure" if sw["service_key"] == "mattthc" else "service",
        description="TTHC có DVC (đang công khai, chờ dừng công khai, đang kiểm thử) có ít nhất một hồ sơ trực "
        "tuyến nộp/tiếp nhận trong kỳ (service_key=madvc: từng DVC của từng đơn vị).",
        zero_note="Đơn vị không có dịch vụ công trực tuyến.",
    )
)
FS.add(
    Indicator(
        "3.3",
        "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến",
        "CLGQ",
        6,
        target=0.5,
        zero=Zero.ZERO,
        records=DossierRule("base_received", lambda f: f.online & (~f.paper | f.e_result)),
        description="Hồ sơ tiếp nhận trong kỳ qua kênh trực tuyến (TTHC trả kết quả giấy phải có kết quả "
        "điện tử) / hồ sơ tiếp nhận trong kỳ, nhân với tỷ lệ đồng bộ 1.4.",
        zero_note="Không có hồ sơ tiếp nhận trong kỳ.",
    )
)

# --------------------------------------------------------------------------- 3. TTTT


def _fee_procedures(ctx: Context) -> ir.Table:
    c = ctx.competence()
    return c.filter(c.CoPhiLePhi)


def _fee_rows(ctx: Context, mark: str) -> ir.Table:
    """3.5 (mark "fee") and 3.5b ("paid"). portal (§4.1): the fee-bearing procedures with ≥ 1
    dossier of 3.5's base at the unit, a parent counting distinct procedures of its subtree;
    competence (§4): the fee-bearing procedures within the unit's competence."""
    m = ctx.dossier_marks()
    if _portal_lists(ctx):
        proc = ctx.facts.procedures
        proc = proc.filter(proc.CoPhiLePhi & (proc.TrangThaiCongKhai.isnull() | (proc.TrangThaiCongKhai != "bai_bo")))
        m = m.filter(m.fee_base == 1).semi_join(proc.select("MaTTHC"), "MaTTHC")
        return _rows(m, m.MaDonVi, m.MaTTHC, m[mark] == 1)
    return _procedure_rows(ctx, _fee_procedures(ctx), m.filter(m[mark] == 1))


def _fee_integrated_3_5(ctx: Context) -> ir.Table:
    return _fee_rows(ctx, "fee")


def _fee_paid_3_5b(ctx: Context) -> ir.Table:
    return _fee_rows(ctx, "paid")


def _fee_den(sw: dict[str, str]) -> str:
    # The live path keeps every procedure of the denominator when it reads dossiers (registry.live_den).
    return "records" if sw["procedure_lists"] == "portal" else "catalogue"


_paid_3_6 = DossierRule("base_entered", lambda f: f.paid_online, only=lambda ctx, f: f.fee_bearing & ~f.fees_all_zero)


FS.add(
    Indicator(
        "3.5",
        "Tỷ lệ TTHC có yêu cầu nghĩa vụ tài chính được tích hợp thanh toán trực tuyến trên Cổng DVCQG",
        "TTTT",
        2,
        target=0.8,
        zero=Zero.ZERO,
        record_kind="procedure",
        records=_fee_integrated_3_5,
        distinct=True,
        live_den=_fee_den,
        description="TTHC có phí, lệ phí thuộc thẩm quyền có ít nhất một hồ sơ trong kỳ đồng bộ danh sách phí khác 0.",
        zero_note="Không có TTHC có phí, lệ phí thuộc thẩm quyền.",
    )
)
FS.add(
    Indicator(
        "3.5b",
        "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến",
        "TTTT",
        2,
        target=0.8,
        zero=Zero.ZERO,
        record_kind="procedure",
        records=_fee_paid_3_5b,
        distinct=True,
        live_den=_fee_den,
        description=(
            "TTHC có phí, lệ phí thuộc thẩm quyền có ít nhất một hồ sơ thanh toán trực tuyến thành công trong kỳ."
        ),
        zero_note="Không có TTHC có phí, lệ phí thuộc thẩm quyền.",
    )
)
FS.add(
    Indicator(
        "3.6",
        "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "TTTT",
        6,
        zero=Zero.ZERO,
        records=_paid_3_6,
        description="Hồ sơ của TTHC có phí thanh toán trực tuyến / hồ sơ của TTHC có phí (trừ hồ sơ mọi "
        "dòng phí bằng 0), nộp/tiếp nhận trong kỳ.",
        zero_note="Không có hồ sơ phải thực hiện nghĩa vụ tài chính trong kỳ.",
    )
)

# --------------------------------------------------------------------------- 4. MDSH


_results_4_1 = DossierRule("base_progress", lambda f: f.result_link, only=_paper_only)


def _population_4_5a(ctx: Context) -> ir.Table:
    c = ctx.competence()
    subj = ctx.facts.procedure_subjects
    citizen = subj.filter(subj.DoiTuongThucHien.strip().lower().isin(CITIZEN_SUBJECTS))
    c = c.semi_join(citizen.select("MaTTHC").distinct(), "MaTTHC")
    m = ctx.dossier_marks()
    return _procedure_rows(ctx, c, m.filter(m.population == 1))


def _communes_4_6(ctx: Context) -> ir.Table:
    u = ctx.facts.units
    u = u.filter(
        (u.LoaiDonVi == "XA")
        & (u.HieuLucTu.isnull() | (u.HieuLucTu <= ctx.t_date))
        & (u.HieuLucDen.isnull() | (u.HieuLucDen >= ctx.start_date))
    )
    return _rows(u, u.MaDonVi, u.MaDonVi, u.CungCapChungThucDienTu)


FS.add(
    Indicator(
        "4.1",
        "Tỷ lệ hồ sơ TTHC có cấp kết quả giải quyết TTHC điện tử",
        "MDSH",
        6,
        records=_results_4_1,
        description="Hồ sơ có đường dẫn tệp kết quả điện tử / hồ sơ tiếp nhận hoặc đang xử lý trong kỳ.",
        zero_note="Không có hồ sơ trong kỳ.",
    )
)
FS.add(
    Indicator(
        "4.2",
        "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ",
        "MDSH",
        4,
        records=DossierRule("base_progress", lambda f: f.has_file & (~f.paper | f.result_link)),
        description="Hồ sơ có thành phần đính kèm tệp (và kết quả điện tử nếu TTHC trả kết quả giấy) / hồ sơ trong kỳ.",
        zero_note="Không có hồ sơ trong kỳ.",
    )
)
FS.add(
    Indicator(
        "4.3",
        "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
        "MDSH",
        2,
        target=0.8,
        records=DossierRule("base_progress", lambda f: f.reuse),
        description="Hồ sơ có HoSoCoThanhPhanSoHoa hoặc thành phần được tái sử dụng / hồ sơ trong kỳ.",
        zero_note="Không có hồ sơ trong kỳ.",
    )
)
FS.add(
    Indicator(
        "4.4",
        "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng",
        "MDSH",
        4,
        records=DossierRule("base_progress", lambda f: f.store),
        description="Hồ sơ có thành phần lấy từ kho dữ liệu trên Cổng DVCQG hoặc kết quả đẩy vào kho / hồ sơ trong kỳ.",
        zero_note="Không có hồ sơ trong kỳ.",
    )
)
FS.add(
    Indicator(
        "4.5a",
        "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ giải quyết TTHC",
        "MDSH",
        2,
        record_kind="procedure",
        records=_population_4_5a,
        distinct=True,
        description="TTHC có đối tượng là công dân có ít nhất một hồ sơ xác thực VNeID hoặc dùng CSDL dân cư.",
        zero_note="Không có TTHC có đối tượng thực hiện là công dân thuộc thẩm quyền.",
    )
)
FS.add(
    Indicator(
        "4.5b",
        "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư",
        "MDSH",
        2,
        records=DossierRule("base_progress", lambda f: f.population),
        description="Hồ sơ xác thực VNeID hoặc có mã CSDL dân cư / hồ sơ trong kỳ.",
        zero_note="Không có hồ sơ trong kỳ.",
    )
)
FS.add(
    Indicator(
        "4.6",
        "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính",
        "MDSH",
        2,
        zero=Zero.FULL,
        record_kind="unit",
        records=_communes_4_6,
        catalog_only=True,
        description="Xã, phường trực thuộc cung cấp chứng thực bản sao điện tử / số xã, phường trực thuộc.",
        zero_note="Không có xã, phường trực thuộc: tính đủ điểm như Cổng DVCQG.",
    )
)

# --------------------------------------------------------------------------- 5. MDHL


def _complaint_rows(ctx: Context, base: str, ok_fn) -> ir.Table:
    c = ctx.complaint_flags()
    c = c.filter(c[base])
    return _rows(c, c.MaDonVi, c.MaPAKN, ok_fn(c))


FS.add(
    Indicator(
        "5.1a",
        "Tỷ lệ PAKN về quy định, thủ tục hành chính",
        "MDHL",
        0,
        record_kind="complaint",
        records=lambda ctx: _complaint_rows(ctx, "base_52", lambda c: c.PhanLoai == "quy_dinh"),
        description="PAKN phân loại về quy định, TTHC / PAKN trong kỳ; chỉ theo dõi (0 điểm).",
        zero_note="Không có PAKN trong kỳ.",
    )
)
FS.add(
    Indicator(
        "5.1b",
        "Tỷ lệ PAKN về hành vi cán bộ, công chức, viên chức",
        "MDHL",
        0,
        record_kind="complaint",
        records=lambda ctx: _complaint_rows(ctx, "base_52", lambda c: c.PhanLoai == "hanh_vi"),
        description="PAKN phân loại về hành vi cán bộ, công chức / PAKN trong kỳ; chỉ theo dõi (0 điểm).",
        zero_note="Không có PAKN trong kỳ.",
    )
)
FS.add(
    Indicator(
        "5.2",
        "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn",
        "MDHL",
        6,
        zero=Zero.FULL,
        record_kind="complaint",
        records=lambda ctx: _complaint_rows(ctx, "base_52", lambda c: ~c.late),
        description="PAKN xử lý đúng hạn hoặc còn trong hạn (từ chối 2 ngày, yêu cầu bổ sung 5 ngày, xử lý "
        "15 ngày, công khai 2 ngày làm việc) / PAKN trong kỳ.",
        zero_note="Đơn vị không có PAKN trong kỳ: tính đủ điểm.",
    )
)
FS.add(
    Indicator(
        "5.3",
        "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
        "MDHL",
        6,
        zero=Zero.FULL,
        record_kind="complaint",
        records=lambda ctx: _complaint_rows(ctx, "base_53", lambda c: ~c.late & ~c.unsatisfied & ~c.repeated),
        description="PAKN tiếp nhận lần đầu trong kỳ, trừ PAKN không hài lòng, trễ hạn hoặc bị phản ánh lại.",
        zero_note="Đơn vị không có PAKN tiếp nhận trong kỳ: tính đủ điểm.",
    )
)
FS.add(
    Indicator(
        "5.4",
        "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
        "MDHL",
        6,
        target=0.9,
        zero=Zero.ZERO,
        records=DossierRule("base_progress", lambda f: f.on_time & ~f.pakn_or_dislike),
        description=(
            "Hồ sơ trong kỳ trừ hồ sơ quá hạn và hồ sơ có PAKN hoặc đánh giá không hài lòng (không tính hai lần)."
        ),
        zero_note="Không có hồ sơ trong kỳ.",
    )
)

# --------------------------------------------------------------------------- cross-indicator rules

#: 4.2's target is the switch digitized_target_4_2 ("none" = linear, as the API does).
FS.target_switches["4.2"] = "digitized_target_4_2"


def _finalize(us, switches: dict[str, str]) -> None:
    s14, s33 = us.indicator("1.4"), us.indicator("3.3")
    # sync_denominator=synced: 0/0 scores null (adds 0), as the portal's temporary denominator (§4.1).
    if switches.get("sync_denominator") == "synced" and s14.applicable and not s14.denominator:
        s14.ratio = s14.score = None
        s14.note = "Không có hồ sơ đồng bộ và chưa có số liệu BCQG/DVCQG: không tính điểm (như Cổng DVCQG)."
    # 1.4: a reference denominator can be below our count of synced dossiers; cap at 1 (§4).
    if s14.ratio is not None and s14.ratio > 1:
        s14.rescore(Fraction(1))
        s14.note = "Tỷ lệ vượt 1 (mẫu số tham chiếu nhỏ hơn số hồ sơ đồng bộ): tính bằng 1."
    # 3.3 is multiplied by the unrounded 1.4 ratio (1 when 1.4 is null) (§4).
    if s33.applicable and s33.denominator and s14.denominator and s14.ratio is not None:
        online = Fraction(s33.numerator) / Fraction(s33.denominator)
        # rounding=portal: the product as the portal forms it, num ÷ den × 1.4's ratio in doubles.
        r14 = s14.ratio_double if s14.ratio_double is not None else s14.ratio.numerator / s14.ratio.denominator
        s33.rescore(online * s14.ratio, ratio_double=online.numerator / online.denominator * r14)
        s33.note = f"Tỷ lệ hồ sơ trực tuyến {float(online):.4f} × tỷ lệ đồng bộ (1.4) {float(s14.ratio):.4f}."
    # Legal-text reading when the unit has no PAKN: 5.3's points move to 5.4 (§4 switch).
    if switches.get("no_pakn_rule") == "split_5_2_5_4":
        s52, s53, s54 = us.indicator("5.2"), us.indicator("5.3"), us.indicator("5.4")
        if not s52.denominator and not s53.denominator:
            s53.ratio = s53.score = None
            s53.note = "Không có PAKN: điểm 5.3 chuyển sang 5.4 (no_pakn_rule=split_5_2_5_4)."
            s54.rescore(max_points=s54.indicator.max_points + s53.indicator.max_points)
            # The points move, they are not added: 5.3's maximum goes to 0 so the group's maxima
            # still add to its 18 (5.3 keeping 6 beside 5.4's 12 made 24).
            s53.max_points = 0


FS.finalize = _finalize
