"""Dossier codes stay unique when many desks receive at the same unit at once (PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from motcua.dossiers.services import allocate_dossier_code
from motcua.org.models import Unit, UnitKind
from tests.factories import vn


@pytest.mark.django_db(transaction=True)
def test_parallel_code_allocation_is_unique():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite allows one writer at a time by design")
    unit = Unit.objects.create(code="H98.01", name="Sở Thử", kind=UnitKind.DEPARTMENT)

    def allocate(_):
        try:
            with transaction.atomic():
                return allocate_dossier_code(unit, vn(2026, 5, 4, 9))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(allocate, range(200)))
    assert len(set(codes)) == 200
    assert sorted(codes)[-1] == "H98.01-260504-0200"
