"""Appointments as customers and office staff use them in a real browser (Chromium through Playwright).

The clock is frozen at Monday 30 November 2026, 08:00 in Chicago, as in tests/appointments. The live
server runs in this process (in a thread), and time_machine patches the clock for every thread, so
the server sees the frozen time; ``tick=True`` lets it run on from there. Chromium keeps the real
clock, so the ``clock`` fixture also makes the session and CSRF cookies last until the browser
closes: with an ``Expires`` date computed from the frozen clock, Chromium would drop them as soon as
the real date passes it.

Chicago (CHI) offers Mon–Fri 08:00–15:00, 30-minute slots with 3 places; bookings need 2 hours'
notice, reach 14 days ahead, and cannot be rescheduled within 12 hours of the start.
"""

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from appointments.models import Appointment, AppointmentStatus, Slot
from tests.browser.conftest import axe_report, heading, sign_in

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=CHICAGO)
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{10}$")  # rules.CODE_ALPHABET: no 0/O or 1/I


def chicago(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def clock(settings) -> Iterator[time_machine.Traveller]:
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def chicago_office(directory):
    from offices.models import Office

    return Office.objects.get(code="CHI")


def book(customer, start: datetime, reason: str = "information") -> Appointment:
    from appointments.services import appointment_book

    return appointment_book(actor=customer, office_code="CHI", start=start, reason_code=reason)


def slot_picker(page: Page):
    return page.get_by_role("group", name="Choose a time")


def day_group(page: Page, legend: str):
    return slot_picker(page).get_by_role("group", name=legend, exact=True)


def slot(page: Page, legend: str, name: str):
    return day_group(page, legend).get_by_role("radio", name=name, exact=True)


def choose(page: Page, radio) -> None:
    """Choose a time with the mouse: USWDS moves the radio itself off-screen, so click its label (the tile)."""
    page.locator(f'label[for="{radio.get_attribute("id")}"]').click()
    expect(radio).to_be_checked()


@pytest.mark.browser
def test_customer_books_with_the_keyboard_then_reschedules_and_cancels(page: Page, clock, maria) -> None:
    sign_in(page, "maria@example.com")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My appointments").click()
    expect(heading(page)).to_have_text("My appointments")
    page.get_by_role("link", name="Book an appointment").click()

    expect(heading(page)).to_have_text("Book an appointment")
    expect(page.get_by_text("Chicago Field Office")).to_be_visible()
    page.get_by_label("Reason for your visit").select_option(label="Emergency advance parole")

    # The choice is made with the keyboard only: Space checks the focused radio, and the arrow keys
    # move through all the times (one radio group, across the day fieldsets), checking as they go.
    radios = slot_picker(page).get_by_role("radio")
    radios.first.focus()
    page.keyboard.press("Space")
    expect(radios.first).to_be_checked()
    monday = day_group(page, "Monday, 30 November 2026").get_by_role("radio").count()
    for _ in range(monday + 2):  # past Monday's times, to Tuesday 08:00, 08:30, 09:00
        page.keyboard.press("ArrowDown")
    chosen = slot(page, "Tuesday, 1 December 2026", "09:00 3 places left")
    expect(chosen).to_be_focused()
    expect(chosen).to_be_checked()
    expect(page.locator("input[name=start]:checked")).to_have_count(1)
    page.get_by_role("button", name="Book this appointment").click()

    expect(heading(page)).to_have_text("Appointment notice")
    code = page.locator("#confirmation-code")
    expect(code).to_have_text(CODE)
    confirmation = code.inner_text()
    expect(page.get_by_role("status")).to_have_text(
        f"Your appointment is booked. Your confirmation code is {confirmation}."
    )
    expect(page.locator("#appointment-when")).to_have_text("Tuesday 1 December 2026, 09:00–09:30 (America/Chicago)")
    expect(page.locator("#appointment-status")).to_have_text("Booked")

    page.get_by_role("link", name="Reschedule").click()
    expect(heading(page)).to_have_text("Reschedule appointment")
    expect(slot(page, "Tuesday, 1 December 2026", "09:00 2 places left")).to_have_count(1)  # Maria's own place
    choose(page, slot(page, "Wednesday, 2 December 2026", "10:00 3 places left"))
    page.get_by_role("button", name="Move my appointment").click()

    expect(heading(page)).to_have_text("Appointment notice")
    expect(page.get_by_role("status")).to_have_text("Your appointment has a new time.")
    expect(page.locator("#appointment-when")).to_have_text("Wednesday 2 December 2026, 10:00–10:30 (America/Chicago)")
    expect(code).to_have_text(confirmation)

    page.get_by_role("link", name="Cancel appointment").click()
    expect(heading(page)).to_have_text("Cancel appointment")
    expect(
        page.get_by_text("Cancel your appointment on Wednesday 2 December 2026, 10:00 at the Chicago Field Office?")
    ).to_be_visible()
    page.get_by_role("button", name="Yes, cancel it").click()

    expect(heading(page)).to_have_text("Appointment notice")
    expect(page.get_by_role("status")).to_have_text("Your appointment is cancelled.")
    expect(page.locator("#appointment-status")).to_have_text("Cancelled")
    expect(page.get_by_role("link", name="Reschedule")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel appointment")).to_have_count(0)

    appointment = Appointment.objects.get()
    assert appointment.customer == maria
    assert appointment.confirmation_code == confirmation
    assert appointment.reason.code == "emergency-advance-parole"
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.reschedule_count == 1
    assert appointment.starts_at == chicago(2, 10)
    slots = Slot.objects.filter(office__code="CHI").order_by("starts_at")
    assert [(s.starts_at, s.booked) for s in slots] == [(chicago(1, 9), 0), (chicago(2, 10), 0)]


@pytest.mark.browser
def test_the_clock_is_frozen_for_the_live_server(page: Page, clock, maria) -> None:
    """The server thread sees the frozen clock: the picker starts on the frozen Monday, at the first
    time with 2 hours' notice, and ends 14 days later."""
    sign_in(page, "maria@example.com")
    page.goto("/appointments/book/")

    legends = slot_picker(page).locator("fieldset > legend").all_inner_texts()
    assert legends[0] == "Monday, 30 November 2026"
    assert legends[-1] == "Monday, 14 December 2026"
    first = slot_picker(page).get_by_role("radio").first
    expect(first).to_have_accessible_name("10:30 3 places left")


@pytest.mark.browser
def test_slot_picker_names_days_times_and_places(page: Page, clock, maria) -> None:
    from tests.factories import CustomerFactory

    others = [CustomerFactory(profile__zip_code="60605") for _ in range(3)]
    for other in others[:2]:
        book(other, chicago(1, 9))  # Tuesday 09:00: 1 place left
    for other in others:
        book(other, chicago(1, 10))  # Tuesday 10:00: full
    sign_in(page, "maria@example.com")
    page.goto("/appointments/book/")

    picker = slot_picker(page)
    expect(picker).to_have_accessible_description(
        "Times are local to the office (America/Chicago). Only times with free places are listed."
    )
    # One group per weekday in the 14-day window; the legend names the weekday and the date.
    expect(picker.get_by_role("group")).to_have_count(11)
    expect(picker.get_by_role("group", name="Saturday")).to_have_count(0)
    tuesday = day_group(page, "Tuesday, 1 December 2026")
    expect(tuesday).to_be_visible()
    # Every radio is named by its time and its free places.
    radios = picker.get_by_role("radio")
    expect(radios).to_have_count(
        picker.get_by_role("radio", name=re.compile(r"^\d\d:\d\d [1-3] places? left$")).count()
    )
    expect(tuesday.get_by_role("radio", name="08:00 3 places left", exact=True)).to_have_count(1)
    expect(tuesday.get_by_role("radio", name="09:00 1 place left", exact=True)).to_have_count(1)
    expect(tuesday.get_by_role("radio", name="10:00")).to_have_count(0)  # full
    expect(tuesday.get_by_role("radio")).to_have_count(13)
    # Times closer than the 2 hours' notice are not offered: they could not be booked.
    monday = day_group(page, "Monday, 30 November 2026")
    expect(monday.get_by_role("radio").first).to_have_accessible_name("10:30 3 places left")
    expect(monday.get_by_role("radio", name="10:00")).to_have_count(0)


@pytest.mark.browser
def test_booking_pages_have_no_accessibility_violations(page: Page, clock, maria) -> None:
    violations: dict[str, str] = {}

    def check(name: str) -> None:
        expect(heading(page)).to_be_visible()
        if report := axe_report(page):
            violations[name] = report

    sign_in(page, "maria@example.com")
    page.goto("/appointments/book/")
    expect(slot_picker(page).get_by_role("radio").first).to_be_attached()
    check("book")

    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Book this appointment").click()
    assert response.value.status == 400
    error = slot_picker(page).locator(".usa-error-message")
    expect(error).to_have_text("Choose a time.")
    expect(slot_picker(page)).to_have_accessible_description(re.compile(r"Choose a time\.$"))
    summary = page.get_by_role("alert").filter(has_text="Please correct the following")
    summary.get_by_role("link", name="Time").click()
    expect(page).to_have_url(re.compile(r"#id_start$"))
    expect(page.locator("#id_start")).to_be_visible()  # the error summary's link has a target
    check("book, no time chosen")

    # The first time offered can be booked.
    choose(page, slot_picker(page).get_by_role("radio").first)
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.locator("#confirmation-code")).to_have_text(CODE)
    check("notice")

    page.get_by_role("link", name="Reschedule").click()
    expect(heading(page)).to_have_text("Reschedule appointment")
    check("reschedule")

    page.get_by_role("link", name="Keep the current time").click()
    page.get_by_role("link", name="Cancel appointment").click()
    expect(heading(page)).to_have_text("Cancel appointment")
    check("cancel")

    page.get_by_role("link", name="No, keep it").click()
    page.get_by_role("link", name="All my appointments").click()
    expect(page.get_by_role("table", name="Upcoming appointments")).to_be_visible()
    check("my appointments")

    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_staff_day_page_has_no_accessibility_violations(page: Page, clock, chicago_office, maria) -> None:
    from tests.factories import StaffFactory

    book(maria, chicago(30, 11, month=11))
    StaffFactory(username="clerk", office=chicago_office)
    sign_in(page, "clerk")
    page.get_by_role("link", name="Office day").click()

    expect(heading(page)).to_have_text("Appointments at the Chicago Field Office")
    expect(page.get_by_role("heading", level=2, name="Monday 30 November 2026")).to_be_visible()
    row = page.get_by_role("table", name="Appointments on this day").get_by_role("row", name=re.compile("Maria Lopez"))
    expect(row.get_by_role("button", name="Check in Maria Lopez")).to_be_visible()
    report = axe_report(page)
    assert report is None, report


@pytest.mark.browser
def test_printed_notice_shows_the_code_without_the_header(page: Page, clock, maria) -> None:
    appointment = book(maria, chicago(1, 9))
    sign_in(page, "maria@example.com")
    page.goto(f"/appointments/{appointment.pk}/")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav).to_be_visible()

    page.emulate_media(media="print")

    expect(page.locator("header.usa-header")).to_be_hidden()
    expect(nav).to_be_hidden()
    expect(page.get_by_role("region", name="Official website of the United States government")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this notice")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(heading(page)).to_have_text("Appointment notice")
    expect(page.locator("#confirmation-code")).to_be_visible()
    expect(page.locator("#confirmation-code")).to_have_text(appointment.confirmation_code)
    expect(page.locator("#appointment-when")).to_be_visible()
