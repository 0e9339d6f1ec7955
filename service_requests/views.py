"""Server-rendered service-request pages for customers, agents and office staff."""

from collections.abc import Callable
from functools import partial
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.csv_export import csv_response
from core.errors import ApplicationError, Forbidden
from core.fragments import fragment
from core.http import AuthenticatedHttpRequest
from core.models import CONTACT_CENTER_ROLES, CUSTOMER_ROLES, Role
from core.pagination import CappedCountPaginator
from core.selectors import customer_by_email
from core.services import case_read_record
from core.web import dry_run, form_add_application_error, paginate

from . import dashboard, rendering, rules, selectors, services, windows
from .filters import QueueFilter
from .forms import (
    BulkForm,
    CallerFileForm,
    CloseForm,
    FileForm,
    InquiryForm,
    NoteForm,
    RelocateForm,
    RepresentativeFileForm,
    RespondForm,
    SavedFilterForm,
    TransferForm,
)
from .models import OPEN_STATUSES, CaseClass, Channel, RequestType, ServiceRequest


@login_required
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role in rules.REQUEST_ACTING_ROLES:
        return redirect("service_requests:queue")
    items = selectors.service_request_list_for_user(request.user).order_by("-created_at")[:100]
    return render(request, "service_requests/list.html", {
        "items": items, "now": timezone.now(), "filed_by_me": request.user.role in CONTACT_CENTER_ROLES})


# Filing online, one question per page: (step name, its fields). The answers so far ride along as
# hidden fields; each step checks only its own and earlier fields.
FILE_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("type", ("customer", "request_type")),
    ("receipt", ("receipt_number", "notice_office", "a_number")),
    ("details", ("case_class", "description")),
)
STEP_NAMES = [name for name, _fields in FILE_STEPS]


def _file_step(request: AuthenticatedHttpRequest, form: FileForm, index: int, status: int = 200) -> HttpResponse:
    name, fields = FILE_STEPS[index]
    visible = [form[f] for f in fields if f in form.fields]
    hidden = [form[f] for f in form.fields if f not in fields]
    return render(request, "service_requests/file.html", {
        "form": form, "step": name, "number": index + 1, "total": len(FILE_STEPS) + 1, "visible": visible,
        "hidden": hidden, "back": STEP_NAMES[index - 1] if index else None,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_file(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Customers (and representatives) file online: type, receipt number, details, check your
    answers, then the confirmation page with the reference number and the dates that matter."""
    user = request.user
    if user.role not in CUSTOMER_ROLES:
        return redirect("service_requests:file_for_caller")
    form_class = RepresentativeFileForm if user.role == Role.REPRESENTATIVE else FileForm
    if request.method == "GET":
        return _file_step(request, form_class(), 0)
    answers = request.POST.dict()
    goto = request.POST.get("goto", "")
    if goto in STEP_NAMES:  # "Change" on the check page, or "Back": the answers, no errors yet
        return _file_step(request, form_class(initial=answers), STEP_NAMES.index(goto))
    step = request.POST.get("step", STEP_NAMES[-1])
    index = STEP_NAMES.index(step) if step in STEP_NAMES else len(FILE_STEPS) - 1
    form = form_class(request.POST)
    form.full_clean()
    answered = {f for _name, fields in FILE_STEPS[:index + 1] for f in fields}
    first_wrong = next((i for i, (_n, fields) in enumerate(FILE_STEPS) if any(f in form.errors for f in fields)), None)
    if first_wrong is not None and first_wrong <= index:
        _drop_errors_after(form, answered)
        return _file_step(request, form, first_wrong, status=400)
    if index < len(FILE_STEPS) - 1:
        return _file_step(request, form_class(initial=answers), index + 1)
    data = form.cleaned_data
    try:
        customer = customer_by_email(data["customer"], user) if data.get("customer") else None
        file = partial(
            services.service_request_file, actor=user, request_type=data["request_type"],
            description=data["description"], receipt_number=data["receipt_number"], a_number=data["a_number"],
            case_class=data["case_class"], customer=customer, notice_office=data["notice_office"],
        )
        if request.POST.get("confirm") == "yes":
            created = file()
            return redirect("service_requests:filed", reference_number=created.reference_number)
        dry_run(file)
    except ApplicationError as exc:
        form_add_application_error(form, exc)
        wrong = next((i for i, (_n, fields) in enumerate(FILE_STEPS) if any(f in form.errors for f in fields)),
                     len(FILE_STEPS) - 1)
        return _file_step(request, form, wrong, status=exc.status_code)
    return render(request, "service_requests/file_check.html", {
        "form": form, "data": data, "request_type": RequestType(data["request_type"]).label,
        "case_class": CaseClass(data["case_class"]).label, "number": len(FILE_STEPS) + 1, "total": len(FILE_STEPS) + 1,
    })


def _drop_errors_after(form: FileForm, answered: set[str]) -> None:
    """Errors only for what was asked so far: a later step's empty field is not wrong yet."""
    for field in list(form.errors):
        if field not in answered and field != "__all__":
            del form.errors[field]


@login_required
def request_filed(request: AuthenticatedHttpRequest, reference_number: str) -> HttpResponse:
    """The confirmation page: the reference number, and the stored dates its windows open."""
    found = selectors.service_request_get_for_user(request.user, reference_number)
    view = selectors.escalation_view(found, now=timezone.now())
    return render(request, "service_requests/filed.html", {"item": found, "escalation": view,
                                                            "eastern": windows.CLOCK_ZONE})


@login_required
@require_http_methods(["GET", "POST"])
def request_file_for_caller(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Contact Center agents (and office staff) file for a caller; the reference number shows on screen."""
    if request.user.role not in rules.CALLER_FILING_ROLES:
        raise Forbidden(_("This page is for Contact Center agents and office staff."))
    form = CallerFileForm(request.POST or None, initial={"channel": Channel.PHONE})
    status, created = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                customer = customer_by_email(data["customer"], request.user) if data.get("customer") else None
                created = services.service_request_file(
                    actor=request.user, request_type=data["request_type"], description=data["description"],
                    receipt_number=data["receipt_number"], a_number=data["a_number"], case_class=data["case_class"], customer=customer,
                    contact_name=data["contact_name"], contact_email=data["contact_email"],
                    zip_code=data["zip_code"], country=data["country"], channel=data["channel"],
                    notice_office=data["notice_office"],
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                status = exc.status_code
            else:
                status, form = 201, CallerFileForm(initial={"channel": Channel.PHONE})
    return render(request, "service_requests/file_for_caller.html", {"form": form, "created": created}, status=status)


def _staff_forms(service_request, data=None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    initial = {"version": service_request.version}
    return {
        "respond_form": RespondForm(data, initial=initial, prefix="respond"),
        "note_form": NoteForm(data, initial=initial, prefix="note"),
        "transfer_form": TransferForm(data, initial=initial, prefix="transfer"),
        "relocate_form": RelocateForm(data, initial=initial, prefix="relocate"),
        "close_form": CloseForm(data, initial=initial, prefix="close"),
    }


def _render_detail(request: AuthenticatedHttpRequest, service_request, status: int = 200, **extra: Any) -> HttpResponse:  # type: ignore[no-untyped-def]
    user = request.user
    now = timezone.now()
    context: dict[str, Any] = {
        "sr": service_request,
        "timeline": selectors.timeline_for_user(user, service_request),
        "is_staff_view": user.role in rules.REQUEST_ACTING_ROLES,
        "is_customer_view": user.role in CUSTOMER_ROLES,
        "escalation": selectors.escalation_view(service_request, now=now),
        "now": now,
        "inquiry_form": InquiryForm(),
    }
    if context["is_staff_view"]:
        context["is_supervisor"] = services.is_supervisor(user)
        context["holder"] = services.holder_name(service_request.assigned_to) if service_request.assigned_to else ""
    if context["is_staff_view"] and service_request.status in OPEN_STATUSES:
        context.update(_staff_forms(service_request))
    context.update(extra)
    return render(request, "service_requests/detail.html", context, status=status)


@login_required
def request_detail(request: AuthenticatedHttpRequest, reference_number: str) -> HttpResponse:
    found = selectors.service_request_get_for_user(request.user, reference_number)
    case_read_record(actor=request.user, request=found, screen="web.request_detail")
    return _render_detail(request, found)


_ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Any], str]] = {
    "respond": (RespondForm, services.service_request_respond, _("Your response is on the record.")),
    "note": (NoteForm, services.service_request_note, _("Note added.")),
    "transfer": (TransferForm, services.service_request_transfer, _("The request was transferred.")),
    "relocate": (RelocateForm, services.service_request_relocate, _("The request was sent to the agency.")),
    "close": (CloseForm, services.service_request_close, _("The request is closed.")),
}


@login_required
@require_POST
def request_action(request: AuthenticatedHttpRequest, reference_number: str, action: str) -> HttpResponse:
    if action not in _ACTIONS or request.user.role not in rules.REQUEST_ACTING_ROLES:
        selectors.service_request_get_for_user(request.user, reference_number)  # 404 for strangers first
        raise Forbidden(_("Only staff can do that."))
    form_class, service, done = _ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        service_request = selectors.service_request_get_for_user(request.user, reference_number)
        return _render_detail(request, service_request, status=400, **{f"{action}_form": form})
    values = dict(form.cleaned_data)
    version = values.pop("version")
    try:
        # The service decides who may see the request: staff whose office transferred it away a
        # moment ago get 409 (stale), not 404, so no visibility check may come before it.
        service(actor=request.user, reference_number=reference_number, expected_version=version, **values)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        form_add_application_error(form, exc)
        fresh = selectors.service_request_list_for_user(request.user).filter(
            reference_number=reference_number.strip().upper()).first()
        if fresh is None:  # transferred away meanwhile
            messages.error(request, exc.message)
            return redirect("service_requests:queue")
        return _render_detail(request, fresh, status=exc.status_code, **{f"{action}_form": form})
    messages.success(request, done)
    if action == "transfer":
        return redirect("service_requests:queue")
    return redirect("service_requests:detail", reference_number=reference_number)


def _error_text(exc: ApplicationError) -> str:
    """A refusal as one message line: its field errors, or its message."""
    return " ".join(m for ms in exc.fields.values() for m in ms) if exc.fields else exc.message


def _staff_only(request: AuthenticatedHttpRequest) -> None:
    if request.user.role not in rules.REQUEST_ACTING_ROLES:
        raise Forbidden(_("This page is for office staff."))


def _filtered_queue(request: AuthenticatedHttpRequest, *, mine: bool = False) -> tuple[QueueFilter, bool]:
    data = request.GET.copy()
    if mine:
        data["holder"] = "mine"
    base = selectors.staff_queue(request.user, open_only=not data.get("status"))
    queue_filter = QueueFilter(data or None, queryset=base, request=request)
    return queue_filter, not queue_filter.is_bound or queue_filter.is_valid()


@login_required
def staff_queue(request: AuthenticatedHttpRequest, mine: bool = False) -> HttpResponse:
    """The office's queue: search, filters, sort, who holds each request, bulk actions, saved views
    (`mine`: "my requests", the ones the signed-in officer holds). The query runs here (values only)
    and the rows are built once per page (selectors.queue_rows)."""
    _staff_only(request)
    queue_filter, valid = _filtered_queue(request, mine=mine)
    # Counted before the columns are chosen: the count then joins nothing (the columns' joins cost SQL to compile).
    page, query = paginate(request, queue_filter.qs if valid else queue_filter.queryset.none(),
                           paginator_class=CappedCountPaginator)
    now = timezone.now()
    page_rows = selectors.queue_values(cast(QuerySet[ServiceRequest], page.object_list))  # a slice of the queryset
    rows, labels = selectors.queue_rows(page_rows, now=now), rendering.queue_labels()
    language = get_language()

    def filters() -> SafeString:
        return render_to_string("service_requests/includes/queue_filters.html",
                                {"filter": queue_filter, "mine": mine, "query": query}, request=request)

    # Untouched filters show nothing of the request: the same HTML for everyone in a language.
    filters_html = fragment(("filters", language, mine), filters) if not queue_filter.is_bound else filters()
    version = rendering.directory_version()
    bulk_html = fragment(
        ("bulk", language, version),
        lambda: render_to_string("service_requests/includes/queue_bulk.html", {"bulk_form": BulkForm()})) if rows else ""
    return render(request, "service_requests/queue.html", {
        "filter": queue_filter, "page": page, "query": query, "now": now, "mine": mine, "rows": rows,
        "labels": labels, "rows_html": rendering.queue_rows_html(
            rows, labels, reverse("service_requests:detail", args=["REF"]).removesuffix("REF/")),
        "saved_filters": list(selectors.saved_filters_for(request.user)),
        "save_field_html": fragment(("save", language), lambda: render_to_string(
            "core/includes/field.html", {"field": SavedFilterForm()["name"]})),
        "filters_html": filters_html, "bulk_html": bulk_html,
        "office_name": rendering.office_name(request.user.office_id, version),
    }, status=200 if valid else 400)


@login_required
def staff_queue_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered queue as CSV (formula-safe: see core.csv_export)."""
    _staff_only(request)
    queue_filter, valid = _filtered_queue(request)
    if not valid:
        return HttpResponse(str(queue_filter.errors.as_text()), status=400, content_type="text/plain; charset=utf-8")
    return csv_response(selectors.EXPORT_HEADER, selectors.queue_export_rows(queue_filter.qs),
                        f"queue-{timezone.localdate().isoformat()}.csv")


def _back_to_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    return redirect(reverse("service_requests:queue") + (f"?{query}" if query else ""))


@login_required
@require_POST
def staff_queue_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Close or transfer the ticked requests with one reason: all or none."""
    _staff_only(request)
    form = BulkForm(request.POST)
    references = request.POST.getlist("ref")
    if form.is_valid():
        try:
            done = services.service_request_bulk(actor=request.user, reference_numbers=references,
                                                 **form.cleaned_data)
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, ngettext("%(n)d request done.", "%(n)d requests done.", len(done)) % {
                "n": len(done)})
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return _back_to_queue(request)


@login_required
@require_POST
def saved_filter_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        try:
            services.saved_filter_save(owner=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The view is saved."))
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return _back_to_queue(request)


@login_required
@require_POST
def saved_filter_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    services.saved_filter_delete(owner=request.user, pk=pk)
    messages.success(request, _("The saved view is deleted."))
    return redirect("service_requests:queue")


_ASSIGNMENT: dict[str, tuple[Callable[..., Any], str]] = {
    "take": (services.service_request_take, _("You hold this request now.")),
    "release": (services.service_request_release, _("The request is back in the office's queue.")),
    "assign": (services.service_request_assign, _("The request is assigned.")),
}


@login_required
@require_POST
def request_assignment(request: AuthenticatedHttpRequest, reference_number: str, step: str) -> HttpResponse:
    service, done = _ASSIGNMENT[step]
    extra = {"officer": request.POST.get("officer", "")} if step == "assign" else {}
    try:
        service(actor=request.user, reference_number=reference_number, **extra)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, _error_text(exc))
        service_request = selectors.service_request_get_for_user(request.user, reference_number)
        return _render_detail(request, service_request, status=exc.status_code)
    messages.success(request, done)
    return redirect("service_requests:detail", reference_number=reference_number)


@login_required
@require_POST
def officer_absence(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An officer away: their requests go back to the office's queue (themselves, or a supervisor for them)."""
    _staff_only(request)
    try:
        count = services.officer_absence_hand_back(actor=request.user, officer=request.POST.get("officer", ""))
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, ngettext("%(n)d request is back in the queue.", "%(n)d requests are back in the queue.",
                                           count) % {"n": count})
    return redirect("service_requests:queue")


_INQUIRIES = {
    "service-center-inquiry": (services.service_request_service_center_inquiry,
                               _("Your inquiry was sent to the service center.")),
    "hq-inquiry": (services.service_request_hq_inquiry,
                   _("Your inquiry was sent to HQ Office of Service Center Operations.")),
}


@login_required
@require_POST
def request_inquiry(request: AuthenticatedHttpRequest, reference_number: str, step: str) -> HttpResponse:
    """Customer escalations: the service-center inquiry (window 1) and the HQ inquiry (window 2)."""
    service, done = _INQUIRIES[step]
    service_request = selectors.service_request_get_for_user(request.user, reference_number)
    form = InquiryForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, service_request, status=400, inquiry_form=form)
    try:
        service(actor=request.user, reference_number=reference_number, message=form.cleaned_data["message"])
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        form_add_application_error(form, exc)
        return _render_detail(request, service_request, status=exc.status_code, inquiry_form=form)
    messages.success(request, done)
    return redirect("service_requests:detail", reference_number=reference_number)


@login_required
def staff_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Requests per stage, windows opening in the next 7 days, and charts per office."""
    if request.user.role not in rules.REQUEST_ACTING_ROLES:
        raise Forbidden(_("This page is for staff."))
    now = timezone.now()
    scope = selectors.service_request_list_for_user(request.user).order_by()
    ages = dashboard.age_by_office(scope, now=now)
    responses = dashboard.first_response_by_office(scope)
    return render(request, "service_requests/dashboard.html", {
        "now": now,
        "stages": dashboard.stage_counts(scope),
        "timeliness": dashboard.timeliness_by_office(scope, now=now),
        "soon": dashboard.opening_soon(scope, now=now),
        "age_buckets": [label for label, _low, _high in dashboard.AGE_BUCKETS],
        "age_rows": dashboard.stacked(ages),
        "age_height": max(len(ages), 1) * 28 + 10,
        "response_bars": dashboard.bars([(r.office, round(r.mean_days, 1)) for r in responses]),
        "responses": responses,
        "response_height": max(len(responses), 1) * 28 + 10,
    })
