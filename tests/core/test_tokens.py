"""API tokens: they expire (customers 30 days, staff 8 hours), their owner lists and revokes them
(API and account page), and signing out revokes the token used."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.test import APIClient

from core import access
from core.api.authentication import token_query
from core.models import CustomerProfile
from offices.models import Office
from tests.auth import api_token, sign_in
from tests.factories import CustomerFactory, StaffFactory


@pytest.fixture
def maria(directory):
    return CustomerFactory(username="maria@example.com")


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_tokens_are_stored_hashed_with_an_expiry(maria):
    token = api_token(maria)
    row = AuthToken.objects.get(user=maria)
    assert token not in (row.digest, row.token_key) and row.expiry is not None
    assert timedelta(days=29, hours=23) < row.expiry - timezone.now() <= timedelta(days=30)


@pytest.mark.parametrize(("who", "lifetime"), [("customer", timedelta(days=30)), ("staff", timedelta(hours=8))])
def test_an_expired_token_gets_401(directory, who, lifetime):
    user = CustomerFactory() if who == "customer" else StaffFactory(office=Office.objects.get(code="VSC"))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = with_token(api_token(user))
        clock.shift(lifetime - timedelta(minutes=1))
        assert client.get("/api/v1/auth/me/").status_code == 200
        clock.shift(timedelta(minutes=2))
        assert client.get("/api/v1/auth/me/").status_code == 401


def test_owner_lists_and_revokes_through_the_api(maria):
    first, second = api_token(maria), api_token(maria)
    client = with_token(first)
    listed = client.get("/api/v1/auth/tokens/").json()
    assert len(listed) == 2 and [t["current"] for t in listed] == [False, True]
    assert all(len(t["starts_with"]) == 8 and first not in str(t) and second not in str(t) for t in listed)
    other = next(t for t in listed if not t["current"])
    assert client.delete(f"/api/v1/auth/tokens/{other['id']}/").status_code == 204
    assert with_token(second).get("/api/v1/auth/me/").status_code == 401
    assert client.get("/api/v1/auth/me/").status_code == 200


def test_someone_elses_token_is_404_and_stays(maria, directory):
    theirs = api_token(CustomerFactory(username="other@example.com"))
    digest = AuthToken.objects.get(user__username="other@example.com").digest
    assert with_token(api_token(maria)).delete(f"/api/v1/auth/tokens/{digest}/").status_code == 404
    assert with_token(theirs).get("/api/v1/auth/me/").status_code == 200


def test_sign_out_revokes_the_token(maria):
    token = api_token(maria)
    client = with_token(token)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401
    assert not AuthToken.objects.filter(user=maria).exists()


def test_a_revoked_token_gets_401(maria):
    token = api_token(maria)
    AuthToken.objects.filter(user=maria).delete()
    assert with_token(token).get("/api/v1/service-requests/").status_code == 401


def test_the_account_page_lists_and_revokes(maria, client):
    token = api_token(maria)
    row = AuthToken.objects.get(user=maria)
    sign_in(client, maria)
    html = client.get("/accounts/profile/").content.decode()
    assert row.token_key[:8] in html and token not in html
    assert client.post(f"/accounts/tokens/{row.digest}/revoke/").status_code == 302
    assert with_token(token).get("/api/v1/auth/me/").status_code == 401
    assert client.post(f"/accounts/tokens/{row.digest}/revoke/").status_code == 404


def test_an_expired_token_is_deleted_when_used_and_others_when_a_new_one_is_issued(maria):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first, second = api_token(maria), api_token(maria)
        clock.shift(timedelta(days=31))
        assert with_token(first).get("/api/v1/auth/me/").status_code == 401
        assert AuthToken.objects.filter(user=maria).count() == 1  # the one used is gone; the other waits
        fresh = api_token(maria)
        assert AuthToken.objects.filter(user=maria).count() == 1  # issuing removed the other expired one
        assert with_token(second).get("/api/v1/auth/me/").status_code == 401
        assert with_token(fresh).get("/api/v1/auth/me/").status_code == 200


def test_a_token_request_reads_token_user_and_profile_in_one_query(maria):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = with_token(api_token(maria))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/auth/me/").status_code == 200
    tables = [q["sql"] for q in ctx.captured_queries]
    assert len([sql for sql in tables if '"knox_authtoken"' in sql]) == 1
    assert not [sql for sql in tables if sql.startswith('SELECT') and 'FROM "core_customerprofile"' in sql]


def test_a_deactivated_users_token_gets_401(maria):
    client = with_token(api_token(maria))
    type(maria).objects.filter(pk=maria.pk).update(is_active=False)
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_a_token_with_the_right_key_and_a_wrong_secret_gets_401_and_the_real_one_works(maria):
    token = api_token(maria)
    forged = token[:CONSTANTS.TOKEN_KEY_LENGTH] + ("0" if token[-1] != "0" else "1") * (len(token) - CONSTANTS.TOKEN_KEY_LENGTH)
    assert with_token(forged).get("/api/v1/auth/me/").status_code == 401
    assert with_token(token).get("/api/v1/auth/me/").status_code == 200


@pytest.mark.parametrize("who", ["customer", "customer without a profile", "staff", "staff granted protected"])
def test_one_statement_loads_the_token_its_user_profile_and_protected_answer_as_the_orm_does(directory, who):
    if who.startswith("customer"):
        user = CustomerFactory()
        if who.endswith("profile"):
            CustomerProfile.objects.filter(user=user).delete()
    else:
        user = StaffFactory(office=Office.objects.get(code="VSC"))
        if who.endswith("protected"):
            user.user_permissions.add(Permission.objects.get(codename="view_protected"))
    token = api_token(user)
    key = token[:CONSTANTS.TOKEN_KEY_LENGTH]
    with CaptureQueriesContext(connection) as queries:
        (loaded,) = token_query(key)
        profile = getattr(loaded.user, "profile", None)
        protected = getattr(loaded, access.PROTECTED_ATTR)
    assert len(queries) == 1
    (expected,) = token_query.build(key)
    assert [loaded.digest, loaded.expiry, loaded.user_id] == [expected.digest, expected.expiry, user.pk]
    assert {f.attname: getattr(loaded.user, f.attname) for f in user._meta.concrete_fields} == {
        f.attname: getattr(expected.user, f.attname) for f in user._meta.concrete_fields}
    assert (profile is None) is (who != "customer") is (getattr(expected.user, "profile", None) is None)
    if profile is not None:
        assert profile.pk == expected.user.profile.pk and profile.zip_code == expected.user.profile.zip_code
    assert protected is getattr(expected, access.PROTECTED_ATTR) is (who == "staff granted protected")
    assert token_query("x" * CONSTANTS.TOKEN_KEY_LENGTH) == []
