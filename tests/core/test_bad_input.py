"""Bad input from outside is a 400 with field errors, never a 500 (the inputs schemathesis found)."""

import json

import pytest
from rest_framework.test import APIClient

from core.api.parsers import MAX_DEPTH
from tests.factories import CustomerFactory


def _raw(client: APIClient, path: str, body: str):  # type: ignore[no-untyped-def]
    return client.generic("POST", path, body.encode("utf-8", "surrogatepass"),  # type: ignore[arg-type]  # raw bytes
                          content_type="application/json")


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/auth/register/"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_json_nested_too_deep_is_400_even_anonymously(db, path, depth):
    response = _raw(APIClient(), path, "[" * depth + "]" * depth)
    assert response.status_code == 400
    assert response.json()["detail"] == f"The JSON body is nested more than {MAX_DEPTH} levels deep."


def test_json_within_the_depth_limit_is_read(db):
    body = {"username": "nobody", "password": "x", "extra": json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))}
    assert APIClient().post("/api/v1/auth/token/", body, format="json").status_code == 400  # bad credentials, read


@pytest.mark.parametrize("body", [
    '{"email": "a@example.com", "password": "correct-horse-battery", "first_name": "A", "last_name": "B", '
    '"zip_code": "60605", "preferred_language": "\\udc80"}',          # a lone surrogate in a choice field
    '{"email": "a@example.com", "password": "correct-horse-battery", "first_name": "\\ud800", "last_name": "B", '
    '"zip_code": "60605"}',                                              # … in a text field
    '{"\\udfff": 1}',                                                    # … in a key
])
def test_text_that_cannot_be_stored_is_400(db, body):
    response = _raw(APIClient(), "/api/v1/auth/register/", body)
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["detail"]


@pytest.fixture
def customer_api(directory):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(CustomerFactory(profile__zip_code="60605"))
    return client


@pytest.mark.parametrize("zip_code", ["abc", "6060", "606051", "60605-", "\u0660\u0666\u0660\u0665\u0660", "99999"])
def test_malformed_zip_code_on_a_request_without_a_receipt_number_is_400(customer_api, zip_code):
    response = customer_api.post("/api/v1/service-requests/", {
        "request_type": "outside_processing_time", "description": "Where is my card?", "zip_code": zip_code,
    }, format="json")
    assert response.status_code in (400, 404), response.content
    assert response.status_code != 500


@pytest.mark.parametrize(("field", "value"), [
    ("request_type", ["outside_processing_time"]), ("request_type", {"a": 1}), ("description", {"text": "x"}),
    ("zip_code", ["60605"]), ("receipt_number", 12), ("case_class", None), ("channel", True),
])
def test_wrong_types_are_field_errors(customer_api, field, value):
    body = {"request_type": "outside_processing_time", "description": "Where is my card?",
            "receipt_number": "EAC2290123456", field: value}
    response = customer_api.post("/api/v1/service-requests/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
