"""Reads of the office directory: lists, jurisdiction and channel status."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotFound

from . import jurisdiction, rules
from .holidays import closed_holidays
from .jurisdiction import Answer, Status
from .models import (
    Agency,
    AgencyClosure,
    Audience,
    ChannelHours,
    ContactChannel,
    CountyRule,
    HolidayRule,
    Office,
    OfficeClosure,
)

OFFICE_NOT_FOUND = gettext_lazy("No office has the code {code}.")


def office_list() -> QuerySet[Office]:
    """Every office with what its list row shows, in a constant number of queries."""
    return Office.objects.prefetch_related("receipt_prefixes").order_by("code")


def office_detail_queryset() -> QuerySet[Office]:
    return Office.objects.prefetch_related(
        "receipt_prefixes",
        "hours",
        Prefetch("channels", queryset=_channel_queryset()),
    )


def office_jurisdiction_rules(office: Office) -> list[CountyRule]:
    """The county and state rules naming this office, for staff (with their confidence and source)."""
    return list(CountyRule.objects.filter(office=office).order_by("state", "county"))


def office_get(*, code: str, detail: bool = True) -> Office:
    """An office by code (404 when none), with what its page shows unless `detail` is False."""
    try:
        return (office_detail_queryset() if detail else Office.objects).get(code=code.strip().upper())
    except Office.DoesNotExist:
        raise NotFound(OFFICE_NOT_FOUND.format(code=code)) from None


def place_answer(*, zip_code: str = "", country: str = "", region: str = "", choice: str = "") -> Answer:
    """What the directory says about a ZIP code (with the customer's `choice` among candidates), or
    a country (and `region` where it is split). Raises ValueError for malformed input and NotFound
    for a ZIP that is not in the ZIP database; every other place gets an Answer, with a stated
    reason when no office serves it."""
    if zip_code:
        answer = jurisdiction.for_zip(zip_code, choice=choice)
        if answer is None:
            raise NotFound(str(jurisdiction.UNKNOWN_ZIP).format(zip=rules.normalize_zip(zip_code)))
        return answer
    return jurisdiction.for_country(country, region=region)


def residence_answer(*, zip_code: str, country: str, region: str = "", choice: str = "") -> Answer:
    """The answer for a recorded residence: a ZIP in the U.S., else a country (and region)."""
    if zip_code:
        return place_answer(zip_code=zip_code, choice=choice)
    return place_answer(country=country, region=region)


def _channel_queryset() -> QuerySet[ContactChannel]:
    return ContactChannel.objects.filter(is_active=True).prefetch_related(
        Prefetch("hours", queryset=ChannelHours.objects.order_by("weekday", "opens"))
    )


def contact_channel_list(*, staff: bool = False) -> QuerySet[ContactChannel]:
    """Active channels; the public never sees placeholders (unconfirmed numbers and mailboxes)."""
    channels = _channel_queryset().select_related("office").order_by("display_order", "code")
    return channels if staff else channels.filter(value_confirmed=True)


def visible_channels(channels: Iterable[ContactChannel], *, staff: bool = False) -> list[ContactChannel]:
    """The same rule for a prefetched list (an office's channels, the jurisdiction index's)."""
    return [c for c in channels if staff or c.value_confirmed]


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.prefetch_related("topics").order_by("name")


@dataclass(frozen=True)
class OpenStatus:
    """Whether a channel or office is open at an instant; `open_now` is None when no hours are published."""

    open_now: bool | None
    next_opens_at: datetime | None
    closed_reason: str = ""


def _windows(hours) -> list[rules.WeeklyWindow]:  # hours: iterable of WeeklyHoursBase rows
    return [rules.WeeklyWindow(h.weekday, h.opens, h.closes) for h in hours]


def channel_status(channel: ContactChannel, *, at: datetime) -> OpenStatus:
    """Open or closed at `at`. Uses `channel.hours.all()` so a prefetched list costs no query."""
    if channel.always_open:
        return OpenStatus(True, None)
    windows = _windows(channel.hours.all())
    if not windows:
        return OpenStatus(None, None)
    tz = channel.time_zone
    local_day = at.astimezone(tz).date()
    years = (local_day.year, local_day.year + 1)
    if channel.holiday_rule == HolidayRule.NONE:
        closed: frozenset[date] = frozenset()
    else:
        host = channel.office.country.code if channel.holiday_rule == HolidayRule.US_AND_HOST and channel.office else None  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
        closed = closed_holidays(years=years, host_country=host)
    open_now = rules.is_open_at(at=at, tz=tz, windows=windows, closed_dates=closed)
    if open_now:
        return OpenStatus(True, None)
    reason = _("Closed for a federal holiday") if local_day in closed else ""
    return OpenStatus(False, rules.next_opening(at=at, tz=tz, windows=windows, closed_dates=closed), reason)


def agency_closure_days() -> frozenset[date]:
    """Agency-wide closure days entered by admins (executive-order closures); a short table."""
    return frozenset(AgencyClosure.objects.values_list("date", flat=True))


def office_closed_days(office: Office, first: date, last: date) -> set[date]:
    """Holidays (U.S. federal, and the host country's abroad), agency-wide and office closures,
    and days outside the office's opening and closing dates."""
    years = tuple(range(first.year, last.year + 1))
    days = set(closed_holidays(years=years, host_country=office.country.code))  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
    idx = jurisdiction.index()
    if first >= idx.closures_since:  # the index holds every closure from then on: no query
        days |= {day for day in jurisdiction.closed_days(office) if first <= day <= last}
    else:
        days |= set(AgencyClosure.objects.filter(date__range=(first, last)).values_list("date", flat=True))
        days |= set(OfficeClosure.objects.filter(office=office, date__range=(first, last)).values_list("date", flat=True))
    day = first
    while day <= last:
        if not office.is_operating_on(day):
            days.add(day)
        day += timedelta(days=1)
    return days


def office_status(office: Office, *, at: datetime, closures: frozenset[date] | None = None) -> OpenStatus:
    """Open or closed at `at` by the office's hours, holidays (U.S. and host country) and closures
    (`closures` when the caller has them, as the jurisdiction index does; else read here)."""
    windows = _windows(office.hours.all())
    if not windows:
        return OpenStatus(None, None)
    tz = office.time_zone
    local_day = at.astimezone(tz).date()
    closed = set(closed_holidays(years=(local_day.year, local_day.year + 1), host_country=office.country.code))  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
    if closures is None:
        closures = frozenset(
            OfficeClosure.objects.filter(office=office, date__gte=local_day).values_list("date", flat=True)[:50]
        ) | frozenset(AgencyClosure.objects.filter(date__gte=local_day).values_list("date", flat=True)[:50])
    closed |= closures
    if not office.is_operating_on(local_day):
        return OpenStatus(False, None, _("This office is not operating."))
    open_now = rules.is_open_at(at=at, tz=tz, windows=windows, closed_dates=closed)
    if open_now:
        return OpenStatus(True, None)
    reason = _("Closed today") if local_day in closed else ""
    return OpenStatus(False, rules.next_opening(at=at, tz=tz, windows=windows, closed_dates=closed), reason)


def channels_for_place(answer: Answer, *, staff: bool = False) -> list[ContactChannel]:
    """The lines and mailboxes a customer living at the answered place may use about their case,
    from the jurisdiction index (no query).

    In the U.S. and territories: the Contact Center and its TDD line. Abroad: the office with
    jurisdiction (and, for Canada, the Canada mailbox that Mexico City monitors).
    """
    if not answer.is_abroad:
        ncsc = jurisdiction.office_by_code("NCSC")
        lines = ncsc.channels.all() if ncsc else []
        return [c for c in visible_channels(lines, staff=staff) if c.audience == Audience.IN_US]
    if answer.office is None or answer.status != Status.OFFICE:
        return []
    return [
        c for c in visible_channels(answer.office.channels.all(), staff=staff)
        if answer.place == "CA" or c.audience != Audience.CANADA
    ]
