"""The Contact Center's verified lookup (staff pages) and the report of case reads (admins)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import access
from core.errors import ApplicationError, Forbidden
from core.http import AuthenticatedHttpRequest
from core.selectors import case_reads
from core.web import form_add_application_error, paginate

from . import rules, selectors, services
from .forms import IdentityCheckForm, LookupForm


@login_required
@require_http_methods(["GET", "POST"])
def identity_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1 of a call: record the identity check."""
    if not access.is_contact_center(request.user):
        raise Forbidden(_("This page is for Contact Center agents."))
    form = IdentityCheckForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                check = services.identity_check_record(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                return redirect("contact_center:lookup", check_id=check.pk)
    return render(request, "contact_center/identity_check.html", {"form": form}, status=status)


@login_required
def lookup(request: AuthenticatedHttpRequest, check_id: int) -> HttpResponse:
    """Step 2: find the caller's request by the key they read out, under this call's check."""
    check = selectors.identity_check_get(request.user, check_id)
    current = selectors.check_current(check)
    form = LookupForm(request.GET if "key" in request.GET else None)
    context: dict = {"check": check, "current": current, "form": form, "results": None,
                     "lasts_minutes": int(rules.CHECK_LASTS.total_seconds() // 60)}
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                found = selectors.verified_lookup(actor=request.user, check_id=check.pk, key=form.cleaned_data["key"],
                                                  screen="web.contact_center_lookup")
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                status = exc.status_code
            else:
                status = 200
                context["results"] = [(r, selectors.lookup_timeline(request.user, r)) for r in found]
    context["now"] = timezone.now()
    return render(request, "contact_center/lookup.html", context, status=status)


@login_required
def case_read_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Admins: who read which case, when and through which screen (per case and per user)."""
    if not access.may_report_on_reads(request.user):
        raise Forbidden(_("This report is for administrators."))
    reference, username = request.GET.get("reference", ""), request.GET.get("user", "")
    page, query = paginate(request, case_reads(reference_number=reference, username=username), per_page=50)
    return render(request, "contact_center/case_reads.html",
                  {"page": page, "query": query, "reference": reference, "username": username})
