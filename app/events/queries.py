"""Reads of tours and étapes shared by several pages."""

from sqlalchemy import select

from app.events.models import Event, EventStatus, Tour
from app.extensions import db


def get_current_tour() -> Tour | None:
    """The most recent tour that has at least one public étape (else the most recent)."""
    with_public = db.session.scalar(
        select(Tour)
        .join(Event)
        .where(Event.status != EventStatus.DRAFT)
        .order_by(Tour.year.desc(), Tour.id.desc())
        .limit(1)
    )
    return with_public or db.session.scalar(select(Tour).order_by(Tour.year.desc()).limit(1))


def list_public_events(tour: Tour) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.tour_id == tour.id, Event.status != EventStatus.DRAFT)
            .order_by(Event.date, Event.starts_at)
        )
    )


def get_public_event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not event.is_public():
        from flask import abort

        abort(404)
    return event
