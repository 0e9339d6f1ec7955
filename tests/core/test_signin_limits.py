"""Sign-in limits (core.signin): per account and per client address, atomic, the same on every door."""

import os
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from rest_framework.test import APIClient

from core import signin
from core.net import client_ip
from tests.factories import CustomerFactory, UserFactory
from tests.factories.core import PASSWORD

WRONG = "not-the-password-1"


class EvaluationCounter:
    """Counts password checks (each one is an evaluated guess), thread-safely."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._lock = threading.Lock()
        original = AbstractBaseUser.check_password

        def counting(user, raw_password):  # type: ignore[no-untyped-def]
            with self._lock:
                self.count += 1
            return original(user, raw_password)

        monkeypatch.setattr(AbstractBaseUser, "check_password", counting)


def web_sign_in(client: Client, login: str, password: str, address: str = "198.51.100.7"):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": login, "password": password}, HTTP_X_FORWARDED_FOR=address)


def api_sign_in(client: Client, login: str, password: str, address: str = "198.51.100.7"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/token/", {"username": login, "password": password},
                       content_type="application/json", HTTP_X_FORWARDED_FOR=address)


DOORS = {"web": web_sign_in, "api": api_sign_in}


def answer(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Status and the message a person reads, without what differs per request (CSRF tokens)."""
    if response["Content-Type"].startswith("application/json"):
        return response.status_code, str(response.json())
    html = response.content.decode()
    start = html.find('role="alert"')
    return response.status_code, html[start:html.find("</div>", start)] if start >= 0 else ""


# --- the client's address --------------------------------------------------------------------------

@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "203.0.113.9", "10.0.0.1"),                      # no trusted proxy: the header is never read
    (1, "203.0.113.9", "203.0.113.9"),                   # the address our proxy saw
    (1, "1.1.1.1, 203.0.113.9", "203.0.113.9"),          # what the client wrote in front is ignored
    (2, "1.1.1.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    (2, "203.0.113.9", "10.0.0.1"),                      # fewer hops than proxies: not through them
    (1, "not-an-address", "10.0.0.1"),
])
def test_client_ip_comes_from_the_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.PORTAL_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- one at a time: every door, known and unknown alike ------------------------------------------------

@pytest.mark.parametrize("door", DOORS)
def test_known_and_unknown_addresses_get_the_same_answers_then_the_same_lockout(db, settings, door):
    settings.PORTAL_SIGNIN_ACCOUNT_LIMIT = 3
    CustomerFactory(username="known@example.com")
    answers = {}
    for login in ("known@example.com", "unknown@example.com"):
        client = Client()
        answers[login] = [answer(DOORS[door](client, login, WRONG, address=f"192.0.2.{n}")) for n in range(5)]
    assert answers["known@example.com"] == answers["unknown@example.com"]
    statuses = [status for status, _text in answers["known@example.com"]]
    failed = 200 if door == "web" else 400
    assert statuses == [failed, failed, 429, 429, 429]  # the third failure locks, and says so


def test_the_admin_sign_in_has_the_same_limit(db, settings):
    settings.PORTAL_SIGNIN_ACCOUNT_LIMIT = 3
    UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client = Client()
    statuses = [client.post("/admin/login/?next=/admin/", {"username": "root", "password": WRONG}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    locked = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many sign-in attempts" in locked.content.decode()


def test_a_good_sign_in_clears_the_account_count(db, settings):
    settings.PORTAL_SIGNIN_ACCOUNT_LIMIT = 3
    CustomerFactory(username="ana@example.com")
    client = Client()
    for _ in range(2):
        assert web_sign_in(client, "ana@example.com", WRONG).status_code == 200
    assert web_sign_in(client, "ANA@example.com", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):  # a fresh allowance: the earlier typos no longer count
        assert web_sign_in(client, "ana@example.com", WRONG).status_code == 200
    assert web_sign_in(client, "ana@example.com", PASSWORD).status_code == 302


def test_the_address_limit_counts_across_accounts(db, settings):
    settings.PORTAL_SIGNIN_ADDRESS_LIMIT = 4
    client = Client()
    statuses = [web_sign_in(client, f"someone{n}@example.com", WRONG).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]


def test_signup_has_one_limit_for_web_and_api(directory, settings):
    settings.PORTAL_SIGNUP_LIMIT = 3
    api, web = APIClient(), Client()
    data = {"password": "correct-horse-battery", "first_name": "Ana", "last_name": "Diaz", "zip_code": "60605"}
    assert api.post("/api/v1/auth/register/", {**data, "email": "a1@example.com"}, format="json").status_code == 202
    assert api.post("/api/v1/auth/register/", {**data, "email": "a2@example.com"}, format="json").status_code == 202
    page = web.post("/accounts/signup/", {**data, "email": "a3@example.com", "preferred_language": "en"})
    assert page.status_code == 302 and page["Location"] == "/accounts/signup/sent/"
    refused_page = web.post("/accounts/signup/", {**data, "email": "a4@example.com", "preferred_language": "en"})
    refused_api = api.post("/api/v1/auth/register/", {**data, "email": "a5@example.com"}, format="json")
    assert refused_page.status_code == refused_api.status_code == 429
    assert "Too many attempts from your network" in refused_page.content.decode()
    assert refused_api.json()["code"] == "too_many_attempts"


# --- fifty at once, each with its own X-Forwarded-For ------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.mark.postgres
@pytest.mark.skipif(not REDIS_URL, reason="needs the shared Redis cache (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("door", "proxies"), [("web", 0), ("api", 1)])
def test_fifty_parallel_wrong_passwords_evaluate_at_most_the_limit(monkeypatch, door, proxies):
    window = 20
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
             "KEY_PREFIX": f"test-signin-{os.getpid()}-{time.time_ns()}"}
    with override_settings(CACHES={"default": cache}, PORTAL_TRUSTED_PROXY_COUNT=proxies,
                           PORTAL_SIGNIN_ACCOUNT_LIMIT=5, PORTAL_SIGNIN_ADDRESS_LIMIT=1000,  # the address limit is tested above
                           PORTAL_SIGNIN_LOCKOUT=timedelta(seconds=window)):
        CustomerFactory(username="target@example.com")
        evaluations = EvaluationCounter(monkeypatch)
        results: dict[str, list] = {}

        def burst(login: str) -> list:
            outcomes: list = []
            barrier = threading.Barrier(50)

            def guess(n: int) -> None:
                try:
                    barrier.wait()
                    outcomes.append(answer(DOORS[door](Client(), login, WRONG, address=f"203.0.{n // 250}.{n % 250}")))
                finally:
                    connection.close()

            threads = [threading.Thread(target=guess, args=(n,)) for n in range(50)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            return outcomes

        started = time.monotonic()
        results["known"] = burst("target@example.com")
        assert time.monotonic() - started < window, "the burst outlasted the window; the figures would not hold"
        known_evaluations = evaluations.count
        # The right password now has to wait out the lock-out (checked before the other burst).
        assert DOORS[door](Client(), "target@example.com", PASSWORD).status_code == 429
        started = time.monotonic()
        results["unknown"] = burst("nobody@example.com")
        assert time.monotonic() - started < window, "the burst outlasted the window; the figures would not hold"

        assert len(results["known"]) == len(results["unknown"]) == 50
        assert 1 <= known_evaluations <= 5, known_evaluations
        statuses = Counter(status for status, _text in results["known"])
        assert statuses[429] >= 45 and set(statuses) <= {200, 400, 429}, statuses
        # Known and unknown addresses: the same answers, in the same numbers.
        assert Counter(results["known"]) == Counter(results["unknown"])

        # Once the lock-out is over, the right password works.
        time.sleep(signin._seconds_left(signin.account_key("target@example.com")) + 0.5)
        ok = DOORS[door](Client(), "target@example.com", PASSWORD)
        assert ok.status_code == (302 if door == "web" else 200), ok.content[:300]
