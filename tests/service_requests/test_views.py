import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from service_requests import services
from service_requests.models import ServiceRequest
from tests.auth import sign_in
from tests.html import assert_accessible_outline
from tests.service_requests.bulk import bulk_requests

# A valid form for each staff action on /service-requests/<ref>/<action>/, seen at version 1.
ACTIONS = {
    "respond": {"respond-body": "x", "respond-version": "1"},
    "note": {"note-body": "x", "note-version": "1"},
    "transfer": {"transfer-to_office": "CSC", "transfer-reason": "x", "transfer-version": "1"},
    "relocate": {"relocate-agency": "cbp", "relocate-version": "1"},
    "close": {"close-version": "1"},
}


def test_customer_files_on_the_web_one_question_at_a_time(maria, client):
    sign_in(client, maria)
    first = client.get("/service-requests/new/").content.decode()
    assert 'name="request_type"' in first and '<input type="text" name="receipt_number"' not in first
    assert "Step 1 of 4" in first
    assert_accessible_outline(first)
    answers = {"request_type": "outside_processing_time"}
    second = client.post("/service-requests/new/", {**answers, "step": "type"})
    html = second.content.decode()
    assert second.status_code == 200 and "Step 2 of 4" in html and '<input type="text" name="receipt_number"' in html
    assert 'type="hidden" name="request_type" value="outside_processing_time"' in html
    assert "id_description_error" not in html  # later questions are not wrong before they are asked
    answers |= {"receipt_number": "EAC-22-901-23456", "notice_office": "", "a_number": ""}
    third = client.post("/service-requests/new/", {**answers, "step": "receipt"})
    assert third.status_code == 200 and 'name="description"' in third.content.decode() and "Step 3 of 4" in third.content.decode()
    answers |= {"case_class": "standard", "description": "Past the processing time."}
    check = client.post("/service-requests/new/", {**answers, "step": "details"})
    html = check.content.decode()
    assert check.status_code == 200 and "Check your answers before filing" in html and not ServiceRequest.objects.exists()
    assert "Case outside normal processing time" in html or "processing time" in html
    assert "EAC2290123456" in html or "EAC-22-901-23456" in html
    assert_accessible_outline(html)
    back = client.post("/service-requests/new/", {**answers, "goto": "receipt"})
    assert back.status_code == 200 and 'value="EAC-22-901-23456"' in back.content.decode()
    response = client.post("/service-requests/new/", {**answers, "step": "details", "confirm": "yes"})
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/service-requests/{request.reference_number}/filed/"
    html = client.get(response["Location"]).content.decode()
    assert "Request filed" in html and request.reference_number in html and "Filed online" in html
    assert "Vermont Service Center" in html
    opens = request.escalation.window1_opens_at.astimezone(ZoneInfo("America/New_York")).date()
    assert f"From {opens:%A} {opens.day} {opens:%B %Y}, if you have no answer" in html
    assert_accessible_outline(html)
    detail = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert request.reference_number in detail and "Vermont Service Center" in detail


def test_a_wrong_answer_sends_back_to_its_own_step(maria, client):
    sign_in(client, maria)
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": "12345", "case_class": "standard",
        "description": "Past the processing time.", "step": "details"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_receipt_number_error"' in html and "Step 2 of 4" in html
    assert 'type="hidden" name="description" value="Past the processing time."' in html  # kept for the next step
    assert not ServiceRequest.objects.exists()


def test_bad_filing_shows_errors_by_the_field(maria, client):
    sign_in(client, maria)
    response = client.post("/service-requests/new/", {
        "request_type": "change_of_address", "receipt_number": "EAC2290123456", "case_class": "u_visa",
        "description": "I moved."})
    assert response.status_code == 400 and "VAWA, T or U" in response.content.decode()
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": "12345", "case_class": "standard",
        "description": "x"})
    assert response.status_code == 400 and 'id="id_receipt_number_error"' in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_duplicate_on_the_web_is_409(file_request, maria, client):
    existing = file_request()
    sign_in(client, maria)
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": "EAC2290123456", "case_class": "standard",
        "description": "Again"})
    assert response.status_code == 409 and existing.reference_number in response.content.decode()


def test_after_an_answer_the_same_request_can_be_filed_again_on_the_web(file_request, maria, vsc_staff, client):
    from service_requests import services

    existing = file_request()
    services.service_request_respond(actor=vsc_staff, reference_number=existing.reference_number, body="Mailed")
    sign_in(client, maria)
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": "EAC2290123456", "case_class": "standard",
        "description": "The answer did not solve it", "confirm": "yes"})
    assert response.status_code == 302
    assert ServiceRequest.objects.filter(customer=maria, status="open").count() == 1


def test_staff_page_shows_notes_and_actions_customer_page_does_not(file_request, maria, vsc_staff, client):
    request = file_request()
    services.service_request_note(actor=vsc_staff, reference_number=request.reference_number, body="Vault shelf 9")
    sign_in(client, vsc_staff)
    staff_html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert "Vault shelf 9" in staff_html and "Transfer to the office holding the case" in staff_html
    assert_accessible_outline(staff_html)
    sign_in(client, maria)
    customer_html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert "Vault shelf 9" not in customer_html and "Transfer to" not in customer_html


def test_staff_respond_then_transfer_on_the_web(file_request, maria, vsc_staff, client, django_capture_on_commit_callbacks):
    request = file_request()
    sign_in(client, vsc_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/service-requests/{request.reference_number}/respond/",
                               {"respond-body": "We are on it.", "respond-version": "1"})
    assert response.status_code == 302
    assert any("responded" in m.subject for m in mail.outbox)
    response = client.post(f"/service-requests/{request.reference_number}/transfer/",
                           {"transfer-to_office": "NSC", "transfer-reason": "A-file in Lincoln", "transfer-version": "2"})
    assert response.status_code == 302 and response["Location"] == "/staff/service-requests/"
    request.refresh_from_db()
    assert request.current_office.code == "NSC"
    sign_in(client, maria)
    html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert "Nebraska Service Center" in html and "A-file in Lincoln" not in html


def test_stale_form_is_409_with_a_message(file_request, vsc_staff, client):
    request = file_request()
    services.service_request_note(actor=vsc_staff, reference_number=request.reference_number, body="first")
    sign_in(client, vsc_staff)
    response = client.post(f"/service-requests/{request.reference_number}/respond/",
                           {"respond-body": "late", "respond-version": "1"})
    assert response.status_code == 409 and "changed while you were looking" in response.content.decode()


@pytest.mark.parametrize("who", ["other_customer", "nsc_staff", "agent"])
def test_strangers_get_404_on_pages_and_actions(file_request, request, client, who):
    sr = file_request()
    sign_in(client, request.getfixturevalue(who))
    assert client.get(f"/service-requests/{sr.reference_number}/").status_code == 404
    assert client.post(f"/service-requests/{sr.reference_number}/respond/",
                       {"respond-body": "x", "respond-version": "1"}).status_code == 404
    sr.refresh_from_db()
    assert sr.version == 1


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", ["other_customer", "nsc_staff", "agent"])
def test_strangers_get_404_on_every_action(file_request, request, client, who, action):
    sr = file_request()
    sign_in(client, request.getfixturevalue(who))
    response = client.post(f"/service-requests/{sr.reference_number}/{action}/", ACTIONS[action])
    assert response.status_code == 404
    sr.refresh_from_db()
    assert (sr.version, sr.status, sr.current_office.code) == (1, "open", "VSC")
    assert sr.events.count() == 1  # only "created"


def test_missing_and_not_yours_give_the_same_404_page(file_request, other_customer, client):
    sr = file_request()
    sign_in(client, other_customer)
    not_yours = client.get(f"/service-requests/{sr.reference_number}/")
    missing = client.get("/service-requests/SRAAAAAAAAAAA/")
    assert not_yours.status_code == missing.status_code == 404

    def page(response, reference: str) -> str:
        # The CSRF token is masked afresh on every render; the address itself shows in the language switcher.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        return html.replace(f"/service-requests/{reference}/", "/service-requests/REF/")

    assert page(not_yours, sr.reference_number) == page(missing, "SRAAAAAAAAAAA")
    assert "No service request with that reference number is yours to see." in page(missing, "SRAAAAAAAAAAA")


def test_customer_list_shows_only_their_own_requests(file_request, maria, other_customer, client):
    mine = file_request()
    theirs = file_request(actor=other_customer, receipt_number="LIN2290123456")
    sign_in(client, maria)
    response = client.get("/service-requests/")
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.reference_number in html and theirs.reference_number not in html
    assert_accessible_outline(html)


def test_unknown_receipt_prefix_on_the_filing_form_is_400(maria, client):
    sign_in(client, maria)
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": "QQQ2290123456", "case_class": "standard",
        "description": "Past the processing time."})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_receipt_number_error"' in html
    assert "QQQ is not a receipt prefix we know" in html and "EAC" in html
    assert not ServiceRequest.objects.exists()


def test_unknown_office_on_the_transfer_form_is_400(file_request, vsc_staff, client):
    sr = file_request()
    sign_in(client, vsc_staff)
    response = client.post(f"/service-requests/{sr.reference_number}/transfer/",
                           {"transfer-to_office": "NOPE", "transfer-reason": "x", "transfer-version": "1"})
    assert response.status_code == 400 and 'id="id_transfer-to_office_error"' in response.content.decode()
    sr.refresh_from_db()
    assert (sr.version, sr.current_office.code) == (1, "VSC")


def test_customer_cannot_post_staff_actions(file_request, maria, client):
    sr = file_request()
    sign_in(client, maria)
    assert client.post(f"/service-requests/{sr.reference_number}/respond/",
                       {"respond-body": "x", "respond-version": "1"}).status_code == 403


def test_queue_page_filters(file_request, vsc_staff, client):
    file_request()
    file_request(request_type="expedite")
    sign_in(client, vsc_staff)
    html = client.get("/staff/service-requests/?type=expedite").content.decode()
    assert "Request to expedite" in html and "1 request" in html
    assert_accessible_outline(html)
    assert client.get("/staff/service-requests/?type=nonsense").status_code == 400


def test_queue_page_query_count_does_not_grow_with_requests(vsc_staff, client):
    sign_in(client, vsc_staff)
    client.get("/staff/service-requests/")  # warm up the session and content-type caches
    bulk_requests(1, prefix="SRA")
    with CaptureQueriesContext(connection) as one:
        html = client.get("/staff/service-requests/").content.decode()
    assert "1 request" in html
    bulk_requests(29, prefix="SRB", spread_days=10)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/staff/service-requests/").content.decode()
    assert "30 requests" in html and "Page 1 of 2" in html
    assert len(one.captured_queries) == len(many.captured_queries), [q["sql"] for q in many.captured_queries]


def test_agent_files_for_a_caller_and_sees_the_reference(agent, client):
    sign_in(client, agent)
    response = client.post("/staff/service-requests/new/", {
        "contact_name": "Ana Diaz", "contact_email": "ana@example.com", "channel": "phone",
        "request_type": "card_not_received", "receipt_number": "LIN2290123456", "case_class": "standard",
        "description": "No card"})
    request = ServiceRequest.objects.get()
    assert response.status_code == 201 and request.reference_number in response.content.decode()
    missing = client.post("/staff/service-requests/new/", {
        "channel": "phone", "request_type": "other", "case_class": "standard", "description": "x"})
    assert missing.status_code == 400


def test_customers_cannot_open_the_caller_form_or_queue(maria, client):
    sign_in(client, maria)
    assert client.get("/staff/service-requests/").status_code == 403
    assert client.get("/staff/service-requests/new/").status_code == 403


def _help_under(html: str, field_id: str) -> str:
    match = re.search(rf'<div class="usa-hint" id="{field_id}_helptext">([^<]*)</div>', html)
    assert match, field_id
    return match.group(1)


@pytest.mark.parametrize("action", ["close", "relocate"])
def test_staff_boxes_that_reach_the_customer_say_so_and_do(file_request, maria, vsc_staff, client, action):
    """The staff page tells which text the customer reads; the customer's page then shows exactly that."""
    request = file_request()
    sign_in(client, vsc_staff)
    html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert _help_under(html, "id_respond-body") == "The customer will see this."
    assert _help_under(html, "id_close-reason") == "The customer will see this."
    assert _help_under(html, "id_relocate-reason") == "The customer will see this."
    assert _help_under(html, "id_note-body").startswith("Staff only.")
    assert _help_under(html, "id_transfer-reason").startswith("Staff only.")
    text = "We mailed your card on 1 December."
    if action == "close":
        services.service_request_close(actor=vsc_staff, reference_number=request.reference_number, reason=text)
    else:
        services.service_request_relocate(actor=vsc_staff, reference_number=request.reference_number,
                                          agency="dos-consular", reason=text)
    sign_in(client, maria)
    assert text in client.get(f"/service-requests/{request.reference_number}/").content.decode()
