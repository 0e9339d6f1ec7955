"""Fields shown to the public in each language (django-modeltranslation): label_en/label_es and so on,
edited side by side in the admin; English answers where Spanish is still blank."""

from modeltranslation.translator import TranslationOptions, register

from .models import AppointmentReason


@register(AppointmentReason)
class AppointmentReasonTranslation(TranslationOptions):
    fields = ("label", "what_to_bring")
