from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import api_for
from tests.factories import OfficeFactory

CHICAGO = ZoneInfo("America/Chicago")


def test_office_list_is_public_paginated_and_filterable(directory, api_client):
    body = api_client.get("/api/v1/offices/").json()
    assert body["count"] > 50 and len(body["results"]) == 20 and body["next"]
    first = body["results"][0]
    assert {"code", "name", "type", "city", "state", "country", "receipt_prefixes"} <= set(first)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=service_center", {"CSC", "VSC", "NSC", "TSC", "PSC"}),
        ("type=international_field_office&country=ca", set()),
        ("country=CN", {"BEJ", "GUZ"}),
        ("state=il&type=field_office", {"CHI"}),
        ("search=houston", {"HOU", "ZHN"}),
        ("search=vsc", {"VSC"}),
    ],
)
def test_office_filters(directory, api_client, query, expected):
    body = api_client.get(f"/api/v1/offices/?{query}&page_size=100").json()
    assert {o["code"] for o in body["results"]} == expected


@pytest.mark.parametrize("query", ["type=castle", "state=ZZ", "country=XX"])
def test_office_filters_refuse_unknown_values(directory, api_client, query):
    response = api_client.get(f"/api/v1/offices/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_page_size_is_capped_at_100(directory, api_client):
    for n in range(60):
        OfficeFactory(code=f"X{chr(65 + n // 26)}{chr(65 + n % 26)}")
    body = api_client.get("/api/v1/offices/?page_size=1000").json()
    assert len(body["results"]) == 100


def test_office_list_query_count_does_not_grow_with_page_size(directory, api_client):
    counts = []
    for size in (1, 10, 100):
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(f"/api/v1/offices/?page_size={size}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2] <= 3


def test_office_detail_by_code(directory, api_client):
    body = api_client.get("/api/v1/offices/vsc/").json()
    assert body["code"] == "VSC" and body["receipt_prefixes"] == ["EAC", "VSC"]
    assert body["channels"] == []  # its mailboxes are placeholders, hidden from the public (staff see them)


def test_unknown_office_is_404(directory, api_client):
    response = api_client.get("/api/v1/offices/NOPE/")
    assert response.status_code == 404
    assert "NOPE" in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "office"), [("zip=60605", "CHI"), ("zip=77067", "HOU"), ("country=CA", "MEX"), ("zip=10278-0001", "NYC")]
)
def test_jurisdiction(directory, api_client, query, office):
    response = api_client.get(f"/api/v1/jurisdiction/?{query}")
    assert response.status_code == 200
    assert response.json()["office"]["code"] == office


def test_jurisdiction_gives_contact_details(directory, api_client):
    body = api_client.get("/api/v1/jurisdiction/?zip=60605").json()
    assert body["office"]["address_line1"] == "101 West Congress Parkway"
    assert body["asylum_office"]["code"] == "ZCH"
    assert [line["display_value"] for line in body["phone_lines"]] == ["1-800-375-5283", "1-800-767-1833"]
    canada = api_client.get("/api/v1/jurisdiction/?country=CA").json()
    assert canada["office"]["code"] == "MEX"
    assert not [line for line in canada["phone_lines"] if line["value"].endswith("@example.gov")]


@pytest.mark.parametrize(
    ("query", "field"),
    [("zip=ABCDE", "zip"), ("zip=1234", "zip"), ("country=XX", "country"), ("country=CAN", "country"),
     ("country=US", "country"), ("", "zip"), ("zip=60605&country=CA", "zip")],
)
def test_jurisdiction_bad_input_is_400_with_field_errors(directory, api_client, query, field):
    response = api_client.get(f"/api/v1/jurisdiction/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(("query", "text"), [("zip=09001", "Military Help Line"), ("country=FR", "embassy")])
def test_jurisdiction_nobody_serves_is_a_stated_answer(directory, api_client, query, text):
    """APO/FPO and countries without an office: what to do instead, not a 404 (the old answer)."""
    response = api_client.get(f"/api/v1/jurisdiction/?{query}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "no_office" and body["office"] is None and text in body["message"]


def test_jurisdiction_for_a_zip_not_in_the_database_is_404(directory, api_client):
    response = api_client.get("/api/v1/jurisdiction/?zip=00000")
    assert response.status_code == 404
    assert response.json()["detail"]


def _military(api_client):
    channels = api_client.get("/api/v1/contact-channels/?audience=military&kind=phone").json()
    (military,) = channels
    return military


@pytest.mark.parametrize(
    ("local", "open_now"),
    [
        (datetime(2026, 12, 1, 10, 0), True),  # Tuesday 10:00 Central
        (datetime(2026, 12, 1, 16, 31), False),  # after 16:30
        (datetime(2026, 11, 26, 10, 0), False),  # Thanksgiving
        (datetime(2026, 7, 3, 10, 0), False),  # observed Independence Day (July 4 is a Saturday)
        (datetime(2026, 3, 10, 8, 30), True),  # the Tuesday after the spring DST change
        (datetime(2026, 11, 3, 16, 45), False),  # the Tuesday after the autumn change
        # Either side of each change, times whose answer flips if CST and CDT are swapped (±1 hour):
        (datetime(2026, 3, 6, 16, 0), True),  # Friday before spring, CST; would read 17:00 under CDT
        (datetime(2026, 3, 6, 7, 30), False),  # Friday before spring, CST; would read 08:30 under CDT
        (datetime(2026, 3, 9, 8, 15), True),  # Monday after spring, CDT; would read 07:15 under CST
        (datetime(2026, 3, 9, 16, 45), False),  # Monday after spring, CDT; would read 15:45 under CST
        (datetime(2026, 10, 30, 8, 15), True),  # Friday before autumn, CDT; would read 07:15 under CST
        (datetime(2026, 10, 30, 16, 45), False),  # Friday before autumn, CDT; would read 15:45 under CST
        (datetime(2026, 11, 2, 16, 0), True),  # Monday after autumn, CST; would read 17:00 under CDT
        (datetime(2026, 11, 2, 7, 30), False),  # Monday after autumn, CST; would read 08:30 under CDT
    ],
)
def test_military_line_open_now_with_a_frozen_clock(directory, api_client, local, open_now):
    with time_machine.travel(local.replace(tzinfo=CHICAGO), tick=False):
        military = _military(api_client)
    assert military["open_now"] is open_now
    assert military["after_hours_email"] == ""  # a placeholder until confirmed
    assert military["time_zone"] == "America/Chicago"


def test_contact_channels_query_count_is_constant(directory, api_client):
    from tests.factories import StaffFactory

    api_client = api_for(StaffFactory(role="ncsc_tier1"))  # staff see every channel, placeholders too
    with CaptureQueriesContext(connection) as ctx:
        body = api_client.get("/api/v1/contact-channels/").json()
    assert len(body) > 20
    # The token (with its user), the channels, their hours: no query per channel.
    assert len(ctx.captured_queries) <= 4
    assert sum("offices_channelhours" in q["sql"] for q in ctx.captured_queries) == 1


def test_agencies_list_topics(directory, api_client):
    body = api_client.get("/api/v1/agencies/").json()
    by_code = {a["code"]: a for a in body}
    assert "I-94" in " ".join(t["label"] for t in by_code["cbp"]["topics"])
    assert by_code["eoir"]["phone"].startswith("1-800-898-7180")


def test_schema_and_docs_are_served(directory, api_client):
    schema = api_client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/offices/", "/api/v1/jurisdiction/", "/api/v1/contact-channels/", "/api/v1/agencies/",
                 "/api/v1/auth/register/", "/api/v1/auth/token/"):
        assert path in text
    assert api_client.get("/api/docs/").status_code == 200
