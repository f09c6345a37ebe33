"""Booking, moving and cancelling interviews: the one path every page and the scheduler use.

Guarantees, on SQLite and PostgreSQL alike:
- a slot never holds two active interviews (partial unique index, and the slot row is
  locked while it is checked);
- a candidate never has two interviews at once nor closer than the étape's changeover (the
  registration row is locked first, so one candidate's bookings are serialised; the partial
  unique index on (registration, start) backs it);
- a candidate meets an employer once, and never an employer that declined their profile.

Locks are always taken registration first, then slot. Every function adds and flushes; the
caller commits.

DomainError codes: not_confirmed, slot_not_found, slot_unavailable, self_booking_closed,
declined, slot_taken (with `.alternatives`), candidate_clash, already_meeting,
interview_not_active, outcome_too_early.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.candidates.models import Registration, RegistrationStatus
from app.candidates.signals import registration_leaving
from app.db import lock_for_update, utcnow
from app.employers.models import Participation, ParticipationStatus
from app.errors import DomainError
from app.events.models import today_in_paris
from app.extensions import db
from app.interviews import emails
from app.interviews.models import (
    Interview,
    InterviewSource,
    InterviewStatus,
    ProfileReview,
    Slot,
    Verdict,
)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _lock_registration(registration_id: int) -> Registration:
    statement = (
        select(Registration)
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(lock_for_update(statement, _dialect(), of=Registration))


def _lock_slot(slot_id: int) -> Slot | None:
    statement = select(Slot).where(Slot.id == slot_id).execution_options(populate_existing=True)
    return db.session.scalar(lock_for_update(statement, _dialect(), of=Slot))


def _minutes(value) -> int:
    return value.hour * 60 + value.minute


def active_interviews_of(registration_id: int) -> list[Interview]:
    return list(
        db.session.scalars(
            select(Interview)
            .where(
                Interview.registration_id == registration_id,
                Interview.status != InterviewStatus.CANCELLED,
            )
            .order_by(Interview.starts_at)
        )
    )


def clashes(slot: Slot, interviews: list[Interview], changeover: int) -> bool:
    """True when `slot` overlaps one of `interviews` or comes closer than `changeover`
    minutes to it."""
    start, end = _minutes(slot.starts_at), _minutes(slot.ends_at)
    return any(
        start < _minutes(other.ends_at) + changeover
        and _minutes(other.starts_at) < end + changeover
        for other in interviews
    )


def is_declined(participation_id: int, registration_id: int) -> bool:
    return (
        db.session.scalar(
            select(ProfileReview.id).where(
                ProfileReview.participation_id == participation_id,
                ProfileReview.registration_id == registration_id,
                ProfileReview.verdict == Verdict.DECLINED,
            )
        )
        is not None
    )


def free_slots(participation: Participation, registration_id: int | None = None) -> list[Slot]:
    """The participation's free slots in hours, in time order; with `registration_id`, only
    those the candidate could take (no clash with their other interviews)."""
    taken = select(Interview.slot_id).where(Interview.status != InterviewStatus.CANCELLED)
    slots = list(
        db.session.scalars(
            select(Slot)
            .where(
                Slot.participation_id == participation.id,
                Slot.in_hours.is_(True),
                Slot.id.not_in(taken),
            )
            .order_by(Slot.starts_at, Slot.table_number)
        )
    )
    if registration_id is None:
        return slots
    mine = active_interviews_of(registration_id)
    changeover = participation.event.changeover_minutes
    return [slot for slot in slots if not clashes(slot, mine, changeover)]


def _slot_taken(slot: Slot, registration_id: int) -> DomainError:
    later = [
        s for s in free_slots(slot.participation, registration_id) if s.starts_at >= slot.starts_at
    ]
    error = DomainError(
        _("Ce créneau vient d'être pris. Choisissez un autre horaire ci-dessous."),
        "slot_taken",
    )
    #: The next free slots of the same employer the candidate could take instead.
    error.alternatives = later[:3] or free_slots(slot.participation, registration_id)[:3]
    return error


def book(
    registration_id: int,
    slot_id: int,
    *,
    source: InterviewSource,
    by: User | None = None,
    notify: bool = True,
) -> Interview:
    """Book the slot for the registration, or raise a DomainError saying why not.

    Self-booking (source SELF) needs the étape's self-booking to be open. The candidate and
    the employer are emailed (unless `notify` is false).
    """
    registration = _lock_registration(registration_id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError(
            _("Seules les inscriptions confirmées peuvent réserver un entretien."),
            "not_confirmed",
        )
    slot = _lock_slot(slot_id)
    if slot is None or slot.participation.event_id != registration.event_id:
        raise DomainError(_("Ce créneau n'existe pas à cette étape."), "slot_not_found")
    participation = slot.participation
    event = participation.event
    if participation.status != ParticipationStatus.ACCEPTED or not slot.in_hours:
        raise DomainError(_("Ce créneau n'est plus proposé."), "slot_unavailable")
    if source == InterviewSource.SELF and not event.self_booking_open:
        raise DomainError(
            _(
                "La réservation des entretiens n'est pas ouverte pour cette étape. Vous pouvez classer vos vœux : nous vous proposerons un planning."
            ),
            "self_booking_closed",
        )
    if is_declined(participation.id, registration.id):
        raise DomainError(
            _("Cet employeur ne propose pas d'entretien pour votre profil."), "declined"
        )
    if db.session.scalar(
        select(Interview.id).where(
            Interview.slot_id == slot.id, Interview.status != InterviewStatus.CANCELLED
        )
    ):
        raise _slot_taken(slot, registration.id)
    mine = active_interviews_of(registration.id)
    if any(other.slot.participation_id == participation.id for other in mine):
        raise DomainError(_("Vous avez déjà un entretien avec cet employeur."), "already_meeting")
    if clashes(slot, mine, event.changeover_minutes):
        raise DomainError(
            _(
                "Vous avez déjà un entretien à ce moment-là (ou juste avant ou après). Choisissez un autre horaire."
            ),
            "candidate_clash",
        )
    interview = Interview(
        slot=slot,
        registration=registration,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=InterviewStatus.SCHEDULED,
        source=source,
        booked_by_id=by.id if by else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(interview)
            db.session.flush()
    except IntegrityError:
        # Only reachable if the locks above were bypassed: the schema has the last word.
        raise _slot_taken(slot, registration.id) from None
    if notify:
        emails.queue_booking_notices(interview)
    return interview


def cancel(interview: Interview, *, by: User | None = None, notify: bool = True) -> Interview:
    """Cancel an interview (frees its slot). Raises interview_not_active."""
    _lock_registration(interview.registration_id)
    db.session.refresh(interview)
    if interview.status != InterviewStatus.SCHEDULED:
        raise DomainError(_("Cet entretien n'est plus prévu."), "interview_not_active")
    interview.status = InterviewStatus.CANCELLED
    interview.cancelled_at = utcnow()
    db.session.flush()
    if notify:
        emails.queue_cancellation_notices(interview)
    return interview


def move(interview: Interview, slot_id: int, *, by: User) -> Interview:
    """Staff move an interview to another slot (the old one is cancelled in the same
    transaction; on any error nothing changes). Returns the new interview."""
    registration_id = interview.registration_id
    cancel(interview, by=by, notify=False)
    moved = book(registration_id, slot_id, source=InterviewSource.STAFF, by=by, notify=False)
    emails.queue_move_notices(interview, moved)
    return moved


def cancel_all_of(registration: Registration, *, notify: bool = True) -> list[Interview]:
    """Cancel every scheduled interview of a registration (it was cancelled or moved)."""
    cancelled = []
    for interview in active_interviews_of(registration.id):
        if interview.status == InterviewStatus.SCHEDULED:
            cancelled.append(cancel(interview, notify=notify))
    return cancelled


def record_outcome(
    interview: Interview,
    *,
    held: bool,
    concluant: bool | None = None,
    note: str = "",
    today: date | None = None,
) -> Interview:
    """The employer records how an interview went, on or after the day: held or no-show,
    and for a held one whether a second interview is planned (concluant). Can be changed.

    Raises interview_not_active (cancelled), outcome_too_early (before the étape's day).
    """
    today = today or today_in_paris()
    if interview.status == InterviewStatus.CANCELLED:
        raise DomainError(_("Cet entretien a été annulé."), "interview_not_active")
    if interview.slot.participation.event.date > today:
        raise DomainError(
            _("Vous pourrez indiquer le résultat de l'entretien le jour de l'étape."),
            "outcome_too_early",
        )
    interview.status = InterviewStatus.HELD if held else InterviewStatus.NO_SHOW
    interview.concluant = concluant if held else None
    interview.note = note
    interview.outcome_recorded_at = utcnow()
    db.session.flush()
    return interview


@registration_leaving.connect
def _cancel_interviews_of_leaving(registration: Registration, notify: bool = True) -> None:
    """A registration cancelled or moved to another étape loses its interviews there."""
    cancel_all_of(registration, notify=notify)
