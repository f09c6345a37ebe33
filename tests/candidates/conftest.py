"""Fixtures of the candidate tests: registrations made through the service; row counts,
snapshots of the whole database (to prove that a request wrote nothing) and seat counts."""

import pytest
from sqlalchemy import func, select

from app.candidates import services
from app.candidates.models import Candidate, Registration, RegistrationStatus
from app.events.models import Event
from app.extensions import db
from app.notifications.models import OutboxMessage


def row_counts() -> dict[str, int]:
    """Rows of the tables a registration writes to."""
    return {
        "candidate": db.session.scalar(select(func.count(Candidate.id))),
        "registration": db.session.scalar(select(func.count(Registration.id))),
        "outbox": db.session.scalar(select(func.count(OutboxMessage.id))),
    }


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, as the request left them (flushed or not)."""
    db.session.flush()
    return {
        table.name: sorted(
            (tuple(repr(value) for value in row) for row in db.session.execute(table.select())),
        )
        for table in db.metadata.sorted_tables
    }


def confirmed_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED
        )
    )


def assert_seats_match(*event_ids: int) -> None:
    """`Event.seats_taken` is the number of confirmed registrations, within the capacity."""
    db.session.expire_all()
    for event_id in event_ids:
        event = db.session.get(Event, event_id)
        assert event.seats_taken == confirmed_count(event_id), event
        assert 0 <= event.seats_taken <= event.capacity


@pytest.fixture
def make_registration(app, details):
    """Register someone through the service (and commit); returns the registration."""

    def make(event, **overrides):
        registration = services.register(event.id, details(**overrides))
        db.session.commit()
        return registration

    return make
