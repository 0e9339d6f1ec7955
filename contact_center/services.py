"""Writes for the Contact Center: recording a call's identity check."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import access
from core.errors import ApplicationError, Forbidden
from core.models import User
from core.services import audit_record

from . import rules
from .models import IdentityCheck, Result

CONTACT_CENTER_ONLY = _("This is for Contact Center agents.")


@transaction.atomic
def identity_check_record(*, actor: User, caller_name: str, questions: list[str], result: str,
                          note: str = "") -> IdentityCheck:
    """Record which questions the agent asked the caller and whether the answers matched."""
    if not access.is_contact_center(actor):
        raise Forbidden(str(CONTACT_CENTER_ONLY))
    if not (caller_name or "").strip():
        raise ApplicationError.for_field("caller_name", str(_("Give the caller's name.")))
    if result not in Result.values:
        raise ApplicationError.for_field("result", str(_("Say whether the caller was verified.")))
    refusal = rules.questions_refusal(list(questions), result)
    if refusal:
        raise ApplicationError.for_field("questions", refusal)
    check = IdentityCheck.objects.create(agent=actor, caller_name=caller_name.strip(), questions=sorted(set(questions)),
                                         result=result, note=(note or "").strip())
    audit_record(actor=actor, action="identity_check.recorded", target=check, result=result,
                 questions=check.questions)
    return check
