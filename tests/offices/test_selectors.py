from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import NotFound
from offices import selectors
from offices.models import ContactChannel
from offices.zipcodes import state_for_zip

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("zip_code", "office", "matched_by"),
    [
        ("60605", "CHI", "zip_prefix"),
        ("77067", "HOU", "zip_prefix"),
        ("10278", "NYC", "zip_prefix"),
        ("11101", "QNS", "zip_prefix"),
        ("11001", "NYC", "zip"),  # a Nassau County ZIP inside the Queens prefix: the 5-digit row wins
        ("46320", "CHI", "zip_prefix"),  # north-west Indiana
        ("33411", "WPB", "zip_prefix"),
        ("99501", "ANC", "state"),
        ("96813", "HHW", "state"),
        ("00901", "SAJ", "state"),
        ("75063", "DAL", "state"),
        ("94111", "SFR", "zip_prefix"),
        ("60605-1234", "CHI", "zip_prefix"),
    ],
)
def test_office_for_zip(directory, zip_code, office, matched_by):
    match = selectors.office_for_zip(zip_code)
    assert (match.office.code, match.matched_by) == (office, matched_by)


def test_office_for_zip_gives_the_asylum_office_of_the_state(directory):
    assert selectors.office_for_zip("60605").asylum_office.code == "ZCH"
    assert selectors.office_for_zip("10278").asylum_office.code == "ZNY"


def test_every_valid_zip_prefix_resolves_to_a_field_office(directory):
    unresolved = []
    for prefix in range(1000):
        zip5 = f"{prefix:03d}01"
        if state_for_zip(zip5) is None:
            continue
        try:
            office = selectors.office_for_zip(zip5).office
        except NotFound:
            unresolved.append(zip5)
            continue
        assert office.office_type == "field_office"
    assert unresolved == []


@pytest.mark.parametrize("zip_code", ["09001", "00000", "34012"])
def test_military_and_unassigned_zips_are_not_found(directory, zip_code):
    with pytest.raises(NotFound, match="No field office serves"):
        selectors.office_for_zip(zip_code)


def test_malformed_zip_is_a_value_error(directory):
    with pytest.raises(ValueError):
        selectors.office_for_zip("ABCDE")


@pytest.mark.parametrize(("country", "office"), [("CA", "MEX"), ("mx", "MEX"), ("GT", "GUA"), ("KE", "NBO"), ("IN", "NDL")])
def test_office_for_country(directory, country, office):
    assert selectors.office_for_country(country).office.code == office


def test_country_without_an_office_is_not_found_with_guidance(directory):
    with pytest.raises(NotFound, match="embassy or consulate"):
        selectors.office_for_country("FR")


@pytest.mark.parametrize("country", ["US", "PR", "GU"])
def test_domestic_country_asks_for_a_zip(directory, country):
    with pytest.raises(ValueError, match="ZIP"):
        selectors.office_for_country(country)


def test_channels_for_a_zip_are_the_contact_center_lines(directory):
    codes = [c.code for c in selectors.channels_for_place(selectors.office_for_zip("60605"))]
    assert codes == ["ncsc", "ncsc-tdd"]


def test_channels_for_canada_include_the_canada_mailbox_and_mexico_does_not(directory):
    canada = [c.code for c in selectors.channels_for_place(selectors.office_for_country("CA"))]
    mexico = [c.code for c in selectors.channels_for_place(selectors.office_for_country("MX"))]
    assert "canada-inquiries" in canada and "mex-inquiries" in canada
    assert "canada-inquiries" not in mexico and "mex-inquiries" in mexico


def _military():
    return selectors.contact_channel_list().get(code="military")


@pytest.mark.parametrize(
    ("local", "open_now"),
    [
        (datetime(2026, 12, 1, 10, 0), True),
        (datetime(2026, 12, 1, 16, 31), False),
        (datetime(2026, 11, 26, 10, 0), False),
        (datetime(2026, 7, 3, 10, 0), False),
    ],
)
def test_military_line_status_from_the_directory(directory, local, open_now):
    status = selectors.channel_status(_military(), at=local.replace(tzinfo=CHICAGO))
    assert status.open_now is open_now


def test_closed_on_a_holiday_says_why_and_when_it_opens(directory):
    status = selectors.channel_status(_military(), at=datetime(2026, 11, 26, 10, tzinfo=CHICAGO))
    assert status.closed_reason == "Closed for a federal holiday"
    assert status.next_opens_at == datetime(2026, 11, 27, 8, tzinfo=CHICAGO)


def test_channel_without_hours_has_unknown_status(directory):
    premium = ContactChannel.objects.get(code="premium")
    assert selectors.channel_status(premium, at=datetime(2026, 12, 1, 15, tzinfo=CHICAGO)).open_now is None


def test_international_office_closes_on_host_country_holiday(directory):
    new_delhi = selectors.office_get(code="NDL")  # Mon–Thu 09:00–12:00 India time
    kolkata = ZoneInfo("Asia/Kolkata")
    assert selectors.office_status(new_delhi, at=datetime(2026, 12, 1, 10, tzinfo=kolkata)).open_now is True
    assert selectors.office_status(new_delhi, at=datetime(2026, 1, 26, 10, tzinfo=kolkata)).open_now is False  # Republic Day


def test_office_get_is_case_insensitive_and_404s(directory):
    assert selectors.office_get(code="chi").code == "CHI"
    with pytest.raises(NotFound):
        selectors.office_get(code="NOPE")
