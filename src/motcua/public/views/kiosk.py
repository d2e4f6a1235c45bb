"""The counter kiosk (/danh-gia-tai-quay/<unit>/): a tablet at a desk where citizens rate the dossiers
returned there today, one tap each ("Không hài lòng" asks for the reason on a second screen).

A desk officer of the unit signs in on the tablet and opens the page; the citizen then taps. The page has
no navigation to the staff workspace and reloads itself every minute (the day's returns come in).
"""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.access import policy
from motcua.access.desk import desk_units
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.feedback.models import Rating
from motcua.feedback.reasons import DISSATISFACTION_REASONS, is_reason, reason_label
from motcua.feedback.services import record_rating
from motcua.org import tree
from motcua.workdays.calendar import VN_TZ

from ..tracking import mask_name


def _refused(user):
    return policy.AccessDenied(
        "Trang đánh giá tại quầy chỉ mở được bằng tài khoản cán bộ Bộ phận Một cửa của đơn vị.",
        f"user {getattr(user, 'pk', None)} is no desk officer here",
        code="forbidden",
    )


def _kiosk_unit(user, unit_code: str):
    unit = next((u for u in desk_units(user) if u.code == unit_code), None)
    if unit is None:
        raise _refused(user)
    return unit


def returned_today(unit):
    """Dossiers whose result was handed over today at ``unit`` (its counter or the units below it)."""
    start = datetime.combine(timezone.localdate(), time.min, tzinfo=VN_TZ)
    units = tree.subtree_ids(unit.pk)
    returned = DossierEvent.objects.filter(dossier=OuterRef("pk"), action="return_result", occurred_at__gte=start)
    return (
        Dossier.objects.filter(status=Status.RETURNED)
        .filter(Q(receiving_unit_id__in=units) | Q(handling_unit_id__in=units))
        .filter(Exists(returned))
    )


@login_required
def kiosk_home(request):
    units = desk_units(request.user)
    if not units:
        raise _refused(request.user)
    if len(units) == 1:
        return redirect("public:kiosk", unit_code=units[0].code)
    return render(request, "public/kiosk_units.html", {"units": units})


@login_required
def kiosk(request, unit_code: str):
    unit = _kiosk_unit(request.user, unit_code)
    rated = Rating.objects.filter(dossier=OuterRef("pk"))
    rows = (
        returned_today(unit)
        .annotate(rated=Exists(rated))
        .select_related("procedure")
        .only("code", "applicant_name", "procedure__name")
        .order_by("-updated_at")[:50]
    )
    return render(
        request,
        "public/kiosk.html",
        {
            "unit": unit,
            "rows": [(d, mask_name(d.applicant_name)) for d in rows],
        },
    )


def _dossier(unit, code: str) -> Dossier:
    dossier = returned_today(unit).filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


@login_required
def kiosk_reasons(request, unit_code: str, code: str):
    unit = _kiosk_unit(request.user, unit_code)
    dossier = _dossier(unit, code)
    return render(
        request,
        "public/kiosk_reasons.html",
        {
            "unit": unit,
            "dossier": dossier,
            "applicant": mask_name(dossier.applicant_name),
            "reasons": DISSATISFACTION_REASONS,
        },
    )


@login_required
@require_POST
def kiosk_rate(request, unit_code: str, code: str):
    unit = _kiosk_unit(request.user, unit_code)
    dossier = _dossier(unit, code)
    satisfied = request.POST.get("satisfied") == "1"
    reason = request.POST.get("reason", "")
    if not satisfied and not is_reason(reason):
        return redirect("public:kiosk-reasons", unit_code=unit.code, code=dossier.code)
    # The tablet runs on the desk officer's session: the audit names them, with the source "kiosk".
    record_rating(
        dossier,
        satisfied=satisfied,
        reason="" if satisfied else reason_label(reason),
        rated_at=timezone.now(),
        source="kiosk",
        actor=request.user,
    )
    messages.success(request, _("Cảm ơn ông/bà đã đánh giá hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("public:kiosk", unit_code=unit.code)
