"""The SLA clock (SPEC 2.6): business time by hand, target states, and properties. No database."""

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kept.servicedesk.clock import (
    Calendar,
    Clock,
    TargetState,
    evaluate,
    events_from_statuses,
)

H = timedelta(hours=1)
RUN, PAUSE, DONE = Clock.RUN, Clock.PAUSE, Clock.DONE
BERLIN, SHANGHAI = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Shanghai")
NINE_TO_FIVE = {day: [(time(9), time(17))] for day in range(5)}  # Monday to Friday
OFFICE = Calendar(week=NINE_TO_FIVE)  # UTC


def at(day: int, hour: int, minute: int = 0, tz=UTC) -> datetime:
    """A moment in March 2026: the 2nd is a Monday, the 6th a Friday, the 9th a Monday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=tz)


# Business time by hand -----------------------------------------------------------------------


def test_counting_crosses_the_night():
    assert OFFICE.add_business_time(at(2, 16), 2 * H) == at(3, 10)
    assert OFFICE.business_time_between(at(2, 16), at(3, 10)) == 2 * H


def test_counting_crosses_the_weekend():
    assert OFFICE.add_business_time(at(6, 15), 4 * H) == at(9, 11)
    assert OFFICE.business_time_between(at(6, 12), at(9, 12)) == 8 * H


def test_a_holiday_has_no_working_time():
    calendar = Calendar(week=NINE_TO_FIVE, holidays=[date(2026, 3, 9)])

    assert calendar.add_business_time(at(6, 15), 4 * H) == at(10, 11)
    assert calendar.intervals_on(date(2026, 3, 9)) == ()
    assert not calendar.is_working(at(9, 10))


def test_a_lunch_break_does_not_count():
    lunch = {day: [(time(13, 30), time(18)), (time(9), time(12))] for day in range(5)}
    calendar = Calendar("Asia/Shanghai", lunch)

    assert calendar.add_business_time(at(2, 11, tz=SHANGHAI), 2 * H) == at(2, 14, 30, SHANGHAI)
    assert calendar.business_time_between(at(2, 8, tz=SHANGHAI), at(3, 8, tz=SHANGHAI)) == 7.5 * H
    assert not calendar.is_working(at(2, 12, 30, SHANGHAI))


def test_outside_working_time_counting_begins_at_the_next_working_moment():
    saturday = at(7, 10)

    assert OFFICE.add_business_time(saturday, H) == at(9, 10)
    assert OFFICE.add_business_time(saturday, timedelta(0)) == saturday  # not moved


def test_a_duration_ending_with_the_day_ends_at_its_close_not_next_morning():
    assert OFFICE.add_business_time(at(6, 13), 4 * H) == at(6, 17)


def test_the_result_is_in_the_calendars_time_zone():
    calendar = Calendar("Asia/Shanghai", NINE_TO_FIVE)

    deadline = calendar.add_business_time(at(2, 1), H)  # 09:00 in Shanghai

    assert deadline.tzinfo == SHANGHAI and deadline == at(2, 10, tz=SHANGHAI)


def test_midnight_as_an_end_means_the_end_of_the_day():
    evenings = Calendar(week={0: [(time(18), time(0))], 1: [(time(20), time.max)]})

    assert evenings.business_time_between(at(2, 0), at(4, 0)) == 6 * H + 4 * H
    assert evenings.is_working(at(2, 23, 59)) and not evenings.is_working(at(3, 0))


def test_working_time_includes_its_start_not_its_end():
    assert OFFICE.is_working(at(2, 9)) and not OFFICE.is_working(at(2, 17))
    assert not OFFICE.is_working(at(7, 12))  # Saturday


def test_touching_intervals_merge():
    calendar = Calendar(week={0: [(time(12), time(17)), (time(9), time(12))]})

    assert calendar.hours_on(date(2026, 3, 2)) == ((9 * H, 17 * H),)


def test_a_special_day_has_its_own_hours():
    # A make-up working Saturday (调休) and a short Friday before a holiday.
    calendar = Calendar(
        "Asia/Shanghai",
        NINE_TO_FIVE,
        special_days={date(2026, 3, 7): [(time(9), time(17))], date(2026, 3, 6): []},
    )

    assert calendar.add_business_time(at(5, 16, tz=SHANGHAI), 2 * H) == at(7, 10, tz=SHANGHAI)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tz": "Mars/Olympus"}, "Unknown time zone"),
        ({"week": {0: [(time(17), time(9))]}}, "start before it ends"),
        ({"week": {0: [(time(9), time(9))]}}, "start before it ends"),
        ({"week": {0: [(time(9), time(13)), (time(12), time(17))]}}, "overlap"),
        ({"week": {7: [(time(9), time(17))]}}, "Weekdays go from 0"),
        ({"week": {0: [(time(9, tzinfo=UTC), time(17))]}}, "local times"),
        ({"holidays": [datetime(2026, 1, 1, tzinfo=UTC)]}, "local dates"),
        ({"holidays": [date(2026, 1, 1)], "special_days": {date(2026, 1, 1): []}}, "both"),
    ],
)
def test_a_wrong_calendar_is_refused_with_a_clear_message(arguments, message):
    with pytest.raises(ValueError, match=message):
        Calendar(**arguments)


def test_naive_moments_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.add_business_time(datetime(2026, 3, 2, 9), H)
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.business_time_between(at(2, 9), datetime(2026, 3, 2, 10))
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_business_time(at(2, 9), -H)


def test_a_calendar_without_working_time_never_reaches_a_deadline():
    idle = Calendar(week={})

    assert idle.business_time_between(at(2, 0), at(30, 0)) == timedelta(0)
    assert idle.add_business_time(at(2, 9), timedelta(0)) == at(2, 9)
    with pytest.raises(ValueError, match="no working time"):
        idle.add_business_time(at(2, 9), H)
    with_one_day = Calendar(week={}, special_days={date(2026, 3, 7): [(time(9), time(10))]})
    assert with_one_day.add_business_time(at(2, 9), H) == at(7, 10)
    with pytest.raises(ValueError, match="no working time"):
        with_one_day.add_business_time(at(2, 9), 2 * H)


def test_a_long_target_is_fast_even_on_a_sparse_calendar():
    one_hour_a_week = Calendar("Europe/Berlin", {2: [(time(9), time(10))]})

    deadline = one_hour_a_week.add_business_time(at(2, 0), 1000 * H)  # ~19 years of Wednesdays

    assert one_hour_a_week.business_time_between(at(2, 0), deadline) == 1000 * H
    assert (deadline.weekday(), deadline.hour, deadline.minute) == (2, 10, 0)


# Daylight saving -----------------------------------------------------------------------------

SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)  # Sundays: Berlin goes +1 h, then −1 h


def local(day: date, hour: int, tz=BERLIN) -> datetime:
    return datetime.combine(day, time(hour), tz)


def test_around_the_clock_loses_an_hour_in_march_and_gains_one_in_october():
    always = Calendar.always("Europe/Berlin")
    one_day = timedelta(days=1)

    assert always.business_time_between(local(SPRING, 0), local(SPRING + one_day, 0)) == 23 * H
    assert always.business_time_between(local(AUTUMN, 0), local(AUTUMN + one_day, 0)) == 25 * H
    assert always.add_business_time(local(SPRING, 0), 24 * H) == local(SPRING + one_day, 1)
    assert always.add_business_time(local(AUTUMN, 0), 24 * H) == local(AUTUMN, 23)


def test_nine_to_five_is_eight_hours_on_both_change_days():
    every_day = Calendar("Europe/Berlin", {day: [(time(9), time(17))] for day in range(7)})

    for day in (SPRING, AUTUMN):
        assert every_day.business_time_between(local(day, 0), local(day, 23)) == 8 * H
        assert every_day.add_business_time(local(day, 0), 8 * H) == local(day, 17)


def test_a_night_shift_across_the_change_counts_the_real_hours():
    nights = Calendar("Europe/Berlin", {6: [(time(0), time(6))]})
    (start, end), *_ = nights.intervals_on(AUTUMN)

    assert nights.business_time_between(local(SPRING, 0), local(SPRING, 12)) == 5 * H
    assert end - start == 7 * H


def test_a_reading_that_never_happened_maps_to_the_first_moment_after_the_jump():
    in_the_gap = Calendar("Europe/Berlin", {6: [(time(2), time(2, 30)), (time(2, 45), time(4))]})

    assert in_the_gap.intervals_on(SPRING) == (
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC)),
    )


def test_an_ambiguous_reading_is_its_first_occurrence():
    calendar = Calendar("Europe/Berlin", {6: [(time(2), time(2, 30))]})

    assert calendar.intervals_on(AUTUMN) == (
        (datetime(2026, 10, 25, 0, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    )


def test_shanghai_with_the_labour_day_holidays():
    # The demo's zone (no daylight saving): 1–5 May 2026 off, Saturday 9 May worked instead.
    calendar = Calendar(
        "Asia/Shanghai",
        {day: [(time(9), time(12)), (time(13), time(18))] for day in range(5)},
        holidays=[date(2026, 5, day) for day in range(1, 6)],
        special_days={date(2026, 5, 9): [(time(9), time(12)), (time(13), time(18))]},
    )
    thursday_afternoon = datetime(2026, 4, 30, 16, tzinfo=SHANGHAI)

    deadline = calendar.add_business_time(thursday_afternoon, 30 * H)

    # 2 h on Thursday, 8 each on Wednesday 6, Thursday 7 and Friday 8, 4 on the Saturday
    assert deadline == datetime(2026, 5, 9, 14, tzinfo=SHANGHAI)


# Targets -------------------------------------------------------------------------------------


def test_on_track_counts_business_time_from_creation():
    result = evaluate(OFFICE, 4 * H, started=at(2, 9), now=at(2, 11))

    assert result.state == TargetState.ON_TRACK
    assert (result.used, result.remaining, result.fraction) == (2 * H, 2 * H, 0.5)
    assert result.deadline == at(2, 13) and not result.paused and result.done_at is None


def test_at_risk_from_exactly_80_percent():
    target = 10 * H  # 09:00 Monday + 8 h = 17:00 Monday

    just_under = evaluate(OFFICE, target, started=at(2, 9), now=at(2, 16, 59))
    exactly = evaluate(OFFICE, target, started=at(2, 9), now=at(2, 17))

    assert just_under.state == TargetState.ON_TRACK
    assert exactly.state == TargetState.AT_RISK and exactly.fraction == 0.8
    assert evaluate(OFFICE, target, started=at(2, 9), now=at(2, 16), at_risk=0.7).state == (
        TargetState.AT_RISK
    )


def test_at_the_deadline_still_in_time_after_it_breached():
    assert evaluate(OFFICE, 4 * H, started=at(2, 9), now=at(2, 13)).state == TargetState.AT_RISK
    assert evaluate(OFFICE, 4 * H, started=at(2, 9), now=at(2, 13, 1)).state == (
        TargetState.BREACHED
    )
    done_on_time = evaluate(
        OFFICE, 4 * H, started=at(2, 9), events=[(at(2, 13), DONE)], now=at(3, 9)
    )
    assert done_on_time.state == TargetState.MET and done_on_time.done_at == at(2, 13)


def test_past_the_deadline_is_breached_even_without_business_time_since():
    # Deadline Friday 17:00; on Saturday no business time has passed, but the deadline has.
    friday = evaluate(OFFICE, 4 * H, started=at(6, 13), now=at(7, 10))
    resolved_saturday = evaluate(
        OFFICE, 4 * H, started=at(6, 13), events=[(at(7, 10), DONE)], now=at(9, 12)
    )

    assert friday.state == TargetState.BREACHED and friday.used == 4 * H
    assert friday.deadline == at(6, 17) and friday.remaining == timedelta(0)
    assert resolved_saturday.state == TargetState.BREACHED


def test_a_pause_over_the_weekend_moves_the_deadline_by_the_paused_business_time():
    # 8 h from Friday 13:00 is Monday 13:00; paused Friday 15:00 until Monday 11:00 (4 h of
    # business time), the deadline moves to Monday 17:00.
    events = [(at(6, 15), PAUSE), (at(9, 11), RUN)]

    unpaused = evaluate(OFFICE, 8 * H, started=at(6, 13), now=at(9, 12))
    paused = evaluate(OFFICE, 8 * H, started=at(6, 13), events=events, now=at(9, 12))

    assert unpaused.deadline == at(9, 13)
    assert (paused.used, paused.deadline, paused.state) == (3 * H, at(9, 17), TargetState.ON_TRACK)


def test_while_paused_the_deadline_is_as_if_the_clock_resumed_now():
    result = evaluate(OFFICE, 8 * H, started=at(6, 13), events=[(at(6, 15), PAUSE)], now=at(7, 12))

    assert result.paused and result.used == 2 * H
    assert result.deadline == at(9, 15)


def test_a_reopened_ticket_resumes_the_resolution_clock():
    resolved = [(at(2, 12), DONE)]
    reopened = [*resolved, (at(3, 9), RUN)]

    met = evaluate(OFFICE, 8 * H, started=at(2, 9), events=resolved, now=at(3, 10))
    running = evaluate(OFFICE, 8 * H, started=at(2, 9), events=reopened, now=at(3, 10))
    again = evaluate(
        OFFICE, 8 * H, started=at(2, 9), events=[*reopened, (at(3, 11), DONE)], now=at(4, 9)
    )

    assert (met.state, met.used, met.done_at, met.deadline) == (
        TargetState.MET,
        3 * H,
        at(2, 12),
        at(2, 17),
    )
    assert (running.state, running.used, running.done_at) == (TargetState.ON_TRACK, 4 * H, None)
    assert running.deadline == at(3, 14)
    assert (again.state, again.used, again.done_at, again.deadline) == (
        TargetState.MET,
        5 * H,
        at(3, 11),
        at(3, 14),
    )


def test_met_after_a_breach_stays_breached():
    late = [(at(2, 12), DONE)]
    paused_after_the_deadline_then_done = [(at(2, 12), PAUSE), (at(2, 12, 30), DONE)]
    reopened_and_done_in_no_time = [(at(2, 12), DONE), (at(3, 9), RUN), (at(3, 9), DONE)]

    for events in (late, paused_after_the_deadline_then_done, reopened_and_done_in_no_time):
        result = evaluate(OFFICE, 2 * H, started=at(2, 9), events=events, now=at(4, 9))
        assert result.state == TargetState.BREACHED
        assert result.deadline == at(2, 11)  # the deadline that was missed
        assert result.done_at is not None


def test_done_while_paused_is_met_with_the_deadline_as_if_resumed_then():
    events = [(at(2, 10), PAUSE), (at(3, 9), DONE)]

    result = evaluate(OFFICE, 4 * H, started=at(2, 9), events=events, now=at(5, 9))

    assert (result.state, result.used, result.deadline) == (TargetState.MET, H, at(3, 12))
    assert not result.paused


def test_events_are_sorted_clamped_to_the_start_and_cut_at_now():
    events = [(at(2, 15), DONE), (at(1, 9), PAUSE), (at(2, 11), RUN)]

    result = evaluate(OFFICE, 8 * H, started=at(2, 9), events=events, now=at(2, 12))

    # paused from the start (the early PAUSE), running from 11:00, the DONE is yet to come
    assert (result.used, result.state, result.done_at) == (H, TargetState.ON_TRACK, None)
    assert evaluate(
        OFFICE, H, started=at(2, 9), events=[(at(2, 9), "done")], now=at(2, 10)
    ).state == (TargetState.MET)


def test_events_before_the_start_keep_their_time_order():
    events = [(at(2, 9), RUN), (at(1, 9), PAUSE)]  # paused yesterday, running from the start

    result = evaluate(OFFICE, 8 * H, started=at(2, 9), events=events, now=at(2, 10))

    assert result.used == H and not result.paused


def test_a_zero_target_is_met_only_at_once():
    instant = evaluate(
        OFFICE, timedelta(0), started=at(2, 9), events=[(at(2, 9), DONE)], now=at(3, 9)
    )
    running = evaluate(OFFICE, timedelta(0), started=at(2, 9), now=at(2, 10))

    assert instant.state == TargetState.MET and instant.fraction == 1.0
    assert running.state == TargetState.BREACHED and running.deadline == at(2, 9)


def test_before_the_start_nothing_is_counted():
    result = evaluate(OFFICE, 4 * H, started=at(2, 9), now=at(2, 8))

    assert (result.state, result.used, result.deadline) == (
        TargetState.ON_TRACK,
        timedelta(0),
        at(2, 13),
    )


def test_wrong_targets_are_refused():
    with pytest.raises(ValueError, match="negative"):
        evaluate(OFFICE, -H, started=at(2, 9), now=at(2, 10))
    with pytest.raises(ValueError, match="at_risk"):
        evaluate(OFFICE, H, started=at(2, 9), now=at(2, 10), at_risk=1.5)
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(OFFICE, H, started=at(2, 9), now=datetime(2026, 3, 2, 10))


# Status history ------------------------------------------------------------------------------


def test_events_from_a_status_history():
    statuses = ["new", "open", "waiting", "waiting", "open", "resolved", "closed", "open"]
    history = [(at(2, 9 + n), status) for n, status in enumerate(statuses)]

    events = events_from_statuses(history, pause={"waiting"}, done={"resolved", "closed"})

    assert events == [
        (at(2, 9), RUN),
        (at(2, 11), PAUSE),
        (at(2, 13), RUN),
        (at(2, 14), DONE),
        (at(2, 16), RUN),
    ]


def test_a_status_cannot_both_pause_and_finish():
    with pytest.raises(ValueError, match="both"):
        events_from_statuses([], pause={"waiting"}, done={"waiting", "resolved"})


# Properties ----------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Shanghai",
]
FIRST, LAST = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)


@st.composite
def intervals(draw) -> list[tuple[time, time]]:
    """Up to two working intervals of a day, on quarter hours, with midnight as an end."""
    quarters = draw(st.lists(st.integers(0, 96), min_size=0, max_size=4, unique=True))
    bounds = [time(q // 4 % 24, q % 4 * 15) for q in sorted(quarters)]
    return list(zip(bounds[::2], bounds[1::2], strict=False))


@st.composite
def calendars(draw) -> Calendar:
    week = draw(st.dictionaries(st.integers(0, 6), intervals(), min_size=1))
    if not any(week.values()):
        week[draw(st.integers(0, 6))] = [(time(9), time(17))]
    start = FIRST.date() + timedelta(days=draw(st.integers(0, 300)))
    holidays = draw(st.lists(st.integers(0, 60).map(lambda n: start + timedelta(days=n))))
    return Calendar(draw(st.sampled_from(ZONES)), draw(st.none() | st.just(week)), holidays)


moments = st.datetimes(
    FIRST.replace(tzinfo=None), LAST.replace(tzinfo=None), timezones=st.just(UTC)
)
durations = st.timedeltas(timedelta(0), timedelta(hours=200))


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, durations)
def test_business_time_to_the_added_moment_is_the_duration(calendar, start, duration):
    assert calendar.business_time_between(start, calendar.add_business_time(start, duration)) == (
        duration
    )


@settings(max_examples=200, deadline=None)
@given(calendars(), st.lists(moments, min_size=3, max_size=3))
def test_business_time_adds_up(calendar, three):
    a, b, c = sorted(three)

    between = calendar.business_time_between

    assert between(a, b) + between(b, c) == between(a, c)
    assert between(c, a) == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, durations, durations)
def test_adding_more_never_ends_earlier(calendar, start, one, other):
    shorter, longer = sorted((one, other))

    assert calendar.add_business_time(start, shorter) <= calendar.add_business_time(start, longer)


@settings(max_examples=200, deadline=None)
@given(
    calendars(),
    moments,
    durations,
    st.lists(moments, min_size=2, max_size=8, unique=True),
    st.data(),
)
def test_a_pause_never_moves_a_deadline_earlier(calendar, started, target, bounds, data):
    # Pauses are disjoint [pause, resume) spans; the extended history has one more of them.
    ordered = sorted(bounds)
    spans = list(zip(ordered[::2], ordered[1::2], strict=False))
    extra = data.draw(st.integers(0, len(spans) - 1))
    now = data.draw(moments_after(started))

    def deadline(kept):
        events = [event for p, r in kept for event in ((p, PAUSE), (r, RUN))]
        return evaluate(calendar, target, started=started, events=events, now=now)

    fewer, more = deadline(spans[:extra] + spans[extra + 1 :]), deadline(spans)
    assert more.deadline >= fewer.deadline
    assert more.used <= fewer.used


@settings(max_examples=150, deadline=None)
@given(
    calendars(),
    moments,
    durations,
    st.lists(st.tuples(moments, st.sampled_from(list(Clock))), max_size=6),
    st.data(),
)
def test_a_breach_is_final_and_used_time_never_shrinks(calendar, started, target, events, data):
    earlier = data.draw(moments_after(started))
    later = data.draw(moments_after(earlier))

    first = evaluate(calendar, target, started=started, events=events, now=earlier)
    second = evaluate(calendar, target, started=started, events=events, now=later)

    assert second.used >= first.used
    if first.state == TargetState.BREACHED:
        assert second.state == TargetState.BREACHED and second.deadline == first.deadline


def moments_after(moment: datetime):
    return st.timedeltas(timedelta(0), timedelta(days=40)).map(lambda gap: moment + gap)


# No Django in the pure core ------------------------------------------------------------------


def test_the_clock_imports_without_django():
    code = (
        "import sys\n"
        "import kept.servicedesk.clock\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
