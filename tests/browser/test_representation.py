"""Representation on record and password reset in a real browser, on a phone and a desktop."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_report, heading, sign_in
from tests.factories import UserFactory

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_customer_names_a_representative_then_withdraws(page: Page, maria, width: int) -> None:
    UserFactory(username="counsel@example.com", first_name="Alex", last_name="Counsel", role="representative")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maria@example.com")
    page.goto("/accounts/profile/")
    page.get_by_role("link", name=re.compile("Your representative")).click()
    expect(heading(page)).to_have_text("Representation")
    page.get_by_label("Your representative's e-mail address").fill("counsel@example.com")
    # USWDS draws the box on the label and moves the input off screen: the customer clicks the label.
    page.locator("label[for=id_all_cases]").click()
    expect(page.get_by_label("All cases, now and later")).to_be_checked()
    page.get_by_role("button", name="Put on record").click()
    expect(page.get_by_text("Your representative is on record.")).to_be_visible()
    expect(page.get_by_role("cell", name="Alex Counsel")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"representation-{width}.png"), full_page=True)
    assert overflow(page) <= 0, f"scrolls sideways at {width} px"
    assert axe_report(page) is None, axe_report(page)
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("The representation is withdrawn.")).to_be_visible()


def test_the_password_reset_pages(page: Page, maria) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(heading(page)).to_have_text("Reset your password")
    assert axe_report(page) is None, axe_report(page)
    page.get_by_label("E-mail address").fill("maria@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(heading(page)).to_have_text("Check your e-mail")
    expect(page.get_by_text("If an account has that e-mail address")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "password-reset-sent-375.png"), full_page=True)
    assert overflow(page) <= 0
