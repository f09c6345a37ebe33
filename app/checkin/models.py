"""Paired tablets, check-ins and their audit trail."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.candidates.models import Registration
from app.db import TimestampMixin, enum_column, utcnow
from app.events.models import Event
from app.extensions import db


class CheckInDevice(TimestampMixin, db.Model):
    """A tablet paired for one étape's check-in ("Tablette 2"), until the end of its day.

    Created with a one-time pairing secret (shown as a QR code to the tablet); pairing sets
    the device's own secret in a cookie. Only hashes of both are stored.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    pairing_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The pairing link works once, until this time.
    pairing_expires_at: Mapped[datetime]
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[datetime | None]
    #: End of the étape's day: the device is refused after it.
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    #: Loaded when used: a tablet's every request reads its device row alone.
    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<CheckInDevice {self.id} {self.name!r} event={self.event_id}>"

    def usable(self, now: datetime | None = None) -> bool:
        return device_usable(self.paired_at, self.revoked_at, self.expires_at, now)


def device_usable(
    paired_at: datetime | None,
    revoked_at: datetime | None,
    expires_at: datetime,
    now: datetime | None = None,
) -> bool:
    """A tablet may check people in once paired, until revoked or the end of its day."""
    return paired_at is not None and revoked_at is None and (now or utcnow()) < expires_at


class CheckInMethod(StrEnum):
    #: The tablet's camera read the ticket's QR code.
    CAMERA = "camera"
    #: A handheld scanner (or the code typed in the same field).
    SCANNER = "scanner"
    #: Found by name, phone or code in the search, then confirmed.
    SEARCH = "search"
    #: Registered at the door and let in at once.
    WALK_IN = "walk_in"
    #: From the back-office.
    BACK_OFFICE = "back_office"


class CheckIn(db.Model):
    """A registration let in at its étape: at most one per registration (unique)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    method: Mapped[CheckInMethod] = mapped_column(enum_column(CheckInMethod))
    #: When the server recorded it.
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the tablet scanned it (earlier than `checked_in_at` for a scan made offline).
    scanned_at: Mapped[datetime]
    device_id: Mapped[int | None] = mapped_column(ForeignKey("check_in_device.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    #: Loaded when used (lists ask for them with `joinedload`): the check-in itself reads
    #: this row alone, under the registration's lock.
    registration: Mapped[Registration] = relationship()
    device: Mapped[CheckInDevice | None] = relationship()

    def __repr__(self) -> str:
        return f"<CheckIn {self.id} registration={self.registration_id}>"


class CheckInAttempt(db.Model):
    """Every check-in attempt and undo, answered or refused: the audit trail. The client's
    nonce is unique, so a retried or replayed request is answered from here, once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: What was scanned or typed, cut to 40 characters.
    code: Mapped[str] = mapped_column(String(40), default="")
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    #: "checked_in", "already_checked_in", "undone", or the refusal's error code.
    result: Mapped[str] = mapped_column(String(40))
    method: Mapped[CheckInMethod] = mapped_column(enum_column(CheckInMethod))
    #: Sent from the tablet's offline queue, after the network came back.
    offline: Mapped[bool] = mapped_column(default=False)
    scanned_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("check_in_device.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    registration: Mapped[Registration | None] = relationship()
    device: Mapped[CheckInDevice | None] = relationship()

    __table_args__ = (Index("ix_check_in_attempt_event_created", "event_id", "created_at"),)

    def __repr__(self) -> str:
        return f"<CheckInAttempt {self.id} {self.result}>"
