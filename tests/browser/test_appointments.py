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
from tests.browser.test_frame import DESKTOP, NARROW, PHONE, shot, sideways_scroll, use_language

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
    return page.locator("fieldset.portal-slot-picker")


def slot(page: Page, name: str):
    return slot_picker(page).get_by_role("radio", name=name, exact=True)


def day_link(page: Page, day: str):
    return page.locator(f'a[data-day="{day}"]')


def choose(page: Page, radio) -> None:
    """Choose a time with the mouse: USWDS moves the radio itself off-screen, so click its label (the tile)."""
    page.locator(f'label[for="{radio.get_attribute("id")}"]').click()
    expect(radio).to_be_checked()


def tab_to(page: Page, target, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def step(page: Page, violations: dict[str, str], name: str, *, reflow: bool) -> None:
    """Each step: a screenshot, axe, and (on phones) no sideways scroll at 320 px."""
    expect(heading(page)).to_be_visible()
    shot(page, f"booking-{name}")
    if report := axe_report(page):
        violations[name] = report
    if reflow:
        size = page.viewport_size
        page.set_viewport_size(NARROW)
        assert sideways_scroll(page) <= 0, f"{name} scrolls sideways at 320 px"
        assert size is not None
        page.set_viewport_size(size)


BOOK = {"en": "Book an appointment", "es": "Programar una cita"}
CHECK = {"en": "Check your answers before booking", "es": "Revise sus respuestas antes de programar la cita"}
BOOKED = {"en": "Appointment booked", "es": "Cita programada"}
NINE = {"en": "9:00 a.m. 3 places left", "es": "09:00 Quedan 3 lugares"}
WHEN = {"en": "Tuesday 1 December 2026, 9:00 a.m. Central Time", "es": "martes 1 de diciembre de 2026, 09:00 hora del Centro"}


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "viewport"), [("en", PHONE), ("es", PHONE), ("en", DESKTOP), ("es", DESKTOP)],
                         ids=["en-375", "es-375", "en-1280", "es-1280"])
def test_customer_books_with_the_keyboard_alone(page: Page, live_server, clock, maria, lang, viewport) -> None:
    """A day, then a time, then check your answers, then the confirmation page: Tab, arrows, Space
    and Enter only. Each step passes axe and (on a phone) reflows at 320 px."""
    violations: dict[str, str] = {}
    size = f"{lang}-{viewport['width']}"
    page.set_viewport_size(viewport)
    sign_in(page, "maria@example.com")
    use_language(page, live_server, lang)
    page.goto("/appointments/book/")
    expect(heading(page)).to_have_text(BOOK[lang])
    expect(page.locator("#limits")).to_contain_text("0")  # the limits come before any choice
    expect(page.locator('input[name="start"]')).to_have_count(0)  # a day first
    step(page, violations, f"{size}-1-day", reflow=viewport == PHONE)

    tuesday = day_link(page, "2026-12-01")
    tab_to(page, tuesday)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?day=2026-12-01$"))
    step(page, violations, f"{size}-2-time", reflow=viewport == PHONE)

    radios = slot_picker(page).get_by_role("radio")
    tab_to(page, radios.first)
    page.keyboard.press("Space")
    expect(radios.first).to_be_checked()
    for _ in range(2):  # 8:00, 8:30, 9:00
        page.keyboard.press("ArrowDown")
    nine = slot(page, NINE[lang])
    expect(nine).to_be_focused()
    expect(nine).to_be_checked()
    reason = page.locator("#id_reason")
    tab_to(page, reason)
    for _ in range(2):  # Information desk, ADIT stamp, Emergency advance parole
        page.keyboard.press("ArrowDown")
    expect(reason).to_have_value("emergency-advance-parole")
    tab_to(page, page.locator('form.usa-form button[type="submit"]'))
    page.keyboard.press("Enter")

    expect(heading(page)).to_have_text(CHECK[lang])
    expect(page.locator("#check-day")).to_contain_text(WHEN[lang].split(",")[0])
    assert not Appointment.objects.exists()  # nothing is kept before the confirmation
    step(page, violations, f"{size}-3-check", reflow=viewport == PHONE)
    tab_to(page, page.locator("#confirm"))
    page.keyboard.press("Enter")

    expect(heading(page)).to_have_text(BOOKED[lang])
    appointment = Appointment.objects.get()
    expect(page.locator("#confirmation-code")).to_have_text(appointment.confirmation_code)
    expect(page.locator("#appointment-when")).to_have_text(WHEN[lang])
    expect(page.locator("#what-to-bring")).to_contain_text("I-131")
    step(page, violations, f"{size}-4-confirmation", reflow=viewport == PHONE)
    assert (appointment.customer, appointment.reason.code, appointment.starts_at) == (
        maria, "emergency-advance-parole", chicago(1, 9))
    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_customer_reschedules_then_cancels(page: Page, clock, maria) -> None:
    violations: dict[str, str] = {}
    appointment = book(maria, chicago(1, 9))
    page.set_viewport_size(PHONE)
    sign_in(page, "maria@example.com")
    page.goto(f"/appointments/{appointment.pk}/")
    expect(page.locator("#appointment-when")).to_have_text("Tuesday 1 December 2026, 9:00 a.m. Central Time")
    page.get_by_role("link", name="Reschedule").click()
    expect(heading(page)).to_have_text("Reschedule appointment")
    expect(page.locator("#reschedules-left")).to_have_text("This appointment can be moved 2 more times.")
    step(page, violations, "reschedule-1-day", reflow=True)
    day_link(page, "2026-12-02").click()
    step(page, violations, "reschedule-2-time", reflow=True)
    choose(page, slot(page, "10:00 a.m. 3 places left"))
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Check the new time")
    step(page, violations, "reschedule-3-check", reflow=True)
    page.get_by_role("button", name="Move my appointment").click()

    expect(heading(page)).to_have_text("Appointment notice")
    expect(page.get_by_role("status")).to_have_text("Your appointment has a new time.")
    expect(page.locator("#appointment-when")).to_have_text("Wednesday 2 December 2026, 10:00 a.m. Central Time")
    step(page, violations, "reschedule-4-notice", reflow=True)

    page.get_by_role("link", name="Cancel appointment").click()
    expect(page.get_by_text("Cancel your appointment on Wednesday 2 December 2026, 10:00 a.m. Central Time "
                            "at the Chicago Field Office?")).to_be_visible()
    step(page, violations, "cancel-1-confirm", reflow=True)
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.locator("#cancelled")).to_have_text("This appointment is cancelled")
    expect(page.get_by_role("button", name="Print this notice")).to_have_count(0)
    expect(page.get_by_role("link", name="Add to my calendar")).to_have_count(0)
    step(page, violations, "cancel-2-notice", reflow=True)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.reschedule_count, appointment.starts_at) == (
        AppointmentStatus.CANCELLED, 1, chicago(2, 10))
    slots = Slot.objects.filter(office__code="CHI").order_by("starts_at")
    assert [(s.starts_at, s.booked) for s in slots] == [(chicago(1, 9), 0), (chicago(2, 10), 0)]
    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_the_third_active_booking_is_refused_before_a_time_is_chosen(page: Page, clock, maria) -> None:
    book(maria, chicago(1, 9))
    book(maria, chicago(2, 9))
    sign_in(page, "maria@example.com")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My appointments").click()
    page.get_by_role("link", name="Book an appointment").click()
    expect(page.locator("#refusal")).to_have_text(
        "You already have 2 upcoming appointments, the most allowed. Cancel one to book another.")
    expect(page.locator("a[data-day]")).to_have_count(0)
    expect(page.locator('input[name="start"]')).to_have_count(0)
    shot(page, "booking-refused-third")
    report = axe_report(page)
    assert report is None, report


@pytest.mark.browser
def test_the_days_and_times_name_themselves(page: Page, clock, maria) -> None:
    """The server thread sees the frozen clock: the days run from the frozen Monday to 14 days later;
    each day names its free times, each time its places; times within 2 hours' notice are not offered."""
    from tests.factories import CustomerFactory

    others = [CustomerFactory(profile__zip_code="60605") for _ in range(3)]
    for other in others[:2]:
        book(other, chicago(1, 9))  # Tuesday 9:00: 1 place left
    for other in others:
        book(other, chicago(1, 10))  # Tuesday 10:00: full
    sign_in(page, "maria@example.com")
    page.goto("/appointments/book/")
    days = page.locator("a[data-day]")
    expect(days).to_have_count(11)  # weekdays from Monday 30 November to Monday 14 December
    expect(days.first).to_have_text(re.compile(r"^Monday 30 November 2026\s+9 times free$"))
    expect(days.last).to_have_attribute("data-day", "2026-12-14")
    expect(day_link(page, "2026-12-01")).to_have_text(re.compile(r"13 times free$"))
    day_link(page, "2026-12-01").click()
    expect(slot_picker(page)).to_have_accessible_description(
        "Times are Central Time, the office's local time. Only times with free places are listed.")
    expect(slot(page, "8:00 a.m. 3 places left")).to_have_count(1)
    expect(slot(page, "9:00 a.m. 1 place left")).to_have_count(1)
    expect(slot_picker(page).get_by_role("radio", name="10:00 a.m.")).to_have_count(0)  # full
    page.get_by_role("link", name="Choose another day").click()
    day_link(page, "2026-11-30").click()
    expect(slot_picker(page).get_by_role("radio").first).to_have_accessible_name("10:30 a.m. 3 places left")

    # No time chosen: the error sits by the picker and the summary links to it.
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Continue").click()
    assert response.value.status == 400
    expect(slot_picker(page).locator(".usa-error-message")).to_have_text("Choose a time.")
    summary = page.get_by_role("alert").filter(has_text="Please correct the following")
    summary.get_by_role("link", name="Time").click()
    expect(page).to_have_url(re.compile(r"#id_start$"))
    shot(page, "booking-no-time-chosen")
    report = axe_report(page)
    assert report is None, report


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
