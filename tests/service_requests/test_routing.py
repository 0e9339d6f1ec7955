"""Routing as receipt_prefixes.yaml says (parsed from the reference, never from our tables): the office
that holds the case, how that was decided, IOE asking for the office on the latest notice, unknown
asylum prefixes by residence, unknown prefixes refused with the accepted ones; a transfer to a service
center opens the service-center path for that request — through the service, the API and the page."""

import re
from datetime import timedelta

import pytest
import time_machine
import yaml
from django.utils import timezone

from core.models import Role
from offices.models import Office
from offices.reference import REFERENCE_DIR
from service_requests import services
from service_requests.models import HoldingBasis, ServiceRequest
from tests.auth import api_for
from tests.factories import CustomerFactory, StaffFactory

REFERENCE = yaml.safe_load((REFERENCE_DIR / "receipt_prefixes.yaml").read_text(encoding="utf-8"))
FIXED = [e for e in REFERENCE["prefixes"] if re.fullmatch(r"[A-Z]{3}", e["prefix"]) and e["prefix"] != "IOE"]


def _office_named(entry: dict) -> str:
    """The office the entry's own words name: 'Vermont Service Center (VSC; …)' → Vermont Service Center."""
    return re.split(r" \(| -", entry["means"])[0].strip()


PREFIXES = [pytest.param(e["prefix"], _office_named(e), id=e["prefix"]) for e in FIXED]


def _receipt(prefix: str) -> str:
    return f"{prefix}2290123456"


def test_the_reference_names_every_kind_of_prefix():
    prefixes = {e["prefix"] for e in REFERENCE["prefixes"]}
    assert {"EAC", "WAC", "LIN", "SRC", "YSC", "MSC", "NBC", "IOE", "ZAR", "ZLA", "ZNK", "ZSF"} <= prefixes
    assert any(p.startswith("Z??") for p in prefixes) and any(p.startswith("<field-office code>") for p in prefixes)


@pytest.mark.parametrize(("prefix", "office_name"), PREFIXES)
def test_every_prefix_routes_to_the_office_its_entry_names_by_the_service(file_request, prefix, office_name):
    request = file_request(receipt_number=_receipt(prefix))
    assert request.current_office.name == office_name
    assert request.holding_basis == HoldingBasis.PREFIX


@pytest.mark.parametrize(("prefix", "office_name"), PREFIXES)
def test_every_prefix_routes_as_the_reference_says_through_the_api(maria, api_client, prefix, office_name):
    api_client.force_authenticate(maria)
    response = api_client.post("/api/v1/service-requests/", {
        "request_type": "outside_processing_time", "receipt_number": _receipt(prefix), "description": "Past the time.",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert Office.objects.get(code=body["current_office"]["code"]).name == office_name
    assert body["holding_basis"] == "prefix"


@pytest.mark.parametrize(("prefix", "office_name"), PREFIXES)
def test_every_prefix_routes_as_the_reference_says_through_the_page(maria, client, prefix, office_name):
    client.force_login(maria)
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": _receipt(prefix), "case_class": "standard",
        "notice_office": "", "description": "Past the processing time.", "confirm": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get(response["Location"]).content.decode()
    detail = html[html.index('id="sr-office"'):][:400]
    assert office_name in detail and "receipt number" in detail.lower()


@pytest.mark.parametrize("code", ["CHI", "MIL", "LNY", "CHA", "SNJ"])
def test_a_field_office_code_prefix_routes_to_that_field_office(file_request, code):
    request = file_request(receipt_number=_receipt(code))
    assert (request.current_office.code, request.holding_basis) == (code, HoldingBasis.PREFIX)


def test_ioe_without_the_notice_office_falls_back_to_the_residence_and_says_so(file_request):
    request = file_request(receipt_number="IOE0912345678")
    assert (request.current_office.code, request.holding_basis) == ("CHI", HoldingBasis.RESIDENCE)
    created = request.events.get(kind="created")
    assert "no fixed office" in created.body and created.visible_to_customer


def test_ioe_asks_for_the_office_on_the_latest_notice_through_the_api_and_page(maria, api_client, client):
    api_client.force_authenticate(maria)
    body = api_client.post("/api/v1/service-requests/", {
        "request_type": "outside_processing_time", "receipt_number": "IOE0912345678", "notice_office": "nbc",
        "description": "Past the time."}, format="json").json()
    assert (body["current_office"]["code"], body["holding_basis"]) == ("NBC", "notice")
    client.force_login(maria)
    form = client.post("/service-requests/new/", {"request_type": "card_not_received", "step": "type"}).content.decode()
    assert '<input type="text" name="notice_office"' in form and "IOE" in form  # asked with the receipt number
    response = client.post("/service-requests/new/", {
        "request_type": "card_not_received", "receipt_number": "IOE0912345679", "case_class": "standard",
        "notice_office": "MIL", "description": "No card.", "confirm": "yes"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "Milwaukee Field Office" in detail and "latest notice" in detail
    response = client.post("/service-requests/new/", {
        "request_type": "notice_not_received", "receipt_number": "IOE0912345670", "case_class": "standard",
        "notice_office": "OSI", "description": "No notice."})
    assert response.status_code == 400 and "not an office that holds cases" in response.content.decode()


def test_the_office_on_the_notice_overrides_a_prefix(file_request):
    request = file_request(receipt_number="EAC2290123456", notice_office="NSC")
    assert (request.current_office.code, request.holding_basis) == ("NSC", HoldingBasis.NOTICE)


@pytest.mark.parametrize(("zip_code", "asylum"), [("33602", "ZTA"), ("60605", "ZCH"), ("90012", "ZLA")])
def test_an_unknown_asylum_prefix_goes_to_the_asylum_office_of_the_residence(directory, zip_code, asylum):
    customer = CustomerFactory(profile__zip_code=zip_code)
    request = services.service_request_file(actor=customer, request_type="outside_processing_time",
                                            receipt_number="ZTA2290123456", description="My asylum interview.")
    assert (request.current_office.code, request.holding_basis) == (asylum, HoldingBasis.RESIDENCE)


@pytest.mark.parametrize("prefix", ["QQQ", "ABC"])
def test_an_unknown_prefix_is_a_400_that_says_which_prefixes_are_accepted(maria, api_client, client, prefix):
    api_client.force_authenticate(maria)
    response = api_client.post("/api/v1/service-requests/", {
        "request_type": "outside_processing_time", "receipt_number": _receipt(prefix), "description": "x"},
        format="json")
    assert response.status_code == 400
    message = response.json()["receipt_number"][0]
    for known in ("EAC", "WAC", "LIN", "SRC", "YSC", "MSC", "NBC", "IOE"):
        assert known in message
    client.force_login(maria)
    response = client.post("/service-requests/new/", {
        "request_type": "outside_processing_time", "receipt_number": _receipt(prefix), "case_class": "standard",
        "notice_office": "", "description": "x"})
    assert response.status_code == 400 and f"{prefix} is not a receipt prefix we know" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_split_county_customer_uses_their_recorded_office_or_is_asked(directory):
    from core.services import customer_profile_update

    angeleno = CustomerFactory(profile__zip_code="90012")
    with pytest.raises(Exception) as caught:
        services.service_request_file(actor=angeleno, request_type="accommodation", description="A wheelchair.")
    assert "LAC, LOS, SFV" in str(caught.value)
    customer_profile_update(user=angeleno, zip_code="90012", preferred_language="en", office="SFV")
    angeleno.profile.refresh_from_db()
    request = services.service_request_file(actor=angeleno, request_type="accommodation", description="A wheelchair.")
    assert (request.current_office.code, request.holding_basis) == ("SFV", HoldingBasis.RESIDENCE)


def _ladder_first(api_client, reference: str) -> str:
    return api_client.get(f"/api/v1/service-requests/{reference}/").json()["escalation"]["steps"][0]["key"]


def test_a_transfer_to_a_service_center_opens_the_service_center_path(maria, api_client, client):
    """IOE → the residence's field office (Contact Center path); transferred to VSC, the same request
    follows up with the service center — on the API and on the page."""
    request = services.service_request_file(actor=maria, request_type="outside_processing_time",
                                            receipt_number="IOE0912345678", description="Past the time.")
    api_client.force_authenticate(maria)
    assert _ladder_first(api_client, request.reference_number) == "contact_center"
    chi_staff = StaffFactory(role=Role.OFFICE_STAFF, office=Office.objects.get(code="CHI"))
    staff_api = api_for(chi_staff)
    response = staff_api.post(f"/api/v1/service-requests/{request.reference_number}/transfer/",
                               {"to_office": "VSC", "reason": "Pending at the Vermont Service Center"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["current_office"]["code"], response.json()["holding_basis"]) == ("VSC", "transfer")
    api_client.force_authenticate(maria)
    assert _ladder_first(api_client, request.reference_number) == "service_center"
    later = timezone.now() + timedelta(days=40)
    with time_machine.travel(later, tick=False):
        client.force_login(maria)  # a session from 40 days ago would have expired
        page = client.get(f"/service-requests/{request.reference_number}/").content.decode()
        assert "Write to the Vermont Service Center" in page
        response = client.post(f"/service-requests/{request.reference_number}/service-center-inquiry/",
                               {"message": "Still nothing."})
        assert response.status_code == 302
    from core.models import AuditEvent

    audit = AuditEvent.objects.get(action="service_request.service_center_inquiry", target_id=str(request.pk))
    assert (audit.data["office"], audit.data["via"]) == ("VSC", "service_center")
