"""The official forms of Thông tư 03/2025 for one dossier, and the tracking book, as downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone

from motcua.access import policy
from motcua.core import dates
from motcua.core.errors import UserError
from motcua.documents import services as documents
from motcua.org.models import Unit

from .shortcuts import dossier_for

#: Forms printed for one dossier, by the slug used in URLs.
DOSSIER_FORMS = ("receipt", "supplement", "refusal", "apology", "stop", "control", "return", "refusal-decision")


@login_required
def dossier_form(request, code: str, kind: str):
    """Form 01–06 of a dossier as an inline PDF (opened in the browser's viewer, printable)."""
    if kind not in DOSSIER_FORMS:
        raise Http404("Không có biểu mẫu này.")
    dossier = dossier_for(request, code, policy.Action.PRINT_FORMS)
    signed = request.GET.get("ky-so") == "1"
    if signed and not policy.can(request.user, policy.Action.SIGN_APOLOGY, dossier):
        policy.authorize(request.user, policy.Action.APPROVE_RESULT, dossier)  # a leader's: logs and refuses others
    try:
        if signed:
            return _signed_form(request, kind, dossier)
        return documents.pdf_response(kind, dossier)
    except (UserError, LookupError, ValueError) as error:
        # e.g. an apology letter for a dossier that has none
        message = getattr(error, "message", None) or "Hồ sơ chưa có dữ liệu cho biểu mẫu này."
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")


def _signed_form(request, kind: str, dossier) -> HttpResponse:
    """The form with the organisation's PAdES signature (the same signing service as results), for a leader."""
    from motcua.files import signing

    pdf = documents.render_pdf(kind, dossier)
    signed = signing.sign_pdf(
        pdf,
        reason=f"Ký số biểu mẫu {kind} của hồ sơ {dossier.code}",
        location=request.user.get_full_name() or request.user.get_username(),
    )
    response = HttpResponse(signed, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(kind, dossier)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def tracking_book(request, unit_code: str):
    """Form 07 (Sổ theo dõi hồ sơ) of a unit for a date range, as PDF or XLSX (``?format=xlsx``)."""
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    policy.authorize(request.user, policy.Action.PRINT_FORMS, unit=unit)
    today = timezone.localdate()
    try:
        date_from = dates.parse_day(request.GET.get("from"), default=today.replace(day=1))
        date_to = dates.parse_day(request.GET.get("to"), default=today)
    except UserError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    if request.GET.get("format") == "xlsx":
        body = documents.tracking_book_xlsx(unit, date_from, date_to)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = documents.filename("book", unit=unit, date_from=date_from, date_to=date_to, extension="xlsx")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return documents.pdf_response("book", unit=unit, date_from=date_from, date_to=date_to)
