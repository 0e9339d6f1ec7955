"""Writes for service requests: file, respond, note, transfer, relocate, close, escalate.

Each action is one transaction: lock the request, check who may act and that nothing changed
meanwhile (`version`), update with compare-and-swap, write the timeline event, and owe e-mails
through the outbox (sent after commit).

    filing.py      service_request_file, as named steps (channel, parties, residence, holder,
                   duplicate check, insert)
    routing.py     which office holds a case when it is filed
    actions.py     staff actions: respond, note, transfer, relocate, close (one or in bulk)
    saved_filters.py  a staff member's saved queue views
    assignment.py  take, assign, hand back (and an officer's absence)
    escalation.py  the customer's steps up the ladder (§D.2)
    common.py      locking, compare-and-swap, timeline events and e-mails shared by the above
"""

from .actions import (
    CLOSED_ALREADY,
    EMPTY_TEXT,
    NOT_A_CASE_OFFICE,
    SAME_OFFICE,
    UNKNOWN_AGENCY,
    UNKNOWN_OFFICE,
    service_request_bulk,
    service_request_close,
    service_request_note,
    service_request_relocate,
    service_request_respond,
    service_request_transfer,
)
from .assignment import (
    HELD_BY,
    held_by,
    holder_name,
    is_supervisor,
    officer_absence_hand_back,
    service_request_assign,
    service_request_release,
    service_request_take,
)
from .common import NOT_YOURS_TO_ACT, STALE, receipt_normalize
from .escalation import INQUIRY_NOT_YOURS, service_request_hq_inquiry, service_request_service_center_inquiry
from .filing import DUPLICATE, ONLY_CUSTOMERS_FILE_ONLINE, service_request_file
from .routing import NO_ROUTE, route_for
from .saved_filters import saved_filter_delete, saved_filter_save

__all__ = [
    "HELD_BY", "held_by", "holder_name", "is_supervisor", "officer_absence_hand_back", "service_request_assign",
    "service_request_bulk", "service_request_release", "service_request_take", "saved_filter_delete",
    "saved_filter_save",
    "CLOSED_ALREADY", "DUPLICATE", "EMPTY_TEXT", "INQUIRY_NOT_YOURS", "NOT_A_CASE_OFFICE", "NOT_YOURS_TO_ACT",
    "NO_ROUTE", "ONLY_CUSTOMERS_FILE_ONLINE", "SAME_OFFICE", "STALE", "UNKNOWN_AGENCY", "UNKNOWN_OFFICE",
    "receipt_normalize", "route_for", "service_request_close", "service_request_file", "service_request_hq_inquiry",
    "service_request_note", "service_request_relocate", "service_request_respond",
    "service_request_service_center_inquiry", "service_request_transfer",
]
