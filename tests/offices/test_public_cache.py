"""Public directory and jurisdiction answers: ETag, Cache-Control, 304; placeholders never shown as real."""

import pytest

from tests.auth import api_for
from tests.factories import StaffFactory

PUBLIC = [
    "/api/v1/jurisdiction/?zip=60605", "/api/v1/jurisdiction/?country=CN&region=Shanghai", "/api/v1/offices/",
    "/api/v1/offices/CHI/", "/api/v1/contact-channels/", "/api/v1/agencies/",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_answers_carry_an_etag_and_answer_304_when_unchanged(directory, api_client, path):
    first = api_client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and "max-age=60" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"]
    again = api_client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert api_client.get(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_etag_changes_when_the_answer_changes(directory, api_client):
    from offices.models import CountyRule, Office

    before = api_client.get("/api/v1/jurisdiction/?zip=60605")
    rule = CountyRule.objects.get(state="IL", county="Cook")
    rule.office = Office.objects.get(code="MIL")
    rule.save()
    after = api_client.get("/api/v1/jurisdiction/?zip=60605", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after.json()["office"]["code"] == "MIL"


def test_errors_carry_no_etag(directory, api_client):
    response = api_client.get("/api/v1/jurisdiction/?zip=ABCDE")
    assert response.status_code == 400 and not response.has_header("ETag")


def test_signed_in_answers_are_private(directory, api_client):
    api_client = api_for(StaffFactory(role="ncsc_tier1"))
    assert "private" in api_client.get("/api/v1/contact-channels/")["Cache-Control"]


def test_placeholder_channels_are_hidden_from_the_public_api_and_shown_to_staff_marked(directory, api_client):
    public = api_client.get("/api/v1/contact-channels/").json()
    assert public and all(c["value_confirmed"] for c in public)
    assert not [c for c in public if c["value"].endswith("@example.gov") or c["after_hours_email"]]
    office = api_client.get("/api/v1/offices/VSC/").json()
    assert office["channels"] == []  # its two mailboxes are placeholders
    api_client = api_for(StaffFactory(role="office_staff"))
    staff = api_client.get("/api/v1/contact-channels/").json()
    placeholders = {c["code"] for c in staff if not c["value_confirmed"]}
    assert {"vsc-followup", "canada-inquiries", "military-mailbox"} <= placeholders
    military = next(c for c in staff if c["code"] == "military")
    assert military["after_hours_email"] == "militaryinfo.nsc@example.gov"
    assert {c["code"] for c in api_client.get("/api/v1/offices/VSC/").json()["channels"]} == {
        "vsc-followup", "vsc-premium"
    }


def test_addresses_not_confirmed_are_said_so_to_the_public(directory, api_client, client):
    body = api_client.get("/api/v1/offices/MIL/").json()
    assert (body["address_confidence"], body["address_confirmed"]) == ("secondary", False)
    assert "This address is not confirmed" in client.get("/offices/MIL/").content.decode()
