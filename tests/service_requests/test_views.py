import pytest
from django.core import mail

from service_requests import services
from service_requests.models import ServiceRequest
from tests.html import assert_accessible_outline


def test_customer_files_on_the_web_and_sees_the_detail(maria, client):
    client.force_login(maria)
    assert client.get("/service-requests/new/").status_code == 200
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": "EAC-22-901-23456", "case_class": "standard",
        "description": "Past the processing time."})
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/service-requests/{request.reference_number}/"
    html = client.get(response["Location"]).content.decode()
    assert request.reference_number in html and "Vermont Service Center" in html
    assert_accessible_outline(html)


def test_bad_filing_shows_errors_by_the_field(maria, client):
    client.force_login(maria)
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
    client.force_login(maria)
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": "EAC2290123456", "case_class": "standard",
        "description": "Again"})
    assert response.status_code == 409 and existing.reference_number in response.content.decode()


def test_staff_page_shows_notes_and_actions_customer_page_does_not(file_request, maria, vsc_staff, client):
    request = file_request()
    services.service_request_note(actor=vsc_staff, reference_number=request.reference_number, body="Vault shelf 9")
    client.force_login(vsc_staff)
    staff_html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert "Vault shelf 9" in staff_html and "Transfer to the office holding the case" in staff_html
    assert_accessible_outline(staff_html)
    client.force_login(maria)
    customer_html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert "Vault shelf 9" not in customer_html and "Transfer to" not in customer_html


def test_staff_respond_then_transfer_on_the_web(file_request, maria, vsc_staff, client, django_capture_on_commit_callbacks):
    request = file_request()
    client.force_login(vsc_staff)
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
    client.force_login(maria)
    html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert "Nebraska Service Center" in html and "A-file in Lincoln" not in html


def test_stale_form_is_409_with_a_message(file_request, vsc_staff, client):
    request = file_request()
    services.service_request_note(actor=vsc_staff, reference_number=request.reference_number, body="first")
    client.force_login(vsc_staff)
    response = client.post(f"/service-requests/{request.reference_number}/respond/",
                           {"respond-body": "late", "respond-version": "1"})
    assert response.status_code == 409 and "changed while you were looking" in response.content.decode()


@pytest.mark.parametrize("who", ["other_customer", "nsc_staff", "agent"])
def test_strangers_get_404_on_pages_and_actions(file_request, request, client, who):
    sr = file_request()
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/service-requests/{sr.reference_number}/").status_code == 404
    assert client.post(f"/service-requests/{sr.reference_number}/respond/",
                       {"respond-body": "x", "respond-version": "1"}).status_code == 404
    sr.refresh_from_db()
    assert sr.version == 1


def test_customer_cannot_post_staff_actions(file_request, maria, client):
    sr = file_request()
    client.force_login(maria)
    assert client.post(f"/service-requests/{sr.reference_number}/respond/",
                       {"respond-body": "x", "respond-version": "1"}).status_code == 403


def test_queue_page_filters(file_request, vsc_staff, client):
    file_request()
    file_request(request_type="expedite")
    client.force_login(vsc_staff)
    html = client.get("/staff/service-requests/?type=expedite").content.decode()
    assert "Request to expedite" in html and "1 request" in html
    assert_accessible_outline(html)
    assert client.get("/staff/service-requests/?type=nonsense").status_code == 400


def test_agent_files_for_a_caller_and_sees_the_reference(agent, client):
    client.force_login(agent)
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
    client.force_login(maria)
    assert client.get("/staff/service-requests/").status_code == 403
    assert client.get("/staff/service-requests/new/").status_code == 403
