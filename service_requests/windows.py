"""The escalation ladder of §D.2 — the one place that does window arithmetic.

Window 1: if USCIS has not responded within N days (15) of the service request, the customer may
follow up: at a service center, by writing to it (quoting the request's reference number); at any
other office (a field office, the NBC, an asylum office, an office abroad), through the USCIS
Contact Center with the reference number, since those offices publish no inquiry mailbox.
Window 2: if the service center has not responded within M days (21) of that inquiry, the customer
may contact HQ Office of Service Center Operations (for other holders only where the policy says so).
Last rung: the CIS Ombudsman (DHS Form 7001), once USCIS has been allowed 60 days since the request
and only while the customer's last contact with USCIS is within 90 days (domain.md §10).

Every opening is computed once, when the request is filed (or the inquiry sent), under the policy
then in force, and stored; everything else (page, API, refusals, sweep, dashboard, e-mails) reads
the stored instants, so a later policy edit never moves a date a customer was given.

Days are calendar days, or business days (weekends, observed federal holidays and the agency's
closure days excluded) when the policy says so, counted by the `holidays` package's own working-day
functions. A window opens at the start of its day, Eastern time (USCIS headquarters), so
"from 12 December" holds all of 12 December. A response stops the clock; a transfer does not
restart it. Pure: pass the facts and `now`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from offices.holidays import us_working_calendar

CLOCK_ZONE = ZoneInfo("America/New_York")
# The CIS Ombudsman's own conditions for case assistance (DHS Form 7001), in calendar days.
OMBUDSMAN_ALLOW_DAYS = 60
OMBUDSMAN_RECENT_CONTACT_DAYS = 90


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    BUSINESS = "business", _("Business days (no weekends, federal holidays or closure days)")


class Stage(models.TextChoices):
    WAITING = "waiting", _("Waiting for a response")
    WINDOW1_OPEN = "window1_open", _("You may write to the service center")
    SC_INQUIRY_SENT = "sc_inquiry_sent", _("Service center inquiry sent")
    WINDOW2_OPEN = "window2_open", _("You may contact HQ Office of Service Center Operations")
    HQ_ESCALATED = "hq_escalated", _("Escalated to HQ Office of Service Center Operations")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


STAGE_ORDER = (Stage.WAITING, Stage.WINDOW1_OPEN, Stage.SC_INQUIRY_SENT, Stage.WINDOW2_OPEN, Stage.HQ_ESCALATED)


@dataclass(frozen=True)
class WindowPolicy:
    """The terms a request is filed under (stored with it)."""

    window1_days: int = 15
    window1_kind: str = DayKind.CALENDAR
    window2_days: int = 21
    window2_kind: str = DayKind.CALENDAR
    hq_for_all_holders: bool = False  # HQ also takes requests held by offices other than service centers


@dataclass(frozen=True)
class Facts:
    """What is stored about one request: when things happened and the openings computed then."""

    created_at: datetime
    window1_opens_at: datetime
    first_response_at: datetime | None = None
    service_center_inquiry_at: datetime | None = None
    window2_opens_at: datetime | None = None
    hq_inquiry_at: datetime | None = None
    is_open: bool = True


def add_days(start: date, days: int, kind: str, closures: Iterable[date] = ()) -> date:
    """`days` calendar days after `start`, or the `days`-th business day after it (weekends,
    observed U.S. federal holidays and the given closure days are not business days)."""
    if kind == DayKind.CALENDAR:
        return start + timedelta(days=days)
    return us_working_calendar(frozenset(closures)).get_nth_working_day(start, days)


def is_business_day(day: date, closures: Iterable[date] = ()) -> bool:
    return us_working_calendar(frozenset(closures)).is_working_day(day)


def opens_at(start: datetime, days: int, kind: str, closures: Iterable[date] = ()) -> datetime:
    """The instant a window opens: the start of the day `days` (calendar or business) days after
    `start`'s date, Eastern time."""
    opening_day = add_days(start.astimezone(CLOCK_ZONE).date(), days, kind, closures)
    return datetime.combine(opening_day, time.min, tzinfo=CLOCK_ZONE)


def window1_opening(created_at: datetime, policy: WindowPolicy, closures: Iterable[date] = ()) -> datetime:
    """When the first follow-up opens; computed at filing and stored."""
    return opens_at(created_at, policy.window1_days, policy.window1_kind, closures)


def window2_opening(inquiry_at: datetime, policy: WindowPolicy, closures: Iterable[date] = ()) -> datetime:
    """When HQ opens after the follow-up sent at `inquiry_at`, by the terms the request was filed under."""
    return opens_at(inquiry_at, policy.window2_days, policy.window2_kind, closures)


def hq_applies(policy: WindowPolicy, *, at_service_center: bool) -> bool:
    return at_service_center or policy.hq_for_all_holders


def ombudsman_opening(created_at: datetime) -> datetime:
    """USCIS has had its 60 days: the Ombudsman may be asked from the start of that day."""
    return opens_at(created_at, OMBUDSMAN_ALLOW_DAYS, DayKind.CALENDAR)


def last_contact(facts: Facts) -> datetime:
    """The customer's most recent contact with USCIS about this request."""
    return max(t for t in (facts.created_at, facts.service_center_inquiry_at, facts.hq_inquiry_at) if t is not None)


def ombudsman_contact_expires_at(facts: Facts) -> datetime:
    """After this instant the last contact is older than 90 days: contact USCIS again first."""
    return opens_at(last_contact(facts), OMBUDSMAN_RECENT_CONTACT_DAYS + 1, DayKind.CALENDAR)


def stage(facts: Facts, now: datetime) -> str:
    """Where the request stands at `now`."""
    if facts.first_response_at is not None:
        return Stage.ANSWERED
    if not facts.is_open:
        return Stage.CLOSED
    if facts.hq_inquiry_at is not None:
        return Stage.HQ_ESCALATED
    if facts.service_center_inquiry_at is not None:
        second = facts.window2_opens_at
        return Stage.WINDOW2_OPEN if second is not None and now >= second else Stage.SC_INQUIRY_SENT
    return Stage.WINDOW1_OPEN if now >= facts.window1_opens_at else Stage.WAITING


def stage_moves_forward(before: str, after: str) -> bool:
    """A sweep or an inquiry may only move a request up the ladder (or to answered / closed)."""
    if before in (Stage.ANSWERED, Stage.CLOSED):
        return after == before
    if after in (Stage.ANSWERED, Stage.CLOSED):
        return True
    return STAGE_ORDER.index(Stage(after)) >= STAGE_ORDER.index(Stage(before))


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    opens_on: date | None = None


NOT_OPEN_YET = _("You may write from {day}, if USCIS has not responded by then.")
ALREADY_ANSWERED = _("USCIS has already responded to this request, so there is nothing to escalate.")
REQUEST_CLOSED = _("This request is closed.")
ALREADY_SENT = _("You already sent this inquiry on {day}.")
SC_INQUIRY_FIRST = _("First send your follow-up inquiry; you may contact HQ if it has had no response within {days} days.")
NO_HQ_STEP = _(
    "HQ Office of Service Center Operations takes requests held by service centers. Your next step is the CIS "
    "Ombudsman (DHS Form 7001)."
)


def _day(at: datetime) -> date:
    return at.astimezone(CLOCK_ZONE).date()


def _common_refusal(facts: Facts) -> Refusal | None:
    if facts.first_response_at is not None:
        return Refusal("already_answered", str(ALREADY_ANSWERED))
    if not facts.is_open:
        return Refusal("closed", str(REQUEST_CLOSED))
    return None


def _not_yet(now: datetime, opening: datetime) -> Refusal | None:
    """Refused exactly when `now` is before the stored opening."""
    if now < opening:
        day = _day(opening)
        return Refusal("window_not_open", str(NOT_OPEN_YET).format(day=day.isoformat()), day)
    return None


def check_service_center_inquiry(facts: Facts, now: datetime) -> Refusal | None:
    """May the customer send the first follow-up now? None, or why not."""
    refusal = _common_refusal(facts)
    if refusal:
        return refusal
    if facts.service_center_inquiry_at is not None:
        return Refusal("already_sent", str(ALREADY_SENT).format(day=_day(facts.service_center_inquiry_at)))
    return _not_yet(now, facts.window1_opens_at)


def check_hq_inquiry(facts: Facts, now: datetime, *, window2_days: int = 21) -> Refusal | None:
    """May the customer contact HQ now? Only after the follow-up, once window 2 has opened."""
    refusal = _common_refusal(facts)
    if refusal:
        return refusal
    if facts.hq_inquiry_at is not None:
        return Refusal("already_sent", str(ALREADY_SENT).format(day=_day(facts.hq_inquiry_at)))
    if facts.service_center_inquiry_at is None:
        return Refusal("service_center_first", str(SC_INQUIRY_FIRST).format(days=window2_days))
    if facts.window2_opens_at is None:
        return Refusal("no_hq_step", str(NO_HQ_STEP))
    return _not_yet(now, facts.window2_opens_at)


class StepKey(models.TextChoices):
    SERVICE_CENTER = "service_center", _("Write to the service center")
    CONTACT_CENTER = "contact_center", _("Follow up through the USCIS Contact Center")
    HQ = "hq", _("Contact HQ Office of Service Center Operations")
    OMBUDSMAN = "ombudsman", _("Ask the CIS Ombudsman for case assistance")


class StepState(models.TextChoices):
    DONE = "done", _("Done")
    OPEN = "open", _("Open now")
    UPCOMING = "upcoming", _("Not yet")
    AFTER_PREVIOUS = "after_previous", _("After the step before it")
    LAPSED = "lapsed", _("Contact USCIS again first")
    ENDED = "ended", _("No longer needed")


@dataclass(frozen=True)
class Step:
    key: str
    state: str
    opens_at: datetime | None  # None while it depends on a step not yet taken
    done_at: datetime | None = None
    until: datetime | None = None  # the Ombudsman: open only until the last contact is 90 days old


def ladder(facts: Facts, now: datetime, *, at_service_center: bool, hq_for_all_holders: bool) -> list[Step]:
    """Every rung that exists for this request, in order, with its stored date and state at `now`."""
    ended = facts.first_response_at is not None or not facts.is_open

    def state(opening: datetime | None, done: datetime | None) -> str:
        if done is not None:
            return StepState.DONE
        if ended:
            return StepState.ENDED
        if opening is None:
            return StepState.AFTER_PREVIOUS
        return StepState.OPEN if now >= opening else StepState.UPCOMING

    first = StepKey.SERVICE_CENTER if at_service_center else StepKey.CONTACT_CENTER
    steps = [Step(first, state(facts.window1_opens_at, facts.service_center_inquiry_at), facts.window1_opens_at,
                  facts.service_center_inquiry_at)]
    if facts.service_center_inquiry_at is not None:
        has_hq = facts.window2_opens_at is not None
    else:
        has_hq = at_service_center or hq_for_all_holders
    if has_hq:
        steps.append(Step(StepKey.HQ, state(facts.window2_opens_at, facts.hq_inquiry_at), facts.window2_opens_at,
                          facts.hq_inquiry_at))
    opening = ombudsman_opening(facts.created_at)
    until = ombudsman_contact_expires_at(facts)
    ombudsman_state = state(opening, None)
    if ombudsman_state == StepState.OPEN and now >= until:
        ombudsman_state = StepState.LAPSED
    steps.append(Step(StepKey.OMBUDSMAN, ombudsman_state, opening, None, until))
    return steps


def answer_due(created_at: datetime, business_days: int, closures: Iterable[date] = ()) -> datetime:
    """§D.4: the receiving office answers (or relocates) by the end of the `business_days`-th
    business day after the request, Eastern time; the instant returned is the end of that day."""
    day = add_days(created_at.astimezone(CLOCK_ZONE).date(), business_days, DayKind.BUSINESS, closures)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=CLOCK_ZONE)


def answer_overdue(*, due: datetime | None, answered: bool, now: datetime) -> bool:
    return due is not None and not answered and now >= due


def due_day(due: datetime) -> date:
    """The last day the office has: the day that ends at `due`."""
    return (due.astimezone(CLOCK_ZONE) - timedelta(microseconds=1)).date()


def days_phrase(days: int, kind: str) -> str:
    """"15 calendar days" or "15 business days", as customers are told."""
    if kind == DayKind.BUSINESS:
        return str(_("{days} business days")).format(days=days)
    return str(_("{days} calendar days")).format(days=days)


def day_kind_words(kind: str) -> str:
    """'days' or 'business days', for sentences such as "within 15 business days"."""
    return str(_("business days")) if kind == DayKind.BUSINESS else str(_("days"))
