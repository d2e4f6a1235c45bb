"""Issue #10 item 16: realistic demo data. The demo's officials have Vietnamese full names, the procedures
the law charges for carry their fee, provincial procedures are handled by departments and received at the
province's centre, and every late dossier names its step and official."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from motcua.catalog.models import FeeSpec, Procedure, PublicationStatus
from motcua.dossiers import intake
from motcua.dossiers.models import Dossier
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
from motcua.org.demo import create_demo_logins
from motcua.org.models import Official, UnitKind
from motcua.web.demo_catalogue import declare_demo_catalogue, declare_demo_fees, declare_legal_fees
from tests.factories import procedure, province_with_department

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "set"
    generate_exchange_set(folder, dossiers=1500, seed=16, until=date(2026, 11, 20), units=60, procedures=200)
    return folder


@pytest.fixture
def demo(demo_set):
    """What ``motcua demo`` prepares before serving, on a small province."""
    assert import_exchange_set(demo_set).ok
    declare_demo_catalogue()
    declare_demo_fees()
    declare_legal_fees()
    create_demo_logins()


def test_demo_officials_have_vietnamese_full_names_not_role_titles():
    province_with_department()
    create_demo_logins()
    names = dict(get_user_model().objects.values_list("username", "first_name"))
    assert names["chuyenvien"] == "Nguyễn Minh Tuấn" and names["lanhdao"] == "Trần Quốc Bảo"
    for username, name in names.items():
        assert len(name.split()) >= 3 and "Chuyên viên" not in name and "Công chức" not in name, (username, name)
    desk = get_user_model().objects.get(username="motcua_so")
    assert desk.get_full_name() == "Phạm Thu Hà" and not desk.is_staff  # the admin is for the administrator


def test_the_criminal_record_certificate_carries_the_fee_the_law_sets():
    _province, department, _commune = province_with_department()
    proc = procedure(name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    procedure(code="1.000002", name="Đăng ký khai sinh")
    assert declare_legal_fees() == 1 and declare_legal_fees() == 0
    fee = FeeSpec.objects.get(version=Procedure.objects.get(pk=proc.pk).current_version)
    assert (fee.name, fee.amount) == ("Phí cung cấp thông tin lý lịch tư pháp", 200_000)
    assert Procedure.objects.get(pk=proc.pk).has_fee


def test_the_province_centre_receives_provincial_procedures_for_their_department(demo):
    centre = Official.objects.select_related("unit").get(user__username="motcua_tinh").unit
    assert centre.kind == UnitKind.PROVINCE
    provincial = Procedure.objects.filter(level_province=True, level_commune=False).exclude(
        publication_status=PublicationStatus.ABOLISHED
    )
    assert intake.receivable_procedures(centre).filter(pk=provincial[0].pk).exists()
    for proc in provincial[:20]:
        units = list(intake.competent_units(proc, centre))
        assert units and all(u.kind == UnitKind.DEPARTMENT for u in units), proc.code
    assert not Dossier.objects.filter(handling_unit__kind=UnitKind.PROVINCE).exists()
    at_centre = Dossier.objects.filter(receiving_unit=centre)
    assert at_centre.exists() and not at_centre.exclude(handling_unit__kind=UnitKind.DEPARTMENT).exists()


def test_a_dossier_received_at_the_counter_owes_the_fees_of_the_demo_catalogue(demo):
    from motcua.documents import services as documents
    from motcua.dossiers import services
    from motcua.dossiers.models import FeeLine

    lltp = Procedure.objects.filter(name__icontains="phiếu lý lịch tư pháp", has_fee=True).order_by("code").first()
    fees = list(FeeSpec.objects.filter(version=lltp.current_version).values_list("code", "amount"))
    assert fees == [("PLLTP", 200_000)]
    # Every fee-bearing procedure whose dossiers were charged declares what they were charged.
    charged = set(FeeLine.objects.filter(amount__gt=0).values_list("dossier__procedure_id", flat=True))
    declared = set(FeeSpec.objects.values_list("version__procedure_id", flat=True))
    assert charged and charged <= declared
    department = lltp.competent_units.get()
    dossier = services.receive(
        procedure=lltp,
        handling_unit=department,
        receiving_unit=Official.objects.get(user__username="motcua_tinh").unit,
        channel=1,
        applicant={"applicant_name": "Hoàng Văn Nam", "applicant_id_number": "001090001234"},
    )
    assert list(dossier.fee_lines.values_list("code", "amount")) == fees
    assert "Phí, lệ phí phải nộp: 200.000 đồng (chưa nộp)" in documents.render_html("01", dossier)
