from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_signed_in
        from .observability import metrics_register

        user_logged_in.connect(session_signed_in, dispatch_uid="core.session_signed_in")
        metrics_register()
