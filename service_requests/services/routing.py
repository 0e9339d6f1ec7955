"""Where a request goes when it is filed: the office that holds the case (R7, R15), and why.

receipt_prefixes.yaml: the prefix says where a case was *received*, not who holds it now. So the
prefix is a first guess (service centers, the NBC, asylum offices, a field office's own code); the
office on the customer's latest notice overrides it; IOE (electronic filing, no fixed office) asks
for that office and otherwise falls back to the field office of the customer's residence, saying so.
An asylum prefix the table does not know (Z + 2 letters) goes to the asylum office of the residence.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, NotFound
from offices import selectors as office_selectors
from offices.jurisdiction import Answer, Status
from offices.models import CASE_HOLDING_TYPES, Office, OfficeType, PrefixRouting, ReceiptPrefix

from ..models import HoldingBasis

NO_ROUTE = _("We could not tell which office holds this case. Give the ZIP code (or country) where the customer lives.")
UNKNOWN_PREFIX = _(
    "{prefix} is not a receipt prefix we know. Receipt numbers start with a service-center or benefits-center "
    "prefix ({known}), IOE, an asylum office's Z prefix, or a field office's own code (such as CHI)."
)
NOT_A_HOLDING_OFFICE = _(
    "{code} is not an office that holds cases. Give the office code on your latest notice, such as a service "
    "center (VSC), the National Benefits Center (NBC), a field office (CHI) or an asylum office (ZNK)."
)
CHOOSE_RESIDENCE_OFFICE = _(
    "Your ZIP code is served by one of several field offices ({codes}). Give the office on your latest notice."
)
FALLBACK_NOTE = _(
    "Receipts starting with {prefix} have no fixed office, and no office from your latest notice was given: the "
    "request went to the field office for your residence. Staff transfer it if another office holds the case."
)
ASYLUM_BY_RESIDENCE_NOTE = _(
    "{prefix} is an asylum receipt prefix our directory does not list: the request went to the asylum office for "
    "your residence."
)


@dataclass(frozen=True)
class Route:
    office: Office
    basis: str  # HoldingBasis
    note: str = ""


def _holding_office(code: str) -> Office:
    office = Office.objects.filter(code=code.strip().upper()).first()
    if office is None or office.office_type not in CASE_HOLDING_TYPES:
        message = str(NOT_A_HOLDING_OFFICE).format(code=code.strip().upper())
        raise ApplicationError(message, code="not_a_holding_office", fields={"notice_office": [message]})
    return office


def _residence_answer(zip_code: str, country: str, region: str, office_choice: str) -> Answer | None:
    if not (zip_code or country):
        return None
    try:
        return office_selectors.residence_answer(zip_code=zip_code, country=country, region=region, choice=office_choice)
    except (ValueError, NotFound):
        return None


def _no_route() -> ApplicationError:
    return ApplicationError(str(NO_ROUTE), code="no_route", fields={"zip_code": [str(NO_ROUTE)]})


def accepted_prefixes() -> list[str]:
    return list(ReceiptPrefix.objects.order_by("prefix").values_list("prefix", flat=True))


def _unknown_prefix(prefix: str) -> ApplicationError:
    known = ", ".join(ReceiptPrefix.objects.exclude(routing=PrefixRouting.ELECTRONIC).filter(
        office__office_type__in=[OfficeType.SERVICE_CENTER, OfficeType.NATIONAL_BENEFITS_CENTER]
    ).order_by("prefix").values_list("prefix", flat=True))
    message = str(UNKNOWN_PREFIX).format(prefix=prefix, known=known)
    return ApplicationError(message, code="unknown_prefix", fields={"receipt_number": [message]},
                            extra={"accepted_prefixes": accepted_prefixes()})


def route_for(
    *, receipt_number: str, zip_code: str = "", country: str = "", region: str = "", office_choice: str = "",
    notice_office: str = "",
) -> Route:
    """The office that holds the case, and how that was decided. `notice_office` is the office code on
    the customer's latest notice (it overrides the prefix); `office_choice`/`region` are the customer's
    recorded choice where their residence names several offices."""
    notice = _holding_office(notice_office) if notice_office.strip() else None
    if receipt_number:
        prefix_code = receipt_number[:3]
        prefix = ReceiptPrefix.objects.select_related("office").filter(prefix=prefix_code).first()
        if prefix is None and not prefix_code.startswith("Z"):
            raise _unknown_prefix(prefix_code)
        if notice is not None:
            return Route(notice, HoldingBasis.NOTICE)
        if prefix is None:  # an asylum prefix the table does not list: the residence's asylum office
            answer = _residence_answer(zip_code, country, region, office_choice)
            if answer is None or answer.asylum_office is None:
                candidates = [o.code for o in answer.asylum_candidates] if answer else []
                if candidates:
                    message = str(CHOOSE_RESIDENCE_OFFICE).format(codes=", ".join(candidates))
                    raise ApplicationError(message, code="choose_office", fields={"notice_office": [message]},
                                           extra={"candidates": candidates})
                raise _no_route()
            return Route(answer.asylum_office, HoldingBasis.RESIDENCE,
                         str(ASYLUM_BY_RESIDENCE_NOTE).format(prefix=prefix_code))
        if prefix.routing != PrefixRouting.ELECTRONIC:
            assert prefix.office is not None
            return Route(prefix.office, HoldingBasis.PREFIX)
        note = str(FALLBACK_NOTE).format(prefix=prefix_code)
    else:
        if notice is not None:
            return Route(notice, HoldingBasis.NOTICE)
        note = ""
    answer = _residence_answer(zip_code, country, region, office_choice)
    if answer is None or answer.status == Status.NO_OFFICE:
        raise _no_route()
    if answer.status == Status.CHOOSE:
        codes = [o.code for o in answer.candidates]
        message = str(CHOOSE_RESIDENCE_OFFICE).format(codes=", ".join(codes))
        raise ApplicationError(message, code="choose_office", fields={"notice_office": [message]},
                               extra={"candidates": codes})
    assert answer.office is not None
    return Route(answer.office, HoldingBasis.RESIDENCE, note)
