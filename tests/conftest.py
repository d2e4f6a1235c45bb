"""Shared test setup.

The suite runs on SQLite by default and on PostgreSQL when ``DATABASE_URL``
points at one (``.ci/run`` does both). Nothing is mocked at the database level.
"""

import os

import pytest

from tests.browser import CHROMIUM

os.environ.setdefault("MOTCUA_HUEY_IMMEDIATE", "1")
# The live 766 recomputation after each dossier event (index766/signals.py) is off in tests,
# except where tests/index766/test_live.py turns it on.
os.environ.setdefault("MOTCUA_LIVE_766", "0")


@pytest.fixture
def browser_page():
    """A 1366×768 Vietnamese-locale page in headless Chromium (no browser download: Debian's package)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        chromium.close()
        # ORM calls made while Playwright's loop runs get their own connection (Django's connections are
        # context-local): close it here, or PostgreSQL can't drop the test database.
        from django.db import connections

        connections.close_all()
