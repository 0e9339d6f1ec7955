"""Finding the office as the reference defines jurisdiction, in a real browser at phone and desk widths,
with axe on every answer: a county's office, a split county's choice, a split country's region."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

WIDTHS = [pytest.param(375, id="phone"), pytest.param(1280, id="desk")]


def axe_clean(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def find_by_zip(page: Page, zip_code: str) -> None:
    page.goto("/offices/find/")
    page.get_by_label("ZIP code").fill(zip_code)
    page.get_by_role("button", name="Find by ZIP code").click()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_a_milwaukee_zip_finds_the_milwaukee_office(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    find_by_zip(page, "53202")
    expect(page).to_have_url("/offices/find/?zip=53202")
    link = page.get_by_role("heading", level=2).get_by_role("link", name="Milwaukee Field Office", exact=True)
    expect(link).to_be_visible()
    expect(page.locator("#result-place")).to_contain_text("Milwaukee County, WI")
    expect(page.locator("#asylum-office")).to_contain_text("Chicago Asylum Office")
    axe_clean(page)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Milwaukee Field Office")
    axe_clean(page)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_a_los_angeles_county_zip_without_a_zip_rule_asks_which_office(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    find_by_zip(page, "90012")
    expect(page.get_by_role("heading", name="Which office serves ZIP code 90012?")).to_be_visible()
    expect(page.locator("#result-message")).to_contain_text("Los Angeles County is divided between several")
    cards = page.locator("#candidates .usa-card")
    expect(cards).to_have_count(3)
    for name in ("Los Angeles County Field Office", "Los Angeles Field Office", "San Fernando Valley Field Office"):
        expect(page.get_by_role("heading", level=3, name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Los Angeles Field Office", exact=True)).to_have_count(0)  # no silent pick
    axe_clean(page)
    page.get_by_role("link", name="This is my office (SFV)").click()
    expect(page).to_have_url("/offices/find/?zip=90012&office=SFV")
    expect(page.get_by_role("heading", level=2).get_by_role("link", name="San Fernando Valley Field Office")).to_be_visible()
    axe_clean(page)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("province", "office"), [("Shanghai", "Beijing Field Office"),
                                                  ("Guangdong", "Guangzhou Field Office"),
                                                  ("Heilongjiang", "Beijing Field Office"),
                                                  ("Sichuan", "Guangzhou Field Office")])
def test_a_chinese_province_routes_as_the_reference_says(page: Page, width: int, province: str, office: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/offices/find/")
    page.get_by_label("Country of residence").select_option(label="China")
    page.get_by_role("button", name="Find by country").click()
    expect(page.get_by_role("heading", name="Where do you live?")).to_be_visible()
    axe_clean(page)
    page.get_by_label("Province or region").select_option(label=province)
    page.get_by_role("button", name="Find my office").click()
    link = page.get_by_role("heading", level=2).get_by_role("link", name=office, exact=True)
    expect(link).to_be_visible()
    expect(page.locator("#result-heading")).to_contain_text(province)
    axe_clean(page)


@pytest.mark.browser
def test_a_country_that_is_not_split_is_not_asked_for_a_region(page: Page) -> None:
    page.goto("/offices/find/")
    page.get_by_label("Country of residence").select_option(label="India")
    page.get_by_role("button", name="Find by country").click()
    expect(page.get_by_role("heading", level=2).get_by_role("link", name="New Delhi Field Office")).to_be_visible()
    expect(page.get_by_label("Province or region")).to_have_count(0)


@pytest.mark.browser
def test_an_apo_zip_says_what_to_do_instead(page: Page) -> None:
    find_by_zip(page, "09021")
    expect(page.get_by_role("heading", name="No field office serves this place")).to_be_visible()
    expect(page.locator("#result-message")).to_contain_text("Military Help Line")
    axe_clean(page)
