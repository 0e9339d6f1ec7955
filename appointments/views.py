"""Server-rendered appointment pages. Each view parses, calls one service or selector, renders."""

from datetime import date, datetime, timedelta
from functools import partial
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
from core.web import dry_run, form_add_application_error
from offices.models import Office
from offices.selectors import OFFICE_NOT_FOUND

from . import rules, selectors, services, steps
from .calendar import appointment_ics_response
from .forms import BookForm, CustomerLookupForm, RescheduleForm, StaffDayForm
from .models import AppointmentStatus


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
        return customer_by_email(lookup.cleaned_data["customer"], request.user), lookup
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


def _limits_context(office: Office, customer: User, *, now: datetime) -> dict[str, Any]:
    """The limits a booking is held to, told before anything is chosen."""
    policy = selectors.policy_for(office)
    active = selectors.appointment_active_count(customer, now=now)
    refusal = str(rules.ACTIVE_LIMIT).format(count=policy.max_active_per_customer) \
        if active >= policy.max_active_per_customer else ""
    return {"policy": policy, "active": active, "refusal": refusal}


@login_required
@require_http_methods(["GET", "POST"])
def appointment_book(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1 a day (no ?day), step 2 a time that day and the reason, step 3 check your answers
    (a POST), then the booking (a POST with confirm=yes) and its confirmation page."""
    customer, lookup = _booking_customer(request)
    context: dict[str, Any] = {"lookup": lookup, "customer": customer}
    if customer is None:
        status = 400 if lookup is not None and lookup.is_bound else 200
        return render(request, "appointments/book.html", context, status=status)
    office = _booking_office(request, customer, context)
    if office is None:
        return render(request, "appointments/book.html", context, status=context["no_office_status"])
    now = timezone.now()
    context.update(office=office, **_limits_context(office, customer, now=now))
    if context["refusal"]:  # the third active booking is refused before a day or time is chosen
        return render(request, "appointments/book.html", context, status=409)
    form = BookForm(request.POST or None, international=office.is_international, elsewhere=context.get("elsewhere", False))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            book = partial(
                services.appointment_book, actor=request.user, office_code=office.code, start=data["start"],
                reason_code=data["reason"].code, customer_email=None if customer == request.user else customer.email,
                notes=data["notes"], other_office_reason=data.get("other_office_reason", ""),
            )
            try:
                if request.POST.get("confirm") == "yes":
                    appointment = book()
                    return redirect("appointments:booked", pk=appointment.pk)
                dry_run(book)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                status = exc.status_code
            else:
                start = data["start"].astimezone(office.time_zone)
                context.update(form=form, data=data, start=start, days_link=steps.query_with(request, day=None),
                               change=steps.query_with(request, day=start.date().isoformat()))
                return render(request, "appointments/book_check.html", context)
        else:
            status = 400
    return _day_or_time(request, context, form, status, "appointments/book_time.html")


def _day_or_time(request: AuthenticatedHttpRequest, context: dict[str, Any], form: Any, status: int,
                 time_template: str) -> HttpResponse:
    """The time step for the chosen day, else the day step (with why the day cannot be used)."""
    office: Office = context["office"]
    days = steps.free_days(office, now=timezone.now())
    start = form.cleaned_data.get("start") if form.is_bound and hasattr(form, "cleaned_data") else None
    day, day_error = steps.chosen_day(request, days, start, office.time_zone)
    context.update(form=form, days=days, day_error=day_error, days_link=steps.query_with(request, day=None))
    context["day_links"] = [(d, steps.query_with(request, day=d.day.isoformat())) for d in days]
    if day is None:
        template = "appointments/reschedule.html" if "appointment" in context else "appointments/book.html"
        if day_error and status == 200:
            status = 400 if day_error == str(steps.BAD_DAY) else 409
        return render(request, template, context, status=status)
    context["day"] = day
    return render(request, time_template, context, status=status)


@login_required
def appointment_booked(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The confirmation page: the code, what happens next, what to bring."""
    appointment = selectors.appointment_get_for_user(request.user, pk)
    if appointment.status != AppointmentStatus.BOOKED:
        return redirect("appointments:detail", pk=pk)
    policy = selectors.policy_for(appointment.office)
    return render(request, "appointments/booked.html", {"appointment": appointment, "office": appointment.office,
                                                         "policy": policy})


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
    """The same steps as booking: a day, a time, check your answers, then the move."""
    appointment = selectors.appointment_get_for_user(request.user, pk)
    office = appointment.office
    now = timezone.now()
    policy = selectors.policy_for(office)
    context: dict[str, Any] = {"appointment": appointment, "office": office, "policy": policy,
                               "left": max(policy.max_reschedules - appointment.reschedule_count, 0)}
    refusal = rules.check_reschedulable(starts_at=appointment.starts_at, reschedule_count=appointment.reschedule_count,
                                        now=now, policy=policy) if appointment.status == AppointmentStatus.BOOKED else \
        rules.Refusal(409, "not_active", str(rules.NOT_ACTIVE).format(status=appointment.get_status_display().lower()))
    if refusal is not None:  # told before a day is chosen
        context["refusal"] = refusal.message
        return render(request, "appointments/reschedule.html", context, status=refusal.status)
    form = RescheduleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            move = partial(services.appointment_reschedule, actor=request.user, appointment_id=pk,
                           start=form.cleaned_data["start"])
            try:
                if request.POST.get("confirm") == "yes":
                    move()
                    messages.success(request, _("Your appointment has a new time."))
                    return redirect("appointments:detail", pk=pk)
                dry_run(move)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                status = exc.status_code
            else:
                start = form.cleaned_data["start"].astimezone(office.time_zone)
                context.update(form=form, start=start, change=steps.query_with(request, day=start.date().isoformat()))
                return render(request, "appointments/reschedule_check.html", context)
        else:
            status = 400
    return _day_or_time(request, context, form, status, "appointments/reschedule_time.html")


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
