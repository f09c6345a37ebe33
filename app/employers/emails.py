"""Emails to employers' contacts, queued in the outbox with the change that causes them.

Employers' emails are in French (the contacts are HR people of establishments around Lille).
"""

from flask import current_app
from flask_babel import gettext as _

from app.employers.models import Participation, ParticipationStatus
from app.notifications.models import OutboxMessage
from app.notifications.services import enqueue_email


def organiser() -> dict:
    return {
        "name": current_app.config["ORGANISER_NAME"],
        "phone": current_app.config["ORGANISER_PHONE"],
        "email": current_app.config["ORGANISER_EMAIL"],
    }


def portal_url() -> str:
    return f"{current_app.config['BASE_URL']}/espace-employeur/"


def queue_employer_email(
    *, kind: str, key: str, recipient: str, subject: str, template: str, **context
) -> OutboxMessage | None:
    """Queue an email to an employer's contact; None when already queued (same key)."""
    return enqueue_email(
        kind=kind,
        dedupe_key=key,
        recipient=recipient,
        subject=subject,
        template=f"employers/{template}",
        context={
            "subject": subject,
            "organiser": organiser(),
            "portal_url": portal_url(),
            "site_url": current_app.config["BASE_URL"] + "/",
            **context,
        },
    )


def queue_request_received(participations: list[Participation]) -> None:
    first = participations[0]
    queue_employer_email(
        kind="participation_requested",
        key="participation-request:"
        + ",".join(f"{p.id}:{p.updated_at.isoformat()}" for p in participations),
        recipient=first.contact_email,
        subject=_("Nous avons bien reçu votre demande de participation au Job Dating Tour 50+"),
        template="participation_requested",
        participations=participations,
        contact_name=first.contact_name,
        establishment=first.establishment,
    )


def queue_decision(participation: Participation) -> None:
    accepted = participation.status == ParticipationStatus.ACCEPTED
    town = participation.event.venue.town
    queue_employer_email(
        kind="participation_accepted" if accepted else "participation_refused",
        key=f"participation:{participation.id}:{participation.status}:{participation.decided_at.isoformat()}",
        recipient=participation.contact_email,
        subject=(
            _("Votre participation au Job Dating de %(town)s est confirmée", town=town)
            if accepted
            else _("Votre demande pour le Job Dating de %(town)s", town=town)
        ),
        template="participation_accepted" if accepted else "participation_refused",
        participation=participation,
        event=participation.event,
        venue=participation.event.venue,
    )
