from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from core.validators import validate_near_date

from . import rules
from .models import AppointmentReason

CHOOSE_A_TIME = _("Choose a time.")


def parse_start(value: str) -> object:
    parsed = rules.parse_start(value or "")
    if parsed is None:
        raise forms.ValidationError(CHOOSE_A_TIME if not value else rules.BAD_START)
    return parsed


class StartField(forms.CharField):
    """The chosen slot; rendered as radio buttons grouped by day in the template."""

    def to_python(self, value: Any) -> Any:  # a datetime, or None
        return parse_start(str(value or "").strip())


class BookForm(PortalForm):
    reason: "forms.ModelChoiceField[AppointmentReason]" = forms.ModelChoiceField(
        label=_("Reason for your visit"), queryset=AppointmentReason.objects.none(), to_field_name="code",
        empty_label=None,
    )
    start = StartField(label=_("Time"), required=True)
    notes = forms.CharField(
        label=_("Anything we should know (optional)"), required=False, max_length=500,
        help_text=_("For example, if you need an interpreter or an accommodation for a disability."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    other_office_reason = forms.CharField(
        label=_("Why at this office?"), required=True, max_length=300,
        help_text=_("This is not the office that serves the customer's residence. For example: emergency advance "
                    "parole, or the case was moved here for interview. The reason is recorded."),
    )

    def __init__(self, *args, international: bool = False, elsewhere: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        reasons = AppointmentReason.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["reason"]).queryset = reasons.filter(international=True) if international else reasons
        if not elsewhere:
            del self.fields["other_office_reason"]


class RescheduleForm(PortalForm):
    start = StartField(label=_("New time"), required=True)


class CustomerLookupForm(PortalForm):
    customer = forms.EmailField(
        label=_("Customer's e-mail address"),
        help_text=_("The customer must have an account. Ask them for the e-mail they signed up with."),
    )


OUTSIDE_HORIZON = _("Choose a day from {first} to {last}.")


class StaffDayForm(PortalForm):
    """The office day: a date within the schedule's horizon (`first`..`last`), and a lookup."""

    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}), required=False,
                           validators=[validate_near_date])
    q = forms.CharField(label=_("Confirmation code or customer name"), required=False, max_length=100)

    def __init__(self, *args, first=None, last=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.first, self.last = first, last

    def clean_date(self):  # type: ignore[no-untyped-def]
        day = self.cleaned_data.get("date")
        if day and self.first and self.last and not (self.first <= day <= self.last):
            raise forms.ValidationError(str(OUTSIDE_HORIZON).format(
                first=date_format(self.first, "DATE_FORMAT"), last=date_format(self.last, "DATE_FORMAT")),
                code="outside_horizon")
        return day
