"""Issue 15 item 2: an officer takes a request, a supervisor assigns it, an absence hands it back;
customers never see officers' names."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from core.errors import Conflict
from core.models import AuditEvent
from offices.models import Office
from service_requests import services
from service_requests.models import ServiceRequest
from tests.auth import api_for, sign_in
from tests.factories import StaffFactory
from tests.service_requests.test_concurrency import race


@pytest.fixture
def officers(vsc_staff):
    vsc_staff.first_name, vsc_staff.last_name = "Vera", "Quinn"
    vsc_staff.save()
    return vsc_staff, StaffFactory(username="omar", first_name="Omar", last_name="Haddad", office=vsc_staff.office)


@pytest.fixture
def supervisor(vsc_staff):
    boss = StaffFactory(username="sam", first_name="Sam", last_name="Boss", office=vsc_staff.office)
    boss.user_permissions.add(Permission.objects.get(codename="assign_requests"))
    return boss


def test_officer_takes_on_the_page_and_it_shows_in_the_queue_and_my_requests(file_request, officers, client):
    vera, omar = officers
    request = file_request()
    other = file_request(request_type="expedite")
    sign_in(client, vera)
    detail = client.get(f"/service-requests/{request.reference_number}/").content.decode()
    assert "Take this request" in detail and "Nobody yet" in detail
    response = client.post(f"/service-requests/{request.reference_number}/take/")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.assigned_to == vera and request.version == 1  # a colleague's open form stays valid
    assert AuditEvent.objects.filter(action="service_request.taken", actor=vera, target_id=str(request.pk)).exists()
    queue = client.get("/staff/service-requests/").content.decode()
    assert "Vera Quinn" in queue and "Not taken" in queue
    mine = client.get("/staff/my-requests/").content.decode()
    assert request.reference_number in mine and other.reference_number not in mine
    assert 'href="/staff/my-requests/"' in mine  # in the office staff's menu
    assert "Hand it back" in client.get(f"/service-requests/{request.reference_number}/").content.decode()


def test_taking_a_held_request_says_who_holds_it(file_request, officers, client):
    vera, omar = officers
    request = file_request()
    assert api_for(vera).post(f"/api/v1/service-requests/{request.reference_number}/take/").json()["held_by"] == \
        "Vera Quinn"
    refused = api_for(omar).post(f"/api/v1/service-requests/{request.reference_number}/take/")
    assert refused.status_code == 409 and refused.json()["code"] == "held"
    assert "Vera Quinn already holds this request." in refused.json()["detail"]
    sign_in(client, omar)
    page = client.post(f"/service-requests/{request.reference_number}/take/")
    assert page.status_code == 409 and "Vera Quinn already holds this request." in page.content.decode()
    # Taking it again is no change for the holder.
    assert api_for(vera).post(f"/api/v1/service-requests/{request.reference_number}/take/").status_code == 200


def test_other_offices_and_customers_cannot_take(file_request, nsc_staff, maria):
    request = file_request()
    assert api_for(nsc_staff).post(f"/api/v1/service-requests/{request.reference_number}/take/").status_code == 404
    assert api_for(maria).post(f"/api/v1/service-requests/{request.reference_number}/take/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_racing_officers_one_holds_it_the_others_are_told_who(directory, maria):
    office = Office.objects.get(code="VSC")
    request = services.service_request_file(actor=maria, request_type="outside_processing_time",
                                            receipt_number="EAC2290123456", description="Race")
    crowd = [StaffFactory(office=office, first_name=f"Officer{i}", last_name="Race") for i in range(6)]
    outcomes = race([
        (lambda who=who: services.service_request_take(actor=who, reference_number=request.reference_number))
        for who in crowd
    ])
    assert outcomes["ok"] == 1 and outcomes["409 held"] == 5, outcomes
    request.refresh_from_db()
    assert request.assigned_to in crowd
    assert AuditEvent.objects.filter(action="service_request.taken").count() == 1
    # A loser asking again is told the winner's name.
    loser = next(who for who in crowd if who != request.assigned_to)
    with pytest.raises(Conflict) as info:
        services.service_request_take(actor=loser, reference_number=request.reference_number)
    assert request.assigned_to.get_full_name() in str(info.value)


def test_supervisor_assigns_and_reassigns_officers_cannot(file_request, officers, supervisor, nsc_staff, client):
    vera, omar = officers
    request = file_request()
    refused = api_for(vera).post(f"/api/v1/service-requests/{request.reference_number}/assign/", {"officer": "omar"},
                                 format="json")
    assert refused.status_code == 403
    done = api_for(supervisor).post(f"/api/v1/service-requests/{request.reference_number}/assign/",
                                    {"officer": "omar"}, format="json")
    assert done.status_code == 200 and done.json()["held_by"] == "Omar Haddad"
    elsewhere = api_for(supervisor).post(f"/api/v1/service-requests/{request.reference_number}/assign/",
                                         {"officer": nsc_staff.username}, format="json")
    assert elsewhere.status_code == 400 and "is not an officer at" in str(elsewhere.json())
    sign_in(client, supervisor)
    assert "Assign to" in client.get(f"/service-requests/{request.reference_number}/").content.decode()
    client.post(f"/service-requests/{request.reference_number}/assign/", {"officer": vera.username})
    request.refresh_from_db()
    assert request.assigned_to == vera
    audit = AuditEvent.objects.filter(action="service_request.assigned").order_by("id").last()
    assert audit is not None and audit.data == {"officer": "vera", "previous": "omar"}


def test_release_by_the_holder_or_a_supervisor_only(file_request, officers, supervisor):
    vera, omar = officers
    request = file_request()
    services.service_request_take(actor=vera, reference_number=request.reference_number)
    url = f"/api/v1/service-requests/{request.reference_number}/release/"
    assert api_for(omar).post(url).status_code == 403
    assert api_for(vera).post(url).json()["held_by"] is None
    assert api_for(vera).post(url).status_code == 409  # nobody holds it now
    services.service_request_take(actor=omar, reference_number=request.reference_number)
    assert api_for(supervisor).post(url).status_code == 200


def test_an_absence_hands_the_officers_requests_back(file_request, officers, supervisor, client):
    vera, omar = officers
    first, second = file_request(), file_request(request_type="expedite")
    third = file_request(request_type="card_not_received")
    for request in (first, second):
        services.service_request_take(actor=vera, reference_number=request.reference_number)
    services.service_request_take(actor=omar, reference_number=third.reference_number)
    assert api_for(omar).post("/api/v1/service-requests/absence/", {"officer": "vera"},
                              format="json").status_code == 403
    body = api_for(supervisor).post("/api/v1/service-requests/absence/", {"officer": "vera"}, format="json").json()
    assert body == {"handed_back": 2}
    assert set(ServiceRequest.objects.filter(assigned_to__isnull=False).values_list("pk", flat=True)) == {third.pk}
    assert AuditEvent.objects.filter(action="service_request.released", data__reason="absence").count() == 2
    sign_in(client, omar)
    page = client.get("/staff/my-requests/").content.decode()
    assert third.reference_number in page and "I am away" in page
    response = client.post("/staff/service-requests/absence/", follow=True)
    assert "1 request is back in the queue." in response.content.decode()
    assert not ServiceRequest.objects.filter(assigned_to__isnull=False).exists()


def test_customers_never_see_the_officers_name(file_request, officers, maria, client, django_capture_on_commit_callbacks):
    vera, _omar = officers
    request = file_request()
    services.service_request_take(actor=vera, reference_number=request.reference_number)
    with django_capture_on_commit_callbacks(execute=True):
        services.service_request_respond(actor=vera, reference_number=request.reference_number, body="We looked.")
    sign_in(client, maria)
    for path in (f"/service-requests/{request.reference_number}/", "/service-requests/", "/"):
        html = client.get(path, follow=True).content.decode()
        assert "Vera" not in html and "Quinn" not in html, path
    customer_api = api_for(maria)
    detail = customer_api.get(f"/api/v1/service-requests/{request.reference_number}/").json()
    assert detail["held_by"] is None and "Vera" not in str(detail) and "Quinn" not in str(detail)
    listed = customer_api.get("/api/v1/service-requests/").json()["results"]
    assert listed[0]["held_by"] is None
    sent = [m for m in mail.outbox if maria.email in m.to]
    assert sent and all("Vera" not in m.body and "Quinn" not in m.body for m in sent)
    # Staff see it.
    assert api_for(vera).get(f"/api/v1/service-requests/{request.reference_number}/").json()["held_by"] == "Vera Quinn"
