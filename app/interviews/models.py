"""Interview slots, candidates' wishes, employers' reviews of profiles, and interviews."""

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.candidates.models import Registration
from app.db import TimestampMixin, enum_column
from app.employers.models import JobOffer, Participation
from app.extensions import db


class Slot(TimestampMixin, db.Model):
    """One table of one participation at one start time (local time of the étape)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participation.id"), index=True)
    #: 1 … participation.tables.
    table_number: Mapped[int]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    #: False when the participation's hours or tables changed and this booked slot no
    #: longer fits them: it stays (with its interview) until staff move or cancel it.
    in_hours: Mapped[bool] = mapped_column(default=True)

    participation: Mapped[Participation] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("participation_id", "table_number", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="hours_in_order"),
        CheckConstraint("table_number >= 1", name="table_positive"),
    )

    def __repr__(self) -> str:
        return f"<Slot {self.id} p={self.participation_id} t={self.table_number} {self.starts_at}>"

    @property
    def table_label(self) -> int:
        return self.participation.table_label(self.table_number)


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class InterviewSource(StrEnum):
    #: Booked by the candidate from "Mon inscription".
    SELF = "self"
    #: Booked by staff (a phone request).
    STAFF = "staff"
    #: Placed by the automatic scheduler.
    SCHEDULER = "scheduler"


ACTIVE = "status != 'cancelled'"


class Interview(TimestampMixin, db.Model):
    """A candidate in a slot. At most one active interview per slot, and per candidate and
    start time (partial unique indexes); closer clashes are refused by the booking service."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    #: Copied from the slot, so that the schema itself refuses two interviews of one
    #: candidate starting at the same time.
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    status: Mapped[InterviewStatus] = mapped_column(
        enum_column(InterviewStatus), default=InterviewStatus.SCHEDULED
    )
    source: Mapped[InterviewSource] = mapped_column(enum_column(InterviewSource))
    #: A second interview is planned (recorded by the employer after a held interview).
    concluant: Mapped[bool | None]
    #: The employer's note on the interview (seen by the employer and staff only).
    note: Mapped[str] = mapped_column(Text, default="")
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancelled_at: Mapped[datetime | None]
    outcome_recorded_at: Mapped[datetime | None]

    slot: Mapped[Slot] = relationship(lazy="joined")
    registration: Mapped[Registration] = relationship(lazy="joined")

    __table_args__ = (
        Index(
            "uq_interview_active_slot",
            "slot_id",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
        Index(
            "uq_interview_active_candidate_start",
            "registration_id",
            "starts_at",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
        CheckConstraint("ends_at > starts_at", name="hours_in_order"),
        CheckConstraint("concluant IS NULL OR status = 'held'", name="concluant_only_held"),
    )

    def __repr__(self) -> str:
        return f"<Interview {self.id} slot={self.slot_id} {self.status}>"

    @property
    def is_active(self) -> bool:
        return self.status != InterviewStatus.CANCELLED


class Wish(TimestampMixin, db.Model):
    """A candidate's ranked wish to meet an employer (or one of its job offers)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participation.id"), index=True)
    job_offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_offer.id", ondelete="SET NULL")
    )
    #: 1 is the first choice.
    rank: Mapped[int]

    registration: Mapped[Registration] = relationship()
    participation: Mapped[Participation] = relationship(lazy="joined")
    job_offer: Mapped[JobOffer | None] = relationship()

    __table_args__ = (
        UniqueConstraint("registration_id", "participation_id"),
        UniqueConstraint("registration_id", "rank"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    def __repr__(self) -> str:
        return f"<Wish {self.registration_id}→{self.participation_id} #{self.rank}>"


class Verdict(StrEnum):
    #: "Je souhaite rencontrer".
    SHORTLISTED = "shortlisted"
    #: "Pas ce profil": the candidate can no longer book this employer.
    DECLINED = "declined"


class ProfileReview(TimestampMixin, db.Model):
    """An employer's view of a candidate who shares their profile with the étape."""

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    __table_args__ = (UniqueConstraint("participation_id", "registration_id"),)

    def __repr__(self) -> str:
        return f"<ProfileReview p={self.participation_id} r={self.registration_id} {self.verdict}>"


class ProfileAccess(db.Model):
    """Log of an employer user opening a candidate's profile (RGPD: access is traced)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    what: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<ProfileAccess user={self.user_id} r={self.registration_id} {self.what}>"


class ScheduleRunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    PUBLISHED = "published"


class ScheduleRun(TimestampMixin, db.Model):
    """One run of the automatic scheduler for an étape: its progress, then its proposed
    schedule (the solution JSON of spec/scheduling.md, with the baseline's figures), until
    staff publish it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    status: Mapped[ScheduleRunStatus] = mapped_column(enum_column(ScheduleRunStatus))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: 0 to 1, and what the solver is doing.
    progress: Mapped[float] = mapped_column(default=0.0)
    progress_message: Mapped[str] = mapped_column(String(120), default="")
    solution: Mapped[dict | None] = mapped_column(JSON)
    #: Proposed interviews staff keep for the next run: [[registration id, participation id,
    #: table, "HH:MM"], …]; and pairs they removed, never proposed again: [[registration id,
    #: participation id], …]. Carried over from one run of the étape to the next.
    pins: Mapped[list] = mapped_column(JSON, default=list)
    removals: Mapped[list] = mapped_column(JSON, default=list)
    error_message: Mapped[str] = mapped_column(Text, default="")
    #: The interview that stopped the run (left out of hours…), when there is one.
    error_interview_id: Mapped[int | None]
    published_at: Mapped[datetime | None]

    __table_args__ = (CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),)

    def __repr__(self) -> str:
        return f"<ScheduleRun {self.id} event={self.event_id} {self.status}>"
