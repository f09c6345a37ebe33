"""The floor of the check-in benchmark: a scan's statements alone, in a bare Flask app.

    DATABASE_URL=... gunicorn -w 2 benchmarks.checkin_floor:floor   (run by checkin.py)

What the usual scan at the door (a confirmed person of the étape, a new nonce) costs when
nothing but the database driver stands between Flask and the database: the app's own
statements (its DriverStatements, compiled once for the dialect, with the same conversions
of values), in the fewest round trips, with no ORM session, no SQLAlchemy connection, no
sign-in, translations or hooks. On SQLite, the writers queue on the app's lock file and the
transaction is BEGIN IMMEDIATE, as in the app; on PostgreSQL, the registration is locked
(FOR UPDATE) and everything is sent in two round trips, in pipeline mode. It answers the
same JSON as the app, but knows no other case than the usual one (anything else is a 500):
it is a yardstick, not an implementation. The benchmark loads it as it loads the app: what
the app costs above it is what its layers cost.
"""

import gc
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

from flask import Flask, jsonify, request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine

from app.candidates.tickets import normalise_ticket_code
from app.checkin import devices, services
from app.checkin.models import CheckInMethod
from app.db import CHECKPOINT_EVERY_COMMITS, WriterLock, utcnow

DATABASE_URL = os.environ["DATABASE_URL"]
_DIALECT = create_engine(DATABASE_URL).dialect  # only for its name and its compiler
POSTGRESQL = _DIALECT.name == "postgresql"

floor = Flask(__name__)


class Statement:
    """One of the app's DriverStatements, on a bare DB-API cursor."""

    def __init__(self, driver_statement):
        (self.sql, self.positions, self.fixed, self.binds, _rows, self.converters) = (
            driver_statement._prepared(_DIALECT)
        )

    def parameters(self, values: dict):
        parameters = {**self.fixed, **values}
        for name, processor in self.binds.items():
            if parameters[name] is not None:
                parameters[name] = processor(parameters[name])
        if self.positions is not None:
            return tuple(parameters[name] for name in self.positions)
        return parameters

    def rows(self, cursor) -> list[tuple]:
        rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, processor in self.converters:
                row[position] = processor(row[position])
            converted.append(tuple(row))
        return converted


DEVICE = Statement(devices._DEVICE_OF_TOKEN)
DOOR = Statement(services._AT_THE_DOOR_BY_CODE)
ATTEMPT = Statement(services._INSERT_ATTEMPT)
CHECK_IN = Statement(services._INSERT_CHECK_IN)
INTERVIEWS = Statement(services._INTERVIEWS_OF_THE_DAY)

_connection = None
_writer_lock = None
_commits = 0


def connection():
    """The worker's one connection, opened at its first request (after gunicorn's fork)."""
    global _connection, _writer_lock
    if _connection is None:
        if POSTGRESQL:
            import psycopg

            url = "postgresql://" + DATABASE_URL.split("://", 1)[1]
            _connection = psycopg.connect(url, autocommit=True)
        else:
            path = DATABASE_URL.removeprefix("sqlite:///")
            _connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in ("foreign_keys = ON", "busy_timeout = 30000", "synchronous = NORMAL"):
                _connection.execute(f"PRAGMA {pragma}")
            _writer_lock = WriterLock(f"{path}.writers")
    return _connection


def _writes(door: tuple, device: tuple, event_id: int, nonce: str, code: str) -> list:
    """The attempt, the check-in (unless there is one) and the interviews' query."""
    now, method = utcnow(), CheckInMethod.SCANNER
    status = services.CHECKED_IN if door[5] is None else services.ALREADY_CHECKED_IN
    statements = [
        (
            ATTEMPT,
            {
                "event_id": event_id,
                "nonce": nonce,
                "code": code,
                "registration_id": door[0],
                "result": status,
                "method": method,
                "offline": False,
                "scanned_at": now,
                "created_at": now,
                "device_id": device[0],
                "user_id": None,
            },
        )
    ]
    if door[5] is None:
        statements.append(
            (
                CHECK_IN,
                {
                    "registration_id": door[0],
                    "event_id": event_id,
                    "method": method,
                    "checked_in_at": now,
                    "scanned_at": now,
                    "device_id": device[0],
                    "user_id": None,
                },
            )
        )
    statements.append((INTERVIEWS, {"registration_id": door[0]}))
    return statements


def _scan_sqlite(token_hash: str, event_id: int, nonce: str, code: str):
    global _commits
    database = connection()
    _writer_lock.acquire()
    try:
        database.execute("BEGIN IMMEDIATE")
        try:
            device = DEVICE.rows(
                database.execute(DEVICE.sql, DEVICE.parameters({"token_hash": token_hash}))
            )[0]
            door = DOOR.rows(
                database.execute(DOOR.sql, DOOR.parameters({"nonce": nonce, "code": code}))
            )[0]
            *written, interviews = (
                statement.rows(database.execute(statement.sql, statement.parameters(values)))
                for statement, values in _writes(door, device, event_id, nonce, code)
            )
            database.execute("COMMIT")
        except BaseException:
            database.execute("ROLLBACK")
            raise
    finally:
        _writer_lock.release()
    _commits += 1
    if _commits % CHECKPOINT_EVERY_COMMITS == 0:  # as the app does (app.db)
        database.execute("PRAGMA wal_checkpoint(PASSIVE)")
    return door, written, interviews


def _scan_postgresql(token_hash: str, event_id: int, nonce: str, code: str):
    database = connection()
    with database.pipeline():
        database.execute("BEGIN")
        device = database.execute(DEVICE.sql, DEVICE.parameters({"token_hash": token_hash}))
        door = database.execute(DOOR.sql, DOOR.parameters({"nonce": nonce, "code": code}))
    device, door = DEVICE.rows(device)[0], DOOR.rows(door)[0]
    with database.pipeline():
        cursors = [
            (statement, database.execute(statement.sql, statement.parameters(values)))
            for statement, values in _writes(door, device, event_id, nonce, code)
        ]
        database.execute("COMMIT")
    *written, interviews = (statement.rows(cursor) for statement, cursor in cursors)
    return door, written, interviews


@floor.post("/api/v1/events/<int:event_id>/check-ins")
def check_in(event_id: int):
    token = request.cookies[devices.COOKIE_NAME]
    body = request.get_json()
    code = normalise_ticket_code(body["code"])
    scan = _scan_postgresql if POSTGRESQL else _scan_sqlite
    door, written, interviews = scan(
        hashlib.sha256(token.encode()).hexdigest(), event_id, body["nonce"], code
    )
    first = door[5] is None
    return jsonify(
        {
            "result": services.CHECKED_IN if first else services.ALREADY_CHECKED_IN,
            "replayed": False,
            "message": f"{door[1]} {door[2]}",
            "person": {
                "registration_id": door[0],
                "first_name": door[1],
                "last_name": door[2],
                "status": door[3].value,
                "ticket_code": door[4],
            },
            "check_in": {
                "id": written[-1][0][0] if first else door[5],
                "checked_in_at": (door[6] or utcnow()).isoformat(),
                "device": door[9],
            },
            "interviews": [
                {"starts_at": starts_at.strftime("%H:%M"), "table": table, "employer": employer}
                for starts_at, table, _first_table, employer, _company in interviews
            ],
        }
    ), 201 if first else 200


# As the app's entry point does (wsgi.py): what was made at start, out of the collector's sight.
gc.collect()
gc.freeze()
