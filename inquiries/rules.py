"""Triage as pure rules (§A of the policy text), the contact guide, and First Contact Resolution.

Each branch quotes the sentence of the policy it implements; staff may override the suggestion,
with a reason that is recorded.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

from .models import ComplaintKind, InquiryChannel, Topic, Triage

REPEAT_WINDOW = timedelta(days=30)

# Words that express dissatisfaction ("any communication expressing dissatisfaction with USCIS").
_DISSATISFACTION = re.compile(
    r"\b(complain\w*|dissatisf\w*|unacceptable|rude\w*|disrespect\w*|outrag\w*|terrible|frustrat\w*|"
    r"unprofessional|mistreat\w*|ignored)\b", re.IGNORECASE)


# The policy sentence behind each triage outcome (shown to staff with the suggestion).
BASIS = {
    Triage.COMPLAINT: "A complaint is any communication expressing dissatisfaction with USCIS (Appendix; §A).",
    Triage.OUTREACH_REDIRECT: "During outreach events, USCIS employees do not respond to case-specific inquiries. "
                              "Customers asking case-specific questions at outreach events should be directed to "
                              "submit their inquiry through appropriate channels (§B.2).",
    Triage.REDIRECT: "USCIS redirects the inquiry as appropriate and provides the contact information of the correct "
                     "agency or department to the customer (§A.2).",
    Triage.EXPEDITE: "Urgent situations that require accelerated processing should be expedited (§A.2).",
    Triage.STANDARD: "Most customer inquiries are routine, requesting general information or general assistance. "
                     "These inquiries can be successfully resolved by regular procedures that are established for "
                     "daily business operations (§A.1).",
}


@dataclass(frozen=True)
class Contact:
    channel: str
    topic: str
    is_case_specific: bool = False
    dissatisfied: bool = False
    misconduct_alleged: bool = False
    text: str = ""
    redirect_topic: str = ""  # a RedirectTopic code staff chose, if any


@dataclass(frozen=True)
class RedirectRule:
    topic_code: str
    agency_code: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class TriageResult:
    triage: str
    complaint_kind: str = ""
    redirect_topic: str = ""
    basis: str = ""  # the policy sentence behind the suggestion


def _keyword_match(text: str, rules: Iterable[RedirectRule]) -> RedirectRule | None:
    lowered = f" {text.lower()} "
    best: tuple[int, RedirectRule] | None = None
    for rule in rules:
        for keyword in rule.keywords:
            if re.search(rf"(?<![\w-]){re.escape(keyword.lower())}(?![\w-])", lowered):
                if best is None or len(keyword) > best[0]:
                    best = (len(keyword), rule)
    return best[1] if best else None


def complaint_kind(*, misconduct_alleged: bool, is_case_specific: bool) -> str:
    """Misconduct goes to OSI and DHS OIG; otherwise the complaint is case-specific or not.

    Misconduct means an allegation against a USCIS employee or contractor, and only the staff member
    who heard it can say so (`misconduct_alleged`): words in the text never refer anyone. A victim's
    account of what happened to them ("I was the victim of a sexual assault", "my employer took my
    passport") is a question about their case, protected by 8 U.S.C. § 1367, not an allegation
    against USCIS (domain notes §10)."""
    if misconduct_alleged:
        return ComplaintKind.MISCONDUCT
    return ComplaintKind.CASE_SPECIFIC if is_case_specific else ComplaintKind.NON_CASE_SPECIFIC


def triage(contact: Contact, redirects: Iterable[RedirectRule]) -> TriageResult:
    redirects = list(redirects)
    kind = complaint_kind(misconduct_alleged=contact.misconduct_alleged, is_case_specific=contact.is_case_specific)
    if contact.dissatisfied or kind == ComplaintKind.MISCONDUCT or _DISSATISFACTION.search(contact.text):
        return TriageResult(Triage.COMPLAINT, kind, basis=BASIS[Triage.COMPLAINT])
    if contact.channel == InquiryChannel.OUTREACH_EVENT and contact.is_case_specific:
        return TriageResult(Triage.OUTREACH_REDIRECT, basis=BASIS[Triage.OUTREACH_REDIRECT])
    chosen = next((r for r in redirects if r.topic_code == contact.redirect_topic), None)
    # Words in the question suggest another agency only when staff have not placed it under a USCIS
    # topic: "visa" in a question about an I-130 is still a USCIS matter.
    guessable = contact.topic in (Topic.OTHER_AGENCY, Topic.OTHER)
    matched = chosen or (_keyword_match(contact.text, redirects) if guessable else None)
    if matched is not None or contact.topic == Topic.OTHER_AGENCY:
        return TriageResult(Triage.REDIRECT, redirect_topic=matched.topic_code if matched else "",
                            basis=BASIS[Triage.REDIRECT])
    if contact.topic == Topic.EXPEDITE:
        return TriageResult(Triage.EXPEDITE, basis=BASIS[Triage.EXPEDITE])
    return TriageResult(Triage.STANDARD, basis=BASIS[Triage.STANDARD])


@dataclass(frozen=True)
class EarlierInquiry:
    id: int
    created_at: datetime
    repeat_of_id: int | None


def first_contact_for(earlier: Iterable[EarlierInquiry], *, now: datetime) -> int | None:
    """The first inquiry a new one repeats: the same customer (or receipt number) and topic within 30
    days. Returns the root of the chain, so every repeat counts against the first contact."""
    recent = [e for e in earlier if now - e.created_at <= REPEAT_WINDOW]
    if not recent:
        return None
    latest = max(recent, key=lambda e: e.created_at)
    return latest.repeat_of_id or latest.id


# --- The public contact guide ------------------------------------------------------------------

GUIDE_TOPICS = (
    ("my_case", gettext_noop("My case or an application")),
    ("visa", gettext_noop("A visa or a visa interview abroad")),
    ("i94", gettext_noop("An I-94 record, or entering the United States")),
    ("court", gettext_noop("Immigration court")),
    ("detention", gettext_noop("Someone in immigration detention")),
    ("social_security", gettext_noop("A Social Security number or card")),
    ("passport", gettext_noop("A U.S. passport")),
)
_GUIDE_AGENCY_TOPIC = {
    "visa": "visa-abroad", "i94": "i94", "court": "immigration-court", "detention": "detention",
    "social_security": "social-security", "passport": "us-passport",
}


@dataclass(frozen=True)
class GuideAnswers:
    topic: str
    lives_in_us: bool
    military: bool = False
    premium_processing: bool = False
    hague_adoption: bool = False


@dataclass(frozen=True)
class GuideOutcome:
    kind: str  # "agency", "channel" or "office"
    code: str  # RedirectTopic code, ContactChannel code, or "" when the office depends on the place


def guide(answers: GuideAnswers) -> GuideOutcome:
    """Where a customer should turn, first time: another agency for its matters; then the line made
    for them (Hague, Premium Processing, Military); then the Contact Center in the U.S., or the
    international office with jurisdiction abroad (§C)."""
    if answers.topic in _GUIDE_AGENCY_TOPIC:
        return GuideOutcome("agency", _GUIDE_AGENCY_TOPIC[answers.topic])
    if answers.hague_adoption:
        return GuideOutcome("channel", "hague" if answers.lives_in_us else "hague-abroad")
    if answers.premium_processing:
        return GuideOutcome("channel", "premium")
    if answers.military:
        return GuideOutcome("channel", "military")
    if answers.lives_in_us:
        return GuideOutcome("channel", "ncsc")
    return GuideOutcome("office", "")


_GUIDE_CHANNEL_TOPIC = {"hague": Topic.HAGUE_ADOPTION, "hague-abroad": Topic.HAGUE_ADOPTION,
                        "premium": Topic.PREMIUM_PROCESSING, "military": Topic.MILITARY}


def guide_topic(outcome: GuideOutcome) -> str:
    """The topic a use of the guide is recorded under."""
    if outcome.kind == "agency":
        return Topic.OTHER_AGENCY
    return _GUIDE_CHANNEL_TOPIC.get(outcome.code, Topic.OTHER)


# Who must be named (§B.2, Chapter 6): a caller may stay anonymous when reporting misconduct or at a community
# outreach event (no case is discussed there); a name alone does for anything not about a specific case; a
# case-specific inquiry needs an account, or a name with an e-mail or phone number to answer it.
ANONYMOUS_ALLOWED = "anonymous"
NAME_ONLY_ALLOWED = "name_only"
NEEDS_CONTACT = "needs_contact"


def contact_requirement(*, channel: str, is_case_specific: bool, misconduct_alleged: bool) -> str:
    if misconduct_alleged or (channel == InquiryChannel.OUTREACH_EVENT and not is_case_specific):
        return ANONYMOUS_ALLOWED
    if not is_case_specific:
        return NAME_ONLY_ALLOWED
    return NEEDS_CONTACT


def contact_missing(*, channel: str, is_case_specific: bool, misconduct_alleged: bool, has_account: bool,
                    name: str, email: str, phone: str) -> str | None:
    """Which requirement a recorded contact fails (one of the three above), or None when it is enough."""
    if has_account or channel == InquiryChannel.SELF_SERVICE:
        return None
    need = contact_requirement(channel=channel, is_case_specific=is_case_specific,
                               misconduct_alleged=misconduct_alleged)
    named, reachable = bool(name.strip()), bool(email.strip() or phone.strip())
    if need == ANONYMOUS_ALLOWED or (need == NAME_ONLY_ALLOWED and named) or (named and reachable):
        return None
    return need
