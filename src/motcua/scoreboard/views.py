"""The 766 scoreboard pages (bảng điểm Bộ chỉ số 766): thin views over scoreboard.services.

Every page: signed in, allowed ``VIEW_SCOREBOARD`` (everyone with a position),
period from ``?period=`` (default this month; a bad code is a Vietnamese 400 through
UserErrorMiddleware). Scores are aggregates and visible to every official; lists of
dossiers and officials are limited to the units the official's positions cover.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.access import policy
from motcua.access.policy import AccessDenied, Action
from motcua.core.errors import UserError
from motcua.org.models import Unit

from . import services, xlsx
from .services import GROUP_CODES, GROUPS, RANKED_KINDS

logger = logging.getLogger("motcua.scoreboard")

RANKING_PAGE = 25
LIST_PAGE = 50


# --------------------------------------------------------------------------- helpers


def _allow(request, action: Action = Action.VIEW_SCOREBOARD) -> None:
    if not policy.can(request.user, action):
        raise AccessDenied(
            _("Tài khoản của bạn chưa được giao vai trò nào nên chưa xem được bảng điểm 766."),
            f"user {request.user.pk} has no position allowing {action}",
            code="forbidden",
        )


def _record_units(request) -> set[int]:
    """Units whose dossiers and officials the user may see listed."""
    return policy.units_for(request.user, Action.VIEW_SCOREBOARD)


def _covers_all(request) -> bool:
    return policy.covers_all_units(request.user)


def _can_compute(request) -> bool:
    return policy.may_compute_scores(request.user)


def _scope_unit(request) -> Unit | None:
    """The ``?unit=`` filter of a list page, checked against the user's units; None = everything."""
    code = (request.GET.get("unit") or "").strip()
    allowed = _record_units(request)
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise UserError(_("Không có đơn vị mã «%(code)s».") % {"code": code}, f"unknown unit {code!r}")
        if unit.pk not in allowed:
            raise AccessDenied(
                _("Bạn chỉ xem được danh sách của đơn vị mình và các đơn vị trực thuộc."),
                f"user {request.user.pk} may not list unit {code}",
                code="forbidden",
            )
        return unit
    if _covers_all(request):
        return None
    homes = policy.home_units(request.user, Action.VIEW_SCOREBOARD)
    return Unit.objects.get(pk=homes[0])


def _unit_options(request) -> list[tuple[str, str]]:
    """Units offered by the list filters (those the user covers, in code order)."""
    units = Unit.objects.order_by("code")
    if not _covers_all(request):  # a position at the root sees every unit: no thousand-id IN list
        units = units.filter(pk__in=_record_units(request))
    return list(units.values_list("code", "name"))


def _base_context(request, period, section: str) -> dict:
    today = timezone.localdate()
    years = sorted({today.year, today.year - 1, period.year}, reverse=True)
    return {
        "period": period,
        "period_label": services.period_label(period),
        "period_groups": [(y, services.period_choices(y)) for y in years],
        "section": section,
        "can_compute": _can_compute(request),
        "groups": [(g, GROUPS[g][0], GROUPS[g][1]) for g in GROUP_CODES],
        "computing": _computing(period),
        "group_short": services.GROUP_SHORT_NAMES,
    }


def _computing(period) -> dict | None:
    from .tasks import computing_state

    state = computing_state(period.code)
    return state if state and state.get("state") in ("running", "failed") else None


def _page(request, items, param: str = "page", per_page: int = LIST_PAGE):
    return Paginator(items, per_page).get_page(request.GET.get(param))


def _sort_params(request) -> tuple[str, bool]:
    sort = request.GET.get("sort", "total")
    if sort not in services.SORT_KEYS:
        sort = "total"
    return sort, request.GET.get("dir", "desc") != "asc"


def _tables(request, board):
    sort, descending = _sort_params(request)
    q, band_name = request.GET.get("q", ""), request.GET.get("band", "")
    out = []
    for kind, label in RANKED_KINDS:
        rows = board.of_kind(kind)
        if not rows:
            continue
        rows = services.filter_rows(services.ranked(rows, sort, descending), q, band_name)
        out.append((kind, label, rows))
    return out


def _wants_xlsx(request) -> bool:
    if request.GET.get("format") == "xlsx":
        _allow(request, Action.EXPORT_SCOREBOARD)
        return True
    return False


# --------------------------------------------------------------------------- overview


@login_required
def overview(request):
    """Province total and band, six groups, rankings (departments, communes apart), trend."""
    _allow(request)
    period = services.resolve_period(request.GET.get("period"))
    board = services.board(period)
    context = _base_context(request, period, "overview")
    context["board"] = board
    context["rules"] = services.rule_notes()
    if not board.empty:
        sort, descending = _sort_params(request)
        tables = []
        for kind, label, rows in _tables(request, board):
            tables.append(
                {
                    "kind": kind,
                    "label": label,
                    "count": len(rows),
                    "page": _page(request, rows, f"page_{kind}", RANKING_PAGE),
                }
            )
        province = board.province
        context.update(
            {
                "province": province,
                "province_groups": [
                    (g, GROUPS[g][0], province.groups.get(g), board.group_max.get(g)) for g in GROUP_CODES
                ]
                if province
                else [],
                "tables": tables,
                "sort": sort,
                "descending": descending,
                "q": request.GET.get("q", ""),
                "band": request.GET.get("band", ""),
                "bands": services.BAND_NAMES,
                "trend": services.trend(period, province.unit_id) if province else None,
            }
        )
    return render(request, "scoreboard/overview.html", context)


# --------------------------------------------------------------------------- one unit


def _unit_row(unit: Unit, indicators) -> services.UnitRow:
    groups = {g: services._zero() for g in GROUP_CODES}
    for i in indicators:
        groups[i.group] = groups.get(i.group, services._zero()) + (i.score or 0)
    row = services.UnitRow(unit.pk, unit.code, unit.name, unit.kind, unit.parent_id, groups)
    row.total = sum(groups.values(), services._zero())
    return row


@login_required
def unit(request, unit_code: str):
    """Every indicator tuple of one unit with its plain-language formula; drill-down per indicator."""
    _allow(request)
    period = services.resolve_period(request.GET.get("period"))
    unit = get_object_or_404(Unit, code=unit_code)
    indicators = services.unit_indicators(period, unit)
    selected = request.GET.get("indicator", "").strip()
    if selected and not any(i.code == selected for i in indicators):
        raise UserError(
            _("Không có chỉ số «%(code)s» trong kết quả của đơn vị.") % {"code": selected},
            f"unknown indicator {selected!r}",
        )
    context = _base_context(request, period, "unit")
    context.update({"unit": unit, "indicators": indicators, "selected": selected, "rules": services.rule_notes()})
    if selected:
        indicator = next(i for i in indicators if i.code == selected)
        target = (request.htmx.target or "") if request.htmx else ""
        with_risk = request.GET.get("risk") == "1"
        if target == "risk" and with_risk:  # the lazily loaded forecast panel
            context.update(_risk(request, period, unit, indicator))
            return render(request, "scoreboard/_risk.html", context)
        context.update(_detail(request, period, unit, indicator, with_risk=with_risk))
        if target == "detail":
            return render(request, "scoreboard/_indicator_detail.html", context)
    if unit.pk in _record_units(request) and services.is_open(period):
        # Points at risk on 1.4 and 3.3: received in the period, not yet acknowledged by the portal.
        context.update(unsynced=services.unsynced_dossiers(period, unit), sync_indicators=services.SYNC_INDICATORS)
        # On 5.2 and 5.3: complaints past their deadline (or about to be), from their stored deadlines.
        context.update(
            late_complaints=services.late_complaints(unit), complaint_indicators=services.COMPLAINT_INDICATORS
        )
    if indicators:
        context["row"] = _unit_row(unit, indicators)
        context["trend"] = services.trend(period, unit.pk)
        context["computed_at"] = max(i.computed_at for i in indicators)
        context["as_of"] = max(i.as_of for i in indicators)
    return render(request, "scoreboard/unit.html", context)


def _detail(request, period, unit: Unit, indicator, *, with_risk: bool = False) -> dict:
    """The records that cost points on ``indicator`` (explain); the points at risk when asked (forecast).

    The forecast scores the unit twice (now and at period end), seconds at province size,
    so the page loads it in a second request (HTMX ``hx-trigger=load``) or on ``?risk=1``.
    """
    from motcua.index766.forecast import TIME_SENSITIVE

    out = {
        "indicator": indicator,
        "records_allowed": unit.pk in _record_units(request),
        "indicator_rules": services.rule_notes(indicator.code),
    }
    if not out["records_allowed"] or not indicator.has_records:
        return out
    try:
        records, computed_at, seconds = services.lost_records(period, unit.code, indicator.code)
    except services.LiveDataUnavailable:
        out["live_missing"] = True
        return out
    page = _page(request, records, "rpage", 25)
    out.update(
        {
            "records": page,
            "records_count": len(records),
            "records_at": computed_at,
            "records_seconds": seconds,
            "records_capped": len(records) >= services.MAX_RECORDS,
            "risk_possible": services.is_open(period) and indicator.code in TIME_SENSITIVE,
        }
    )
    out["dossiers"] = _dossiers([r.record for r in page if r.record_kind == "MaHoSo"])
    if with_risk and out["risk_possible"]:
        risk = _risk(request, period, unit, indicator)
        out["dossiers"].update(risk.pop("dossiers"))
        out.update(risk)
    return out


def _risk(request, period, unit: Unit, indicator) -> dict:
    if unit.pk not in _record_units(request) or not services.is_open(period):
        return {"risk_page": [], "risk_count": 0, "risk_points": 0, "dossiers": {}}
    risk, risk_at, risk_seconds = services.points_at_risk(period, unit.code)
    items = [i for i in risk["items"] if indicator.code in i.indicators]
    page = _page(request, items, "fpage", 25)
    return {
        "risk_page": page,
        "risk_count": len(items),
        "risk_points": risk["points"],
        "risk_at": risk_at,
        "risk_seconds": risk_seconds,
        "indicator": indicator,
        "dossiers": _dossiers([i.record for i in page if i.record_kind == "dossier"]),
    }


def _dossiers(codes: list[str]) -> dict:
    from motcua.dossiers.models import Dossier

    if not codes:
        return {}
    return {
        d.code: d
        for d in Dossier.objects.filter(code__in=codes).select_related("procedure", "handling_unit", "current_assignee")
    }


# --------------------------------------------------------------------------- lists


LATE_HEADERS = [
    "Mã hồ sơ",
    "Mã đơn vị",
    "Tên đơn vị",
    "TTHC",
    "Hạn giải quyết",
    "Thời điểm hoàn thành",
    "Số giờ làm việc quá hạn",
    "Trạng thái",
    "Bước xử lý trễ hạn",
    "Cán bộ",
]


@login_required
def late_dossiers(request):
    """Dossiers finished late or still open past due in the period (counted overdue by 2.1), by unit."""
    _allow(request)
    period = services.resolve_period(request.GET.get("period"))
    scope = _scope_unit(request)
    state, q = request.GET.get("state", ""), request.GET.get("q", "").strip()
    context = _base_context(request, period, "late-dossiers")
    context.update({"scope": scope, "state": state, "q": q, "unit_options": _unit_options(request)})
    try:
        rows, computed_at, seconds = services.late_dossiers(period, scope.code if scope else None)
    except services.LiveDataUnavailable:
        context["live_missing"] = True
        return render(request, "scoreboard/late_dossiers.html", context)
    if state == "open":
        rows = [r for r in rows if r.finished_at is None]
    elif state == "finished":
        rows = [r for r in rows if r.finished_at is not None]
    if q:
        rows = [r for r in rows if q.casefold() in r.code.casefold()]
    if _wants_xlsx(request):
        dossiers = _dossiers([r.code for r in rows])
        who = services.responsible_for([r.code for r in rows])
        data = [
            [
                r.code,
                r.unit,
                _attr(dossiers.get(r.code), "handling_unit.name"),
                _attr(dossiers.get(r.code), "procedure.name"),
                r.due_at,
                r.finished_at,
                None if r.hours_late is None else max(r.hours_late, 0.0),
                _attr(dossiers.get(r.code), "get_status_display"),
                *who.get(r.code, (None, None)),
            ]
            for r in rows
        ]
        book = xlsx.workbook(
            [
                xlsx.Sheet(
                    "Hồ sơ trễ hạn",
                    f"DANH SÁCH HỒ SƠ TRỄ HẠN — {context['period_label']}",
                    LATE_HEADERS,
                    data,
                    caption=_caption(period, scope, computed_at),
                    widths={2: 30, 3: 50, 8: 22, 9: 26},
                )
            ]
        )
        return xlsx.response(book, f"ho-so-tre-han-{period.code}.xlsx")
    page = _page(request, rows)
    context.update(
        {
            "page": page,
            "count": len(rows),
            "computed_at": computed_at,
            "seconds": seconds,
            "dossiers": _dossiers([r.code for r in page]),
            # The step that ate the dossier's time and its official (or the step holding it when it fell due).
            "responsible": services.responsible_for([r.code for r in page]),
        }
    )
    return render(request, "scoreboard/late_dossiers.html", context)


def _attr(obj, path: str):
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
        if callable(obj):
            obj = obj()
    return obj


def _caption(period, scope, computed_at=None) -> str:
    parts = [f"Kỳ {period.code}", f"đơn vị: {scope.code} {scope.name}" if scope else "toàn tỉnh"]
    if computed_at:
        parts.append(f"tính lúc {timezone.localtime(computed_at):%d/%m/%Y %H:%M}")
    return "; ".join(parts)


OFFICIAL_HEADERS = ["Cán bộ", "Mã đơn vị", "Số bước xử lý trễ hạn", "Số hồ sơ", "Tổng số giờ làm việc quá hạn"]


@login_required
def late_officials(request):
    """Officials whose processing steps made dossiers late in the period (index766.responsibility)."""
    _allow(request)
    period = services.resolve_period(request.GET.get("period"))
    scope = _scope_unit(request)
    context = _base_context(request, period, "late-officials")
    context.update({"scope": scope, "unit_options": _unit_options(request)})
    try:
        rows = services.late_officials(period, scope)
    except ImportError:  # the responsibility module is not installed yet
        context["building"] = True
        return render(request, "scoreboard/late_officials.html", context)
    unknown = _("(chưa xác định cán bộ)")
    if _wants_xlsx(request):
        data = [[r.official_name or unknown, r.unit_code, r.late_steps, r.dossiers, r.hours_late] for r in rows]
        book = xlsx.workbook(
            [
                xlsx.Sheet(
                    "Cán bộ trễ hạn",
                    f"DANH SÁCH CÁN BỘ XỬ LÝ TRỄ HẠN — {context['period_label']}",
                    OFFICIAL_HEADERS,
                    data,
                    caption=_caption(period, scope),
                    widths={0: 30},
                )
            ]
        )
        return xlsx.response(book, f"can-bo-tre-han-{period.code}.xlsx")
    context.update({"page": _page(request, rows), "count": len(rows), "unknown": unknown})
    return render(request, "scoreboard/late_officials.html", context)


PUBLICATION_HEADERS = [
    "Số quyết định",
    "Ngày quyết định",
    "Loại",
    "Đơn vị công bố",
    "Mã TTHC",
    "Tên TTHC",
    "Ngày hiệu lực của căn cứ",
    "Hạn ký quyết định",
    "Quyết định đúng hạn",
    "Hạn công khai",
    "Thời điểm công khai",
    "Số ngày làm việc còn lại",
]


@login_required
def publications(request):
    """Publication decisions and their 1.1/1.2 deadlines, nearest first (công bố, công khai TTHC)."""
    _allow(request)
    period = services.resolve_period(request.GET.get("period"))
    state = request.GET.get("state", "pending")
    if state not in services.PUBLICATION_STATES:
        state = "pending"
    code = (request.GET.get("unit") or "").strip()
    scope = get_object_or_404(Unit, code=code) if code else None
    q = request.GET.get("q", "")
    rows = services.publications(state, scope, q)
    context = _base_context(request, period, "publications")
    if _wants_xlsx(request):
        data = [
            [
                r.decision_number,
                r.decided_on,
                r.kind,
                f"{r.unit_code} {r.unit_name}",
                r.procedure_code,
                r.procedure_name,
                r.basis_effective_on,
                r.decision_deadline,
                r.decision_on_time,
                r.publish_last_day,
                r.published_at,
                r.working_days_left,
            ]
            for r in rows
        ]
        book = xlsx.workbook(
            [
                xlsx.Sheet(
                    "Công bố, công khai",
                    "QUYẾT ĐỊNH CÔNG BỐ TTHC VÀ HẠN CÔNG KHAI",
                    PUBLICATION_HEADERS,
                    data,
                    caption=_caption(period, scope),
                    widths={3: 30, 5: 50},
                )
            ]
        )
        return xlsx.response(book, f"cong-bo-tthc-{state}.xlsx")
    context.update(
        {
            "page": _page(request, rows),
            "count": len(rows),
            "state": state,
            "scope": scope,
            "q": q,
            "unit_options": list(
                Unit.objects.filter(publication_decisions__isnull=False)
                .distinct()
                .order_by("code")
                .values_list("code", "name")
            ),
        }
    )
    return render(request, "scoreboard/publications.html", context)


# --------------------------------------------------------------------------- export and compute


@login_required
def export(request):
    """XLSX of the overview (``?scope=overview``, with its sort and filters) or of one unit (``scope=unit``)."""
    _allow(request, Action.EXPORT_SCOREBOARD)
    period = services.resolve_period(request.GET.get("period"))
    scope = request.GET.get("scope", "overview")
    board = services.board(period)
    caption = f"Kỳ {period.code}" + (
        f"; tính lúc {timezone.localtime(board.computed_at):%d/%m/%Y %H:%M}" if board.computed_at else ""
    )
    if scope == "unit":
        unit_obj = get_object_or_404(Unit, code=request.GET.get("unit", ""))
        indicators = services.unit_indicators(period, unit_obj)
        content = xlsx.unit_book(_unit_row(unit_obj, indicators), indicators, caption, services.rule_notes())
        return xlsx.response(content, f"bang-diem-766-{unit_obj.code}-{period.code}.xlsx")
    if scope != "overview":
        raise UserError(_("Phạm vi xuất không hợp lệ (overview hoặc unit)."), f"bad export scope {scope!r}")
    if board.empty:
        raise UserError(
            _("Chưa có kết quả chỉ số của kỳ %(p)s để xuất.") % {"p": period.code}, f"no snapshots for {period.code}"
        )
    tables = [(label, rows) for _kind, label, rows in _tables(request, board)]
    return xlsx.response(
        xlsx.overview_book(board, tables, caption, services.rule_notes()), f"bang-diem-766-{period.code}.xlsx"
    )


@login_required
@require_POST
def compute(request):
    """Score and store one period now (control officers and administrators)."""
    _allow(request)
    if not _can_compute(request):
        raise AccessDenied(
            _("Chỉ cán bộ đầu mối kiểm soát TTHC hoặc quản trị mới được tính lại bảng điểm."),
            f"user {request.user.pk} may not compute snapshots",
            code="forbidden",
        )
    period = services.resolve_period(request.POST.get("period"))
    if period.start > timezone.now():
        raise UserError(_("Kỳ %(p)s chưa bắt đầu.") % {"p": period.code}, f"period {period.code} not started")
    from .tasks import computing_state, request_period

    queued = request_period(period.code)  # the worker scores it; the page shows the progress meanwhile
    logger.info("user %s asked for 766 snapshots of %s (queued: %s)", request.user.pk, period.code, queued)
    state = computing_state(period.code) or {}
    if state.get("state") == "done":  # a worker in the same process (immediate mode) already finished
        messages.success(
            request,
            _("Đã tính và lưu %(n)s kết quả chỉ số của %(p)s.")
            % {"n": services.num_text(state.get("rows", 0)), "p": services.period_label(period)},
        )
    else:
        messages.info(
            request,
            _("Đang tính bảng điểm %(p)s ở chế độ nền; trang sẽ tự cập nhật khi xong.")
            % {"p": services.period_label(period)},
        )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("scoreboard:overview") + "?" + urlencode({"period": period.code})
    return redirect(target)
