"""Fixtures for the browser tests: Debian's Chromium driven by Playwright's sync API.

The browser is started once per session; each test gets a fresh context (cookies, storage) and
page pointed at pytest-django's ``live_server``. ``live_server`` makes the test transactional, so
the database is flushed after each test; tests/conftest.py's ``directory`` loads the office
directory again when it finds it gone.

Never run ``playwright install``: these tests use the system Chromium (CHROMIUM_PATH, default
/usr/bin/chromium), which .ci/run installs with apt.
"""

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories.core import PASSWORD

# Playwright's sync API keeps an asyncio event loop in this thread, which makes Django refuse
# ORM calls from the test code (flush, directory_load) with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NO_CHROMIUM = "Debian chromium not installed (.ci/run installs it)"
TIMEOUT_MS = 10_000


def chromium_available() -> bool:
    path = Path(CHROMIUM_PATH)
    return path.is_file() and os.access(path, os.X_OK)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not chromium_available():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives each launch its own temporary profile (user data dir).
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_context(browser, base_url: str, violations: list[str] | None = None):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=base_url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    if violations is not None:
        # Chromium reports what the Content-Security-Policy refused on the console ("Refused to …").
        context.on("console", lambda message: violations.append(f"{message.page and message.page.url}: {message.text}")
                   if "Content Security Policy" in message.text else None)
    return context


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """Every page of a browser test runs under the portal's CSP: anything it refuses fails the test."""
    violations: list[str] = []
    yield violations
    assert not violations, "the Content-Security-Policy refused:\n" + "\n".join(violations)


@pytest.fixture
def context(browser, live_server, directory: None, csp_violations: list[str]) -> Iterator:
    context = _new_context(browser, live_server.url, csp_violations)
    yield context
    context.close()


@pytest.fixture
def page(context) -> Iterator:
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def new_page(browser, live_server, directory: None, csp_violations: list[str]) -> Iterator[Callable[[], Page]]:
    """Opens a page in a context of its own (its own cookies): another person at another browser."""
    contexts = []

    def open_page() -> Page:
        context = _new_context(browser, live_server.url, csp_violations)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def time_travel(settings) -> Iterator[Callable[[datetime], None]]:
    """Freezes the clock at the moment given, and moves it there again on each later call.

    As test_appointments.py's ``clock``: the live server runs in this process, and time_machine
    patches the clock for every thread; ``tick=True`` lets it run on from each moment. Chromium keeps
    the real clock, so the session and CSRF cookies last until the browser closes instead of expiring
    by a date computed from the frozen clock. The session itself still ends 2 weeks after sign-in by
    the frozen clock: sign in again after a longer jump.
    """
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    travel: time_machine.travel | None = None
    traveller: time_machine.Traveller | None = None

    def travel_to(moment: datetime) -> None:
        nonlocal travel, traveller
        if traveller is None:
            travel = time_machine.travel(moment, tick=True)
            traveller = travel.start()
        else:
            traveller.move_to(moment)

    yield travel_to
    if travel is not None:
        travel.stop()


@pytest.fixture
def maria(directory):
    from tests.factories import CustomerFactory

    return CustomerFactory(
        username="maria@example.com", first_name="Maria", last_name="Lopez", profile__zip_code="60605"
    )


def sign_in(page: Page, username: str) -> None:
    """Sign in through the form; staff then enter a recovery code on the second step."""
    from core import access
    from core.models import User
    from tests.auth import recovery_code

    user = User.objects.filter(username=username).first()
    code = recovery_code(user) if user is not None and access.requires_second_factor(user) else None
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address or username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The Sign out button is in the menu, hidden behind the Menu button on a phone.
    expect(page.locator('form[action="/accounts/logout/"] button[type="submit"]')).to_be_attached()
    if code is not None:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Enter your code")).to_have_count(0)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def axe_report(page: Page) -> str | None:
    results = Axe().run(page)
    return results.generate_report() if results.violations_count else None
