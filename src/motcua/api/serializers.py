"""What the 766 API takes (query parameters) and answers, as serializers: the OpenAPI schema is made
from them, and every request and response passes through them.

Messages are Vietnamese: DRF's own are English, so the fields here carry their own.
"""

from __future__ import annotations

from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from motcua.core import dates
from motcua.core.errors import UserError
from motcua.index766.periods import Period, parse_period
from motcua.index766.registry import get_formula_set
from motcua.org.models import Unit

from .permissions import UNIT_CODE_MAX

FORMULA_SET = "portal-2026"


def explainable_indicators() -> list[str]:
    """Indicators whose lost points come with a list of records."""
    return [i.code for i in get_formula_set(FORMULA_SET).indicators if i.records is not None]


# --------------------------------------------------------------------------- request fields


class Text(serializers.CharField):
    """A text parameter with Vietnamese messages (NUL and surrogate characters refused too)."""

    default_error_messages = {
        "required": "Thiếu tham số bắt buộc.",
        "blank": "Tham số không được để trống.",
        "null": "Tham số không được để trống.",
        "invalid": "Giá trị không hợp lệ.",
        "max_length": "Dài quá {max_length} ký tự.",
        "min_length": "Ngắn hơn {min_length} ký tự.",
        "characters": "Có ký tự không hợp lệ (NUL hoặc mã thay thế UTF-16).",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # DRF's own checks of the same rules speak English: to_internal_value makes them.
        self.validators = [
            v
            for v in self.validators
            if not isinstance(v, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator)
        ]

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            self.fail("characters")
        return value


class ParsedText(Text):
    """A text parameter turned into another value: its length is checked before (validators run after)."""

    limit = 40

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > self.limit:
            self.fail("max_length", max_length=self.limit)
        return self.parse(value)

    def parse(self, value: str):
        raise NotImplementedError


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^(199\d|20\d{2})(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$",
        "maxLength": 16,
        "example": "2026-Q3",
    }
)
class PeriodField(ParsedText):
    """A scoring period that has started: ``2026``, ``2026-H1``, ``2026-Q3`` or ``2026-08``."""

    limit = 16

    def parse(self, value: str) -> Period:
        try:
            period = parse_period(value)
        except UserError as error:
            raise serializers.ValidationError(error.message) from None
        if period.start > timezone.now():
            raise serializers.ValidationError(f"Kỳ {period.code} chưa bắt đầu.")
        return period


@extend_schema_field({"type": "string", "format": "date-time", "maxLength": 40})
class InstantField(ParsedText):
    """An ISO 8601 instant (a date alone is its midnight; no offset means +07:00), 1990–2099."""

    def parse(self, value: str):
        try:
            return dates.parse_instant(value)
        except UserError as error:
            raise serializers.ValidationError(error.message) from None


class UnitCodeField(Text):
    """The code (MaDonVi) of a known unit."""

    def __init__(self, **kwargs):
        super().__init__(max_length=UNIT_CODE_MAX, **kwargs)

    def to_internal_value(self, data) -> str:
        code = super().to_internal_value(data)
        if not Unit.objects.filter(code=code).exists():
            raise serializers.ValidationError(f"Không có đơn vị mã «{code}».")
        return code


class Flag(serializers.BooleanField):
    default_error_messages = {"invalid": "Phải là 1/0 hoặc true/false."}


class IndicatorField(serializers.ChoiceField):
    default_error_messages = {
        "invalid_choice": "«{input}» không phải mã chỉ số có danh sách hồ sơ, TTHC hoặc PAKN ({choices}).",
        "required": "Thiếu tham số bắt buộc.",
        "null": "Tham số không được để trống.",
    }

    def __init__(self, **kwargs):
        super().__init__(choices=explainable_indicators(), **kwargs)

    def fail(self, key, **kwargs):
        if key == "invalid_choice":
            kwargs["input"] = str(kwargs.get("input", ""))[:20]
            kwargs["choices"] = ", ".join(self.choices)
        super().fail(key, **kwargs)


# --------------------------------------------------------------------------- requests


class PeriodQuery(serializers.Serializer):
    """Parameters every endpoint takes."""

    period = PeriodField(help_text="2026 (năm), 2026-H1 (6 tháng), 2026-Q3 (quý) hoặc 2026-08 (tháng)")
    as_of = InstantField(required=False, help_text="Thời điểm đánh giá, ISO 8601 (mặc định: cuối kỳ hoặc hiện tại)")
    fresh = Flag(
        required=False,
        default=False,
        help_text="1: yêu cầu tính lại dữ liệu và kết quả của kỳ (trả lời 202 kèm địa chỉ theo dõi); "
        "chỉ cán bộ đầu mối kiểm soát TTHC hoặc quản trị",
    )


class ScoreQuery(PeriodQuery):
    unit = UnitCodeField(required=False, help_text="Mã đơn vị (MaDonVi); mặc định: mọi đơn vị")


class ExplainQuery(PeriodQuery):
    unit = UnitCodeField(help_text="Mã đơn vị (MaDonVi) trong phạm vi của cán bộ; đơn vị cha gộp cả đơn vị con")
    indicator = IndicatorField(help_text="Mã chỉ số, ví dụ 2.1")


class ForecastQuery(PeriodQuery):
    unit = UnitCodeField(
        required=False, help_text="Mã đơn vị (MaDonVi) trong phạm vi của cán bộ; mặc định: các đơn vị cán bộ phụ trách"
    )


# --------------------------------------------------------------------------- responses


class PeriodOut(serializers.Serializer):
    code = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class GroupOut(serializers.Serializer):
    code = serializers.CharField()
    score = serializers.FloatField()
    max = serializers.FloatField()


class IndicatorOut(serializers.Serializer):
    code = serializers.CharField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    ratio = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    max = serializers.FloatField()
    target = serializers.FloatField(allow_null=True)
    note = serializers.CharField(allow_null=True, allow_blank=True)


class UnitScoreOut(serializers.Serializer):
    unit = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    total = serializers.FloatField()
    band = serializers.CharField()
    groups = GroupOut(many=True)
    indicators = IndicatorOut(many=True)


class RuleNoteOut(serializers.Serializer):
    switch = serializers.CharField(help_text="Tên quy tắc (interchange.md §4.1)")
    value = serializers.CharField()
    portal = serializers.BooleanField(help_text="Quy tắc của Cổng DVCQG, khác văn bản")
    indicators = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()


class ScoreReportOut(serializers.Serializer):
    formula_set = serializers.CharField()
    period = PeriodOut()
    as_of = serializers.DateTimeField()
    computed_at = serializers.DateTimeField(help_text="Khi các kết quả được tính")
    units = UnitScoreOut(many=True)
    # Not required: a response cached before the notes existed is served without them.
    rules = RuleNoteOut(many=True, required=False, help_text="Quy tắc tính khác giữa Cổng DVCQG và văn bản")


class RecordOut(serializers.Serializer):
    record = serializers.CharField(help_text="Mã hồ sơ, mã TTHC, mã dịch vụ hoặc mã PAKN")
    record_kind = serializers.CharField()
    unit = serializers.CharField()
    points = serializers.FloatField(help_text="Số điểm bản ghi này làm mất")
    step = serializers.CharField(allow_null=True)
    official = serializers.CharField(allow_null=True)


class ExplainOut(serializers.Serializer):
    period = serializers.CharField()
    unit = serializers.CharField()
    indicator = serializers.CharField()
    records = RecordOut(many=True)
    rules = RuleNoteOut(
        many=True, required=False, help_text="Quy tắc của Cổng DVCQG khác văn bản áp dụng cho chỉ số này"
    )


class ForecastUnitOut(serializers.Serializer):
    unit = serializers.CharField()
    total_now = serializers.FloatField()
    total_at_period_end = serializers.FloatField()
    points_at_risk = serializers.FloatField()


class RiskItemOut(serializers.Serializer):
    unit = serializers.CharField()
    record_kind = serializers.CharField()
    record = serializers.CharField()
    indicators = serializers.ListField(child=serializers.CharField())
    points = serializers.FloatField()
    deadline = serializers.DateTimeField(allow_null=True)
    working_hours_left = serializers.FloatField(allow_null=True)


class ForecastOut(serializers.Serializer):
    period = serializers.CharField()
    as_of = serializers.DateTimeField()
    units = ForecastUnitOut(many=True)
    items = RiskItemOut(many=True)


class AcceptedOut(serializers.Serializer):
    detail = serializers.CharField()
    task = serializers.CharField()
    status_url = serializers.CharField(help_text="GET để theo dõi; cũng ở tiêu đề Location")
    retry_url = serializers.CharField(help_text="Gọi lại địa chỉ này (không có fresh) khi việc tính lại xong")


class TaskOut(serializers.Serializer):
    task = serializers.CharField()
    period = serializers.CharField()
    state = serializers.ChoiceField(choices=["queued", "done", "failed"])
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    detail = serializers.CharField(allow_blank=True)


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="Lý do, bằng tiếng Việt")
    code = serializers.CharField()
    # The serializer metaclass moves declared fields off the class, so this does not hide ``.errors``.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Lỗi theo từng tham số (400)",
    )
