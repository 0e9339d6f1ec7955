"""An edit of a booking policy, a schedule block or a reason drops what every process keeps of them.

appointments.selectors keeps policies, schedule blocks and reasons beside the jurisdiction index
(offices.jurisdiction.memo); bumping its version makes every process read them again.
"""

from offices import signals as office_signals

from .models import AppointmentPolicy, AppointmentReason, ScheduleTemplate

KEPT_MODELS = (AppointmentPolicy, ScheduleTemplate, AppointmentReason)


def connect() -> None:
    office_signals.connect(KEPT_MODELS, "booking-config")
