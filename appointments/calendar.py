"""The appointment as an iCalendar file (RFC 5545), for the customer's own calendar."""

from datetime import UTC
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from icalendar import Calendar, Event

from .models import Appointment, AppointmentStatus


def appointment_ics(appointment: Appointment) -> bytes:
    office = appointment.office
    calendar = Calendar()
    calendar.add("prodid", "-//USCIS Portal//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{settings.PORTAL_BASE_URL.split('://')[-1].split('/')[0]}")
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.starts_at.astimezone(office.time_zone))
    event.add("dtend", appointment.ends_at.astimezone(office.time_zone))
    event.add("sequence", appointment.reschedule_count)
    event.add("summary", f"USCIS appointment: {appointment.reason.label}")
    event.add("location", _location(appointment))
    event.add("description", f"Confirmation code {appointment.confirmation_code}. {appointment.reason.what_to_bring}")
    event.add("status", "CANCELLED" if appointment.status == AppointmentStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for the office's zone, so every client agrees
    return calendar.to_ical()


def appointment_ics_response(appointment: Appointment) -> HttpResponse:
    """The .ics file as a download, for the web page and the API alike."""
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="uscis-appointment-{appointment.confirmation_code}.ics"'
    return response


def _location(appointment: Appointment) -> str:
    office = appointment.office
    return ", ".join(p for p in (office.name, office.address_line1, office.address_line2, office.city,
                                 office.state, office.postal_code) if p)


def calendar_links(appointment: Appointment) -> dict[str, str]:
    """"Add to calendar" links for the e-mails: Google Calendar and Outlook take the event in the
    address; the .ics file (sign-in required) serves every other calendar."""
    starts, ends = appointment.starts_at.astimezone(UTC), appointment.ends_at.astimezone(UTC)
    title = f"USCIS appointment: {appointment.reason.label}"
    details = f"Confirmation code {appointment.confirmation_code}. {appointment.reason.what_to_bring}"
    google = "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE", "text": title, "details": details, "location": _location(appointment),
        "dates": f"{starts:%Y%m%dT%H%M%SZ}/{ends:%Y%m%dT%H%M%SZ}",
    })
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": title, "body": details,
        "location": _location(appointment), "startdt": starts.isoformat(), "enddt": ends.isoformat(),
    })
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return {"google": google, "outlook": outlook, "ics": f"{base}{reverse('appointments:calendar', args=[appointment.pk])}"}
