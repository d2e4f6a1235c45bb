"""Downloads of the dossier's files: components, drafts and signed results, inline in the browser's PDF viewer.

Every download is scoped like the dossier page itself (:func:`motcua.workspace.shortcuts.dossier_for`):
an official who may not see the dossier gets 404, whatever the file. The stored object's name is its
hash; the browser gets the original file name only in ``Content-Disposition``.
"""

from __future__ import annotations

import logging
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from motcua.core.errors import UserError
from motcua.dossiers.models import DossierComponent, DossierResult, Proposal
from motcua.files import services as file_services

from .shortcuts import dossier_for

logger = logging.getLogger("motcua.workspace")


def _pdf_response(stored, filename: str) -> FileResponse:
    try:
        data = file_services.read_bytes(stored)
    except UserError as error:  # changed behind the application's back: not served
        logger.error("not serving %s: %s", stored.sha256, error.log_message)
        raise Http404(error.message) from error
    response = FileResponse(
        BytesIO(data),
        content_type="application/pdf",
        as_attachment=False,
        filename=filename or f"{stored.sha256[:12]}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'tep'}.pdf"


@login_required
@require_GET
def component_file(request, code: str, pk: int):
    """A component's checked scan (thành phần hồ sơ đã số hóa)."""
    dossier = dossier_for(request, code)
    component = (
        DossierComponent.objects.select_related("stored_file")
        .filter(dossier=dossier, pk=pk, stored_file__isnull=False)
        .first()
    )
    if component is None:
        raise Http404("Không tìm thấy tệp.")
    return _pdf_response(component.stored_file, _pdf_name(component.original_name or component.name))


@login_required
@require_GET
def result_file(request, code: str, sha256: str):
    """A draft result or a signed result of the dossier, by the file's SHA-256."""
    dossier = dossier_for(request, code)
    result = (
        DossierResult.objects.select_related("stored_file").filter(dossier=dossier, stored_file__sha256=sha256).first()
    )
    if result is not None:
        return _pdf_response(result.stored_file, _pdf_name(result.title or result.code or "ket-qua"))
    proposal = (
        Proposal.objects.select_related("draft_file").filter(Q(dossier=dossier) & Q(draft_file__sha256=sha256)).first()
    )
    if proposal is None:
        raise Http404("Không tìm thấy tệp.")
    return _pdf_response(proposal.draft_file, _pdf_name(proposal.draft_name or proposal.title or "du-thao"))


def result_checks(dossier) -> list[tuple]:
    """(result, validation, tampered) for each result of the dossier that has a file here."""
    rows = []
    for result in dossier.results.all():
        if result.stored_file_id is None:
            rows.append((result, None, False))
            continue
        validation, tampered = file_services.validate_stored(result.stored_file)
        rows.append((result, validation, tampered))
    return rows
