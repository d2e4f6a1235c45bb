"""The audit context names the actor and source of every change, also after a nested block."""

import pytest
from auditlog.models import LogEntry

from motcua.core.audit import audit_context
from motcua.org.models import Unit, UnitKind
from tests.factories import official

pytestmark = pytest.mark.django_db


def test_outer_block_keeps_its_actor_after_a_nested_block():
    province = Unit.objects.create(code="H98", name="Tỉnh A", kind=UnitKind.PROVINCE)
    leader = official("ld", province, "leader")
    with audit_context(leader, "web"):
        with audit_context(None, "system"):
            inner = Unit.objects.create(code="H98.01", name="Sở B", kind=UnitKind.DEPARTMENT, parent=province)
        outer = Unit.objects.create(code="H98.02", name="Sở C", kind=UnitKind.DEPARTMENT, parent=province)
    inner_entry = LogEntry.objects.get_for_object(inner).get()
    outer_entry = LogEntry.objects.get_for_object(outer).get()
    assert (inner_entry.actor, inner_entry.cid) == (None, "system")
    assert (outer_entry.actor, outer_entry.cid) == (leader, "web")
