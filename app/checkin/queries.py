"""What the tablet and the boards show."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.candidates.models import Registration, RegistrationStatus
from app.checkin.models import CheckIn
from app.db import utcnow
from app.employers.models import Participation, ParticipationStatus
from app.events.models import PARIS, Event
from app.extensions import db
from app.interviews.models import Interview, InterviewStatus, Slot


@dataclass(frozen=True)
class DeskFigures:
    expected: int
    arrived: int

    @property
    def waiting(self) -> int:
        return max(self.expected - self.arrived, 0)


def desk_figures(event: Event) -> DeskFigures:
    expected = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    arrived = db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id))
    return DeskFigures(expected=expected, arrived=arrived)


def recent_check_ins(event: Event, limit: int = 8) -> list[CheckIn]:
    return list(
        db.session.scalars(
            select(CheckIn)
            .options(joinedload(CheckIn.registration), joinedload(CheckIn.device))
            .where(CheckIn.event_id == event.id)
            .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc())
            .limit(limit)
        )
    )


# --- The live board ---------------------------------------------------------------------------

#: Arrivals are counted by quarter of an hour.
BUCKET_MINUTES = 15


@dataclass(frozen=True)
class FreeTableNow:
    employer: str
    table: int
    starts_at: time


@dataclass(frozen=True)
class Board:
    now: datetime
    expected: int
    arrived: int
    #: (time label, arrived by then, expected by then), every quarter of the étape; arrived
    #: is None for a quarter not begun yet.
    timeline: list[tuple[str, int | None, int]]
    employers_expected: int
    employers_present: int
    interviews_planned: int
    interviews_held: int
    interviews_in_progress: int
    #: Interviews already started whose candidate has not arrived.
    interviews_missed: int
    no_shows: int
    free_now: list[FreeTableNow]


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def board(event: Event, now: datetime | None = None) -> Board:
    """The étape now, for coordinators and the hall's screen."""
    now = (now or utcnow()).astimezone(PARIS)
    today = now.date() == event.date
    minute_now = _minutes(now.time()) if today else (24 * 60 if now.date() > event.date else -1)
    confirmed = db.session.execute(
        select(Registration.id, Registration.no_show_at).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    arrivals = {
        registration_id: checked_in_at.astimezone(PARIS)
        for registration_id, checked_in_at in db.session.execute(
            select(CheckIn.registration_id, CheckIn.checked_in_at).where(
                CheckIn.event_id == event.id
            )
        )
    }
    interviews = db.session.execute(
        select(Interview.registration_id, Slot.starts_at, Slot.ends_at, Interview.status)
        .join(Interview.slot)
        .join(Registration, Registration.id == Interview.registration_id)
        .where(Registration.event_id == event.id, Interview.status != InterviewStatus.CANCELLED)
    ).all()
    first_interview: dict[int, int] = {}
    for registration_id, starts_at, _ends_at, _status in interviews:
        start = _minutes(starts_at)
        first_interview[registration_id] = min(first_interview.get(registration_id, start), start)
    # Expected: a quarter of an hour before the first interview, else at the opening.
    opening = _minutes(event.starts_at)
    expected_at = {
        registration_id: max(opening, first_interview.get(registration_id, opening) - 15)
        for registration_id, _no_show in confirmed
    }
    timeline = []
    for mark in range(opening, _minutes(event.ends_at) + 1, BUCKET_MINUTES):
        arrived_by = sum(
            1
            for at in arrivals.values()
            if at.date() < event.date or (at.date() == event.date and _minutes(at.time()) <= mark)
        )
        expected_by = sum(1 for at in expected_at.values() if at <= mark)
        begun = mark == opening or mark - BUCKET_MINUTES < minute_now
        timeline.append((_clock(mark), arrived_by if begun else None, expected_by))
    held = in_progress = missed = 0
    for registration_id, starts_at, ends_at, status in interviews:
        if status == InterviewStatus.HELD or (
            status == InterviewStatus.SCHEDULED
            and _minutes(ends_at) <= minute_now
            and registration_id in arrivals
        ):
            held += 1
        elif (
            status == InterviewStatus.SCHEDULED
            and _minutes(starts_at) <= minute_now < _minutes(ends_at)
            and registration_id in arrivals
        ):
            in_progress += 1
        elif status == InterviewStatus.NO_SHOW or (
            _minutes(starts_at) <= minute_now and registration_id not in arrivals
        ):
            missed += 1
    participations = db.session.execute(
        select(Participation.id, Participation.arrived_at).where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.ACCEPTED,
        )
    ).all()
    return Board(
        now=now,
        expected=len(confirmed),
        arrived=len(arrivals),
        timeline=timeline,
        employers_expected=len(participations),
        employers_present=sum(1 for _id, arrived in participations if arrived is not None),
        interviews_planned=len(interviews),
        interviews_held=held,
        interviews_in_progress=in_progress,
        interviews_missed=missed,
        no_shows=sum(1 for _id, no_show in confirmed if no_show is not None),
        free_now=free_tables_now(event, now) if today else [],
    )


def free_slots(event: Event, start: time, end: time, *, present_only: bool = False) -> list[Slot]:
    """Slots nobody booked at the étape's accepted employers (present ones only, if asked)
    starting from `start` until before `end`, by time and table."""
    taken = select(Interview.slot_id).where(Interview.status != InterviewStatus.CANCELLED)
    statement = (
        select(Slot)
        .join(Slot.participation)
        .where(
            Participation.event_id == event.id,
            Participation.status == ParticipationStatus.ACCEPTED,
            Slot.in_hours.is_(True),
            Slot.starts_at >= start,
            Slot.starts_at < end,
            Slot.id.not_in(taken),
        )
        .order_by(Slot.starts_at, Slot.table_number)
    )
    if present_only:
        statement = statement.where(Participation.arrived_at.is_not(None))
    return list(db.session.scalars(statement))


def free_tables_now(event: Event, now: datetime) -> list[FreeTableNow]:
    """Tables of employers present whose slot starting now (or within the next round) is
    free: where a walk-in can sit down at once."""
    now = now.astimezone(PARIS)
    # A slot that began up to 5 minutes ago can still be taken by someone at the door.
    start = (now - timedelta(minutes=5)).replace(tzinfo=None).time()
    round_minutes = event.interview_minutes + event.changeover_minutes
    soon = (now + timedelta(minutes=round_minutes)).replace(tzinfo=None).time()
    if soon < start:
        return []
    rows = free_slots(event, start, soon, present_only=True)
    seen = set()
    tables = []
    for slot in rows:
        key = (slot.participation_id, slot.table_number)
        if key in seen:
            continue
        seen.add(key)
        tables.append(
            FreeTableNow(
                employer=slot.participation.establishment.display_name,
                table=slot.table_label,
                starts_at=slot.starts_at,
            )
        )
    return sorted(tables, key=lambda t: (t.table, t.starts_at))
