"""The appointment as an iCalendar file (RFC 5545), for the customer's own calendar."""

from django.conf import settings
from django.http import HttpResponse
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
    address = ", ".join(p for p in (office.name, office.address_line1, office.address_line2, office.city,
                                    office.state, office.postal_code) if p)
    event.add("location", address)
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
