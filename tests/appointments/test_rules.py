from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from appointments import rules

CHICAGO = ZoneInfo("America/Chicago")
HONOLULU = ZoneInfo("Pacific/Honolulu")
WEEKDAYS = [rules.TemplateBlock(d, time(8), time(10), 30, 3) for d in range(5)]
POLICY = rules.Policy()
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=CHICAGO)  # a Monday


def test_slots_for_a_day_follow_the_template():
    slots = rules.slots_for_day(date(2026, 12, 1), tz=CHICAGO, blocks=WEEKDAYS, closed=set())
    assert [s.start.strftime("%H:%M") for s in slots] == ["08:00", "08:30", "09:00", "09:30"]
    assert all(s.capacity == 3 and (s.end - s.start).seconds == 1800 for s in slots)


def test_no_slots_on_closed_days_or_weekends():
    assert rules.slots_for_day(date(2026, 11, 26), tz=CHICAGO, blocks=WEEKDAYS, closed={date(2026, 11, 26)}) == []
    assert rules.slots_for_day(date(2026, 12, 5), tz=CHICAGO, blocks=WEEKDAYS, closed=set()) == []


def test_a_partial_last_slot_is_not_offered():
    block = [rules.TemplateBlock(0, time(8), time(9, 45), 30, 1)]
    slots = rules.slots_for_day(date(2026, 11, 30), tz=CHICAGO, blocks=block, closed=set())
    assert [s.start.strftime("%H:%M") for s in slots] == ["08:00", "08:30", "09:00"]


def test_validity_dates_limit_a_block():
    block = [rules.TemplateBlock(0, time(8), time(9), 30, 1, valid_from=date(2026, 12, 7))]
    assert rules.slots_for_day(date(2026, 11, 30), tz=CHICAGO, blocks=block, closed=set()) == []
    assert len(rules.slots_for_day(date(2026, 12, 7), tz=CHICAGO, blocks=block, closed=set())) == 2


def test_honolulu_slots_are_honolulu_wall_clock():
    slots = rules.slots_for_day(date(2026, 12, 1), tz=HONOLULU, blocks=WEEKDAYS, closed=set())
    assert slots[0].start.isoformat() == "2026-12-01T08:00:00-10:00"


def test_slots_keep_local_times_across_dst():
    before = rules.slots_for_day(date(2026, 3, 6), tz=CHICAGO, blocks=WEEKDAYS, closed=set())[0]
    after = rules.slots_for_day(date(2026, 3, 9), tz=CHICAGO, blocks=WEEKDAYS, closed=set())[0]
    assert before.start.utcoffset().total_seconds() == -6 * 3600
    assert after.start.utcoffset().total_seconds() == -5 * 3600
    assert before.start.time() == after.start.time() == time(8)


def test_find_slot_on_and_off_the_grid():
    assert rules.find_slot(datetime(2026, 12, 1, 9, tzinfo=CHICAGO), tz=CHICAGO, blocks=WEEKDAYS, closed=set())
    assert rules.find_slot(datetime(2026, 12, 1, 15, tzinfo=ZoneInfo("UTC")), tz=CHICAGO, blocks=WEEKDAYS, closed=set())
    assert rules.find_slot(datetime(2026, 12, 1, 9, 10, tzinfo=CHICAGO), tz=CHICAGO, blocks=WEEKDAYS, closed=set()) is None
    assert rules.find_slot(datetime(2026, 12, 1, 9, tzinfo=CHICAGO), tz=CHICAGO, blocks=WEEKDAYS,
                           closed={date(2026, 12, 1)}) is None


@pytest.mark.parametrize(
    ("start", "status", "code"),
    [
        (datetime(2026, 11, 30, 7, 30, tzinfo=CHICAGO), 400, "start_in_past"),
        (datetime(2026, 11, 30, 9, 30, tzinfo=CHICAGO), 409, "too_soon"),
        (datetime(2026, 12, 15, 8, 0, tzinfo=CHICAGO), 409, "too_far_ahead"),
    ],
)
def test_check_bookable_refusals(start, status, code):
    refusal = rules.check_bookable(start, now=NOW, tz=CHICAGO, policy=POLICY)
    assert (refusal.status, refusal.code) == (status, code)


def test_too_far_says_when_it_can_be_booked():
    refusal = rules.check_bookable(datetime(2026, 12, 20, 8, tzinfo=CHICAGO), now=NOW, tz=CHICAGO, policy=POLICY)
    assert refusal.extra == {"bookable_from": "2026-12-06"}


@pytest.mark.parametrize("start", [datetime(2026, 11, 30, 10, 0, tzinfo=CHICAGO), datetime(2026, 12, 14, 14, tzinfo=CHICAGO)])
def test_check_bookable_accepts_the_window_edges(start):
    assert rules.check_bookable(start, now=NOW, tz=CHICAGO, policy=POLICY) is None


def test_reschedule_limits():
    start = datetime(2026, 12, 2, 9, tzinfo=CHICAGO)
    assert rules.check_reschedulable(starts_at=start, reschedule_count=1, now=NOW, policy=POLICY) is None
    assert rules.check_reschedulable(starts_at=start, reschedule_count=2, now=NOW, policy=POLICY).code == "reschedule_limit"
    late = datetime(2026, 11, 30, 19, 59, tzinfo=CHICAGO)
    assert rules.check_reschedulable(starts_at=late, reschedule_count=0, now=NOW, policy=POLICY).code == "reschedule_too_late"


def test_cancel_cutoff():
    assert rules.check_cancellable(starts_at=datetime(2026, 11, 30, 9, 1, tzinfo=CHICAGO), now=NOW, policy=POLICY) is None
    refusal = rules.check_cancellable(starts_at=datetime(2026, 11, 30, 8, 59, tzinfo=CHICAGO), now=NOW, policy=POLICY)
    assert refusal.code == "cancel_too_late"


def test_reminder_due_within_a_day_and_not_after_start():
    assert rules.reminder_due(starts_at=datetime(2026, 12, 1, 8, tzinfo=CHICAGO), now=NOW, policy=POLICY)
    assert not rules.reminder_due(starts_at=datetime(2026, 12, 1, 8, 1, tzinfo=CHICAGO), now=NOW, policy=POLICY)
    assert not rules.reminder_due(starts_at=datetime(2026, 11, 30, 8, tzinfo=CHICAGO), now=NOW, policy=POLICY)
