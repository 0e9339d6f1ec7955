"""Signing people in for tests through the real flows, second factor included.

Staff and admins need a second factor before any staff page or API (core.access). These helpers
complete it the way a person does: a recovery code (django-otp's static device) entered on the
real second-step page, or given with the password to the real token endpoint.
"""

from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from rest_framework.test import APIClient

from core import access
from tests.factories.core import PASSWORD


def recovery_code(user) -> str:  # type: ignore[no-untyped-def]
    """A fresh single-use recovery code for `user` (enrolling the recovery-code device if needed)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    return code


def sign_in(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    """Sign `user` in on the web; staff also pass the second step on /accounts/two-factor/."""
    client.force_login(user)
    if access.requires_second_factor(user):
        response = client.post("/accounts/two-factor/", {"code": recovery_code(user), "next": "/"})
        assert response.status_code == 302, response.content[:300]
    return client


def api_token(user, client: APIClient | None = None) -> str:  # type: ignore[no-untyped-def]
    """A real API token from POST /api/v1/auth/token/ (with a second-factor code for staff)."""
    client = client or APIClient()
    data = {"username": user.username, "password": PASSWORD}
    if access.requires_second_factor(user):
        data["code"] = recovery_code(user)
    response = client.post("/api/v1/auth/token/", data, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    """An API client acting as `user`: customers directly, staff with a token obtained as above."""
    client = APIClient()
    if access.requires_second_factor(user):
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    else:
        client.force_authenticate(user)
    return client
