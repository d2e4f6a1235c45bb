"""The reasons a citizen may give for "not satisfied" (đánh giá không hài lòng).

Source: the nine indicators of the evaluation of how an administrative procedure was handled
(Nghị định 61/2018/NĐ-CP Art. 31–32; the indicator set of Thông tư 01/2018/TT-VPCP Art. 25
as the provinces' rating forms and portals print them *(practice: the circular's annex was not
available in full)*). A "not satisfied" names the indicator the citizen found wanting; the code
is ours, the wording follows the indicator's. The stored rating keeps the label (``Rating.comment``),
as the national portal's ratings keep their ``LyDo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: (code, label) in the order of the indicator set.
DISSATISFACTION_REASONS: tuple[tuple[str, StrOrPromise], ...] = (
    ("tong_thoi_gian", _("Tổng thời gian giải quyết dài hơn thời gian quy định")),
    ("thoi_gian_don_vi", _("Cơ quan, đơn vị tham gia giải quyết xử lý chậm hơn thời hạn quy định")),
    ("so_lan_lien_he", _("Phải liên hệ nơi tiếp nhận nhiều lần để hoàn thiện hồ sơ")),
    ("so_co_quan_lien_he", _("Phải liên hệ nhiều cơ quan, đơn vị để hoàn thiện hồ sơ")),
    ("tiep_nhan_tra_ket_qua", _("Việc tiếp nhận hồ sơ, trả kết quả tại Bộ phận Một cửa chưa tốt")),
    ("buu_chinh_truc_tuyen", _("Không được tiếp nhận, trả kết quả qua bưu chính công ích hoặc trực tuyến")),
    ("cong_khai", _("Thủ tục hành chính không được công khai đầy đủ")),
    ("thai_do", _("Thái độ của cán bộ, công chức khi hướng dẫn, tiếp nhận, giải quyết hồ sơ chưa tốt")),
    ("phan_anh_kien_nghi", _("Ý kiến phản ánh, kiến nghị không được tiếp thu, giải trình")),
)
_LABELS = dict(DISSATISFACTION_REASONS)


def reason_label(code: str) -> str:
    """The Vietnamese label of a reason code (stored as written, whatever the interface language)."""
    from django.utils import translation

    with translation.override("vi"):
        return str(_LABELS[code])


def is_reason(code: str) -> bool:
    return code in _LABELS
