"""Issue 14: the stored dates are the one source of truth, the whole ladder for every holder, answer
targets (§D.4), closure days, and one unanswered request per customer, receipt and type."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from core.errors import Conflict
from offices.models import CASE_HOLDING_TYPES, AgencyClosure, ContactChannel, Office, OfficeType
from service_requests import services, sweep
from service_requests.models import AnswerTarget, Escalation, EscalationPolicy
from tests.auth import api_for, sign_in
from tests.factories import CustomerFactory

ET = ZoneInfo("America/New_York")
FILED = datetime(2026, 11, 27, 10, tzinfo=ET)  # window 1 opens 12 December 2026 under 15 calendar days
OPENS = datetime(2026, 12, 12, tzinfo=ET)


def emails(kind: str) -> list[tuple[str, str]]:
    """(subject, body) of each owed e-mail of this kind, rendered as the worker renders it."""
    from core.models import Notification
    from core.notifications import context_load, notification_render

    return [notification_render(template=row.template, context=context_load(row.context), language=row.language)
            for row in Notification.objects.filter(kind=f"service_request.{kind}").order_by("pk")]


def api(user) -> APIClient:
    return api_for(user)


@pytest.fixture
def filed(file_request):
    with time_machine.travel(FILED, tick=False):
        return file_request()


def test_a_policy_edit_after_filing_moves_nothing_page_api_refusal_sweep_and_email_agree(filed, maria, client):
    """Filed under 15 days; the admin then sets 30. Day 15 is still the day, on every door."""
    EscalationPolicy.objects.create(window1_days=30, window2_days=40)
    ref = filed.reference_number
    with time_machine.travel(OPENS - timedelta(microseconds=1), tick=False):
        early = api(maria).post(f"/api/v1/service-requests/{ref}/service-center-inquiry/", {}, format="json")
        assert sweep.escalation_sweep().window1_opened == 0
    assert early.status_code == 409 and early.json()["opens_on"] == "2026-12-12"
    with time_machine.travel(OPENS, tick=False):
        detail = api(maria).get(f"/api/v1/service-requests/{ref}/").json()["escalation"]
        sign_in(client, maria)
        page = client.get(f"/service-requests/{ref}/").content.decode()
        moved = sweep.escalation_sweep()
    assert detail["window1_opens_at"].startswith("2026-12-12T00:00:00")
    assert detail["window1_days"] == 15 and detail["can_write_to_service_center"] is True
    assert "You may write to the Vermont Service Center from 12 December 2026" in page
    assert moved.window1_opened == 1 and moved.notifications_owed == 1
    [(_subject, filed_body)] = emails("filed")
    assert "within 15 calendar days (by 12 December 2026)" in filed_body
    [(window_subject, window_body)] = emails("window1_open")
    assert ref in window_subject and "You may now send an inquiry to the Vermont Service Center" in window_body
    with time_machine.travel(OPENS + timedelta(hours=9), tick=False):
        sent = api(maria).post(f"/api/v1/service-requests/{ref}/service-center-inquiry/", {}, format="json")
    assert sent.status_code == 200
    # Window 2 follows the terms the request was filed under (21 days), not the edited 40.
    assert sent.json()["escalation"]["window2_opens_at"].startswith("2027-01-02T00:00:00")


def test_requests_filed_after_the_edit_get_the_new_terms(maria, file_request):
    EscalationPolicy.objects.create(window1_days=10, window1_kind="business")
    with time_machine.travel(FILED, tick=False):
        request = file_request()
    escalation = Escalation.objects.get(request=request)
    assert (escalation.window1_days, escalation.window1_kind) == (10, "business")
    assert escalation.window1_opens_at.date() == date(2026, 12, 11)  # 10 business days, Thanksgiving skipped
    assert "within 10 business days (by 11 December 2026)" in emails("filed")[-1][1]


def test_the_admin_says_an_edit_applies_to_requests_filed_afterwards(admin_client, directory):
    html = admin_client.get("/admin/service_requests/escalationpolicy/add/").content.decode()
    assert "Applies to requests filed after the change." in html


def test_an_agency_closure_day_is_not_a_business_day_for_windows_and_targets(maria, file_request):
    """9 January 2025 (a national day of mourning) is not in the holidays package's calendar."""
    EscalationPolicy.objects.create(window1_days=1, window1_kind="business")
    filed_on = datetime(2025, 1, 8, 10, tzinfo=ET)
    with time_machine.travel(filed_on, tick=False):
        before = file_request()
    AgencyClosure.objects.create(date=date(2025, 1, 9), reason="National day of mourning")
    with time_machine.travel(filed_on, tick=False):
        after = file_request(request_type="card_not_received")
    assert before.escalation.window1_opens_at.date() == date(2025, 1, 9)
    assert after.escalation.window1_opens_at.date() == date(2025, 1, 10)  # the closure is skipped


def test_appointments_have_no_slots_on_an_agency_closure_day(directory):
    from offices.selectors import office_closed_days

    chicago = Office.objects.get(code="CHI")
    AgencyClosure.objects.create(date=date(2025, 1, 9), reason="National day of mourning")
    closed = office_closed_days(chicago, date(2025, 1, 8), date(2025, 1, 10))
    assert date(2025, 1, 9) in closed and not {date(2025, 1, 8), date(2025, 1, 10)} & closed


def test_an_answered_request_lets_the_customer_file_a_new_one_of_the_same_type(filed, maria, vsc_staff):
    with pytest.raises(Conflict):
        services.service_request_file(actor=maria, request_type=filed.request_type, receipt_number=filed.receipt_number,
                                      description="Again")
    services.service_request_respond(actor=vsc_staff, reference_number=filed.reference_number, body="Done")
    response = api(maria).post("/api/v1/service-requests/", {
        "request_type": filed.request_type, "receipt_number": filed.receipt_number, "description": "Still waiting",
    }, format="json")
    assert response.status_code == 201
    again = api(maria).post("/api/v1/service-requests/", {
        "request_type": filed.request_type, "receipt_number": filed.receipt_number, "description": "Twice",
    }, format="json")
    assert again.status_code == 409 and again.json()["reference_number"] == response.json()["reference_number"]


def test_the_queue_shows_due_and_overdue_against_the_types_target_and_a_transfer_keeps_it(
    file_request, maria, vsc_staff, nsc_staff, client,
):
    AnswerTarget.objects.create(request_type="card_not_received", business_days=5)
    with time_machine.travel(FILED, tick=False):  # Friday 27 November 2026
        card = file_request(request_type="card_not_received")
        other = file_request()
    assert card.escalation.answer_due_on == date(2026, 12, 4)  # 5 business days
    assert other.escalation.answer_due_on == date(2026, 12, 18)  # the default, 15 business days
    services.service_request_transfer(actor=vsc_staff, reference_number=card.reference_number, to_office="NSC",
                                      reason="Card produced in Lincoln")
    with time_machine.travel(datetime(2026, 12, 5, 9, tzinfo=ET), tick=False):
        rows = {r["reference_number"]: r for r in api(nsc_staff).get("/api/v1/service-requests/").json()["results"]}
        assert rows[card.reference_number]["answer_overdue"] is True
        assert rows[card.reference_number]["answer_due_at"].startswith("2026-12-05T00:00:00")
        vsc = api(vsc_staff).get("/api/v1/service-requests/").json()["results"]
        assert [(r["reference_number"], r["answer_overdue"]) for r in vsc] == [(other.reference_number, False)]
        sign_in(client, nsc_staff)
        page = client.get("/staff/service-requests/").content.decode()
        sign_in(client, vsc_staff)
        vsc_page = client.get("/staff/service-requests/").content.decode()
        sign_in(client, vsc_staff)
        dashboard = client.get("/staff/dashboard/").content.decode()
    assert "Overdue</span> 4 December 2026" in page
    assert "Due</span> 18 December 2026" in vsc_page
    assert 'id="timeliness-VSC"><th scope="row">VSC</th><td>1</td><td>0</td>' in dashboard


def test_the_dashboard_counts_overdue_per_office(file_request, maria, directory):
    from core.models import Role
    from tests.factories import UserFactory

    admin = UserFactory(username="root", role=Role.ADMIN)
    AnswerTarget.objects.create(request_type="card_not_received", business_days=1)
    with time_machine.travel(FILED, tick=False):
        file_request(request_type="card_not_received")
        file_request()
    from service_requests import dashboard, selectors

    with time_machine.travel(datetime(2026, 12, 2, tzinfo=ET), tick=False):
        rows = dashboard.timeliness_by_office(selectors.service_request_list_for_user(admin), now=datetime.now(ET))
    assert [(r.office, r.unanswered, r.overdue) for r in rows] == [("VSC", 2, 1)]


def _held_by(office: Office, maria, vsc_staff, file_request):
    with time_machine.travel(FILED, tick=False):
        request = file_request(request_type="other", receipt_number="", description=f"At {office.code}")
    if office.code != request.current_office.code:
        request.current_office = office
        request.save(update_fields=["current_office"])
    return request


def _published(office: Office) -> bool:
    return bool(office.phone) or ContactChannel.objects.filter(office=office, is_active=True).exists()


@pytest.mark.parametrize("office_type", sorted([*CASE_HOLDING_TYPES, OfficeType.INTERNATIONAL_FIELD_OFFICE]))
def test_every_holder_type_gets_its_whole_ladder_and_never_an_office_without_a_channel(
    office_type, maria, vsc_staff, file_request,
):
    for office in Office.objects.filter(office_type=office_type):
        request = _held_by(office, maria, vsc_staff, file_request)
        with time_machine.travel(FILED + timedelta(days=1), tick=False):
            steps = api(maria).get(f"/api/v1/service-requests/{request.reference_number}/").json()["escalation"]["steps"]
        keys = [s["key"] for s in steps]
        if office_type == OfficeType.SERVICE_CENTER:
            assert keys == ["service_center", "hq", "ombudsman"], office.code
        else:
            assert keys == ["contact_center", "ombudsman"], office.code
            assert "1-800-375-5283" in steps[0]["how"] and request.reference_number in steps[0]["how"]
        # Each step's date is shown before it opens; the Ombudsman's is 60 days after the request.
        assert steps[0]["state"] == "upcoming" and steps[0]["opens_at"].startswith("2026-12-12")
        assert steps[-1]["opens_at"].startswith("2027-01-26") and "Form 7001" in steps[-1]["how"]
        for step in steps:
            assert "Contact that office" not in step["how"]
            if office.name in step["how"] and "publishes no" not in step["how"]:
                assert _published(office) or step["in_portal"], (office.code, step)


def test_a_field_office_request_page_and_window_email_show_the_contact_center(file_request, maria, client):
    chicago = Office.objects.get(code="CHI")
    with time_machine.travel(FILED, tick=False):
        request = file_request(request_type="other", receipt_number="")  # Maria's ZIP: Chicago
    assert request.current_office == chicago
    assert "you may follow up through the USCIS Contact Center" in emails("filed")[-1][1]
    sign_in(client, maria)
    with time_machine.travel(OPENS, tick=False):
        html = client.get(f"/service-requests/{request.reference_number}/").content.decode()
        sweep.escalation_sweep()
    assert "You may follow up through the USCIS Contact Center" in html
    assert "1-800-375-5283" in html and "Send my follow-up" in html
    [(_subject, window)] = emails("window1_open")
    assert "follow up through the USCIS Contact Center (1-800-375-5283" in window
    assert "publishes no inquiry phone or e-mail" in window


def test_policy_may_give_other_holders_the_hq_step(file_request, maria):
    EscalationPolicy.objects.create(hq_for_all_holders=True)
    with time_machine.travel(FILED, tick=False):
        request = file_request(request_type="other", receipt_number="")
    with time_machine.travel(OPENS, tick=False):
        sent = api(maria).post(f"/api/v1/service-requests/{request.reference_number}/service-center-inquiry/", {},
                               format="json").json()
    assert [s["key"] for s in sent["escalation"]["steps"]] == ["contact_center", "hq", "ombudsman"]
    assert sent["escalation"]["window2_opens_at"].startswith("2027-01-02")


def test_the_ombudsman_step_opens_after_60_days_and_lapses_90_days_after_the_last_contact(filed, maria):
    def ombudsman(at: datetime) -> dict:
        with time_machine.travel(at, tick=False):
            body = api(maria).get(f"/api/v1/service-requests/{filed.reference_number}/").json()
        return body["escalation"]["steps"][-1]

    assert ombudsman(datetime(2027, 1, 25, 23, tzinfo=ET))["state"] == "upcoming"
    assert ombudsman(datetime(2027, 1, 26, tzinfo=ET))["state"] == "open"
    assert ombudsman(datetime(2027, 2, 25, 23, tzinfo=ET))["state"] == "open"  # day 90 since the request
    lapsed = ombudsman(datetime(2027, 2, 26, tzinfo=ET))
    assert lapsed["state"] == "lapsed" and lapsed["until"].startswith("2027-02-26")


def test_run_escalations_as_of_dates_outbox_rows_when_written(filed, maria):
    from core.models import Notification

    with time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=ET), tick=False):
        call_command("run_escalations", "--as-of", "2027-03-01T00:00:00-05:00")
        row = Notification.objects.get(kind="service_request.window1_open")
    assert row.created_at == datetime(2026, 11, 30, 12, tzinfo=ET)


def test_another_customer_is_unaffected_by_the_duplicate_rule(filed, directory):
    ana = CustomerFactory(username="ana@example.com")
    again = services.service_request_file(actor=ana, request_type=filed.request_type,
                                          receipt_number=filed.receipt_number, description="Mine")
    assert again.pk != filed.pk


def test_requests_filed_before_targets_get_the_default_one(directory):
    import importlib

    from django.apps import apps

    from service_requests.windows import answer_due
    from tests.service_requests.bulk import bulk_requests

    bulk_requests(3, created=FILED)
    assert not Escalation.objects.filter(answer_due_at__isnull=False).exists()
    importlib.import_module("service_requests.migrations.0005_backfill_answer_due").backfill(apps, None)
    assert set(Escalation.objects.values_list("answer_due_at", flat=True)) == {answer_due(FILED, 15)}
