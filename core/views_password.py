"""Password reset on the web: Django's auth views, the portal's templates, the portal's e-mail path
(core.password_reset) and the same limits as the API."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from . import signin
from .forms import NewPasswordForm, PasswordResetRequestForm
from .password_reset import LINK_SENT, password_reset_done, password_reset_send


class PasswordResetRequestView(auth_views.PasswordResetView):
    template_name = "core/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("core:password_reset_sent")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        try:
            signin.password_reset_counted(self.request, email)
        except signin.TooManyAttempts as exc:
            form.add_error(None, exc.message)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(exc.extra.get("retry_after", 3600))
            return response
        password_reset_send(email=email)
        return HttpResponseRedirect(str(self.success_url))

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_sent.html"
    extra_context = {"link_sent": LINK_SENT}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("core:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            password_reset_done(user=form.user)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"
