"""Playwright on Debian's Chromium, against pytest-django's live server.

The browser is the system's `chromium` (Debian package), launched by path: Playwright's own
browser download is never used. `PLAYWRIGHT_CHROMIUM_PATH` points elsewhere. Without the
binary the browser tests are skipped, unless `REQUIRE_BROWSER=1` (CI), which makes them fail.
Screenshots and downloaded files go to test-artifacts/browser/ at the repository root.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
TIMEOUT_MS = 10_000
PASSWORDS = {"editor": "editor-pw-4827-portfolio", "viewer": "viewer-pw-9361-portfolio"}


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PLAYWRIGHT_CHROMIUM_PATH)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = missing_browser()
    if reason is None or REQUIRED:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


@pytest.fixture
def artifacts(request) -> Path:
    """An empty folder for the screenshots and downloads of this module: test-artifacts/browser/<module>/
    (or <module>-<parameters>/ for each run of a parametrized test)."""
    folder = ARTIFACTS / request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None:
        folder = folder.with_name(f"{folder.name}-{callspec.id}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def browser(monkeypatch):
    reason = missing_browser()
    if reason:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop in this thread; Django would otherwise refuse the test's
    # own ORM calls (SynchronousOnlyOperation). The live server answers from its own thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # The test's own queries ran while Playwright's loop was running, in a context of their
        # own; their connection is closed here, or it would outlive the test database.
        connections.close_all()


def refused_by_the_policy(page) -> list[str]:
    """The messages of what the Content-Security-Policy blocks on this page from now on (a script,
    a style, an image), in a list that fills as the page runs."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return refused


@pytest.fixture
def page(browser):
    """A fresh browser window that asks for English, as a new member of staff's would.

    Every page it opens must work under the site's Content-Security-Policy: anything the policy
    blocks fails the test."""
    from playwright.sync_api import expect

    context = browser.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en"},
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    refused = refused_by_the_policy(page)
    yield page
    context.close()
    assert not refused, f"blocked by the Content-Security-Policy: {refused}"


@pytest.fixture
def staff(transactional_db, django_user_model):
    """The article's data, the two roles, and one member of staff in each (`editor`, `viewer`)."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("loaddata", "article", verbosity=0)
    call_command("setup_roles", verbosity=0)
    for username, password in PASSWORDS.items():
        user = django_user_model.objects.create_user(username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=f"{username}s"))


def signed_in_page(browser, server: str, username: str, password: str, *, language: str, screen: dict):
    """A new window of a 1440 px screen (or the one given) asking for the language, signed in to the
    admin; returns the page and the list the Content-Security-Policy's refusals go to."""
    from django.urls import reverse

    context = browser.new_context(
        locale=language, extra_http_headers={"Accept-Language": language}, viewport=screen
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    refused = refused_by_the_policy(page)
    page.goto(f"{server}{reverse('admin:login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click('#login-form [type="submit"]')
    return page, refused
