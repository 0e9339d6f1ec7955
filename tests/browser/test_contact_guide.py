"""The public contact guide (/contact/guide/) as a person uses it in a real browser (Chromium through
Playwright): a few questions lead to another agency, a line made for them, or the international office
that serves their country, with whether it is open now.

Each use of the guide is recorded as an anonymous self-service inquiry. Where opening hours matter the
clock is frozen (``time_travel``, in conftest.py); the Military Help Line is open Mon–Fri 08:00–16:30
Central time and closed on federal holidays — Thanksgiving 2026 is Thursday 26 November.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from inquiries.models import Inquiry, InquiryChannel, Topic, Triage
from tests.browser.conftest import axe_report, heading

CHICAGO = ZoneInfo("America/Chicago")
THANKSGIVING = datetime(2026, 11, 26, 10, 0, tzinfo=CHICAGO)
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=CHICAGO)
MY_CASE = "My case or an application"
VISA = "A visa or a visa interview abroad"
MILITARY = "I am a member of the U.S. military, or family of one"
HAGUE = "It is about adopting a child from a Hague Convention country"
SUBMIT = "Show me who to contact"


def choose(page: Page, label: str) -> None:
    """Tick a radio or checkbox with the mouse: USWDS moves the input itself off-screen, so click its label."""
    control = page.get_by_label(label, exact=True)
    page.locator(f'label[for="{control.get_attribute("id")}"]').click()
    expect(control).to_be_checked()


def answer(page: Page) -> Locator:
    return page.get_by_role("region", name="Your answer")


def card(page: Page, name: str) -> Locator:
    """A line or mailbox in the answer, found by its heading."""
    return answer(page).get_by_role("listitem").filter(has=page.get_by_role("heading", level=3, name=name, exact=True))


def ask(page: Page, topic: str, *, country: str | None = None, ticks: tuple[str, ...] = ()) -> None:
    page.goto("/contact/guide/")
    expect(heading(page)).to_have_text("Who should I contact?")
    choose(page, topic)
    if country:
        page.get_by_label("Where do you live?").select_option(label=country)
    for label in ticks:
        choose(page, label)
    page.get_by_role("button", name=SUBMIT).click()
    expect(answer(page)).to_be_visible()


@pytest.mark.browser
def test_visa_question_from_abroad_leads_to_the_department_of_state(page: Page) -> None:
    ask(page, VISA, country="Peru")

    expect(page).to_have_url(re.compile(r"/contact/guide/\?topic=visa&country=PE$"))
    expect(answer(page)).to_contain_text("USCIS does not handle this. Please contact:")
    agency = answer(page).locator("#agency-dos-consular")
    expect(agency.get_by_role("heading", level=3)).to_have_text("U.S. embassies and consulates")
    expect(agency).to_contain_text("Department of State")
    expect(agency).to_contain_text("They handle: Visa applications and interviews abroad.")
    link = agency.get_by_role("link", name=re.compile(r"travel\.state\.gov"))
    expect(link).to_have_attribute("href", "https://travel.state.gov")
    # The answers stay chosen, to ask again.
    expect(page.get_by_label(VISA, exact=True)).to_be_checked()
    expect(page.get_by_label("Where do you live?")).to_have_value("PE")

    inquiry = Inquiry.objects.select_related("redirect_agency", "redirect_topic").get()
    assert inquiry.channel == InquiryChannel.SELF_SERVICE
    assert (inquiry.suggested_triage, inquiry.triage) == (Triage.REDIRECT, Triage.REDIRECT)
    assert inquiry.redirect_agency is not None and inquiry.redirect_agency.code == "dos-consular"
    assert inquiry.redirect_topic is not None and inquiry.redirect_topic.code == "visa-abroad"
    assert inquiry.topic == Topic.OTHER_AGENCY
    assert inquiry.customer is None
    assert inquiry.resolved_at_first_contact
    assert inquiry.outcome == "agency:visa-abroad"


@pytest.mark.browser
def test_service_member_on_a_federal_holiday_gets_the_after_hours_mailbox(page: Page, time_travel) -> None:
    time_travel(THANKSGIVING)
    ask(page, MY_CASE, ticks=(MILITARY,))

    expect(page).to_have_url(re.compile(r"\?topic=my_case&country=&military=on$"))
    line = card(page, "Military Help Line")
    expect(answer(page).get_by_role("listitem")).to_have_count(1)
    expect(line.get_by_role("link", name="1-877-CIS-4MIL (1-877-247-4645)")).to_have_attribute(
        "href", "tel:+18772474645"
    )
    expect(line.locator(".portal-status-closed")).to_have_text("Closed now: Closed for a federal holiday")
    expect(line).to_contain_text("Opens again Friday 27 November, 08:00")
    expect(line).to_contain_text("Outside these hours, write to the military help mailbox.")
    after_hours = line.locator(".portal-after-hours")
    expect(after_hours).to_have_text("After hours, e-mail militaryinfo.nsc@example.gov")
    expect(after_hours.get_by_role("link", name="militaryinfo.nsc@example.gov")).to_have_attribute(
        "href", "mailto:militaryinfo.nsc@example.gov"
    )

    # The same answer on an ordinary Tuesday morning.
    time_travel(TUESDAY)
    page.reload()
    line = card(page, "Military Help Line")
    expect(line.locator(".portal-status-open")).to_have_text("Open now")
    expect(line.locator(".portal-status-closed")).to_have_count(0)
    expect(line.get_by_text("militaryinfo.nsc@example.gov")).to_have_count(0)
    expect(line.get_by_text("Outside these hours")).to_have_count(0)

    inquiries = Inquiry.objects.order_by("created_at")
    assert [(i.topic, i.triage, i.outcome) for i in inquiries] == [(Topic.MILITARY, Triage.STANDARD, "channel:military")] * 2
    assert [i.created_at.astimezone(CHICAGO).date().isoformat() for i in inquiries] == ["2026-11-26", "2026-12-01"]


@pytest.mark.browser
def test_the_guide_can_be_answered_with_the_keyboard_only(page: Page) -> None:
    page.goto("/contact/guide/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    # The breadcrumbs come first (Home, Contact us), then the questions.
    for crumb in ("Home", "Contact us"):
        page.keyboard.press("Tab")
        expect(page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name=crumb)).to_be_focused()
    # The topic: Tab enters the radio group, Space chooses, the arrow keys move and choose.
    page.keyboard.press("Tab")
    my_case, visa = page.get_by_label(MY_CASE, exact=True), page.get_by_label(VISA, exact=True)
    expect(my_case).to_be_focused()
    page.keyboard.press("Space")
    expect(my_case).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(visa).to_be_focused()
    expect(visa).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(my_case).to_be_checked()

    # Where: Tab leaves the group for the list of countries; ArrowDown picks the first abroad.
    page.keyboard.press("Tab")
    country = page.get_by_label("Where do you live?")
    expect(country).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(country).to_have_value("AF")

    # The three boxes, in order; Space ticks the adoption one.
    for label in (MILITARY, "I filed Form I-907 and have a Premium Processing receipt", HAGUE):
        page.keyboard.press("Tab")
        expect(page.get_by_label(label, exact=True)).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label(HAGUE, exact=True)).to_be_checked()

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=SUBMIT)).to_be_focused()
    page.keyboard.press("Enter")

    # The form's action is this page, so the skip link's fragment stays in the address: no matter.
    expect(page).to_have_url(re.compile(r"\?topic=my_case&country=AF&hague_adoption=on(#main-content)?$"))
    line = card(page, "Hague Adoptions Line (from outside the U.S.)")
    expect(line.get_by_role("link", name="+1-913-275-5480")).to_be_visible()
    assert Inquiry.objects.get().outcome == "channel:hague-abroad"


@pytest.mark.browser
def test_guide_has_no_accessibility_violations(page: Page, time_travel) -> None:
    violations: dict[str, str] = {}

    def check(name: str) -> None:
        expect(heading(page)).to_be_visible()
        if report := axe_report(page):
            violations[name] = report

    time_travel(TUESDAY)
    page.goto("/contact/guide/")
    expect(page.get_by_role("group", name="What is your question about?")).to_be_visible()
    check("fresh")

    with page.expect_response(lambda r: "/contact/guide/?" in r.url) as response:
        page.get_by_role("button", name=SUBMIT).click()
    assert response.value.status == 400
    topics = page.get_by_role("group", name="What is your question about?")
    expect(topics.locator(".usa-error-message")).to_have_text("This field is required.")
    expect(topics).to_have_accessible_description("This field is required.")
    summary = page.get_by_role("alert").filter(has_text="Please correct the following")
    summary.get_by_role("link", name="What is your question about?").click()
    expect(page).to_have_url(re.compile(r"#id_topic$"))
    page.keyboard.press("Tab")  # from the question the summary leads to, on to its first answer
    expect(page.get_by_label(MY_CASE, exact=True)).to_be_focused()
    expect(answer(page)).to_have_count(0)
    check("no topic chosen")

    ask(page, VISA, country="Peru")
    expect(answer(page).get_by_role("heading", level=3)).to_have_text("U.S. embassies and consulates")
    check("another agency")

    ask(page, MY_CASE, ticks=(MILITARY,))
    expect(card(page, "Military Help Line").locator(".portal-status-open")).to_have_text("Open now")
    check("a line, open")

    time_travel(THANKSGIVING)
    page.reload()
    expect(card(page, "Military Help Line").locator(".portal-status-closed")).to_be_visible()
    check("a line, closed for a holiday")

    ask(page, MY_CASE, country="Canada")
    expect(answer(page)).to_contain_text("Contact the Mexico City Field Office, the USCIS office that serves your country.")
    expect(card(page, "Inquiries from Canada")).to_be_visible()
    check("the international office for Canada")

    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())
