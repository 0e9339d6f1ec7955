"""Issue 15 item 3: the office day — any day of the schedule's horizon, previous/next, lookup, the chosen day
kept after each action, a confirmed and undoable no-show, a printable list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments import services
from appointments.models import Appointment
from core.models import AuditEvent
from offices.models import Office
from tests.appointments.conftest import chicago
from tests.auth import api_for, sign_in
from tests.factories import CustomerFactory, StaffFactory


@pytest.fixture
def chi_staff(directory):
    return StaffFactory(username="chi.officer", office=Office.objects.get(code="CHI"))


def book(customer, start):
    return services.appointment_book(actor=customer, office_code="CHI", start=start, reason_code="information")


def codes(html: str) -> list[str]:
    return re.findall(r'<td data-label="Code">([A-Z0-9-]+)</td>', html)


def print_rows(html: str) -> list[tuple[str, str, str]]:
    """(time, code, status) of each printed row."""
    rows = re.findall(r'<tr class="print-row"><td>([0-9:]+)</td><td>[^<]*</td><td>[^<]*</td><td>([^<]+)</td>'
                      r'<td>([^<]+)</td>', html)
    return [(t, c, s) for t, c, s in rows]


def day_rows(html: str) -> list[tuple[str, str, str]]:
    rows = re.findall(r'<th scope="row" data-label="Time">([0-9:]+)</th>.*?<td data-label="Code">([^<]+)</td>\s*'
                      r'<td data-label="Status">([^<]+)</td>', html, re.S)
    return [(t, c, s) for t, c, s in rows]


def test_the_office_day_from_its_defaults(frozen, chi_staff, maria, client):
    today = book(maria, chicago(30, 10, month=11))
    sign_in(client, chi_staff)
    html = client.get("/staff/appointments/").content.decode()
    assert "Monday 30 November 2026" in html and codes(html) == [today.confirmation_code]
    assert 'href="?date=2026-11-29" rel="prev"' in html and 'href="?date=2026-12-01" rel="next"' in html
    assert "/staff/appointments/print/?date=2026-11-30" in html
    assert ">Today</a>" not in html  # already on today


def test_any_day_within_the_horizon_and_not_beyond(frozen, chi_staff, maria, client):
    later = book(maria, chicago(14, 9))  # the 14-day horizon's last day
    sign_in(client, chi_staff)
    html = client.get("/staff/appointments/?date=2026-12-14").content.decode()
    assert codes(html) == [later.confirmation_code] and 'rel="next"' not in html and ">Today</a>" in html
    first = client.get("/staff/appointments/?date=2026-11-16").content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' in first
    beyond = client.get("/staff/appointments/?date=2026-12-15")
    assert beyond.status_code == 400
    assert "Choose a day from 16 November 2026 to 14 December 2026." in beyond.content.decode()
    assert client.get("/staff/appointments/?date=2026-11-15").status_code == 400


def test_lookup_by_confirmation_code_or_name_within_the_office(frozen, chi_staff, maria, client):
    jose = CustomerFactory(username="jose@example.com", first_name="José", last_name="Núñez", profile__zip_code="60605")
    his = book(jose, chicago(3, 11))
    mine = book(maria, chicago(1, 9))
    houston = StaffFactory(office=Office.objects.get(code="HOU"))
    sign_in(client, chi_staff)
    by_code = client.get(f"/staff/appointments/?q={his.confirmation_code.lower()}").content.decode()
    assert f'href="?date=2026-12-03#appointment-{his.pk}"' in by_code and mine.confirmation_code not in by_code.split(
        'id="lookup-matches"')[1].split("</ul>")[0]
    by_name = client.get("/staff/appointments/?q=nunez").content.decode()
    assert f"#appointment-{his.pk}" in by_name and "José Núñez" in by_name
    assert "No appointment in the schedule's days matches." in client.get(
        "/staff/appointments/?q=nobody").content.decode()
    sign_in(client, houston)
    assert "No appointment in the schedule's days matches." in client.get(
        f"/staff/appointments/?q={his.confirmation_code}").content.decode()


def test_the_chosen_day_survives_check_in_no_show_and_undo_and_the_print_matches(frozen, chi_staff, maria,
                                                                               other_customer, client):
    first, second = book(maria, chicago(1, 9)), book(other_customer, chicago(1, 10))
    tomorrow = book(maria, chicago(2, 9))
    frozen.move_to(chicago(1, 10, 15))
    sign_in(client, chi_staff)
    day = "/staff/appointments/?date=2026-12-01"
    back = {"date": "2026-12-01"}

    # check in
    response = client.post(f"/staff/appointments/{first.pk}/check-in/", back)
    assert response.status_code == 302 and response["Location"] == day

    # no-show: asked first, nothing changes until confirmed
    asked = client.post(f"/staff/appointments/{second.pk}/no-show/", back)
    assert asked.status_code == 302 and asked["Location"] == f"/staff/appointments/{second.pk}/no-show/confirm/"
    second.refresh_from_db()
    assert second.status == "booked"
    confirm = client.get(asked["Location"]).content.decode()
    assert "did not come to the appointment at 10:00 on 1 December 2026" in confirm and "Yes, mark as a no-show" in confirm
    done = client.post(f"/staff/appointments/{second.pk}/no-show/", {**back, "confirm": "yes"})
    assert done["Location"] == day
    second.refresh_from_db()
    assert second.status == "no_show"

    html = client.get(day).content.decode()
    assert "Undo no-show" in html
    printed = client.get("/staff/appointments/print/?date=2026-12-01").content.decode()
    assert print_rows(printed) == day_rows(html) == [
        ("09:00", first.confirmation_code, "Checked in"), ("10:00", second.confirmation_code, "No-show")]

    # undo, the same day
    undone = client.post(f"/staff/appointments/{second.pk}/undo-no-show/", back)
    assert undone["Location"] == day
    second.refresh_from_db()
    assert second.status == "booked"
    assert AuditEvent.objects.filter(action="appointment.no_show_undone", target_id=str(second.pk)).exists()

    # a refused action (tomorrow's customer cannot check in today) stays on the day shown, with the reason
    refused = client.post(f"/staff/appointments/{tomorrow.pk}/check-in/", {"date": "2026-12-02"}, follow=True)
    assert refused.redirect_chain[-1][0] == "/staff/appointments/?date=2026-12-02"
    assert "only on the day of their appointment" in refused.content.decode()

    html = client.get(day).content.decode()
    printed = client.get("/staff/appointments/print/?date=2026-12-01").content.decode()
    assert print_rows(printed) == day_rows(html) == [
        ("09:00", first.confirmation_code, "Checked in"), ("10:00", second.confirmation_code, "Booked")]
    assert "2 appointments" in printed


def test_a_no_show_cannot_be_undone_another_day(frozen, chi_staff, maria, client):
    appointment = book(maria, chicago(1, 9))
    frozen.move_to(chicago(1, 9, 30))
    services.appointment_mark_no_show(actor=chi_staff, appointment_id=appointment.pk)
    frozen.move_to(chicago(2, 8, 5))
    sign_in(client, chi_staff)
    assert "Undo no-show" not in client.get("/staff/appointments/?date=2026-12-01").content.decode()
    refused = client.post(f"/staff/appointments/{appointment.pk}/undo-no-show/", {"date": "2026-12-01"}, follow=True)
    assert "only on the day of the appointment" in refused.content.decode()
    assert refused.redirect_chain[-1][0] == "/staff/appointments/?date=2026-12-01"
    api = api_for(chi_staff).post(f"/api/v1/appointments/{appointment.pk}/undo-no-show/")
    assert api.status_code == 409
    appointment.refresh_from_db()
    assert appointment.status == "no_show"


def test_undo_on_the_api_and_who_may(frozen, chi_staff, maria):
    appointment = book(maria, chicago(1, 9))
    frozen.move_to(chicago(1, 9, 30))
    services.appointment_mark_no_show(actor=chi_staff, appointment_id=appointment.pk)
    houston = StaffFactory(office=Office.objects.get(code="HOU"))
    assert api_for(houston).post(f"/api/v1/appointments/{appointment.pk}/undo-no-show/").status_code == 404
    assert api_for(maria).post(f"/api/v1/appointments/{appointment.pk}/undo-no-show/").status_code == 404
    body = api_for(chi_staff).post(f"/api/v1/appointments/{appointment.pk}/undo-no-show/")
    assert body.status_code == 200 and body.json()["status"] == "booked"
    assert api_for(chi_staff).post(f"/api/v1/appointments/{appointment.pk}/undo-no-show/").status_code == 409


def test_office_day_and_print_queries_do_not_grow_with_the_day(frozen, chi_staff, client):
    sign_in(client, chi_staff)
    client.get("/staff/appointments/?date=2026-12-01")
    people = [CustomerFactory(profile__zip_code="60605") for _ in range(7)]
    counts = []
    for batch in (people[:1], people[1:]):
        for i, person in enumerate(batch):
            book(person, chicago(1, 9 + i))
        for path in ("/staff/appointments/?date=2026-12-01&q=Doe", "/staff/appointments/print/?date=2026-12-01"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            counts.append(len(ctx.captured_queries))
    assert Appointment.objects.count() == 7
    assert counts[:2] == counts[2:], counts
