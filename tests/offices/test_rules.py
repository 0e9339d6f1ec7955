from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from offices import rules, zipdata
from offices.holidays import closed_holidays, us_federal_holidays

CHICAGO = ZoneInfo("America/Chicago")
# The Military Help Line: Monday to Friday, 8:00 to 16:30 Central, closed on federal holidays.
MILITARY = [rules.WeeklyWindow(day, time(8), time(16, 30)) for day in range(5)]


def military_open(at: datetime) -> bool:
    closed = closed_holidays(years=(at.year,))
    return rules.is_open_at(at=at, tz=CHICAGO, windows=MILITARY, closed_dates=closed)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("60605", "60605"), (" 60605 ", "60605"), ("60605-1234", "60605"), ("606051234", "60605"), ("00501", "00501")],
)
def test_normalize_zip_accepts_zip_and_zip_plus_four(raw, expected):
    assert rules.normalize_zip(raw) == expected


@pytest.mark.parametrize("raw", ["ABCDE", "6060", "606055", "", "60605-12", "6O605", None])
def test_normalize_zip_refuses_malformed(raw):
    with pytest.raises(ValueError, match="5-digit"):
        rules.normalize_zip(raw)


@pytest.mark.parametrize(("raw", "expected"), [("ca", "CA"), (" MX ", "MX"), ("US", "US")])
def test_normalize_country(raw, expected):
    assert rules.normalize_country(raw) == expected


@pytest.mark.parametrize("raw", ["XX", "CAN", "", "1A"])
def test_normalize_country_refuses_unknown_codes(raw):
    with pytest.raises(ValueError, match="ISO"):
        rules.normalize_country(raw)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 12, 1, 10, 0), True),  # Tuesday 10:00 Central
        (datetime(2026, 12, 1, 8, 0), True),  # opens at 8:00 sharp
        (datetime(2026, 12, 1, 7, 59), False),
        (datetime(2026, 12, 1, 16, 29), True),
        (datetime(2026, 12, 1, 16, 30), False),  # closes at 16:30
        (datetime(2026, 12, 1, 16, 31), False),
        (datetime(2026, 12, 5, 10, 0), False),  # Saturday
        (datetime(2026, 11, 26, 10, 0), False),  # Thanksgiving
        (datetime(2026, 7, 3, 10, 0), False),  # Independence Day observed: July 4, 2026 is a Saturday
        (datetime(2026, 7, 2, 10, 0), True),
        (datetime(2027, 7, 5, 10, 0), False),  # observed Monday when July 4 is a Sunday
        (datetime(2026, 12, 25, 10, 0), False),  # Christmas
        (datetime(2027, 12, 31, 10, 0), False),  # New Year's Day 2028 observed on Friday
    ],
)
def test_military_line_hours(local, expected):
    assert military_open(local.replace(tzinfo=CHICAGO)) is expected


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 13:30 UTC is 07:30 CST before the change (closed) and 08:30 CDT after it (open).
        (datetime(2026, 3, 3, 13, 30, tzinfo=UTC), False),
        (datetime(2026, 3, 10, 13, 30, tzinfo=UTC), True),
        # 21:45 UTC is 15:45 CST (open) in November and 16:45 CDT (closed) in October.
        (datetime(2026, 10, 27, 21, 45, tzinfo=UTC), False),
        (datetime(2026, 11, 3, 21, 45, tzinfo=UTC), True),
        # The change days themselves are Sundays: closed either way; the Mondays after are normal.
        (datetime(2026, 3, 9, 13, 30, tzinfo=UTC), True),
        (datetime(2026, 11, 2, 13, 30, tzinfo=UTC), False),
    ],
)
def test_military_line_follows_central_time_across_dst(utc, expected):
    assert military_open(utc) is expected


def test_next_opening_skips_weekend_and_holiday():
    friday_evening = datetime(2026, 11, 27, 17, 0, tzinfo=CHICAGO)
    opening = rules.next_opening(at=friday_evening, tz=CHICAGO, windows=MILITARY, closed_dates=closed_holidays(years=(2026,)))
    assert opening == datetime(2026, 11, 30, 8, 0, tzinfo=CHICAGO)
    wednesday_night = datetime(2026, 11, 25, 18, 0, tzinfo=CHICAGO)
    opening = rules.next_opening(at=wednesday_night, tz=CHICAGO, windows=MILITARY, closed_dates=closed_holidays(years=(2026,)))
    assert opening == datetime(2026, 11, 27, 8, 0, tzinfo=CHICAGO)  # Thursday is Thanksgiving


def test_always_open_ignores_hours():
    assert rules.is_open_at(at=datetime(2026, 12, 25, 3, tzinfo=UTC), tz=CHICAGO, windows=[], always_open=True)


def test_federal_holidays_come_from_the_holidays_package_with_observance():
    days = us_federal_holidays(2026)
    assert date(2026, 7, 3) in days and date(2026, 11, 26) in days and date(2026, 6, 19) in days
    assert len({d for d in days if d.weekday() < 5}) == 11


def test_host_country_holidays_close_international_offices():
    mexico = closed_holidays(years=(2026,), host_country="MX")
    assert date(2026, 9, 16) in mexico  # Mexican Independence Day
    assert date(2026, 11, 26) in mexico  # and U.S. Thanksgiving
    assert date(2026, 9, 16) not in closed_holidays(years=(2026,))


@pytest.mark.parametrize(
    ("zip5", "state", "county"),
    [("60605", "IL", "Cook County"), ("11742", "NY", "Suffolk County"), ("00901", "PR", "San Juan Municipio"),
     ("00802", "VI", "St. Thomas"), ("00820", "VI", "St. Croix"), ("96910", "GU", ""), ("21201", "MD", "Baltimore city"),
     ("09021", "AE", ""), ("96939", "PW", "")],
)
def test_zip_place_from_the_zipcodes_package(zip5, state, county):
    place = zipdata.zip_place(zip5)
    assert (place.state, place.county) == (state, county)


def test_unknown_zip_has_no_place():
    assert zipdata.zip_place("00000") is None


@pytest.mark.parametrize(
    ("name", "key"),
    [("St. Lucie County", "st lucie"), ("st lucie", "st lucie"), ("Doña Ana County", "dona ana"),
     ("Baltimore city", "baltimore city"), ("Orleans Parish", "orleans"), ("Anchorage Municipality", "anchorage"),
     ("San Juan Municipio", "san juan"), ("Juneau City and Borough", "juneau"), ("LaPorte County", "laporte"),
     ("La Porte County", "la porte"), ("  Miami-Dade   County ", "miami-dade")],
)
def test_county_key_follows_the_reference_naming_rule(name, key):
    assert zipdata.county_key(name) == key


def test_loose_county_key_flags_spelling_variants():
    assert zipdata.loose_county_key("LaPorte") == zipdata.loose_county_key("La Porte County") == "laporte"


@pytest.mark.parametrize(
    ("state", "city", "postal_code", "zone"),
    [("IL", "Chicago", "60605", "America/Chicago"), ("AZ", "Tucson", "", "America/Phoenix"),
     ("GU", "Tamuning", "96913", "Pacific/Guam"), ("HI", "Nowhere", "", "Pacific/Honolulu")],
)
def test_time_zone_for_an_office(state, city, postal_code, zone):
    assert zipdata.time_zone_for(state=state, city=city, postal_code=postal_code) == zone


def test_states_and_territories():
    assert len(zipdata.US_STATES_AND_TERRITORIES) == 56  # 50 states, DC and five territories
    assert {p.state for p in zipdata.zip_places().values()} - set(zipdata.US_STATES_AND_TERRITORIES) == (
        zipdata.MILITARY_STATES | zipdata.FREELY_ASSOCIATED_STATES
    )
