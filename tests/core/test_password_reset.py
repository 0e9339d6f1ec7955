"""Password reset (web and API): the same answer for known and unknown addresses, a link by e-mail
through the outbox, limits per e-mail address and per client address shared by both doors."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from core.models import AuditEvent
from tests.auth import api_token
from tests.factories import CustomerFactory
from tests.factories.core import PASSWORD

NEW = "a-brand-new-passphrase-9"
LINK = re.compile(r"/accounts/password-reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ana(db):
    return CustomerFactory(username="ana@example.com", first_name="Ana")


def ask_web(client: Client, email: str, address: str = "198.51.100.20"):  # type: ignore[no-untyped-def]
    return client.post("/accounts/password-reset/", {"email": email}, HTTP_X_FORWARDED_FOR=address)


def ask_api(email: str, address: str = "198.51.100.20"):  # type: ignore[no-untyped-def]
    return APIClient().post("/api/v1/auth/password-reset/", {"email": email}, format="json",
                            HTTP_X_FORWARDED_FOR=address)


def test_known_and_unknown_addresses_get_the_same_answers_on_both_doors(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known, unknown = ask_api("ana@example.com"), ask_api("nobody@example.com")
    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    assert "If an account has that e-mail address" in known.json()["detail"]
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]  # only the real account gets mail
    client = Client()
    pages = [ask_web(client, email) for email in ("ANA@example.com", "nobody@example.com")]
    assert [(p.status_code, p["Location"]) for p in pages] == [(302, "/accounts/password-reset/sent/")] * 2
    sent = client.get("/accounts/password-reset/sent/").content.decode()
    assert "If an account has that e-mail address" in sent


def test_the_emailed_link_sets_a_new_password_once_revokes_tokens_and_clears_the_lockout(
        ana, settings, django_capture_on_commit_callbacks):
    token = api_token(ana)
    settings.PORTAL_SIGNIN_ACCOUNT_LIMIT = 2
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "ana@example.com", "password": "wrong-guess-1"})
    assert client.post("/accounts/login/", {"username": "ana@example.com", "password": PASSWORD}).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        assert ask_web(client, "ana@example.com").status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Reset your USCIS Portal password" and "Hello Ana" in message.body
    path = LINK.search(message.body).group(0)
    form = client.get(path, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password-reset/done/"
    ana.refresh_from_db()
    assert ana.check_password(NEW)
    assert APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    assert Client().post("/accounts/login/", {"username": "ana@example.com", "password": NEW}).status_code == 302
    assert AuditEvent.objects.filter(action="account.password_reset", actor=ana).exists()
    again = Client().get(path)
    assert "not valid any more" in again.content.decode()  # the link works once


def test_the_api_confirms_with_uid_and_token(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_api("ana@example.com")
    found = LINK.search(mail.outbox[0].body)
    api = APIClient()
    bad = api.post("/api/v1/auth/password-reset/confirm/", {"uid": found["uid"], "token": "wrong-token",
                                                            "new_password": NEW}, format="json")
    assert bad.status_code == 400 and "not valid any more" in str(bad.json())
    weak = api.post("/api/v1/auth/password-reset/confirm/", {**found.groupdict(), "new_password": "password"},
                    format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()
    good = api.post("/api/v1/auth/password-reset/confirm/", {**found.groupdict(), "new_password": NEW}, format="json")
    assert good.status_code == 200
    used = api.post("/api/v1/auth/password-reset/confirm/", {**found.groupdict(), "new_password": NEW + "x"},
                    format="json")
    assert used.status_code == 400
    ana.refresh_from_db()
    assert ana.check_password(NEW)


def test_requests_are_limited_per_email_address_on_both_doors_alike(ana, settings):
    settings.PORTAL_PASSWORD_RESET_ACCOUNT_LIMIT = 2
    for email in ("ana@example.com", "nobody@example.com"):
        first = ask_api(email, address="192.0.2.1")
        second = ask_web(Client(), email, address="192.0.2.2")  # another client address: the same count
        third_api, third_web = ask_api(email, address="192.0.2.3"), ask_web(Client(), email, address="192.0.2.4")
        assert (first.status_code, second.status_code, third_api.status_code, third_web.status_code) == (
            202, 302, 429, 429), email
        assert "Too many attempts" in third_api.json()["detail"] and "Too many attempts" in third_web.content.decode()


def test_requests_are_limited_per_client_address(db, settings):
    settings.PORTAL_PASSWORD_RESET_LIMIT = 3
    statuses = [ask_api(f"someone{n}@example.com", address="203.0.113.9").status_code for n in range(3)]
    statuses += [ask_web(Client(), "someone9@example.com", address="203.0.113.9").status_code]
    assert statuses == [202, 202, 202, 429]


def test_the_pages_in_spanish_and_bad_input(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = client.get("/accounts/password-reset/")
    assert page.status_code == 200 and "Restablezca su contraseña" in page.content.decode()
    assert client.post("/accounts/password-reset/", {"email": "not-an-address"}).status_code == 400
    assert ask_api("not-an-address").status_code == 400
    assert "¿Olvidó su contraseña?" in client.get("/accounts/login/").content.decode()
