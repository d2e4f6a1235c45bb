"""The portal's signed calls: online dossiers, payments, ratings and complaints (portal-sync.md §2)."""

import json

import pytest
from auditlog.models import LogEntry
from django.test import override_settings

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, FeeLine, Payment, Status
from motcua.feedback.models import Complaint, ComplaintStatus, Rating
from motcua.nationalportal.models import OutboxMessage
from motcua.nationalportal.views import signature
from tests.factories import vn
from tests.nationalportal.conftest import received

pytestmark = pytest.mark.django_db

SECRET = "s" * 16 + "ecret-for-the-inbound-tests"


@pytest.fixture(autouse=True)
def inbound_secret():
    with override_settings(MOTCUA_PORTAL_INBOUND_SECRET=SECRET):
        yield


def post(client, path, body, *, secret=SECRET, raw=None, header=True):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    headers = {"HTTP_X_PORTAL_SIGNATURE": signature(data, secret)} if header else {}
    return client.post(f"/api/portal/{path}/", data=data, content_type="application/json", **headers)


def online(code="G22.99-261201-0001", **changes):
    body = {
        "MaHoSo": code,
        "MaTTHC": "1.000001",
        "TenTTHC": "Cấp phiếu lý lịch tư pháp",
        "MaLinhVuc": "G01",
        "TenLinhVuc": "Tư pháp",
        "KenhThucHien": "2",
        "ChuHoSo": "Trần Thị Bình",
        "LoaiDoiTuong": "1",
        "MaDoiTuong": "001190000123",
        "SoDienThoai": "0912345678",
        "Email": "binh@example.vn",
        "TrichYeuHoSo": "Cấp phiếu số 1",
        "NgayNopHoSo": "20261201083000",
        "TrangThaiHoSo": "1",
        "DonViXuLy": "H99.01",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "MaCSDL": "",
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": "TP1",
                "TenTepDinhKem": "to-khai.pdf",
                "DuocSoHoa": "1",
                "DuocLayTuKhoDMQG": "0",
                "DuongDanTaiTepTin": "https://dichvucong.gov.vn/f/1",
            }
        ],
        "DanhSachLePhi": [{"MaPhiLePhi": "LP1", "TenPhiLePhi": "Lệ phí", "Gia": "200000"}],
    }
    body.update(changes)
    return body


def test_online_dossier_lands_in_the_online_queue_with_its_components_and_fees(client, office):
    answer = post(client, "ho-so", online())
    assert answer.status_code == 200 and answer.json() == {"error_code": "00"}
    dossier = Dossier.objects.get(code="G22.99-261201-0001")
    assert (dossier.status, dossier.channel, dossier.origin) == (Status.SUBMITTED, 2, "dvcqg")
    assert dossier.submitted_at == vn(2026, 12, 1, 8, 30)
    assert dossier.received_at is None and dossier.vneid_authenticated
    component = dossier.components.get()
    assert component.has_file and not component.digitized  # a file on the portal is not digitized here
    assert list(FeeLine.objects.filter(dossier=dossier).values_list("amount", flat=True)) == [200000]
    assert LogEntry.objects.get_for_object(dossier).filter(cid="portal").exists()
    # The desk's decision goes back to the portal through the outbox.
    services.receive(
        procedure=dossier.procedure,
        handling_unit=dossier.handling_unit,
        channel=2,
        dossier=dossier,
        received_at=vn(2026, 12, 1, 10),
    )
    assert OutboxMessage.objects.filter(dossier=dossier, kind="progress", status=Status.RECEIVED).exists()


def test_replay_answers_the_same_and_stores_one(client, office):
    for _ in range(2):
        assert post(client, "ho-so", online()).json() == {"error_code": "00"}
    assert Dossier.objects.filter(code="G22.99-261201-0001").count() == 1
    assert Dossier.objects.get().events.count() == 1


def test_an_online_supplement_updates_the_same_dossier(client, office):
    post(client, "ho-so", online())
    dossier = Dossier.objects.get()
    services.request_supplement(dossier, items=["Tờ khai có chữ ký"], reason="Thiếu chữ ký", at=vn(2026, 12, 1, 9))
    body = online(
        TaiLieuNop=[
            {
                "MaThanhPhanHoSo": "TP1",
                "TenTepDinhKem": "to-khai-ky.pdf",
                "DuocSoHoa": "1",
                "DuocLayTuKhoDMQG": "0",
                "DuongDanTaiTepTin": "https://dichvucong.gov.vn/f/2",
            }
        ]
    )
    assert post(client, "ho-so", body).json() == {"error_code": "00"}
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED  # back to the desk, not yet received
    component = dossier.components.get()  # updated, not listed twice
    assert component.name == "to-khai-ky.pdf" and component.extra["DuongDanTaiTepTin"].endswith("/f/2")
    assert dossier.supplement_requests.get().completed_at is not None


@pytest.mark.parametrize("path", ["ho-so", "thanh-toan", "danh-gia", "pakn"])
def test_wrong_or_missing_signature_is_401_and_stores_nothing(client, office, path):
    before = (Dossier.objects.count(), Payment.objects.count(), Rating.objects.count(), Complaint.objects.count())
    assert post(client, path, online(), secret="another-secret-of-enough-length!!").status_code == 401
    assert post(client, path, online(), header=False).status_code == 401
    tampered = json.dumps(online()).encode()
    response = client.post(
        f"/api/portal/{path}/",
        data=tampered.replace(b"H99.01", b"H99.02"),
        content_type="application/json",
        HTTP_X_PORTAL_SIGNATURE=signature(tampered, SECRET),
    )
    assert response.status_code == 401 and response.json()["error_code"] == "01"
    assert (
        Dossier.objects.count(),
        Payment.objects.count(),
        Rating.objects.count(),
        Complaint.objects.count(),
    ) == before


def test_no_secret_configured_refuses_everything(client, office):
    with override_settings(MOTCUA_PORTAL_INBOUND_SECRET=""):
        assert post(client, "ho-so", online(), secret="").status_code == 401
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"NgayNopHoSo": "2026-12-01"}, "NgayNopHoSo"),
    ({"TrangThaiHoSo": "4"}, "TrangThaiHoSo"),
    ({"MaHoSo": "G22/../etc"}, "MaHoSo"),
    ({"MaHoSo": "x" * 5000}, "MaHoSo"),
    ({"DonViXuLy": "KHONG-CO"}, "DonViXuLy"),
    ({"MaTTHC": "9.999999"}, "MaTTHC"),
    ({"DanhSachLePhi": [{"MaPhiLePhi": "LP1", "TenPhiLePhi": "x", "Gia": "1e30"}]}, "DanhSachLePhi"),
    ({"TaiLieuNop": [{"MaThanhPhanHoSo": "TP1", "DuongDanTaiTepTin": "javascript:alert(1)"}]}, "TaiLieuNop"),
    ({"ChuHoSo": ""}, "ChuHoSo"),
])  # fmt: skip
def test_invalid_content_is_400_naming_the_field_and_stores_nothing(client, office, changes, field):
    answer = post(client, "ho-so", online(**changes))
    assert answer.status_code == 400
    body = answer.json()
    assert body["error_code"] == "02" and field in body["message"]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"{}", b"\x00\xff"])
def test_malformed_bodies(client, office, raw):
    answer = post(client, "ho-so", None, raw=raw)
    assert answer.status_code == 400 and answer.json()["error_code"] == "02"
    assert not Dossier.objects.exists()


def payment(code, **changes):
    body = {
        "MaHoSo": code,
        "MaGiaoDich": "PAYGOV-0001",
        "SoTien": 200000,
        "ThoiDiem": "20260302100000",
        "KenhThanhToan": "1",
    }
    body.update(changes)
    return body


def test_payment_recorded_once_and_a_different_amount_flagged(client, office):
    (dossier,) = received(office)
    FeeLine.objects.create(dossier=dossier, code="LP1", name="Lệ phí", amount=200000)
    for _ in range(2):
        assert post(client, "thanh-toan", payment(dossier.code)).json() == {"error_code": "00"}
    paid = Payment.objects.get(transaction_id="PAYGOV-0001")
    assert not paid.amount_mismatch and paid.paid_at == vn(2026, 3, 2, 10)
    dossier.refresh_from_db()
    assert dossier.online_payment == 1 and dossier.paid_at == vn(2026, 3, 2, 10)
    assert post(
        client, "thanh-toan", payment(dossier.code, MaGiaoDich="PAYGOV-0002", SoTien=150000, KenhThanhToan="2")
    ).json() == {"error_code": "00"}
    short = Payment.objects.get(transaction_id="PAYGOV-0002")
    assert short.amount_mismatch and (short.amount, short.amount_due) == (150000, 200000)


def test_payment_for_an_unknown_dossier_is_refused(client, office):
    answer = post(client, "thanh-toan", payment("H99.01-000000-0000"))
    assert answer.status_code == 400 and "MaHoSo" in answer.json()["message"]
    assert not Payment.objects.exists()


def test_rating_one_per_dossier_the_later_one_replaces(client, office):
    (dossier,) = received(office)
    body = {"MaHoSo": dossier.code, "HaiLong": True, "LyDo": "", "ThoiDiem": "20260310080000"}
    assert post(client, "danh-gia", body).json() == {"error_code": "00"}
    assert post(client, "danh-gia", body).json() == {"error_code": "00"}  # replay
    later = {**body, "HaiLong": False, "LyDo": "Phải đi lại nhiều lần", "ThoiDiem": "20260311080000"}
    assert post(client, "danh-gia", later).json() == {"error_code": "00"}
    assert post(client, "danh-gia", body).json() == {"error_code": "00"}  # the older one, delivered late
    rating = Rating.objects.get(dossier=dossier)
    assert rating.dissatisfied and rating.comment == "Phải đi lại nhiều lần"


def test_complaint_becomes_a_pakn_with_its_deadlines(client, office):
    (dossier,) = received(office)
    body = {
        "MaPAKN": "PAKN-2026-0001",
        "MaDonVi": "H99.01",
        "MaHoSo": dossier.code,
        "PhanLoai": "hanh_vi",
        "TieuDe": "Cán bộ hẹn nhiều lần",
        "NoiDung": "…",
        "NgayGui": "20260302080000",
        "NguoiGui": "Lê Văn C",
    }
    for _ in range(2):
        assert post(client, "pakn", body).json() == {"error_code": "00"}
    complaint = Complaint.objects.get()
    assert complaint.dossier == dossier and complaint.status == ComplaintStatus.AWAITING
    assert list(complaint.status_log.values_list("status", flat=True)) == [ComplaintStatus.AWAITING]
    from motcua.feedback.services import deadlines_of

    deadlines = deadlines_of(complaint)
    # Monday 02/03/2026 08:00 + 15 working days (120 h) → Monday 23/03/2026 08:00.
    assert deadlines.answer_by == vn(2026, 3, 23, 8, 0)
    assert deadlines.refuse_by == vn(2026, 3, 4, 8, 0)
    bad = post(client, "pakn", {**body, "MaPAKN": "PAKN-2", "PhanLoai": "khac"})
    assert bad.status_code == 400 and "PhanLoai" in bad.json()["message"]


def test_the_endpoints_are_in_the_openapi_schema(client, office):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("schema_reader", password="x")
    client.force_login(user)
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/portal/ho-so/", "/api/portal/thanh-toan/", "/api/portal/danh-gia/", "/api/portal/pakn/"):
        operation = schema["paths"][path]["post"]
        assert {"200", "400", "401"} <= set(operation["responses"])
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "portalSignature" in schema["components"]["securitySchemes"]


def test_the_online_dossier_waits_in_the_desk_queue(client, office):
    _department, _proc, _steps, desk = office
    post(client, "ho-so", online())
    client.force_login(desk)
    page = client.get("/can-bo/mot-cua/").content.decode()
    assert "G22.99-261201-0001" in page and "Trần Thị Bình" in page
