from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_countries import countries

from core.errors import NotFound
from core.forms import CountryForm, ZipForm
from core.web import paginate

from . import selectors
from .filters import ContactChannelFilter, OfficeFilter
from .models import Audience


def office_find(request: HttpRequest) -> HttpResponse:
    """Find the office that serves a ZIP code or a country of residence."""
    zip_form = ZipForm(request.GET if "zip" in request.GET else None)
    country_form = CountryForm(request.GET if "country" in request.GET else None)
    context: dict = {"zip_form": zip_form, "country_form": country_form, "match": None, "not_found": ""}
    status = 200
    form = zip_form if zip_form.is_bound else country_form if country_form.is_bound else None
    if form is not None:
        field = "zip" if form is zip_form else "country"
        if form.is_valid():
            try:
                if field == "zip":
                    match = selectors.office_for_zip(form.cleaned_data["zip"])
                else:
                    match = selectors.office_for_country(form.cleaned_data["country"])
            except ValueError as exc:
                form.add_error(field, str(exc))
                status = 400
            except NotFound as exc:
                context["not_found"] = exc.message
                status = 404
            else:
                now = timezone.now()
                context["match"] = match
                context["place_name"] = countries.name(match.place) if match.matched_by == "country" else match.place
                context["office"] = selectors.office_get(code=match.office.code)
                context["office_status"] = selectors.office_status(context["office"], at=now)
                context["lines"] = _with_status(selectors.channels_for_place(match), now)
        else:
            status = 400
    return render(request, "offices/find.html", context, status=status)


def _with_status(channels, now):  # -> list[tuple[ContactChannel, OpenStatus]]
    return [(channel, selectors.channel_status(channel, at=now)) for channel in channels]


def office_directory(request: HttpRequest) -> HttpResponse:
    office_filter = OfficeFilter(request.GET or None, queryset=selectors.office_list())
    status = 200 if office_filter.is_bound is False or office_filter.is_valid() else 400
    queryset = office_filter.qs if status == 200 else selectors.office_list().none()
    page, query = paginate(request, queryset)
    return render(
        request,
        "offices/directory.html",
        {"filter": office_filter, "page": page, "query": query},
        status=status,
    )


def office_detail(request: HttpRequest, code: str) -> HttpResponse:
    office = selectors.office_get(code=code)  # NotFound becomes the 404 page (core.middleware)
    now = timezone.now()
    return render(
        request,
        "offices/detail.html",
        {
            "office": office,
            "status": selectors.office_status(office, at=now),
            "channels": _with_status(office.channels.all(), now),
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
    channel_filter = ContactChannelFilter(request.GET or None, queryset=selectors.contact_channel_list())
    channels = channel_filter.qs if channel_filter.is_valid() else selectors.contact_channel_list()
    now = timezone.now()
    by_audience: dict[str, list] = {}
    for channel, status in _with_status(channels, now):
        by_audience.setdefault(channel.audience, []).append((channel, status))
    sections = [(code, label, by_audience[code]) for code, label in CONTACT_SECTIONS if code in by_audience]
    return render(request, "offices/contact.html", {"sections": sections, "filter": channel_filter, "now": now})


def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "offices/agencies.html", {"agencies": selectors.agency_list()})

