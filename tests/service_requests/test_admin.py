import pytest

from core import services as core_services
from core.models import Role
from service_requests import selectors
from service_requests.models import EscalationPolicy
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

URL = "/admin/service_requests/escalationpolicy/"


def test_admins_keep_the_one_escalation_policy_row_in_the_admin(directory, client):
    admin = core_services.staff_create(username="ada", password="correct-horse-battery", role=Role.ADMIN)
    sign_in(client, admin)
    assert client.get(URL).status_code == 200
    response = client.post(f"{URL}add/", {"window1_days": 10, "window1_kind": "business", "window2_days": 30,
                                          "window2_kind": "calendar"})
    assert response.status_code == 302, response.content
    assert (selectors.escalation_policy().window1_days, selectors.escalation_policy().window1_kind) == (10, "business")
    assert client.get(f"{URL}add/").status_code == 403  # one row only: change it instead
    row = EscalationPolicy.objects.get()
    assert client.get(f"{URL}{row.pk}/change/").status_code == 200


def test_admins_set_an_answer_target_per_request_type_used_by_requests_filed_afterwards(directory, client, maria):
    from service_requests import services
    from service_requests.models import AnswerTarget

    admin = core_services.staff_create(username="ada", password="correct-horse-battery", role=Role.ADMIN)
    sign_in(client, admin)
    response = client.post("/admin/service_requests/answertarget/add/",
                           {"request_type": "card_not_received", "business_days": 5})
    assert response.status_code == 302, response.content
    assert AnswerTarget.objects.get().business_days == 5
    assert "Business days" in client.get("/admin/service_requests/answertarget/").content.decode()
    request = services.service_request_file(actor=maria, request_type="card_not_received",
                                            receipt_number="EAC2290123456", description="No card")
    assert selectors.answer_target_days("card_not_received") == 5
    assert request.escalation.answer_due_at is not None
