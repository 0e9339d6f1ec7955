"""Pure rules for the Contact Center's lookup: what a passed identity check is, and what a key is."""

import re
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from .models import Question, Result

CHECK_LASTS = timedelta(minutes=30)  # one call
MIN_QUESTIONS = 3

TOO_FEW_QUESTIONS = _("Ask at least three of the questions before recording the caller as verified.")
UNKNOWN_QUESTION = _("Choose the questions from the list.")
BAD_KEY = _("Give a service request reference number (SR…), a receipt number (3 letters and 10 digits) or an "
            "A-number (A and 8 or 9 digits).")

_REFERENCE = re.compile(r"^SR[A-Z0-9]{11}$")
_RECEIPT = re.compile(r"^[A-Z]{3}[0-9*]{10}$")
_A_NUMBER = re.compile(r"^A?([0-9]{8,9})$")


def questions_refusal(questions: list[str], result: str) -> str | None:
    if any(q not in Question.values for q in questions):
        return str(UNKNOWN_QUESTION)
    if result == Result.VERIFIED and len(set(questions)) < MIN_QUESTIONS:
        return str(TOO_FEW_QUESTIONS)
    return None


def check_is_current(*, result: str, created_at: datetime, now: datetime) -> bool:
    return result == Result.VERIFIED and created_at <= now < created_at + CHECK_LASTS


def lookup_key(value: str) -> tuple[str, str]:
    """('reference' | 'receipt' | 'a_number', normalized) for what the caller read out; ValueError(BAD_KEY)."""
    cleaned = re.sub(r"[\s-]", "", value or "").upper()
    if _REFERENCE.match(cleaned):
        return "reference", cleaned
    if _RECEIPT.match(cleaned):
        return "receipt", cleaned
    match = _A_NUMBER.match(cleaned)
    if match and (cleaned.startswith("A") or len(match.group(1)) == 9):
        return "a_number", "A" + match.group(1).zfill(9)
    raise ValueError(str(BAD_KEY))
