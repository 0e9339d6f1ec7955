"""Issue 15 item 4: the Contact Center desk — its menu, name-only and anonymous contacts where the policy allows,
and an expedite that meets no criterion recorded as not met, with the reason read out to the caller."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from inquiries import rules
from inquiries.models import Inquiry, InquiryChannel
from service_requests.models import ServiceRequest
from tests.auth import api_for, sign_in

BASE = {"channel": "ncsc_phone", "topic": "forms_and_fees", "text": "Which fee for the I-90?"}
# The current (2022) expedite criteria as domain.md §2.1 words them; the caller hears each.
CRITERIA_2022 = ["Severe financial loss", "Emergencies and urgent humanitarian reasons", "Nonprofit",
                 "U.S. government interests", "Clear USCIS error"]


def test_the_agents_menu_links_to_their_inquiries_and_the_requests_they_filed(agent, client):
    sign_in(client, agent)
    html = client.get("/staff/inquiries/new/").content.decode()
    assert 'href="/staff/inquiries/mine/"' in html and ">My inquiries<" in html
    assert 'href="/service-requests/"' in html and ">Requests I filed<" in html
    page = client.get("/service-requests/").content.decode()
    assert "<h1>Requests I filed</h1>" in page and "You have filed no service requests yet." in page


def test_requests_i_filed_lists_the_agents_filings_with_the_caller(agent, client):
    from service_requests import services as sr_services

    filed = sr_services.service_request_file(actor=agent, request_type="card_not_received",
                                             receipt_number="EAC2290000009", description="x", contact_name="Tomás Ruiz",
                                             contact_email="tr@example.org", channel="phone")
    sign_in(client, agent)
    html = client.get("/service-requests/").content.decode()
    assert filed.reference_number in html and "Tomás Ruiz" in html


def test_a_name_only_inquiry_on_the_page_appears_in_my_inquiries_and_the_reports(agent, other_agent, client):
    sign_in(client, agent)
    response = client.post("/staff/inquiries/new/", {**BASE, "contact_name": "Rosa"})
    assert response.status_code == 302, response.content.decode()[:2000]
    inquiry = Inquiry.objects.get()
    assert (inquiry.contact_name, inquiry.contact_email, inquiry.contact_phone, inquiry.customer) == ("Rosa", "", "", None)
    mine = client.get("/staff/inquiries/mine/").content.decode()
    assert f'href="/staff/inquiries/{inquiry.pk}/"' in mine and "Rosa" in mine and "name only" in mine
    reports = client.get("/staff/inquiries/reports/").content.decode()
    table = reports.split('id="contact-kinds"')[1].split("</table>")[0]
    assert "<th scope=\"row\">Contact Center phone</th><td>0</td><td>0</td><td>1</td><td>0</td>" in table
    sign_in(client, other_agent)
    assert f'href="/staff/inquiries/{inquiry.pk}/"' not in client.get("/staff/inquiries/mine/").content.decode()


@pytest.mark.parametrize("extra, allowed", [
    ({}, False),  # nobody named, a general question on the phone
    ({"is_case_specific": "on", "contact_name": "Rosa"}, False),  # about a case: a way to answer is needed
    ({"is_case_specific": "on", "contact_name": "Rosa", "contact_phone": "312-555-0100"}, True),
    ({"misconduct_alleged": "on", "text": "An officer asked me for money."}, True),  # anonymous misconduct report
    ({"channel": "outreach_event"}, True),  # anonymous at an outreach event
    ({"channel": "outreach_event", "is_case_specific": "on"}, False),  # not a case question, anonymously
])
def test_who_must_be_named(agent, client, extra, allowed):
    sign_in(client, agent)
    response = client.post("/staff/inquiries/new/", {**BASE, **extra})
    assert (response.status_code == 302) is allowed, response.content.decode()[:500]
    assert Inquiry.objects.exists() is allowed
    if not allowed:
        html = response.content.decode()
        assert response.status_code == 400
        assert ("Give at least the person&#x27;s name" in html) is (not extra.get("is_case_specific")
                                                                    and extra.get("channel") != "outreach_event")


def test_anonymous_misconduct_on_the_api(agent):
    body = api_for(agent).post("/api/v1/inquiries/", {
        "channel": "ncsc_phone", "topic": "other", "misconduct_alleged": True, "text": "Rude officer."}, format="json")
    assert body.status_code == 201 and body.json()["anonymous"] is True and body.json()["triage"] == "complaint"
    refused = api_for(agent).post("/api/v1/inquiries/", {"channel": "ncsc_phone", "topic": "other"}, format="json")
    assert refused.status_code == 400 and "contact_name" in refused.json()


def test_an_expedite_meeting_no_criterion_is_recorded_as_not_met_and_read_out(agent, client):
    sign_in(client, agent)
    form = client.get("/staff/inquiries/new/").content.decode()
    assert "None of these: record the request as not met" in form
    response = client.post("/staff/inquiries/new/", {
        "channel": "ncsc_phone", "topic": "expedite", "contact_name": "Li Wei", "contact_phone": "312-555-0101",
        "receipt_number": "EAC2290123456", "is_case_specific": "on", "expedite_criterion": "none",
        "expedite_evidence": "Wants the card before a vacation."})
    assert response.status_code == 302, response.content.decode()[:2000]
    inquiry = Inquiry.objects.get()
    assert inquiry.expedite_met is False and inquiry.expedite_criterion is None and inquiry.service_request is None
    assert not ServiceRequest.objects.exists()
    detail = client.get(response["Location"]).content.decode()
    script = detail.split('id="expedite-not-met"')[1].split("</div></div>")[0]
    assert "Read this to the caller" in script and "does not meet any of the criteria" in script
    for criterion in CRITERIA_2022:
        assert criterion in script
    assert "Wants the card before a vacation." in script
    mine = client.get("/staff/inquiries/mine/").content.decode()
    assert f'href="/staff/inquiries/{inquiry.pk}/"' in mine and "no criterion met" in mine
    reports = client.get("/staff/inquiries/reports/").content.decode()
    table = reports.split('id="expedites"')[1].split("</table>")[0]
    assert "<th scope=\"row\">Contact Center phone</th><td>0</td><td>1</td>" in table


def test_not_met_needs_what_the_caller_described(agent):
    refused = api_for(agent).post("/api/v1/inquiries/", {
        "channel": "ncsc_phone", "topic": "expedite", "contact_name": "Li Wei", "contact_phone": "1",
        "expedite_criterion": "none"}, format="json")
    assert refused.status_code == 400 and "expedite_evidence" in refused.json()
    assert not Inquiry.objects.exists()


def test_met_and_not_met_on_the_api_and_my_inquiries_filter(agent, other_agent):
    client = api_for(agent)
    met = client.post("/api/v1/inquiries/", {
        "channel": "ncsc_phone", "topic": "expedite", "contact_name": "Li Wei", "contact_email": "li@example.com",
        "receipt_number": "EAC2290123456", "expedite_criterion": "uscis-error", "expedite_evidence": "Wrong name"},
        format="json").json()
    assert met["expedite_met"] is True and met["service_request"]
    not_met = client.post("/api/v1/inquiries/", {
        "channel": "ncsc_phone", "topic": "expedite", "contact_name": "Li Wei", "contact_email": "li@example.com",
        "expedite_criterion": "none", "text": "Wants it sooner."}, format="json").json()
    assert not_met["expedite_met"] is False and not_met["service_request"] is None
    assert not_met["outcome"].startswith("Your request does not meet any of the criteria")
    api_for(other_agent).post("/api/v1/inquiries/", {**BASE, "contact_name": "Rosa"}, format="json")
    mine = client.get("/api/v1/inquiries/?mine=true").json()["results"]
    assert {row["id"] for row in mine} == {met["id"], not_met["id"]}
    assert len(client.get("/api/v1/inquiries/").json()["results"]) == 3  # the office's


def test_my_inquiries_query_count_does_not_grow(agent, client, record):
    sign_in(client, agent)
    client.get("/staff/inquiries/mine/")
    counts = []
    for batch in (1, 19):
        for i in range(batch):
            record(contact_name=f"Caller {i}", contact_email="", channel="outreach_event", topic="forms_and_fees")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/staff/inquiries/mine/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@given(channel=st.sampled_from([c for c, _label in InquiryChannel.choices]), case=st.booleans(),
       misconduct=st.booleans(), account=st.booleans(), name=st.sampled_from(["", "Rosa"]),
       email=st.sampled_from(["", "r@example.com"]), phone=st.sampled_from(["", "312"]))
def test_contact_rule_properties(channel, case, misconduct, account, name, email, phone):
    missing = rules.contact_missing(channel=channel, is_case_specific=case, misconduct_alleged=misconduct,
                                    has_account=account, name=name, email=email, phone=phone)
    if account or (name and (email or phone)):
        assert missing is None  # an account, or a name with a way to answer, is always enough
    if misconduct:
        assert missing is None  # misconduct may always be reported anonymously
    if case and not misconduct and not account and not (email or phone) and channel != "self_service":
        assert missing is not None  # a case question needs a way to answer
    if not case and name:
        assert missing is None  # a name alone does for a general question
