"""The booking and rescheduling steps on the web: a day first, then a time, then check your answers.

The check page runs the very service that books (or moves) the appointment and rolls it back, so
it refuses exactly what the booking would refuse, with the same message, before anything is kept.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import dateformat
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from offices.models import Office

from . import selectors
from .selectors import AvailableSlot

NO_TIMES_THAT_DAY = gettext_lazy("There are no free times on {day}. Choose another day.")
BAD_DAY = gettext_lazy("Choose one of the listed days.")


@dataclass
class Day:
    day: date
    slots: list[AvailableSlot] = field(default_factory=list)

    @property
    def times(self) -> int:
        return len(self.slots)


def free_days(office: Office, *, now: datetime) -> list[Day]:
    """Days in the booking window with at least one free place, each with its free times."""
    slots = [s for s in selectors.bookable_availability(office, now=now) if s.remaining > 0]
    return [Day(day, list(group)) for day, group in groupby(slots, key=lambda s: s.start.date())]


def chosen_day(request: HttpRequest, days: list[Day], start: datetime | None, tz: Any) -> tuple[Day | None, str]:
    """The day the visitor picked (?day=YYYY-MM-DD, else the day of a posted time), and an error
    when it is not one of the days with free times."""
    text = request.GET.get("day", "").strip()
    wanted: date | None = None
    if text:
        try:
            wanted = parse_date(text)
        except ValueError:
            wanted = None
        if wanted is None:
            return None, str(BAD_DAY)
    elif start is not None:
        wanted = start.astimezone(tz).date()
    if wanted is None:
        return None, ""
    found = next((d for d in days if d.day == wanted), None)
    if found is None:
        if start is not None and not text:
            return None, ""  # the posted time's own error says why
        return None, str(NO_TIMES_THAT_DAY).format(day=dateformat.format(wanted, _("l j F Y")))
    return found, ""


def query_with(request: HttpRequest, **changes: str | None) -> str:
    """The current query string (customer, office) with some keys set or dropped."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


class _RolledBack(Exception):
    pass


def dry_run(call: Callable[[], object]) -> None:
    """Run a service and undo all it wrote (rows, audit, e-mails owed): its refusals propagate."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        pass
