from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NEAR_YEARS = 10
NOT_NEAR = _("Choose a date within {years} years of today.")


def validate_near_date(value: date) -> None:
    """Dates people ask the portal about (a day's appointments, a range of slots) lie within a few
    years of today; far ones can only be typos, and near the calendar's ends they cannot be computed."""
    today = timezone.localdate()
    if abs((value - today).days) > NEAR_YEARS * 366:
        raise ValidationError(str(NOT_NEAR).format(years=NEAR_YEARS), code="not_near")
