from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from core.models import AuditEvent
from inquiries import services
from inquiries.models import Inquiry
from service_requests.models import ServiceRequest
from tests.auth import api_for, sign_in
from tests.html import assert_accessible_outline

CHICAGO = ZoneInfo("America/Chicago")


def api(user) -> APIClient:
    return api_for(user)


def test_record_through_the_api_returns_the_triage(agent):
    response = api(agent).post("/api/v1/inquiries/", {
        "channel": "ncsc_phone", "topic": "other", "text": "When is my visa interview at the embassy in Lima?",
        "contact_name": "Ana", "contact_phone": "555-0100"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["suggested_triage"], body["triage"]) == ("redirect", "redirect")
    assert body["redirect_agency"]["name"] == "U.S. embassies and consulates"
    assert body["redirect_topic"] == "visa-abroad"


@pytest.mark.parametrize(("payload", "field"), [
    ({"channel": "carrier_pigeon"}, "channel"), ({"topic": "nope"}, "topic"), ({"channel": "self_service"}, "channel"),
    ({"receipt_number": "X1"}, "receipt_number"), ({"contact_name": ""}, "contact_name"),
    ({"triage_override": "complaint"}, "override_reason"),
])
def test_bad_input_is_400_with_field_errors(agent, payload, field):
    data = {"channel": "ncsc_phone", "topic": "forms_and_fees", "contact_name": "Ana", "contact_phone": "1", **payload}
    response = api(agent).post("/api/v1/inquiries/", data, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Inquiry.objects.exists()


def test_customers_cannot_list_or_record(maria):
    assert api(maria).get("/api/v1/inquiries/").status_code == 403
    assert api(maria).post("/api/v1/inquiries/", {}, format="json").status_code == 403
    assert APIClient().get("/api/v1/inquiries/").status_code == 401


def test_agents_see_their_office_and_others_get_404(record, other_agent, chicago_staff):
    inquiry = record()
    assert api(other_agent).get("/api/v1/inquiries/").json()["count"] == 1
    assert api(chicago_staff).get("/api/v1/inquiries/").json()["count"] == 0
    assert api(chicago_staff).get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    assert api(other_agent).get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 200


def test_filters_for_reports(record, agent):
    record(topic="forms_and_fees")
    record(channel="email", topic="other_agency", redirect_topic="social-security")
    client = api(agent)
    assert client.get("/api/v1/inquiries/?triage=redirect").json()["count"] == 1
    assert client.get("/api/v1/inquiries/?channel=email").json()["count"] == 1
    assert client.get("/api/v1/inquiries/?triage=bogus").status_code == 400


def test_staff_record_screen_previews_then_saves(agent, client):
    sign_in(client, agent)
    data = {"channel": "ncsc_phone", "contact_name": "Ana", "contact_phone": "555", "topic": "other",
            "text": "I need my I-94 corrected", "redirect_topic": "", "expedite_criterion": "", "triage_override": ""}
    preview = client.post("/staff/inquiries/new/", {**data, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Suggested triage" in html and "U.S. Customs and Border Protection" in html
    assert not Inquiry.objects.exists()
    assert_accessible_outline(html)
    saved = client.post("/staff/inquiries/new/", data)
    inquiry = Inquiry.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/staff/inquiries/{inquiry.pk}/"
    detail = client.get(saved["Location"]).content.decode()
    assert "Read this out" in detail and "cbp.gov" in detail
    assert_accessible_outline(detail)


def test_staff_detail_actions(record, agent, client):
    inquiry = record(is_case_specific=True, receipt_number="EAC2290123456")
    sign_in(client, agent)
    blocked = client.post(f"/staff/inquiries/{inquiry.pk}/reply/", {"body": "Approved"})
    assert blocked.status_code == 409 and "identity check" in blocked.content.decode()
    assert client.post(f"/staff/inquiries/{inquiry.pk}/identity/", {"method": "DOB matched"}).status_code == 302
    assert client.post(f"/staff/inquiries/{inquiry.pk}/reply/", {"body": "Approved"}).status_code == 302
    filed = client.post(f"/staff/inquiries/{inquiry.pk}/file-request/", {"request_type": "outside_processing_time"})
    assert filed.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.service_request.current_office.code == "VSC"


# A valid form for each action on /staff/inquiries/<pk>/<action>/.
ACTIONS = {
    "identity": {"method": "DOB matched"},
    "reply": {"body": "Your case is approved."},
    "file-request": {"request_type": "outside_processing_time"},
    "override": {"triage": "complaint", "reason": "Upset about the wait", "redirect_topic": ""},
}


@pytest.mark.parametrize("action", [None, *ACTIONS])
def test_staff_of_another_office_get_404_on_the_page_and_actions(record, chicago_staff, client, action):
    inquiry = record(receipt_number="EAC2290123456")
    sign_in(client, chicago_staff)
    if action is None:
        response = client.get(f"/staff/inquiries/{inquiry.pk}/")
    else:
        response = client.post(f"/staff/inquiries/{inquiry.pk}/{action}/", ACTIONS[action])
    assert response.status_code == 404
    inquiry.refresh_from_db()
    assert (inquiry.triage, inquiry.override_reason, inquiry.identity_checked_at, inquiry.outcome,
            inquiry.service_request_id) == ("standard", "", None, "", None)
    assert not ServiceRequest.objects.exists()


def test_staff_list_shows_only_their_office(record, agent, chicago_staff, client):
    ours = record()
    theirs = services.inquiry_record(actor=chicago_staff, channel="in_person", topic="case_status",
                                     contact_name="Bo Li", contact_email="bo@example.com")
    sign_in(client, agent)
    response = client.get("/staff/inquiries/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/staff/inquiries/{ours.pk}/" in html and f"/staff/inquiries/{theirs.pk}/" not in html
    sign_in(client, chicago_staff)
    html = client.get("/staff/inquiries/").content.decode()
    assert f"/staff/inquiries/{theirs.pk}/" in html and f"/staff/inquiries/{ours.pk}/" not in html


def test_misconduct_detail_shows_where_to_refer_the_allegation(record, agent, client):
    misconduct = record(misconduct_alleged=True, text="The officer asked for a bribe.")
    assert misconduct.complaint_kind == "misconduct"
    sign_in(client, agent)
    html = client.get(f"/staff/inquiries/{misconduct.pk}/").content.decode()
    assert "Refer the allegation to" in html
    assert "Office of Security and Integrity" in html and "633 Third St NW, 3rd Floor" in html and "20529-2275" in html
    assert "DHS Office of Inspector General" in html and "1-800-323-8603" in html and "https://www.oig.dhs.gov" in html
    assert_accessible_outline(html)
    plain = record(dissatisfied=True)
    assert plain.complaint_kind == "non_case_specific"
    assert "Refer the allegation to" not in client.get(f"/staff/inquiries/{plain.pk}/").content.decode()


def test_override_on_the_web_records_the_triage_and_reason(record, agent, client):
    inquiry = record(topic="forms_and_fees")
    sign_in(client, agent)
    missing = client.post(f"/staff/inquiries/{inquiry.pk}/override/", {"triage": "complaint", "reason": ""})
    assert missing.status_code == 400
    response = client.post(f"/staff/inquiries/{inquiry.pk}/override/",
                           {"triage": "complaint", "reason": "Upset about the fee", "redirect_topic": ""})
    assert response.status_code == 302 and response["Location"] == f"/staff/inquiries/{inquiry.pk}/"
    inquiry.refresh_from_db()
    assert (inquiry.suggested_triage, inquiry.triage, inquiry.override_reason, inquiry.overridden_by) == (
        "standard", "complaint", "Upset about the fee", agent)
    assert inquiry.complaint_kind == "non_case_specific"
    event = AuditEvent.objects.get(action="inquiry.triage_overridden", target_id=str(inquiry.pk))
    assert event.actor == agent and event.data == {"triage": "complaint", "reason": "Upset about the fee"}
    html = client.get(response["Location"]).content.decode()
    assert "staff chose otherwise: Upset about the fee" in html


def test_reports_page(record, agent, client):
    record(resolved_at_first_contact=True)
    sign_in(client, agent)
    for by in ("channel", "office"):
        html = client.get(f"/staff/inquiries/reports/?by={by}").content.decode()
        assert "<svg" in html and "100%" in html
        assert_accessible_outline(html)


def test_customers_get_403_on_staff_pages(maria, client):
    sign_in(client, maria)
    assert client.get("/staff/inquiries/").status_code == 403
    assert client.get("/staff/inquiries/new/").status_code == 403


def test_guide_visa_abroad_ends_at_the_department_of_state(directory, client):
    response = client.get("/contact/guide/?topic=visa&country=PE")
    html = response.content.decode()
    assert response.status_code == 200 and "U.S. embassies and consulates" in html and "travel.state.gov" in html
    assert_accessible_outline(html)
    recorded = Inquiry.objects.get()
    assert (recorded.channel, recorded.triage, recorded.redirect_agency.code) == ("self_service", "redirect",
                                                                                   "dos-consular")


def test_guide_military_on_a_federal_holiday_shows_the_line_closed_and_the_email(directory, client):
    with time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=CHICAGO), tick=False):
        html = client.get("/contact/guide/?topic=my_case&military=on").content.decode()
    assert "Military Help Line" in html and "Closed now" in html and "being confirmed" in html
    assert "militaryinfo.nsc@example.gov" not in html  # a placeholder mailbox is not shown to the public


def test_guide_abroad_leads_to_the_international_office(directory, client):
    html = client.get("/contact/guide/?topic=my_case&country=CA").content.decode()
    assert "Mexico City Field Office" in html and "canada-inquiries@example.gov" not in html


def test_guide_in_the_us_leads_to_the_contact_center(directory, client):
    html = client.get("/contact/guide/?topic=my_case").content.decode()
    assert "1-800-375-5283" in html


def test_guide_without_a_topic_is_400(directory, client):
    response = client.get("/contact/guide/?country=CA")
    assert response.status_code == 400 and not Inquiry.objects.exists()


def test_guide_page_renders(directory, client):
    html = client.get("/contact/guide/").content.decode()
    assert_accessible_outline(html)


@pytest.mark.parametrize("text", [
    "I was the victim of a sexual assault and filed for a U visa. What is the status?",
    "My employer took my passport and I applied for a T visa.",
    "I applied for asylum because of my sexual orientation; when is my interview?",
])
def test_a_victims_account_is_recorded_as_a_case_question_through_api_and_page(agent, client, text):
    response = api(agent).post("/api/v1/inquiries/", {
        "channel": "ncsc_phone", "topic": "case_status", "is_case_specific": True, "text": text,
        "contact_name": "Ana", "contact_phone": "555-0100"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["triage"], response.json()["complaint_kind"]) == ("standard", "")
    sign_in(client, agent)
    page = client.post("/staff/inquiries/new/", {
        "channel": "ncsc_phone", "topic": "case_status", "is_case_specific": "on", "text": text,
        "contact_name": "Bea", "contact_phone": "555-0101"})
    assert page.status_code in (201, 302), page.content[:500]
    recorded = Inquiry.objects.get(contact_name="Bea")
    assert (recorded.triage, recorded.complaint_kind) == ("standard", "")
