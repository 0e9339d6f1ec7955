from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import selectors as appointment_selectors
from service_requests import selectors as request_selectors

from . import access, navigation, services, signin
from . import signup as signup_flow
from .errors import ApplicationError
from .forms import CountryForm, ProfileForm, SearchForm, SignInForm, SignupForm, ZipForm
from .http import AuthenticatedHttpRequest
from .models import CUSTOMER_ROLES, CustomerProfile
from .search import site_search
from .views_auth import tokens_context
from .web import form_add_application_error


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"zip_form": ZipForm(), "country_form": CountryForm()})


@login_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where sign-in lands: customers on their dashboard, staff on their role's start page."""
    return redirect(navigation.start_page_for(request.user))


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A signed-in customer's page: upcoming appointments, open requests with the next date that
    matters, and the latest answers from USCIS."""
    user = request.user
    if user.role not in CUSTOMER_ROLES:
        return redirect(navigation.start_page_for(user))
    now = timezone.now()
    return render(request, "core/dashboard.html", {
        "appointments": list(appointment_selectors.appointment_upcoming_for_user(user, now=now)
                             .select_related("office")[:5]),
        "requests": request_selectors.customer_open_requests(user, now=now),
        "responses": request_selectors.customer_recent_responses(user),
        "now": now,
    })


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results, status = None, 200
    if form.is_bound:
        if form.is_valid():
            results = site_search(form.cleaned_data["q"], user=request.user)
        else:
            status = 400
    query = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else request.GET.get("q", "")[:100]
    return render(request, "core/search.html", {"form": form, "results": results, "search_query": query},
                  status=status)


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The same answer (a redirect to "Check your e-mail") for a new address, a pending one and one
    with an account (core.signup); only input errors any address would get stay on the form."""
    if request.user.is_authenticated:
        return redirect("core:profile")
    form = SignupForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE[:2]})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signin.signup_counted(request, form.cleaned_data["email"])
            signup_flow.customer_signup(**form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            status = exc.status_code
        else:
            return redirect("core:signup_sent")
    else:
        status = 400 if request.method == "POST" else 200
    return render(request, "core/signup.html", {"form": form}, status=status)


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "core/signup_sent.html", {"signup_sent": signup_flow.SIGNUP_SENT})


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the confirmation e-mail. Opening it shows a button; pressing it confirms, signs in
    and lands on the dashboard (a GET confirms nothing, so mail scanners that open links do not use it)."""
    try:
        if request.method == "POST":
            user = signup_flow.signup_confirm(uidb64=uidb64, token=token)
        else:
            signup_flow.signup_link_check(uidb64=uidb64, token=token)
    except ApplicationError:
        return render(request, "core/signup_confirm.html", {"invalid": signup_flow.LINK_INVALID}, status=400)
    if request.method == "GET":
        return render(request, "core/signup_confirm.html", {})
    login(request, user, backend="core.auth_backends.UsernameOrEmailBackend")
    messages.success(request, str(signup_flow.CONFIRMED) % {"name": user.first_name})
    return redirect("core:dashboard")


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
    context = {"form": form, "profile": profile_obj, "staff_second_factor": access.requires_second_factor(request.user),
               **tokens_context(request)}
    return render(request, "core/profile.html", context, status=status)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers requests. It reads nothing else, so a database or Redis outage
    never gets a pod restarted (that is /readyz's to report, core.health)."""
    return JsonResponse({"status": "ok"})
