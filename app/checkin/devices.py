"""Pairing tablets for an étape's check-in.

An admin adds a tablet: it gets a name ("Tablette 2") and a one-time pairing link, shown as
a QR code. Opening the link on the tablet and confirming pairs it: the tablet keeps a secret
in a cookie, limited to that étape and refused after the end of its day, or once revoked.
Only hashes of the secrets are stored.

DomainError codes: pairing_invalid, pairing_used, pairing_expired, device_revoked.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from app.auth.models import User
from app.checkin.models import CheckInDevice, device_usable
from app.db import DriverStatement, lock_for_update, utcnow
from app.errors import DomainError
from app.events.models import Event, local_datetime
from app.extensions import db

#: How long a pairing link may wait to be opened on the tablet.
PAIRING_VALIDITY = timedelta(hours=2)
COOKIE_NAME = "jdt_tablette"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def end_of_day(event: Event) -> datetime:
    """Midnight after the étape's day (Paris time)."""
    return local_datetime(event.date + timedelta(days=1), time(0))


def add_device(event: Event, *, by: User | None = None) -> tuple[CheckInDevice, str]:
    """A new tablet for `event`, named "Tablette N"; returns it and its pairing secret."""
    number = (
        db.session.scalar(
            select(func.count(CheckInDevice.id)).where(CheckInDevice.event_id == event.id)
        )
        + 1
    )
    secret = secrets.token_urlsafe(24)
    now = utcnow()
    device = CheckInDevice(
        event_id=event.id,
        name=_("Tablette %(number)d", number=number),
        pairing_hash=_digest(secret),
        pairing_expires_at=min(now + PAIRING_VALIDITY, end_of_day(event)),
        expires_at=end_of_day(event),
        created_by_id=by.id if by else None,
    )
    db.session.add(device)
    db.session.flush()
    return device, secret


def pending_device(secret: str) -> CheckInDevice:
    """The tablet a pairing link is for, while the link can still be used.

    Raises DomainError pairing_invalid, pairing_used, pairing_expired, device_revoked."""
    device = None
    if isinstance(secret, str) and 20 <= len(secret) <= 64 and secret.isascii():
        device = db.session.scalar(
            select(CheckInDevice).where(CheckInDevice.pairing_hash == _digest(secret))
        )
    if device is None:
        raise DomainError(
            _("Ce lien d'appairage n'existe pas. Demandez un nouveau code à un administrateur."),
            "pairing_invalid",
        )
    if device.revoked_at is not None:
        raise DomainError(
            _("Cette tablette a été retirée par un administrateur."), "device_revoked"
        )
    if device.paired_at is not None:
        raise DomainError(
            _("Ce lien a déjà servi. Demandez un nouveau code à un administrateur."),
            "pairing_used",
        )
    if utcnow() >= device.pairing_expires_at:
        raise DomainError(
            _("Ce lien d'appairage a expiré. Demandez un nouveau code à un administrateur."),
            "pairing_expired",
        )
    return device


def pair(secret: str) -> tuple[CheckInDevice, str]:
    """Pair the tablet: the link is used up; returns the device and its cookie secret."""
    device = pending_device(secret)
    device = db.session.scalar(
        lock_for_update(
            select(CheckInDevice)
            .where(CheckInDevice.id == device.id)
            .execution_options(populate_existing=True),
            db.session.get_bind().dialect.name,
            of=CheckInDevice,
        )
    )
    if device.paired_at is not None:  # paired by another request meanwhile
        raise DomainError(
            _("Ce lien a déjà servi. Demandez un nouveau code à un administrateur."),
            "pairing_used",
        )
    token = secrets.token_urlsafe(32)
    device.token_hash = _digest(token)
    device.paired_at = utcnow()
    db.session.flush()
    return device, token


@dataclass(frozen=True)
class PairedDevice:
    """The tablet making a request: what its requests need of its row."""

    id: int
    event_id: int
    name: str


#: Read at every request of a tablet: a statement run past the ORM (see DriverStatement).
_DEVICE_OF_TOKEN = DriverStatement(
    lambda dialect: select(
        CheckInDevice.id,
        CheckInDevice.event_id,
        CheckInDevice.name,
        CheckInDevice.paired_at,
        CheckInDevice.expires_at,
        CheckInDevice.revoked_at,
    ).where(CheckInDevice.token_hash == bindparam("token_hash"))
)


def device_for_token(token: str | None) -> PairedDevice | None:
    """The paired, unrevoked, unexpired tablet holding this cookie secret, or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64 or not token.isascii():
        return None
    rows = _DEVICE_OF_TOKEN.rows(db.session.connection(), token_hash=_digest(token))
    if not rows:
        return None
    device_id, event_id, name, paired_at, expires_at, revoked_at = rows[0]
    if not device_usable(paired_at, revoked_at, expires_at):
        return None
    return PairedDevice(device_id, event_id, name)


def revoke(device: CheckInDevice) -> None:
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    db.session.flush()


def devices_of(event: Event) -> list[CheckInDevice]:
    return list(
        db.session.scalars(
            select(CheckInDevice)
            .where(CheckInDevice.event_id == event.id)
            .order_by(CheckInDevice.id)
        )
    )
