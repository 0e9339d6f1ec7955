"""Where a request goes when it is filed: the office that holds the case (R7, R15)."""

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, NotFound
from offices import selectors as office_selectors
from offices.models import Office, ReceiptPrefix

from .. import rules

NO_ROUTE = _("We could not tell which office holds this case. Give the ZIP code (or country) where the customer lives.")


def route_for(*, receipt_number: str, zip_code: str = "", country: str = "") -> Office:
    """The office where the case is pending: the receipt prefix's service center, else the office
    with jurisdiction over the customer's residence."""
    if receipt_number:
        prefix = ReceiptPrefix.objects.select_related("office").filter(prefix=receipt_number[:3]).first()
        if prefix is None:
            message = str(rules.UNKNOWN_PREFIX).format(prefix=receipt_number[:3])
            raise ApplicationError(message, code="unknown_prefix", fields={"receipt_number": [message]})
        if prefix.office is not None:
            return prefix.office
    try:
        if zip_code:
            return office_selectors.office_for_zip(zip_code).office
        if country:
            return office_selectors.office_for_country(country).office
    except NotFound:
        pass
    raise ApplicationError(str(NO_ROUTE), code="no_route", fields={"zip_code": [str(NO_ROUTE)]})
