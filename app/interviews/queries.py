"""Reads of slots, interviews and participations shared by several pages."""

from dataclasses import dataclass, field
from datetime import time

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.candidates.models import Registration, RegistrationStatus
from app.candidates.queries import search_registrations
from app.employers.models import Participation, ParticipationStatus
from app.events.models import Event
from app.extensions import db
from app.interviews.models import Interview, InterviewStatus, Slot, Wish
from app.interviews.services import booking

# Staff tools

#: Order of the staff list of participations: requests to decide first.
_STATUS_ORDER = {
    ParticipationStatus.REQUESTED: 0,
    ParticipationStatus.ACCEPTED: 1,
    ParticipationStatus.REFUSED: 2,
    ParticipationStatus.WITHDRAWN: 3,
}
#: Registrations shown for one search of the booking page.
SEARCH_RESULTS = 20


def load_event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def load_participation_or_404(event: Event, participation_id: int) -> Participation:
    """The participation, if it is one of this étape's (else 404)."""
    participation = db.get_or_404(Participation, participation_id)
    if participation.event_id != event.id:
        abort(404)
    return participation


def load_slot_or_404(event: Event, slot_id: int | None) -> Slot:
    """The slot, if it is one of this étape's (else 404)."""
    slot = db.session.get(Slot, slot_id) if slot_id else None
    if slot is None or slot.participation.event_id != event.id:
        abort(404)
    return slot


def load_interview_or_404(event: Event, interview_id: int) -> Interview:
    """The interview, if it is at this étape (else 404)."""
    interview = db.get_or_404(Interview, interview_id)
    if interview.slot.participation.event_id != event.id:
        abort(404)
    return interview


def load_registration_of_event_or_404(event: Event, registration_id: int | None) -> Registration:
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@dataclass
class ParticipationLoad:
    """A participation with its slots in hours and its active interviews."""

    participation: Participation
    slots: int
    booked: int

    @property
    def percent(self) -> int | None:
        """Booked interviews as a share of the slots, in per cent (None without slots)."""
        return round(100 * self.booked / self.slots) if self.slots else None


def list_participation_loads(event_id: int) -> list[ParticipationLoad]:
    """Every participation of the étape, requests first, then accepted, refused, withdrawn;
    by establishment name within each status."""
    participations = db.session.scalars(
        select(Participation)
        .where(Participation.event_id == event_id)
        .options(selectinload(Participation.offers))
    ).all()
    slot_counts = dict(
        db.session.execute(
            select(Slot.participation_id, func.count(Slot.id))
            .join(Slot.participation)
            .where(Participation.event_id == event_id, Slot.in_hours.is_(True))
            .group_by(Slot.participation_id)
        ).all()
    )
    booked_counts = dict(
        db.session.execute(
            select(Slot.participation_id, func.count(Interview.id))
            .join(Interview.slot)
            .join(Slot.participation)
            .where(
                Participation.event_id == event_id,
                Interview.status != InterviewStatus.CANCELLED,
            )
            .group_by(Slot.participation_id)
        ).all()
    )
    loads = [
        ParticipationLoad(p, slot_counts.get(p.id, 0), booked_counts.get(p.id, 0))
        for p in participations
    ]
    return sorted(
        loads,
        key=lambda load: (
            _STATUS_ORDER[load.participation.status],
            load.participation.establishment.display_name.lower(),
        ),
    )


def list_accepted_participations(event_id: int) -> list[Participation]:
    """The étape's accepted participations, in the order of their tables."""
    return list(
        db.session.scalars(
            select(Participation)
            .where(
                Participation.event_id == event_id,
                Participation.status == ParticipationStatus.ACCEPTED,
            )
            .order_by(Participation.first_table, Participation.id)
        )
    )


@dataclass
class GridColumn:
    """One table of one participation."""

    participation: Participation
    table_number: int

    @property
    def label(self) -> int:
        return self.participation.table_label(self.table_number)


@dataclass
class GridCell:
    slot: Slot
    interview: Interview | None = None

    @property
    def is_free(self) -> bool:
        return self.interview is None and self.slot.in_hours


@dataclass
class Grid:
    """Every table of the étape (columns) and start time (rows); a missing cell is out of
    the employer's hours."""

    #: (participation, its columns), in the order of the floor plan.
    groups: list[tuple[Participation, list[GridColumn]]] = field(default_factory=list)
    times: list[time] = field(default_factory=list)
    cells: dict[tuple[int, int, time], GridCell] = field(default_factory=dict)

    @property
    def columns(self) -> list[GridColumn]:
        return [column for _, columns in self.groups for column in columns]

    def cell(self, column: GridColumn, start: time) -> GridCell | None:
        return self.cells.get((column.participation.id, column.table_number, start))


def get_grid(event_id: int) -> Grid:
    """The étape's grid: accepted participations' slots, and any slot (even of a
    participation no longer accepted, or out of hours) that holds an active interview."""
    interviews = {
        interview.slot_id: interview
        for interview in db.session.scalars(
            select(Interview)
            .join(Interview.slot)
            .join(Slot.participation)
            .where(
                Participation.event_id == event_id,
                Interview.status != InterviewStatus.CANCELLED,
            )
        )
    }
    slots = db.session.scalars(
        select(Slot)
        .join(Slot.participation)
        .where(Participation.event_id == event_id)
        .order_by(Participation.first_table, Participation.id, Slot.table_number, Slot.starts_at)
    ).all()
    grid = Grid()
    tables: dict[int, set[int]] = {}
    participations: dict[int, Participation] = {}
    for slot in slots:
        interview = interviews.get(slot.id)
        accepted = slot.participation.status == ParticipationStatus.ACCEPTED
        if interview is None and not (accepted and slot.in_hours):
            continue
        participations[slot.participation_id] = slot.participation
        tables.setdefault(slot.participation_id, set()).add(slot.table_number)
        grid.cells[(slot.participation_id, slot.table_number, slot.starts_at)] = GridCell(
            slot, interview
        )
    for participation in list_accepted_participations(event_id):
        participations.setdefault(participation.id, participation)
        tables.setdefault(participation.id, set()).update(range(1, participation.tables + 1))
    ordered = sorted(participations.values(), key=lambda p: (p.first_table, p.id))
    grid.groups = [(p, [GridColumn(p, number) for number in sorted(tables[p.id])]) for p in ordered]
    grid.times = sorted({start for (_, _, start) in grid.cells})
    return grid


@dataclass
class SchedulePreview:
    """A proposed schedule in people's names: each candidate's and each employer's day."""

    #: (registration, [(start "HH:MM", table label, participation)…]) by name.
    candidates: list[tuple[Registration, list[tuple[str, int, Participation]]]]
    #: (participation, [(start, table label, registration)…], capacity) by name.
    employers: list[tuple[Participation, list[tuple[str, int, Registration]], int]]
    #: Candidates with wishes and no interview.
    without: list[Registration]


def get_schedule_preview(event: Event, solution: dict) -> SchedulePreview:
    registrations = {
        f"R{r.id}": r
        for r in db.session.scalars(
            select(Registration).where(Registration.event_id == event.id)
        ).unique()
    }
    participations = {f"P{p.id}": p for p in list_accepted_participations(event.id)}
    by_candidate = {key: [] for key in registrations}
    by_employer = {key: [] for key in participations}
    for item in solution["interviews"]:
        registration = registrations.get(item["candidate"])
        participation = participations.get(item["employer"])
        if registration is None or participation is None:
            continue  # changed since the run; publishing will say so
        table = participation.table_label(item["table"])
        by_candidate[item["candidate"]].append((item["slot"], table, participation))
        by_employer[item["employer"]].append((item["slot"], table, registration))
    wished = set(
        db.session.scalars(
            select(Wish.registration_id)
            .join(Wish.registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )
    capacity = dict(
        db.session.execute(
            select(Slot.participation_id, func.count(Slot.id))
            .join(Slot.participation)
            .where(Participation.event_id == event.id, Slot.in_hours.is_(True))
            .group_by(Slot.participation_id)
        ).all()
    )
    return SchedulePreview(
        candidates=sorted(
            ((registrations[key], sorted(day)) for key, day in by_candidate.items() if day),
            key=lambda item: (item[0].candidate.last_name, item[0].candidate.first_name),
        ),
        employers=sorted(
            (
                (p, sorted(by_employer[key], key=lambda i: (i[0], i[1])), capacity.get(p.id, 0))
                for key, p in participations.items()
            ),
            key=lambda item: item[0].establishment.display_name,
        ),
        without=sorted(
            (r for key, r in registrations.items() if r.id in wished and not by_candidate.get(key)),
            key=lambda r: (r.candidate.last_name, r.candidate.first_name),
        ),
    )


def search_confirmed_registrations(event_id: int, text: str) -> list[Registration]:
    """Confirmed registrations of the étape matching a name, email, phone or ticket code."""
    statement = search_registrations(
        text, event_id=event_id, status=RegistrationStatus.CONFIRMED
    ).limit(SEARCH_RESULTS)
    return list(db.session.scalars(statement).unique())


def list_bookable_slots(
    event: Event, registration_id: int, *, instead_of: Interview | None = None
) -> list[tuple[Participation, list[Slot]]]:
    """The free slots the registration could take, grouped by employer: not an employer
    they already meet or who declined them, no clash with their other interviews.
    `instead_of` is an interview being moved: it counts as gone."""
    mine = [
        interview
        for interview in booking.active_interviews_of(registration_id)
        if instead_of is None or interview.id != instead_of.id
    ]
    met = {interview.slot.participation_id for interview in mine}
    groups = []
    for participation in list_accepted_participations(event.id):
        if participation.id in met or booking.is_declined(participation.id, registration_id):
            continue
        slots = [
            slot
            for slot in booking.free_slots(participation)
            if not booking.clashes(slot, mine, event.changeover_minutes)
        ]
        if slots:
            groups.append((participation, slots))
    return groups


# Candidate pages


def list_employers_at(event: Event) -> list[Participation]:
    """The étape's accepted employers by name, with their job offers loaded (the
    establishment and its company, with the Charte emploi senior flag, come joined)."""
    participations = db.session.scalars(
        select(Participation)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.ACCEPTED,
        )
        .options(selectinload(Participation.offers))
    ).all()
    return sorted(participations, key=lambda p: (p.establishment.display_name.lower(), p.id))


def get_employer_at(event: Event, participation_id: int) -> Participation | None:
    """One accepted employer of the étape, or None (another étape's, or not accepted)."""
    return db.session.scalar(
        select(Participation).where(
            Participation.id == participation_id,
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.ACCEPTED,
        )
    )


def list_interviews_of(registration: Registration) -> list[Interview]:
    """The registration's interviews that are not cancelled, in time order."""
    return list(
        db.session.scalars(
            select(Interview)
            .where(
                Interview.registration_id == registration.id,
                Interview.status != InterviewStatus.CANCELLED,
            )
            .order_by(Interview.starts_at, Interview.id)
        ).unique()
    )


def get_interview_of(registration: Registration, interview_id: int) -> Interview | None:
    """One of the registration's own interviews (any status), or None."""
    return db.session.scalar(
        select(Interview).where(
            Interview.id == interview_id, Interview.registration_id == registration.id
        )
    )


# Employer portal ------------------------------------------------------------------------


def list_booked_interviews(participation: Participation) -> list[Interview]:
    """The participation's active interviews, by time then table."""
    return list(
        db.session.scalars(
            select(Interview)
            .join(Interview.slot)
            .where(
                Slot.participation_id == participation.id,
                Interview.status != InterviewStatus.CANCELLED,
            )
            .order_by(Interview.starts_at, Slot.table_number)
        )
    )
