"""Giả lập Cổng DVCQG: the demo's stand-in for the national portal (``motcua demo`` only).

It shows what the fake adapter holds (what motcua's relay delivered) and sends the portal's
four calls to motcua's own signed endpoints over HTTP, exactly as the portal would: an online
dossier, a payment, a rating, a complaint. Outside the demo the page does not exist (404).
"""

from __future__ import annotations

import json
import random

import httpx
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from motcua.catalog.models import OnlineService
from motcua.dossiers.models import Dossier
from motcua.feedback.models import ComplaintCategory
from motcua.nationalportal.payloads import portal_date
from motcua.nationalportal.status import sync_status
from motcua.nationalportal.views import signature
from motcua.org.models import Unit


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )


class OnlineDossierForm(_Form):
    service = forms.ModelChoiceField(OnlineService.objects.none(), label="Dịch vụ công trực tuyến")
    applicant = forms.CharField(label="Người nộp", initial="Trần Thị Bình", max_length=255)
    id_number = forms.RegexField(r"^\d{12}$", label="Số định danh cá nhân", initial="001190000123")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        services = OnlineService.objects.select_related("procedure", "unit").order_by("unit__code", "procedure__code")
        first = list(services.values_list("pk", flat=True)[:200])  # a choice list, not a province's catalogue
        self.fields["service"].queryset = services.filter(pk__in=first)
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.unit.code} · {s.procedure.code} {s.procedure.name[:70]}"
        )


class PaymentForm(_Form):
    dossier = forms.CharField(label="Mã hồ sơ", max_length=64)
    amount = forms.IntegerField(label="Số tiền (đồng)", min_value=0, initial=200000)
    channel = forms.ChoiceField(
        label="Kênh", choices=[("1", "Nền tảng thanh toán quốc gia"), ("2", "Cổng thanh toán địa phương")]
    )


class RatingForm(_Form):
    dossier = forms.CharField(label="Mã hồ sơ", max_length=64)
    satisfied = forms.TypedChoiceField(
        label="Đánh giá", coerce=lambda v: v == "1", choices=[("1", "Hài lòng"), ("0", "Không hài lòng")]
    )
    reason = forms.CharField(label="Lý do", required=False, max_length=500)


class ComplaintForm(_Form):
    unit = forms.ModelChoiceField(Unit.objects.order_by("code"), label="Đơn vị", to_field_name="code")
    category = forms.ChoiceField(label="Phân loại", choices=ComplaintCategory.choices)
    title = forms.CharField(label="Tiêu đề", max_length=500, initial="Cán bộ hẹn nhiều lần")
    content = forms.CharField(
        label="Nội dung",
        widget=forms.Textarea(attrs={"rows": 2}),
        initial="Tôi đã đến ba lần mà chưa nhận được kết quả.",
    )
    dossier = forms.CharField(label="Mã hồ sơ liên quan", required=False, max_length=64)


FORMS = {"ho-so": OnlineDossierForm, "thanh-toan": PaymentForm, "danh-gia": RatingForm, "pakn": ComplaintForm}


def _body(kind: str, data: dict) -> dict:
    now = portal_date(timezone.now())
    if kind == "ho-so":
        service = data["service"]
        code = f"DVC.{service.unit.code}-{timezone.localdate():%y%m%d}-{random.randint(0, 999999):06d}"
        return {
            "MaHoSo": code,
            "MaTTHC": service.procedure.code,
            "TenTTHC": service.procedure.name,
            "MaLinhVuc": service.procedure.field_code,
            "TenLinhVuc": service.procedure.field_name,
            "KenhThucHien": "2",
            "ChuHoSo": data["applicant"],
            "LoaiDoiTuong": "1",
            "MaDoiTuong": data["id_number"],
            "SoDienThoai": "",
            "Email": "",
            "TrichYeuHoSo": service.procedure.name,
            "NgayNopHoSo": now,
            "TrangThaiHoSo": "1",
            "DonViXuLy": service.unit.code,
            "TaiKhoanDuocXacThucVoiVNeID": "1",
            "MaCSDL": "",
            "TaiLieuNop": [
                {
                    "MaThanhPhanHoSo": "TK",
                    "TenTepDinhKem": "to-khai.pdf",
                    "DuocSoHoa": "1",
                    "DuocLayTuKhoDMQG": "0",
                    "DuongDanTaiTepTin": "https://dichvucong.gov.vn/demo/to-khai.pdf",
                }
            ],
            "DanhSachLePhi": [],
        }
    if kind == "thanh-toan":
        return {
            "MaHoSo": data["dossier"],
            "MaGiaoDich": f"DEMO-{random.randint(0, 10**9):09d}",
            "SoTien": data["amount"],
            "ThoiDiem": now,
            "KenhThanhToan": data["channel"],
        }
    if kind == "danh-gia":
        return {"MaHoSo": data["dossier"], "HaiLong": data["satisfied"], "LyDo": data["reason"], "ThoiDiem": now}
    return {
        "MaPAKN": f"PAKN-DEMO-{random.randint(0, 10**9):09d}",
        "MaDonVi": data["unit"].code,
        "MaHoSo": data["dossier"],
        "PhanLoai": data["category"],
        "TieuDe": data["title"],
        "NoiDung": data["content"],
        "NgayGui": now,
        "NguoiGui": "Công dân (giả lập)",
    }


def _portal_copy() -> dict:
    """What the fake adapter holds now (its control endpoint)."""
    try:
        state = httpx.get(f"{settings.MOTCUA_PORTAL_URL}/_fake/state", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return {"reachable": False}
    dossiers = state.get("dossiers", {})
    recent = sorted(
        dossiers.values(), key=lambda d: max([p["ThoiDiemXuLy"] for p in d.get("TienDo", [])] or [""]), reverse=True
    )[:10]
    return {"reachable": True, "count": len(dossiers), "recent": recent}


@require_http_methods(["GET", "POST"])
def portal_simulator(request):
    if not getattr(settings, "MOTCUA_DEMO_PORTAL", False):
        raise Http404
    kind = request.POST.get("kind") if request.method == "POST" else None
    bound = {name: form(request.POST if name == kind else None, prefix=name) for name, form in FORMS.items()}
    if kind in bound and bound[kind].is_valid():
        body = json.dumps(_body(kind, bound[kind].cleaned_data), ensure_ascii=False).encode()
        url = request.build_absolute_uri(f"/api/portal/{kind}/")
        try:
            answer = httpx.post(
                url,
                content=body,
                timeout=30,
                headers={
                    "Content-Type": "application/json",
                    "X-Portal-Signature": signature(body, settings.MOTCUA_PORTAL_INBOUND_SECRET),
                },
            )
            result = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            messages.error(request, f"Không gửi được: {exc}")
        else:
            level = messages.SUCCESS if result.get("error_code") == "00" else messages.ERROR
            messages.add_message(
                request,
                level,
                f"Cổng gửi {json.loads(body).get('MaHoSo') or ''} → motcua trả lời HTTP {answer.status_code}: {result}",
            )
        return redirect("web:portal-simulator")
    recent_online = Dossier.objects.filter(origin="dvcqg").order_by("-pk")[:5]
    return render(
        request,
        "web/portal_simulator.html",
        {
            "forms": bound,
            "copy": _portal_copy(),
            "status": sync_status(),
            "recent_online": recent_online,
        },
    )
