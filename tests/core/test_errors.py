"""Errors outside a view's control: the database away is a 503 with Retry-After, and the API
answers its own errors (404, 500, 503) as JSON."""

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from tests.auth import api_token, sign_in
from tests.factories import CustomerFactory
from tests.servers import free_port


@contextmanager
def unreachable_database() -> Iterator[None]:
    """Point the connection at a port nothing listens on, as if Postgres were restarting."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_503_with_retry_after_and_recovers():
    user = CustomerFactory()
    token = api_token(user)
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    with unreachable_database():
        api = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}")
        page = client.get("/accounts/profile/")
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert api.json() == {"detail": "The service is briefly unavailable. Please try again in a few seconds.",
                          "code": "service_unavailable"}
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "Briefly unavailable" in page.content.decode()
    # The database is back: the same requests succeed, without restarting anything.
    assert client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200


def test_api_server_errors_are_json(db):
    user = CustomerFactory()
    token = api_token(user)
    client = Client(raise_request_exception=False)
    with mock.patch("core.api.views_auth.user_with_profile", side_effect=RuntimeError("a bug")):
        response = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error" and "a bug" not in response.content.decode()


def test_pages_keep_their_500_page(db):
    client = Client(raise_request_exception=False)
    with mock.patch("core.views.render", side_effect=RuntimeError("a bug")):
        response = client.get("/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


def test_an_unknown_api_address_is_a_json_404(db):
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found.", "code": "not_found"}
    page = Client().get("/no-such-page/")
    assert page.status_code == 404 and "Page not found" in page.content.decode()
