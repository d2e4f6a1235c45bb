"""Trả kết quả with its receipt: who collected the result, and how, recorded with the return itself."""

from __future__ import annotations

from django.db import transaction

from motcua.core.errors import UserError

from . import services
from .models import Dossier, ResultHandover

#: Delivery methods where a person collects the result in hand and signs for it.
IN_PERSON = ("Trực tiếp tại Bộ phận Một cửa",)


def return_result(
    dossier: Dossier,
    *,
    delivery_method: str,
    collector_name: str = "",
    collector_id_number: str = "",
    authorised: bool = False,
    authorisation: str = "",
    actor=None,
    at=None,
    source="web",
) -> ResultHandover:
    """The result is handed over (status 10, :func:`services.return_result`) and the hand-over recorded in the
    same transaction: at the counter the collector's full name and ID number are required, and a collector
    who is not the applicant must show an authorisation (giấy ủy quyền), whose number and date are kept."""
    name, id_number, authorisation = collector_name.strip(), collector_id_number.strip(), authorisation.strip()
    if delivery_method in IN_PERSON:
        if not name or not id_number:
            raise UserError(
                "Phải ghi họ tên và số định danh cá nhân của người nhận kết quả.",
                f"result of {dossier.code} returned at the desk without the collector",
            )
        if authorised and not authorisation:
            raise UserError(
                "Người nhận thay phải xuất trình giấy ủy quyền; hãy ghi số, ngày của giấy ủy quyền.",
                f"result of {dossier.code} collected by proxy without an authorisation",
            )
    at = services._instant(at)
    with transaction.atomic():
        services.return_result(dossier, delivery_method=delivery_method, actor=actor, at=at, source=source)
        return ResultHandover.objects.create(
            dossier_id=dossier.pk,
            collected_at=at,
            handed_by=actor if getattr(actor, "pk", None) else None,
            delivery_method=delivery_method,
            collector_name=name,
            collector_id_number=id_number,
            authorised=authorised,
            authorisation=authorisation if authorised else "",
        )
