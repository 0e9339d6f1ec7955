import pytest

from core.models import User
from tests.auth import confirmation_link, sign_up, sign_up_and_confirm


def test_register_answers_202_and_the_link_opens_the_account(directory, api_client):
    response = sign_up({"email": "ana@example.com", "password": "correct-horse-battery", "first_name": "Ana",
                        "last_name": "Diaz", "zip_code": "60605"}, api_client)
    assert set(response.json()) == {"detail"}
    uid, token = confirmation_link("ana@example.com")
    body = api_client.post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token}, format="json").json()
    assert body["email"] == "ana@example.com" and body["zip_code"] == "60605" and body["role"] == "customer"
    assert "password" not in body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"zip_code": "ABCDE"}, "zip_code"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"country": "ZZ", "zip_code": ""}, "country"),
        ({"password": "123"}, "password"),
    ],
)
def test_register_bad_input_is_400_with_field_errors(directory, api_client, payload, field):
    data = {"email": "ana@example.com", "password": "correct-horse-battery", "first_name": "Ana", "last_name": "Diaz",
            "zip_code": "60605", **payload}
    response = api_client.post("/api/v1/auth/register/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.filter(email="ana@example.com").exists()


def test_register_twice_answers_the_same_and_creates_one_account(directory, api_client):
    data = {"email": "ana@example.com", "password": "correct-horse-battery", "first_name": "Ana", "last_name": "Diaz",
            "country": "CA"}
    first = api_client.post("/api/v1/auth/register/", data, format="json")
    second = api_client.post("/api/v1/auth/register/", {**data, "email": "ANA@example.com"}, format="json")
    assert first.status_code == second.status_code == 202 and first.content == second.content
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1


def test_token_by_email_or_username_then_me(directory, api_client):
    sign_up_and_confirm({"email": "ana@example.com", "password": "correct-horse-battery", "first_name": "Ana",
                         "last_name": "Diaz", "zip_code": "60605"})
    by_email = api_client.post("/api/v1/auth/token/", {"email": "ANA@example.com", "password": "correct-horse-battery"})
    by_username = api_client.post("/api/v1/auth/token/", {"username": "ana@example.com", "password": "correct-horse-battery"})
    assert by_email.status_code == by_username.status_code == 200
    # Each sign-in gets a token of its own (revoked on its own), so the two differ and both work.
    assert by_email.json()["token"] != by_username.json()["token"]
    for body in (by_email.json(), by_username.json()):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
        assert api_client.get("/api/v1/auth/me/").json()["email"] == "ana@example.com"


@pytest.mark.parametrize(
    "payload", [{"username": "ana@example.com", "password": "wrong-password-1"}, {"username": "nobody", "password": "x"}]
)
def test_token_with_bad_credentials_is_400(directory, api_client, payload):
    response = api_client.post("/api/v1/auth/token/", payload)
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_token_needs_a_login(api_client, db):
    response = api_client.post("/api/v1/auth/token/", {"password": "x"})
    assert response.status_code == 400 and "username" in response.json()


def test_me_needs_authentication(api_client, db):
    assert api_client.get("/api/v1/auth/me/").status_code == 401
