from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from service_requests import dashboard, selectors, services
from tests.auth import sign_in
from tests.html import assert_accessible_outline

ET = ZoneInfo("America/New_York")


def test_dashboard_counts_stages_windows_and_draws_charts(file_request, maria, vsc_staff, client):
    with time_machine.travel(datetime(2026, 11, 1, 10, tzinfo=ET), tick=False):
        old = file_request()
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=ET), tick=False):
        soon = file_request(request_type="card_not_received")
        answered = file_request(request_type="notice_not_received")
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=ET), tick=False):
        services.service_request_respond(actor=vsc_staff, reference_number=answered.reference_number, body="ok")
    with time_machine.travel(datetime(2026, 11, 28, 10, tzinfo=ET), tick=False):
        services.service_request_service_center_inquiry(actor=maria, reference_number=old.reference_number)
        sign_in(client, vsc_staff)
        response = client.get("/staff/dashboard/")
        scope = selectors.service_request_list_for_user(vsc_staff).order_by()
        soon_refs = [sr.reference_number for sr in dashboard.opening_soon(scope, now=datetime(2026, 11, 28, tzinfo=ET))]
    html = response.content.decode()
    assert response.status_code == 200
    assert_accessible_outline(html)
    assert soon_refs == [soon.reference_number]  # window 1 opens 5 December
    stages = dict((code, n) for code, _label, n in dashboard.stage_counts(scope))
    assert stages["waiting"] == 1 and stages["sc_inquiry_sent"] == 1 and stages["answered"] == 1
    assert '<svg role="img"' in html and "<rect" in html and "Average days to first response" in html
    responses = dashboard.first_response_by_office(scope)
    assert [(r.office, r.answered, round(r.mean_days)) for r in responses] == [("VSC", 1, 3)]


def test_dashboard_queries_do_not_grow_with_requests(file_request, vsc_staff, client):
    sign_in(client, vsc_staff)
    file_request()
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/dashboard/")
    for kind in ("card_not_received", "notice_not_received", "typographic_error", "expedite"):
        file_request(request_type=kind)
    with CaptureQueriesContext(connection) as more:
        client.get("/staff/dashboard/")
    assert len(few.captured_queries) == len(more.captured_queries)


def test_customers_cannot_see_the_dashboard(maria, client):
    sign_in(client, maria)
    assert client.get("/staff/dashboard/").status_code == 403
