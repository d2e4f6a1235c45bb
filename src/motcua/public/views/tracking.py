"""Dossier tracking: by code and second factor (/tra-cuu-ho-so/), or by the receipt's QR address with a signed
token (/tra-cuu-ho-so/<token>/); the citizen's rating after a result (/tra-cuu-ho-so/<token>/danh-gia/).

A look-up that fails answers the same page whether the code does not exist or the factor is wrong, and
every look-up counts against the client's and the code's budgets (429 beyond them).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.dossiers import tracking as tokens
from motcua.feedback.reasons import reason_label
from motcua.feedback.services import record_rating

from .. import tracking
from ..forms import RatingForm, TrackingForm
from ..ratelimits import limited, over_limit, too_many_requests


def _code_key(group, request) -> str:
    return (request.POST.get("code") or "").strip()[:64]


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    if request.method != "POST":
        return render(request, "public/track.html", {"form": TrackingForm()})
    form = TrackingForm(request.POST)
    wait = over_limit(request, "public.track", "MOTCUA_TRACKING_RATE")
    if wait is None and form.is_valid():
        wait = over_limit(request, "public.track-code", "MOTCUA_TRACKING_CODE_RATE", key=_code_key)
    if wait is not None:
        return too_many_requests(request, wait)
    if form.is_valid():
        dossier = tracking.find(form.cleaned_data["code"], form.cleaned_data["factor"])
        if dossier is not None:
            return redirect("public:track", token=tokens.token_for(dossier.code))
        # One sentence for both failures: which of the two was wrong is not told.
        form.add_error(None, _("Không tìm thấy hồ sơ với mã và 4 chữ số đã nhập. Vui lòng kiểm tra lại."))
    return render(request, "public/track.html", {"form": form})


def _tracked(token: str) -> tracking.TrackedDossier | None:
    """The dossier a valid token names; None for a tampered, foreign or stale token."""
    code = tokens.code_from_token(token)
    return tracking.load(code) if code else None


def _invalid(request):
    return render(request, "public/track_invalid.html", status=404)


@never_cache
@limited("tracked")
def tracked(request, token: str):
    data = _tracked(token)
    if data is None:
        return _invalid(request)
    return _page(request, data, RatingForm(initial=_initial(data)))


def _initial(data: tracking.TrackedDossier) -> dict:
    if data.rating is None:
        return {}
    return {"satisfied": "0" if data.rating.dissatisfied else "1"}


def _page(request, data, rating_form, status=200):
    return render(
        request, "public/tracked.html", {"t": data, "d": data.dossier, "rating_form": rating_form}, status=status
    )


@never_cache
@require_POST
@limited("rate")
def rate(request, token: str):
    data = _tracked(token)
    if data is None:
        return _invalid(request)
    if not data.rateable:
        raise Http404(_("Hồ sơ chưa có kết quả để đánh giá."))
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _page(request, data, form, status=400)
    reason = form.cleaned_data["reason"]
    record_rating(
        data.dossier,
        satisfied=form.cleaned_data["satisfied"],
        reason=reason_label(reason) if reason else "",
        rated_at=timezone.now(),
        source="web",
    )
    messages.success(request, _("Cảm ơn ông/bà đã đánh giá. Đánh giá sau (nếu có) sẽ thay thế đánh giá này."))
    return redirect(reverse("public:track", kwargs={"token": token}) + "#danh-gia")
