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
