"""Appointment times as people read them: "9:30 a.m. Central Time" in English, "09:30, hora del
Centro" in Spanish (24-hour, the local convention). The office's zone, never the server's."""

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import dateformat
from django.utils.translation import gettext as _

from appointments.calendar import calendar_links as appointment_calendar_links
from offices.templatetags.directory import zone_name

register = template.Library()


def _local(value: datetime, tz: Any) -> datetime:
    return value.astimezone(tz)


@register.filter
def local_time(value: datetime | None, tz: Any) -> str:
    """The time of day in `tz`: "9:30 a.m." (English) or "09:30" (Spanish)."""
    if value is None:
        return ""
    # Translators: a time of day in Django's date format; Spanish uses 24-hour "H:i".
    return dateformat.format(_local(value, tz), _("g:i a"))


@register.filter
def day_in_words(value: date | datetime | None, tz: Any = None) -> str:
    """A day as a notice writes it: "Tuesday 1 December 2026" / "martes 1 de diciembre de 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, tz).date() if tz is not None else value.date()
    return dateformat.format(value, _("l j F Y"))


@register.filter
def when(value: datetime | None, tz: Any) -> str:
    """Day, time and zone in words: "Tuesday 1 December 2026, 9:00 a.m. Central Time"."""
    if value is None:
        return ""
    return _("%(day)s, %(time)s %(zone)s") % {"day": day_in_words(value, tz), "time": local_time(value, tz),
                                              "zone": zone_name(tz)}


@register.simple_tag
def calendar_links(appointment: Any) -> dict[str, str]:
    return appointment_calendar_links(appointment)
