"""The live 766 recompute skips imports by an explicit flag, not by reading the audit source's text."""

import pytest

from motcua.core.audit import audit_context
from motcua.core.bulkflag import bulk_write, in_bulk_write
from motcua.index766 import signals


@pytest.fixture
def live(settings):
    settings.MOTCUA_LIVE_766 = True
    signals._local.batch = None
    yield
    signals._local.batch = None


@pytest.mark.django_db
def test_a_change_inside_a_bulk_write_is_not_recomputed_live(live, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, bulk_write("import:8"):
        assert in_bulk_write()
        signals.note(units=[1], dossiers=[2])
    assert not in_bulk_write()
    assert callbacks == [] and signals._local.batch is None


@pytest.mark.django_db
def test_an_audit_source_named_like_an_import_is_not_the_flag(live, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, audit_context(None, "import-portal"):
        signals.note(units=[1], dossiers=[2])
    assert len(callbacks) == 1
    assert signals._local.batch == {"units": {1}, "dossiers": {2}, "complaints": set()}


def test_the_flag_is_restored_when_the_block_fails():
    with pytest.raises(RuntimeError), bulk_write("import:9"):
        raise RuntimeError
    assert not in_bulk_write()
