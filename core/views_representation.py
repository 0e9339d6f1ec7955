"""Representation on record, on the web: the customer's and the representative's page in their
account, and the staff page that records a Form G-28."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import access, representation
from .errors import ApplicationError, Forbidden
from .forms import G28Form, RepresentationForm
from .http import AuthenticatedHttpRequest
from .models import Role

FOR_CUSTOMERS = _("Representation is managed by customers and their representatives.")


def _add_error(form: RepresentationForm | G28Form, exc: ApplicationError, names: dict[str, str]) -> None:
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, texts in exc.fields.items():
        for text in texts:
            name = names.get(field, field)
            form.add_error(name if name in form.fields else None, text)


@login_required
@require_http_methods(["GET", "POST"])
def representation_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Customers name their representative (on record at once) and confirm or decline requests;
    representatives ask a customer to confirm them. Both see and may withdraw every one."""
    user = request.user
    if user.role not in (Role.CUSTOMER, Role.REPRESENTATIVE):
        raise Forbidden(str(FOR_CUSTOMERS))
    is_rep = user.role == Role.REPRESENTATIVE
    form = RepresentationForm(request.POST or None, representative=is_rep)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if is_rep:
                    representation.representation_request(
                        representative=user, customer_email=data["email"], all_cases=data["all_cases"],
                        receipt_numbers=data["receipt_numbers"])
                    messages.success(request, str(representation.REQUEST_SENT))
                else:
                    representation.representation_invite(
                        customer=user, representative_email=data["email"], all_cases=data["all_cases"],
                        receipt_numbers=data["receipt_numbers"])
                    messages.success(request, _("Your representative is on record."))
            except ApplicationError as exc:
                _add_error(form, exc, {"customer": "email", "representative": "email"})
                status = exc.status_code
            else:
                return redirect("core:representation")
    rows = representation.representations_for_user(user)
    return render(request, "core/representation.html", {"form": form, "rows": rows, "is_rep": is_rep}, status=status)


@login_required
@require_POST
def representation_confirm(request: AuthenticatedHttpRequest, representation_id: int) -> HttpResponse:
    representation.representation_confirm(actor=request.user, representation_id=representation_id)
    messages.success(request, _("You confirmed your representative. They now act for you in the cases named."))
    return redirect("core:representation")


@login_required
@require_POST
def representation_withdraw(request: AuthenticatedHttpRequest, representation_id: int) -> HttpResponse:
    representation.representation_withdraw(actor=request.user, representation_id=representation_id)
    messages.success(request, _("The representation is withdrawn."))
    return redirect("core:representation" if request.user.role in (Role.CUSTOMER, Role.REPRESENTATIVE)
                    else "core:g28")


@login_required
@require_http_methods(["GET", "POST"])
def g28_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff record a Form G-28 on file for a receipt number."""
    if not access.may_record_g28(request.user):
        raise Forbidden(_("Form G-28 is recorded by office staff, HQ and administrators."))
    form = G28Form(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                representation.representation_record_g28(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                _add_error(form, exc, {"customer": "customer_email", "representative": "representative_email",
                                       "receipt_numbers": "receipt_number"})
                status = exc.status_code
            else:
                messages.success(request, _("The Form G-28 is on record."))
                return redirect("core:g28")
    rows = representation.representations_for_user(request.user)[:50]
    return render(request, "core/g28.html", {"form": form, "rows": rows}, status=status)
