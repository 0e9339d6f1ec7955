"""GET /api/v1/jurisdiction/: a plain GET is answered without DRF's machinery, with the same bytes and headers.

`Accept: application/*` still picks the JSON renderer but goes the whole way through DRF (content
negotiation, authenticators, Response, finalize_response): the two answers must be identical.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.views import APIView

from tests.auth import sign_in
from tests.factories import StaffFactory

API = "/api/v1/jurisdiction/"
QUERIES = ["zip=60605", "zip=10278-0001", "zip=09001", "country=CA", "country=CN&region=Shanghai", "country=FR"]
THROUGH_DRF = {"HTTP_ACCEPT": "application/*"}


def _seen(response) -> tuple[int, bytes, list[tuple[str, str]]]:
    return response.status_code, response.content, [(k, v) for k, v in response.items() if k != "X-Request-ID"]


@pytest.fixture
def drf_initial_calls(monkeypatch):
    """How many requests went through DRF's `initial()` (authentication, permissions, throttles, negotiation)."""
    calls: list[str] = []
    initial = APIView.initial

    def counting(self, request, *args, **kwargs):
        calls.append(request.path)
        return initial(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", counting)
    return calls


@pytest.mark.parametrize("query", QUERIES)
def test_a_plain_get_answers_what_drf_answers_byte_for_byte(directory, client, drf_initial_calls, query):
    plain = client.get(f"{API}?{query}")
    assert drf_initial_calls == []  # answered without DRF's per-request machinery
    through_drf = client.get(f"{API}?{query}", **THROUGH_DRF)
    assert drf_initial_calls == [API]
    assert plain.status_code == 200
    assert _seen(plain) == _seen(through_drf)
    assert plain["Content-Type"] == "application/json" and "public" in plain["Cache-Control"]


def test_a_plain_get_runs_no_query_and_answers_304_to_its_etag(directory, client, drf_initial_calls):
    client.get(f"{API}?zip=60605")  # the index is built on the first request
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(f"{API}?zip=77067")
        again = client.get(f"{API}?zip=77067", HTTP_IF_NONE_MATCH=first["ETag"])
    assert len(ctx.captured_queries) == 0
    assert first.status_code == 200 and first.json()["office"]["code"] == "HOU"
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"] and again["Vary"] == first["Vary"]
    assert drf_initial_calls == []


def test_staff_signed_in_see_placeholder_lines_privately_as_through_drf(directory, client, drf_initial_calls):
    public = client.get(f"{API}?country=CA")
    assert not [line for line in public.json()["phone_lines"] if not line["value_confirmed"]]
    sign_in(client, StaffFactory(role="office_staff"))
    drf_initial_calls.clear()
    staff = client.get(f"{API}?country=CA")
    assert drf_initial_calls == []
    assert "private" in staff["Cache-Control"]
    assert "canada-inquiries" in {line["code"] for line in staff.json()["phone_lines"] if not line["value_confirmed"]}
    assert _seen(staff) == _seen(client.get(f"{API}?country=CA", **THROUGH_DRF))


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [("zip=ABCDE", 400, "zip"), ("zip=60605&country=CA", 400, "zip"), ("country=XX", 400, "country"),
     ("zip=00000", 404, "detail"), ("", 400, "zip")],
)
def test_what_the_plain_path_cannot_answer_goes_through_drf(directory, client, drf_initial_calls, query, status, field):
    response = client.get(f"{API}?{query}")
    assert response.status_code == status and field in response.json()
    assert drf_initial_calls == [API]
    assert not response.has_header("ETag")


@pytest.mark.parametrize("headers", [{"HTTP_AUTHORIZATION": "Token nope"}, {"HTTP_ACCEPT": "text/html"}])
def test_tokens_and_other_media_types_go_through_drf(directory, client, drf_initial_calls, headers):
    response = client.get(f"{API}?zip=60605", **headers)
    assert drf_initial_calls == [API]
    assert response.status_code in (200, 401)
    assert response["Content-Type"].startswith("text/html" if "HTTP_ACCEPT" in headers else "application/json")


def test_zips_that_share_an_office_each_get_their_own_place_county_and_message(directory, client):
    """The offices and lines of an answer are kept once for every ZIP they serve; the ZIP's own fields are not."""
    chicago, evanston = client.get(f"{API}?zip=60605").json(), client.get(f"{API}?zip=60201").json()
    assert chicago["office"] == evanston["office"] and chicago["office"]["code"] == "CHI"
    assert (chicago["place"], chicago["city"]) == ("60605", "Chicago")
    assert (evanston["place"], evanston["city"]) == ("60201", "Evanston")
    # Two Miami ZIPs the ZIP database gives no county (coverage.md): the same candidates, each message its own ZIP.
    first, second = (client.get(f"{API}?zip={z}").json() for z in ("33106", "33191"))
    assert first["status"] == second["status"] == "choose" and first["reason"] == "no_county"
    assert first["candidates"] == second["candidates"] and len(first["candidates"]) > 1
    assert "33106" in first["message"] and "33191" in second["message"] and "33191" not in first["message"]


def test_the_rules_research_citation_is_for_staff_only(directory, client):
    """The reference cites each rule's source ("analyst recollection … (not re-verified)"): staff see it, the public not."""
    from offices.models import CountyRule

    cited = CountyRule.objects.exclude(source="").select_related("office").filter(state="IL", county__iexact="Cook").first()
    assert cited is not None and cited.office.code == "CHI"
    public = client.get(f"{API}?zip=60605")
    assert public.json()["confidence"] and public.json()["source"] == ""
    assert _seen(public) == _seen(client.get(f"{API}?zip=60605", **THROUGH_DRF))
    sign_in(client, StaffFactory(role="office_staff"))
    assert client.get(f"{API}?zip=60605").json()["source"] == cited.source
