import pytest
from django.core.management import CommandError, call_command

from service_requests.models import EventKind, ServiceRequest, Stage

pytestmark = pytest.mark.django_db


def test_demo_requests_fill_the_queues_once_and_open_the_old_ones_window(demo_accounts, capsys):
    call_command("seed_demo_requests")
    call_command("seed_demo_requests")

    requests = {r.receipt_number: r for r in ServiceRequest.objects.select_related("current_office", "escalation")}
    assert sorted(requests) == ["EAC2690012345", "EAC2690054321", "LIN2690011111"]
    assert {r.current_office.code for r in requests.values()} == {"VSC", "NSC"}
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
    assert ServiceRequest.objects.count() == 3
