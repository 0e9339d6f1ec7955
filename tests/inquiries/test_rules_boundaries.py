"""Inquiry rules at their exact boundaries (written for `make mutation`)."""

from datetime import UTC, datetime, timedelta

from inquiries import rules
from inquiries.models import Topic
from inquiries.rules import EarlierInquiry, GuideOutcome

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_a_repeat_counts_on_day_30_exactly_and_not_after():
    on_the_day = EarlierInquiry(7, NOW - rules.REPEAT_WINDOW, None)
    assert rules.first_contact_for([on_the_day], now=NOW) == 7
    too_old = EarlierInquiry(8, NOW - rules.REPEAT_WINDOW - timedelta(microseconds=1), None)
    assert rules.first_contact_for([too_old], now=NOW) is None
    assert rules.first_contact_for([], now=NOW) is None
    chain = [EarlierInquiry(3, NOW - timedelta(days=2), None), EarlierInquiry(4, NOW - timedelta(days=1), 3)]
    assert rules.first_contact_for(chain, now=NOW) == 3


def test_each_use_of_the_guide_is_recorded_under_its_topic():
    assert rules.guide_topic(GuideOutcome("agency", "visa")) == Topic.OTHER_AGENCY
    assert rules.guide_topic(GuideOutcome("channel", "hague")) == Topic.HAGUE_ADOPTION
    assert rules.guide_topic(GuideOutcome("channel", "hague-abroad")) == Topic.HAGUE_ADOPTION
    assert rules.guide_topic(GuideOutcome("channel", "premium")) == Topic.PREMIUM_PROCESSING
    assert rules.guide_topic(GuideOutcome("channel", "military")) == Topic.MILITARY
    assert rules.guide_topic(GuideOutcome("channel", "ncsc")) == Topic.OTHER
    assert rules.guide_topic(GuideOutcome("office", "")) == Topic.OTHER
