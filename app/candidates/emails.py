"""Emails to candidates, queued in the outbox with the change that causes them."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.candidates.models import Registration, RegistrationStatus
from app.db import utcnow
from app.events.models import Event
from app.notifications.calendar import event_ics
from app.notifications.models import OutboxMessage
from app.notifications.qr import qr_png
from app.notifications.services import Attachment, enqueue_email


def manage_url(registration: Registration) -> str:
    """The "Mon inscription" link (built without a request: jobs send emails too)."""
    return f"{current_app.config['BASE_URL']}/mon-inscription/{registration.manage_token}"


def event_calendar_file(registration: Registration) -> bytes:
    event = registration.event
    venue = event.venue
    return event_ics(
        uid=f"registration-{registration.id}-event-{event.id}@jobdating50",
        summary=_("Job Dating Tour 50+ — %(town)s", town=venue.town),
        starts=event.starts,
        ends=event.ends,
        location=f"{venue.name}, {venue.full_address}",
        description=_(
            "Votre billet : %(code)s\nAccès : %(transport)s\nVotre inscription : %(url)s",
            code=registration.display_code,
            transport=venue.transport,
            url=manage_url(registration),
        ),
        url=manage_url(registration),
    )


def _ticket_attachments(registration: Registration) -> list[Attachment]:
    return [
        Attachment("billet-qr.png", "image/png", qr_png(registration.ticket_code), "ticket-qr"),
        Attachment("job-dating.ics", "text/calendar", event_calendar_file(registration)),
    ]


def _queue(
    registration: Registration,
    kind: str,
    key: str,
    subject: str,
    template: str,
    *,
    with_ticket: bool,
    **extra,
) -> OutboxMessage | None:
    """Queue one email to the candidate; None when they have no email or it was queued already."""
    candidate = registration.candidate
    if not candidate.email:
        return None  # registered by phone without email: staff print or post the ticket
    with force_locale(candidate.locale):
        context = {
            "registration": registration,
            "candidate": candidate,
            "event": registration.event,
            "venue": registration.event.venue,
            "manage_url": manage_url(registration),
            "organiser": current_app.config,
            **extra,
        }
        return enqueue_email(
            kind=kind,
            dedupe_key=key,
            recipient=candidate.email,
            subject=str(subject),
            template=template,
            context=context,
            attachments=_ticket_attachments(registration) if with_ticket else [],
        )


def queue_registration_notice(registration: Registration) -> None:
    from app.candidates.services import waitlist_position

    if registration.status == RegistrationStatus.CONFIRMED:
        _queue(
            registration,
            "registration_confirmed",
            f"registration:{registration.id}:confirmed",
            _("Votre inscription au Job Dating Tour 50+ est confirmée"),
            "candidates/registration_confirmed",
            with_ticket=True,
        )
    else:
        _queue(
            registration,
            "registration_waitlisted",
            f"registration:{registration.id}:waitlisted",
            _("Vous êtes sur la liste d'attente du Job Dating Tour 50+"),
            "candidates/registration_waitlisted",
            with_ticket=False,
            position=waitlist_position(registration),
        )


def queue_promotion_notice(registration: Registration) -> None:
    _queue(
        registration,
        "registration_promoted",
        f"registration:{registration.id}:promoted:{registration.event_id}:{registration.confirmed_at.isoformat()}",
        _("Bonne nouvelle : une place s'est libérée pour vous"),
        "candidates/registration_promoted",
        with_ticket=True,
    )


def queue_cancellation_notice(registration: Registration) -> None:
    _queue(
        registration,
        "registration_cancelled",
        f"registration:{registration.id}:cancelled:{registration.cancelled_at.isoformat()}",
        _("Votre inscription au Job Dating Tour 50+ est annulée"),
        "candidates/registration_cancelled",
        with_ticket=False,
    )


def queue_move_notice(registration: Registration, old_event: Event) -> None:
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    _queue(
        registration,
        "registration_moved",
        f"registration:{registration.id}:moved:{registration.event_id}:{utcnow().isoformat()}",
        _("Votre inscription a été déplacée vers %(town)s", town=registration.event.venue.town),
        "candidates/registration_moved",
        with_ticket=confirmed,
        old_event=old_event,
    )


def queue_link_reminder(registration: Registration) -> None:
    hour = utcnow().strftime("%Y%m%d%H")
    _queue(
        registration,
        "registration_link",
        f"registration:{registration.id}:link:{hour}",
        _("Le lien de votre inscription au Job Dating Tour 50+"),
        "candidates/registration_link",
        with_ticket=registration.status == RegistrationStatus.CONFIRMED,
    )


def queue_event_reminder(registration: Registration) -> OutboxMessage | None:
    return _queue(
        registration,
        "event_reminder",
        f"registration:{registration.id}:reminder:{registration.event_id}",
        _("Rappel : le Job Dating Tour 50+ c'est dans deux jours"),
        "candidates/event_reminder",
        with_ticket=True,
    )
