"""Issue #10 item 16 (in part): the demo's officials have Vietnamese full names and the procedures the law
charges for carry their fee."""

import pytest
from django.contrib.auth import get_user_model

from motcua.catalog.models import FeeSpec, Procedure
from motcua.org.demo import create_demo_logins
from motcua.web.demo_catalogue import declare_legal_fees
from tests.factories import procedure, province_with_department

pytestmark = pytest.mark.django_db


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
