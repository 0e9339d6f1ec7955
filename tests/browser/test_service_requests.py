"""Service requests as customers, Contact Center agents and office staff use them in a real browser
(Chromium through Playwright).

Receipt numbers starting with EAC belong to the Vermont Service Center (VSC), so a request filed with
one goes there first. Each person signs in in a browser context of their own (``new_page``), as they
would at their own computer.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from service_requests.models import EventKind, ServiceRequest, ServiceRequestEvent, Status
from tests.browser.conftest import axe_report, heading, sign_in

REFERENCE = re.compile(r"^SR[A-HJ-NP-Z2-9]{11}$")  # rules.REFERENCE_ALPHABET: no 0/O or 1/I
TITLE = re.compile(r"^Service request (SR[A-HJ-NP-Z2-9]{11})$")
NOTE = "Checked with the I-130 team: card production is on hold."
REASON = "Case file is at Nebraska since the interview."
QUEUE = "Requests, oldest first within each type"
STALE = "This request changed while you were looking at it"


@pytest.fixture
def vsc(directory):
    from offices.models import Office

    return Office.objects.get(code="VSC")


@pytest.fixture
def vera(vsc):
    from tests.factories import StaffFactory

    return StaffFactory(username="vera", first_name="Vera", last_name="Stone", office=vsc)


@pytest.fixture
def victor(vsc):
    from tests.factories import StaffFactory

    return StaffFactory(username="victor", first_name="Victor", last_name="Hale", office=vsc)


@pytest.fixture
def casey(directory):
    from tests.factories import UserFactory

    return UserFactory(username="casey", first_name="Casey", last_name="Reed", role="ncsc_tier1")


@pytest.fixture
def filed(maria) -> ServiceRequest:
    """Maria's open request at the Vermont Service Center."""
    from service_requests.services import service_request_file

    return service_request_file(
        actor=maria, request_type="outside_processing_time", receipt_number="EAC2290123456",
        description="My I-130 is past the posted processing time.",
    )


def action_form(page: Page, title: str) -> Locator:
    """One of the staff action forms on a request, found by its heading."""
    return page.locator("form").filter(has=page.get_by_role("heading", level=3, name=title, exact=True))


def message(page: Page) -> Locator:
    """The messages shown after a redirect (the queue has a status of its own: its count)."""
    return page.locator(".portal-messages").get_by_role("status")


def timeline(page: Page) -> Locator:
    return page.locator(".portal-timeline")


def answer_filing(page: Page, receipt_number: str, description: str) -> None:
    """The filing steps up to the last answer: type, receipt number, details (not yet submitted)."""
    expect(page.locator("#file-step")).to_have_text("Step 1 of 4")
    page.get_by_label("What do you need?").select_option(label="Case outside normal processing time")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#file-step")).to_have_text("Step 2 of 4")
    page.get_by_label("Receipt number").fill(receipt_number)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#file-step")).to_have_text("Step 3 of 4")
    page.get_by_label("Describe your request").fill(description)


def file_for_caller(page: Page, receipt_number: str, description: str) -> None:
    """The agent's form for a caller is one page (the caller is on the line)."""
    page.get_by_label("What do you need?").select_option(label="Case outside normal processing time")
    page.get_by_label("Receipt number").fill(receipt_number)
    page.get_by_label("Describe your request").fill(description)
    page.get_by_role("button", name="File request").click()


def file_request(page: Page, receipt_number: str, description: str) -> None:
    """Every step, check your answers, file, and on from the confirmation page to the request."""
    answer_filing(page, receipt_number, description)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Check your answers before filing")
    page.get_by_role("button", name="File request").click()
    expect(page.locator("#reference-number")).to_have_text(REFERENCE)
    expect(page.locator("#filed-how")).to_have_text("Filed online")
    page.get_by_role("link", name="See your request").click()


def open_from_queue(page: Page, reference: str) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Request queue").click()
    expect(heading(page)).to_have_text("Service requests at the Vermont Service Center")
    page.get_by_role("table", name=QUEUE).get_by_role("link", name=reference, exact=True).click()
    expect(heading(page)).to_have_text(f"Service request {reference}")


@pytest.mark.browser
def test_customer_files_then_staff_notes_and_transfers_and_the_customer_sees_only_the_move(
    page: Page, new_page, maria, vera
) -> None:
    sign_in(page, "maria@example.com")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My requests").click()
    expect(heading(page)).to_have_text("My service requests")
    page.get_by_role("link", name="File a service request").click()

    expect(heading(page)).to_have_text("File a service request")
    file_request(page, "EAC-22-901-23456", "My I-130 is past the posted processing time.\nPlease look into it.")

    expect(heading(page)).to_have_text(TITLE)
    title = TITLE.match(heading(page).inner_text())
    assert title, heading(page).inner_text()
    reference = title.group(1)
    assert REFERENCE.match(reference)
    # The office that holds the case, and why the portal says so (the receipt number's prefix).
    expect(page.locator("#sr-office").get_by_role("link")).to_have_text("Vermont Service Center")
    expect(page.locator("#sr-office")).to_contain_text("prefix")
    expect(page.locator("#sr-status")).to_have_text("Waiting for a response")
    expect(page.get_by_text("EAC2290123456", exact=True)).to_be_visible()  # normalized

    # A Vermont staff member, at another browser.
    staff = new_page()
    sign_in(staff, "vera")
    open_from_queue(staff, reference)
    expect(staff.get_by_text("Maria Lopez (maria@example.com)")).to_be_visible()

    note = action_form(staff, "Add an internal note")
    note.get_by_label("Internal note").fill(NOTE)
    note.get_by_role("button", name="Add note").click()
    expect(message(staff)).to_have_text("Note added.")
    internal = timeline(staff).get_by_role("listitem").filter(has_text=NOTE)
    expect(internal.get_by_role("heading", level=3)).to_have_text("Internal note Staff only")

    transfer = action_form(staff, "Transfer to the office holding the case")
    transfer.get_by_label("Transfer to").select_option(label="Nebraska Service Center (NSC)")
    transfer.get_by_label("Why").fill(REASON)
    transfer.get_by_role("button", name="Transfer", exact=True).click()
    expect(message(staff)).to_have_text("The request was transferred.")
    expect(heading(staff)).to_have_text("Service requests at the Vermont Service Center")
    expect(staff.get_by_role("link", name=reference)).to_have_count(0)  # no longer Vermont's

    # Maria, back at her browser.
    page.reload()
    expect(heading(page)).to_have_text(f"Service request {reference}")
    expect(page.locator("#sr-office").get_by_role("link")).to_have_text("Nebraska Service Center")
    expect(page.locator("#sr-office")).to_contain_text("Transferred by staff")
    moved = timeline(page).get_by_role("listitem").filter(
        has=page.get_by_role("heading", level=3, name="Transferred", exact=True)
    )
    expect(moved).to_contain_text("From the Vermont Service Center to the Nebraska Service Center.")
    expect(timeline(page).get_by_role("heading", level=3)).to_have_text(["Request filed", "Transferred"])
    expect(page.get_by_text("Staff only")).to_have_count(0)
    html = page.content()
    assert NOTE not in html
    assert REASON not in html  # the transfer's reason is for staff

    request = ServiceRequest.objects.get(reference_number=reference)
    assert request.customer == maria
    assert request.receipt_number == "EAC2290123456"
    assert request.current_office.code == "NSC"
    assert list(request.events.values_list("kind", "visible_to_customer")) == [
        (EventKind.CREATED, True), (EventKind.NOTE, False), (EventKind.TRANSFER, True),
    ]


@pytest.mark.browser
def test_agent_files_for_a_caller_without_an_account(page: Page, casey) -> None:
    sign_in(page, "casey")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="File for a caller").click()
    expect(heading(page)).to_have_text("File a service request for a caller")

    page.get_by_label("Caller's name").fill("Ana Silva")
    page.get_by_label("Caller's e-mail").fill("Ana.Silva@example.com")
    expect(page.get_by_label("Channel")).to_have_value("phone")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        file_for_caller(page, "EAC2290123456", "Caller says the I-765 is past the posted processing time.")
    assert response.value.status == 201

    number = page.locator("#reference-number")
    expect(number).to_have_text(REFERENCE)
    reference = number.inner_text()
    expect(page.get_by_role("status")).to_contain_text("Read this reference number to the caller")
    expect(page.get_by_role("status")).to_contain_text(
        "Sent to the Vermont Service Center. A copy of the number was e-mailed to ana.silva@example.com."
    )
    expect(page.get_by_label("Caller's name")).to_have_value("")  # ready for the next caller

    request = ServiceRequest.objects.get(reference_number=reference)
    assert request.customer is None
    assert (request.contact_name, request.contact_email) == ("Ana Silva", "ana.silva@example.com")
    assert request.channel == "phone"
    assert request.created_by == casey
    assert request.current_office.code == "VSC"


@pytest.mark.browser
def test_customer_pages_have_no_accessibility_violations(page: Page, filed) -> None:
    violations: dict[str, str] = {}

    def check(name: str) -> None:
        expect(heading(page)).to_be_visible()
        if report := axe_report(page):
            violations[name] = report

    sign_in(page, "maria@example.com")
    page.goto("/service-requests/")
    expect(page.get_by_role("table", name="Your service requests").get_by_role("link", name=filed.reference_number)
           ).to_be_visible()
    check("my requests")

    page.get_by_role("link", name="File a service request").click()
    expect(heading(page)).to_have_text("File a service request")
    check("file")

    answer_filing(page, "EAC-22-901", "Where is my notice?")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Continue").click()
    assert response.value.status == 400
    expect(page.locator("#file-step")).to_have_text("Step 2 of 4")  # back to the receipt number's own step
    receipt = page.get_by_label("Receipt number")
    form_group = page.locator(".usa-form-group").filter(has=receipt)
    expect(form_group.locator(".usa-error-message")).to_have_text(
        "A receipt number is 3 letters and 10 digits, such as EAC2290123456."
    )
    expect(page.get_by_role("alert").filter(has_text="Please correct the following")).to_be_visible()
    check("file, bad receipt number")

    receipt.fill("EAC2290123457")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # the details were kept
    expect(heading(page)).to_have_text("Check your answers before filing")
    check("file, check your answers")
    page.get_by_role("button", name="File request").click()
    expect(heading(page)).to_have_text("Request filed")
    check("file, confirmation")
    page.get_by_role("link", name="See your request").click()
    expect(heading(page)).to_have_text(TITLE)
    check("request, as the customer")

    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_staff_pages_have_no_accessibility_violations(page: Page, filed, vera) -> None:
    from service_requests.services import service_request_note

    service_request_note(actor=vera, reference_number=filed.reference_number, body=NOTE)
    violations: dict[str, str] = {}

    def check(name: str) -> None:
        expect(heading(page)).to_be_visible()
        if report := axe_report(page):
            violations[name] = report

    sign_in(page, "vera")
    page.get_by_role("link", name="Request queue").click()
    page.get_by_label("Type").select_option(label="Case outside normal processing time")
    page.get_by_label("Status").select_option(label="Waiting for a response")
    page.get_by_label("Channel").select_option(label="Online")
    page.get_by_label("At most this many days old").fill("30")
    page.get_by_role("button", name="Search the queue", exact=True).click()
    expect(page).to_have_url(re.compile(r"type=outside_processing_time&status=open&holder=&channel=online&"))
    count = page.get_by_role("status").filter(has_text=re.compile(r"^\d+ requests?$"))
    expect(count).to_have_text("1 request")
    check("queue, filtered")
    page.get_by_label("Reference number, receipt number, customer name or e-mail").fill(filed.receipt_number)
    page.get_by_role("button", name="Search the queue", exact=True).click()
    expect(count).to_have_text("1 request")
    page.screenshot(path="var/queue-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path="var/queue-375.png", full_page=True)
    check("queue, searched, at 375 px")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("table", name=QUEUE).get_by_role("link", name=filed.reference_number).click()
    expect(heading(page)).to_have_text(f"Service request {filed.reference_number}")
    for title in ("Respond to the customer", "Add an internal note", "Transfer to the office holding the case",
                  "Send to another agency", "Close"):
        expect(action_form(page, title)).to_be_visible()
    expect(page.get_by_text("Staff only", exact=True)).to_be_visible()
    check("request, as staff")

    transfer = action_form(page, "Transfer to the office holding the case")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        transfer.get_by_role("button", name="Transfer", exact=True).click()
    assert response.value.status == 400
    expect(transfer.get_by_role("alert")).to_contain_text("Transfer to: This field is required.")
    check("request, as staff, transfer incomplete")

    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_caller_form_has_no_accessibility_violations(page: Page, casey) -> None:
    violations: dict[str, str] = {}

    def check(name: str) -> None:
        expect(heading(page)).to_be_visible()
        if report := axe_report(page):
            violations[name] = report

    sign_in(page, "casey")
    page.goto("/staff/service-requests/new/")
    check("caller form")

    page.get_by_label("Caller's name").fill("Ana Silva")
    page.get_by_label("Caller's e-mail").fill("ana.silva@example.com")
    file_for_caller(page, "EAC2290123456", "Caller says the I-765 is past the posted processing time.")
    expect(page.locator("#reference-number")).to_have_text(REFERENCE)
    check("caller form, filed")

    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


def respond(page: Page, body: str):  # type: ignore[no-untyped-def]
    """Send a response from the request page; returns the answer to the POST (before any redirect)."""
    form = action_form(page, "Respond to the customer")
    form.get_by_label("Response to the customer").fill(body)
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        form.get_by_role("button", name="Send response").click()
    return response.value


@pytest.mark.browser
def test_response_after_a_colleague_transferred_the_request_is_refused(page: Page, new_page, filed, vera,
                                                                       victor) -> None:
    sign_in(page, "vera")
    open_from_queue(page, filed.reference_number)
    other = new_page()
    sign_in(other, "victor")
    open_from_queue(other, filed.reference_number)

    transfer = action_form(page, "Transfer to the office holding the case")
    transfer.get_by_label("Transfer to").select_option(label="Nebraska Service Center (NSC)")
    transfer.get_by_label("Why").fill(REASON)
    transfer.get_by_role("button", name="Transfer", exact=True).click()
    expect(message(page)).to_have_text("The request was transferred.")

    # Victor still has the page as it was before the transfer. The service refuses his response as
    # stale (409); the request is no longer his office's to see, so the page sends him back to his
    # queue with the reason.
    response = respond(other, "We are looking into it.")
    assert response.status == 302, response.status
    expect(heading(other)).to_have_text("Service requests at the Vermont Service Center")
    expect(message(other).filter(has_text=STALE)).to_contain_text(
        "(it is now waiting for a response at Nebraska Service Center)"
    )
    expect(other.get_by_text("Your response is on the record.")).to_have_count(0)

    assert not ServiceRequestEvent.objects.filter(request=filed, kind=EventKind.RESPONSE).exists()
    filed.refresh_from_db()
    assert (filed.current_office.code, filed.status, filed.first_response_at) == ("NSC", Status.OPEN, None)


@pytest.mark.browser
def test_response_after_a_colleague_changed_the_request_is_refused_with_409(page: Page, new_page, filed, vera,
                                                                          victor) -> None:
    sign_in(page, "vera")
    open_from_queue(page, filed.reference_number)
    other = new_page()
    sign_in(other, "victor")
    open_from_queue(other, filed.reference_number)

    note = action_form(page, "Add an internal note")
    note.get_by_label("Internal note").fill(NOTE)
    note.get_by_role("button", name="Add note").click()
    expect(message(page)).to_have_text("Note added.")

    response = respond(other, "We are looking into it.")
    assert response.status == 409
    form = action_form(other, "Respond to the customer")
    expect(form.get_by_role("alert")).to_contain_text(STALE)
    expect(timeline(other)).to_contain_text(NOTE)  # the page now shows what changed
    report = axe_report(other)
    assert report is None, report

    assert not ServiceRequestEvent.objects.filter(request=filed, kind=EventKind.RESPONSE).exists()
    filed.refresh_from_db()
    assert (filed.status, filed.version) == (Status.OPEN, 2)
