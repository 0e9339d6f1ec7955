import pytest
from django.core.management import CommandError, call_command

from service_requests.models import EventKind, ServiceRequest, Stage

pytestmark = pytest.mark.django_db


def test_demo_requests_fill_the_queues_once_and_open_the_old_ones_window(demo_accounts, capsys):
    call_command("seed_demo_requests")
    call_command("seed_demo_requests")

    requests = {r.receipt_number: r for r in ServiceRequest.objects.select_related("current_office", "escalation")}
    assert sorted(requests) == ["EAC2690012345", "EAC2690020001", "EAC2690054321", "LIN2690011111", "LIN2690020003",
                                "SRC2690020004", "SRC2690020005", "WAC2690020002", "WAC2690020006"]
    assert {r.current_office.code for r in requests.values()} == {"VSC", "NSC", "CSC", "TSC"}
    assert requests["EAC2690012345"].escalation.stage == Stage.WINDOW1_OPEN  # filed 30 days ago
    assert requests["EAC2690054321"].escalation.stage == Stage.WAITING
    phoned = requests["LIN2690011111"]
    assert phoned.customer.username == "jean@example.com" and phoned.created_by.username == "agent"
    note = requests["EAC2690054321"].events.get(kind=EventKind.NOTE)
    assert note.visible_to_customer is False
    out = capsys.readouterr().out
    assert out.count(requests["EAC2690012345"].reference_number) == 2


def test_demo_requests_need_the_demo_accounts(directory, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_requests")
    assert not ServiceRequest.objects.exists()


def test_demo_requests_refused_without_debug(demo_accounts, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo_requests")
    assert not ServiceRequest.objects.exists()


def test_demo_requests_with_force_run_even_without_debug(demo_accounts, settings):
    settings.DEBUG = False
    call_command("seed_demo_requests", force=True)
    assert ServiceRequest.objects.count() == 9


def test_after_the_demo_hq_sees_escalations_with_charts_and_vsc_its_assignments(demo_accounts, client):
    """Issue 15 item 5: hq.osco's dashboard has data and both charts; VSC's queue shows who holds what."""
    from core.models import User
    from service_requests.models import SavedFilter
    from tests.auth import sign_in

    call_command("seed_demo_requests")
    escalated = ServiceRequest.objects.filter(hq_inquiry_at__isnull=False)
    assert escalated.count() == 6 and escalated.filter(first_response_at__isnull=False).count() == 3
    assert {r.current_office.code for r in escalated} == {"VSC", "NSC", "CSC", "TSC"}
    sign_in(client, User.objects.get(username="hq.osco"))
    html = client.get("/staff/dashboard/").content.decode()
    assert html.count('class="portal-chart"') == 2 and 'id="age-chart-title"' in html and 'id="response-chart-title"' in html
    queue = client.get("/staff/service-requests/").content.decode()
    assert "6 requests" in queue  # the open and answered HQ escalations
    vera = User.objects.get(username="vsc.staff")
    assert vera.has_perm("service_requests.assign_requests")
    assert ServiceRequest.objects.filter(assigned_to=vera).count() == 2
    assert ServiceRequest.objects.filter(assigned_to__username="vsc.officer").count() == 1
    assert SavedFilter.objects.filter(owner=vera).count() == 2
    sign_in(client, vera)
    page = client.get("/staff/service-requests/").content.decode()
    assert "Victor Vance" in page and "Vera Vermont" in page and "Escalated to HQ, due first" in page
    mine = client.get("/staff/my-requests/").content.decode()
    assert mine.count('class="held-by"') == 2
