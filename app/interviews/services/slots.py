"""Slots generated from participations, and regenerated safely when hours or tables change.

A participation's slots are every table × start time from its interview hours, one
interview length plus the étape's changeover apart. Regenerating keeps the slots that still
fit, deletes the free ones that do not, and never deletes a booked one: it is marked out of
hours (`in_hours = False`) and returned, with its interview, for staff to move or cancel.

DomainError codes: those of `employers.services` (not_requested, bad_hours, bad_tables);
bad_interview_minutes, bad_changeover, bad_max_wishes, bad_max_interviews.
"""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.db import lock_for_update
from app.employers import services as employers
from app.employers.models import Participation, ParticipationStatus
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.interviews.models import Interview, InterviewStatus, Slot


def event_times(event: Event) -> list[tuple[time, time]]:
    """The étape's rhythm: the (start, end) of every interview round of the day, one
    interview length plus the changeover apart from the étape's start. Every table changes
    candidates at the same times, so that a candidate can go from one table to the next and
    the scheduler works on one grid."""
    length = timedelta(minutes=event.interview_minutes)
    step = length + timedelta(minutes=event.changeover_minutes)
    day = date(2000, 1, 1)
    start = datetime.combine(day, event.starts_at)
    end = datetime.combine(day, event.ends_at)
    times = []
    while start + length <= end:
        times.append((start.time(), (start + length).time()))
        start += step
    return times


def slot_times(participation: Participation) -> list[tuple[time, time]]:
    """The (start, end) of each interview of a table: the étape's rounds that fall within
    the participation's hours."""
    return [
        (start, end)
        for start, end in event_times(participation.event)
        if participation.starts_at <= start and end <= participation.ends_at
    ]


def regenerate(participation: Participation) -> list[Interview]:
    """Bring the participation's slots to its hours and tables (the caller holds its lock).

    Returns the active interviews whose slot no longer fits (left in place, out of hours).
    A refused or withdrawn participation keeps no free slot.
    """
    #: (table, start) → end of every slot the participation should have.
    ends = {}
    if participation.status == ParticipationStatus.ACCEPTED:
        ends = {
            (table, start): end
            for table in range(1, participation.tables + 1)
            for start, end in slot_times(participation)
        }
    slots = db.session.scalars(
        lock_for_update(
            select(Slot).where(Slot.participation_id == participation.id),
            db.session.get_bind().dialect.name,
            of=Slot,
        )
    ).all()
    booked = {
        interview.slot_id: interview
        for interview in db.session.scalars(
            select(Interview).where(
                Interview.slot_id.in_([slot.id for slot in slots]),
                Interview.status != InterviewStatus.CANCELLED,
            )
        )
    }
    stranded = []
    kept = set()
    for slot in slots:
        key = (slot.table_number, slot.starts_at)
        if slot.id in booked:
            slot.in_hours = ends.get(key) == slot.ends_at
            if not slot.in_hours:
                stranded.append(booked[slot.id])
            kept.add(key)
        elif key in ends:
            # Free: it takes the new length if the interview length changed.
            slot.ends_at = ends[key]
            slot.in_hours = True
            kept.add(key)
        elif _has_history(slot):
            slot.in_hours = False
            kept.add(key)
        else:
            db.session.delete(slot)
    db.session.flush()  # deletions first: a new slot may take a deleted one's start time
    for (table, start), end in sorted(ends.items()):
        if (table, start) not in kept:
            db.session.add(
                Slot(participation=participation, table_number=table, starts_at=start, ends_at=end)
            )
    db.session.flush()
    return stranded


def _has_history(slot: Slot) -> bool:
    """A slot with a cancelled or past interview is kept (the interview refers to it)."""
    return (
        db.session.scalar(select(Interview.id).where(Interview.slot_id == slot.id).limit(1))
        is not None
    )


def accept(participation: Participation, by: User) -> Participation:
    """Accept a participation request and make its slots (see employers.accept_participation)."""
    participation = employers.accept_participation(participation, by)
    regenerate(participation)
    return participation


def change_hours(
    participation: Participation, *, tables: int, starts_at: time, ends_at: time
) -> list[Interview]:
    """Change a participation's tables and interview hours, then regenerate its slots.

    Returns the interviews now out of hours (for staff to move or cancel); nothing booked is
    deleted. Raises DomainError bad_hours, bad_tables.
    """
    participation = employers.lock_participation(participation)
    employers.check_hours(participation.event, tables, starts_at, ends_at)
    participation.tables = tables
    participation.starts_at = starts_at
    participation.ends_at = ends_at
    db.session.flush()
    return regenerate(participation)


def list_stranded(event_id: int) -> list[Interview]:
    """Active interviews of the étape whose slot no longer fits its employer's hours."""
    return list(
        db.session.scalars(
            select(Interview)
            .join(Interview.slot)
            .join(Slot.participation)
            .where(
                Participation.event_id == event_id,
                Slot.in_hours.is_(False),
                Interview.status != InterviewStatus.CANCELLED,
            )
            .order_by(Interview.starts_at)
        )
    )


def change_event_settings(
    event: Event,
    *,
    interview_minutes: int,
    changeover_minutes: int,
    max_wishes: int,
    self_booking_open: bool,
    max_interviews: int | None = None,
) -> list[Interview]:
    """Set an étape's interview length, changeover, number of wishes, the most interviews
    the planning gives a candidate (unchanged when None) and self-booking;
    when the length or changeover changes, every accepted participation's slots are
    regenerated. Returns the interviews now out of hours (nothing booked is deleted).

    Raises DomainError bad_interview_minutes, bad_changeover, bad_max_wishes,
    bad_max_interviews.
    """
    for value, low, high, code, field, message in (
        (
            interview_minutes,
            5,
            120,
            "bad_interview_minutes",
            "interview_minutes",
            _("Un entretien dure entre 5 et 120 minutes."),
        ),
        (
            changeover_minutes,
            0,
            60,
            "bad_changeover",
            "changeover_minutes",
            _("Le battement entre deux entretiens est de 0 à 60 minutes."),
        ),
        (
            max_wishes,
            1,
            20,
            "bad_max_wishes",
            "max_wishes",
            _("Un candidat peut choisir de 1 à 20 employeurs."),
        ),
        (
            event.max_interviews if max_interviews is None else max_interviews,
            1,
            10,
            "bad_max_interviews",
            "max_interviews",
            _("Un candidat peut avoir de 1 à 10 entretiens au plus."),
        ),
    ):
        if not low <= value <= high:
            raise DomainError(message, code, field)
    event = db.session.scalar(
        lock_for_update(
            select(Event).where(Event.id == event.id).execution_options(populate_existing=True),
            db.session.get_bind().dialect.name,
            of=Event,
        )
    )
    grid_changes = (event.interview_minutes, event.changeover_minutes) != (
        interview_minutes,
        changeover_minutes,
    )
    event.interview_minutes = interview_minutes
    event.changeover_minutes = changeover_minutes
    event.max_wishes = max_wishes
    if max_interviews is not None:
        event.max_interviews = max_interviews
    event.self_booking_open = self_booking_open
    db.session.flush()
    if not grid_changes:
        return []
    stranded = []
    participations = db.session.scalars(
        select(Participation)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.ACCEPTED,
        )
        .order_by(Participation.id)
    ).unique()
    for participation in participations:
        stranded.extend(regenerate(employers.lock_participation(participation)))
    return stranded
