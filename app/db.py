"""Declarative base, naming convention, shared column helpers and SQLite set-up."""

import contextvars
import fcntl
import os
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from functools import wraps

from sqlalchemy import DateTime, MetaData, event, exc
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.pool import Pool
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type: values are stored as naive UTC and marked UTC on load.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    """Creation and update times, in UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


#: True while the current unit of work only reads (a GET request). SQLite then opens a
#: plain deferred transaction; anything that may write starts with BEGIN IMMEDIATE so
#: that concurrent writers queue on the busy timeout instead of failing half-way.
read_only_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "read_only_transaction", default=False
)


#: A pooled connection left unused longer than this is tried (`SELECT 1`) before it is
#: lent again, and replaced if the server went away meanwhile (restarted, or it closed idle
#: connections). One that came back a moment ago is not: SQLAlchemy's `pool_pre_ping` would
#: try every one, a round trip to PostgreSQL at every request. If the server restarts under
#: load, a request that meets a dead connection fails (the tablet keeps its scan and sends
#: it again) and SQLAlchemy then replaces every connection of the pool.
PING_AFTER_IDLE_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _note_idle_since(dbapi_connection, connection_record):
    connection_record.info["idle_since"] = time.monotonic()
    connection_record.info.pop(_BEGIN_PENDING, None)


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
    idle_since = connection_record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return  # new, or back a moment ago
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # the transaction psycopg may have begun for it
    except Exception as error:
        # The pool throws this connection away and lends a new one instead.
        raise exc.DisconnectionError("the database closed an idle connection") from error


#: True while the current unit of work reads one statement at a time, in no transaction
#: (`reads_outside_transaction`).
statements_alone: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "statements_alone", default=False
)


def writes_on_get(view):
    """A GET view that writes (an access log, a stale state put right): its transaction
    is not read-only (see `read_only_transaction`). On SQLite, a read-only transaction that
    then writes cannot wait for the writer's lock: it fails at once ("database is locked")
    whenever another request wrote meanwhile."""
    view.writes_on_get = True
    return view


def reads_outside_transaction(view):
    """A view that only reads runs its statements without a transaction around them: no
    BEGIN and ROLLBACK (on PostgreSQL, two round trips of the four of a tablet's search).
    Each statement sees what was committed when it started, as it would in PostgreSQL's
    READ COMMITTED; nothing the view writes would be undone on error, so it must not write.
    Put it above the decorators that read (the tablet's check, the signed-in user)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = statements_alone.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            statements_alone.reset(token)

    return wrapped


# --- PostgreSQL: generic plans for prepared statements ------------------------------------
#
# psycopg prepares a statement on the server once a connection has run it 5 times. The
# server then plans it anew at every execution as long as its plan for the values given
# looks cheaper than the generic plan: for the tablet's search, always (a name's pattern
# looks rarer than any pattern), so each search was planned again, 0.6 ms of the server's
# CPU. The app's statements are small lookups by key or by name, whose generic plans are
# the good ones: they are taken at once (`plan_cache_mode`, PostgreSQL 12+), set when the
# connection opens, at no extra round trip.

GENERIC_PLANS = "-c plan_cache_mode=force_generic_plan"


@event.listens_for(Engine, "do_connect")
def _postgresql_generic_plans(dialect, connection_record, cargs, cparams):
    if dialect.name == "postgresql":
        cparams["options"] = f"{cparams.get('options', '')} {GENERIC_PLANS}".strip()


# --- PostgreSQL: BEGIN sent with the first statement -------------------------------------
#
# psycopg sends BEGIN on its own before a transaction's first statement: a round trip of
# its own. The connections are kept in psycopg's autocommit mode instead, and BEGIN is
# sent here: before the first statement that SQLAlchemy runs (the same round trip as
# psycopg's), or in one round trip with the first DriverStatement (a tablet's request
# starts with one: the tablet's own row). SQLAlchemy's COMMIT and ROLLBACK then end what was
# begun, and send nothing when no statement ran. A unit of work that reads outside a
# transaction (`statements_alone`) sends no BEGIN at all.

_BEGIN_PENDING = "begin_pending"


@event.listens_for(Engine, "begin")
def _postgresql_on_begin(connection):
    if connection.dialect.name != "postgresql":
        return
    fairy = connection.connection
    fairy.driver_connection.autocommit = True  # between transactions, as always here
    if not statements_alone.get():
        fairy.info[_BEGIN_PENDING] = True


@event.listens_for(Engine, "before_cursor_execute")
def _begin_before_first_statement(connection, cursor, statement, parameters, context, many):
    if connection.dialect.name == "postgresql" and _begin_pending(connection):
        cursor.execute("BEGIN")


def _begin_pending(connection: Connection) -> bool:
    """Whether the transaction of `connection` still has its BEGIN to send (then sent by
    the caller, together with its statement)."""
    return connection.connection.info.pop(_BEGIN_PENDING, False)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _postgresql_on_end(connection):
    # An invalidated connection (the server went away) is not asked for its DB-API one.
    if connection.dialect.name == "postgresql" and not connection.invalidated:
        connection.connection.info.pop(_BEGIN_PENDING, None)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    if statements_alone.get():
        return  # without BEGIN, each statement is its own transaction
    # On the driver's connection: SQLAlchemy's execution machinery (events, a context, a
    # result) would cost more than SQLite's BEGIN itself, at every request.
    driver = connection.connection.driver_connection
    if read_only_transaction.get():
        driver.execute("BEGIN")
        return
    lock = _writer_lock(connection)
    if lock is not None:
        lock.acquire()
    try:
        driver.execute("BEGIN IMMEDIATE")
    except BaseException:
        if lock is not None:
            lock.release()
        raise


class WriterLock:
    """SQLite's writers, queued on a lock file beside the database.

    SQLite lets one writer in at a time, and one that finds the database locked sleeps
    (1, 2, 5, 10… 100 ms) before it tries again: with writes of a millisecond from several
    processes (gunicorn's workers at the door), they spend more time asleep than writing.
    Writers wait here instead, trying again every few tenths of a millisecond; after
    `patience` seconds they go on to SQLite's own wait (its busy timeout, then "database is
    locked"), so that a request that would wait for itself fails instead of hanging.
    """

    def __init__(self, path: str, patience: float = 30.0):
        self._descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.patience = patience
        self.held = False

    def acquire(self) -> None:
        pause, deadline = 0.00002, time.monotonic() + self.patience
        while True:
            try:
                fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(pause)
                pause = min(pause * 2, 0.0002)
            else:
                self.held = True
                return

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        os.close(self._descriptor)


def _writer_lock(connection) -> WriterLock | None:
    """The lock of this DB-API connection's database file (none in memory)."""
    info = connection.connection.info
    if "writer_lock" not in info:
        database = connection.engine.url.database
        in_memory = not database or database == ":memory:" or database.startswith("file:")
        info["writer_lock"] = None if in_memory else WriterLock(f"{database}.writers")
    return info["writer_lock"]


#: A connection copies the write-ahead log back into the database (a checkpoint) after
#: this many of its commits, once it has let the next writer in. SQLite's own checkpoint
#: runs inside the COMMIT that fills the log to 1,000 pages: 3 to 10 ms here, during which
#: the writer's lock was still held and every other writer waited. A check-in writes 3 to 4
#: pages, so this one comes first; SQLite's stays for big writes (an import).
CHECKPOINT_EVERY_COMMITS = 100


def _end_then_release(dbapi_connection, info, end) -> bool:
    """COMMIT or ROLLBACK at once, then let the next writer in. The events below come
    before SQLAlchemy's own call, which then finds no transaction left (a no-op).
    Whether there was a transaction to end."""
    lock = info.get("writer_lock")
    if lock is None or not lock.held:
        return False
    try:
        end(dbapi_connection)
    finally:
        lock.release()
    return True


@event.listens_for(Engine, "commit")
def _sqlite_on_commit(connection):
    if connection.dialect.name != "sqlite":
        return
    fairy = connection.connection
    if _end_then_release(fairy.driver_connection, fairy.info, lambda c: c.commit()):
        commits = fairy.info.get("commits", 0) + 1
        fairy.info["commits"] = commits
        if commits % CHECKPOINT_EVERY_COMMITS == 0:
            # PASSIVE: copies what no reader still needs, waiting for nobody.
            fairy.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


@event.listens_for(Engine, "rollback")
def _sqlite_on_rollback(connection):
    if connection.dialect.name == "sqlite":
        fairy = connection.connection
        _end_then_release(fairy.driver_connection, fairy.info, lambda c: c.rollback())


@event.listens_for(Pool, "reset")
def _sqlite_on_reset(dbapi_connection, connection_record, reset_state):
    """A connection given back to the pool in a transaction is rolled back: let go."""
    if type(dbapi_connection).__module__ == "sqlite3":
        _end_then_release(dbapi_connection, connection_record.info, lambda c: c.rollback())


@event.listens_for(Pool, "invalidate")
@event.listens_for(Pool, "close")
def _sqlite_on_close(dbapi_connection, connection_record, *_exception):
    lock = connection_record.info.pop("writer_lock", None)
    if lock is not None:
        lock.close()


def lock_for_update(statement, dialect_name: str, of=None):
    """Add FOR UPDATE [OF table] on PostgreSQL; SQLite is already serialised by BEGIN IMMEDIATE.

    Pass `of` when the model eager-loads relationships through outer joins.
    """
    return statement.with_for_update(of=of) if dialect_name == "postgresql" else statement


def enum_column(enum_class):
    """A VARCHAR column holding a StrEnum's values (no native enum type to migrate)."""
    from sqlalchemy import Enum

    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_class) + 4,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class DriverStatement:
    """A Core statement compiled once per dialect, then run on the DB-API cursor itself.

    For the few statements of a hot path (a scan at the door): SQLAlchemy's execution layer
    spends about 50 µs on a statement that SQLite runs in 4. The statement is still written
    with Core, and the columns' types still convert values both ways (a UTC timestamp is
    stored as SQLAlchemy stores it); what is skipped is the per-execution machinery: events,
    caching keys, result objects. `build` gets the dialect's name, for the clauses that
    differ (ON CONFLICT, FOR UPDATE). Run it on the session's connection, so that it belongs
    to the session's transaction; `rows` returns plain tuples.
    """

    def __init__(self, build: Callable[[str], Executable]):
        self._build = build
        self._by_dialect: dict[str, tuple] = {}

    def _prepared(self, dialect: Dialect) -> tuple:
        prepared = self._by_dialect.get(dialect.name)
        if prepared is None:
            statement = self._build(dialect.name)
            compiled = statement.compile(dialect=dialect)
            binds = {
                name: processor
                for bind, name in compiled.bind_names.items()
                if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
                is not None
            }
            #: The columns read (none: nothing to fetch), then those the driver does not
            #: give as the type has them, by position, with their conversion.
            columns = list(statement.exported_columns)
            converters = [
                (position, processor)
                for position, column in enumerate(columns)
                if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))
                is not None
            ]
            #: The values written in the statement itself (an enum compared with).
            fixed = {
                name: bind.effective_value
                for bind, name in compiled.bind_names.items()
                if not bind.required
            }
            prepared = (
                compiled.string,
                compiled.positiontup,
                fixed,
                binds,
                bool(columns),
                converters,
            )
            self._by_dialect[dialect.name] = prepared
        return prepared

    def rows(self, connection: Connection, **values) -> list[tuple]:
        return self.send(connection, **values).rows()

    def send(self, connection: Connection, **values) -> "SentStatement":
        """Run the statement; its rows are read with `rows()` (after the block, inside
        `together`)."""
        sql, positions, fixed, binds, returns_rows, converters = self._prepared(connection.dialect)
        parameters = {**fixed, **values}
        for name, processor in binds.items():
            if parameters[name] is not None:
                parameters[name] = processor(parameters[name])
        if positions is not None:
            parameters = tuple(parameters[name] for name in positions)
        driver = connection.connection.driver_connection
        cursor = driver.cursor()
        try:
            if connection.dialect.name == "postgresql" and _begin_pending(connection):
                # BEGIN and the statement in one round trip (inside `together`, its own).
                sent_together = connection.connection.info.get(_TOGETHER)
                with nullcontext() if sent_together else driver.pipeline():
                    driver.execute("BEGIN")
                    cursor.execute(sql, parameters)
            else:
                cursor.execute(sql, parameters)
        except BaseException:
            cursor.close()
            raise
        sent = SentStatement(cursor, returns_rows, converters)
        if connection.dialect.name != "postgresql":
            sent.rows()  # SQLite: read at once, no statement left half-stepped
        return sent


class SentStatement:
    """A DriverStatement run, whose rows are read once."""

    def __init__(self, cursor, returns_rows: bool, converters: list):
        self._cursor, self._returns_rows, self._converters = cursor, returns_rows, converters
        self._rows = None

    def rows(self) -> list[tuple]:
        if self._rows is None:
            try:
                # `description` is not asked: psycopg builds it anew at each call.
                rows = self._cursor.fetchall() if self._returns_rows else []
            finally:
                self._cursor.close()
            if self._converters:
                rows = [self._convert(row) for row in rows]
            self._rows = rows
        return self._rows

    def _convert(self, row) -> tuple:
        row = list(row)
        for position, processor in self._converters:
            row[position] = processor(row[position])
        return tuple(row)


@contextmanager
def together(connection: Connection):
    """DriverStatements sent in the block go to PostgreSQL in one round trip (psycopg's
    pipeline mode): send them all, then read their rows after the block. Nothing else may
    run a statement in the block (an expired ORM object loading itself would get no rows).
    SQLite, in the same process, runs them one after the other."""
    if connection.dialect.name != "postgresql":
        yield
        return
    info = connection.connection.info
    with connection.connection.driver_connection.pipeline():
        info[_TOGETHER] = True
        try:
            yield
        finally:
            info.pop(_TOGETHER, None)


_TOGETHER = "sending_together"
