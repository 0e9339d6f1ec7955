"""Directory fields shown to the public in each language (django-modeltranslation): name_en/name_es
and so on, edited side by side in the admin; English answers where Spanish is still blank. The
Spanish comes with the directory (offices/data/directory.yaml: name_es, label_es, ..., and its `spanish`
mapping for the sentences offices and lines share)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Agency, ContactChannel, Office, RedirectTopic


@register(Agency)
class AgencyTranslation(TranslationOptions):
    fields = ("name", "department", "hours_note", "contact_note")


@register(RedirectTopic)
class RedirectTopicTranslation(TranslationOptions):
    fields = ("label",)


@register(Office)
class OfficeTranslation(TranslationOptions):
    # The office's name is a proper name and stays as USCIS writes it.
    fields = ("hours_note", "description")


@register(ContactChannel)
class ContactChannelTranslation(TranslationOptions):
    fields = ("name", "audience_note", "languages", "after_hours_instructions")
