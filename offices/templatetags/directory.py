from collections.abc import Iterable
from datetime import time
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from offices.models import Weekday

register = template.Library()

_ZONE_NAMES = {
    "America/New_York": gettext_noop("Eastern Time"),
    "America/Detroit": gettext_noop("Eastern Time"),
    "America/Chicago": gettext_noop("Central Time"),
    "America/Denver": gettext_noop("Mountain Time"),
    "America/Phoenix": gettext_noop("Arizona Time"),
    "America/Los_Angeles": gettext_noop("Pacific Time"),
    "America/Anchorage": gettext_noop("Alaska Time"),
    "Pacific/Honolulu": gettext_noop("Hawaii Time"),
    "America/Puerto_Rico": gettext_noop("Atlantic Time"),
    "Pacific/Guam": gettext_noop("Chamorro Time"),
}


@register.filter
def zone_name(tz: Any) -> str:
    key = getattr(tz, "key", str(tz))
    name = _ZONE_NAMES.get(key)
    if name:
        return _(name)
    return _("%(city)s time") % {"city": key.split("/")[-1].replace("_", " ")}


@register.simple_tag
def weekly_hours(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Group consecutive weekdays with the same hours: Monday–Friday 8:00–16:30."""
    spans: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: (r.weekday, r.opens)):
        last = spans[-1] if spans else None
        if last and last["opens"] == row.opens and last["closes"] == row.closes and last["last_day"] == row.weekday - 1:
            last["last_day"] = row.weekday
        else:
            spans.append({"first_day": row.weekday, "last_day": row.weekday, "opens": row.opens, "closes": row.closes})
    for span in spans:
        first_day, last_day = Weekday(span["first_day"]).label, Weekday(span["last_day"]).label
        span["days"] = str(first_day) if first_day == last_day else f"{first_day}–{last_day}"
    return spans


@register.filter
def clock(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""
