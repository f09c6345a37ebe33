"""Slots, booking and cancelling, wishes, reviews and outcomes."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.candidates import services as candidates
from app.candidates.models import RegistrationStatus
from app.errors import DomainError
from app.extensions import db
from app.interviews.models import (
    Interview,
    InterviewSource,
    InterviewStatus,
    Slot,
    Verdict,
)
from app.interviews.services import booking, reviews, slots, wishes
from app.notifications.models import OutboxMessage

SELF = InterviewSource.SELF
STAFF = InterviewSource.STAFF


def slots_of(participation) -> list[Slot]:
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.participation_id == participation.id)
            .order_by(Slot.table_number, Slot.starts_at)
        )
    )


def kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


# --- Slots -----------------------------------------------------------------------------


def test_slots_are_tables_times_hours_with_changeover(app, make_event, make_participation):
    event = make_event()  # 15-minute interviews, 5 minutes of changeover by default
    participation = make_participation(event, tables=2, starts_at=time(9), ends_at=time(10))
    made = slots_of(participation)
    assert [(s.table_number, s.starts_at, s.ends_at) for s in made[:3]] == [
        (1, time(9), time(9, 15)),
        (1, time(9, 20), time(9, 35)),
        (1, time(9, 40), time(9, 55)),
    ]
    assert len(made) == 6  # 3 per table


def test_a_requested_participation_has_no_slot(app, make_event, make_participation):
    participation = make_participation(make_event(), accepted=False)
    assert slots_of(participation) == []


def test_regeneration_keeps_booked_slots_and_lists_them(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True)
    participation = make_participation(event, tables=2, starts_at=time(9), ends_at=time(10))
    late = next(
        s for s in slots_of(participation) if s.table_number == 2 and s.starts_at == time(9, 40)
    )
    registration = make_registration(event)
    interview = booking.book(registration.id, late.id, source=SELF)
    db.session.commit()

    stranded = slots.change_hours(participation, tables=1, starts_at=time(9), ends_at=time(9, 40))
    db.session.commit()

    assert stranded == [interview]
    remaining = slots_of(participation)
    assert [(s.table_number, s.starts_at, s.in_hours) for s in remaining] == [
        (1, time(9), True),
        (1, time(9, 20), True),
        (2, time(9, 40), False),
    ]
    assert db.session.get(Interview, interview.id).status == InterviewStatus.SCHEDULED
    assert slots.list_stranded(event.id) == [interview]
    # An out-of-hours slot cannot be booked.
    other = make_registration(event)
    booking.cancel(interview)
    with pytest.raises(DomainError) as caught:
        booking.book(other.id, late.id, source=SELF)
    assert caught.value.code == "slot_unavailable"


def test_regeneration_follows_a_longer_interview(app, make_event, make_participation):
    event = make_event()
    participation = make_participation(event, starts_at=time(9), ends_at=time(10))
    event.interview_minutes = 25
    event.changeover_minutes = 5
    slots.regenerate(participation)
    db.session.commit()
    assert [(s.starts_at, s.ends_at) for s in slots_of(participation)] == [
        (time(9), time(9, 25)),
        (time(9, 30), time(9, 55)),
    ]


# --- Booking ---------------------------------------------------------------------------


def test_booking_a_slot_emails_candidate_and_employer(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True)
    participation = make_participation(event)
    registration = make_registration(event)
    slot = slots_of(participation)[0]
    interview = booking.book(registration.id, slot.id, source=SELF)
    db.session.commit()
    assert interview.starts_at == slot.starts_at
    assert kinds()[-2:] == ["interview_booked", "employer_interview_booked"]
    assert booking.free_slots(participation) == slots_of(participation)[1:]


def test_self_booking_needs_the_etape_to_open_it(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=False)
    participation = make_participation(event)
    registration = make_registration(event)
    slot = slots_of(participation)[0]
    with pytest.raises(DomainError) as caught:
        booking.book(registration.id, slot.id, source=SELF)
    assert caught.value.code == "self_booking_closed"
    # Staff can book it for them (a phone request).
    booking.book(registration.id, slot.id, source=STAFF)


def test_a_taken_slot_offers_the_next_free_ones(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True)
    participation = make_participation(event)
    first, second = make_registration(event), make_registration(event)
    taken = slots_of(participation)[0]
    booking.book(first.id, taken.id, source=SELF)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        booking.book(second.id, taken.id, source=SELF)
    assert caught.value.code == "slot_taken"
    assert "vient d'être pris" in caught.value.message
    assert caught.value.alternatives == slots_of(participation)[1:3]


def test_slots_follow_the_etapes_rhythm(app, make_event, make_participation):
    """Every table changes candidates at the same times: the étape's rounds within the
    participation's hours."""
    event = make_event(interview_minutes=15, changeover_minutes=5)
    late = make_participation(event, starts_at=time(9, 30), ends_at=time(10, 45), tables=1)
    assert [slot.starts_at for slot in slots_of(late)] == [time(9, 40), time(10), time(10, 20)]


def test_a_candidate_cannot_have_two_interviews_too_close(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True, changeover_minutes=5)
    one = make_participation(event, starts_at=time(9), ends_at=time(10))
    other = make_participation(event, starts_at=time(9), ends_at=time(10), tables=1)
    # Slots off the étape's rhythm (left by earlier settings): 9:10 overlaps 9:00–9:15 and
    # 9:17 is within the changeover.
    off_rhythm = [
        Slot(participation=other, table_number=2, starts_at=start, ends_at=end)
        for start, end in ((time(9, 10), time(9, 25)), (time(9, 17), time(9, 32)))
    ]
    db.session.add_all(off_rhythm)
    db.session.commit()
    registration = make_registration(event)
    booking.book(registration.id, slots_of(one)[0].id, source=SELF)
    for slot in off_rhythm:
        with pytest.raises(DomainError) as caught:
            booking.book(registration.id, slot.id, source=SELF)
        assert caught.value.code == "candidate_clash"
    with pytest.raises(DomainError) as caught:
        booking.book(registration.id, slots_of(one)[1].id, source=SELF)
    assert caught.value.code == "already_meeting"
    assert booking.book(registration.id, slots_of(other)[1].id, source=SELF)  # 9:20


def test_only_confirmed_registrations_book(app, make_event, make_participation, make_registration):
    event = make_event(capacity=1, self_booking_open=True)
    participation = make_participation(event)
    make_registration(event)
    waiting = make_registration(event)
    assert waiting.status == RegistrationStatus.WAITLISTED
    with pytest.raises(DomainError) as caught:
        booking.book(waiting.id, slots_of(participation)[0].id, source=SELF)
    assert caught.value.code == "not_confirmed"


def test_a_slot_of_another_etape_is_refused(app, make_event, make_participation, make_registration):
    event, elsewhere = make_event(self_booking_open=True), make_event(self_booking_open=True)
    participation = make_participation(elsewhere)
    registration = make_registration(event)
    with pytest.raises(DomainError) as caught:
        booking.book(registration.id, slots_of(participation)[0].id, source=SELF)
    assert caught.value.code == "slot_not_found"


def test_cancelling_frees_the_slot_and_tells_both(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True)
    participation = make_participation(event)
    registration, other = make_registration(event), make_registration(event)
    slot = slots_of(participation)[0]
    interview = booking.book(registration.id, slot.id, source=SELF)
    booking.cancel(interview)
    db.session.commit()
    assert kinds()[-2:] == ["interview_cancelled", "employer_interview_cancelled"]
    assert booking.book(other.id, slot.id, source=SELF).slot_id == slot.id
    with pytest.raises(DomainError) as caught:
        booking.cancel(interview)
    assert caught.value.code == "interview_not_active"


def test_staff_move_an_interview_to_another_slot(
    app, make_event, make_participation, make_registration, staff_user
):
    event = make_event()
    participation = make_participation(event)
    registration = make_registration(event)
    first, second = slots_of(participation)[:2]
    interview = booking.book(registration.id, first.id, source=STAFF, by=staff_user)
    moved = booking.move(interview, second.id, by=staff_user)
    db.session.commit()
    assert interview.status == InterviewStatus.CANCELLED
    assert (moved.slot_id, moved.status) == (second.id, InterviewStatus.SCHEDULED)


def test_a_failed_move_changes_nothing(
    app, make_event, make_participation, make_registration, staff_user
):
    event = make_event()
    participation = make_participation(event)
    one, two = make_registration(event), make_registration(event)
    first, second = slots_of(participation)[:2]
    interview = booking.book(one.id, first.id, source=STAFF)
    booking.book(two.id, second.id, source=STAFF)
    db.session.commit()
    with pytest.raises(DomainError):
        booking.move(interview, second.id, by=staff_user)
    db.session.rollback()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.SCHEDULED


def test_cancelling_a_registration_cancels_its_interviews(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True)
    participation = make_participation(event)
    registration = make_registration(event)
    interview = booking.book(registration.id, slots_of(participation)[0].id, source=SELF)
    db.session.commit()
    candidates.cancel(registration)
    db.session.commit()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.CANCELLED


def test_moving_a_registration_cancels_its_interviews_at_the_old_etape(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True)
    other = make_event(tour=event.tour)
    participation = make_participation(event)
    registration = make_registration(event)
    interview = booking.book(registration.id, slots_of(participation)[0].id, source=SELF)
    db.session.commit()
    candidates.move(registration, other.id)
    db.session.commit()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.CANCELLED


# --- Wishes ----------------------------------------------------------------------------


def test_wishes_are_ranked_and_replaced(app, make_event, make_participation, make_registration):
    event = make_event(max_wishes=2)
    one, two, three = (make_participation(event) for _ in range(3))
    registration = make_registration(event)
    wishes.set_wishes(
        registration,
        [wishes.WishChoice(two.id, two.offers[0].id), wishes.WishChoice(one.id)],
    )
    db.session.commit()
    assert [(w.participation_id, w.rank) for w in wishes.list_wishes(registration)] == [
        (two.id, 1),
        (one.id, 2),
    ]
    wishes.set_wishes(registration, [wishes.WishChoice(three.id)])
    db.session.commit()
    assert [w.participation_id for w in wishes.list_wishes(registration)] == [three.id]

    with pytest.raises(DomainError) as caught:
        wishes.set_wishes(registration, [wishes.WishChoice(p.id) for p in (one, two, three)])
    assert caught.value.code == "too_many_wishes"
    with pytest.raises(DomainError) as caught:
        wishes.set_wishes(registration, [wishes.WishChoice(one.id), wishes.WishChoice(one.id)])
    assert caught.value.code == "duplicate_wish"


def test_wishes_name_only_accepted_employers_of_the_etape(
    app, make_event, make_participation, make_registration
):
    event = make_event()
    pending = make_participation(event, accepted=False)
    elsewhere = make_participation(make_event())
    accepted = make_participation(event)
    registration = make_registration(event)
    for choice in (
        wishes.WishChoice(pending.id),
        wishes.WishChoice(elsewhere.id),
        wishes.WishChoice(accepted.id, elsewhere.offers[0].id),
    ):
        with pytest.raises(DomainError) as caught:
            wishes.set_wishes(registration, [choice])
        assert caught.value.code == "unknown_employer"


# --- Reviews ---------------------------------------------------------------------------


def test_a_decline_stops_the_candidate_booking_that_employer(
    app, make_event, make_participation, make_registration, staff_user
):
    event = make_event(self_booking_open=True)
    participation = make_participation(event)
    registration = make_registration(event)
    registration.shares_profile = True
    reviews.review(participation, registration, Verdict.DECLINED, staff_user)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        booking.book(registration.id, slots_of(participation)[0].id, source=SELF)
    assert caught.value.code == "declined"
    reviews.review(participation, registration, Verdict.SHORTLISTED, staff_user)
    assert booking.book(registration.id, slots_of(participation)[0].id, source=SELF)


def test_a_profile_not_shared_cannot_be_reviewed(
    app, make_event, make_participation, make_registration, staff_user
):
    event = make_event()
    participation = make_participation(event)
    registration = make_registration(event)
    assert not reviews.can_see_profile(participation, registration)
    with pytest.raises(DomainError) as caught:
        reviews.review(participation, registration, Verdict.SHORTLISTED, staff_user)
    assert caught.value.code == "profile_not_shared"


# --- Outcomes --------------------------------------------------------------------------


def test_the_employer_records_outcomes_on_the_day(
    app, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=True, days_ahead=3)
    participation = make_participation(event)
    one, two = make_registration(event), make_registration(event)
    held = booking.book(one.id, slots_of(participation)[0].id, source=SELF)
    absent = booking.book(two.id, slots_of(participation)[1].id, source=SELF)
    with pytest.raises(DomainError) as caught:
        booking.record_outcome(held, held=True, concluant=True)
    assert caught.value.code == "outcome_too_early"

    day = event.date
    booking.record_outcome(held, held=True, concluant=True, note="Très bon contact", today=day)
    booking.record_outcome(absent, held=False, concluant=True, today=day + timedelta(days=1))
    db.session.commit()
    assert (held.status, held.concluant, held.note) == (
        InterviewStatus.HELD,
        True,
        "Très bon contact",
    )
    assert (absent.status, absent.concluant) == (InterviewStatus.NO_SHOW, None)
    booking.record_outcome(held, held=True, concluant=False, today=day)
    assert held.concluant is False


def test_the_schema_refuses_two_active_interviews_in_one_slot(
    app, make_event, make_participation, make_registration
):
    """The partial unique index holds even if the service were bypassed."""
    from sqlalchemy.exc import IntegrityError

    event = make_event()
    participation = make_participation(event)
    one, two = make_registration(event), make_registration(event)
    slot = slots_of(participation)[0]
    for registration in (one, two):
        db.session.add(
            Interview(
                slot=slot,
                registration=registration,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                source=STAFF,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Interview.id))) == 0
