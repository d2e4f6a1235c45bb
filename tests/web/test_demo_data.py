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
from tests.index766.conftest import file_database  # noqa: F401 - the fixture, used by name

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


@pytest.mark.django_db(transaction=True)  # the 766 engine reads through its own connection
@pytest.mark.usefixtures("file_database")
def test_every_late_dossier_of_the_demo_names_its_step_and_official(demo, client):
    """The scoreboard explains a lost point down to the dossier, the step and the official; in the demo none of
    them is blank, and the late officials' page names a person for every late step."""
    from motcua.index766.database import DEFAULT_SWITCHES, database_facts, refresh_database_facts
    from motcua.index766.explain import explain
    from motcua.index766.periods import parse_period
    from motcua.index766.responsibility import late_officials
    from motcua.web.demo_processing import record_demo_steps

    assert record_demo_steps() > 1000 and record_demo_steps() == 0  # once
    refresh_database_facts()
    facts = database_facts()
    try:
        missing = explain(facts, "2026-Q3", "H44", "2.1", switches=DEFAULT_SWITCHES)
    finally:
        facts.con.disconnect()
    assert len(missing) > 20
    assert all(m.step and m.official for m in missing), [m for m in missing if not (m.step and m.official)][:3]
    names = {m.official for m in missing}
    assert len(names) > 10 and all(len(name.split()) >= 3 for name in names)  # Vietnamese full names
    steps = {m.step for m in missing}
    assert steps <= {"Thẩm định hồ sơ", "Xem xét, trình ký", "Ký duyệt kết quả"} and "Thẩm định hồ sơ" in steps
    period = parse_period("2026-Q3")
    rows = late_officials(None, period.start, period.end)
    assert rows and all(r.official_id and r.official_name for r in rows)
    # The late dossiers' page names them too.
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="kiemsoat"))
    response = client.get(reverse("scoreboard:late-dossiers"), {"period": "2026-Q3"})
    page, who = list(response.context["page"]), response.context["responsible"]
    assert page and all(who[r.code][0] and who[r.code][1] for r in page)
    assert response.content.decode().count('<td class="small official">—</td>') == 0
    # A dossier still in processing is at its step, with its assignee.
    open_ = Dossier.objects.filter(status=4)
    assert open_.exists() and not open_.filter(current_step__isnull=True).exists()
    assert not open_.filter(current_assignee__isnull=True).exists()
