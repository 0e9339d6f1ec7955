"""Inquiry pages: the public contact guide, and the staff screens to record, triage and report."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError, Forbidden, NotFound
from core.http import AuthenticatedHttpRequest
from core.selectors import customer_by_email
from core.web import form_add_application_error, paginate
from offices import selectors as office_selectors
from offices.models import Agency, ContactChannel, Office

from . import rules, selectors, services
from .filters import InquiryFilter
from .forms import ContactGuideForm, FileRequestForm, IdentityCheckForm, OverrideForm, RecordInquiryForm, ReplyForm
from .models import ComplaintKind, InquiryChannel, Triage


def contact_guide(request: HttpRequest) -> HttpResponse:
    """A few questions lead to the right line, office or agency, with its hours and whether it is open."""
    form = ContactGuideForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if form.is_bound:
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            lives_in_us = not data["country"]
            answers = rules.GuideAnswers(data["topic"], lives_in_us, data["military"], data["premium_processing"],
                                         data["hague_adoption"])
            outcome = rules.guide(answers)
            now = timezone.now()
            if outcome.kind == "channel":
                channel = office_selectors.contact_channel_list().filter(code=outcome.code).first()
                context["channel"] = (channel, office_selectors.channel_status(channel, at=now)) if channel else None
            elif outcome.kind == "office":  # an agency's matter needs no office: its card is the answer
                answer = office_selectors.place_answer(country=data["country"])
                if answer.office is not None:
                    context["office"] = answer.office
                    context["lines"] = [(c, office_selectors.channel_status(c, at=now))
                                        for c in office_selectors.channels_for_place(answer)]
                elif answer.regions:  # a country split by region: the find page asks which
                    context["choose_region"] = answer
                else:  # no office abroad
                    context["no_office"] = answer.message
            used = services.inquiry_record_guide_use(outcome=outcome, topic=rules.guide_topic(outcome),
                                                     lives_in_us=lives_in_us, now=now)
            if outcome.kind == "agency":
                context["topic"] = used.redirect_topic
            context["outcome"] = outcome
    return render(request, "inquiries/guide.html", context, status=status)


def _require_staff(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_staff_member:
        raise Forbidden(_("This page is for Contact Center agents and office staff."))


@login_required
def inquiry_list(request: AuthenticatedHttpRequest, mine: bool = False) -> HttpResponse:
    """The office's inquiries, or (`mine`) the ones the signed-in agent recorded."""
    _require_staff(request)
    scope = selectors.inquiry_list_for_user(request.user)
    if mine:
        scope = scope.filter(taken_by=request.user)
    inquiry_filter = InquiryFilter(request.GET or None, queryset=scope)
    valid = not inquiry_filter.is_bound or inquiry_filter.is_valid()
    page, query = paginate(request, inquiry_filter.qs if valid else inquiry_filter.queryset.none())
    return render(request, "inquiries/list.html", {"filter": inquiry_filter, "page": page, "query": query,
                                                   "mine": mine}, status=200 if valid else 400)


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record an inquiry. "Check triage" shows the suggestion and the redirect card without saving."""
    _require_staff(request)
    form = RecordInquiryForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            email = data.pop("customer", "")
            try:
                customer = customer_by_email(email, request.user) if email else None
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                return render(request, "inquiries/new.html", context, status=400)
            if "preview" in request.POST:
                contact = rules.Contact(data["channel"], data["topic"], data["is_case_specific"], data["dissatisfied"],
                                        data["misconduct_alleged"], data["text"], data["redirect_topic"])
                suggestion = rules.triage(contact, selectors.redirect_rules())
                context["suggestion"] = suggestion
                context["suggestion_label"] = Triage(suggestion.triage).label
                context["complaint_label"] = ComplaintKind(suggestion.complaint_kind).label if suggestion.complaint_kind else ""
                context["suggested_topic"] = selectors.redirect_topic_get(suggestion.redirect_topic)
                status = 200
            else:
                try:
                    inquiry = services.inquiry_record(actor=request.user, customer=customer, **data)
                except ApplicationError as exc:
                    form_add_application_error(form, exc)
                    status = exc.status_code
                else:
                    messages.success(request, _("Inquiry recorded: %(triage)s.") % {"triage": inquiry.get_triage_display()})
                    return redirect("inquiries:detail", pk=inquiry.pk)
    return render(request, "inquiries/new.html", context, status=status)


def _detail(request: AuthenticatedHttpRequest, inquiry, status: int = 200, **forms: Any) -> HttpResponse:  # type: ignore[no-untyped-def]
    context: dict[str, Any] = {
        "inquiry": inquiry,
        "basis": rules.BASIS.get(inquiry.triage, ""),
        "referrals": (Office.objects.filter(code="OSI").first(), Agency.objects.filter(code="dhs-oig").first())
        if inquiry.complaint_kind == "misconduct" else None,
        "override_form": OverrideForm(initial={"triage": inquiry.triage}),
        "identity_form": IdentityCheckForm(),
        "reply_form": ReplyForm(),
        "file_form": FileRequestForm(),
        "contact_center": ContactChannel.objects.filter(code="ncsc").first()
        if inquiry.triage == Triage.OUTREACH_REDIRECT else None,
    }
    context.update(forms)
    return render(request, "inquiries/detail.html", context, status=status)


@login_required
def inquiry_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    return _detail(request, selectors.inquiry_get_for_user(request.user, pk))


_ACTIONS = {
    "override": (OverrideForm, "override_form", lambda user, pk, d: services.inquiry_override_triage(
        actor=user, inquiry_id=pk, **d), _("Triage changed; the reason is on the record.")),
    "identity": (IdentityCheckForm, "identity_form", lambda user, pk, d: services.inquiry_record_identity_check(
        actor=user, inquiry_id=pk, **d), _("Identity check recorded.")),
    "reply": (ReplyForm, "reply_form", lambda user, pk, d: services.inquiry_reply_by_email(
        actor=user, inquiry_id=pk, **d), _("Reply sent.")),
    "file-request": (FileRequestForm, "file_form", lambda user, pk, d: services.inquiry_file_service_request(
        actor=user, inquiry_id=pk, **d), _("Service request filed.")),
}


@login_required
@require_POST
def inquiry_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    _require_staff(request)
    if action not in _ACTIONS:
        selectors.inquiry_get_for_user(request.user, pk)  # 404 for strangers first
        raise NotFound(_("No such action."))
    form_class, name, run, done = _ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail(request, selectors.inquiry_get_for_user(request.user, pk), status=400, **{name: form})
    try:
        run(request.user, pk, form.cleaned_data)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        form_add_application_error(form, exc)
        return _detail(request, selectors.inquiry_get_for_user(request.user, pk), status=exc.status_code,
                       **{name: form})
    messages.success(request, done)
    return redirect("inquiries:detail", pk=pk)


@login_required
def inquiry_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    by = request.GET.get("by", "")
    by = by if by in ("channel", "office") else "channel"
    scope = selectors.inquiry_list_for_user(request.user).order_by()
    fcr = selectors.fcr_report(scope, by=by)
    weekly: dict = {}
    for row in fcr:
        week = weekly.setdefault(row.week, [0, 0])
        week[0] += row.total
        week[1] += row.resolved_first_time
    weeks = [
        {"week": w, "total": total, "resolved": resolved, "percent": round(100 * resolved / total) if total else 0,
         "y": i * 28, "width": round(780 * resolved / total) if total else 0}
        for i, (w, (total, resolved)) in enumerate(sorted(weekly.items()))
    ]
    channels, triages = dict(InquiryChannel.choices), dict(Triage.choices)
    triage_rows = [
        {"group": channels.get(r.get("channel") or "", r.get("office__code") or "—"), "triage": triages.get(r["triage"]), "n": r["n"]}
        for r in selectors.triage_report(scope, by=by)
    ]
    fcr_rows = [(row, channels.get(row.key, row.key)) for row in fcr]

    def label(row: dict) -> str:
        return str(channels.get(row.get("channel") or "", row.get("office__code") or "—"))

    contacts = [{**r, "group": label(r)} for r in selectors.contact_kind_report(scope, by=by)]
    expedites = [{**r, "group": label(r)} for r in selectors.expedite_report(scope, by=by)]
    return render(request, "inquiries/reports.html", {
        "by": by, "fcr": fcr_rows, "triage": triage_rows, "weeks": weeks, "contacts": contacts, "expedites": expedites,
        "chart_height": max(len(weeks), 1) * 28 + 10,
    })
