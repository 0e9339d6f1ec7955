"""Directory fields shown to the public in each language (django-modeltranslation): name_en/name_es
and so on, edited side by side in the admin; English answers where Spanish is still blank. The
Spanish comes with the directory (offices/data/directory.yaml: name_es, label_es, ...)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Agency, RedirectTopic


@register(Agency)
class AgencyTranslation(TranslationOptions):
    fields = ("name", "department", "hours_note", "contact_note")


@register(RedirectTopic)
class RedirectTopicTranslation(TranslationOptions):
    fields = ("label",)
