from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django_countries import countries

from core.errors import NotFound
from core.forms import CountryForm, ZipForm
from core.fragments import fragment
from core.web import paginate

from . import jurisdiction, selectors
from .filters import ContactChannelFilter, OfficeFilter
from .models import Audience, OfficeType


def office_find(request: HttpRequest) -> HttpResponse:
    """Find the office that serves a ZIP code or a country of residence; where the data does not
    decide, list the candidates (or the regions) for the customer to choose from."""
    zip_form = ZipForm(request.GET if "zip" in request.GET else None)
    country_form = CountryForm(request.GET if "country" in request.GET else None)
    context: dict = {"zip_form": zip_form, "country_form": country_form, "answer": None, "not_found": ""}
    status = 200
    form = zip_form if zip_form.is_bound else country_form if country_form.is_bound else None
    if form is not None:
        field = "zip" if form is zip_form else "country"
        if form.is_valid():
            data = form.cleaned_data
            try:
                answer = selectors.place_answer(
                    zip_code=data.get("zip", ""), choice=data.get("office", ""),
                    country=data.get("country", ""), region=data.get("region", ""),
                )
            except ValueError as exc:
                form.add_error(field, str(exc))
                status = 400
            except NotFound as exc:
                context["not_found"] = exc.message
                status = 404
            else:
                now = timezone.now()
                context["answer"] = answer
                context["place_name"] = countries.name(answer.place) if answer.is_abroad else answer.place
                if answer.office is not None:
                    context["office_status"] = selectors.office_status(
                        answer.office, at=now, closures=jurisdiction.closed_days(answer.office)
                    )
                staff = _is_staff(request)
                context["lines"] = _with_status(selectors.channels_for_place(answer, staff=staff), now)
        else:
            status = 400
    return render(request, "offices/find.html", context, status=status)


def _is_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.is_staff_member)


def _with_status(channels, now):  # -> list[tuple[ContactChannel, OpenStatus]]
    return [(channel, selectors.channel_status(channel, at=now)) for channel in channels]


def _directory_content(request: HttpRequest) -> tuple[SafeString, int]:
    office_filter = OfficeFilter(request.GET or None, queryset=selectors.office_list())
    status = 200 if office_filter.is_bound is False or office_filter.is_valid() else 400
    queryset = office_filter.qs if status == 200 else selectors.office_list().none()
    page, query = paginate(request, queryset)
    types = {value: str(label) for value, label in OfficeType.choices}  # looked up once a page, not once a row
    return render_to_string("offices/includes/directory_content.html", {
        "filter": office_filter, "page": page, "query": query,
        "rows": [(office, types.get(office.office_type, office.office_type)) for office in page]}), status


def office_directory(request: HttpRequest) -> HttpResponse:
    """The directory with its filters. Unfiltered (at most a page number), its content is the same for
    everyone in a language until the directory changes: built once per process, language, directory
    version and page (core.fragments), so the page most people open costs no query. Filtered, it is
    built for the request, and so it is inside a transaction: only committed offices are kept under a
    version (offices.jurisdiction bumps it after the commit of an edit)."""
    if set(request.GET) <= {"page"} and not connection.in_atomic_block:
        key = ("directory", get_language(), jurisdiction.current_version(), request.GET.get("page", ""))
        content, status = fragment(key, lambda: _directory_content(request)[0]), 200
    else:
        content, status = _directory_content(request)
    return render(request, "offices/directory.html", {"content": content}, status=status)


def office_detail(request: HttpRequest, code: str) -> HttpResponse:
    office = selectors.office_get(code=code)  # NotFound becomes the 404 page (core.middleware)
    now = timezone.now()
    return render(
        request,
        "offices/detail.html",
        {
            "office": office,
            "status": selectors.office_status(office, at=now),
            "channels": _with_status(selectors.visible_channels(office.channels.all(), staff=_is_staff(request)), now),
            "rules": selectors.office_jurisdiction_rules(office) if _is_staff(request) else None,
            "for_zip": request.GET.get("zip", "")[:10],
        },
    )


# Sections of the contact page, in the order a customer would ask "which line is for me?".
CONTACT_SECTIONS = (
    (Audience.IN_US, Audience.IN_US.label),
    (Audience.MILITARY, Audience.MILITARY.label),
    (Audience.PREMIUM_PROCESSING, Audience.PREMIUM_PROCESSING.label),
    (Audience.HAGUE_ADOPTION, Audience.HAGUE_ADOPTION.label),
    (Audience.OPEN_SERVICE_REQUEST, Audience.OPEN_SERVICE_REQUEST.label),
    (Audience.OVERSEAS, Audience.OVERSEAS.label),
    (Audience.CANADA, Audience.CANADA.label),
)


def contact_us(request: HttpRequest) -> HttpResponse:
    all_channels = selectors.contact_channel_list(staff=_is_staff(request))
    channel_filter = ContactChannelFilter(request.GET or None, queryset=all_channels)
    channels = channel_filter.qs if channel_filter.is_valid() else all_channels
    now = timezone.now()
    by_audience: dict[str, list] = {}
    for channel, status in _with_status(channels, now):
        by_audience.setdefault(channel.audience, []).append((channel, status))
    sections = [(code, label, by_audience[code]) for code, label in CONTACT_SECTIONS if code in by_audience]
    return render(request, "offices/contact.html", {"sections": sections, "filter": channel_filter, "now": now})


def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "offices/agencies.html", {"agencies": selectors.agency_list()})

