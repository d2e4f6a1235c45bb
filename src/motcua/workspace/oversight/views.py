"""Follow-up pages: the national portal sync (administrators), payments to check (complaints: workspace.complaints).

Read-only lists in the official's scope (:mod:`.queries`), except the administrator's "Gửi lại",
which puts dead letters back in the portal queue. A role that may not open a page gets the
Vietnamese 403 page (UserErrorMiddleware) and nothing changes.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from motcua.core.errors import UserError
from motcua.nationalportal.status import sync_status

from . import queries

PAGE_SIZE = 25
#: Electronic liên thông must reach the portal within 10 minutes (portal-sync.md §1.5): older is flagged.
LAG_LIMIT = timedelta(minutes=10)


def duration_text(delta: timedelta) -> str:
    """A lag in words (Django's ``timesince`` has no Vietnamese catalogue): "42 phút", "3 giờ 5 phút"."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)d ngày %(h)d giờ") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d giờ %(m)d phút") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d phút") % {"m": minutes}
    return _("%(s)d giây") % {"s": seconds}


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Đồng bộ Cổng DVCQG ----------------------------------------------------------------------------------------


@login_required
def portal_sync(request):
    """Queue, deliveries, dead letters, lag, last success and error; "Gửi lại" for administrators."""
    where = queries.scope(
        request.user, queries.SYNC_ROLES, _("Tài khoản của bạn không có quyền xem tình trạng đồng bộ với Cổng DVCQG.")
    )
    status = sync_status()
    page = _page(request, queries.dead_letters(where))
    context = {
        "status": status,
        "page": page,
        "querystring": _querystring(request),
        "whole": where.everything,
        **_resend_controls(request, where, page),
        "lag": duration_text(status.lag) if status.lag is not None else "",
        "lag_exceeded": status.lag is not None and status.lag > LAG_LIMIT,
    }
    return render(request, "workspace/oversight/portal_sync.html", context)


def _resend_controls(request, where: queries.Scope, page) -> dict:
    """Which rows get a "Gửi lại" button, and how many "Gửi lại tất cả" would resend.

    The administrator's scope may be narrower than what the page shows (a control officer of the
    province who also administers one unit resends only that unit's dossiers).
    """
    resend_scope = queries.optional_scope(request.user, queries.RESEND_ROLES)
    for state in page.object_list:
        state.resendable = resend_scope is not None and resend_scope.covers(
            state.dossier.handling_unit_id, state.dossier.receiving_unit_id
        )
    if resend_scope is None:
        return {"may_resend": False, "resend_count": 0}
    same = resend_scope.everything or (not where.everything and where.units <= resend_scope.units)
    count = page.paginator.count if same else queries.dead_letters(resend_scope).count()
    return {"may_resend": True, "resend_count": count}


def _dossier_ids(request) -> list[int] | None:
    """The dossiers to resend (``dossier`` values), or None for every dead letter (``all``)."""
    if request.POST.get("all"):
        return None
    try:
        ids = [int(value) for value in request.POST.getlist("dossier")]
    except ValueError:
        ids = []
    if not ids:
        raise UserError(_("Chưa chọn hồ sơ nào để gửi lại."), "resend without a dossier")
    return ids


@login_required
@require_POST
def portal_resend(request):
    """Gửi lại: the dead letters chosen (or all in scope) go back in the queue; the relay sends their current state."""
    where = queries.scope(
        request.user, queries.RESEND_ROLES, _("Chỉ quản trị hệ thống mới được gửi lại hồ sơ bị Cổng DVCQG từ chối.")
    )
    count = queries.resend_dead_letters(request.user, where, _dossier_ids(request))
    if count:
        messages.success(
            request,
            ngettext(
                "Đã đưa %(n)d hồ sơ trở lại hàng đợi gửi lên Cổng; "
                "hồ sơ vẫn là chưa đồng bộ cho đến khi Cổng xác nhận.",
                "Đã đưa %(n)d hồ sơ trở lại hàng đợi gửi lên Cổng; "
                "hồ sơ vẫn là chưa đồng bộ cho đến khi Cổng xác nhận.",
                count,
            )
            % {"n": count},
        )
    else:
        messages.info(request, _("Không có hồ sơ nào bị Cổng từ chối để gửi lại."))
    return redirect("workspace:portal-sync")


# --- Thanh toán cần kiểm tra -----------------------------------------------------------------------------------


@login_required
def payment_mismatches(request):
    """Payments whose amount differs from the fees due, in the official's scope (read-only)."""
    where = queries.scope(
        request.user,
        queries.PAYMENT_ROLES,
        _("Tài khoản của bạn không có quyền xem các khoản thanh toán cần kiểm tra."),
    )
    context = {"page": _page(request, queries.payment_mismatches(where)), "querystring": _querystring(request)}
    return render(request, "workspace/oversight/payment_mismatches.html", context)
