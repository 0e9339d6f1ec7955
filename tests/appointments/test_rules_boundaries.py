"""Every appointment rule at its exact boundary, with its exact words (written for `make mutation`:
each `<` / `<=` and each message here is pinned by a test that fails if it changes)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from appointments import rules
from appointments.rules import GridSlot, Policy, TemplateBlock

CHI = ZoneInfo("America/Chicago")
UTC = ZoneInfo("UTC")
TICK = timedelta(microseconds=1)
NOW = datetime(2026, 12, 1, 9, tzinfo=CHI)  # a Tuesday
POLICY = Policy(booking_horizon_days=14, min_notice_hours=2, max_reschedules=2, reschedule_cutoff_hours=12,
                cancel_cutoff_hours=1, reminder_hours_before=24)
TUESDAY = TemplateBlock(weekday=1, opens=time(8), closes=time(9), slot_minutes=30, places=3)


def test_check_bookable_at_each_boundary():
    past = rules.check_bookable(NOW, now=NOW, tz=CHI, policy=POLICY)
    assert (past.status, past.code, past.message, past.extra) == (
        400, "start_in_past", "That time has already passed. Choose a later time.", None)
    soon = rules.check_bookable(NOW + TICK, now=NOW, tz=CHI, policy=POLICY)
    assert (soon.status, soon.code, soon.message) == (409, "too_soon", "Appointments must be booked at least 2 hours ahead.")
    assert rules.check_bookable(NOW + timedelta(hours=2) - TICK, now=NOW, tz=CHI, policy=POLICY).code == "too_soon"
    assert rules.check_bookable(NOW + timedelta(hours=2), now=NOW, tz=CHI, policy=POLICY) is None
    last = datetime(2026, 12, 15, 23, 59, tzinfo=CHI)
    assert rules.check_bookable(last, now=NOW, tz=CHI, policy=POLICY) is None
    far = rules.check_bookable(datetime(2026, 12, 16, 0, 0, tzinfo=CHI), now=NOW, tz=CHI, policy=POLICY)
    assert (far.status, far.code) == (409, "too_far_ahead")
    assert far.message == "Appointments can be booked up to 14 days ahead. This time can be booked from 2026-12-02."
    assert far.extra == {"bookable_from": "2026-12-02"}


def test_the_horizon_counts_in_the_office_zone():
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=CHI)  # already 2 December in UTC
    assert rules.last_bookable_day(now=late_evening, tz=CHI, policy=POLICY) == date(2026, 12, 15)
    assert rules.last_bookable_day(now=late_evening.astimezone(UTC), tz=CHI, policy=POLICY) == date(2026, 12, 15)
    start = datetime(2026, 12, 15, 23, 0, tzinfo=CHI).astimezone(UTC)  # 16 December in UTC
    assert rules.check_bookable(start, now=late_evening, tz=CHI, policy=POLICY) is None


def test_check_reschedulable_at_each_boundary():
    start = NOW + timedelta(days=2)
    limit = rules.check_reschedulable(starts_at=start, reschedule_count=2, now=NOW, policy=POLICY)
    assert (limit.status, limit.code, limit.message) == (
        409, "reschedule_limit", "An appointment can be rescheduled at most 2 times. Cancel it and book a new one.")
    assert rules.check_reschedulable(starts_at=start, reschedule_count=1, now=NOW, policy=POLICY) is None
    cutoff = start - timedelta(hours=12)
    assert rules.check_reschedulable(starts_at=start, reschedule_count=0, now=cutoff, policy=POLICY) is None
    late = rules.check_reschedulable(starts_at=start, reschedule_count=0, now=cutoff + TICK, policy=POLICY)
    assert (late.status, late.code, late.message) == (
        409, "reschedule_too_late", "Appointments cannot be rescheduled within 12 hours of their start.")


def test_check_cancellable_at_its_boundary():
    start = NOW + timedelta(days=1)
    cutoff = start - timedelta(hours=1)
    assert rules.check_cancellable(starts_at=start, now=cutoff, policy=POLICY) is None
    late = rules.check_cancellable(starts_at=start, now=cutoff + TICK, policy=POLICY)
    assert (late.status, late.code, late.message) == (
        409, "cancel_too_late",
        "Appointments cannot be cancelled online within 1 hour(s) of their start. Call the Contact Center.")


def test_reminder_due_window_is_open_at_the_start_and_closed_at_the_end():
    start = NOW + timedelta(hours=24)
    assert rules.reminder_due(starts_at=start, now=NOW, policy=POLICY)
    assert not rules.reminder_due(starts_at=start + TICK, now=NOW, policy=POLICY)
    assert rules.reminder_due(starts_at=NOW + TICK, now=NOW, policy=POLICY)
    assert not rules.reminder_due(starts_at=NOW, now=NOW, policy=POLICY)


def test_a_block_applies_on_its_weekday_within_its_dates():
    block = TemplateBlock(1, time(8), time(9), 30, 3, valid_from=date(2026, 12, 1), valid_until=date(2026, 12, 15))
    assert block.applies_on(date(2026, 12, 1)) and block.applies_on(date(2026, 12, 15))
    assert not block.applies_on(date(2026, 11, 24)) and not block.applies_on(date(2026, 12, 22))
    assert not block.applies_on(date(2026, 12, 2))  # a Wednesday
    assert TUESDAY.applies_on(date(2030, 1, 1)) and TUESDAY.applies_on(date(2020, 1, 7))


def test_slots_for_a_day_fill_the_block_exactly_and_merge_overlaps():
    day = date(2026, 12, 1)
    slots = rules.slots_for_day(day, tz=CHI, blocks=[TUESDAY], closed=frozenset())
    assert slots == [
        GridSlot(datetime(2026, 12, 1, 8, tzinfo=CHI), datetime(2026, 12, 1, 8, 30, tzinfo=CHI), 3),
        GridSlot(datetime(2026, 12, 1, 8, 30, tzinfo=CHI), datetime(2026, 12, 1, 9, tzinfo=CHI), 3),
    ]
    hour = TemplateBlock(1, time(8), time(9), 60, 1)
    assert [s.start.time() for s in rules.slots_for_day(day, tz=CHI, blocks=[hour], closed=())] == [time(8)]
    tight = TemplateBlock(1, time(8), time(8, 59), 30, 1)
    assert [s.start.time() for s in rules.slots_for_day(day, tz=CHI, blocks=[tight], closed=())] == [time(8)]
    later = TemplateBlock(1, time(8, 30), time(10), 30, 5)
    merged = rules.slots_for_day(day, tz=CHI, blocks=[later, TUESDAY], closed=())
    assert [(s.start.time(), s.capacity) for s in merged] == [(time(8), 3), (time(8, 30), 5), (time(9), 5), (time(9, 30), 5)]
    assert rules.slots_for_day(day, tz=CHI, blocks=[TUESDAY], closed={day}) == []
    assert all(s.start.tzinfo is CHI and s.end.tzinfo is CHI for s in merged)


def test_slots_between_covers_both_ends_and_takes_a_one_shot_iterable():
    wednesday = TemplateBlock(2, time(8), time(9), 30, 3)
    blocks = (b for b in [TUESDAY, wednesday])  # a generator: read once, used for every day
    slots = rules.slots_between(date(2026, 12, 1), date(2026, 12, 8), tz=CHI, blocks=blocks, closed={date(2026, 12, 2)})
    assert [s.start.date() for s in slots] == [date(2026, 12, 1)] * 2 + [date(2026, 12, 8)] * 2
    assert rules.slots_between(date(2026, 12, 2), date(2026, 12, 1), tz=CHI, blocks=[TUESDAY], closed=()) == []


def test_find_slot_matches_exact_starts_in_any_zone():
    start = datetime(2026, 12, 1, 8, 30, tzinfo=CHI)
    found = rules.find_slot(start.astimezone(UTC), tz=CHI, blocks=[TUESDAY], closed=())
    assert found == GridSlot(start, datetime(2026, 12, 1, 9, tzinfo=CHI), 3)
    assert rules.find_slot(start + timedelta(minutes=1), tz=CHI, blocks=[TUESDAY], closed=()) is None
    assert rules.find_slot(start, tz=CHI, blocks=[TUESDAY], closed={date(2026, 12, 1)}) is None
    assert rules.find_slot(datetime(2026, 12, 2, 8, tzinfo=CHI), tz=CHI, blocks=[TUESDAY], closed=()) is None


def test_parse_start_accepts_iso_and_refuses_the_rest():
    assert rules.parse_start("2026-12-01T09:00") == datetime(2026, 12, 1, 9)
    assert rules.parse_start("2026-12-01T09:00-06:00") == datetime(2026, 12, 1, 9, tzinfo=CHI)
    assert rules.parse_start("2026-13-01T09:00") is None  # well-formed but not a date
    assert rules.parse_start("tomorrow") is None
