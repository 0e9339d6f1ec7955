from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        from .middleware import session_signed_in
        from .observability import metrics_register
        from .text import sqlite_functions_register

        user_logged_in.connect(session_signed_in, dispatch_uid="core.session_signed_in")
        connection_created.connect(sqlite_functions_register, dispatch_uid="core.sqlite_functions")
        metrics_register()
