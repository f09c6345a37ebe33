"""The rest of the day at the door: walk-ins, who can receive someone now, employers
arriving, and closing the day.

DomainError codes: not_this_etape, day_closed; and those of the services called
(registration: too_young, contact_missing, registration_closed; booking; check-in).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.auth.models import Role, User
from app.candidates import services as candidates
from app.candidates.models import Registration, RegistrationSource, RegistrationStatus
from app.checkin import queries, services
from app.checkin.models import CheckIn, CheckInMethod
from app.db import lock_for_update, utcnow
from app.employers.emails import organiser
from app.employers.models import Participation, ParticipationStatus
from app.errors import DomainError
from app.events.models import PARIS, Event
from app.extensions import db
from app.formatting import hour, long_date
from app.interviews.models import Interview, InterviewSource, InterviewStatus, Slot, Wish
from app.interviews.services import booking
from app.notifications.services import enqueue_email

#: "Who can receive this person now?" looks this far ahead.
FREE_WINDOW = timedelta(minutes=30)


# --- Walk-ins ----------------------------------------------------------------------------


def walk_in(
    event: Event, details: candidates.CandidateDetails, *, actor: services.Actor, nonce=None
) -> services.CheckInResult:
    """Register someone who turns up (source "sur place") and let them in at once. When
    they were already registered (waitlisted or cancelled), they are admitted instead.
    Raises the registration's DomainErrors (too_young, contact_missing, registration_closed)."""
    earlier = candidates.find_duplicate(event, details, include_cancelled=True)
    if earlier is not None:  # registered before (perhaps waitlisted or cancelled)
        return admit(event, earlier.id, actor=actor, nonce=nonce)
    try:
        registration = candidates.register(
            event.id,
            details,
            source=RegistrationSource.ONSITE,
            created_by_id=actor.user.id if actor.user else None,
            notify=False,
        )
    except DomainError as error:
        if error.code != "duplicate":
            raise
        registration = error.registration
    if registration.status != RegistrationStatus.CONFIRMED:
        candidates.admit_at_the_door(registration)
    return services.check_in_registration(
        event.id, registration.id, actor=actor, method=CheckInMethod.WALK_IN, nonce=nonce
    )


def admit(event: Event, registration_id: int, *, actor: services.Actor, nonce=None):
    """A waitlisted or cancelled person who came anyway: confirmed and let in."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise DomainError(_("Cette personne n'est pas inscrite à cette étape."), "not_this_etape")
    if registration.status != RegistrationStatus.CONFIRMED:
        candidates.admit_at_the_door(registration)
    return services.check_in_registration(
        event.id, registration.id, actor=actor, method=CheckInMethod.WALK_IN, nonce=nonce
    )


# --- Who can receive someone now ---------------------------------------------------------


@dataclass(frozen=True)
class FreeTable:
    participation: Participation
    slot: Slot
    #: "wish" (the person chose this employer), or "domain" (it recruits in their domains).
    reason: str


def now_in_paris() -> datetime:
    return utcnow().astimezone(PARIS)


def free_tables(
    event: Event, registration: Registration, now: datetime | None = None
) -> list[FreeTable]:
    """The earliest free slot starting in the next FREE_WINDOW at each employer the
    person wished or who recruits in their domains, where the person is free then and was
    not declined: wishes first, then by time."""
    now = (now or now_in_paris()).astimezone(PARIS)
    if now.date() != event.date:  # the clock's 9 h 10 is not the étape's on another day
        return []
    start = now.replace(tzinfo=None).time()
    # Until the end of the window's minute: a slot at 9 h 35 is offered at 9 h 05.
    end = (now + FREE_WINDOW + timedelta(minutes=1)).replace(tzinfo=None).time()
    if end < start:  # past midnight: nothing to offer
        return []
    wished = set(
        db.session.scalars(
            select(Wish.participation_id).where(Wish.registration_id == registration.id)
        )
    )
    domains = set(registration.candidate.domains or [])
    mine = booking.active_interviews_of(registration.id)
    free = queries.free_slots(event, start, end)
    found: dict[int, FreeTable] = {}
    for slot in free:
        participation = slot.participation
        if participation.id in found:
            continue
        if participation.id in wished:
            reason = "wish"
        elif domains & {offer.rome_domain for offer in participation.offers}:
            reason = "domain"
        else:
            continue
        if any(i.slot.participation_id == participation.id for i in mine):
            continue
        if booking.clashes(slot, mine, event.changeover_minutes):
            continue
        if booking.is_declined(participation.id, registration.id):
            continue
        found[participation.id] = FreeTable(participation, slot, reason)
    return sorted(found.values(), key=lambda t: (t.reason != "wish", t.slot.starts_at))


def no_free_table_yet(event: Event, now: datetime | None = None) -> str | None:
    """Why no table can be offered now when the étape's day or hours say so (the list is
    empty then, whatever the employers' tables): None during the étape."""
    now = (now or now_in_paris()).astimezone(PARIS)
    if now.date() != event.date:
        return _(
            "Cette étape a lieu le %(date)s : les tables libres se proposent ce jour-là.",
            date=long_date(event.date),
        )
    if now + FREE_WINDOW < event.starts:
        return _(
            "Les entretiens commencent à %(start)s : les tables libres se proposent à partir "
            "de %(earliest)s.",
            start=hour(event.starts_at),
            earliest=hour(event.starts - FREE_WINDOW),
        )
    if now >= event.ends:
        return _(
            "Les entretiens de la journée sont finis (fin à %(end)s).", end=hour(event.ends_at)
        )
    return None


def book_now(event: Event, registration_id: int, slot_id: int, *, actor: services.Actor):
    """Book a free table for someone at the door (nobody is emailed: they are here)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise DomainError(_("Cette personne n'est pas inscrite à cette étape."), "not_this_etape")
    return booking.book(
        registration_id, slot_id, source=InterviewSource.STAFF, by=actor.user, notify=False
    )


# --- Employers arriving ------------------------------------------------------------------


def expected_employers(event: Event) -> list[Participation]:
    return list(
        db.session.scalars(
            select(Participation)
            .where(
                Participation.event_id == event.id,
                Participation.status == ParticipationStatus.ACCEPTED,
            )
            .order_by(Participation.starts_at, Participation.first_table)
        )
    )


def _locked_participation(event: Event, participation_id: int) -> Participation:
    participation = db.session.scalar(
        lock_for_update(
            select(Participation)
            .where(Participation.id == participation_id)
            .execution_options(populate_existing=True),
            db.session.get_bind().dialect.name,
            of=Participation,
        )
    )
    if (
        participation is None
        or participation.event_id != event.id
        or participation.status != ParticipationStatus.ACCEPTED
    ):
        raise DomainError(_("Cet employeur n'est pas attendu à cette étape."), "not_this_etape")
    return participation


def mark_arrived(event: Event, participation_id: int, *, arrived: bool = True) -> Participation:
    """Mark an employer present (or take it back); the first arrival time is kept."""
    participation = _locked_participation(event, participation_id)
    if arrived and participation.arrived_at is None:
        participation.arrived_at = utcnow()
    elif not arrived:
        participation.arrived_at = None
    db.session.flush()
    return participation


# --- End of the day ----------------------------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    expected: int
    arrived: int
    no_shows: int
    walk_ins: int
    employers_expected: int
    employers_present: int
    interviews_held: int
    interviews_missed: int


def close_day(event: Event, *, by: User | None = None) -> DaySummary:
    """Mark confirmed people who never arrived as no-shows (and their interviews), the
    interviews of those who came as held, then email the coordinators a summary. Once per
    étape: raises DomainError day_closed the second time."""
    event = db.session.scalar(
        lock_for_update(
            select(Event).where(Event.id == event.id).execution_options(populate_existing=True),
            db.session.get_bind().dialect.name,
            of=Event,
        )
    )
    if event.day_closed_at is not None:
        raise DomainError(_("La journée de cette étape est déjà clôturée."), "day_closed")
    now = utcnow()
    arrived_ids = select(CheckIn.registration_id).where(CheckIn.event_id == event.id)
    absent = select(Registration.id).where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.id.not_in(arrived_ids),
    )
    no_shows = db.session.execute(
        update(Registration)
        .where(Registration.id.in_(absent), Registration.no_show_at.is_(None))
        .values(no_show_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    scheduled = (
        select(Interview.id)
        .join(Registration)
        .where(Registration.event_id == event.id, Interview.status == InterviewStatus.SCHEDULED)
    )
    missed = db.session.execute(
        update(Interview)
        .where(Interview.id.in_(scheduled), Interview.registration_id.not_in(arrived_ids))
        .values(status=InterviewStatus.NO_SHOW)
        .execution_options(synchronize_session=False)
    ).rowcount
    held = db.session.execute(
        update(Interview)
        .where(Interview.id.in_(scheduled), Interview.registration_id.in_(arrived_ids))
        .values(status=InterviewStatus.HELD)
        .execution_options(synchronize_session=False)
    ).rowcount
    event.day_closed_at = now
    db.session.flush()
    summary = day_summary(event, held=held, missed=missed, no_shows=no_shows)
    _email_coordinators(event, summary)
    return summary


def day_summary(event: Event, *, held=None, missed=None, no_shows=None) -> DaySummary:
    def count(statement) -> int:
        return db.session.scalar(statement) or 0

    registrations = select(func.count(Registration.id)).where(Registration.event_id == event.id)
    interviews = (
        select(func.count(Interview.id)).join(Registration).where(Registration.event_id == event.id)
    )
    participations = select(func.count(Participation.id)).where(
        Participation.event_id == event.id,
        Participation.status == ParticipationStatus.ACCEPTED,
    )
    return DaySummary(
        expected=count(
            registrations.where(
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.source != RegistrationSource.ONSITE,
            )
        ),
        arrived=count(select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id)),
        no_shows=no_shows
        if no_shows is not None
        else count(registrations.where(Registration.no_show_at.is_not(None))),
        walk_ins=count(registrations.where(Registration.source == RegistrationSource.ONSITE)),
        employers_expected=count(participations),
        employers_present=count(participations.where(Participation.arrived_at.is_not(None))),
        interviews_held=held
        if held is not None
        else count(interviews.where(Interview.status == InterviewStatus.HELD)),
        interviews_missed=missed
        if missed is not None
        else count(interviews.where(Interview.status == InterviewStatus.NO_SHOW)),
    )


def coordinators() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.ADMIN, Role.STAFF]), User.active.is_(True))
            .order_by(User.id)
        )
    )


def _email_coordinators(event: Event, summary: DaySummary) -> None:
    for user in coordinators():
        subject = _(
            "Bilan de la journée — %(town)s, %(date)s",
            town=event.venue.town,
            date=long_date(event.date),
        )
        enqueue_email(
            kind="day_summary",
            dedupe_key=f"day_summary:{event.id}:{user.id}",
            recipient=user.email,
            subject=subject,
            template="checkin/day_summary",
            context={
                "subject": subject,
                "user": user,
                "event": event,
                "summary": summary,
                "organiser": organiser(),
                # Built from the URL map: an email may be sent outside any request.
                "board_url": current_app.config["BASE_URL"]
                + current_app.url_map.bind("").build("checkin.board", {"event_id": event.id}),
            },
        )
