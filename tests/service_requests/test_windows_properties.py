"""Properties of the window rules (hypothesis): they hold for every date, not just the table's."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from offices.holidays import us_federal_holidays
from service_requests import windows
from service_requests.windows import DayKind, Stage, WindowPolicy

ET = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")

instants = st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2035, 12, 31),
                        timezones=st.sampled_from([UTC, ET, ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Guam")]))
days = st.integers(min_value=1, max_value=60)
kinds = st.sampled_from([DayKind.CALENDAR, DayKind.BUSINESS])
closure_sets = st.frozensets(st.dates(min_value=date(2021, 1, 1), max_value=date(2036, 6, 30)), max_size=8)
policies = st.builds(WindowPolicy, days, kinds, days, kinds, st.booleans())


def _business(day: date, closures: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in us_federal_holidays(day.year) and day not in closures


@settings(max_examples=300, deadline=None)
@given(instants, policies, st.timedeltas(min_value=timedelta(days=-5), max_value=timedelta(days=90)))
def test_the_inquiry_is_refused_exactly_when_now_is_before_the_stored_opening(created, policy, offset):
    facts = windows.Facts(created_at=created, window1_opens_at=windows.window1_opening(created, policy))
    now = facts.window1_opens_at + offset
    refusal = windows.check_service_center_inquiry(facts, now)
    assert (refusal is not None) == (now < facts.window1_opens_at)
    if refusal is not None:
        assert refusal.code == "window_not_open" and refusal.opens_on == facts.window1_opens_at.astimezone(ET).date()


@settings(max_examples=200, deadline=None)
@given(instants, policies, instants, st.timedeltas(min_value=timedelta(days=-5), max_value=timedelta(days=90)))
def test_hq_is_refused_exactly_when_now_is_before_window_two(created, policy, inquiry, offset):
    second = windows.window2_opening(inquiry, policy)
    facts = windows.Facts(created_at=created, window1_opens_at=windows.window1_opening(created, policy),
                          service_center_inquiry_at=inquiry, window2_opens_at=second)
    refusal = windows.check_hq_inquiry(facts, second + offset)
    assert (refusal is not None) == (second + offset < second)


@settings(max_examples=300, deadline=None)
@given(instants, days, kinds, closure_sets)
def test_every_window_opens_at_midnight_eastern_on_its_day(start, count, kind, closures):
    opening = windows.opens_at(start, count, kind, closures)
    assert opening.tzinfo == ET and opening.astimezone(ET).time() == time(0, 0)
    assert opening.astimezone(ET).date() > start.astimezone(ET).date()


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2035, 12, 31)), days, closure_sets)
def test_business_day_counts_land_on_business_days_and_skip_holidays_and_closures(start, count, closures):
    end = windows.add_days(start, count, DayKind.BUSINESS, closures)
    assert _business(end, closures)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(_business(day, closures) for day in between) == count
    assert windows.is_business_day(end, closures)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2035, 12, 31)), days)
def test_calendar_days_are_plain_addition(start, count):
    assert windows.add_days(start, count, DayKind.CALENDAR) == start + timedelta(days=count)


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    created = draw(instants)
    policy = draw(policies)
    first = windows.window1_opening(created, policy)
    inquiry = draw(st.none() | st.just(first + draw(st.timedeltas(timedelta(0), timedelta(days=30)))))
    second = windows.window2_opening(inquiry, policy) if inquiry and draw(st.booleans()) else None
    hq = (second + draw(st.timedeltas(timedelta(0), timedelta(days=30)))) if second and draw(st.booleans()) else None
    answered = draw(st.none() | st.just(created + draw(st.timedeltas(timedelta(0), timedelta(days=120)))))
    return windows.Facts(created_at=created, window1_opens_at=first, service_center_inquiry_at=inquiry,
                         window2_opens_at=second, hq_inquiry_at=hq, first_response_at=answered,
                         is_open=draw(st.booleans()) or answered is None)


@settings(max_examples=300, deadline=None)
@given(histories(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=200)),
       st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=200)))
def test_stages_only_move_forward_as_time_passes(facts, a, b):
    early, late = facts.created_at + min(a, b), facts.created_at + max(a, b)
    before, after = windows.stage(facts, early), windows.stage(facts, late)
    assert windows.stage_moves_forward(before, after), (before, after)


def test_stage_moves_forward_refuses_going_back():
    assert not windows.stage_moves_forward(Stage.WINDOW1_OPEN, Stage.WAITING)
    assert not windows.stage_moves_forward(Stage.ANSWERED, Stage.WAITING)
    assert not windows.stage_moves_forward(Stage.CLOSED, Stage.ANSWERED)
    assert windows.stage_moves_forward(Stage.WAITING, Stage.ANSWERED)
    assert windows.stage_moves_forward(Stage.SC_INQUIRY_SENT, Stage.WINDOW2_OPEN)
    assert windows.stage_moves_forward(Stage.HQ_ESCALATED, Stage.HQ_ESCALATED)


def _facts(**kwargs):  # type: ignore[no-untyped-def]
    created = datetime(2026, 11, 27, 10, tzinfo=ET)
    values = {"created_at": created, "window1_opens_at": datetime(2026, 12, 12, tzinfo=ET), **kwargs}
    return windows.Facts(**values)


TICK = timedelta(microseconds=1)


def test_boundaries_are_exact_at_the_stored_instants():
    facts = _facts()
    opening = facts.window1_opens_at
    assert windows.check_service_center_inquiry(facts, opening - TICK).code == "window_not_open"
    assert windows.check_service_center_inquiry(facts, opening) is None
    assert windows.stage(facts, opening - TICK) == Stage.WAITING and windows.stage(facts, opening) == Stage.WINDOW1_OPEN
    second = datetime(2027, 1, 2, tzinfo=ET)
    sent = _facts(service_center_inquiry_at=opening, window2_opens_at=second)
    assert windows.check_hq_inquiry(sent, second - TICK).code == "window_not_open"
    assert windows.check_hq_inquiry(sent, second) is None
    assert windows.stage(sent, second - TICK) == Stage.SC_INQUIRY_SENT and windows.stage(sent, second) == Stage.WINDOW2_OPEN
    due = datetime(2026, 12, 19, tzinfo=ET)
    assert not windows.answer_overdue(due=due, answered=False, now=due - TICK)
    assert windows.answer_overdue(due=due, answered=False, now=due)
    assert not windows.answer_overdue(due=due, answered=True, now=due)
    assert not windows.answer_overdue(due=None, answered=False, now=due)
    assert windows.due_day(due) == date(2026, 12, 18)


def test_ladder_states_at_their_boundaries():
    facts = _facts()
    opening = facts.window1_opens_at

    def states(now, f=facts, sc=True, hq=False):  # type: ignore[no-untyped-def]
        return [(s.key, s.state) for s in windows.ladder(f, now, at_service_center=sc, hq_for_all_holders=hq)]

    assert states(opening - TICK) == [("service_center", "upcoming"), ("hq", "after_previous"), ("ombudsman", "upcoming")]
    assert states(opening)[0] == ("service_center", "open")
    assert [k for k, _s in states(opening, sc=False)] == ["contact_center", "ombudsman"]
    assert [k for k, _s in states(opening, sc=False, hq=True)] == ["contact_center", "hq", "ombudsman"]
    ombudsman = windows.ombudsman_opening(facts.created_at)
    assert ombudsman == datetime(2027, 1, 26, tzinfo=ET)
    assert states(ombudsman - TICK)[-1] == ("ombudsman", "upcoming") and states(ombudsman)[-1] == ("ombudsman", "open")
    until = windows.ombudsman_contact_expires_at(facts)
    assert until == datetime(2027, 2, 26, tzinfo=ET)
    assert states(until - TICK)[-1] == ("ombudsman", "open") and states(until)[-1] == ("ombudsman", "lapsed")
    later = _facts(service_center_inquiry_at=opening, window2_opens_at=None, hq_inquiry_at=None)
    assert windows.last_contact(later) == opening
    assert [(k, s) for k, s in states(until, f=later)] == [("service_center", "done"), ("ombudsman", "open")]
    answered = _facts(first_response_at=opening)
    assert [s for _k, s in states(opening, f=answered)] == ["ended", "ended", "ended"]
    closed = _facts(is_open=False)
    assert [s for _k, s in states(opening, f=closed)] == ["ended", "ended", "ended"]
    sent = _facts(service_center_inquiry_at=opening, window2_opens_at=datetime(2027, 1, 2, tzinfo=ET),
                  hq_inquiry_at=datetime(2027, 1, 3, tzinfo=ET))
    assert states(datetime(2027, 1, 4, tzinfo=ET), f=sent)[:2] == [("service_center", "done"), ("hq", "done")]


def test_words_and_refusals_name_the_terms():
    assert windows.days_phrase(15, DayKind.BUSINESS) == "15 business days"
    assert windows.days_phrase(15, DayKind.CALENDAR) == "15 calendar days"
    assert windows.day_kind_words(DayKind.BUSINESS) == "business days" and windows.day_kind_words("calendar") == "days"
    assert windows.hq_applies(WindowPolicy(), at_service_center=True)
    assert not windows.hq_applies(WindowPolicy(), at_service_center=False)
    assert windows.hq_applies(WindowPolicy(hq_for_all_holders=True), at_service_center=False)
    opening = datetime(2026, 12, 12, tzinfo=ET)
    assert windows.check_hq_inquiry(_facts(), opening, window2_days=30).message == (
        "First send your follow-up inquiry; you may contact HQ if it has had no response within 30 days.")
    assert windows.check_hq_inquiry(_facts(service_center_inquiry_at=opening), opening).code == "no_hq_step"
    assert windows.check_hq_inquiry(_facts(first_response_at=opening), opening).code == "already_answered"
    assert windows.check_hq_inquiry(_facts(is_open=False), opening).code == "closed"
    sent = _facts(service_center_inquiry_at=opening, window2_opens_at=opening, hq_inquiry_at=opening)
    assert windows.check_hq_inquiry(sent, opening).message == "You already sent this inquiry on 2026-12-12."
    assert windows.check_service_center_inquiry(_facts(), datetime(2026, 12, 1, tzinfo=ET)).message == (
        "You may write from 2026-12-12, if USCIS has not responded by then.")
    assert windows.answer_due(datetime(2026, 11, 27, 10, tzinfo=ET), 5) == datetime(2026, 12, 5, tzinfo=ET)
    assert windows.answer_due(datetime(2025, 1, 8, 10, tzinfo=ET), 1, {date(2025, 1, 9)}) == datetime(2025, 1, 11, tzinfo=ET)


def test_refusals_and_ladder_steps_carry_their_words_and_dates():
    opening = datetime(2026, 12, 12, tzinfo=ET)
    answered = windows.check_service_center_inquiry(_facts(first_response_at=opening), opening)
    assert answered.message == "USCIS has already responded to this request, so there is nothing to escalate."
    assert answered.opens_on is None
    closed = windows.check_service_center_inquiry(_facts(is_open=False), opening)
    assert (closed.code, closed.message) == ("closed", "This request is closed.")
    sent = windows.check_service_center_inquiry(_facts(service_center_inquiry_at=opening), opening)
    assert (sent.code, sent.message) == ("already_sent", "You already sent this inquiry on 2026-12-12.")
    assert windows.check_hq_inquiry(_facts(service_center_inquiry_at=opening), opening).message.startswith(
        "HQ Office of Service Center Operations takes requests held by service centers.")
    second = datetime(2027, 1, 2, tzinfo=ET)
    inquiry = datetime(2026, 12, 12, 9, tzinfo=ET)
    facts = _facts(service_center_inquiry_at=inquiry, window2_opens_at=second)
    steps = windows.ladder(facts, second, at_service_center=True, hq_for_all_holders=False)
    assert [(s.key, s.state, s.opens_at, s.done_at) for s in steps[:2]] == [
        ("service_center", "done", opening, inquiry), ("hq", "open", second, None)]
    assert steps[2].opens_at == datetime(2027, 1, 26, tzinfo=ET)
    assert steps[2].until == datetime(2027, 3, 13, tzinfo=ET)  # 90 days after the follow-up of 12 December
    assert steps[0].until is None and steps[1].until is None
    assert windows.due_day(datetime(2026, 12, 19, tzinfo=ET)) == date(2026, 12, 18)
    assert windows.due_day(datetime(2026, 12, 19, 5, tzinfo=UTC)) == date(2026, 12, 18)  # midnight Eastern in UTC


def test_dates_in_refusals_are_eastern_days():
    late = datetime(2026, 12, 12, 23, tzinfo=ET)  # already 13 December in UTC
    refusal = windows.check_service_center_inquiry(_facts(service_center_inquiry_at=late), late)
    assert refusal.message == "You already sent this inquiry on 2026-12-12."
