"""Who the applicant is (chủ hồ sơ) and how they are identified.

- an individual (cá nhân): số định danh cá nhân, 12 digits (Luật Căn cước 2023 — not "số CCCD");
- an organisation (tổ chức, doanh nghiệp): mã số doanh nghiệp / mã số thuế, 10 digits, or 13 for a
  branch or dependent unit (written 10-3 with a hyphen, stored as 13 digits);
- a foreigner (người nước ngoài): passport number, 6 to 12 letters and digits.

A dossier may be submitted by someone authorised (người được ủy quyền): their name, identification
and the authorisation (giấy ủy quyền: number, date, issuer) are recorded with the dossier.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import UserError


class ApplicantKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
    FOREIGNER = "foreigner", _("Người nước ngoài")


_PERSONAL = re.compile(r"^\d{12}$")
_TAX = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,12}$")

MESSAGES: dict[str, str] = {
    ApplicantKind.INDIVIDUAL: "Số định danh cá nhân gồm đúng 12 chữ số.",
    ApplicantKind.ORGANISATION: "Mã số doanh nghiệp / mã số thuế gồm 10 chữ số, hoặc 13 chữ số (dạng 10-3) với "
    "chi nhánh, đơn vị phụ thuộc.",
    ApplicantKind.FOREIGNER: "Số hộ chiếu gồm 6 đến 12 chữ cái và chữ số.",
}


def normalize_id(kind: str, value: str) -> str:
    """The identification number in its stored form, or a Vietnamese :class:`UserError`."""
    raw = (value or "").strip().replace(" ", "")
    if kind == ApplicantKind.INDIVIDUAL and _PERSONAL.match(raw):
        return raw
    if kind == ApplicantKind.ORGANISATION and (match := _TAX.match(raw)):
        return match.group(1) + (match.group(2) or "")
    if kind == ApplicantKind.FOREIGNER and _PASSPORT.match(raw.upper()):
        return raw.upper()
    message = MESSAGES.get(kind, "Loại chủ hồ sơ không hợp lệ.")
    raise UserError(message, f"bad {kind} identification {raw!r}", code="bad_id")
