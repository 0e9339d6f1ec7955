"""Filing a service request in a real browser, one question per page, on a phone in Spanish and on a
desktop in English: each step passes axe, reflows at 320 px on the phone, and leaves a screenshot
under var/screenshots/."""

import re

import pytest
from playwright.sync_api import Page, expect

from service_requests.models import ServiceRequest
from tests.browser.conftest import axe_report, heading, sign_in
from tests.browser.test_frame import DESKTOP, NARROW, PHONE, shot, sideways_scroll, use_language

STEP = {"en": "Step {n} of 4", "es": "Paso {n} de 4"}
CHECK = {"en": "Check your answers before filing", "es": "Revise sus respuestas antes de presentar la solicitud"}
FILED = {"en": "Filed online", "es": "Presentada en línea"}


def step(page: Page, violations: dict[str, str], name: str, *, reflow: bool) -> None:
    expect(heading(page)).to_be_visible()
    shot(page, f"filing-{name}")
    if report := axe_report(page):
        violations[name] = report
    if reflow:
        size = page.viewport_size
        assert size is not None
        page.set_viewport_size(NARROW)
        page.wait_for_function("document.documentElement.clientWidth <= 320")  # laid out again at 320 px
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
            .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)""")
        assert sideways_scroll(page) <= 0, f"{name} scrolls sideways at 320 px: {wide}"
        page.set_viewport_size(size)


def go_on(page: Page) -> None:
    page.locator('form.usa-form button[type="submit"]').first.click()


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "viewport"), [("es", PHONE), ("en", DESKTOP)], ids=["es-375", "en-1280"])
def test_customer_files_a_request_step_by_step(page: Page, live_server, maria, lang, viewport) -> None:
    violations: dict[str, str] = {}
    size = f"{lang}-{viewport['width']}"
    phone = viewport == PHONE
    page.set_viewport_size(viewport)
    sign_in(page, "maria@example.com")
    use_language(page, live_server, lang)
    page.goto("/")
    page.locator('a[href="/service-requests/new/"]').first.click()  # one click from home
    expect(page.locator("#file-step")).to_have_text(STEP[lang].format(n=1))
    expect(page.locator("#id_receipt_number")).to_have_count(0)  # one question per page
    step(page, violations, f"{size}-1-type", reflow=phone)
    page.locator("#id_request_type").select_option("outside_processing_time")
    go_on(page)

    expect(page.locator("#file-step")).to_have_text(STEP[lang].format(n=2))
    step(page, violations, f"{size}-2-receipt", reflow=phone)
    page.locator("#id_receipt_number").fill("EAC-22-901-23456")
    go_on(page)

    expect(page.locator("#file-step")).to_have_text(STEP[lang].format(n=3))
    step(page, violations, f"{size}-3-details", reflow=phone)
    page.locator("#id_description").fill("Past the posted processing time.")
    go_on(page)

    expect(heading(page)).to_have_text(CHECK[lang])
    expect(page.locator("#check-receipt")).to_contain_text("EAC")
    assert not ServiceRequest.objects.exists()
    step(page, violations, f"{size}-4-check", reflow=phone)
    page.locator("#confirm").click()

    request = ServiceRequest.objects.get()
    expect(page.locator("#reference-number")).to_have_text(request.reference_number)
    expect(page.locator("#filed-how")).to_have_text(FILED[lang])
    expect(page.locator("#sr-office").get_by_role("link")).to_have_text("Vermont Service Center")
    expect(page.locator("#next li[data-step]").first).to_contain_text(re.compile(r"20\d\d"))
    step(page, violations, f"{size}-5-confirmation", reflow=phone)
    assert (request.customer, request.receipt_number, request.channel) == (maria, "EAC2290123456", "online")
    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())
