"""Check-in at the door: one service for the tablet page, the API and the back-office.

`check_in` is atomic: it locks the registration row, lets a registration in once (the
unique `CheckIn.registration_id` backs the lock), and is idempotent through the client's
nonce: a retried or replayed request (the offline queue sent twice) gets the first answer
and writes nothing. Every attempt is kept in `CheckInAttempt` with its device, user and scan
time; refusals are recorded by `record_refusal` after the caller rolled back.

CheckInError codes: invalid_code, unknown_code, other_event, cancelled, waitlisted,
invalid_nonce, not_checked_in, undo_too_late.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import (
    and_,
    bindparam,
    case,
    column,
    delete,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.candidates.models import (
    SEARCH_KEY_TRIGRAMS,
    Candidate,
    Registration,
    RegistrationStatus,
    name_key,
)
from app.candidates.tickets import TICKET_ALPHABET, normalise_ticket_code
from app.checkin.devices import PairedDevice
from app.checkin.models import CheckIn, CheckInAttempt, CheckInDevice, CheckInMethod
from app.db import DriverStatement, lock_for_update, together, utcnow
from app.employers.models import Company, Establishment, Participation
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.formatting import hour, long_date
from app.interviews.models import Interview, InterviewStatus, Slot

#: How long after a check-in the tablet may undo it.
UNDO_WINDOW = timedelta(minutes=1)
#: A scan time sent by a tablet may be this far in the future (clocks drift) or past.
SCAN_CLOCK_SKEW = timedelta(minutes=5)
SCAN_MAX_AGE = timedelta(days=1)

_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")

CHECKED_IN = "checked_in"
ALREADY_CHECKED_IN = "already_checked_in"
UNDONE = "undone"


class CheckInError(DomainError):
    """A check-in refused; `registration` is set when the code named one."""

    def __init__(self, message: str, code: str, registration: Registration | None = None):
        super().__init__(message, code)
        self.registration = registration


@dataclass(frozen=True)
class DayInterview:
    """One interview of the person's day, as the answer shows it."""

    starts_at: time
    table: int
    employer: str


_INTERVIEWS_OF_THE_DAY = DriverStatement(
    lambda dialect: (
        select(
            Slot.starts_at,
            Slot.table_number,
            Participation.first_table,
            Establishment.name,
            Company.name,
        )
        .select_from(Interview)
        .join(Slot, Slot.id == Interview.slot_id)
        .join(Participation, Participation.id == Slot.participation_id)
        .join(Establishment, Establishment.id == Participation.establishment_id)
        .join(Company, Company.id == Establishment.company_id)
        .where(
            Interview.registration_id == bindparam("registration_id"),
            Interview.status != InterviewStatus.CANCELLED,
        )
        .order_by(Slot.starts_at)
    )
)


def interviews_of_the_day(registration_id: int) -> list[DayInterview]:
    """The person's interviews (not cancelled), by time: one plain query, since the answer
    to a scan needs only these three things."""
    return _day_interviews(
        _INTERVIEWS_OF_THE_DAY.rows(db.session.connection(), registration_id=registration_id)
    )


def _day_interviews(rows) -> list[DayInterview]:
    return [
        DayInterview(
            starts_at,
            first_table + table - 1,
            name if name == company else f"{company} — {name}",
        )
        for starts_at, table, first_table, name, company in rows
    ]


@dataclass(frozen=True)
class Person:
    """Whom a check-in answer is about."""

    registration_id: int
    first_name: str
    last_name: str
    status: RegistrationStatus
    ticket_code: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def of(cls, registration: Registration) -> "Person":
        person = registration.candidate
        return cls(
            registration.id,
            person.first_name,
            person.last_name,
            registration.status,
            registration.ticket_code,
        )


@dataclass(frozen=True)
class Arrival:
    """A check-in, as answers show it."""

    id: int
    checked_in_at: datetime
    scanned_at: datetime
    method: CheckInMethod
    #: The tablet that let the person in; None from the back-office.
    device_name: str | None

    @classmethod
    def of(cls, check_in: CheckIn | None) -> "Arrival | None":
        if check_in is None:
            return None
        device = check_in.device
        return cls(
            check_in.id,
            check_in.checked_in_at,
            check_in.scanned_at,
            check_in.method,
            device.name if device is not None else None,
        )


@dataclass
class CheckInResult:
    """A registration let in now (`checked_in`) or before (`already_checked_in`)."""

    status: str
    person: Person
    arrival: Arrival | None
    #: Answered from the nonce of an earlier request: nothing was written.
    replayed: bool = False
    interviews: list[DayInterview] = field(default_factory=list)

    @property
    def checked_in_now(self) -> bool:
        return self.status == CHECKED_IN

    @property
    def registration(self) -> Registration:
        """The registration itself, loaded when asked (an answer needs only `person`)."""
        return db.session.get(Registration, self.person.registration_id)

    @property
    def check_in(self) -> CheckIn | None:
        """The check-in row, loaded when asked (an answer needs only `arrival`)."""
        return db.session.get(CheckIn, self.arrival.id) if self.arrival else None


@dataclass(frozen=True)
class Actor:
    """Who checks in: a paired tablet, a signed-in staff member, or both."""

    #: A `devices.PairedDevice` (or the row itself): its id and name are used.
    device: PairedDevice | CheckInDevice | None = None
    user: User | None = None

    @property
    def ids(self) -> dict:
        return {
            "device_id": self.device.id if self.device else None,
            "user_id": self.user.id if self.user else None,
        }


def check_nonce(nonce: str | None) -> str | None:
    """The client's nonce, checked; None when none was sent (then nothing is idempotent)."""
    if nonce in (None, ""):
        return None
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise CheckInError(invalid_nonce_message(), "invalid_nonce")
    return nonce


def invalid_nonce_message() -> str:
    return _("Identifiant de lecture (nonce) invalide : 8 à 64 lettres, chiffres, - ou _.")


def scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """When the tablet scanned: its own time when plausible, else the server's."""
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if scanned_at > now + SCAN_CLOCK_SKEW or scanned_at < now - SCAN_MAX_AGE:
        return now
    return min(scanned_at, now)


def invalid_code_message() -> str:
    """What a tablet says of a scan that is no ticket code (online and offline alike)."""
    return _(
        "Ce n'est pas un code de billet : il a 8 lettres et chiffres, par exemple "
        "7K3M-Q9ZP. Cherchez la personne par son nom."
    )


def check_in(
    event_id: int,
    raw_code: str,
    *,
    actor: Actor,
    method: CheckInMethod = CheckInMethod.SCANNER,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    offline: bool = False,
) -> CheckInResult:
    """Let the holder of a ticket code in at the étape `event_id`.

    Raises CheckInError invalid_code, unknown_code, other_event, cancelled, waitlisted,
    invalid_nonce. The caller commits (or, on error, rolls back and `record_refusal`s)."""
    nonce = check_nonce(nonce)
    code = normalise_ticket_code(raw_code)
    if code is None:
        raise CheckInError(invalid_code_message(), "invalid_code")
    connection = _connection()
    door = _AT_THE_DOOR_BY_CODE.rows(connection, code=code, nonce=nonce)
    if not door:
        raise CheckInError(
            _("Code inconnu : vérifiez-le, ou cherchez la personne par son nom."),
            "unknown_code",
        )
    return _let_in(
        event_id, connection, door[0], raw_code, actor, method, nonce, scanned_at, offline
    )


def check_in_registration(
    event_id: int,
    registration_id: int,
    *,
    actor: Actor,
    method: CheckInMethod = CheckInMethod.SEARCH,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
) -> CheckInResult:
    """Let a registration found by name in at the étape `event_id` (same rules as
    `check_in`)."""
    nonce = check_nonce(nonce)
    connection = _connection()
    door = _AT_THE_DOOR_BY_ID.rows(connection, registration_id=registration_id, nonce=nonce)
    if not door:
        raise CheckInError(_("Cette inscription n'existe pas."), "unknown_code")
    raw_code = door[0][4]  # its ticket code
    return _let_in(event_id, connection, door[0], raw_code, actor, method, nonce, scanned_at, False)


def _connection():
    """The session's connection, with what the session holds written first (a walk-in's
    registration, confirmed a moment ago): the statements of the door run past the ORM."""
    db.session.flush()
    return db.session.connection()


def _people_and_arrivals(*more):
    """Registrations with their person and their check-in if any: each row holds what
    `Person`, then `Arrival` take (see `_person_and_arrival`), then `more`."""
    return (
        select(
            Registration.id,
            Candidate.first_name,
            Candidate.last_name,
            Registration.status,
            Registration.ticket_code,
            CheckIn.id,
            CheckIn.checked_in_at,
            CheckIn.scanned_at,
            CheckIn.method,
            CheckInDevice.name,
            *more,
        )
        .select_from(Registration)
        .join(Candidate, Candidate.id == Registration.candidate_id)
        .outerjoin(CheckIn, CheckIn.registration_id == Registration.id)
        .outerjoin(CheckInDevice, CheckInDevice.id == CheckIn.device_id)
    )


def _person_and_arrival(row) -> tuple[Person, Arrival | None]:
    return Person(*row[:5]), (Arrival(*row[5:10]) if row[5] is not None else None)


def _at_the_door(criterion):
    """What a scan needs, in one statement: the registration (locked), its person, its
    check-in if any, its étape, whether the request's nonce was seen before, and whether
    the person was counted absent (the day closed before they came)."""

    def build(dialect_name: str):
        earlier = (
            select(CheckInAttempt.id)
            .where(CheckInAttempt.nonce == bindparam("nonce"))
            .scalar_subquery()
        )
        statement = _people_and_arrivals(
            Registration.event_id, earlier, Registration.no_show_at
        ).where(criterion)
        return lock_for_update(statement, dialect_name, of=Registration)

    return DriverStatement(build)


_AT_THE_DOOR_BY_CODE = _at_the_door(Registration.ticket_code == bindparam("code"))
_AT_THE_DOOR_BY_ID = _at_the_door(Registration.id == bindparam("registration_id"))


def _insert_unless(model, columns: tuple[str, ...], unique: str):
    """An INSERT of `model` that writes nothing when a row with the same `unique` value is
    there already, and then returns no id."""

    def build(dialect_name: str):
        dialect_insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
        return (
            dialect_insert(model)
            .values({name: bindparam(name) for name in columns})
            .on_conflict_do_nothing(index_elements=[unique])
            .returning(model.id)
        )

    return DriverStatement(build)


_INSERT_ATTEMPT = _insert_unless(
    CheckInAttempt,
    (
        "event_id",
        "nonce",
        "code",
        "registration_id",
        "result",
        "method",
        "offline",
        "scanned_at",
        "created_at",
        "device_id",
        "user_id",
    ),
    unique="nonce",
)
_INSERT_CHECK_IN = _insert_unless(
    CheckIn,
    (
        "registration_id",
        "event_id",
        "method",
        "checked_in_at",
        "scanned_at",
        "device_id",
        "user_id",
    ),
    unique="registration_id",
)


def _let_in(event_id, connection, door, raw_code, actor, method, nonce, scanned_at, offline):
    """The rules, under the registration's row lock. The usual scan (a confirmed person of
    this étape, a new nonce) is written here: the attempt and the check-in inserted and the
    person's interviews read, sent together; anything else, rare at the door, follows the
    ORM's `_let_in_by_rules` (a check-in inserted by then is taken back first).

    On PostgreSQL, the rows joined to the registration were read before its lock was
    granted: a nonce or a check-in written meanwhile by another request shows as a
    conflict of the INSERTs, and is then read again."""
    person, arrival = _person_and_arrival(door)
    registration_event_id, earlier_attempt, no_show_at = door[10:]

    def by_rules():
        return _let_in_by_rules(
            event_id,
            db.session.get(Registration, person.registration_id),  # locked above
            raw_code,
            actor,
            method,
            nonce,
            scanned_at,
            offline,
        )

    if (
        earlier_attempt is not None
        or registration_event_id != event_id
        or person.status != RegistrationStatus.CONFIRMED
        or no_show_at is not None
    ):
        return by_rules()
    now = utcnow()
    scanned = scan_time(scanned_at, now)
    status = CHECKED_IN if arrival is None else ALREADY_CHECKED_IN
    who = actor.ids  # read before: nothing in the block below may load an ORM object
    # Nobody else can let this person in before our commit: every path holds the
    # registration's lock (and the unique registration_id refuses a second row).
    with together(connection):  # one round trip to PostgreSQL
        attempt = _INSERT_ATTEMPT.send(
            connection,
            event_id=event_id,
            nonce=nonce,
            code=logged_code(raw_code),
            registration_id=person.registration_id,
            result=status,
            method=method,
            offline=offline,
            scanned_at=scanned,
            created_at=now,
            **who,
        )
        inserted = None
        if arrival is None:
            inserted = _INSERT_CHECK_IN.send(
                connection,
                registration_id=person.registration_id,
                event_id=event_id,
                method=method,
                checked_in_at=now,
                scanned_at=scanned,
                **who,
            )
        interviews = _INTERVIEWS_OF_THE_DAY.send(connection, registration_id=person.registration_id)
    if not attempt.rows():  # the nonce came in another request meanwhile
        if inserted is not None and inserted.rows():
            db.session.execute(delete(CheckIn).where(CheckIn.id == inserted.rows()[0][0]))
        return by_rules()
    if inserted is not None and inserted.rows():
        device = actor.device.name if actor.device is not None else None
        arrival = Arrival(inserted.rows()[0][0], now, scanned, method, device)
    elif inserted is not None:  # let in by a request that held the lock before us
        status = ALREADY_CHECKED_IN
        arrival = Arrival.of(_check_in_of(person.registration_id))
        db.session.get(CheckInAttempt, attempt.rows()[0][0]).result = status
        db.session.flush()
    return CheckInResult(status, person, arrival, interviews=_day_interviews(interviews.rows()))


def _nonce_taken_meanwhile(nonce: str, fields: dict) -> None:
    """The nonce arrived in another request at the same time. For someone else: a misuse;
    a refused try's nonce, sent again once the person may come in: that row now tells what
    happened last (one row per nonce)."""
    earlier = _attempt_of(nonce)
    if earlier is None or earlier.result in (CHECKED_IN, ALREADY_CHECKED_IN):
        raise CheckInError(
            _("Cette lecture a déjà été envoyée pour une autre personne."), "invalid_nonce"
        )
    for name, value in fields.items():
        setattr(earlier, name, value)
    db.session.flush()


def _let_in_by_rules(event_id, registration, raw_code, actor, method, nonce, scanned_at, offline):
    """Every rule, with the ORM: replays, refusals, the nonce of a refused try."""
    earlier = _attempt_of(nonce)
    if earlier is not None and earlier.result in (CHECKED_IN, ALREADY_CHECKED_IN):
        return _replay(event_id, earlier)  # a retried or replayed request: nothing is written
    if registration.event_id != event_id:
        other = registration.event
        raise CheckInError(
            _(
                "Inscrit(e) à une autre étape : %(town)s, le %(date)s. Elle n'est pas attendue ici.",
                town=other.venue.town,
                date=long_date(other.date),
            ),
            "other_event",
            registration,
        )
    if registration.status == RegistrationStatus.CANCELLED:
        raise CheckInError(
            _("Inscription annulée. Cherchez la personne par son nom pour l'admettre sur place."),
            "cancelled",
            registration,
        )
    if registration.status == RegistrationStatus.WAITLISTED:
        raise CheckInError(
            _(
                "Sur liste d'attente : pas de place confirmée. Cherchez la personne par son nom "
                "pour l'admettre sur place."
            ),
            "waitlisted",
            registration,
        )
    now = utcnow()
    existing = _check_in_of(registration.id)
    status = ALREADY_CHECKED_IN
    if existing is None:
        existing = CheckIn(
            registration_id=registration.id,
            event_id=event_id,
            method=method,
            checked_in_at=now,
            scanned_at=scan_time(scanned_at, now),
            **actor.ids,
        )
        db.session.add(existing)
        status = CHECKED_IN
    # Counted absent when the day was closed, and here after all: present, not both.
    registration.no_show_at = None
    fields = {
        "code": logged_code(raw_code),
        "registration_id": registration.id,
        "result": status,
        "method": method,
        "offline": offline,
        "scanned_at": scan_time(scanned_at, now),
        **actor.ids,
    }
    if earlier is None:
        try:
            with db.session.begin_nested():
                db.session.add(CheckInAttempt(event_id=event_id, nonce=nonce, **fields))
        except IntegrityError:  # the same nonce sent at once
            _nonce_taken_meanwhile(nonce, fields)
    else:
        # The nonce of a refused try, sent again once the person may come in.
        for name, value in fields.items():
            setattr(earlier, name, value)
        db.session.flush()
    return CheckInResult(
        status,
        Person.of(registration),
        Arrival.of(existing),
        interviews=interviews_of_the_day(registration.id),
    )


def _locked(criterion) -> Registration | None:
    return db.session.scalar(
        lock_for_update(
            select(Registration).where(criterion).execution_options(populate_existing=True),
            db.session.get_bind().dialect.name,
            of=Registration,
        )
    )


def logged_code(raw_code) -> str:
    """What was sent, fit for the audit trail: printable characters only (PostgreSQL
    refuses NUL bytes), at most 40."""
    if not isinstance(raw_code, str):
        return ""
    return "".join(c for c in raw_code[:200] if c.isprintable())[:40]


def _check_in_of(registration_id: int) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(CheckIn.registration_id == registration_id))


def _attempt_of(nonce: str | None) -> CheckInAttempt | None:
    if nonce is None:
        return None
    return db.session.scalar(select(CheckInAttempt).where(CheckInAttempt.nonce == nonce))


def _replay(event_id: int, attempt: CheckInAttempt) -> CheckInResult:
    """The answer already given to a request (its nonce's attempt let someone in)."""
    if attempt.event_id != event_id:
        raise CheckInError(
            _("Cette lecture a déjà été envoyée pour une autre étape."), "invalid_nonce"
        )
    registration = db.session.get(Registration, attempt.registration_id)
    return CheckInResult(
        attempt.result,
        Person.of(registration),
        Arrival.of(_check_in_of(registration.id)),
        replayed=True,
        interviews=interviews_of_the_day(registration.id),
    )


def record_refusal(
    event_id: int,
    raw_code: str,
    error: CheckInError,
    *,
    actor: Actor,
    method: CheckInMethod,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    offline: bool = False,
) -> None:
    """Keep a refused attempt in the audit trail (after the caller rolled back)."""
    if error.code == "invalid_nonce":
        nonce = None
    elif nonce is not None and db.session.scalar(
        select(CheckInAttempt.id).where(CheckInAttempt.nonce == nonce)
    ):
        return  # a replay of a refusal already kept
    registration = error.registration
    now = utcnow()
    attempt = CheckInAttempt(
        event_id=event_id,
        nonce=nonce,
        code=logged_code(raw_code),
        registration_id=registration.id if registration is not None else None,
        result=error.code,
        method=method,
        offline=offline,
        scanned_at=scan_time(scanned_at, now),
        created_at=now,
        **actor.ids,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        pass  # the same refused nonce, twice at once: kept once


def undo_check_in(event: Event, check_in_id: int, *, actor: Actor) -> Registration:
    """Take back a check-in made by mistake: within UNDO_WINDOW from a tablet, any time
    for staff. Raises CheckInError not_checked_in, undo_too_late."""
    existing = db.session.scalar(
        select(CheckIn).where(CheckIn.id == check_in_id, CheckIn.event_id == event.id)
    )
    if existing is None:
        raise CheckInError(_("Cet enregistrement a déjà été annulé."), "not_checked_in")
    registration = _locked(Registration.id == existing.registration_id)
    existing = _check_in_of(registration.id)
    if existing is None or existing.id != check_in_id:
        raise CheckInError(_("Cet enregistrement a déjà été annulé."), "not_checked_in")
    now = utcnow()
    staff = actor.user is not None and actor.user.is_staff
    if not staff and now - existing.checked_in_at > UNDO_WINDOW:
        raise CheckInError(
            _("Trop tard pour annuler depuis la tablette : demandez à un coordinateur."),
            "undo_too_late",
            registration,
        )
    db.session.delete(existing)
    db.session.add(
        CheckInAttempt(
            event_id=event.id,
            code=registration.ticket_code,
            registration_id=registration.id,
            result=UNDONE,
            method=existing.method,
            scanned_at=now,
            created_at=now,
            **actor.ids,
        )
    )
    db.session.flush()
    return registration


def already_message(arrival: Arrival) -> str:
    """ "déjà enregistré(e) à 9 h 42 (Tablette 2)"."""
    at = hour(arrival.checked_in_at)
    if arrival.device_name is not None:
        return _("Déjà enregistré(e) à %(time)s (%(device)s).", time=at, device=arrival.device_name)
    return _("Déjà enregistré(e) à %(time)s (accueil).", time=at)


# --- Search ---------------------------------------------------------------------------------

SEARCH_LIMIT = 20


def _search_terms(query: str) -> dict[str, str]:
    """What a query may be (a name, a phone number, a ticket code), as LIKE patterns named
    `word0`… `word3` (`short0`… for a word of 1 or 2 letters, see `_name_like`), `phone`
    and `code`; none for a query of less than 2 characters."""
    query = (query or "").strip()[:80]
    if len(query) < 2:
        return {}
    terms = {}
    # Every word, in any order: "sylvie martin" finds "Martin Sylvie".
    for number, word in enumerate(name_key(query).split()[:4]):
        kind = "short" if len(word) < TRIGRAM else "word"
        terms[f"{kind}{number}"] = f"%{_escape(word)}%"
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4:
        national = digits[1:] if digits.startswith("0") else digits
        terms["phone"] = f"%{national}%"
    code = re.sub(r"[\s\-_.]", "", query).upper()
    if len(code) >= 4 and code.isascii() and all(c in TICKET_ALPHABET for c in code):
        terms["code"] = f"{code}%"
    return terms


def _search_criterion(names, dialect_name: str):
    """The registrations of the étape `event_id` matching the terms `names` (any of the
    three kinds; for a name, all of its words)."""
    words = [name for name in names if name.startswith(("word", "short"))]
    conditions = []
    if words:
        conditions.append(_name_matches(words, dialect_name))
    if "phone" in names:
        conditions.append(Candidate.phone.like(bindparam("phone")))
    if "code" in names:
        conditions.append(Registration.ticket_code.like(bindparam("code")))
    return and_(
        Registration.event_id == bindparam("event_id"), _few_match(or_(*conditions), dialect_name)
    )


#: Letters in a trigram: PostgreSQL's index of names (`SEARCH_KEY_TRIGRAM_INDEX`) finds the
#: words of at least this many.
TRIGRAM = 3


def _name_like(name: str):
    """`search_key LIKE :name`. A word shorter than a trigram has none to look up: the
    trigram index would read all of its entries (5.8 ms for 5,000 candidates, against 2.7 ms
    for a scan), so for such a word the column is wrapped in an expression that the index
    does not serve. Each kind of word has its statement, and so its own plan."""
    column = Candidate.search_key
    if name.startswith("short"):
        column = func.coalesce(column, literal_column("''"))
    return column.like(bindparam(name), escape="\\")


def _name_matches(words: list[str], dialect_name: str):
    """Every word of the name in `search_key`. On SQLite, the words of a trigram or more are
    looked up in the FTS5 table of trigrams (`SEARCH_KEY_TRIGRAMS`), whose LIKE is the same
    (case-insensitive for ASCII); the words of `name_key` have no `%` or `_` to escape."""
    found_by_trigrams = [word for word in words if word.startswith("word")]
    if dialect_name != "sqlite" or not found_by_trigrams:
        return and_(*(_name_like(word) for word in words))
    trigrams = table(SEARCH_KEY_TRIGRAMS, column("rowid"), column("search_key"))
    candidates = select(trigrams.c.rowid).where(
        *(trigrams.c.search_key.like(bindparam(word)) for word in found_by_trigrams)
    )
    return and_(
        Candidate.id.in_(candidates),
        *(_name_like(word) for word in words if word not in found_by_trigrams),
    )


def _few_match(condition, dialect_name: str):
    """`condition`, marked for SQLite's planner as true of few rows: it would otherwise walk
    the étape's registrations first, then each one's candidate (1.8 ms for 5,000, against
    0.7 ms from the candidates)."""
    if dialect_name != "sqlite":
        return condition
    return func.likelihood(condition, literal_column("0.001"))


def _search_order():
    """Confirmed people first, then by name."""
    confirmed_first = case((Registration.status == RegistrationStatus.CONFIRMED, 0), else_=1)
    return (confirmed_first, Candidate.last_name, Candidate.first_name, Registration.id)


def search(event: Event, query: str) -> list[Registration]:
    """Registrations of the étape (any status) matching a name, a phone number or a ticket
    code, at most SEARCH_LIMIT, confirmed ones first."""
    terms = _search_terms(query)
    if not terms:
        return []
    # The matching ids first, on two plain tables (the eager joins of Registration would
    # make the planner's work larger than the search), then the registrations themselves.
    ids = db.session.scalars(
        select(Registration.id)
        .join(Candidate, Candidate.id == Registration.candidate_id)
        .where(_search_criterion(terms, db.session.get_bind().dialect.name))
        .order_by(*_search_order())
        .limit(SEARCH_LIMIT),
        {"event_id": event.id, **terms},
    ).all()
    if not ids:
        return []
    found = {
        r.id: r for r in db.session.scalars(select(Registration).where(Registration.id.in_(ids)))
    }
    return [found[registration_id] for registration_id in ids]


def _people_found(names: tuple[str, ...]) -> DriverStatement:
    """The API's search for these kinds of terms (each shape built once; 124 at most)."""
    statement = _PEOPLE_FOUND.get(names)
    if statement is None:
        statement = _PEOPLE_FOUND[names] = DriverStatement(
            lambda dialect_name: (
                _people_and_arrivals()
                .where(_search_criterion(names, dialect_name))
                .order_by(*_search_order())
                .limit(SEARCH_LIMIT)
            )
        )
    return statement


_PEOPLE_FOUND: dict[tuple[str, ...], DriverStatement] = {}


def search_people(event_id: int, query: str) -> list[tuple[Person, Arrival | None]]:
    """The same search, as the API answers it: each person with their check-in, read in
    one statement past the ORM (a tablet searches at every key typed)."""
    terms = _search_terms(query)
    if not terms:
        return []
    rows = _people_found(tuple(terms)).rows(_connection(), event_id=event_id, **terms)
    return [_person_and_arrival(row) for row in rows]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_ins_by_registration(event: Event, people: list[Registration]) -> dict[int, Arrival]:
    """The check-ins of these registrations, by registration id."""
    ids = [registration.id for registration in people]
    if not ids:
        return {}
    return {
        check_in.registration_id: Arrival.of(check_in)
        for check_in in db.session.scalars(
            select(CheckIn)
            .options(joinedload(CheckIn.device))
            .where(CheckIn.event_id == event.id, CheckIn.registration_id.in_(ids))
        )
    }


def checked_in_ids(event: Event) -> set[int]:
    """The registrations let in at the étape."""
    return set(
        db.session.scalars(select(CheckIn.registration_id).where(CheckIn.event_id == event.id))
    )
