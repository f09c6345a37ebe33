"""Emails about interviews: to the candidate (in their language, with their link) and to
the employer's contact, queued in the outbox with the booking or cancellation."""

from flask_babel import gettext as _

from app.candidates.emails import queue_candidate_email
from app.employers.emails import queue_employer_email
from app.interviews.models import Interview


def _context(interview: Interview) -> dict:
    participation = interview.slot.participation
    return {
        "interview": interview,
        "participation": participation,
        "establishment": participation.establishment,
        "table": interview.slot.table_label,
    }


def queue_booking_notices(interview: Interview) -> None:
    registration = interview.registration
    context = _context(interview)
    name = context["establishment"].display_name
    queue_candidate_email(
        registration,
        "interview_booked",
        f"interview:{interview.id}:booked",
        lambda: _("Votre entretien avec %(employer)s est réservé", employer=name),
        "interviews/interview_booked",
        with_ticket=False,
        **context,
    )
    participation = context["participation"]
    queue_employer_email(
        kind="employer_interview_booked",
        key=f"interview:{interview.id}:booked:employer",
        recipient=participation.contact_email,
        subject=_(
            "Nouvel entretien à %(time)s au Job Dating de %(town)s",
            time=interview.starts_at.strftime("%H:%M"),
            town=participation.event.venue.town,
        ),
        template="interview_booked",
        event=participation.event,
        candidate=registration.candidate,
        **context,
    )


def queue_cancellation_notices(interview: Interview) -> None:
    registration = interview.registration
    context = _context(interview)
    name = context["establishment"].display_name
    queue_candidate_email(
        registration,
        "interview_cancelled",
        f"interview:{interview.id}:cancelled",
        lambda: _("Votre entretien avec %(employer)s est annulé", employer=name),
        "interviews/interview_cancelled",
        with_ticket=False,
        **context,
    )
    participation = context["participation"]
    queue_employer_email(
        kind="employer_interview_cancelled",
        key=f"interview:{interview.id}:cancelled:employer",
        recipient=participation.contact_email,
        subject=_(
            "Entretien de %(time)s annulé au Job Dating de %(town)s",
            time=interview.starts_at.strftime("%H:%M"),
            town=participation.event.venue.town,
        ),
        template="interview_cancelled",
        event=participation.event,
        candidate=registration.candidate,
        **context,
    )


def queue_move_notices(old: Interview, new: Interview) -> None:
    """A moved interview: the candidate gets the new time; each employer concerned is told."""
    queue_booking_notices(new)
    if old.slot.participation_id != new.slot.participation_id:
        queue_cancellation_notices(old)
