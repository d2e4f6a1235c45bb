"""Repeated complaints: the same sender about the same subject within 90 days is linked to the earlier one
(``repeats``, MaPAKNTruoc), compared without accents, case or punctuation; 5.3 reads the link."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.core.text import fold_key, phone_key
from motcua.feedback import services
from tests.factories import vn
from tests.workspace import processing_fixtures

from .builders import T0, new_complaint

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db


def test_keys_ignore_accents_case_and_punctuation():
    assert fold_key("Chậm trả KẾT QUẢ hồ sơ: đất đai!") == fold_key("cham tra ket qua ho so dat dai")
    assert fold_key("  Nguyễn   Văn  An ") == "nguyen van an"
    assert phone_key("+84 912.345.678") == phone_key("0912 345 678") == "0912345678"


def test_same_sender_and_subject_within_90_days_is_linked(world):
    first = new_complaint(world)
    second = new_complaint(
        world,
        at=T0 + timedelta(days=30),
        sender="NGUYEN VAN AN",
        title="Chậm trả kết quả hồ sơ đất đai.",
        phone="+84912345678",
        email="",
    )
    assert second.repeats == first
    third = new_complaint(
        world, at=T0 + timedelta(days=89), sender="nguyễn văn an", title="chậm trả kết quả hồ sơ đất đai"
    )
    assert third.repeats == second  # the latest earlier one
    assert list(first.repeated_by.all()) == [second]


def test_outside_the_window_or_another_sender_or_subject_is_not(world):
    first = new_complaint(world)
    assert new_complaint(world, at=T0 + timedelta(days=90, minutes=1)).repeats is None
    assert new_complaint(world, at=T0 + timedelta(days=1), sender="Nguyễn Văn Ân Khác").repeats is None
    assert new_complaint(world, at=T0 + timedelta(days=1), title="Thái độ cán bộ một cửa").repeats is None
    # One name, two people: their phone numbers differ.
    assert new_complaint(world, at=T0 + timedelta(days=2), phone="0987 000 111", email="").repeats is None
    # Anonymous complaints repeat nothing.
    anonymous = new_complaint(world, sender="", at=T0 + timedelta(days=3))
    assert new_complaint(world, sender="", at=T0 + timedelta(days=4)).repeats is None and anonymous.repeats is None
    assert new_complaint(world, at=T0 + timedelta(days=5)).repeats == first


def test_a_portal_complaint_is_linked_to_a_counter_one(world):
    counter = new_complaint(world, at=vn(2026, 3, 2, 9))
    portal, _ = services.register_complaint(
        code="DVCQG-PAKN-77",
        unit=world.other_unit,
        category="quy_dinh",
        title="Chậm trả kết quả hồ sơ đất đai",
        content="Tôi phản ánh lần hai.",
        submitted_at=vn(2026, 4, 1, 9),
        sender="Nguyễn Văn An",
    )
    assert portal.repeats == counter
