"""Reads of registrations shared by several pages."""

import re
from datetime import date

from sqlalchemy import Select, String, and_, event, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.functions import FunctionElement

from app.candidates.models import Candidate, Registration, RegistrationSource, RegistrationStatus
from app.candidates.tickets import is_manage_token, normalise_ticket_code
from app.events.models import Event, EventStatus, Tour, Venue
from app.extensions import db


def get_registration_by_token(token: str) -> Registration | None:
    """The registration of a "Mon inscription" link, unless the token is malformed or the
    person's data was erased (the link then stops working)."""
    if not is_manage_token(token):
        return None
    registration = db.session.scalar(select(Registration).where(Registration.manage_token == token))
    if registration is None or registration.candidate.anonymised_at is not None:
        return None
    return registration


def load_registration_or_404(registration_id: int) -> Registration:
    return db.get_or_404(Registration, registration_id)


def count_by_status(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """{event_id: {"confirmed": n, "waitlisted": n, "cancelled": n}}."""
    counts = {event_id: {s.value: 0 for s in RegistrationStatus} for event_id in event_ids}
    rows = db.session.execute(
        select(Registration.event_id, Registration.status, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, number in rows:
        counts[event_id][status.value] = number
    return counts


def list_move_targets(registration: Registration, today) -> list[Event]:
    """Other étapes of the same tour where the person could go instead."""
    events = db.session.scalars(
        select(Event)
        .where(Event.tour_id == registration.event.tour_id, Event.id != registration.event_id)
        .order_by(Event.date)
    )
    return [event for event in events if event.registration_is_open(today)]


#: Letters folded away when searching and sorting names, so that "lefevre" finds
#: "Lefèvre" and "ELODIE" finds "Élodie" on both databases.
_FOLDED_LETTERS = {
    **dict.fromkeys("àáâãäå", "a"),
    "ç": "c",
    **dict.fromkeys("èéêë", "e"),
    **dict.fromkeys("ìíîï", "i"),
    "ñ": "n",
    **dict.fromkeys("òóôõöø", "o"),
    **dict.fromkeys("ùúûü", "u"),
    **dict.fromkeys("ýÿ", "y"),
    "’": "'",
}
_LIGATURES = {"œ": "oe", "æ": "ae"}
_FOLD_TABLE = str.maketrans({**_FOLDED_LETTERS, **_LIGATURES})
_PHONE_LIKE = re.compile(r"^[\d\s.\-()+/]+$")
#: Registrations per page of the back-office list.
REGISTRATIONS_PER_PAGE = 50


def fold(text: str | None) -> str | None:
    """Lower-case a text and drop its accents: what `folded` does in SQL."""
    return text.lower().translate(_FOLD_TABLE) if text is not None else None


class folded(FunctionElement):
    """SQL for `fold(column)`: translate() on PostgreSQL; on SQLite, whose lower() ignores
    non-ASCII letters, the Python `fold` registered on each connection."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _compile_folded(element, compiler, **kw):
    return compiler.process(func.lower(*element.clauses.clauses, type_=String), **kw)


@compiles(folded, "postgresql")
def _compile_folded_postgresql(element, compiler, **kw):
    expression = func.translate(
        func.lower(*element.clauses.clauses, type_=String),
        "".join(_FOLDED_LETTERS),
        "".join(_FOLDED_LETTERS.values()),
        type_=String,
    )
    for ligature, letters in _LIGATURES.items():
        expression = func.replace(expression, ligature, letters, type_=String)
    return compiler.process(expression, **kw)


@compiles(folded, "sqlite")
def _compile_folded_sqlite(element, compiler, **kw):
    return f"jdt_fold({compiler.process(element.clauses, **kw)})"


@event.listens_for(Engine, "connect")
def _register_sqlite_fold(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ == "sqlite3":
        dbapi_connection.create_function("jdt_fold", 1, fold, deterministic=True)


def _phone_digits(text: str) -> str | None:
    """The national digits of a (possibly partial) French phone number typed in any form:
    "06 12 34", "+33 6 12", "0033612…" all give "612…"; None when it is not a number."""
    if not _PHONE_LIKE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+") and digits.startswith("33"):
        digits = digits[2:]
    elif digits.startswith("0033"):
        digits = digits[4:]
    elif digits.startswith("0"):
        digits = digits[1:]
    return digits if len(digits) >= 4 else None


def search_registrations(
    text: str = "",
    *,
    event_id: int | None = None,
    status: RegistrationStatus | None = None,
    source: RegistrationSource | None = None,
) -> Select:
    """Registrations matching a search and filters, sorted; paginate or list the result.

    `text` finds a person by name or email (every word must match; case and accents do
    not matter), by phone number in any usual form (also partial: "06 12 34"), or by
    ticket code with or without its dash. The waiting list comes in its order; anything
    else alphabetically by last name, first name, then by date of the étape.
    """
    statement = (
        select(Registration)
        .join(Registration.candidate)
        .join(Registration.event)
        .join(Event.venue)
        .options(
            contains_eager(Registration.candidate),
            contains_eager(Registration.event).contains_eager(Event.venue),
        )
    )
    if event_id is not None:
        statement = statement.where(Registration.event_id == event_id)
    if status is not None:
        statement = statement.where(Registration.status == status)
    if source is not None:
        statement = statement.where(Registration.source == source)

    text = " ".join(text.split())[:100] if text else ""
    if text:
        haystack = folded(
            func.coalesce(Candidate.first_name, "")
            + " "
            + func.coalesce(Candidate.last_name, "")
            + " "
            + func.coalesce(Candidate.email, "")
        )
        matches = [and_(*(haystack.contains(fold(word), autoescape=True) for word in text.split()))]
        digits = _phone_digits(text)
        if digits:
            matches.append(Candidate.phone.contains(digits, autoescape=True))
        code = normalise_ticket_code(text)
        if code:
            matches.append(Registration.ticket_code == code)
        statement = statement.where(or_(*matches))

    if status == RegistrationStatus.WAITLISTED:
        return statement.order_by(Event.date, Registration.waitlisted_at, Registration.id)
    return statement.order_by(
        folded(Candidate.last_name), folded(Candidate.first_name), Event.date, Registration.id
    )


def waitlist_positions(event_ids) -> dict[int, int]:
    """{registration_id: position} of everyone waitlisted at these étapes (1 = next in)."""
    event_ids = list(set(event_ids))
    if not event_ids:
        return {}
    position = (
        func.row_number()
        .over(
            partition_by=Registration.event_id,
            order_by=(Registration.waitlisted_at, Registration.id),
        )
        .label("position")
    )
    rows = db.session.execute(
        select(Registration.id, position).where(
            Registration.event_id.in_(event_ids),
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    )
    return dict(rows.all())


def list_events_for_filter() -> list[Event]:
    """Every étape, most recent tour first, for the back-office filters."""
    return list(
        db.session.scalars(
            select(Event)
            .join(Event.tour)
            .order_by(Tour.year.desc(), Tour.id.desc(), Event.date, Event.starts_at)
        )
    )


def list_events_open_to_staff(today: date) -> list[Event]:
    """Étapes where staff may register someone on their behalf: published, not past
    (the rule of `services.register` for sources other than online)."""
    return list(
        db.session.scalars(
            select(Event)
            .join(Event.venue)
            .where(Event.status == EventStatus.PUBLISHED, Event.date >= today)
            .order_by(Event.date, Event.starts_at, Venue.town)
        )
    )


def list_staff_move_targets(registration: Registration, today: date) -> list[Event]:
    """Other étapes of the same tour where staff may move a registration (the rule of
    `services.move(..., staff=True)`)."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.tour_id == registration.event.tour_id,
                Event.id != registration.event_id,
                Event.status == EventStatus.PUBLISHED,
                Event.date >= today,
            )
            .order_by(Event.date, Event.starts_at)
        )
    )
