"""Employers looking at the profiles candidates share with their étape: shortlist
("je souhaite rencontrer") or decline ("pas ce profil"). A decline stops the candidate from
booking that employer (see booking.book) and is a veto for the scheduler.

DomainError codes: profile_not_shared.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.candidates.models import Registration, RegistrationStatus
from app.db import utcnow
from app.employers.models import Participation
from app.errors import DomainError
from app.extensions import db
from app.interviews.models import ProfileAccess, ProfileReview, Verdict


def can_see_profile(participation: Participation, registration: Registration) -> bool:
    """An employer sees a candidate's profile when the candidate shares it with the étape's
    employers and is registered there (confirmed or waitlisted)."""
    return (
        registration.event_id == participation.event_id
        and registration.shares_profile
        and registration.status != RegistrationStatus.CANCELLED
        and registration.candidate.anonymised_at is None
    )


def log_access(user: User, registration: Registration, what: str) -> None:
    """Trace an employer user opening a candidate's data (RGPD)."""
    db.session.add(
        ProfileAccess(user_id=user.id, registration_id=registration.id, what=what, at=utcnow())
    )
    db.session.flush()


def review(
    participation: Participation, registration: Registration, verdict: Verdict | None, by: User
) -> ProfileReview | None:
    """Set (or with None, clear) the employer's verdict on a shared profile."""
    if not can_see_profile(participation, registration):
        raise DomainError(
            _("Ce candidat ne partage pas son profil avec les employeurs."), "profile_not_shared"
        )
    existing = db.session.scalar(
        select(ProfileReview).where(
            ProfileReview.participation_id == participation.id,
            ProfileReview.registration_id == registration.id,
        )
    )
    if verdict is None:
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        return None
    if existing is None:
        existing = ProfileReview(participation_id=participation.id, registration_id=registration.id)
        db.session.add(existing)
    existing.verdict = verdict
    existing.reviewed_by_id = by.id
    db.session.flush()
    return existing
