"""Reads of the office directory: lists, jurisdiction and channel status."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from core.errors import NotFound

from . import rules
from .holidays import closed_holidays
from .models import (
    Agency,
    AgencyClosure,
    Audience,
    ChannelHours,
    ContactChannel,
    CountryCoverage,
    HolidayRule,
    Office,
    OfficeClosure,
    OfficeType,
    StateCoverage,
    ZipCoverage,
)
from .zipcodes import state_for_zip

NO_OFFICE_FOR_ZIP = gettext_lazy(
    "No field office serves ZIP code {zip}. For APO/FPO addresses call the Military Help Line."
)
NO_OFFICE_FOR_COUNTRY = gettext_lazy(
    "No USCIS international office serves {country}. Contact the U.S. embassy or consulate there "
    "(Department of State), or the USCIS Contact Center."
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


def office_get(*, code: str, detail: bool = True) -> Office:
    """An office by code (404 when none), with what its page shows unless `detail` is False."""
    try:
        return (office_detail_queryset() if detail else Office.objects).get(code=code.strip().upper())
    except Office.DoesNotExist:
        raise NotFound(OFFICE_NOT_FOUND.format(code=code)) from None


@dataclass(frozen=True)
class JurisdictionMatch:
    office: Office
    matched_by: str  # "zip", "zip_prefix", "state" or "country"
    place: str  # the normalized ZIP or country code asked about
    state: str = ""
    asylum_office: Office | None = None


def office_for_zip(zip_code: str) -> JurisdictionMatch:
    """The field office whose jurisdiction covers a ZIP: 5-digit row, then 3-digit prefix, then state.

    Raises ValueError for a malformed ZIP and NotFound when no office serves it.
    """
    zip5 = rules.normalize_zip(zip_code)
    state = state_for_zip(zip5)
    row = (
        ZipCoverage.objects.select_related("office")
        .filter(prefix__in=[zip5, zip5[:3]])
        .order_by(Length("prefix").desc())
        .first()
    )
    coverage = {
        c.office_type: c.office
        for c in StateCoverage.objects.select_related("office").filter(state=state or "")
    }
    asylum = coverage.get(OfficeType.ASYLUM_OFFICE)
    if row is not None:
        matched_by = "zip" if len(row.prefix) == 5 else "zip_prefix"
        return JurisdictionMatch(row.office, matched_by, zip5, state or "", asylum)
    field_office = coverage.get(OfficeType.FIELD_OFFICE)
    if field_office is None:
        raise NotFound(NO_OFFICE_FOR_ZIP.format(zip=zip5))
    return JurisdictionMatch(field_office, "state", zip5, state or "", asylum)


def office_for_country(country: str) -> JurisdictionMatch:
    """The international field office for a country of residence (Canada → Mexico City)."""
    code = rules.normalize_country(country)
    if code in rules.DOMESTIC_COUNTRIES:
        raise ValueError(rules.DOMESTIC_COUNTRY_NEEDS_ZIP)
    row = CountryCoverage.objects.select_related("office").filter(country=code).first()
    if row is None:
        raise NotFound(NO_OFFICE_FOR_COUNTRY.format(country=countries.name(code)))
    return JurisdictionMatch(row.office, "country", code)


def _channel_queryset() -> QuerySet[ContactChannel]:
    return ContactChannel.objects.filter(is_active=True).prefetch_related(
        Prefetch("hours", queryset=ChannelHours.objects.order_by("weekday", "opens"))
    )


def contact_channel_list() -> QuerySet[ContactChannel]:
    return _channel_queryset().select_related("office").order_by("display_order", "code")


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
    days |= set(AgencyClosure.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    days |= set(OfficeClosure.objects.filter(office=office, date__range=(first, last)).values_list("date", flat=True))
    day = first
    while day <= last:
        if not office.is_operating_on(day):
            days.add(day)
        day += timedelta(days=1)
    return days


def office_status(office: Office, *, at: datetime) -> OpenStatus:
    """Open or closed at `at` by the office's hours, holidays (U.S. and host country) and closures."""
    windows = _windows(office.hours.all())
    if not windows:
        return OpenStatus(None, None)
    tz = office.time_zone
    local_day = at.astimezone(tz).date()
    closed = set(closed_holidays(years=(local_day.year, local_day.year + 1), host_country=office.country.code))  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
    closed |= set(
        OfficeClosure.objects.filter(office=office, date__gte=local_day).values_list("date", flat=True)[:50]
    )
    closed |= set(AgencyClosure.objects.filter(date__gte=local_day).values_list("date", flat=True)[:50])
    if not office.is_operating_on(local_day):
        return OpenStatus(False, None, _("This office is not operating."))
    open_now = rules.is_open_at(at=at, tz=tz, windows=windows, closed_dates=closed)
    if open_now:
        return OpenStatus(True, None)
    reason = _("Closed today") if local_day in closed else ""
    return OpenStatus(False, rules.next_opening(at=at, tz=tz, windows=windows, closed_dates=closed), reason)


def channels_for_place(match: JurisdictionMatch) -> list[ContactChannel]:
    """The lines and mailboxes a customer living at the matched place may use about their case.

    In the U.S. and territories: the Contact Center and its TDD line. Abroad: the office with
    jurisdiction (and, for Canada, the Canada mailbox that Mexico City monitors).
    """
    channels = contact_channel_list()
    if match.matched_by != "country":
        return list(channels.filter(audience=Audience.IN_US))
    channels = channels.filter(office=match.office)
    if match.place != "CA":
        channels = channels.exclude(audience=Audience.CANADA)
    return list(channels)
