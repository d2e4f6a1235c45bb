"""The dossier page reads reverse one-to-one rows: a missing row is None, a bug is not hidden."""

import pytest

from motcua.dossiers import services
from motcua.workspace.processing.views import _one_to_one
from tests.factories import procedure, province_with_department, vn


@pytest.mark.django_db
def test_missing_row_is_none_and_a_wrong_name_raises():
    _province, department, _commune = province_with_department()
    dossier = services.receive(
        procedure=procedure(), handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 9)
    )
    assert _one_to_one(dossier, "apology_letter") is None
    assert _one_to_one(dossier, "stop_notice") is None
    with pytest.raises(AttributeError):
        _one_to_one(dossier, "apology_leter")
