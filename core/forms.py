from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from offices.rules import DOMESTIC_COUNTRIES

from .models import Language


def uswds_classes(form: forms.BaseForm) -> None:
    """Give each widget its USWDS class; labels, hints and errors come from core/includes/field.html."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "usa-checkbox__input"
        elif isinstance(widget, forms.Select):
            css = "usa-select"
        elif isinstance(widget, forms.Textarea):
            css = "usa-textarea"
        else:
            css = "usa-input"
        widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


class QuickSelect(forms.Select):
    """A menu rendered in Python with the markup of Django's select templates: a long menu (250 countries)
    cost a template render per option, most of the directory page's and the office finder's time. Every
menu of countries uses it."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = widget["optgroups"]
        if any(group_name for group_name, _options, _index in groups):
            return super().render(name, value, attrs, renderer)  # option groups: Django's templates
        parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for _name, group, _index in groups:
            for option in group:
                extra = option["attrs"]
                more = " selected" if extra == {"selected": True} else "" if not extra else flatatt(extra)
                parts.append(f'<option value="{conditional_escape(option["value"])}"{more}>'
                             f'{conditional_escape(option["label"])}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  # every value and label is escaped above


class PortalForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        uswds_classes(self)


def overseas_country_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a country"))] + [(code, name) for code, name in countries if code not in DOMESTIC_COUNTRIES]


class ResidenceFields(PortalForm):
    zip_code = forms.CharField(
        label=_("U.S. ZIP code"), required=False, max_length=10,
        help_text=_("If you live in the United States or a U.S. territory."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    country = forms.ChoiceField(
        label=_("Country of residence"), required=False, choices=overseas_country_choices, widget=QuickSelect,
        help_text=_("If you live outside the United States."),
    )
    region = forms.CharField(
        label=_("Province or region"), required=False, max_length=100,
        help_text=_("Only where your country is served by more than one office, such as China's provinces."),
    )
    office = forms.CharField(
        label=_("Your field office"), required=False, max_length=8,
        help_text=_("Only where your ZIP code is served by more than one office: the office code on your notice, "
                    "or one of those the office finder lists."),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)


class SignupForm(ResidenceFields):
    first_name = forms.CharField(label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"), help_text=_("At least 10 characters."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    representative = forms.BooleanField(
        label=_("I am an attorney or accredited representative"), required=False
    )
    field_order = ["first_name", "last_name", "email", "password", "zip_code", "country", "region", "office",
                   "preferred_language", "representative"]


class ProfileForm(ResidenceFields):
    pass


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        uswds_classes(self)

    username = forms.CharField(
        label=_("E-mail address or username"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class ZipForm(PortalForm):
    zip = forms.CharField(
        label=_("ZIP code"), max_length=10, widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"})
    )
    office = forms.CharField(required=False, max_length=8, widget=forms.HiddenInput)


class CountryForm(PortalForm):
    country = forms.ChoiceField(label=_("Country of residence"), choices=overseas_country_choices, widget=QuickSelect)
    region = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)


class SecondFactorForm(PortalForm):
    code = forms.CharField(
        label=_("Code"), max_length=32,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class SearchForm(PortalForm):
    q = forms.CharField(label=_("Search this site"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))


def _receipt_list(value: str) -> list[str]:
    return [part for part in value.replace(",", " ").split() if part]


class RepresentationForm(PortalForm):
    """The customer names a representative, or a representative asks a customer; the same scope."""

    email = forms.EmailField(label=_("E-mail address"))
    all_cases = forms.BooleanField(label=_("All cases, now and later"), required=False)
    receipt_numbers = forms.CharField(
        label=_("Receipt numbers it covers"), required=False, max_length=400,
        help_text=_("One or more, separated by spaces or commas, such as EAC2290123456. Leave empty with all cases."),
    )

    def __init__(self, *args, representative: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["email"].label = (_("The customer's e-mail address") if representative
                                      else _("Your representative's e-mail address"))

    def clean_receipt_numbers(self) -> list[str]:
        return _receipt_list(self.cleaned_data.get("receipt_numbers") or "")


class G28Form(PortalForm):
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=20)
    customer_email = forms.EmailField(label=_("Customer's e-mail address"))
    representative_email = forms.EmailField(label=_("Representative's e-mail address"))


class PasswordResetRequestForm(PasswordResetForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        uswds_classes(self)


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        uswds_classes(self)
