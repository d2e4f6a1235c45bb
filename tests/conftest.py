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


#: Reports each violation of the Content-Security-Policy to the console, with the element concerned.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (event) {
  // An empty style attribute is what Playwright leaves after removing its caret style from a field it
  // typed in; htmx copies it when it swaps the form. It styles nothing, so it is not a violation here.
  if (event.violatedDirective.indexOf("style-src-attr") === 0 && event.target && event.target.getAttribute
      && (event.target.getAttribute("style") || "").trim() === "") { return; }
  var element = event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 300) : "";
  console.error("CSP violation: " + event.violatedDirective + " at " + event.sourceFile + ":" + event.lineNumber
                + " " + element);
});
"""
PLAYWRIGHT_CARET = "caret-color: transparent !important"


@pytest.fixture
def browser_page():
    """A 1366×768 Vietnamese-locale page in headless Chromium (no browser download: Debian's package).

    The test fails if the page reports anything blocked by the Content-Security-Policy."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = chromium.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        # Whatever the Content-Security-Policy blocks (an inline script, handler or style) is a failure, except
        # the style Playwright itself puts on a text field to hide its caret in screenshots (htmx may copy it
        # into swapped content).
        blocked = []
        page.add_init_script(CSP_REPORTER)
        page.on(
            "console",
            lambda message: (
                blocked.append(f"{page.url}: {message.text}")
                if message.text.startswith("CSP violation") and PLAYWRIGHT_CARET not in message.text
                else None
            ),
        )
        yield page
        chromium.close()
        # ORM calls made while Playwright's loop runs get their own connection (Django's connections are
        # context-local): close it here, or PostgreSQL can't drop the test database.
        from django.db import connections

        connections.close_all()
    assert not blocked, "blocked by the Content-Security-Policy:\n" + "\n".join(blocked)


#: The instant "now" is pinned to in tests that would otherwise read the real clock (a Monday,
#: in office hours, no holiday near): what they check never depends on the day the suite runs.
PINNED_NOW = "2026-06-08T09:00:00+07:00"


@pytest.fixture
def pinned_now():
    """Travel to :data:`PINNED_NOW` (time-machine); the clock keeps ticking from there."""
    import time_machine

    with time_machine.travel(PINNED_NOW, tick=True) as traveller:
        yield traveller
