"""Tour, venues and étapes."""

from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, enum_column, utcnow
from app.extensions import db


class Tour(TimestampMixin, db.Model):
    """One yearly campaign of étapes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int]
    #: Candidates younger than this (by year of birth) are refused.
    min_age: Mapped[int] = mapped_column(default=50)
    description: Mapped[str] = mapped_column(Text, default="")

    events: Mapped[list["Event"]] = relationship(
        back_populates="tour", order_by="(Event.date, Event.starts_at)"
    )

    __table_args__ = (CheckConstraint("min_age BETWEEN 16 AND 99", name="min_age_range"),)

    def __repr__(self) -> str:
        return f"<Tour {self.slug}>"


class Venue(TimestampMixin, db.Model):
    """A place where an étape is held."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(5))
    town: Mapped[str] = mapped_column(String(80))
    #: How to get there by public transport (metro, tram, bus lines and stops).
    transport: Mapped[str] = mapped_column(Text, default="")
    #: Step-free access, parking, lifts, hearing loop…
    accessibility: Mapped[str] = mapped_column(Text, default="")

    events: Mapped[list["Event"]] = relationship(back_populates="venue")

    def __repr__(self) -> str:
        return f"<Venue {self.name} ({self.town})>"

    @property
    def full_address(self) -> str:
        return f"{self.address}, {self.postcode} {self.town}"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Event(TimestampMixin, db.Model):
    """An étape: one day at one venue, with a candidate capacity."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tour.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    date: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    capacity: Mapped[int]
    #: Confirmed registrations; kept by the registration services with guarded updates,
    #: and bounded by the check constraint below, so it can never pass the capacity.
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_opens_on: Mapped[date]
    registration_closes_on: Mapped[date]
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus),
        default=EventStatus.DRAFT,
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Length of one interview and the changeover between two, in minutes.
    interview_minutes: Mapped[int] = mapped_column(default=15)
    changeover_minutes: Mapped[int] = mapped_column(default=5)
    #: How many employers (or offers) a candidate may rank.
    max_wishes: Mapped[int] = mapped_column(default=5)
    #: The most interviews the automatic planning gives one candidate.
    max_interviews: Mapped[int] = mapped_column(default=3, server_default="3")
    #: While true, confirmed candidates book free slots themselves from "Mon inscription".
    self_booking_open: Mapped[bool] = mapped_column(default=False)
    reminder_sent_at: Mapped[datetime | None]
    #: When staff closed the day (remaining registrations marked no-show, summary sent).
    day_closed_at: Mapped[datetime | None]

    tour: Mapped[Tour] = relationship(back_populates="events")
    venue: Mapped[Venue] = relationship(back_populates="events", lazy="joined")

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        CheckConstraint("ends_at > starts_at", name="hours_in_order"),
        CheckConstraint(
            "registration_closes_on >= registration_opens_on", name="registration_dates_in_order"
        ),
        CheckConstraint("interview_minutes BETWEEN 5 AND 120", name="interview_minutes_range"),
        CheckConstraint("changeover_minutes BETWEEN 0 AND 60", name="changeover_minutes_range"),
        CheckConstraint("max_wishes BETWEEN 1 AND 20", name="max_wishes_range"),
        CheckConstraint("max_interviews BETWEEN 1 AND 10", name="max_interviews_range"),
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.venue.town if self.venue else ''} {self.date}>"

    @property
    def title(self) -> str:
        return self.venue.town

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_taken >= self.capacity

    @property
    def starts(self) -> datetime:
        return local_datetime(self.date, self.starts_at)

    @property
    def ends(self) -> datetime:
        return local_datetime(self.date, self.ends_at)

    def is_public(self) -> bool:
        return self.status != EventStatus.DRAFT

    def registration_is_open(self, today: date) -> bool:
        return (
            self.status == EventStatus.PUBLISHED
            and self.registration_opens_on <= today <= self.registration_closes_on
            and today <= self.date
        )


PARIS = ZoneInfo("Europe/Paris")


def local_datetime(day: date, at: time) -> datetime:
    """An étape's local (Paris) wall-clock time as an aware datetime."""
    return datetime.combine(day, at, tzinfo=PARIS)


def today_in_paris() -> date:
    return utcnow().astimezone(PARIS).date()
