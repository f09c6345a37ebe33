"""Emails to candidates, queued in the outbox with the change that causes them.

Every email is rendered in the candidate's language (subject included, also from jobs that
run outside any request), carries the "Mon inscription" link, the étape's address and how to
get there; emails that confirm a seat also carry the QR ticket inline and the étape as .ics.
"""

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.candidates.models import Registration, RegistrationStatus
from app.db import utcnow
from app.events.models import Event, today_in_paris
from app.formatting import long_date
from app.notifications.calendar import event_ics
from app.notifications.models import OutboxMessage
from app.notifications.qr import qr_png
from app.notifications.services import Attachment, enqueue_email, is_queued

#: Content-ID of the QR code image, referenced as cid:ticket-qr in the HTML.
QR_CONTENT_ID = "ticket-qr"


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
        Attachment("billet-qr.png", "image/png", qr_png(registration.ticket_code), QR_CONTENT_ID),
        Attachment("job-dating.ics", "text/calendar", event_calendar_file(registration)),
    ]


def queue_candidate_email(
    registration: Registration,
    kind: str,
    key: str,
    subject: Callable[[], str],
    template: str,
    *,
    with_ticket: bool,
    **extra,
) -> OutboxMessage | None:
    """Queue one email to the candidate; None when they have no email or it was queued already.

    `subject` is called in the candidate's language.
    """
    candidate = registration.candidate
    if not candidate.email or is_queued(key):
        # No email (registered by phone: staff print or post the ticket), or already queued:
        # nothing to build.
        return None
    from app.candidates.services import waitlist_position

    with force_locale(candidate.locale):
        text_subject = subject()
        context = {
            "subject": text_subject,
            "registration": registration,
            "candidate": candidate,
            "event": registration.event,
            "venue": registration.event.venue,
            "manage_url": manage_url(registration),
            "site_url": current_app.config["BASE_URL"] + "/",
            "position": waitlist_position(registration),
            "organiser": {
                "name": current_app.config["ORGANISER_NAME"],
                "phone": current_app.config["ORGANISER_PHONE"],
                "email": current_app.config["ORGANISER_EMAIL"],
            },
            **extra,
        }
        return enqueue_email(
            kind=kind,
            dedupe_key=key,
            recipient=candidate.email,
            subject=text_subject,
            template=template,
            context=context,
            attachments=_ticket_attachments(registration) if with_ticket else [],
        )


def queue_registration_notice(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        queue_candidate_email(
            registration,
            "registration_confirmed",
            f"registration:{registration.id}:confirmed",
            lambda: _("Votre inscription au Job Dating Tour 50+ est confirmée"),
            "candidates/registration_confirmed",
            with_ticket=True,
        )
    else:
        queue_candidate_email(
            registration,
            "registration_waitlisted",
            f"registration:{registration.id}:waitlisted",
            lambda: _("Vous êtes sur la liste d'attente du Job Dating Tour 50+"),
            "candidates/registration_waitlisted",
            with_ticket=False,
        )


def queue_promotion_notice(registration: Registration) -> None:
    queue_candidate_email(
        registration,
        "registration_promoted",
        f"registration:{registration.id}:promoted:{registration.event_id}:{registration.confirmed_at.isoformat()}",
        lambda: _("Bonne nouvelle : une place s'est libérée pour vous"),
        "candidates/registration_promoted",
        with_ticket=True,
    )


def queue_cancellation_notice(registration: Registration) -> None:
    queue_candidate_email(
        registration,
        "registration_cancelled",
        f"registration:{registration.id}:cancelled:{registration.cancelled_at.isoformat()}",
        lambda: _("Votre inscription au Job Dating Tour 50+ est annulée"),
        "candidates/registration_cancelled",
        with_ticket=False,
    )


def queue_move_notice(registration: Registration, old_event: Event) -> None:
    town = registration.event.venue.town
    queue_candidate_email(
        registration,
        "registration_moved",
        f"registration:{registration.id}:moved:{registration.event_id}:{utcnow().isoformat()}",
        lambda: _("Votre inscription a été déplacée à %(town)s", town=town),
        "candidates/registration_moved",
        with_ticket=registration.status == RegistrationStatus.CONFIRMED,
        old_event=old_event,
    )


def queue_link_reminder(registration: Registration) -> None:
    hour = utcnow().strftime("%Y%m%d%H")
    queue_candidate_email(
        registration,
        "registration_link",
        f"registration:{registration.id}:link:{hour}",
        lambda: _("Le lien de votre inscription au Job Dating Tour 50+"),
        "candidates/registration_link",
        with_ticket=registration.status == RegistrationStatus.CONFIRMED,
    )


def queue_event_reminder(registration: Registration) -> OutboxMessage | None:
    """The reminder a few days before the étape (once per registration and étape)."""
    event = registration.event
    return queue_candidate_email(
        registration,
        "event_reminder",
        f"registration:{registration.id}:reminder:{registration.event_id}",
        lambda: _(
            "Rappel : Job Dating de %(town)s, %(date)s",
            town=event.venue.town,
            date=long_date(event.date),
        ),
        "candidates/event_reminder",
        with_ticket=True,
        days_left=(event.date - today_in_paris()).days,
    )
