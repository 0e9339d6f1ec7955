from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, overseas_country_choices
from service_requests.models import RequestType

from .models import ExpediteCriterion, InquiryChannel, Topic, Triage
from .rules import GUIDE_TOPICS
from .selectors import redirect_topic_choices
from .services import NOT_MET


class ContactGuideForm(PortalForm):
    topic = forms.ChoiceField(label=_("What is your question about?"), widget=forms.RadioSelect,
                              choices=[(code, _(label)) for code, label in GUIDE_TOPICS])
    country = forms.ChoiceField(
        label=_("Where do you live?"), required=False,
        choices=lambda: [("", _("In the United States or a U.S. territory"))] + overseas_country_choices()[1:],
    )
    military = forms.BooleanField(label=_("I am a member of the U.S. military, or family of one"), required=False)
    premium_processing = forms.BooleanField(
        label=_("I filed Form I-907 and have a Premium Processing receipt"), required=False)
    hague_adoption = forms.BooleanField(
        label=_("It is about adopting a child from a Hague Convention country"), required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["topic"].widget.attrs["class"] = "usa-radio__input"


class RecordInquiryForm(PortalForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=[c for c in InquiryChannel.choices
                                                             if c[0] != InquiryChannel.SELF_SERVICE])
    customer = forms.EmailField(label=_("Customer account e-mail"), required=False,
                                help_text=_("If the person has an account."))
    contact_name = forms.CharField(
        label=_("Name"), required=False, max_length=150,
        help_text=_("A name alone is enough when the inquiry is not about a specific case. Leave it empty only for "
                    "an anonymous misconduct report or at an outreach event."))
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    receipt_number = forms.CharField(label=_("Receipt number"), required=False, max_length=20)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    is_case_specific = forms.BooleanField(label=_("About a specific case"), required=False)
    dissatisfied = forms.BooleanField(label=_("The person is dissatisfied with USCIS"), required=False)
    misconduct_alleged = forms.BooleanField(label=_("Alleges misconduct by an employee or contractor"), required=False)
    text = forms.CharField(label=_("What they asked"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    redirect_topic = forms.ChoiceField(label=_("Another agency's matter"), required=False)
    expedite_criterion = forms.ChoiceField(label=_("Expedite criterion"), required=False)
    expedite_evidence = forms.CharField(label=_("Evidence offered for the expedite"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    triage_override = forms.ChoiceField(label=_("Triage differently"), required=False,
                                        choices=[("", _("Use the suggestion"))] + list(Triage.choices))
    override_reason = forms.CharField(label=_("Why you triage differently"), required=False, max_length=500)
    resolved_at_first_contact = forms.BooleanField(label=_("Resolved on this contact"), required=False)
    outcome = forms.CharField(label=_("What the person was told"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["redirect_topic"]).choices = [("", _("Not another agency's matter")), *redirect_topic_choices()]
        cast(forms.ChoiceField, self.fields["expedite_criterion"]).choices = [("", _("Not an expedite request"))] + [
            (c.code, c.label) for c in ExpediteCriterion.objects.filter(is_current=True)
        ] + [(NOT_MET, _("None of these: record the request as not met"))]


class OverrideForm(PortalForm):
    triage = forms.ChoiceField(label=_("Triage"), choices=Triage.choices)
    reason = forms.CharField(label=_("Why"), max_length=500)
    redirect_topic = forms.ChoiceField(label=_("Agency (for a redirect)"), required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["redirect_topic"]).choices = [("", "—"), *redirect_topic_choices()]


class IdentityCheckForm(PortalForm):
    method = forms.CharField(label=_("How the identity was checked"), max_length=200,
                             help_text=_("For example: A-number, date of birth and address on file matched."))


class ReplyForm(PortalForm):
    body = forms.CharField(label=_("Reply by e-mail"), widget=forms.Textarea(attrs={"rows": 4}))


class FileRequestForm(PortalForm):
    request_type = forms.ChoiceField(label=_("Service request type"), choices=RequestType.choices)
