from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .errors import ApplicationError
from .forms import CountryForm, ProfileForm, SignInForm, SignupForm, ZipForm
from .http import AuthenticatedHttpRequest
from .models import CustomerProfile
from .web import form_add_application_error


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"zip_form": ZipForm(), "country_form": CountryForm()})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:profile")
    form = SignupForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE[:2]})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.customer_register(**form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            login(request, user, backend="core.auth_backends.UsernameOrEmailBackend")
            messages.success(request, _("Your account is ready. Welcome, %(name)s.") % {"name": user.first_name})
            return redirect("core:profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "core/signup.html", {"form": form}, status=status)


class SignInView(LoginView):
    template_name = "core/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile_obj = CustomerProfile.objects.filter(user=request.user).first()
    form = None
    if profile_obj is not None:
        initial = {
            "zip_code": profile_obj.zip_code,
            "country": "" if profile_obj.lives_in_us else profile_obj.country.code,  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
            "preferred_language": profile_obj.preferred_language,
            "region": profile_obj.region,
            "office": profile_obj.office_choice.code if profile_obj.office_choice else "",
        }
        form = ProfileForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.customer_profile_update(user=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Your details are saved."))
                return redirect("core:profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "core/profile.html", {"form": form, "profile": profile_obj}, status=status)


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose health checks: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
