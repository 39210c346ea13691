"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

Shared by every browser test:
- `browser`: one headless Chromium per session (/usr/bin/chromium; Playwright never downloads one);
- `page`: a fresh browser context and page per test, its `base_url` the live server;
- `admin_page`: a page logged into the admin through the real login form, as `admin_user`
  (a superuser; override the `admin_user` fixture in a test module for another user);
- `screenshot(name)`: a full-page PNG of `page` in tests/browser/screenshots/ (git-ignored), named
  after the test and `name`; returns its path.

Tests in this folder carry the `browser` marker and are skipped, with the reason, where Chromium or
Playwright is missing (`make test` on a machine without them); `.ci/run` installs both.
Each runs against committed data (the live server is another thread), so it is a transactional test
that starts from the migrated rows (role groups, option lists); see `browser`.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "browser-test-password-1"  # a throwaway user of the test database
MISSING = (
    None
    if os.path.exists(CHROMIUM) and importlib.util.find_spec("playwright") is not None
    else f"needs Chromium at {CHROMIUM} and Playwright (apt-get install chromium fonts-noto-cjk; "
    "pip install -r requirements-dev.txt; .ci/run installs them)"
)
HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before pytest-django orders the transactional tests
def pytest_collection_modifyitems(config, items):
    del config
    for item in items:
        if HERE not in Path(item.fspath).parents:
            continue
        item.add_marker(pytest.mark.browser)
        # serialized_rollback: the migrated rows are put back before each test (see `browser`).
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        if MISSING:
            item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def migrated_rows(django_db_setup):
    """The rows the migrations wrote (role groups, option lists), as pytest-django serialized them
    at set-up for transactional tests to restore — read here, before any browser runs."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(scope="module")
def browser(migrated_rows):
    """One Chromium per test module.

    Playwright's sync API keeps an event loop running in this thread while it lives. Django then
    hands the thread another connection object (connections are per async context): the tests' ORM
    calls stay synchronous all the same, so its "async context" guard is lifted meanwhile, and that
    connection is given the serialized rows, so that each transactional test still starts from the
    migrated rows (Django restores them through the connection object, not the database)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            if migrated_rows is not None:
                connections["default"]._test_serialized_contents = migrated_rows
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 1000}, device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def admin_user(transactional_db):
    from tests.factories import UserFactory

    user = UserFactory(username="browser_admin", first_name="浏览器管理员", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def admin_page(page, admin_user):
    """`page`, logged into the admin as `admin_user` through the login form."""
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


@pytest.fixture
def screenshot(page, request):
    """`screenshot(name)`: a full-page PNG of the test's page."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
