"""Holiday calendars from the `holidays` package, never typed by hand.

U.S. federal holidays are the observed ones (a Saturday holiday is observed the Friday before, a
Sunday holiday the Monday after), as OPM practises. Overseas offices also close on the host
country's public holidays.
"""

from datetime import date
from functools import lru_cache

import holidays as holidays_lib


@lru_cache(maxsize=64)
def us_federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays("US", years=year, observed=True).keys())


@lru_cache(maxsize=256)
def country_public_holidays(country: str, year: int) -> frozenset[date]:
    """The host country's public holidays; an empty set for a country the package does not know."""
    try:
        calendar = holidays_lib.country_holidays(country, years=year, observed=True)
    except NotImplementedError:
        return frozenset()
    return frozenset(calendar.keys())


def holiday_name(country: str, day: date) -> str | None:
    calendar = holidays_lib.country_holidays(country, years=day.year, observed=True)
    return calendar.get(day)


def closed_holidays(*, years: tuple[int, ...], host_country: str | None = None) -> frozenset[date]:
    """U.S. federal holidays in these years, plus the host country's when it is not the U.S."""
    days: set[date] = set()
    for year in years:
        days |= us_federal_holidays(year)
        if host_country and host_country != "US":
            days |= country_public_holidays(host_country, year)
    return frozenset(days)


@lru_cache(maxsize=32)
def us_working_calendar(closures: frozenset[date] = frozenset()) -> holidays_lib.HolidayBase:
    """U.S. federal holidays (observed), plus agency-wide closure days such as an executive-order
    closure, as one calendar whose own working-day functions (`is_working_day`,
    `get_nth_working_day`) count business days. Shared: do not modify the returned calendar."""
    calendar = holidays_lib.country_holidays("US", observed=True)
    calendar.update(dict.fromkeys(closures, "Agency closure"))
    return calendar
