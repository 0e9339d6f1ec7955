"""Table-driven tests of the window module: every date the customer is told comes from here."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from service_requests import windows
from service_requests.windows import DayKind, Facts, Stage, WindowPolicy

ET = ZoneInfo("America/New_York")
CALENDAR = WindowPolicy()
BUSINESS = WindowPolicy(15, DayKind.BUSINESS, 21, DayKind.BUSINESS)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ET)


@pytest.mark.parametrize(
    ("created", "policy", "opens"),
    [
        (at(11, 27), CALENDAR, date(2026, 12, 12)),  # the example: from 12 December 2026
        (at(11, 27, 23), CALENDAR, date(2026, 12, 12)),  # late in the day counts as that day
        (at(12, 20), CALENDAR, date(2027, 1, 4)),  # across the new year
        (at(2, 20), CALENDAR, date(2026, 3, 7)),  # February (not a leap year)
        (at(11, 27), BUSINESS, date(2026, 12, 18)),  # 15 weekdays, no holiday in between
        (at(11, 20), BUSINESS, date(2026, 12, 14)),  # skips Thanksgiving (26 Nov)
        (at(12, 18), BUSINESS, date(2027, 1, 12)),  # skips Christmas (25 Dec) and New Year (1 Jan)
        (at(6, 30), BUSINESS, date(2026, 7, 22)),  # skips the observed Independence Day (3 Jul 2026)
    ],
)
def test_window1_opening_day(created, policy, opens):
    opening = windows.window1_opens_at(Facts(created_at=created), policy)
    assert opening == datetime.combine(opens, datetime.min.time(), tzinfo=ET)


@pytest.mark.parametrize(
    ("created", "opens_utc_hour"),
    [(at(2, 15), 5), (at(3, 20), 4)],  # window 1 opens on 2 March (EST, UTC-5) and 4 April (EDT, UTC-4)
)
def test_windows_open_at_eastern_midnight_across_dst(created, opens_utc_hour):
    opening = windows.window1_opens_at(Facts(created_at=created), CALENDAR)
    assert opening.time() == datetime.min.time()
    assert opening.astimezone(ZoneInfo("UTC")).hour == opens_utc_hour


def test_created_just_after_midnight_utc_counts_in_eastern_time():
    created = datetime(2026, 11, 28, 3, 0, tzinfo=ZoneInfo("UTC"))  # 22:00 on 27 November in Eastern time
    assert windows.window1_opens_at(Facts(created_at=created), CALENDAR).date() == date(2026, 12, 12)


@pytest.mark.parametrize(
    ("facts", "now", "expected"),
    [
        (Facts(at(11, 27)), at(12, 11, 23), Stage.WAITING),  # day 14: not yet
        (Facts(at(11, 27)), at(12, 12, 0), Stage.WINDOW1_OPEN),  # day 15: open from midnight
        (Facts(at(11, 27), first_response_at=at(12, 11)), at(12, 20), Stage.ANSWERED),  # response on day 14
        (Facts(at(11, 27), first_response_at=at(12, 14)), at(12, 20), Stage.ANSWERED),  # after the window opened
        (Facts(at(11, 27), is_open=False), at(12, 20), Stage.CLOSED),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12)), at(1, 1, year=2027), Stage.SC_INQUIRY_SENT),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12)), at(1, 2, 0, year=2027), Stage.WINDOW2_OPEN),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12), first_response_at=at(12, 30)), at(1, 5, year=2027),
         Stage.ANSWERED),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12), hq_inquiry_at=at(1, 3, year=2027)),
         at(1, 5, year=2027), Stage.HQ_ESCALATED),
    ],
)
def test_stage(facts, now, expected):
    assert windows.stage(facts, CALENDAR, now) == expected


def test_the_clock_reads_only_the_filing_facts_not_the_office():
    """The window module takes no office, so a transfer cannot move the clock; the service-level proof
    with two real transfers is test_escalation.py::test_a_transfer_does_not_restart_the_clock."""
    facts = Facts(at(11, 27))
    assert windows.window1_opens_at(facts, CALENDAR).date() == date(2026, 12, 12)
    refusal = windows.check_service_center_inquiry(facts, CALENDAR, at(12, 12), at_service_center=True,
                                                   office_name="Nebraska Service Center")
    assert refusal is None


@pytest.mark.parametrize(
    ("facts", "now", "at_sc", "code"),
    [
        (Facts(at(11, 27)), at(12, 11), True, "window_not_open"),
        (Facts(at(11, 27)), at(12, 12), False, "not_at_service_center"),
        (Facts(at(11, 27), first_response_at=at(12, 1)), at(12, 20), True, "already_answered"),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12)), at(12, 20), True, "already_sent"),
        (Facts(at(11, 27), is_open=False), at(12, 20), True, "closed"),
        (Facts(at(11, 27)), at(12, 12), True, None),
    ],
)
def test_service_center_inquiry_rules(facts, now, at_sc, code):
    refusal = windows.check_service_center_inquiry(facts, CALENDAR, now, at_service_center=at_sc, office_name="X")
    assert (refusal.code if refusal else None) == code


def test_not_open_yet_gives_the_date():
    refusal = windows.check_service_center_inquiry(Facts(at(11, 27)), CALENDAR, at(11, 28), at_service_center=True,
                                                   office_name="X")
    assert refusal.opens_on == date(2026, 12, 12) and "2026-12-12" in refusal.message


@pytest.mark.parametrize(
    ("facts", "now", "code"),
    [
        (Facts(at(11, 27)), at(12, 31), "service_center_first"),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12)), at(1, 1, year=2027), "window_not_open"),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12)), at(1, 2, year=2027), None),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12), first_response_at=at(12, 20)), at(1, 5, year=2027),
         "already_answered"),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12), hq_inquiry_at=at(1, 3, year=2027)),
         at(1, 5, year=2027), "already_sent"),
    ],
)
def test_hq_inquiry_rules(facts, now, code):
    refusal = windows.check_hq_inquiry(facts, CALENDAR, now)
    assert (refusal.code if refusal else None) == code


def test_window2_counts_business_days_too():
    facts = Facts(at(11, 27), service_center_inquiry_at=at(12, 18))
    assert windows.window2_opens_at(facts, BUSINESS).date() == date(2027, 1, 21)  # skips 25 Dec, 1 Jan, MLK Day 18 Jan
