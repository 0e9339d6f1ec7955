"""Signing people in for tests through the real flows, second factor included.

Staff and admins need a second factor before any staff page or API (core.access). These helpers
complete it the way a person does: a recovery code (django-otp's static device) entered on the
real second-step page, or given with the password to the real token endpoint.

Customers sign up as a person does: POST /api/v1/auth/register/ (202), then the link in the
confirmation e-mail (`sign_up_and_confirm`), read from the e-mail that was sent.
"""

import re

from django.core import mail
from django.test import Client, TestCase
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


SIGNUP_LINK = re.compile(r"/accounts/signup/confirm/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


def confirmation_link(email: str) -> tuple[str, str]:
    """(uid, token) of the link in the latest confirmation e-mail sent to `email` (mail.outbox)."""
    bodies = [str(m.body) for m in mail.outbox if m.to == [email] and SIGNUP_LINK.search(str(m.body))]
    assert bodies, f"no confirmation e-mail to {email}: {[(m.to, m.subject) for m in mail.outbox]}"
    match = SIGNUP_LINK.search(bodies[-1])
    assert match is not None
    return match["uid"], match["token"]


def sign_up(data: dict, client: APIClient | None = None):  # type: ignore[no-untyped-def]
    """POST /api/v1/auth/register/ with its e-mails sent (as after a real commit); asserts the 202."""
    client = client or APIClient()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/api/v1/auth/register/", data, format="json")
    assert response.status_code == 202, response.content
    return response


def sign_up_and_confirm(data: dict, client: APIClient | None = None) -> dict:
    """Sign up through the API and confirm through the link in the e-mail; the account's JSON."""
    client = client or APIClient()
    sign_up(data, client)
    uid, token = confirmation_link(data["email"].strip().lower())
    confirmed = client.post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    return confirmed.json()
