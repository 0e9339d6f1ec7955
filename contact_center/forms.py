from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm

from .models import Question, Result


class IdentityCheckForm(PortalForm):
    caller_name = forms.CharField(label=_("Caller's name"), max_length=150)
    questions = forms.MultipleChoiceField(
        label=_("Questions you asked"), choices=Question.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Ask at least three, and compare each answer with the case on file."),
    )
    result = forms.ChoiceField(label=_("Result"), choices=Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class LookupForm(PortalForm):
    key = forms.CharField(label=_("Reference number, receipt number or A-number"), max_length=20,
                          help_text=_("For example SR7K2M9XQ4PLA, EAC2290123456 or A012345678."))
