import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import Role
from service_requests.models import ServiceRequest
from tests.auth import api_for, sign_in
from tests.factories import UserFactory
from tests.service_requests.bulk import bulk_requests


def api(user) -> APIClient:
    return api_for(user)


FILE = {"request_type": "outside_processing_time", "receipt_number": "EAC-22-901-23456",
        "description": "Past the posted processing time."}


def test_customer_files_and_gets_201_with_reference_and_office(maria):
    response = api(maria).post("/api/v1/service-requests/", FILE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference_number"].startswith("SR") and body["current_office"] == {"code": "VSC",
                                                                                     "name": "Vermont Service Center"}
    assert body["receipt_number"] == "EAC2290123456" and body["channel"] == "online"
    assert [e["kind"] for e in body["timeline"]] == ["created"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"receipt_number": "EAC123"}, "receipt_number"), ({"receipt_number": "QQQ2290123456"}, "receipt_number"),
     ({"request_type": "wish"}, "request_type"), ({"description": ""}, "description"),
     ({"request_type": "change_of_address", "case_class": "vawa"}, "request_type"),
     ({"receipt_number": ""}, "receipt_number")],
)
def test_bad_filings_are_400_with_field_errors(maria, payload, field):
    response = api(maria).post("/api/v1/service-requests/", {**FILE, **payload}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not ServiceRequest.objects.exists()


def test_duplicate_is_409_naming_the_open_request(maria):
    first = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()
    response = api(maria).post("/api/v1/service-requests/", FILE, format="json")
    assert response.status_code == 409
    assert response.json()["reference_number"] == first["reference_number"]


def test_idempotent_filing(maria):
    client = api(maria)
    first = client.post("/api/v1/service-requests/", FILE, format="json", HTTP_IDEMPOTENCY_KEY="f-1")
    again = client.post("/api/v1/service-requests/", FILE, format="json", HTTP_IDEMPOTENCY_KEY="f-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["reference_number"] == again.json()["reference_number"]
    assert ServiceRequest.objects.count() == 1


def test_agent_files_for_a_caller(agent):
    response = api(agent).post("/api/v1/service-requests/", {
        **FILE, "contact_name": "Ana Diaz", "contact_email": "ana@example.com"}, format="json")
    assert response.status_code == 201 and response.json()["channel"] == "phone"
    assert response.json()["customer"] == "ana@example.com"


@pytest.mark.parametrize(
    ("caller", "fields"),
    [({}, {"contact_name", "contact_email"}), ({"contact_name": "Ana Diaz"}, {"contact_email"}),
     ({"contact_email": "ana@example.com", "contact_name": " "}, {"contact_name"})],
)
def test_agent_filing_with_no_one_to_answer_is_400(agent, caller, fields):
    response = api(agent).post("/api/v1/service-requests/", {**FILE, **caller}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == fields
    assert response.json()[fields.pop()] == ["Give the caller's account e-mail, or their name and e-mail."]
    assert not ServiceRequest.objects.exists()


def test_staff_actions_and_timeline(maria, vsc_staff):
    reference = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    staff = api(vsc_staff)
    base = f"/api/v1/service-requests/{reference}"
    assert staff.post(f"{base}/notes/", {"body": "Internal: check the A-file."}, format="json").status_code == 200
    response = staff.post(f"{base}/responses/", {"body": "We are reviewing your case."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "answered"
    moved = staff.post(f"{base}/transfer/", {"to_office": "NSC", "reason": "File is in Lincoln"}, format="json")
    assert moved.status_code == 200 and moved.json()["current_office"]["code"] == "NSC"
    customer_view = api(maria).get(f"{base}/").json()
    kinds = [e["kind"] for e in customer_view["timeline"]]
    assert kinds == ["created", "response", "transfer"]  # the internal note is not there
    assert "A-file" not in str(customer_view)
    assert "Lincoln" not in str(customer_view)  # the transfer's reason is for staff; where it went is shown
    assert customer_view["timeline"][-1]["to_office"]["code"] == "NSC" and customer_view["timeline"][-1]["body"] == ""
    assert customer_view["current_office"]["code"] == "NSC"
    assert [e["actor"] for e in customer_view["timeline"]] == ["Maria Doe", "USCIS", "USCIS"]  # no staff names
    assert staff.get(f"{base}/").status_code == 404  # no longer at Vermont


def test_transfer_with_a_stale_version_is_409(maria, vsc_staff):
    body = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()
    base = f"/api/v1/service-requests/{body['reference_number']}"
    staff = api(vsc_staff)
    staff.post(f"{base}/notes/", {"body": "first", "version": body["version"]}, format="json")
    response = staff.post(f"{base}/transfer/", {"to_office": "NSC", "reason": "x", "version": body["version"]},
                          format="json")
    assert response.status_code == 409 and response.json()["code"] == "stale" and response.json()["version"] == 2


@pytest.mark.parametrize(("payload", "field"), [({"to_office": "NOPE", "reason": "x"}, "to_office"),
                                                ({"to_office": "NSC"}, "reason"), ({"reason": "x"}, "to_office")])
def test_bad_transfer_is_400(maria, vsc_staff, payload, field):
    reference = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    response = api(vsc_staff).post(f"/api/v1/service-requests/{reference}/transfer/", payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_relocate_and_close(maria, vsc_staff):
    client = api(maria)
    first = client.post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    second = client.post("/api/v1/service-requests/", {**FILE, "request_type": "card_not_received"},
                         format="json").json()["reference_number"]
    staff = api(vsc_staff)
    relocated = staff.post(f"/api/v1/service-requests/{first}/relocate/", {"agency": "cbp"}, format="json")
    assert relocated.json()["status"] == "relocated"
    assert staff.post(f"/api/v1/service-requests/{second}/close/", {}, format="json").json()["status"] == "closed"
    assert staff.post(f"/api/v1/service-requests/{second}/close/", {}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [("get", "", None), ("post", "responses/", {"body": "x"}), ("post", "notes/", {"body": "x"}),
     ("post", "transfer/", {"to_office": "CSC", "reason": "x"}), ("post", "relocate/", {"agency": "cbp"}),
     ("post", "close/", {})],
)
@pytest.mark.parametrize("who", ["other_customer", "nsc_staff", "agent"])
def test_access_matrix_on_every_endpoint(request, maria, who, method, suffix, payload):
    reference = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    stranger = api(request.getfixturevalue(who))
    response = getattr(stranger, method)(f"/api/v1/service-requests/{reference}/{suffix}", payload, format="json")
    assert response.status_code == 404
    assert ServiceRequest.objects.get().version == 1


@pytest.mark.parametrize(
    ("suffix", "payload"),
    [("responses/", {"body": "x"}), ("notes/", {"body": "x"}), ("transfer/", {"to_office": "CSC", "reason": "x"}),
     ("relocate/", {"agency": "cbp"}), ("close/", {})],
)
def test_customer_cannot_use_staff_actions(maria, suffix, payload):
    reference = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    response = api(maria).post(f"/api/v1/service-requests/{reference}/{suffix}", payload, format="json")
    assert response.status_code == 404
    request = ServiceRequest.objects.get()
    assert (request.version, request.status, request.current_office.code) == (1, "open", "VSC")


def test_admin_sees_any_request_and_can_act(maria, directory):
    admin = UserFactory(username="ada", role=Role.ADMIN)
    reference = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    base = f"/api/v1/service-requests/{reference}"
    detail = api(admin).get(f"{base}/")
    assert detail.status_code == 200 and detail.json()["reference_number"] == reference
    noted = api(admin).post(f"{base}/notes/", {"body": "Checked by an administrator.", "version": 1}, format="json")
    assert noted.status_code == 200 and noted.json()["version"] == 2
    assert [e["kind"] for e in noted.json()["timeline"]] == ["created", "note"]


def test_hq_osco_gets_404_on_a_request_not_escalated(maria, directory):
    hq = UserFactory(username="hq", role=Role.HQ_OSCO)
    reference = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    base = f"/api/v1/service-requests/{reference}"
    assert api(hq).get(f"{base}/").status_code == 404
    assert api(hq).post(f"{base}/responses/", {"body": "HQ answer"}, format="json").status_code == 404
    request = ServiceRequest.objects.get()
    assert (request.version, request.status, request.first_response_at) == (1, "open", None)


def test_missing_and_not_yours_look_the_same(maria, other_customer):
    reference = api(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    assert api(other_customer).get(f"/api/v1/service-requests/{reference}/").json() == api(other_customer).get(
        "/api/v1/service-requests/SRAAAAAAAAAAA/").json()


def test_lists_are_scoped(maria, other_customer, vsc_staff, nsc_staff):
    api(maria).post("/api/v1/service-requests/", FILE, format="json")
    assert api(maria).get("/api/v1/service-requests/").json()["count"] == 1
    assert api(other_customer).get("/api/v1/service-requests/").json()["count"] == 0
    assert api(vsc_staff).get("/api/v1/service-requests/").json()["count"] == 1
    assert api(nsc_staff).get("/api/v1/service-requests/").json()["count"] == 0


def _load_queue(office_code: str, count: int) -> None:
    """Many requests directly (several types and ages, some closed) for queue tests."""
    bulk_requests(count, office=office_code, prefix="SRQ", spread_days=40, vary=True)


def test_staff_queue_query_count_is_the_same_at_every_page_size(vsc_staff):
    _load_queue("VSC", 150)
    counts = []
    client = api(vsc_staff)
    for size in (1, 10, 100):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"/api/v1/service-requests/?page_size={size}").json()
        assert len(body["results"]) == size
        counts.append(len(ctx.captured_queries))
    # The staff token's lookup (staff use real tokens, with the second factor), whether they may see
    # protected cases, then the queue's own.
    assert counts[0] == counts[1] == counts[2] <= 5, counts


def test_staff_queue_is_oldest_first_within_a_type_and_filters(vsc_staff):
    _load_queue("VSC", 60)
    client = api(vsc_staff)
    body = client.get("/api/v1/service-requests/?type=card_not_received&page_size=100").json()
    created = [r["created_at"] for r in body["results"]]
    assert created == sorted(created) and {r["request_type"] for r in body["results"]} == {"card_not_received"}
    assert all(r["status"] in ("open", "answered") for r in body["results"])
    old = client.get("/api/v1/service-requests/?min_age_days=30&page_size=100").json()["results"]
    assert old and all(r["age_days"] >= 30 for r in old)
    closed = client.get("/api/v1/service-requests/?status=closed&page_size=100").json()["results"]
    assert closed and {r["status"] for r in closed} == {"closed"}
    assert client.get("/api/v1/service-requests/?channel=phone").json()["count"] == 0
    assert client.get("/api/v1/service-requests/?type=wish").status_code == 400
    assert client.get("/api/v1/service-requests/?min_age_days=-1").status_code == 400
    too_old = client.get("/api/v1/service-requests/?min_age_days=99999999999999999999")
    assert too_old.status_code == 400 and "min_age_days" in too_old.json()


def test_queue_count_stops_at_the_cap(vsc_staff, client, monkeypatch):
    from core.pagination import CappedCountPaginator

    _load_queue("VSC", 30)
    monkeypatch.setattr(CappedCountPaginator, "cap", 10)
    body = api(vsc_staff).get("/api/v1/service-requests/?page_size=5").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (11, True, 5)
    monkeypatch.setattr(CappedCountPaginator, "cap", 1000)
    body = api(vsc_staff).get("/api/v1/service-requests/?page_size=5").json()
    assert body["count_capped"] is False and body["count"] == 25  # 30 loaded, 5 of them closed
    monkeypatch.setattr(CappedCountPaginator, "cap", 10)
    sign_in(client, vsc_staff)
    assert "More than 10 requests" in client.get("/staff/service-requests/").content.decode()


def test_queue_count_reads_primary_keys_unordered(vsc_staff, client):
    """The capped count (API and page) neither orders, nor selects the rows' columns, nor joins their tables:
    which rows are counted does not change how many, and compiling the queue's ordering cost more than the page's
    own query."""
    _load_queue("VSC", 12)
    sign_in(client, vsc_staff)
    for get in (lambda: api(vsc_staff).get("/api/v1/service-requests/?page_size=5"),
                lambda: client.get("/staff/service-requests/")):
        with CaptureQueriesContext(connection) as ctx:
            assert get().status_code == 200
        counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert len(counts) == 1 and "ORDER BY" not in counts[0] and "JOIN" not in counts[0], counts
        assert counts[0].split(" FROM (SELECT ", 1)[1].split(" FROM ", 1)[0].endswith('"id" AS "pk"'), counts


def test_list_rows_match_the_detail_fields(maria, vsc_staff):
    api(maria).post("/api/v1/service-requests/", FILE, format="json")
    listed = api(vsc_staff).get("/api/v1/service-requests/").json()["results"][0]
    detail = api(vsc_staff).get(f"/api/v1/service-requests/{listed['reference_number']}/").json()
    for key, value in listed.items():
        assert detail[key] == value, key
