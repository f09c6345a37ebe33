"""Jobs about registrations: the reminder a few days before the étape."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.candidates import emails
from app.candidates.models import Registration, RegistrationStatus
from app.db import utcnow
from app.events.models import Event, EventStatus, today_in_paris
from app.extensions import db


def send_event_reminders() -> int:
    """Queue the reminder for confirmed people of étapes in the next days (J-2 by default).

    Idempotent: one reminder per registration and étape (outbox dedupe key). People who
    registered less than a day ago are not reminded. Commits. Returns the number queued.
    """
    today = today_in_paris()
    horizon = today + timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    recent = utcnow() - timedelta(days=1)
    registrations = db.session.scalars(
        select(Registration)
        .join(Registration.event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.date > today,
            Event.date <= horizon,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.confirmed_at < recent,
        )
    ).all()
    queued = 0
    for registration in registrations:
        if emails.queue_event_reminder(registration) is not None:
            queued += 1
    db.session.commit()
    return queued
