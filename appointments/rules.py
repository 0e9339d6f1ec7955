"""Pure decisions about appointment slots and booking limits. No ORM and no clock: pass `now`."""

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

# Error messages (tests assert these).
BAD_START = _("Enter a date and time such as 2026-12-01T09:00 (office time) or 2026-12-01T09:00-06:00.")
START_IN_PAST = _("That time has already passed. Choose a later time.")
START_OFF_GRID = _("No appointment starts at that time at this office. Choose one of the available times.")
OFFICE_CLOSED = _("The office is closed on {day}. Choose another day.")
TOO_SOON = _("Appointments must be booked at least {hours} hours ahead.")
TOO_FAR = _("Appointments can be booked up to {days} days ahead. This time can be booked from {opens_on}.")
SLOT_FULL = _("That time is fully booked. Choose another time.")
ACTIVE_LIMIT = _("You already have {count} upcoming appointments, the most allowed. Cancel one to book another.")
RESCHEDULE_LIMIT = _("An appointment can be rescheduled at most {limit} times. Cancel it and book a new one.")
RESCHEDULE_TOO_LATE = _("Appointments cannot be rescheduled within {hours} hours of their start.")
CANCEL_TOO_LATE = _("Appointments cannot be cancelled online within {hours} hour(s) of their start. Call the Contact Center.")
NOT_ACTIVE = _("This appointment is {status}; it can no longer be changed.")
SAME_SLOT = _("The appointment is already at that time.")
ALREADY_BOOKED_THEN = _("You already have an appointment at that time.")


@dataclass(frozen=True)
class Policy:
    booking_horizon_days: int = 14
    min_notice_hours: int = 2
    max_active_per_customer: int = 2
    max_reschedules: int = 2
    reschedule_cutoff_hours: int = 12
    cancel_cutoff_hours: int = 1
    reminder_hours_before: int = 24


@dataclass(frozen=True)
class TemplateBlock:
    weekday: int
    opens: time
    closes: time
    slot_minutes: int
    places: int
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        if day.weekday() != self.weekday:
            return False
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)


@dataclass(frozen=True)
class GridSlot:
    start: datetime  # aware, in the office's zone
    end: datetime
    capacity: int


def slots_for_day(day: date, *, tz: ZoneInfo, blocks: Iterable[TemplateBlock], closed: Container[date]) -> list[GridSlot]:
    """The slots an office offers on `day` (wall-clock times in `tz`); none on closed days."""
    if day in closed:
        return []
    found: dict[datetime, GridSlot] = {}
    for block in blocks:
        if not block.applies_on(day):
            continue
        length = timedelta(minutes=block.slot_minutes)
        start = datetime.combine(day, block.opens)
        window_end = datetime.combine(day, block.closes)
        while start + length <= window_end:
            aware = start.replace(tzinfo=tz)
            found.setdefault(aware, GridSlot(aware, (start + length).replace(tzinfo=tz), block.places))
            start += length
    return [found[key] for key in sorted(found)]


def slots_between(
    first: date, last: date, *, tz: ZoneInfo, blocks: Iterable[TemplateBlock], closed: Container[date]
) -> list[GridSlot]:
    blocks = list(blocks)
    result: list[GridSlot] = []
    day = first
    while day <= last:
        result.extend(slots_for_day(day, tz=tz, blocks=blocks, closed=closed))
        day += timedelta(days=1)
    return result


def find_slot(start: datetime, *, tz: ZoneInfo, blocks: Iterable[TemplateBlock], closed: Container[date]) -> GridSlot | None:
    """The grid slot that starts exactly at `start`, or None (off-grid or a closed day)."""
    local = start.astimezone(tz)
    if local.date() in closed:
        return None
    for slot in slots_for_day(local.date(), tz=tz, blocks=blocks, closed=frozenset()):
        if slot.start == local:
            return slot
    return None


def last_bookable_day(*, now: datetime, tz: ZoneInfo, policy: Policy) -> date:
    return now.astimezone(tz).date() + timedelta(days=policy.booking_horizon_days)


@dataclass(frozen=True)
class Refusal:
    """Why a time cannot be booked: `status` 400 (bad input) or 409 (conflict with policy/state)."""

    status: int
    code: str
    message: str
    extra: dict | None = None


def check_bookable(start: datetime, *, now: datetime, tz: ZoneInfo, policy: Policy) -> Refusal | None:
    """Limits on when a time may be booked (or rescheduled to), independent of places left."""
    if start <= now:
        return Refusal(400, "start_in_past", str(START_IN_PAST))
    if start < now + timedelta(hours=policy.min_notice_hours):
        return Refusal(409, "too_soon", str(TOO_SOON).format(hours=policy.min_notice_hours))
    local_day = start.astimezone(tz).date()
    last = last_bookable_day(now=now, tz=tz, policy=policy)
    if local_day > last:
        opens_on = local_day - timedelta(days=policy.booking_horizon_days)
        message = str(TOO_FAR).format(days=policy.booking_horizon_days, opens_on=opens_on.isoformat())
        return Refusal(409, "too_far_ahead", message, {"bookable_from": opens_on.isoformat()})
    return None


def check_reschedulable(*, starts_at: datetime, reschedule_count: int, now: datetime, policy: Policy) -> Refusal | None:
    if reschedule_count >= policy.max_reschedules:
        return Refusal(409, "reschedule_limit", str(RESCHEDULE_LIMIT).format(limit=policy.max_reschedules))
    if now > starts_at - timedelta(hours=policy.reschedule_cutoff_hours):
        return Refusal(409, "reschedule_too_late", str(RESCHEDULE_TOO_LATE).format(hours=policy.reschedule_cutoff_hours))
    return None


def check_cancellable(*, starts_at: datetime, now: datetime, policy: Policy) -> Refusal | None:
    if now > starts_at - timedelta(hours=policy.cancel_cutoff_hours):
        return Refusal(409, "cancel_too_late", str(CANCEL_TOO_LATE).format(hours=policy.cancel_cutoff_hours))
    return None


def reminder_due(*, starts_at: datetime, now: datetime, policy: Policy) -> bool:
    """A reminder goes out once the appointment is within `reminder_hours_before` and not yet started."""
    return now < starts_at <= now + timedelta(hours=policy.reminder_hours_before)


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: easy to read out on the phone


def parse_start(text: str) -> datetime | None:
    """An ISO 8601 date-time (offset optional), or None when it is not one."""
    try:
        return parse_datetime(text)
    except ValueError:
        return None
