"""The customer's escalations through the service, the API and the web page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from rest_framework.test import APIClient

from core.errors import Conflict, NotFound
from service_requests import services
from service_requests.models import EventKind
from tests.auth import api_for, sign_in

ET = ZoneInfo("America/New_York")
FILED = datetime(2026, 11, 27, 10, tzinfo=ET)


def api(user) -> APIClient:
    return api_for(user)


@pytest.fixture
def filed(file_request):
    with time_machine.travel(FILED, tick=False):
        return file_request()


def test_refused_before_day_15_with_the_opening_date_then_accepted(filed, maria):
    client = api(maria)
    url = f"/api/v1/service-requests/{filed.reference_number}/service-center-inquiry/"
    with time_machine.travel(datetime(2026, 12, 11, 18, tzinfo=ET), tick=False):
        early = client.post(url, {"message": "Any news?"}, format="json")
    assert early.status_code == 409
    assert early.json() == {"detail": "You may write from 2026-12-12, if USCIS has not responded by then.",
                            "code": "window_not_open", "opens_on": "2026-12-12"}
    with time_machine.travel(datetime(2026, 12, 12, 8, tzinfo=ET), tick=False):
        accepted = client.post(url, {"message": "Any news?"}, format="json")
        again = client.post(url, {}, format="json")
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["escalation"]["stage"] == "sc_inquiry_sent"
    assert body["escalation"]["window2_opens_at"].startswith("2027-01-02T00:00:00")
    assert [e["kind"] for e in body["timeline"]] == ["created", "service_center_inquiry"]
    assert again.status_code == 409 and again.json()["code"] == "already_sent"


def test_the_inquiry_goes_to_the_service_center_mailbox_with_the_reference(filed, maria, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 12, 12, 8, tzinfo=ET), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number,
                                                            message="Still waiting")
    (email,) = mail.outbox
    assert email.to == ["vsc-followup@example.gov"]
    assert filed.reference_number in email.subject and "EAC2290123456" in email.body and "Still waiting" in email.body


def test_hq_inquiry_refused_before_21_days_accepted_after(filed, maria):
    client = api(maria)
    base = f"/api/v1/service-requests/{filed.reference_number}"
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=ET), tick=False):
        first = client.post(f"{base}/hq-inquiry/", {}, format="json")
        assert first.status_code == 409 and first.json()["code"] == "service_center_first"
        client.post(f"{base}/service-center-inquiry/", {}, format="json")
    with time_machine.travel(datetime(2027, 1, 9, 23, tzinfo=ET), tick=False):
        early = client.post(f"{base}/hq-inquiry/", {}, format="json")
    assert early.status_code == 409 and early.json()["opens_on"] == "2027-01-10"
    with time_machine.travel(datetime(2027, 1, 10, 9, tzinfo=ET), tick=False):
        accepted = client.post(f"{base}/hq-inquiry/", {"message": "Please help"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["escalation"]["stage"] == "hq_escalated"


def test_a_field_office_request_follows_up_through_the_contact_center_and_has_no_hq_step(filed, maria, vsc_staff):
    """Changed deliberately (issue 14): this used to be a 409 telling the customer to "contact" the Chicago
    Field Office, which publishes no phone or e-mail. Its real next step is the Contact Center."""
    services.service_request_transfer(actor=vsc_staff, reference_number=filed.reference_number, to_office="CHI",
                                      reason="Interview in Chicago")
    client = api(maria)
    detail = client.get(f"/api/v1/service-requests/{filed.reference_number}/").json()["escalation"]
    assert [s["key"] for s in detail["steps"]] == ["contact_center", "ombudsman"]
    assert "1-800-375-5283" in detail["steps"][0]["how"] and filed.reference_number in detail["steps"][0]["how"]
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 12, 14, tzinfo=ET), tick=False):
        response = client.post(f"/api/v1/service-requests/{filed.reference_number}/service-center-inquiry/", {},
                               format="json")
        hq = client.post(f"/api/v1/service-requests/{filed.reference_number}/hq-inquiry/", {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["escalation"]["stage"] == "sc_inquiry_sent" and body["escalation"]["window2_opens_at"] is None
    assert body["timeline"][-1]["kind"] == "contact_center_inquiry"
    assert body["timeline"][-1]["to_office"]["code"] == "CHI"
    assert mail.outbox == []  # the field office has no mailbox: the inquiry waits in its queue
    assert hq.status_code == 409 and hq.json()["code"] == "no_hq_step"


def test_a_transfer_does_not_restart_the_clock(filed, maria, vsc_staff, nsc_staff):
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=ET), tick=False):
        services.service_request_transfer(actor=vsc_staff, reference_number=filed.reference_number, to_office="NSC",
                                          reason="x")
        services.service_request_transfer(actor=nsc_staff, reference_number=filed.reference_number, to_office="CSC",
                                          reason="y")
    with time_machine.travel(datetime(2026, 12, 12, 1, tzinfo=ET), tick=False):
        request = services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number)
    assert request.events.get(kind=EventKind.SERVICE_CENTER_INQUIRY).to_office.code == "CSC"


def test_a_response_stops_the_clock(filed, maria, vsc_staff):
    with time_machine.travel(datetime(2026, 12, 10, tzinfo=ET), tick=False):
        services.service_request_respond(actor=vsc_staff, reference_number=filed.reference_number, body="Answer")
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=ET), tick=False):
        with pytest.raises(Conflict) as caught:
            services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number)
    assert caught.value.code == "already_answered"


@pytest.mark.parametrize("step", ["service-center-inquiry", "hq-inquiry"])
@pytest.mark.parametrize("who", ["other_customer", "vsc_staff", "agent"])
def test_another_person_gets_404(request, filed, who, step):
    with time_machine.travel(datetime(2027, 2, 1, tzinfo=ET), tick=False):
        response = api(request.getfixturevalue(who)).post(
            f"/api/v1/service-requests/{filed.reference_number}/{step}/", {}, format="json")
    assert response.status_code == 404
    filed.refresh_from_db()
    assert filed.service_center_inquiry_at is None


def test_staff_cannot_send_a_customers_inquiry(filed, vsc_staff):
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=ET), tick=False):
        with pytest.raises(NotFound):
            services.service_request_service_center_inquiry(actor=vsc_staff, reference_number=filed.reference_number)


def test_detail_shows_window_dates(filed, maria):
    with time_machine.travel(datetime(2026, 11, 28, tzinfo=ET), tick=False):
        body = api(maria).get(f"/api/v1/service-requests/{filed.reference_number}/").json()
    escalation = body["escalation"]
    assert escalation["stage"] == "waiting" and escalation["window1_opens_at"].startswith("2026-12-12T00:00:00")
    assert escalation["can_write_to_service_center"] is False
    assert escalation["service_center_refusal"].startswith("You may write from 2026-12-12")


def test_customer_page_says_when_they_may_write_then_offers_the_form(filed, maria, client):
    sign_in(client, maria)
    with time_machine.travel(datetime(2026, 11, 28, tzinfo=ET), tick=False):
        html = client.get(f"/service-requests/{filed.reference_number}/").content.decode()
    assert "You may write to the Vermont Service Center from 12 December 2026" in html
    assert "service-center-inquiry/" not in html
    with time_machine.travel(datetime(2026, 12, 12, 9, tzinfo=ET), tick=False):
        html = client.get(f"/service-requests/{filed.reference_number}/").content.decode()
        assert "Write to the Vermont Service Center" in html
        response = client.post(f"/service-requests/{filed.reference_number}/service-center-inquiry/",
                               {"message": "Still nothing"})
    assert response.status_code == 302
    with time_machine.travel(datetime(2026, 12, 13, tzinfo=ET), tick=False):
        sign_in(client, maria)  # sessions last two weeks; travelling in time outlives them
        html = client.get(f"/service-requests/{filed.reference_number}/").content.decode()
    assert "You wrote to the service center on 12 December 2026" in html
    assert "you may contact HQ Office of Service Center Operations from then" in html and "2 January 2027" in html


def test_early_inquiry_on_the_web_is_409_with_the_date(filed, maria, client):
    sign_in(client, maria)
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=ET), tick=False):
        response = client.post(f"/service-requests/{filed.reference_number}/service-center-inquiry/", {})
    assert response.status_code == 409 and "2026-12-12" in response.content.decode()


def test_early_hq_inquiry_on_the_web_is_409_with_the_date(filed, maria, client):
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=ET), tick=False):
        services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number)
    with time_machine.travel(datetime(2027, 1, 9, 23, tzinfo=ET), tick=False):
        sign_in(client, maria)
        response = client.post(f"/service-requests/{filed.reference_number}/hq-inquiry/", {"message": "Please help"})
    assert response.status_code == 409 and "2027-01-10" in response.content.decode()
    filed.refresh_from_db()
    assert filed.hq_inquiry_at is None


@pytest.mark.parametrize("who", ["other_customer", "vsc_staff", "agent"])
def test_another_person_gets_404_on_the_hq_inquiry_page(request, filed, maria, client, who):
    with time_machine.travel(datetime(2026, 12, 12, 9, tzinfo=ET), tick=False):
        services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number)
    with time_machine.travel(datetime(2027, 2, 1, tzinfo=ET), tick=False):  # the owner could send it now
        sign_in(client, request.getfixturevalue(who))
        response = client.post(f"/service-requests/{filed.reference_number}/hq-inquiry/", {"message": "x"})
    assert response.status_code == 404
    filed.refresh_from_db()
    assert filed.hq_inquiry_at is None


def test_service_center_queue_shows_inbound_inquiries(filed, maria, vsc_staff, client):
    with time_machine.travel(datetime(2026, 12, 12, 9, tzinfo=ET), tick=False):
        services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number)
    with time_machine.travel(datetime(2026, 12, 15, 9, tzinfo=ET), tick=False):
        sign_in(client, vsc_staff)
        html = client.get("/staff/service-requests/?inquiry=service_center").content.decode()
        listed = api(vsc_staff).get("/api/v1/service-requests/?inquiry=service_center").json()
    assert filed.reference_number in html and "3\xa0days" in html
    assert [r["reference_number"] for r in listed["results"]] == [filed.reference_number]


def test_hq_osco_queue_holds_escalated_requests_and_answering_stops_the_clock(filed, maria, directory):
    from tests.factories import UserFactory

    hq = UserFactory(username="hq", role="hq_osco")
    assert api(hq).get("/api/v1/service-requests/").json()["count"] == 0
    with time_machine.travel(datetime(2026, 12, 12, 9, tzinfo=ET), tick=False):
        services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number)
    with time_machine.travel(datetime(2027, 1, 2, 9, tzinfo=ET), tick=False):
        services.service_request_hq_inquiry(actor=maria, reference_number=filed.reference_number)
    assert api(hq).get("/api/v1/service-requests/").json()["count"] == 1
    answered = api(hq).post(f"/api/v1/service-requests/{filed.reference_number}/responses/",
                            {"body": "HQ reviewed your case."}, format="json")
    assert answered.status_code == 200 and answered.json()["escalation"]["stage"] == "answered"
