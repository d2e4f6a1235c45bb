"""Dossiers in every state a form is printed from, made with the lifecycle services."""

import io
import re
from dataclasses import dataclass

import pypdf
import pytest
from fontTools.ttLib import TTFont

from motcua.dossiers import services
from motcua.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierComponent,
    StopNotice,
    SupplementRequest,
)
from tests.factories import official, procedure, province_with_department, vn, workflow

APPLICANT = {
    "applicant_name": "Nguyễn Thị Hồng Nhung",
    "applicant_id_number": "001185012345",
    "applicant_address": "Số 12 đường Trần Hưng Đạo, phường Hội An, tỉnh Thử Nghiệm",
    "applicant_phone": "0912 345 678",
    "applicant_email": "nhung.nguyen@example.vn",
}


@dataclass
class World:
    province: object
    department: object
    commune: object
    procedure: object
    steps: list
    desk: object
    specialist: object
    leader: object

    def receive(self, at=None, **applicant):
        return services.receive(
            procedure=self.procedure,
            handling_unit=self.department,
            channel=1,
            actor=self.desk,
            received_at=at or vn(2026, 3, 2, 9, 0),
            applicant={**APPLICANT, **applicant},
            sets_count=1,
            result_delivery="Bộ phận tiếp nhận và trả kết quả Sở Tư pháp",
        )


@pytest.fixture
def world(db):
    province, department, commune = province_with_department()
    proc = procedure(days=5)
    steps = workflow(proc)
    desk = official("le.van.binh", department, "desk_officer")
    desk.first_name, desk.last_name = "Bình", "Lê Văn"
    desk.save()
    specialist = official("tran.thu.ha", department, "specialist")
    specialist.first_name, specialist.last_name = "Hà", "Trần Thu"
    specialist.save()
    leader = official("pham.quoc.khanh", department, "leader")
    leader.first_name, leader.last_name = "Khánh", "Phạm Quốc"
    leader.save()
    return World(province, department, commune, proc, steps, desk, specialist, leader)


@pytest.fixture
def received(world) -> Dossier:
    """Received Mon 02/03/2026 09:00; 5 working days → due Mon 09/03/2026 09:00."""
    dossier = world.receive()
    DossierComponent.objects.create(dossier=dossier, name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")
    DossierComponent.objects.create(dossier=dossier, name="Căn cước công dân", reused=True)
    return dossier


@pytest.fixture
def supplement(world, received) -> SupplementRequest:
    return services.request_supplement(
        received,
        items=["Bản sao giấy khai sinh có chứng thực", "Ảnh chân dung 4x6 cm"],
        reason="Hồ sơ thiếu giấy tờ chứng minh nhân thân",
        actor=world.specialist,
        at=vn(2026, 3, 3, 10, 0),
    )


@pytest.fixture
def refused(world) -> Dossier:
    dossier = Dossier(procedure=world.procedure, handling_unit=world.department, channel=1, **APPLICANT)
    return services.refuse_reception(
        dossier,
        reason="Thủ tục không thuộc thẩm quyền giải quyết của Sở Tư pháp",
        actor=world.desk,
        at=vn(2026, 3, 2, 10, 15),
    )


@pytest.fixture
def apology(world, received) -> ApologyLetter:
    services.start_processing(received, actor=world.desk, at=vn(2026, 3, 2, 9, 30))
    return services.issue_apology(
        received,
        reason="Cần xác minh thông tin lý lịch tại địa phương khác",
        new_due_at=vn(2026, 3, 12, 16, 30),
        signer=world.leader,
        at=vn(2026, 3, 5, 9, 0),
    )


@pytest.fixture
def stopped(world, received) -> StopNotice:
    services.request_withdrawal(received, reason="Công dân đề nghị rút hồ sơ để bổ sung sau", at=vn(2026, 3, 3, 8, 0))
    services.stop(received, reason="Công dân rút hồ sơ theo đề nghị", actor=world.desk, at=vn(2026, 3, 3, 9, 0))
    return StopNotice.objects.get(dossier=received)


@pytest.fixture
def processed(world, received) -> Dossier:
    """Desk → Thẩm định (late) → Xem xét (with a consultation and a pause) → Ký duyệt → result."""
    s = services
    s.start_processing(received, actor=world.desk, at=vn(2026, 3, 2, 9, 30))
    s.hand_off(received, step=world.steps[1], actor=world.specialist, at=vn(2026, 3, 3, 10, 0))
    consultation = s.consult(
        received,
        unit=world.commune,
        question="Xác minh nơi cư trú",
        due_at=vn(2026, 3, 4, 14, 0),
        actor=world.specialist,
        at=vn(2026, 3, 3, 14, 0),
    )
    s.answer_consultation(consultation, answer="Đúng nơi cư trú", at=vn(2026, 3, 4, 9, 0))
    s.hand_off(received, step=world.steps[2], actor=world.specialist, at=vn(2026, 3, 4, 15, 0))
    s.pause(received, reason="Chờ lãnh đạo", at=vn(2026, 3, 4, 16, 0))
    s.resume(received, at=vn(2026, 3, 5, 8, 0))
    s.finish(received, result_code="KQ-1", actor=world.leader, at=vn(2026, 3, 5, 10, 0))
    received.refresh_from_db()
    return received


def pdf_text(pdf: bytes) -> str:
    """All page text, whitespace collapsed (titles wrap on A5)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def pdf_fonts(pdf: bytes) -> dict[str, dict]:
    """BaseFont → {"embedded": bool, "family": family name inside the embedded font program}."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = {}
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:  # Type0 (CID) fonts
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            program = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), None)
            family = None
            if program is not None:
                family = TTFont(io.BytesIO(program.get_object().get_data()))["name"].getDebugName(1)
            found[str(font["/BaseFont"])] = {"embedded": program is not None, "family": family}
    return found


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [
        (round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72)) for p in reader.pages
    ]
