"""What every headless-browser test shares: Debian's Chromium driven by Playwright, and where screenshots go.

Test modules import ``requires_chromium`` (a mark) and ``ARTIFACTS``; the ``browser_page`` fixture is in
tests/conftest.py.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: In CI a missing browser is a failure, elsewhere a visible skip.
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="Debian chromium is not installed"
)


#: The demo and test officials' password (tests.factories.official).
PASSWORD = "motcua-demo-2026"


def sign_in(page, base, username):
    """Sign out whoever is signed in, then sign in as ``username`` through the sign-in page."""
    if page.locator("nav form[action$='/dang-xuat/'] button").count():
        with page.expect_navigation():
            page.click("nav form[action$='/dang-xuat/'] button")
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def submit(page, selector="main form[method=post] button[type=submit]"):
    """Click a form's submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
