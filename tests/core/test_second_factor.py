"""Staff and admins: a second factor before any staff page, the admin or a staff API token; staff
sessions end after 15 idle minutes and 12 hours in all."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from core.models import Role
from offices.models import Office
from tests.auth import recovery_code, sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory
from tests.factories.core import PASSWORD

STAFF_PAGES = ["/staff/service-requests/", "/staff/service-requests/new/", "/staff/dashboard/", "/staff/inquiries/",
               "/staff/inquiries/new/", "/staff/inquiries/reports/", "/staff/appointments/", "/accounts/profile/",
               "/service-requests/", "/appointments/"]
STAFF_API = ["/api/v1/service-requests/", "/api/v1/inquiries/", "/api/v1/appointments/", "/api/v1/auth/me/",
             "/api/v1/auth/tokens/"]
ET = ZoneInfo("America/New_York")


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def staff(directory):
    return StaffFactory(username="vera", office=Office.objects.get(code="VSC"))


@pytest.fixture
def admin(directory):
    return UserFactory(username="ada", role=Role.ADMIN, is_staff=True, is_superuser=True)


def password_only(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_with_only_a_password_reach_no_staff_page(staff, path):
    response = password_only(staff).get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_with_the_second_factor_reach_their_pages(staff, client, path):
    sign_in(client, staff)
    assert client.get(path).status_code in (200, 302)
    assert not client.get(path).get("Location", "").startswith("/accounts/two-factor/")


@pytest.mark.parametrize("path", STAFF_API)
def test_staff_session_without_the_second_factor_gets_403_on_the_api(staff, path):
    response = password_only(staff).get(path)
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"


def test_a_staff_api_token_needs_the_code(staff):
    api = APIClient()
    no_code = api.post("/api/v1/auth/token/", {"username": "vera", "password": PASSWORD}, format="json")
    assert no_code.status_code == 400 and "code" in no_code.json()
    wrong = api.post("/api/v1/auth/token/", {"username": "vera", "password": PASSWORD, "code": "000000"}, format="json")
    assert wrong.status_code == 400 and "code" in wrong.json()
    good = api.post("/api/v1/auth/token/", {"username": "vera", "password": PASSWORD, "code": recovery_code(staff)},
                    format="json")
    assert good.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {good.json()['token']}")
    for path in STAFF_API:
        assert api.get(path).status_code == 200, path


def test_customers_need_no_second_factor(directory):
    maria = CustomerFactory(username="maria@example.com")
    client = password_only(maria)
    assert client.get("/service-requests/").status_code == 200
    token = APIClient().post("/api/v1/auth/token/", {"username": maria.username, "password": PASSWORD}, format="json")
    assert token.status_code == 200


def test_first_sign_in_sets_up_the_authenticator_then_it_is_required(staff):
    client = password_only(staff)
    assert client.get("/staff/service-requests/")["Location"].startswith("/accounts/two-factor/")
    to_setup = client.get("/accounts/two-factor/?next=/staff/service-requests/")
    assert to_setup.status_code == 302 and "/accounts/two-factor/setup/" in to_setup["Location"]
    page = client.get(to_setup["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Set up your authenticator app" in html
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post("/accounts/two-factor/setup/", {"code": "123456"}).status_code == 400
    done = client.post("/accounts/two-factor/setup/", {"code": totp_now(device), "next": "/staff/service-requests/"})
    assert done.status_code == 200 and "Your recovery codes" in done.content.decode()
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get("/staff/service-requests/").status_code == 200
    # The next sign-in asks for the code; a recovery code works once.
    again = password_only(staff)
    assert again.get("/staff/dashboard/")["Location"].startswith("/accounts/two-factor/")
    assert again.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 302
    assert again.get("/staff/dashboard/").status_code == 200
    third = password_only(staff)
    assert third.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 400
    assert third.get("/staff/dashboard/").status_code == 302


def test_the_admin_needs_the_second_factor(admin):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")
    assert client.get("/admin/offices/office/")["Location"].startswith("/accounts/two-factor/")
    assert client.post("/accounts/two-factor/", {"code": recovery_code(admin)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_sessions_end_after_15_idle_minutes(staff):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=ET), tick=False) as clock:
        client = sign_in(Client(), staff)
        clock.shift(timedelta(minutes=14))
        assert client.get("/staff/service-requests/").status_code == 200
        clock.shift(timedelta(minutes=14))  # 14 minutes after the last request: still fine
        assert client.get("/staff/service-requests/").status_code == 200
        clock.shift(timedelta(minutes=16))
        response = client.get("/staff/service-requests/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client.get("/staff/service-requests/")["Location"].startswith("/accounts/login/")


def test_staff_sessions_end_after_12_hours_however_busy(staff):
    with time_machine.travel(datetime(2026, 12, 1, 7, 0, tzinfo=ET), tick=False) as clock:
        client = sign_in(Client(), staff)
        for _ in range(12 * 6 + 1):  # a request every 10 minutes for just over 12 hours
            clock.shift(timedelta(minutes=10))
            last = client.get("/staff/dashboard/")
        assert last.status_code == 302 and last["Location"].startswith("/accounts/login/")


def test_customer_sessions_are_not_cut_at_15_minutes(directory):
    maria = CustomerFactory(username="maria@example.com")
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=ET), tick=False) as clock:
        client = password_only(maria)
        clock.shift(timedelta(hours=2))
        assert client.get("/service-requests/").status_code == 200
