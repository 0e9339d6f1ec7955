"""Table-driven triage: every outcome, each case traced to a sentence of the policy text."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from inquiries import rules
from inquiries.models import ComplaintKind, Topic, Triage
from inquiries.rules import Contact, GuideAnswers

REDIRECTS = [
    rules.RedirectRule("visa-abroad", "dos-consular", ("visa", "visa interview", "consulate", "embassy")),
    rules.RedirectRule("i94", "cbp", ("I-94", "arrival record")),
    rules.RedirectRule("social-security", "ssa", ("social security", "SSN")),
]

CASES = [
    # "Any communication expressing dissatisfaction with USCIS" is a complaint (Appendix).
    ("dissatisfaction, case-specific", Contact("ncsc_phone", "case_status", True, True), Triage.COMPLAINT,
     ComplaintKind.CASE_SPECIFIC, ""),
    ("dissatisfaction in words", Contact("email", "other", False, False, False, "The officer was rude to me."),
     Triage.COMPLAINT, ComplaintKind.NON_CASE_SPECIFIC, ""),
    # Misconduct goes to OSI and the DHS OIG (old Chapter 10).
    ("misconduct alleged", Contact("in_person", "other", False, False, True), Triage.COMPLAINT,
     ComplaintKind.MISCONDUCT, ""),
    # Words alone never refer anyone to OSI: the staff member who heard the allegation flags it.
    ("an allegation in words, not flagged", Contact("mail", "case_status", True, False, False, "He asked for a bribe."),
     Triage.STANDARD, "", ""),
    ("the same allegation, flagged", Contact("mail", "case_status", True, False, True, "The officer asked for a bribe."),
     Triage.COMPLAINT, ComplaintKind.MISCONDUCT, ""),
    # "During outreach events, USCIS employees do not respond to case-specific inquiries" (§B.2).
    ("case question at outreach", Contact("outreach_event", "case_status", True), Triage.OUTREACH_REDIRECT, "", ""),
    ("general question at outreach", Contact("outreach_event", "forms_and_fees", False), Triage.STANDARD, "", ""),
    # "USCIS redirects the inquiry ... and provides the contact information of the correct agency" (§A.2).
    ("staff chose the agency", Contact("ncsc_phone", "other_agency", redirect_topic="i94"), Triage.REDIRECT, "", "i94"),
    ("visa interview in words", Contact("email", "other", text="When is my visa interview at the embassy?"),
     Triage.REDIRECT, "", "visa-abroad"),
    ("other agency, not yet chosen", Contact("ncsc_phone", "other_agency"), Triage.REDIRECT, "", ""),
    ("a USCIS topic mentioning a visa stays with USCIS",
     Contact("ncsc_phone", "case_status", True, text="My I-130 for my wife's visa"), Triage.STANDARD, "", ""),
    # "Urgent situations that require accelerated processing should be expedited" (§A.2).
    ("expedite", Contact("ncsc_phone", "expedite", True), Triage.EXPEDITE, "", ""),
    # "Most customer inquiries are routine ... resolved by regular procedures" (§A.1).
    ("routine", Contact("ncsc_phone", "forms_and_fees"), Triage.STANDARD, "", ""),
    ("a complaint comes first, before special handling",
     Contact("ncsc_phone", "expedite", True, True), Triage.COMPLAINT, ComplaintKind.CASE_SPECIFIC, ""),
]


# A victim's account of what happened to them is a question about their case (8 U.S.C. § 1367,
# domain notes §10): never a misconduct complaint, whatever words it uses.
VICTIMS = [
    "I was the victim of a sexual assault and filed for a U visa. What is the status?",
    "My employer took my passport and I applied for a T visa.",
    "I applied for asylum because of my sexual orientation; when is my interview?",
]


@pytest.mark.parametrize("text", VICTIMS)
@pytest.mark.parametrize("channel", ["ncsc_phone", "email", "in_person", "mail"])
def test_a_victims_account_is_a_case_question(text, channel):
    result = rules.triage(Contact(channel, "case_status", True, text=text), REDIRECTS)
    assert (result.triage, result.complaint_kind) == (Triage.STANDARD, "")


@pytest.mark.parametrize("text", VICTIMS)
def test_a_victim_who_is_also_dissatisfied_complains_about_the_case_not_misconduct(text):
    result = rules.triage(Contact("ncsc_phone", "case_status", True, True, text=text), REDIRECTS)
    assert (result.triage, result.complaint_kind) == (Triage.COMPLAINT, ComplaintKind.CASE_SPECIFIC)


# The old Chapter 10's examples of misconduct (domain notes §1.5): misconduct when the staff member
# flags the allegation against a USCIS employee or contractor, and not from the words alone.
MISCONDUCT_EXAMPLES = [
    "The officer asked me for a bribe to approve my case.",
    "A USCIS guard grabbed and shoved me at the field office.",
    "The interviewing officer made sexual advances.",
    "A contractor at the application support center stole my documents.",
]


@pytest.mark.parametrize("text", MISCONDUCT_EXAMPLES)
def test_misconduct_is_what_staff_flag(text):
    flagged = rules.triage(Contact("in_person", "other", False, misconduct_alleged=True, text=text), REDIRECTS)
    assert (flagged.triage, flagged.complaint_kind) == (Triage.COMPLAINT, ComplaintKind.MISCONDUCT)
    unflagged = rules.triage(Contact("in_person", "other", False, text=text), REDIRECTS)
    assert unflagged.complaint_kind != ComplaintKind.MISCONDUCT


@pytest.mark.parametrize(("case", "contact", "triage", "kind", "topic"), CASES, ids=[c[0] for c in CASES])
def test_triage(case, contact, triage, kind, topic):
    result = rules.triage(contact, REDIRECTS)
    assert (result.triage, result.complaint_kind, result.redirect_topic) == (triage, kind, topic)
    assert result.basis == rules.BASIS[triage] and ("§" in result.basis or "Appendix" in result.basis)


# The policy text the triage cites is kept in the repository (a copy of ../shared/seed); the domain
# notes live beside the checkout only (../shared), so that check skips without them.
ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "inquiries" / "data" / "delivery-of-services.txt"
DOMAIN = ROOT.parent / "shared" / "reference" / "domain.md"
_CITED = re.compile(r"(?P<quote>.+?) \((?P<where>(?:Appendix|§)[^()]*)\)\.")
_PLAIN: dict[str, str | int | None] = {"’": "'", "“": '"', "”": '"', "*": ""}


def _folded(path: Path) -> str:
    """The document with whitespace folded, typographic quotes made plain and Markdown emphasis dropped."""
    if not path.exists():
        pytest.skip(f"{path} is not beside the checkout; the basis cannot be traced without it")
    text = path.read_text(encoding="utf-8").translate(str.maketrans(_PLAIN))
    return " ".join(text.split())


def _quote(triage: str) -> str:
    basis = rules.BASIS[Triage(triage)]
    cited = _CITED.fullmatch(basis)
    assert cited, f"the basis for {triage} does not end with its citation: {basis!r}"
    return " ".join(cited["quote"].split())


def test_every_triage_outcome_cites_its_basis():
    assert set(rules.BASIS) == set(Triage.values)
    for triage in rules.BASIS:
        assert _quote(triage)


@pytest.mark.parametrize("triage", [Triage.REDIRECT, Triage.EXPEDITE, Triage.OUTREACH_REDIRECT, Triage.STANDARD])
def test_basis_quoted_from_the_policy_text_occurs_in_it(triage):
    assert _quote(triage) in _folded(POLICY)


def test_complaint_definition_is_traced_to_the_domain_notes():
    # The Appendix that defines a complaint is not in the policy excerpt; the domain notes quote it.
    quote = _quote(Triage.COMPLAINT)
    definition = quote.removeprefix("A complaint is ")
    assert definition != quote and definition in _folded(DOMAIN)


ET = ZoneInfo("America/New_York")


def test_first_contact_links_to_the_root_within_30_days():
    now = datetime(2026, 12, 1, tzinfo=ET)
    first = rules.EarlierInquiry(1, now - timedelta(days=20), None)
    second = rules.EarlierInquiry(2, now - timedelta(days=5), 1)
    assert rules.first_contact_for([first, second], now=now) == 1
    assert rules.first_contact_for([rules.EarlierInquiry(3, now - timedelta(days=31), None)], now=now) is None
    assert rules.first_contact_for([], now=now) is None


@pytest.mark.parametrize(
    ("answers", "kind", "code"),
    [
        (GuideAnswers("visa", lives_in_us=False), "agency", "visa-abroad"),
        (GuideAnswers("i94", lives_in_us=True), "agency", "i94"),
        (GuideAnswers("court", lives_in_us=True), "agency", "immigration-court"),
        (GuideAnswers("detention", lives_in_us=True), "agency", "detention"),
        (GuideAnswers("social_security", lives_in_us=True, military=True), "agency", "social-security"),
        (GuideAnswers("my_case", lives_in_us=True, hague_adoption=True), "channel", "hague"),
        (GuideAnswers("my_case", lives_in_us=False, hague_adoption=True), "channel", "hague-abroad"),
        (GuideAnswers("my_case", lives_in_us=True, premium_processing=True, military=True), "channel", "premium"),
        (GuideAnswers("my_case", lives_in_us=True, military=True), "channel", "military"),
        (GuideAnswers("my_case", lives_in_us=True), "channel", "ncsc"),
        (GuideAnswers("my_case", lives_in_us=False), "office", ""),
    ],
)
def test_contact_guide(answers, kind, code):
    assert rules.guide(answers) == rules.GuideOutcome(kind, code)


def test_topics_cover_the_other_agency_choice():
    assert Topic.OTHER_AGENCY in Topic.values
