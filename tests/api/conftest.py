"""API fixtures: the 766 engine reads through its own connection (a file test database); the API's
cached results never outlive a test's data."""

import pytest
from django.core.cache import cache

from tests.index766.conftest import file_database  # noqa: F401 - re-exported fixture


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
