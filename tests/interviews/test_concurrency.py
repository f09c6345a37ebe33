"""Bookings at once: one slot never holds two interviews; one candidate never gets two
overlapping ones. Each thread has its own session and connection; SQLite file and
PostgreSQL."""

from datetime import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.interviews.models import Interview, InterviewSource, InterviewStatus, Slot
from app.interviews.services import booking
from tests.candidates.test_concurrency import run_together, unexpected
from tests.interviews.test_services import slots_of

pytestmark = pytest.mark.slow


def active_interviews() -> int:
    return db.session.scalar(
        select(func.count(Interview.id)).where(Interview.status != InterviewStatus.CANCELLED)
    )


def test_twenty_bookings_of_one_slot_exactly_one_wins(
    app, make_event, make_participation, make_registration
):
    event = make_event(capacity=30, self_booking_open=True)
    participation = make_participation(event)
    slot_id = slots_of(participation)[0].id
    registration_ids = [make_registration(event).id for _ in range(20)]

    outcomes = run_together(
        app,
        20,
        lambda i: booking.book(registration_ids[i], slot_id, source=InterviewSource.SELF).id,
    )

    assert unexpected(outcomes, allowed_codes=("slot_taken",)) == []
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert active_interviews() == 1


def test_one_candidate_booking_overlapping_slots_at_once_gets_at_most_one(
    app, make_event, make_participation, make_registration
):
    event = make_event(capacity=30, self_booking_open=True)
    # Eight employers with slots that all overlap 9:00–9:15 (off the étape's rhythm, as
    # earlier settings may leave them), so that only the lock can keep one.
    off_rhythm = [
        Slot(
            participation=make_participation(event),
            table_number=2,
            starts_at=time(9, minute),
            ends_at=time(9, minute + 15),
        )
        for minute in (0, 2, 4, 6, 8, 10, 12, 14)
    ]
    db.session.add_all(off_rhythm)
    db.session.commit()
    slot_ids = [slot.id for slot in off_rhythm]
    registration_id = make_registration(event).id

    outcomes = run_together(
        app,
        len(slot_ids),
        lambda i: booking.book(registration_id, slot_ids[i], source=InterviewSource.SELF).id,
    )

    assert unexpected(outcomes, allowed_codes=("candidate_clash",)) == []
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert active_interviews() == 1
