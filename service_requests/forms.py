from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, QuickSelect, overseas_country_choices
from core.widgets import FastSelect
from offices.models import CASE_HOLDING_TYPES, Agency, Office

from .models import CaseClass, Channel, RequestType
from .rules import NO_ONE_TO_ANSWER

# On the staff page, under each box whose text the customer reads on their request (selectors.timeline_for_user).
CUSTOMER_SEES_THIS = _("The customer will see this.")


class FileForm(PortalForm):
    request_type = forms.ChoiceField(label=_("What do you need?"), choices=RequestType.choices)
    receipt_number = forms.CharField(
        label=_("Receipt number"), required=False, max_length=20,
        help_text=_("13 characters from your receipt notice, such as EAC2290123456. Needed for most requests."),
    )
    a_number = forms.CharField(
        label=_("A-number (if you have one)"), required=False, max_length=12,
        help_text=_("Your Alien Registration Number: A followed by 8 or 9 digits, such as A012345678."),
    )
    case_class = forms.ChoiceField(
        label=_("Is this a VAWA, T or U case?"), choices=CaseClass.choices, initial=CaseClass.STANDARD,
        help_text=_("We ask so that we protect your safety and confidentiality."),
    )
    notice_office = forms.CharField(
        label=_("Office on your latest notice (optional)"), required=False, max_length=8,
        help_text=_("The office code your latest notice or case status names, such as NBC or CHI. Give it for "
                    "receipt numbers starting with IOE, which have no fixed office; otherwise the request goes to "
                    "the field office for your residence."),
    )
    description = forms.CharField(
        label=_("Describe your request"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
    )


class RepresentativeFileForm(FileForm):
    customer = forms.EmailField(label=_("Customer's e-mail address"),
                                help_text=_("The customer you represent must have an account."))
    field_order = ["customer", "request_type", "receipt_number", "notice_office", "a_number", "case_class", "description"]


class CallerFileForm(FileForm):
    customer = forms.EmailField(
        label=_("Caller's account e-mail"), required=False,
        help_text=_("If the caller has an account. Otherwise give their name and e-mail below."),
    )
    contact_name = forms.CharField(label=_("Caller's name"), required=False, max_length=150)
    contact_email = forms.EmailField(label=_("Caller's e-mail"), required=False)
    zip_code = forms.CharField(label=_("Caller's ZIP code"), required=False, max_length=10,
                               help_text=_("Needed when the receipt number does not name an office."))
    country = forms.ChoiceField(label=_("Caller's country (if abroad)"), required=False, choices=overseas_country_choices,
                                widget=QuickSelect)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    field_order = ["customer", "contact_name", "contact_email", "zip_code", "country", "channel", "request_type",
                   "receipt_number", "notice_office", "a_number", "case_class", "description"]

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("customer") and not (data.get("contact_name") and data.get("contact_email")):
            raise forms.ValidationError(NO_ONE_TO_ANSWER)
        return data


class VersionedForm(PortalForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RespondForm(VersionedForm):
    body = forms.CharField(label=_("Response to the customer"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=CUSTOMER_SEES_THIS)


class NoteForm(VersionedForm):
    body = forms.CharField(label=_("Internal note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Staff only. The customer never sees it."))


class TransferForm(VersionedForm):
    to_office = forms.ChoiceField(label=_("Transfer to"))
    reason = forms.CharField(label=_("Why"), max_length=1000,
                             help_text=_("Staff only. The customer sees where the request went, not why."))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        offices = Office.objects.filter(office_type__in=sorted(CASE_HOLDING_TYPES)).order_by("office_type", "name")
        cast(forms.ChoiceField, self.fields["to_office"]).choices = [("", _("Choose an office"))] + [
            (o.code, f"{o.name} ({o.code})") for o in offices
        ]


class RelocateForm(VersionedForm):
    agency = forms.ChoiceField(label=_("Agency"))
    reason = forms.CharField(label=_("Note to the customer (optional)"), max_length=1000, required=False,
                             help_text=CUSTOMER_SEES_THIS, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [("", _("Choose an agency"))] + [
            (a.code, a.name) for a in Agency.objects.order_by("name")
        ]


class CloseForm(VersionedForm):
    reason = forms.CharField(label=_("Note to the customer (optional)"), max_length=1000, required=False,
                             help_text=CUSTOMER_SEES_THIS, widget=forms.Textarea(attrs={"rows": 2}))


class InquiryForm(PortalForm):
    message = forms.CharField(
        label=_("Your message (optional)"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your reference number and receipt number are included for you."),
    )


class BulkForm(PortalForm):
    """One reason for several ticked requests on the queue page (the `ref` checkboxes)."""

    action = forms.ChoiceField(label=_("With the ticked requests"), widget=FastSelect,
                               choices=[("close", _("Close them")), ("transfer", _("Transfer them"))])
    to_office = forms.ChoiceField(label=_("Transfer to"), required=False, widget=FastSelect)
    reason = forms.CharField(label=_("Reason (for all of them)"), max_length=1000)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        offices = Office.objects.filter(office_type__in=sorted(CASE_HOLDING_TYPES)).order_by("office_type", "name")
        cast(forms.ChoiceField, self.fields["to_office"]).choices = [("", _("Choose an office"))] + [
            (code, f"{name} ({code})") for code, name in offices.values_list("code", "name")
        ]


class SavedFilterForm(PortalForm):
    name = forms.CharField(label=_("Name this view"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)
