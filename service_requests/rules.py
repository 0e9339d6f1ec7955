"""Pure decisions for service requests: receipt numbers, what may be filed, who may do what."""

import re

from django.utils.translation import gettext_lazy as _

from core.models import CONTACT_CENTER_ROLES, Role

from .models import CONFIDENTIAL_CLASSES, RequestType

INVALID_RECEIPT = _("A receipt number is 3 letters and 10 digits, such as EAC2290123456.")
NO_ONE_TO_ANSWER = _("Give the caller's account e-mail, or their name and e-mail.")
RECEIPT_REQUIRED = _("This kind of request needs the receipt number of your case.")
COA_NOT_FOR_CONFIDENTIAL = _(
    "Change of address cannot be requested this way for VAWA, T or U cases. To protect your safety, "
    "follow the instructions on your notice or call the USCIS Contact Center."
)

_RECEIPT_RE = re.compile(r"^[A-Z]{3}[0-9*]{10}$")

# Who files for a caller (an account or a name and e-mail), and who acts on a request at an office.
CALLER_FILING_ROLES = frozenset({*CONTACT_CENTER_ROLES, Role.OFFICE_STAFF, Role.ADMIN})
REQUEST_ACTING_ROLES = frozenset({Role.OFFICE_STAFF, Role.HQ_OSCO, Role.ADMIN})

# Types a customer can describe without a receipt number.
RECEIPT_OPTIONAL = frozenset({RequestType.ACCOMMODATION, RequestType.OTHER})

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 11  # 32**11 ≈ 3.6e16 possibilities: not guessable


def normalize_receipt(value: str) -> str:
    """'eac-22-901-23456' → 'EAC2290123456'. Dashes and spaces are dropped; asterisks are kept
    (some notices print them). Raises ValueError(INVALID_RECEIPT)."""
    cleaned = re.sub(r"[\s-]", "", value or "").upper()
    if not _RECEIPT_RE.match(cleaned):
        raise ValueError(INVALID_RECEIPT)
    return cleaned


def refusal_for(*, request_type: str, case_class: str, receipt_number: str) -> str | None:
    """Why a request of this kind cannot be filed, or None."""
    if request_type == RequestType.CHANGE_OF_ADDRESS and case_class in CONFIDENTIAL_CLASSES:
        return str(COA_NOT_FOR_CONFIDENTIAL)
    if not receipt_number and request_type not in RECEIPT_OPTIONAL:
        return str(RECEIPT_REQUIRED)
    return None


# VAWA, T and U matters (8 U.S.C. § 1367): their e-mails say only that there is news, and to sign in;
# no name, no reference number, nothing about the case.
PROTECTED_EMAIL = "service_requests/email/protected"


def email_template(kind: str, case_class: str) -> str:
    return PROTECTED_EMAIL if case_class in CONFIDENTIAL_CLASSES else f"service_requests/email/{kind}"
