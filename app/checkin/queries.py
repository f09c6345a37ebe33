"""What the tablet and the boards show."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.candidates.models import Registration, RegistrationStatus
from app.checkin.models import CheckIn
from app.events.models import Event
from app.extensions import db


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
            .where(CheckIn.event_id == event.id)
            .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc())
            .limit(limit)
        )
    )
