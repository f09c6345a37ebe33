"""Candidates' ranked wishes to meet employers (or their job offers) at their étape.

DomainError codes: not_active, too_many_wishes, unknown_employer, duplicate_wish.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select

from app.candidates.models import Registration, RegistrationStatus
from app.employers.models import JobOffer, Participation, ParticipationStatus
from app.errors import DomainError
from app.extensions import db
from app.interviews.models import Wish


@dataclass(frozen=True)
class WishChoice:
    participation_id: int
    job_offer_id: int | None = None


def list_wishes(registration: Registration) -> list[Wish]:
    return list(
        db.session.scalars(
            select(Wish).where(Wish.registration_id == registration.id).order_by(Wish.rank)
        )
    )


def set_wishes(registration: Registration, choices: list[WishChoice]) -> list[Wish]:
    """Replace the candidate's wishes by `choices`, first choice first.

    Only accepted employers of the registration's étape, each once, at most the étape's
    `max_wishes`. Waitlisted people may rank too (they may get a seat).
    """
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_("Cette inscription est annulée."), "not_active")
    event = registration.event
    if len(choices) > event.max_wishes:
        raise DomainError(
            ngettext(
                "Vous pouvez choisir %(num)d employeur au plus.",
                "Vous pouvez choisir %(num)d employeurs au plus.",
                event.max_wishes,
            ),
            "too_many_wishes",
        )
    seen = set()
    participations = {
        p.id: p
        for p in db.session.scalars(
            select(Participation).where(
                Participation.event_id == event.id,
                Participation.status == ParticipationStatus.ACCEPTED,
            )
        ).unique()
    }
    for choice in choices:
        participation = participations.get(choice.participation_id)
        offer_ok = choice.job_offer_id is None or (
            participation is not None
            and db.session.get(JobOffer, choice.job_offer_id) in participation.offers
        )
        if participation is None or not offer_ok:
            raise DomainError(
                _("Cet employeur ne participe pas à votre étape."), "unknown_employer"
            )
        if choice.participation_id in seen:
            raise DomainError(_("Vous avez choisi deux fois le même employeur."), "duplicate_wish")
        seen.add(choice.participation_id)
    db.session.execute(delete(Wish).where(Wish.registration_id == registration.id))
    wishes = [
        Wish(
            registration_id=registration.id,
            participation_id=choice.participation_id,
            job_offer_id=choice.job_offer_id,
            rank=rank,
        )
        for rank, choice in enumerate(choices, start=1)
    ]
    db.session.add_all(wishes)
    db.session.flush()
    return wishes


def set_profile_sharing(registration: Registration, shares: bool) -> Registration:
    """Record whether the candidate lets the étape's employers see their profile (domains
    sought, postcode, wishes). Consent can be withdrawn at any time; it cannot be given on
    a cancelled registration (not_active)."""
    if shares and registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_("Cette inscription est annulée."), "not_active")
    registration.shares_profile = shares
    db.session.flush()
    return registration
