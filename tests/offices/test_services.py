from datetime import time

import pytest
from django.core.management import call_command

from core.errors import ApplicationError
from offices.models import Agency, ContactChannel, CountyRule, Office, ReceiptPrefix
from offices.services import directory_load, parse_weekly_hours


def wipe_directory() -> None:
    """Start from an empty directory inside the test's transaction."""
    ReceiptPrefix.objects.all().delete()
    CountyRule.objects.all().delete()
    Office.objects.all().delete()
    Agency.objects.all().delete()
    ContactChannel.objects.all().delete()


def test_load_directory_twice_changes_nothing(db):
    wipe_directory()
    first = directory_load()
    assert first["offices created"] == Office.objects.count() > 120
    assert first["county rules created"] == CountyRule.objects.count() > 1900
    history_rows = Office.history.count()
    second = directory_load()
    assert not second
    assert Office.history.count() == history_rows


def test_directory_has_every_code_the_product_names(directory):
    codes = set(Office.objects.values_list("code", flat=True))
    assert {"VSC", "CSC", "NSC", "TSC", "PSC", "NBC", "CHI", "HOU", "NYC", "MEX", "NCSC", "OSCO"} <= codes


@pytest.mark.parametrize(
    ("prefix", "office"),
    [("EAC", "VSC"), ("VSC", "VSC"), ("WAC", "CSC"), ("CSC", "CSC"), ("LIN", "NSC"), ("NSC", "NSC"), ("SRC", "TSC"),
     ("TSC", "TSC"), ("MSC", "NBC"), ("NBC", "NBC"), ("YSC", "PSC"), ("SIM", "NBC"), ("IOE", None),
     ("ZAR", "ZAR"), ("ZLA", "ZLA"), ("ZNK", "ZNK"), ("ZOL", "ZOL"), ("CHI", "CHI"), ("MIL", "MIL"), ("CHA", "CHA")],
)
def test_receipt_prefixes_map_to_offices(directory, prefix, office):
    row = ReceiptPrefix.objects.select_related("office").get(prefix=prefix)
    assert (row.office.code if row.office else None) == office


def test_directory_publishes_no_fax_numbers(directory):
    assert not ContactChannel.objects.filter(name__icontains="fax").exists()
    assert set(ContactChannel.objects.values_list("kind", flat=True)) <= {"phone", "tdd", "email"}


def test_unconfirmed_mailboxes_are_fake_example_gov(directory):
    emails = ContactChannel.objects.filter(kind="email").values_list("value", flat=True)
    assert emails and all(e.endswith("@example.gov") for e in emails)


def test_default_load_keeps_admin_edits_and_update_overwrites_them(directory):
    Office.objects.filter(code="CHI").update(address_line1="1 Edited Plaza")
    CountyRule.objects.filter(state="WI").update(office=Office.objects.get(code="CHI"))
    directory_load()
    assert Office.objects.get(code="CHI").address_line1 == "1 Edited Plaza"
    assert CountyRule.objects.get(state="WI").office.code == "CHI"  # the admin's edit stands, no second claim
    counts = directory_load(update=True)
    assert counts["offices updated"] == 1
    assert counts["county rules created"] == counts["county rules deleted"] == 1
    assert Office.objects.get(code="CHI").address_line1 == "101 West Congress Parkway"
    assert CountyRule.objects.get(state="WI").office.code == "MIL"


def test_load_directory_command_reports_counts(db, capsys):
    wipe_directory()
    call_command("load_directory")
    assert "offices created" in capsys.readouterr().out
    call_command("load_directory")
    assert "nothing changed" in capsys.readouterr().out


def test_a_bad_file_leaves_nothing_half_written(db):
    wipe_directory()
    data = {"offices": [{"code": "AAA", "name": "A", "type": "field_office", "city": "X", "state": "IL"}],
            "county_rules": [{"office": "AAA", "state": "Illinois", "county": "Cook"}]}
    with pytest.raises(Exception):
        directory_load(data=data)
    assert not Office.objects.filter(code="AAA").exists()
    assert not CountyRule.objects.exists()


def test_parse_weekly_hours():
    assert parse_weekly_hours("Mon-Wed 08:00-16:30; Sat 9:00-12:00") == [
        (0, time(8), time(16, 30)), (1, time(8), time(16, 30)), (2, time(8), time(16, 30)), (5, time(9), time(12)),
    ]
    with pytest.raises(ApplicationError, match="Mon-Fri"):
        parse_weekly_hours("weekdays 8 to 5")
