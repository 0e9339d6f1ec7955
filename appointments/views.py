"""Server-rendered appointment pages. Each view parses, calls one service or selector, renders."""

from datetime import date, timedelta
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import access
from core.errors import ApplicationError, Forbidden, NotFound
from core.http import AuthenticatedHttpRequest
from core.models import Role, User
from core.selectors import customer_by_email
from core.web import form_add_application_error
from offices.models import Office
from offices.selectors import OFFICE_NOT_FOUND

from . import selectors, services
from .calendar import appointment_ics_response
from .forms import BookForm, CustomerLookupForm, RescheduleForm, StaffDayForm


def _picker_days(office: Office, *, now) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Free slots in the booking window, grouped by local day, for the slot picker."""
    slots = [s for s in selectors.bookable_availability(office, now=now) if s.remaining > 0]
    return [{"day": day, "slots": list(group)} for day, group in groupby(slots, key=lambda s: s.start.date())]


def _booking_customer(request: AuthenticatedHttpRequest) -> tuple[User | None, CustomerLookupForm | None]:
    """Customers book for themselves; representatives and staff name the customer first."""
    user = request.user
    if user.role == Role.CUSTOMER:
        return user, None
    if user.role not in services.BOOK_FOR_OTHERS_ROLES:
        raise Forbidden(str(services.ROLE_CANNOT_BOOK))
    lookup = CustomerLookupForm(request.GET if "customer" in request.GET else None)
    if not lookup.is_bound or not lookup.is_valid():
        return None, lookup
    try:
        return customer_by_email(lookup.cleaned_data["customer"]), lookup
    except ApplicationError as exc:
        form_add_application_error(lookup, exc)
        return None, lookup


def _booking_office(request: AuthenticatedHttpRequest, customer: User, context: dict[str, Any]) -> Office | None:
    """The office the page books at: the customer's (by residence), or for staff the office they
    named with ?office=CODE (booking there then needs a reason)."""
    try:
        home: Office | None = services.office_for_booking(customer)
    except ApplicationError as exc:
        home, context["no_office"], context["no_office_status"] = None, exc.message, exc.status_code
    context["home"] = home
    staff = request.user.role in services.BOOK_ELSEWHERE_ROLES
    context["may_book_elsewhere"] = staff
    code = request.GET.get("office", "").strip().upper()[:8] if staff else ""
    if not code or (home is not None and code == home.code):
        return home
    office = Office.objects.filter(code=code).first()
    if office is None:
        raise NotFound(str(OFFICE_NOT_FOUND).format(code=code))
    context["elsewhere"] = True
    context.pop("no_office", None)
    return office


@login_required
@require_http_methods(["GET", "POST"])
def appointment_book(request: AuthenticatedHttpRequest) -> HttpResponse:
    customer, lookup = _booking_customer(request)
    context: dict[str, Any] = {"lookup": lookup, "customer": customer}
    if customer is None:
        status = 400 if lookup is not None and lookup.is_bound else 200
        return render(request, "appointments/book.html", context, status=status)
    office = _booking_office(request, customer, context)
    if office is None:
        return render(request, "appointments/book.html", context, status=context["no_office_status"])
    form = BookForm(request.POST or None, international=office.is_international, elsewhere=context.get("elsewhere", False))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                appointment = services.appointment_book(
                    actor=request.user, office_code=office.code, start=form.cleaned_data["start"],
                    reason_code=form.cleaned_data["reason"].code,
                    customer_email=None if customer == request.user else customer.email,
                    notes=form.cleaned_data["notes"], other_office_reason=form.cleaned_data.get("other_office_reason", ""),
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Your appointment is booked. Your confirmation code is %(code)s.")
                                 % {"code": appointment.confirmation_code})
                return redirect("appointments:detail", pk=appointment.pk)
        else:
            status = 400
    context.update(office=office, form=form, days=_picker_days(office, now=timezone.now()))
    return render(request, "appointments/book.html", context, status=status)


@login_required
def appointment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    mine = selectors.appointment_list_for_user(request.user)
    if request.user.role == Role.OFFICE_STAFF:
        return redirect("appointments:staff_day")
    upcoming = selectors.appointment_upcoming_for_user(request.user, now=now)
    past = mine.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at")[:50]
    return render(request, "appointments/list.html", {"upcoming": upcoming, "past": past})


@login_required
def appointment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(request.user, pk)
    return render(request, "appointments/detail.html", {"appointment": appointment, "office": appointment.office,
                                                         "now": timezone.now()})


@login_required
def appointment_calendar(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(request.user, pk)
    return appointment_ics_response(appointment)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(request.user, pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            services.appointment_cancel(actor=request.user, appointment_id=pk)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Your appointment is cancelled."))
            return redirect("appointments:detail", pk=pk)
    return render(request, "appointments/cancel.html", {"appointment": appointment, "error": error}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(request.user, pk)
    form = RescheduleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.appointment_reschedule(actor=request.user, appointment_id=pk, start=form.cleaned_data["start"])
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Your appointment has a new time."))
                return redirect("appointments:detail", pk=pk)
        else:
            status = 400
    days = _picker_days(appointment.office, now=timezone.now())
    return render(request, "appointments/reschedule.html",
                  {"appointment": appointment, "office": appointment.office, "form": form, "days": days}, status=status)


def _require_office_staff(request: AuthenticatedHttpRequest) -> Office:
    if request.user.role != Role.OFFICE_STAFF or request.user.office is None:
        raise Forbidden(_("This page is for office staff."))
    return request.user.office


def _office_day_context(request: AuthenticatedHttpRequest, office: Office) -> dict[str, Any]:
    """The chosen day (within the schedule's horizon; today otherwise, with the field's error), its
    neighbours, its appointments, and the lookup's matches."""
    now = timezone.now()
    first, last = selectors.office_day_range(office, now=now)
    today = now.astimezone(office.time_zone).date()
    form = StaffDayForm(request.GET or None, initial={"date": today}, first=first, last=last)
    valid = not form.is_bound or form.is_valid()
    day: date = (form.cleaned_data.get("date") if form.is_bound and valid else None) or today
    query = form.cleaned_data.get("q", "") if form.is_bound and valid else ""
    previous, following = day - timedelta(days=1), day + timedelta(days=1)
    return {
        "office": office, "day": day, "today": today, "form": form, "valid": valid,
        "appointments": list(selectors.office_day(office, day)),
        "previous": previous if previous >= first else None, "next": following if following <= last else None,
        "lookup_query": query, "matches": selectors.office_lookup(office, query, first=first, last=last),
    }


@login_required
def staff_day(request: AuthenticatedHttpRequest) -> HttpResponse:
    office = _require_office_staff(request)
    context = _office_day_context(request, office)
    context["lookup"] = CustomerLookupForm()
    return render(request, "appointments/staff_day.html", context, status=200 if context["valid"] else 400)


@login_required
def staff_day_print(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The day's list to print: the same rows as the office day, with room to sign."""
    office = _require_office_staff(request)
    context = _office_day_context(request, office)
    return render(request, "appointments/staff_day_print.html", context, status=200 if context["valid"] else 400)


@login_required
def staff_no_show_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A no-show is asked for twice: this page says who and when, and its button marks it."""
    _require_office_staff(request)
    appointment = selectors.appointment_get_for_user(request.user, pk)
    if not access.acts_for_office(request.user, appointment.office_id):
        raise NotFound(str(selectors.APPOINTMENT_NOT_FOUND))
    return render(request, "appointments/staff_no_show_confirm.html", {
        "appointment": appointment, "office": appointment.office,
        "day": appointment.starts_at.astimezone(appointment.office.time_zone).date(), "q": request.GET.get("q", "")})


_STAFF_ACTIONS = {
    "check-in": services.appointment_check_in,
    "no-show": services.appointment_mark_no_show,
    "undo-no-show": services.appointment_undo_no_show,
    "complete": services.appointment_complete,
    "cancel": services.appointment_cancel,
}


@login_required
@require_POST
def staff_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Check in, no-show (after its confirmation page), undo a no-show, complete, cancel; back to the day
    shown before (the posted `date` and lookup `q`), whatever the outcome."""
    _require_office_staff(request)
    service = _STAFF_ACTIONS.get(action)
    if service is None:
        raise Forbidden(_("Unknown action."))
    back = {key: request.POST.get(key, "").strip() for key in ("date", "q") if request.POST.get(key, "").strip()}
    if action == "no-show" and request.POST.get("confirm") != "yes":
        url = reverse("appointments:staff_no_show_confirm", args=[pk])
        return redirect(f"{url}?{urlencode({'q': back['q']})}" if back.get("q") else url)
    try:
        appointment = service(actor=request.user, appointment_id=pk)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
        return redirect(_day_url(back))
    messages.success(request, _("%(code)s is now %(status)s.") % {
        "code": appointment.confirmation_code, "status": appointment.get_status_display().lower()})
    if "date" not in back:
        back["date"] = appointment.starts_at.astimezone(appointment.office.time_zone).date().isoformat()
    return redirect(_day_url(back))


def _day_url(params: dict[str, str]) -> str:
    return f"{reverse('appointments:staff_day')}?{urlencode(params)}" if params else reverse("appointments:staff_day")
