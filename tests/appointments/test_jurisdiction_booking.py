"""Booking enforces the office the directory names, or the customer's recorded choice among its
candidates — never a silent pick; staff may book elsewhere with a recorded, audited reason."""

import pytest

from appointments import services
from appointments.models import Appointment
from core.errors import ApplicationError, Conflict
from core.models import AuditEvent
from offices.models import Office
from tests.appointments.conftest import chicago
from tests.auth import api_for, sign_in, sign_up_and_confirm
from tests.factories import CustomerFactory, StaffFactory, UserFactory, represent

LOS_ANGELES = "America/Los_Angeles"


def la_start(day: int = 1, hour: int = 9):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(2026, 12, day, hour, tzinfo=ZoneInfo(LOS_ANGELES))


@pytest.fixture
def angeleno(directory):
    """Lives at 90012, in Los Angeles County: split between LAC, LOS and SFV with no ZIP rule."""
    return CustomerFactory(username="la@example.com", profile__zip_code="90012")


def test_an_ambiguous_zip_without_a_recorded_choice_is_asked_for_the_office(frozen, angeleno):
    with pytest.raises(Conflict) as caught:
        services.office_for_booking(angeleno)
    assert caught.value.code == "choose_office"
    assert caught.value.extra["candidates"] == ["LAC", "LOS", "SFV"]
    with pytest.raises(Conflict):
        services.appointment_book(actor=angeleno, office_code="LOS", start=la_start(), reason_code="information")


def test_the_recorded_choice_is_where_the_customer_books_and_only_there(frozen, angeleno):
    from core.services import customer_profile_update

    customer_profile_update(user=angeleno, zip_code="90012", preferred_language="en", office="sfv")
    angeleno.profile.refresh_from_db()
    assert services.office_for_booking(angeleno).code == "SFV"
    appointment = services.appointment_book(actor=angeleno, office_code="SFV", start=la_start(), reason_code="information")
    assert appointment.office.code == "SFV" and appointment.other_office_reason == ""
    with pytest.raises(ApplicationError) as caught:
        services.appointment_book(actor=angeleno, office_code="LOS", start=la_start(2), reason_code="information")
    assert caught.value.code == "wrong_office" and caught.value.extra["office"] == "SFV"


def test_a_choice_that_is_not_a_candidate_is_refused_and_a_choice_where_data_decides_is_not_kept(directory, angeleno):
    from core.services import customer_profile_update

    with pytest.raises(ApplicationError) as caught:
        customer_profile_update(user=angeleno, zip_code="90012", preferred_language="en", office="CHI")
    assert "LAC, LOS, SFV" in caught.value.fields["office"][0]
    profile = customer_profile_update(user=angeleno, zip_code="60605", preferred_language="en", office="MIL")
    assert profile.office_choice is None  # Cook County decides: Chicago


def test_a_customer_is_refused_at_another_office_with_the_office_that_serves_them(frozen, directory):
    milwaukee = CustomerFactory(profile__zip_code="53202")
    with pytest.raises(ApplicationError) as caught:
        services.appointment_book(actor=milwaukee, office_code="CHI", start=chicago(1, 9), reason_code="information",
                                  other_office_reason="closer to work")
    assert caught.value.code == "wrong_office"
    assert "Milwaukee Field Office (MIL)" in caught.value.message


def test_a_representative_cannot_book_elsewhere_either(frozen, directory):
    wi = CustomerFactory(username="wi@example.com", profile__zip_code="53202")
    counsel = UserFactory(role="representative")
    represent(wi, counsel)
    with pytest.raises(ApplicationError) as caught:
        services.appointment_book(actor=counsel, customer_email="wi@example.com", office_code="CHI",
                                  start=chicago(1, 9), reason_code="information", other_office_reason="x")
    assert caught.value.code == "wrong_office"


@pytest.mark.parametrize("role", ["office_staff", "ncsc_tier1"])
def test_staff_book_at_another_office_with_a_reason_that_is_recorded_and_audited(frozen, directory, role):
    CustomerFactory(username="wi@example.com", profile__zip_code="53202")
    staff = StaffFactory(role=role, office=Office.objects.get(code="CHI"))
    with pytest.raises(ApplicationError) as caught:
        services.appointment_book(actor=staff, customer_email="wi@example.com", office_code="CHI",
                                  start=chicago(1, 9), reason_code="emergency-advance-parole")
    assert caught.value.code == "reason_required" and "other_office_reason" in caught.value.fields
    assert not Appointment.objects.exists()
    appointment = services.appointment_book(
        actor=staff, customer_email="wi@example.com", office_code="CHI", start=chicago(1, 9),
        reason_code="emergency-advance-parole", other_office_reason="Emergency advance parole: travel tomorrow",
    )
    assert appointment.office.code == "CHI"
    assert appointment.other_office_reason == "Emergency advance parole: travel tomorrow"
    audit = AuditEvent.objects.get(action="appointment.booked", target_id=str(appointment.pk))
    assert audit.data["other_office_reason"] == "Emergency advance parole: travel tomorrow"
    assert audit.actor == staff


def test_staff_may_book_for_an_ambiguous_zip_customer_with_a_reason(frozen, angeleno):
    agent = UserFactory(role="ncsc_tier1", username="agent-la")
    appointment = services.appointment_book(
        actor=agent, customer_email="la@example.com", office_code="LOS", start=la_start(),
        reason_code="information", other_office_reason="Interview notice names the Los Angeles office",
    )
    assert appointment.office.code == "LOS"


def test_booking_elsewhere_through_the_api(frozen, directory, api_client):
    CustomerFactory(username="wi@example.com", profile__zip_code="53202")
    customer = CustomerFactory(username="cust-wi@example.com", profile__zip_code="53202")
    body = {"office": "CHI", "start": chicago(1, 9).isoformat(), "reason": "information", "customer": "wi@example.com"}
    api_client.force_authenticate(customer)
    mine = {k: v for k, v in body.items() if k != "customer"}
    response = api_client.post("/api/v1/appointments/", {**mine, "other_office_reason": "x"}, format="json")
    assert response.status_code == 400
    assert "Milwaukee Field Office" in str(response.json())
    staff = StaffFactory(role="office_staff", office=Office.objects.get(code="CHI"))
    api_client = api_for(staff)
    response = api_client.post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 400 and "other_office_reason" in response.json()
    response = api_client.post("/api/v1/appointments/", {**body, "other_office_reason": "Case moved for interview"},
                               format="json")
    assert response.status_code == 201
    assert response.json()["other_office_reason"] == "Case moved for interview"


def test_booking_elsewhere_through_the_page(frozen, directory, client):
    CustomerFactory(username="wi@example.com", profile__zip_code="53202")
    staff = StaffFactory(role="office_staff", office=Office.objects.get(code="CHI"))
    sign_in(client, staff)
    page = client.get("/appointments/book/?customer=wi@example.com").content.decode()
    assert "Milwaukee Field Office" in page and "Book at another office" in page
    url = "/appointments/book/?customer=wi@example.com&office=CHI&day=2026-12-01"
    page = client.get(url).content.decode()
    assert 'name="other_office_reason"' in page  # asked with the time, before the answers are checked
    start = chicago(1, 9).isoformat()
    response = client.post(url, {"reason": "information", "start": start, "notes": ""})
    assert response.status_code == 400 and not Appointment.objects.exists()
    answers = {"reason": "information", "start": start, "notes": "", "other_office_reason": "Emergency advance parole"}
    check = client.post(url, answers)
    assert check.status_code == 200 and "Emergency advance parole" in check.content.decode()
    response = client.post(url, {**answers, "confirm": "yes"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.office.code, appointment.other_office_reason) == ("CHI", "Emergency advance parole")
    assert "Emergency advance parole" in client.get(f"/appointments/{appointment.pk}/").content.decode()


def test_a_customer_cannot_pick_another_office_on_the_page(frozen, directory, client):
    customer = CustomerFactory(profile__zip_code="53202")
    client.force_login(customer)
    page = client.get("/appointments/book/?office=CHI").content.decode()
    assert "Milwaukee Field Office" in page and "Book at another office" not in page


def test_profile_records_the_choice_and_region_on_the_page_and_api(directory, client, api_client):
    customer = CustomerFactory(username="la@example.com", profile__zip_code="90012")
    client.force_login(customer)
    response = client.post("/accounts/profile/", {"zip_code": "90012", "country": "", "office": "LAC",
                                                  "region": "", "preferred_language": "en"})
    assert response.status_code == 302
    customer.profile.refresh_from_db()
    assert customer.profile.office_choice.code == "LAC"
    assert "Los Angeles County Field Office" in client.get("/accounts/profile/").content.decode()
    response = client.post("/accounts/profile/", {"zip_code": "90012", "country": "", "office": "CHI",
                                                  "region": "", "preferred_language": "en"})
    assert response.status_code == 400 and "LAC, LOS, SFV" in response.content.decode()
    api_client.force_authenticate(customer)
    body = api_client.patch("/api/v1/auth/me/", {"country": "CN", "region": "guangdong"}, format="json").json()
    assert (body["country"], body["zip_code"], body["region"], body["office_choice"]) == ("CN", "", "Guangdong", None)
    customer.profile.refresh_from_db()
    assert services.office_for_booking(customer).code == "GUZ"
    response = api_client.patch("/api/v1/auth/me/", {"region": "Atlantis"}, format="json")
    assert response.status_code == 400 and "region" in response.json()


def test_sign_up_records_the_region_and_booking_asks_for_it_when_missing(directory):
    body = {"email": "wang@example.com", "password": "a-long-passphrase-1", "first_name": "Wang", "last_name": "Li",
            "country": "CN", "region": "Shanghai"}
    assert sign_up_and_confirm(body)["region"] == "Shanghai"
    from core.models import User

    assert services.office_for_booking(User.objects.get(email="wang@example.com")).code == "BEJ"
    sign_up_and_confirm({**body, "email": "li@example.com", "region": ""})
    with pytest.raises(Conflict) as caught:
        services.office_for_booking(User.objects.get(email="li@example.com"))
    assert caught.value.code == "choose_office" and "Shanghai" in caught.value.extra["regions"]
    account = sign_up_and_confirm({**body, "email": "la2@example.com", "country": "", "zip_code": "90012",
                                   "office": "los"})
    assert account["office_choice"] == "LOS"
