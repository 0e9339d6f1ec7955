from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactCenterConfig(AppConfig):
    name = "contact_center"
    verbose_name = _("Contact Center: identity checks and verified lookups")
