"""The shapes of the portal's calls to motcua (portal-sync.md §2), validated strictly.

Scalars arrive as strings as on the outbound side (§1.3), except the amount ``SoTien``
(an integer) and ``HaiLong`` (a boolean), as §2 gives them; dates are ``yyyyMMddHHmmss`` in
Asia/Ho_Chi_Minh. Unknown keys are ignored (the portal may add fields); every known key is
checked, and the first error names its field.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from motcua.dossiers.codes import DOSSIER_CODE_REGEX
from motcua.feedback.models import ComplaintCategory

from .payloads import parse_portal_date


@extend_schema_field({"type": "string", "pattern": r"^\d{14}$", "example": "20261204093000"})
class PortalDateField(serializers.Field):
    """``yyyyMMddHHmmss`` → an aware instant (``""`` → None when ``allow_blank``)."""

    default_error_messages = {
        "format": "phải có dạng yyyyMMddHHmmss (giờ Việt Nam), ví dụ 20261204093000.",
        "blank": "không được để trống.",
    }

    def __init__(self, *, allow_blank: bool = False, **kwargs):
        self.allow_blank = allow_blank
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("format")
        if data == "":
            if not self.allow_blank:
                self.fail("blank")
            return None
        try:
            return parse_portal_date(data)
        except ValueError:
            self.fail("format")

    def to_representation(self, value):
        from .payloads import portal_date

        return portal_date(value)


def choice(*values: str, **kwargs) -> serializers.RegexField:
    """One of a few one-character codes; a pattern, not an enum, so that the schema names no enum per field."""
    kwargs.setdefault("help_text", "một trong: " + ", ".join(values))
    return serializers.RegexField(rf"^[{''.join(values)}]$", max_length=1, **kwargs)


def text(max_length: int, **kwargs) -> serializers.CharField:
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("default", "")
    return serializers.CharField(max_length=max_length, trim_whitespace=False, **kwargs)


#: The one dossier-code shape (dossiers.codes): what the URLs and the import accept. PAKN codes share it.
CODE = rf"^{DOSSIER_CODE_REGEX}$"


class DocumentSerializer(serializers.Serializer):
    MaThanhPhanHoSo = text(128)
    TenTepDinhKem = text(500)
    DuocSoHoa = choice("0", "1", default="0")
    DuocLayTuKhoDMQG = choice("0", "1", default="0")
    DuongDanTaiTepTin = serializers.URLField(
        max_length=1000, allow_blank=True, default="", help_text="Đường dẫn tải tệp trên Cổng (http/https)"
    )


class FeeSerializer(serializers.Serializer):
    MaPhiLePhi = text(64)
    TenPhiLePhi = text(255)
    Gia = serializers.RegexField(r"^\d{1,15}$", help_text="Số tiền (đồng), chỉ gồm chữ số")


class OnlineDossierSerializer(serializers.Serializer):
    """A dossier submitted on the portal (TrangThaiHoSo 1, KenhThucHien 2), or its supplement."""

    MaHoSo = serializers.RegexField(CODE, help_text="Mã hồ sơ (chữ, số, '.', '-', '_'; tối đa 64 ký tự)")
    MaTTHC = serializers.CharField(max_length=64)
    TenTTHC = text(2000)
    MaLinhVuc = text(64)
    TenLinhVuc = text(255)
    KenhThucHien = choice("2", help_text="2 (trực tuyến)")
    ChuHoSo = serializers.CharField(max_length=255)
    LoaiDoiTuong = choice("1", "2", help_text="1 (công dân) hoặc 2 (tổ chức)")
    MaDoiTuong = text(32)
    SoDienThoai = text(32)
    Email = text(254)
    TrichYeuHoSo = text(5000)
    NgayNopHoSo = PortalDateField(
        required=False, allow_blank=True, default="", help_text="Thời điểm nộp trên Cổng (mặc định: lúc nhận)"
    )
    TrangThaiHoSo = choice("1", help_text="1 (mới đăng ký)")
    DonViXuLy = serializers.CharField(max_length=64, help_text="Mã đơn vị tiếp nhận, xử lý (MaDonVi)")
    TaiLieuNop = DocumentSerializer(many=True, default=list)
    DanhSachLePhi = FeeSerializer(many=True, default=list)
    TaiKhoanDuocXacThucVoiVNeID = choice("0", "1", default="0")
    MaCSDL = text(64)


class PaymentSerializer(serializers.Serializer):
    MaHoSo = serializers.RegexField(CODE)
    MaGiaoDich = serializers.CharField(max_length=128)
    SoTien = serializers.IntegerField(min_value=0, max_value=10**15, help_text="Số tiền (đồng)")
    ThoiDiem = PortalDateField()
    KenhThanhToan = choice("1", "2", help_text="1 (nền tảng thanh toán quốc gia) hoặc 2 (cổng thanh toán địa phương)")


class RatingSerializer(serializers.Serializer):
    MaHoSo = serializers.RegexField(CODE)
    HaiLong = serializers.BooleanField(help_text="true: hài lòng")
    LyDo = text(2000)
    ThoiDiem = PortalDateField()


class ComplaintSerializer(serializers.Serializer):
    MaPAKN = serializers.RegexField(CODE)
    MaDonVi = serializers.CharField(max_length=64)
    MaHoSo = text(64)
    PhanLoai = serializers.ChoiceField(
        choices=ComplaintCategory.values, help_text="quy_dinh: quy định; hanh_vi: hành vi cán bộ"
    )
    TieuDe = serializers.CharField(max_length=500)
    NoiDung = serializers.CharField(max_length=20000)
    NgayGui = PortalDateField()
    NguoiGui = text(255)


class AnswerSerializer(serializers.Serializer):
    error_code = serializers.CharField(help_text="00 thành công; 01 chữ ký không hợp lệ; 02 nội dung không hợp lệ")
    message = serializers.CharField(required=False, help_text="Lý do (tiếng Việt), nêu tên trường")
