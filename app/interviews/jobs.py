"""Jobs about interviews: the day's schedule sent to each employer the day before."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.employers.emails import queue_employer_email
from app.employers.models import Participation, ParticipationStatus
from app.events.models import Event, EventStatus, today_in_paris
from app.extensions import db
from app.interviews.queries import list_booked_interviews


def send_employer_day_schedules() -> int:
    """Queue, the day before an étape, each accepted employer's schedule of the day.

    Idempotent: one email per participation and day (outbox dedupe key), however often it
    runs; an employer with no interview booked gets the email too (their tables are still
    expected). Commits. Returns the number queued.
    """
    tomorrow = today_in_paris() + timedelta(days=1)
    participations = db.session.scalars(
        select(Participation)
        .join(Participation.event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.date == tomorrow,
            Participation.status == ParticipationStatus.ACCEPTED,
        )
        .order_by(Participation.id)
    ).unique()
    queued = 0
    for participation in participations:
        event = participation.event
        message = queue_employer_email(
            kind="employer_day_schedule",
            key=f"participation:{participation.id}:day-schedule:{event.date.isoformat()}",
            recipient=participation.contact_email,
            subject=_("Demain au Job Dating de %(town)s : vos entretiens", town=event.venue.town),
            template="day_schedule",
            participation=participation,
            event=event,
            venue=event.venue,
            interviews=list_booked_interviews(participation),
        )
        if message is not None:
            queued += 1
    db.session.commit()
    return queued
