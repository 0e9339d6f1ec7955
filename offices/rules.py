"""Pure decisions about places and opening hours. No ORM, no clock: callers pass `at`."""

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from django_countries import countries

INVALID_ZIP = _("Enter a 5-digit U.S. ZIP code, such as 60605.")
INVALID_COUNTRY = _("Enter a two-letter ISO country code, such as CA for Canada.")
DOMESTIC_COUNTRY_NEEDS_ZIP = _(
    "The United States and its territories are served by field offices: enter your ZIP code instead."
)

_ZIP_RE = re.compile(r"^(\d{5})(?:-?\d{4})?$")

# ISO codes of the U.S. and the territories with U.S. ZIP codes: residence there means a ZIP code.
DOMESTIC_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})


def normalize_zip(value: str) -> str:
    """'60605', ' 60605-1234 ' → '60605'. Raises ValueError(INVALID_ZIP) for anything else."""
    match = _ZIP_RE.match((value or "").strip())
    if not match:
        raise ValueError(INVALID_ZIP)
    return match.group(1)


def normalize_country(value: str) -> str:
    """'ca' → 'CA'. Raises ValueError(INVALID_COUNTRY) for codes that are not ISO 3166-1 alpha-2."""
    code = (value or "").strip().upper()
    if len(code) != 2 or code not in countries:
        raise ValueError(INVALID_COUNTRY)
    return code


@dataclass(frozen=True)
class WeeklyWindow:
    """Open from `opens` to `closes` (exclusive) on `weekday` (Monday = 0), in the channel's zone."""

    weekday: int
    opens: time
    closes: time


def is_open_at(
    *,
    at: datetime,
    tz: ZoneInfo,
    windows: Iterable[WeeklyWindow],
    closed_dates: Container[date] = frozenset(),
    always_open: bool = False,
) -> bool:
    """Whether a line or office with these weekly hours is open at the aware instant `at`.

    Hours are wall-clock times in `tz`, so a line that opens at 8:00 Central opens at 8:00 Central
    on both sides of a daylight-saving change. `closed_dates` are local dates (holidays, closures).
    """
    if always_open:
        return True
    local = at.astimezone(tz)
    if local.date() in closed_dates:
        return False
    now = local.time()
    return any(w.weekday == local.weekday() and w.opens <= now < w.closes for w in windows)


def next_opening(
    *,
    at: datetime,
    tz: ZoneInfo,
    windows: Iterable[WeeklyWindow],
    closed_dates: Container[date] = frozenset(),
    horizon_days: int = 21,
) -> datetime | None:
    """The next aware instant, after `at`, when the hours open; None if none within the horizon."""
    windows = sorted(windows, key=lambda w: (w.weekday, w.opens))
    local = at.astimezone(tz)
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        if day in closed_dates:
            continue
        for window in windows:
            if window.weekday != day.weekday():
                continue
            opening = datetime.combine(day, window.opens, tzinfo=tz)
            if opening > local:
                return opening
    return None
