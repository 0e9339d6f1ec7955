"""Table-driven tests of the window module: every date the customer is told comes from here.

The checks take the stored openings (Facts carries them); `facts()` computes them as filing and the
follow-up inquiry do, under the default calendar-day policy."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from service_requests import windows
from service_requests.windows import DayKind, Stage, WindowPolicy

ET = ZoneInfo("America/New_York")
CALENDAR = WindowPolicy()
BUSINESS = WindowPolicy(15, DayKind.BUSINESS, 21, DayKind.BUSINESS)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ET)


def Facts(created, policy=CALENDAR, **kwargs):  # noqa: N802 - reads like the dataclass it builds
    inquiry = kwargs.get("service_center_inquiry_at")
    kwargs.setdefault("window2_opens_at", windows.window2_opening(inquiry, policy) if inquiry else None)
    return windows.Facts(created_at=created, window1_opens_at=windows.window1_opening(created, policy), **kwargs)


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
    opening = windows.window1_opening(created, policy)
    assert opening == datetime.combine(opens, datetime.min.time(), tzinfo=ET)


@pytest.mark.parametrize(
    ("created", "opens_utc_hour"),
    [(at(2, 15), 5), (at(3, 20), 4)],  # window 1 opens on 2 March (EST, UTC-5) and 4 April (EDT, UTC-4)
)
def test_windows_open_at_eastern_midnight_across_dst(created, opens_utc_hour):
    opening = windows.window1_opening(created, CALENDAR)
    assert opening.time() == datetime.min.time()
    assert opening.astimezone(ZoneInfo("UTC")).hour == opens_utc_hour


def test_created_just_after_midnight_utc_counts_in_eastern_time():
    created = datetime(2026, 11, 28, 3, 0, tzinfo=ZoneInfo("UTC"))  # 22:00 on 27 November in Eastern time
    assert windows.window1_opening(created, CALENDAR).date() == date(2026, 12, 12)


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
    assert windows.stage(facts, now) == expected


def test_the_clock_reads_only_the_filing_facts_not_the_office():
    """The window module takes no office, so a transfer cannot move the clock; the service-level proof
    with two real transfers is test_escalation.py::test_a_transfer_does_not_restart_the_clock."""
    facts = Facts(at(11, 27))
    assert facts.window1_opens_at.date() == date(2026, 12, 12)
    assert windows.check_service_center_inquiry(facts, at(12, 12)) is None


# The office no longer decides whether the follow-up may be sent (a field-office request follows up
# through the Contact Center): the "not_at_service_center" case was removed deliberately.
@pytest.mark.parametrize(
    ("facts", "now", "code"),
    [
        (Facts(at(11, 27)), at(12, 11), "window_not_open"),
        (Facts(at(11, 27), first_response_at=at(12, 1)), at(12, 20), "already_answered"),
        (Facts(at(11, 27), service_center_inquiry_at=at(12, 12)), at(12, 20), "already_sent"),
        (Facts(at(11, 27), is_open=False), at(12, 20), "closed"),
        (Facts(at(11, 27)), at(12, 12), None),
    ],
)
def test_service_center_inquiry_rules(facts, now, code):
    refusal = windows.check_service_center_inquiry(facts, now)
    assert (refusal.code if refusal else None) == code


def test_not_open_yet_gives_the_date():
    refusal = windows.check_service_center_inquiry(Facts(at(11, 27)), at(11, 28))
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
    refusal = windows.check_hq_inquiry(facts, now)
    assert (refusal.code if refusal else None) == code


def test_window2_counts_business_days_too():
    assert windows.window2_opening(at(12, 18), BUSINESS).date() == date(2027, 1, 21)  # skips 25 Dec, 1 Jan, MLK Day 18 Jan
