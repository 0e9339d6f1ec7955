"""The public pages as a person uses them in a real browser (Chromium through Playwright)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from offices.rules import INVALID_ZIP


def find_by_zip(page: Page, zip_code: str) -> None:
    page.goto("/")
    page.get_by_label("ZIP code").fill(zip_code)
    page.get_by_role("button", name="Find by ZIP code").click()


def result_link(page: Page, office_name: str):
    return page.get_by_role("heading", level=2).get_by_role("link", name=office_name, exact=True)


@pytest.mark.browser
def test_find_office_by_zip_then_open_it(page: Page) -> None:
    find_by_zip(page, "60605")

    expect(page).to_have_url("/offices/find/?zip=60605")
    link = result_link(page, "Chicago Field Office")
    expect(link).to_be_visible()

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chicago Field Office")
    expect(page.get_by_text("This office serves ZIP code 60605.")).to_be_visible()


@pytest.mark.browser
def test_find_office_by_another_zip(page: Page) -> None:
    find_by_zip(page, "77067")

    expect(result_link(page, "Houston Field Office")).to_be_visible()


@pytest.mark.browser
def test_find_office_by_country(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Country of residence").select_option(label="Canada")
    page.get_by_role("button", name="Find by country").click()

    expect(page).to_have_url("/offices/find/?country=CA")
    expect(result_link(page, "Mexico City Field Office")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Inquiries from Canada")).to_be_visible()


@pytest.mark.browser
def test_invalid_zip_shows_the_error_next_to_the_field(page: Page) -> None:
    find_by_zip(page, "ABCDE")

    zip_field = page.get_by_label("ZIP code")
    expect(zip_field).to_have_value("ABCDE")
    form_group = page.locator(".usa-form-group").filter(has=zip_field)
    expect(form_group.locator(".usa-error-message")).to_have_text(str(INVALID_ZIP))
    expect(page.get_by_role("link", name="Chicago Field Office")).to_have_count(0)


@pytest.mark.browser
def test_uswds_stylesheet_loads(page: Page) -> None:
    """axe's colour-contrast check is only meaningful when the real USWDS styles are applied."""
    assert settings.USWDS_AVAILABLE, f"USWDS is not installed at {settings.USWDS_DIST}: run `make assets`"
    with page.expect_response(lambda r: r.url.endswith("/uswds/css/uswds.min.css")) as css:
        page.goto("/")
    assert css.value.status == 200, f"{css.value.url} answered {css.value.status}"
    assert "text/css" in css.value.headers.get("content-type", "")
    # The styles are applied, not just downloaded: USWDS hides the skip link off-screen until focused.
    skip_link_top = page.get_by_role("link", name="Skip to main content").evaluate(
        "el => el.getBoundingClientRect().top"
    )
    assert skip_link_top < 0


PUBLIC_PAGES = [
    ("/", 200),
    ("/offices/find/", 200),
    ("/offices/find/?zip=60605", 200),
    ("/offices/find/?zip=ABCDE", 400),
    ("/offices/find/?country=CA", 200),
    ("/offices/find/?country=FR", 404),  # no office serves France: the guidance page
    ("/offices/", 200),
    ("/offices/?type=field_office&state=IL", 200),
    ("/offices/CHI/", 200),
    ("/offices/MEX/", 200),
    ("/contact/", 200),
    ("/agencies/", 200),
    ("/accounts/signup/", 200),
    ("/accounts/login/", 200),
]

# Pages checked again in Spanish. The language is chosen by cookie (what /i18n/setlang/ sets);
# URLs have no language prefix.
SPANISH_PAGES = [
    ("/", 200),
]


def assert_no_accessibility_violations(page: Page, path: str, status: int) -> None:
    stylesheets = []
    page.on("response", lambda r: stylesheets.append(r) if r.request.resource_type == "stylesheet" else None)

    response = page.goto(path)

    assert response is not None and response.status == status, f"{path} answered {response and response.status}"
    assert stylesheets, f"{path} loaded no stylesheet"
    failed = [f"{r.url} → {r.status}" for r in stylesheets if r.status != 200]
    assert not failed, f"stylesheets did not load: {failed}"
    if settings.USWDS_AVAILABLE:
        assert any(r.url.endswith("/uswds/css/uswds.min.css") for r in stylesheets)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES, ids=[path for path, _ in PUBLIC_PAGES])
def test_no_accessibility_violations(page: Page, path: str, status: int) -> None:
    assert_no_accessibility_violations(page, path, status)


@pytest.mark.browser
@pytest.mark.parametrize(("path", "status"), SPANISH_PAGES, ids=[path for path, _ in SPANISH_PAGES])
def test_no_accessibility_violations_in_spanish(context, page: Page, live_server, path: str, status: int) -> None:
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "es", "url": live_server.url}])

    assert_no_accessibility_violations(page, path, status)

    expect(page.locator("html")).to_have_attribute("lang", "es")


@pytest.mark.browser
def test_language_switcher_changes_the_page_language(page: Page) -> None:
    """The header offers the other language by its own name (a button, as it posts to set_language)."""
    page.goto("/offices/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switch = page.get_by_role("button", name="Español")
    expect(switch).to_have_attribute("lang", "es")
    switch.click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url("/offices/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directorio de oficinas")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.browser
def test_skip_link_is_first_and_moves_focus_to_main_content(page: Page) -> None:
    page.goto("/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()

    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
