"""The escalation windows of §D.2 — the one place that does window arithmetic.

Window 1: if USCIS has not responded within N days (15) of the service request, the customer may
write to the service center where the case is pending, quoting the request's reference number.
Window 2: if the service center has not responded within M days (21) of that inquiry, the customer
may contact HQ Office of Service Center Operations.

Days are calendar days, or business days (weekends and observed federal holidays excluded) when the
policy says so. A window opens at the start of its day, Eastern time (USCIS headquarters), so
"from 12 December" holds all of 12 December. A response stops the clock; a transfer does not
restart it. Pure: pass the facts, the policy and `now`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from offices.holidays import us_federal_holidays

CLOCK_ZONE = ZoneInfo("America/New_York")


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    BUSINESS = "business", _("Business days (no weekends or federal holidays)")


class Stage(models.TextChoices):
    WAITING = "waiting", _("Waiting for a response")
    WINDOW1_OPEN = "window1_open", _("You may write to the service center")
    SC_INQUIRY_SENT = "sc_inquiry_sent", _("Service center inquiry sent")
    WINDOW2_OPEN = "window2_open", _("You may contact HQ Office of Service Center Operations")
    HQ_ESCALATED = "hq_escalated", _("Escalated to HQ Office of Service Center Operations")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


@dataclass(frozen=True)
class WindowPolicy:
    window1_days: int = 15
    window1_kind: str = DayKind.CALENDAR
    window2_days: int = 21
    window2_kind: str = DayKind.CALENDAR


@dataclass(frozen=True)
class Facts:
    created_at: datetime
    first_response_at: datetime | None = None
    service_center_inquiry_at: datetime | None = None
    hq_inquiry_at: datetime | None = None
    is_open: bool = True


def add_days(start: date, days: int, kind: str) -> date:
    """`days` calendar days after `start`, or `days` business days (skipping weekends and observed
    U.S. federal holidays)."""
    if kind == DayKind.CALENDAR:
        return start + timedelta(days=days)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in us_federal_holidays(day.year):
            counted += 1
    return day


def opens_at(start: datetime, days: int, kind: str) -> datetime:
    """The instant a window opens: the start of the day `days` (calendar or business) days after
    `start`'s date, Eastern time."""
    opening_day = add_days(start.astimezone(CLOCK_ZONE).date(), days, kind)
    return datetime.combine(opening_day, time.min, tzinfo=CLOCK_ZONE)


def window1_opens_at(facts: Facts, policy: WindowPolicy) -> datetime:
    return opens_at(facts.created_at, policy.window1_days, policy.window1_kind)


def window2_opens_at(facts: Facts, policy: WindowPolicy) -> datetime | None:
    if facts.service_center_inquiry_at is None:
        return None
    return opens_at(facts.service_center_inquiry_at, policy.window2_days, policy.window2_kind)


def stage(facts: Facts, policy: WindowPolicy, now: datetime) -> str:
    """Where the request stands at `now`."""
    if facts.first_response_at is not None:
        return Stage.ANSWERED
    if not facts.is_open:
        return Stage.CLOSED
    if facts.hq_inquiry_at is not None:
        return Stage.HQ_ESCALATED
    if facts.service_center_inquiry_at is not None:
        second = window2_opens_at(facts, policy)
        return Stage.WINDOW2_OPEN if second is not None and now >= second else Stage.SC_INQUIRY_SENT
    return Stage.WINDOW1_OPEN if now >= window1_opens_at(facts, policy) else Stage.WAITING


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    opens_on: date | None = None


NOT_OPEN_YET = _("You may write from {day}, if USCIS has not responded by then.")
ALREADY_ANSWERED = _("USCIS has already responded to this request, so there is nothing to escalate.")
REQUEST_CLOSED = _("This request is closed.")
ALREADY_SENT = _("You already sent this inquiry on {day}.")
NOT_AT_SERVICE_CENTER = _(
    "This request is pending at the {office}, not at a service center. Contact that office, quoting your "
    "reference number."
)
SC_INQUIRY_FIRST = _("First write to the service center; you may contact HQ if it has not responded within {days} days.")


def _day(at: datetime) -> date:
    return at.astimezone(CLOCK_ZONE).date()


def check_service_center_inquiry(
    facts: Facts, policy: WindowPolicy, now: datetime, *, at_service_center: bool, office_name: str
) -> Refusal | None:
    """May the customer send the service-center inquiry now? None, or why not."""
    if facts.first_response_at is not None:
        return Refusal("already_answered", str(ALREADY_ANSWERED))
    if not facts.is_open:
        return Refusal("closed", str(REQUEST_CLOSED))
    if facts.service_center_inquiry_at is not None:
        return Refusal("already_sent", str(ALREADY_SENT).format(day=_day(facts.service_center_inquiry_at)))
    if not at_service_center:
        return Refusal("not_at_service_center", str(NOT_AT_SERVICE_CENTER).format(office=office_name))
    opening = window1_opens_at(facts, policy)
    if now < opening:
        return Refusal("window_not_open", str(NOT_OPEN_YET).format(day=opening.date().isoformat()), opening.date())
    return None


def check_hq_inquiry(facts: Facts, policy: WindowPolicy, now: datetime) -> Refusal | None:
    if facts.first_response_at is not None:
        return Refusal("already_answered", str(ALREADY_ANSWERED))
    if not facts.is_open:
        return Refusal("closed", str(REQUEST_CLOSED))
    if facts.hq_inquiry_at is not None:
        return Refusal("already_sent", str(ALREADY_SENT).format(day=_day(facts.hq_inquiry_at)))
    opening = window2_opens_at(facts, policy)
    if opening is None:
        return Refusal("service_center_first", str(SC_INQUIRY_FIRST).format(days=policy.window2_days))
    if now < opening:
        return Refusal("window_not_open", str(NOT_OPEN_YET).format(day=opening.date().isoformat()), opening.date())
    return None
