"""Procedure versions: created when the legal content changes, carrying the catalogue over."""

from datetime import time
from decimal import Decimal

import pytest

from motcua.catalog.models import ComponentSpec, FeeSpec, ProcedureCase
from motcua.catalog.versions import current_version
from tests.factories import procedure

pytestmark = pytest.mark.django_db


def test_the_first_call_creates_version_one_and_later_calls_reuse_it():
    proc = procedure(days=5)
    first = current_version(proc)
    assert first.number == 1 and proc.current_version == first
    assert first.values["time_limit"] == "5" and first.values["cutoff_time"] is None
    proc.refresh_from_db()
    assert current_version(proc) == first  # 5 and 5.00 are the same limit


def test_a_changed_limit_makes_a_new_version_that_keeps_cases_components_and_fees():
    proc = procedure(days=5)
    first = current_version(proc)
    case = ProcedureCase.objects.create(version=first, code="TH1", name="Cấp lần đầu")
    ComponentSpec.objects.create(version=first, case=case, code="TP01", name="Tờ khai", required=True)
    ComponentSpec.objects.create(version=first, code="TP02", name="Căn cước", required=True)
    FeeSpec.objects.create(version=first, case=case, code="LP01", name="Lệ phí", amount=200000)
    proc.time_limit, proc.cutoff_time = Decimal(3), time(15, 0)
    proc.save()
    second = current_version(proc)
    assert second.number == 2 and second.values["time_limit"] == "3" and second.values["cutoff_time"] == "15:00"
    proc.refresh_from_db()
    assert proc.current_version == second
    new_case = second.cases.get()
    assert new_case.pk != case.pk and new_case.code == "TH1"
    assert sorted((c.code, c.case_id) for c in second.components.all()) == [("TP01", new_case.pk), ("TP02", None)]
    assert second.fees.get().case == new_case
    assert first.components.count() == 2 and first.cases.get() == case  # the old version is left as it was


def test_a_change_outside_the_legal_content_makes_no_version():
    proc = procedure()
    first = current_version(proc)
    proc.name = "Tên mới"
    proc.save()
    assert current_version(proc) == first
