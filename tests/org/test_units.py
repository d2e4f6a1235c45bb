"""The units tree (in memory, dropped on save), unit codes and the demo logins."""

from datetime import date

import pytest

from motcua.org import tree
from motcua.org.demo import DEMO_PASSWORD, create_demo_logins
from motcua.org.models import Official, Role, Unit, UnitKind
from tests.factories import province_with_department

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_tree():
    tree.clear()
    yield
    tree.clear()


def test_subtrees_and_ancestors():
    province, department, commune = province_with_department()
    hamlet = Unit.objects.create(code="H99.1001.01", name="Tổ một cửa", kind=UnitKind.COMMUNE, parent=commune)
    assert tree.subtree_ids(province.pk) == {province.pk, department.pk, commune.pk, hamlet.pk}
    assert tree.subtree_ids(commune.pk) == {commune.pk, hamlet.pk}
    assert tree.subtree_ids(department.pk) == {department.pk}
    assert tree.ancestor_ids(hamlet.pk) == [commune.pk, province.pk]
    assert tree.ancestor_ids(province.pk) == []
    assert [u.code for u in hamlet.ancestors()] == ["H99.1001", "H99"]


def test_saving_a_unit_drops_the_cached_tree():
    province, department, _commune = province_with_department()
    assert tree.subtree_ids(province.pk) == {province.pk, department.pk, _commune.pk}
    moved = Unit.objects.create(code="H99.02", name="Sở Y tế", kind=UnitKind.DEPARTMENT, parent=department)
    assert moved.pk in tree.subtree_ids(department.pk)  # no stale cache after the save
    moved.parent = province
    moved.save()
    assert moved.pk not in tree.subtree_ids(department.pk)
    assert tree.ancestor_ids(moved.pk) == [province.pk]


def test_a_cycle_in_the_parents_does_not_loop():
    province, department, _commune = province_with_department()
    Unit.objects.filter(pk=province.pk).update(parent=department)  # bad data written behind the ORM
    tree.clear()
    assert tree.ancestor_ids(department.pk) == [province.pk, department.pk]  # stops where the chain repeats
    assert tree.subtree_ids(department.pk) == {department.pk, province.pk, _commune.pk}


def test_the_dossier_code_prefix_is_the_electronic_id_when_there_is_one():
    _province, department, _commune = province_with_department()
    assert department.dossier_code_prefix == "H99.01"
    department.extra = {"MaDinhDanhDienTu": "000.00.12.H99"}
    assert department.dossier_code_prefix == "000.00.12.H99"
    assert str(department) == "H99.01 — Sở Tư pháp"


def test_demo_logins_one_per_role_and_idempotent():
    assert create_demo_logins() == []  # no province yet: nothing to place them in
    province, department, commune = province_with_department()
    Unit.objects.create(
        code="H99.1002", name="Xã cũ", kind=UnitKind.COMMUNE, parent=province, valid_to=date(2025, 6, 30)
    )
    rows = create_demo_logins()
    assert [r[0] for r in rows] == [
        "motcua_admin",
        "kiemsoat",
        "motcua_so",
        "chuyenvien",
        "lanhdao",
        "motcua_tinh",
        "motcua_xa",
    ]
    assert rows[-1][2] == "H99.1001 Xã An Bình"  # a commune still in force
    assert set(Official.objects.values_list("role", flat=True)) == set(Role.values)
    admin = Official.objects.get(user__username="motcua_admin").user
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    assert not Official.objects.get(user__username="chuyenvien").user.is_superuser
    assert create_demo_logins() == rows and Official.objects.count() == 7
