"""Render the official forms (TT 03/2025/TT-VPCP) as PDF and the tracking book as XLSX.

Public API::

    render_pdf(kind, dossier, **context) -> bytes     # kind "01"…"07" or receipt/supplement/…
    receipt_pdf(dossier), supplement_request_pdf(request), refusal_pdf(dossier),
    apology_pdf(letter), stop_notice_pdf(notice), control_slip_pdf(dossier),
    tracking_book_pdf(unit, date_from, date_to), tracking_book_xlsx(unit, date_from, date_to)
    pdf_response(kind, dossier, **context) -> HttpResponse
    render_html(kind, dossier, **context) -> str     # same template, for previews

``**context`` overrides any printed value (``number``, ``place``, ``issued_at``, ``officer_name`` …).

WeasyPrint never touches the network: :class:`LocalOnlyFetcher` serves ``data:`` URIs and files
inside this app's static folder and refuses everything else, fatally, so a template that points
at a remote resource fails in the tests instead of silently rendering without it.
"""

from __future__ import annotations

import atexit
import io
import re
import threading
from datetime import date, datetime
from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string

from motcua.core.spreadsheets import xlsx_workbook
from motcua.dossiers.models import ApologyLetter, Dossier, StopNotice, SupplementRequest
from motcua.org.models import Unit

from . import formats as fmt
from .forms import BOOK_HEADERS, BUILDERS, book_context, book_rows, form_spec, period_text

STATIC_DIR = Path(__file__).resolve().parent / "static" / "documents"
STYLESHEET = STATIC_DIR / "forms.css"
FONT_DIR = STATIC_DIR / "fonts"
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _weasyprint():
    # Imported on first use: WeasyPrint loads Pango at import, which Django start-up need not pay for.
    import weasyprint

    return weasyprint


def _local_fetcher_class():
    weasyprint = _weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    class LocalOnlyFetcher(weasyprint.URLFetcher):
        """Only ``data:`` and files under the documents static folder; never the network."""

        def __init__(self):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                from urllib.request import url2pathname

                path = Path(url2pathname(url.removeprefix("file:").split("?")[0])).resolve()
                if not path.is_relative_to(STATIC_DIR):
                    raise FatalURLFetchingError(f"documents: refusing local file outside {STATIC_DIR}: {url}")
            elif scheme != "data":
                raise FatalURLFetchingError(f"documents: refusing to fetch {url[:80]!r} (no network access)")
            return super().fetch(url, headers)

    return LocalOnlyFetcher


_local = threading.local()
# Drop the main thread's kit before interpreter teardown: FontConfiguration.__del__ fails once
# module globals are gone.
atexit.register(lambda: _local.__dict__.pop("kit", None))


def _toolkit():
    """Per-thread fetcher, font configuration and parsed stylesheet.

    Parsing the stylesheet loads the four @font-face files; doing it once per thread instead of
    per document is most of the receipt's speed. FontConfiguration is not shared between
    threads because Pango font maps are not thread-safe.
    """
    kit = getattr(_local, "kit", None)
    if kit is None:
        weasyprint = _weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        fetcher = _local_fetcher_class()()
        font_config = FontConfiguration()
        css = weasyprint.CSS(filename=str(STYLESHEET), font_config=font_config, url_fetcher=fetcher)
        kit = _local.kit = (fetcher, font_config, css)
    return kit


# --- context and HTML ---------------------------------------------------------------------------


def build_context(kind, dossier: Dossier | None = None, **context) -> dict:
    """The template context of one form (see :mod:`motcua.documents.forms`)."""
    spec = form_spec(kind)
    if spec.number == "07":
        unit, date_from, date_to = context.pop("unit"), context.pop("date_from"), context.pop("date_to")
        return book_context(unit, date_from, date_to, **context)
    if dossier is None:
        raise TypeError(f"form {spec.number} needs a dossier")
    return BUILDERS[spec.number](dossier, **context)


def render_html(kind, dossier: Dossier | None = None, **context) -> str:
    ctx = build_context(kind, dossier, **context)
    return render_to_string(ctx["form"].template, ctx)


def _html_to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    fetcher, font_config, css = _toolkit()
    document = weasyprint.HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=font_config)


def render_pdf(kind, dossier: Dossier | None = None, **context) -> bytes:
    """One of the seven forms as PDF bytes.

    ``kind`` is ``"01"``…``"07"`` or ``receipt``, ``supplement``, ``refusal``, ``apology``,
    ``stop``, ``control``, ``book``. Form 07 takes ``unit=``, ``date_from=``, ``date_to=``
    (and optionally ``field_code=``) instead of a dossier.
    """
    ctx = build_context(kind, dossier, **context)
    html = render_to_string(ctx["form"].template, ctx)
    return _html_to_pdf(html)


# --- named helpers ------------------------------------------------------------------------------


def receipt_pdf(dossier: Dossier, **context) -> bytes:
    """Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    return render_pdf("01", dossier, **context)


def supplement_request_pdf(request: SupplementRequest, **context) -> bytes:
    """Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ for one request."""
    return render_pdf("02", request.dossier, supplement=request, **context)


def refusal_pdf(dossier: Dossier, **context) -> bytes:
    """Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    return render_pdf("03", dossier, **context)


def apology_pdf(letter: ApologyLetter, **context) -> bytes:
    """Mẫu 04 Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết."""
    return render_pdf("04", letter.dossier, letter=letter, **context)


def stop_notice_pdf(notice: StopNotice, **context) -> bytes:
    """Mẫu 05 Thông báo dừng giải quyết hồ sơ."""
    return render_pdf("05", notice.dossier, notice=notice, **context)


def control_slip_pdf(dossier: Dossier, **context) -> bytes:
    """Mẫu 06 Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    return render_pdf("06", dossier, **context)


def tracking_book_pdf(unit: Unit, date_from: date, date_to: date, **context) -> bytes:
    """Mẫu 07 Sổ theo dõi hồ sơ of ``unit`` for local days ``date_from``…``date_to``."""
    return render_pdf("07", unit=unit, date_from=date_from, date_to=date_to, **context)


def tracking_book_xlsx(unit: Unit, date_from: date, date_to: date, *, field_code: str = "") -> bytes:
    """Mẫu 07 as a workbook: title rows, then one header row (:data:`BOOK_HEADERS`) at row 5
    and one row per dossier. Instants are real Excel date-times in Vietnam time."""
    rows = book_rows(unit, date_from, date_to, field_code=field_code)
    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Sổ theo dõi hồ sơ")
    base = {"font_name": "Times New Roman", "font_size": 11}
    title = workbook.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
    centre = workbook.add_format({**base, "italic": True, "align": "center"})
    header = workbook.add_format(
        {**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    cell = workbook.add_format({**base, "border": 1, "valign": "top", "text_wrap": True})
    when = workbook.add_format({**base, "border": 1, "valign": "top", "num_format": "hh:mm dd/mm/yyyy"})
    last = len(BOOK_HEADERS) - 1
    sheet.merge_range(0, 0, 0, last, unit.name.upper(), centre)
    sheet.merge_range(1, 0, 1, last, "SỔ THEO DÕI HỒ SƠ", title)
    sheet.merge_range(2, 0, 2, last, period_text(date_from, date_to), centre)
    header_row = 4
    sheet.write_row(header_row, 0, BOOK_HEADERS, header)
    sheet.set_row(header_row, 32)
    for width, col in zip((5, 24, 40, 24, 30, 26, 17, 17, 17, 18, 12, 24), range(last + 1), strict=True):
        sheet.set_column(col, col, width)

    def naive(at: datetime | None):
        return fmt.local(at).replace(tzinfo=None) if at is not None else None

    for offset, row in enumerate(rows, start=1):
        r = header_row + offset
        sheet.write_number(r, 0, row.index, cell)
        for col, value in (
            (1, row.code),
            (2, row.procedure),
            (3, row.applicant),
            (4, row.address_phone),
            (5, row.lead_unit),
            (9, row.delivery_method),
            (10, ""),
            (11, row.note),
        ):
            sheet.write_string(r, col, value, cell)
        for col, at in ((6, row.received_at), (7, row.due_at), (8, row.returned_at)):
            if at is None:
                sheet.write_blank(r, col, None, cell)
            else:
                sheet.write_datetime(r, col, naive(at), when)
    sheet.freeze_panes(header_row + 1, 2)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    workbook.close()
    return buffer.getvalue()


# --- HTTP ---------------------------------------------------------------------------------------


def filename(kind, dossier: Dossier | None = None, *, extension: str = "pdf", **context) -> str:
    """``01-receipt-H99.01-260302-0001.pdf``: ASCII, so it is safe in a header."""
    spec = form_spec(kind)
    subject = (
        dossier.code
        if dossier is not None
        else f"{context['unit'].code}-{context['date_from']:%Y%m%d}-{context['date_to']:%Y%m%d}"
    )
    return f"{spec.number}-{spec.slug}-{_SAFE.sub('_', subject)}.{extension}"


def pdf_response(kind, dossier: Dossier | None = None, **context) -> HttpResponse:
    """An inline ``application/pdf`` response for the lead's views."""
    pdf = render_pdf(kind, dossier, **context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(kind, dossier, **context)}"'
    response["Cache-Control"] = "private, no-store"  # personal data (số định danh, địa chỉ)
    return response
