from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
        label=_("Country of residence"), required=False, choices=overseas_country_choices,
        help_text=_("If you live outside the United States."),
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
    field_order = ["first_name", "last_name", "email", "password", "zip_code", "country", "preferred_language", "representative"]


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


class CountryForm(PortalForm):
    country = forms.ChoiceField(label=_("Country of residence"), choices=overseas_country_choices)


class SecondFactorForm(PortalForm):
    code = forms.CharField(
        label=_("Code"), max_length=32,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class SearchForm(PortalForm):
    q = forms.CharField(label=_("Search this site"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))
