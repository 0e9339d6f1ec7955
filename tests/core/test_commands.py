import pytest
from django.core.management import CommandError, call_command

from core.management.commands.seed_demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from core.models import User


def test_createstaff(directory, capsys):
    call_command("createstaff", "vera", "--office", "VSC", "--role", "office_staff", "--password", "correct-horse-battery")
    user = User.objects.get(username="vera")
    assert (user.role, user.office.code) == ("office_staff", "VSC") and user.check_password("correct-horse-battery")
    assert "vera (office_staff at VSC)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "office_staff"], "must belong to an office"),
        (["--role", "office_staff", "--office", "NOPE"], "No office has the code"),
        (["--role", "hq_osco", "--password", "short"], "too short"),
    ],
)
def test_createstaff_errors(directory, args, message):
    argv = ["x", *args]
    if "--password" not in args:
        argv += ["--password", "correct-horse-battery"]
    with pytest.raises(CommandError, match=message):
        call_command("createstaff", *argv)
    assert not User.objects.filter(username="x").exists()


def test_createstaff_refuses_unknown_role(directory):
    with pytest.raises(CommandError):
        call_command("createstaff", "x", "--role", "wizard", "--password", "correct-horse-battery")


def test_seed_demo_is_idempotent_and_prints_the_accounts(directory, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "maria@example.com" in out
    assert User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)
    assert User.objects.get(username="chi.staff").office.code == "CHI"


def test_seed_demo_refuses_without_debug(directory, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")


def test_demo_staff_sign_in_with_the_code_demo_code_prints(directory, settings, capsys, client):
    from io import StringIO

    settings.DEBUG = True
    call_command("seed_demo")
    assert "demo_code USERNAME" in capsys.readouterr().out
    assert client.post("/accounts/login/", {"username": "vsc.staff", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/staff/service-requests/")["Location"].startswith("/accounts/two-factor/")
    out = StringIO()
    call_command("demo_code", "vsc.staff", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302
    assert client.get("/staff/service-requests/").status_code == 200
    with pytest.raises(CommandError):
        call_command("demo_code", "maria@example.com")


def test_createstaff_keeps_ncsc_agent_as_tier_1(directory):
    call_command("createstaff", "casey", "--office", "NCSC", "--role", "ncsc_agent", "--password", "correct-horse-battery")
    assert User.objects.get(username="casey").role == "ncsc_tier1"
    call_command("createstaff", "olivia", "--office", "NCSC", "--role", "ncsc_tier2", "--password", "correct-horse-battery")
    assert User.objects.get(username="olivia").role == "ncsc_tier2"


def test_createstaff_prints_recovery_codes_for_the_first_sign_in(directory, capsys, client):
    call_command("createstaff", "vera", "--office", "VSC", "--role", "office_staff", "--password",
                 "correct-horse-battery", "--recovery-codes")
    codes = capsys.readouterr().out.split("each works once; give them to the person privately):")[1].split()
    assert len(codes) == 10
    assert client.post("/accounts/login/", {"username": "vera", "password": "correct-horse-battery"}).status_code == 302
    assert client.post("/accounts/two-factor/", {"code": codes[-1]}).status_code == 302
    assert client.get("/staff/service-requests/").status_code == 200
