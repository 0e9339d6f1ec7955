"""The Contact Center's verified lookup (R17): identity check first, then a request by reference,
receipt or A-number; Tier 1 sees status, dates and the customer's timeline, Tier 2 internal notes
too; each lookup is an audited read in the admins' report; protected cases need the permission."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from core.models import AuditEvent, Role
from offices.models import Office
from service_requests import services as sr_services
from tests.auth import api_for, sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory

QUESTIONS = ["full_name", "date_of_birth", "mailing_address"]


@pytest.fixture
def maria(directory):
    return CustomerFactory(username="maria@example.com", first_name="Maria", profile__zip_code="60605")


@pytest.fixture
def tier1(directory):
    return UserFactory(username="casey", role=Role.NCSC_TIER1, office=Office.objects.get(code="NCSC"))


@pytest.fixture
def tier2(directory):
    return UserFactory(username="olivia", role=Role.NCSC_TIER2, office=Office.objects.get(code="NCSC"))


@pytest.fixture
def admin(directory):
    return UserFactory(username="ada", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def filed(maria, directory):
    request = sr_services.service_request_file(
        actor=maria, request_type="outside_processing_time", receipt_number="EAC2290123456", a_number="A12345678",
        description="My I-130 is past the posted processing time.")
    vera = StaffFactory(username="vera", office=Office.objects.get(code="VSC"))
    sr_services.service_request_note(actor=vera, reference_number=request.reference_number, body="Vault shelf 9")
    return request


def check(client, result="verified", questions=QUESTIONS):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/identity-checks/", {"caller_name": "Maria Lopez", "questions": questions,
                                                        "result": result}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def keys(request):  # type: ignore[no-untyped-def]
    return [request.reference_number, "eac-22-901-23456", "A012345678", "a12345678"]


def test_without_a_recorded_check_an_agent_finds_nothing(tier1, filed):
    client = api_for(tier1)
    assert client.post("/api/v1/identity-checks/999/lookup/", {"key": filed.reference_number},
                       format="json").status_code == 404
    failed = check(client, result="not_verified", questions=["full_name"])
    response = client.post(f"/api/v1/identity-checks/{failed}/lookup/", {"key": filed.reference_number}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "identity_check_required"
    assert not AuditEvent.objects.filter(action="case.viewed").exists()


def test_without_a_check_the_page_finds_nothing(tier1, filed, client):
    sign_in(client, tier1)
    from contact_center.models import IdentityCheck

    failed = IdentityCheck.objects.create(agent=tier1, caller_name="X", questions=["full_name"], result="not_verified")
    page = client.get(f"/staff/lookup/{failed.pk}/?key={filed.reference_number}")
    html = page.content.decode()
    assert page.status_code == 409 and "Requests found" not in html and "Vermont Service Center" not in html
    assert "This caller is not verified for this call" in html


@pytest.mark.parametrize("index", range(4))
def test_with_a_check_the_agent_finds_the_request_by_each_key_through_the_api(tier1, filed, index):
    client = api_for(tier1)
    check_id = check(client)
    response = client.post(f"/api/v1/identity-checks/{check_id}/lookup/", {"key": keys(filed)[index]}, format="json")
    assert response.status_code == 200, response.content
    assert [r["reference_number"] for r in response.json()] == [filed.reference_number]
    read = AuditEvent.objects.get(action="case.viewed")
    assert (read.actor, read.data["screen"], read.data["reference_number"]) == (
        tier1, "api.contact_center_lookup", filed.reference_number)


@pytest.mark.parametrize("index", range(4))
def test_with_a_check_the_agent_finds_the_request_by_each_key_on_the_page(tier1, filed, client, index):
    sign_in(client, tier1)
    response = client.post("/staff/lookup/", {"caller_name": "Maria Lopez", "questions": QUESTIONS, "result": "verified"})
    assert response.status_code == 302
    page = client.get(f"{response['Location']}?key={keys(filed)[index]}")
    html = page.content.decode()
    assert page.status_code == 200 and filed.reference_number in html and "Vermont Service Center" in html
    assert AuditEvent.objects.filter(action="case.viewed", data__screen="web.contact_center_lookup").count() == 1


def test_tier_1_sees_the_customers_timeline_and_tier_2_internal_notes_too(tier1, tier2, filed, client):
    for agent, sees_notes in ((tier1, False), (tier2, True)):
        api = api_for(agent)
        found = api.post(f"/api/v1/identity-checks/{check(api)}/lookup/", {"key": filed.reference_number},
                         format="json").json()
        assert ("Vault shelf 9" in str(found)) is sees_notes
        sign_in(client, agent)
        response = client.post("/staff/lookup/", {"caller_name": "M", "questions": QUESTIONS, "result": "verified"})
        html = client.get(f"{response['Location']}?key={filed.reference_number}").content.decode()
        assert ("Vault shelf 9" in html) is sees_notes


def test_a_check_lasts_for_the_call(tier1, filed):
    client = api_for(tier1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        check_id = check(client)
        clock.shift(timedelta(minutes=31))
        response = client.post(f"/api/v1/identity-checks/{check_id}/lookup/", {"key": filed.reference_number},
                               format="json")
    assert response.status_code in (401, 409)  # the 8-hour token outlives it; the check does not
    if response.status_code == 409:
        assert response.json()["code"] == "identity_check_required"


def test_verified_needs_three_questions_and_only_agents_record_checks(tier1, maria, directory):
    response = api_for(tier1).post("/api/v1/identity-checks/", {"caller_name": "M", "questions": ["full_name"],
                                                                "result": "verified"}, format="json")
    assert response.status_code == 400 and "questions" in response.json()
    vera = StaffFactory(username="vera2", office=Office.objects.get(code="VSC"))
    for user in (maria, vera):
        assert api_for(user).post("/api/v1/identity-checks/", {"caller_name": "M", "questions": QUESTIONS,
                                                               "result": "verified"}, format="json").status_code == 403


def test_the_read_is_in_the_admins_report_per_case_and_per_user(tier1, admin, filed, client):
    api = api_for(tier1)
    api.post(f"/api/v1/identity-checks/{check(api)}/lookup/", {"key": filed.receipt_number}, format="json")
    report = api_for(admin)
    by_case = report.get(f"/api/v1/case-reads/?reference={filed.reference_number}").json()["results"]
    by_user = report.get("/api/v1/case-reads/?user=casey").json()["results"]
    assert [(r["who"], r["reference_number"], r["screen"]) for r in by_case] == [
        ("casey", filed.reference_number, "api.contact_center_lookup")]
    assert by_user == by_case
    assert report.get("/api/v1/case-reads/?user=nobody").json()["results"] == []
    assert api.get("/api/v1/case-reads/").status_code == 403
    sign_in(client, admin)
    html = client.get(f"/staff/case-reads/?reference={filed.reference_number}").content.decode()
    assert "casey" in html and "api.contact_center_lookup" in html
    sign_in(client, tier1)
    assert client.get("/staff/case-reads/").status_code == 403


def test_every_staff_view_of_a_case_is_recorded_with_its_screen(filed, client, directory):
    vera = StaffFactory(username="vera3", office=Office.objects.get(code="VSC"))
    sign_in(client, vera)
    assert client.get(f"/service-requests/{filed.reference_number}/").status_code == 200
    assert api_for(vera).get(f"/api/v1/service-requests/{filed.reference_number}/").status_code == 200
    screens = sorted(AuditEvent.objects.filter(action="case.viewed", actor=vera).values_list("data__screen", flat=True))
    assert screens == ["api.service_request_detail", "web.request_detail"]
    sign_in(client, filed.customer)
    client.get(f"/service-requests/{filed.reference_number}/")  # the customer's own reads are not disclosures
    assert AuditEvent.objects.filter(action="case.viewed").count() == 2


def test_a_protected_case_is_never_found_without_the_permission(tier2, maria, directory):
    protected = sr_services.service_request_file(
        actor=maria, request_type="outside_processing_time", receipt_number="EAC2290999999", case_class="u_visa",
        description="U visa petition.")
    api = api_for(tier2)
    found = api.post(f"/api/v1/identity-checks/{check(api)}/lookup/", {"key": protected.reference_number},
                     format="json").json()
    assert found == []
    tier2.user_permissions.add(Permission.objects.get(codename="view_protected"))
    api = api_for(type(tier2).objects.get(pk=tier2.pk))
    found = api.post(f"/api/v1/identity-checks/{check(api)}/lookup/", {"key": protected.reference_number},
                     format="json").json()
    assert [r["reference_number"] for r in found] == [protected.reference_number]
