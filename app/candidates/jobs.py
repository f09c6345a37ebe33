"""Jobs about registrations: the reminder a few days before the étape, and the erasure of
personal data kept longer than the retention period."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.candidates import emails
from app.candidates.models import Candidate, Registration, RegistrationStatus
from app.candidates.services import anonymise_expired
from app.db import utcnow
from app.events.models import Event, EventStatus, today_in_paris
from app.extensions import db


def send_event_reminders() -> int:
    """Queue the reminder for confirmed people of étapes in the next days (J-2 by default).

    The window is tomorrow … REMINDER_DAYS_BEFORE days ahead, so a day missed (job runner
    stopped) is caught up on J-1. Idempotent: one reminder per registration and étape (outbox
    dedupe key), however often it runs. People confirmed less than a day ago (they just got
    their ticket) and people without an email are not reminded. Commits. Returns the number
    queued.
    """
    today = today_in_paris()
    horizon = today + timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    recent = utcnow() - timedelta(days=1)
    registrations = db.session.scalars(
        select(Registration)
        .join(Registration.event)
        .join(Registration.candidate)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.date > today,
            Event.date <= horizon,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.confirmed_at < recent,
            Candidate.email.is_not(None),
        )
        .order_by(Registration.id)
    ).all()
    queued = 0
    for registration in registrations:
        if emails.queue_event_reminder(registration) is not None:
            queued += 1
    db.session.commit()
    return queued


def anonymise_expired_candidates() -> int:
    """Anonymise the people not in contact for RETENTION_MONTHS months (`anonymise_expired`).

    Idempotent: people already anonymised are left alone, so running it again (a day caught
    up, a run by hand) changes nothing. Commits once. Returns the number anonymised.
    """
    anonymised = anonymise_expired(current_app.config["RETENTION_MONTHS"])
    db.session.commit()
    return anonymised
