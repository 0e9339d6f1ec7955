"""The escalation windows of a service request as the customer meets them in a real browser
(Chromium through Playwright), with the clock moved on between the steps.

Maria files on Friday 27 November 2026 at 10:00 Eastern, with a Vermont Service Center receipt
number (EAC). If USCIS has not responded within 15 calendar days, she may write to the service center
from the start of 12 December (Eastern); if the service center has not responded within 21 days of
her inquiry, she may contact HQ Office of Service Center Operations — from 2 January 2027 when she
writes on 12 December.

The live server sees the frozen clock (``time_travel``, in conftest.py). Sessions last 2 weeks from
sign-in by that clock, so after each jump the customer signs in again, as after a real absence.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from core.models import Notification
from service_requests.models import EventKind, ServiceRequest
from service_requests.windows import Stage
from tests.browser.conftest import axe_report, heading, sign_in

EASTERN = ZoneInfo("America/New_York")
FILED_AT = datetime(2026, 11, 27, 10, 0, tzinfo=EASTERN)
MARIA = "maria@example.com"
TO_SERVICE_CENTER = "Write to the Vermont Service Center"
TO_HQ = "Contact HQ Office of Service Center Operations"
SC_MESSAGE = "Still no answer about my I-130; the processing time has passed."
HQ_MESSAGE = "The Vermont Service Center has not answered my inquiry of 12 December."


def eastern(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=EASTERN)


@pytest.fixture
def vsc(directory):
    from offices.models import Office

    return Office.objects.get(code="VSC")


@pytest.fixture
def filed(maria) -> ServiceRequest:
    """Maria's request, filed on 27 November 2026 at 10:00 Eastern; it goes to Vermont (EAC)."""
    from service_requests.services import service_request_file

    with time_machine.travel(FILED_AT, tick=False):
        return service_request_file(
            actor=maria, request_type="outside_processing_time", receipt_number="EAC2290123456",
            description="My I-130 is past the posted processing time.",
        )


def request_path(request: ServiceRequest) -> str:
    return f"/service-requests/{request.reference_number}/"


def at(page: Page, time_travel, moment: datetime, username: str) -> None:
    """Move the clock to `moment`, then sign in again (the session may have ended meanwhile)."""
    time_travel(moment)
    page.context.clear_cookies()
    sign_in(page, username)


def escalation(page: Page) -> Locator:
    return page.get_by_role("region", name="If you do not hear back")


def stage(page: Page) -> Locator:
    return page.locator("#escalation-stage")


def message(page: Page) -> Locator:
    return page.locator(".portal-messages").get_by_role("status")


def timeline_item(page: Page, kind: str) -> Locator:
    return page.locator(".portal-timeline").get_by_role("listitem").filter(
        has=page.get_by_role("heading", level=3, name=kind, exact=True)
    )


def send(page: Page, button: str, text: str) -> None:
    box = escalation(page)
    box.get_by_label("Your message (optional)").fill(text)
    box.get_by_role("button", name=button).click()


@pytest.mark.browser
def test_customer_writes_to_the_service_center_then_to_hq_as_each_window_opens(
    page: Page, time_travel, filed, vsc
) -> None:
    reference = filed.reference_number
    box = escalation(page)

    # Friday 11 December, day 14: not yet.
    at(page, time_travel, eastern(2026, 12, 11), MARIA)
    page.goto(request_path(filed))
    expect(heading(page)).to_have_text(f"Service request {reference}")
    expect(stage(page)).to_have_text("Waiting for a response")
    expect(page.locator("#window1-date")).to_have_text(
        "You may write to the Vermont Service Center from 12 December 2026 if USCIS has not responded by then."
    )
    expect(box.get_by_role("button")).to_have_count(0)
    expect(box.get_by_role("textbox")).to_have_count(0)

    # Saturday 12 December, 09:00 Eastern: window 1 is open.
    at(page, time_travel, eastern(2026, 12, 12), MARIA)
    page.goto(request_path(filed))
    expect(stage(page)).to_have_text("You may write to the service center")
    expect(box.get_by_label("Your message (optional)")).to_have_accessible_description(
        "Your reference number and receipt number are included for you."
    )
    send(page, TO_SERVICE_CENTER, SC_MESSAGE)

    expect(heading(page)).to_have_text(f"Service request {reference}")
    expect(message(page)).to_have_text("Your inquiry was sent to the service center.")
    expect(stage(page)).to_have_text("Service center inquiry sent")
    expect(box.get_by_text("You wrote to the service center on 12 December 2026.", exact=True)).to_be_visible()
    expect(page.locator("#window2-date")).to_have_text(
        "If it has not responded by 2 January 2027, you may contact HQ Office of Service Center Operations from then."
    )
    expect(box.get_by_role("button")).to_have_count(0)
    sent = timeline_item(page, "Inquiry to the service center")
    expect(sent).to_contain_text("12 December 2026, 09:0")
    expect(sent).to_contain_text(SC_MESSAGE)

    # Friday 1 January 2027, day 20 after the inquiry: HQ not yet.
    at(page, time_travel, eastern(2027, 1, 1), MARIA)
    page.goto(request_path(filed))
    expect(stage(page)).to_have_text("Service center inquiry sent")
    expect(page.locator("#window2-date")).to_be_visible()
    expect(page.get_by_role("button", name=TO_HQ)).to_have_count(0)
    expect(box.get_by_role("textbox")).to_have_count(0)

    # Saturday 2 January 2027, 09:00 Eastern: window 2 is open.
    at(page, time_travel, eastern(2027, 1, 2), MARIA)
    page.goto(request_path(filed))
    expect(stage(page)).to_have_text("You may contact HQ Office of Service Center Operations")
    send(page, TO_HQ, HQ_MESSAGE)

    expect(message(page)).to_have_text("Your inquiry was sent to HQ Office of Service Center Operations.")
    expect(stage(page)).to_have_text("Escalated to HQ Office of Service Center Operations")
    expect(box.get_by_text("You wrote to the service center on 12 December 2026.", exact=True)).to_be_visible()
    expect(box.get_by_text("You contacted HQ Office of Service Center Operations on 2 January 2027.",
                           exact=True)).to_be_visible()
    expect(page.locator("#window2-date")).to_have_count(0)
    expect(box.get_by_role("button")).to_have_count(0)
    expect(timeline_item(page, "Inquiry to HQ Office of Service Center Operations")).to_contain_text(HQ_MESSAGE)
    expect(page.locator(".portal-timeline").get_by_role("heading", level=3)).to_have_text(
        ["Request filed", "Inquiry to the service center", "Inquiry to HQ Office of Service Center Operations"]
    )

    filed.refresh_from_db()
    assert filed.escalation.stage == Stage.HQ_ESCALATED
    assert filed.service_center_inquiry_at.astimezone(EASTERN).date() == date(2026, 12, 12)
    assert filed.escalation.window2_opens_at == datetime(2027, 1, 2, tzinfo=EASTERN)
    assert filed.hq_inquiry_at.astimezone(EASTERN).date() == date(2027, 1, 2)
    assert filed.first_response_at is None
    assert list(filed.events.values_list("kind", "body")) == [
        (EventKind.CREATED, "Filed by Online."),
        (EventKind.SERVICE_CENTER_INQUIRY, SC_MESSAGE),
        (EventKind.HQ_INQUIRY, HQ_MESSAGE),
    ]
    # Each inquiry is owed to the mailbox that handles it: Vermont's follow-up box, then HQ's.
    owed = Notification.objects.filter(kind="service_request.inquiry_to_office").order_by("created_at")
    assert [n.to_email for n in owed] == ["vsc-followup@example.gov", "scops-escalation@example.gov"]


@pytest.mark.browser
def test_another_customer_can_neither_see_nor_escalate_the_request(page: Page, new_page, time_travel, filed) -> None:
    from tests.factories import CustomerFactory

    CustomerFactory(username="ana@example.com", first_name="Ana", last_name="Silva")
    path = request_path(filed)
    # Window 1 is open: only whose request it is stands in the way.
    at(page, time_travel, eastern(2026, 12, 12), "ana@example.com")

    response = page.goto(path)
    assert response is not None and response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    expect(page.get_by_text(filed.reference_number)).to_have_count(0)

    # A handcrafted POST from Ana's session, with her valid CSRF token.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(f"{path}service-center-inquiry/", form={"message": "Let me in."},
                                headers={"X-CSRFToken": token}, max_redirects=0)
    assert refused.status == 404, refused.status
    assert "Page not found" in refused.text()
    filed.refresh_from_db()
    assert filed.service_center_inquiry_at is None
    assert filed.escalation.stage == Stage.WAITING

    # The same POST from Maria's session goes through, so the 404 above is Ana's, not the request's.
    owner = new_page()
    sign_in(owner, MARIA)
    token = next(c["value"] for c in owner.context.cookies() if c["name"] == "csrftoken")
    accepted = owner.request.post(f"{path}service-center-inquiry/", form={"message": SC_MESSAGE},
                                  headers={"X-CSRFToken": token}, max_redirects=0)
    assert accepted.status == 302, accepted.status
    assert accepted.headers["location"] == path
    filed.refresh_from_db()
    assert filed.escalation.stage == Stage.SC_INQUIRY_SENT


@pytest.mark.browser
def test_request_page_has_no_accessibility_violations_at_any_stage(page: Page, time_travel, filed) -> None:
    violations: dict[str, str] = {}

    def check(name: str) -> None:
        expect(heading(page)).to_be_visible()
        if report := axe_report(page):
            violations[name] = report

    at(page, time_travel, eastern(2026, 12, 11), MARIA)
    page.goto(request_path(filed))
    expect(stage(page)).to_have_text("Waiting for a response")
    check("before window 1")

    at(page, time_travel, eastern(2026, 12, 12), MARIA)
    page.goto(request_path(filed))
    expect(escalation(page).get_by_role("button", name=TO_SERVICE_CENTER)).to_be_visible()
    check("window 1 open, with the form")

    send(page, TO_SERVICE_CENTER, SC_MESSAGE)
    expect(stage(page)).to_have_text("Service center inquiry sent")
    check("service center inquiry sent")

    at(page, time_travel, eastern(2027, 1, 2), MARIA)
    page.goto(request_path(filed))
    expect(escalation(page).get_by_role("button", name=TO_HQ)).to_be_visible()
    check("window 2 open, with the form")

    send(page, TO_HQ, HQ_MESSAGE)
    expect(stage(page)).to_have_text("Escalated to HQ Office of Service Center Operations")
    check("escalated to HQ")

    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_staff_dashboard_has_no_accessibility_violations(page: Page, time_travel, filed, vsc) -> None:
    from service_requests.services import service_request_file, service_request_respond
    from tests.factories import CustomerFactory, StaffFactory

    vera = StaffFactory.create(username="vera", first_name="Vera", last_name="Stone", office=vsc)
    # A second Vermont request, answered, so the first-response chart has a bar.
    with time_machine.travel(FILED_AT, tick=False):
        answered = service_request_file(
            actor=CustomerFactory.create(), request_type="outside_processing_time", receipt_number="EAC2290123457",
            description="Where is my card?",
        )
    with time_machine.travel(eastern(2026, 12, 1), tick=False):
        service_request_respond(actor=vera, reference_number=answered.reference_number, body="It was mailed.")

    at(page, time_travel, eastern(2026, 12, 11), "vera")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Dashboard").click()
    expect(heading(page)).to_have_text("Service request dashboard")
    expect(page.locator("#stage-waiting")).to_have_text("1")
    expect(page.get_by_role("img", name=re.compile("^Open requests by age"))).to_be_visible()
    expect(page.get_by_role("img", name="Average days to first response, per office")).to_be_visible()
    # Maria's window 1 opens tomorrow.
    soon = page.get_by_role("table", name="Requests whose escalation window opens within a week")
    row = soon.get_by_role("row", name=re.compile(filed.reference_number))
    expect(row).to_contain_text("Service center inquiry (15 days)")
    expect(row).to_contain_text("12 December 2026")

    report = axe_report(page)
    assert report is None, report
