"""Reads of registrations shared by several pages."""

from sqlalchemy import func, select

from app.candidates.models import Registration, RegistrationStatus
from app.events.models import Event
from app.extensions import db


def get_registration_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Registration).where(Registration.manage_token == token))


def load_registration_or_404(registration_id: int) -> Registration:
    return db.get_or_404(Registration, registration_id)


def count_by_status(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """{event_id: {"confirmed": n, "waitlisted": n, "cancelled": n}}."""
    counts = {event_id: {s.value: 0 for s in RegistrationStatus} for event_id in event_ids}
    rows = db.session.execute(
        select(Registration.event_id, Registration.status, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, number in rows:
        counts[event_id][status.value] = number
    return counts


def list_move_targets(registration: Registration, today) -> list[Event]:
    """Other étapes of the same tour where the person could go instead."""
    events = db.session.scalars(
        select(Event)
        .where(Event.tour_id == registration.event.tour_id, Event.id != registration.event_id)
        .order_by(Event.date)
    )
    return [event for event in events if event.registration_is_open(today)]
