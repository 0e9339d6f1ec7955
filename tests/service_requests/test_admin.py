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
