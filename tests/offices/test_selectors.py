from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import NotFound
from offices import selectors
from offices.models import ContactChannel

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("zip_code", "office", "matched_by"),
    [
        ("60605", "CHI", "county"),  # Cook County
        ("53202", "MIL", "state"),  # Wisconsin: Milwaukee serves the state (no longer Chicago)
        ("44113", "CLE", "county"),  # Ohio has Cleveland, Columbus and Cincinnati (no longer Detroit)
        ("43215", "CLM", "county"),
        ("38103", "MEM", "county"),  # Tennessee: Memphis and Nashville (no longer Atlanta)
        ("37203", "NTN", "county"),
        ("11742", "LNY", "county"),  # Long Island: Holtsville (no longer Manhattan)
        ("11001", "LNY", "county"),  # Floral Park, Nassau County
        ("11101", "QNS", "county"),
        ("95112", "SNJ", "county"),  # San Jose, Sacramento, Fresno have their own offices
        ("95814", "SAC", "county"),
        ("93721", "FRE", "county"),
        ("46320", "CHI", "county"),  # Hammond, Lake County IN
        ("99501", "ANC", "state"),
        ("00901", "SAJ", "state"),
        ("60605-1234", "CHI", "county"),
    ],
)
def test_place_answer_for_zip(directory, zip_code, office, matched_by):
    answer = selectors.place_answer(zip_code=zip_code)
    assert (answer.status, answer.office.code, answer.matched_by) == ("office", office, matched_by)


def test_malformed_zip_is_a_value_error(directory):
    with pytest.raises(ValueError):
        selectors.place_answer(zip_code="ABCDE")


def test_unknown_zip_is_not_found(directory):
    with pytest.raises(NotFound, match="ZIP code database"):
        selectors.place_answer(zip_code="00000")


@pytest.mark.parametrize("country", ["US", "PR", "GU"])
def test_domestic_country_asks_for_a_zip(directory, country):
    with pytest.raises(ValueError, match="ZIP"):
        selectors.place_answer(country=country)


def test_channels_for_a_zip_are_the_contact_center_lines(directory):
    codes = [c.code for c in selectors.channels_for_place(selectors.place_answer(zip_code="60605"))]
    assert codes == ["ncsc", "ncsc-tdd"]


def test_channels_for_canada_include_the_canada_mailbox_and_mexico_does_not(directory):
    # Both mailboxes are placeholders (hidden from the public): staff see which applies to whom.
    assert selectors.channels_for_place(selectors.place_answer(country="CA")) == []
    canada = [c.code for c in selectors.channels_for_place(selectors.place_answer(country="CA"), staff=True)]
    mexico = [c.code for c in selectors.channels_for_place(selectors.place_answer(country="MX"), staff=True)]
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
