"""SQLite's writers queue on a lock file (`app.db.WriterLock`): one at a time, let go at
COMMIT, ROLLBACK and when a connection goes back to the pool in a transaction; the log is
copied back into the database once the lock is let go."""

import sqlite3
import threading
import time
from contextlib import closing

import pytest
from sqlalchemy import create_engine, text

from app.db import CHECKPOINT_EVERY_COMMITS, WriterLock


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def lock_is_free(engine) -> bool:
    """Whether a writer of another connection would get in at once."""
    probe = WriterLock(f"{engine.url.database}.writers", patience=0)
    try:
        probe.acquire()
        return probe.held
    finally:
        probe.close()


def test_a_second_writer_waits_for_the_first_to_commit(engine):
    entered = {}
    first = engine.connect()
    first.execute(text("INSERT INTO note (body) VALUES ('first')"))  # BEGIN IMMEDIATE
    assert not lock_is_free(engine)

    def second_writer():
        with engine.begin() as connection:
            entered["at"] = time.monotonic()
            connection.execute(text("INSERT INTO note (body) VALUES ('second')"))

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert "at" not in entered  # queued behind the first writer
    committed_at = time.monotonic()
    first.commit()
    thread.join(timeout=10)
    first.close()
    assert entered["at"] >= committed_at
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM note ORDER BY id")).scalars().all()
    assert bodies == ["first", "second"]
    assert lock_is_free(engine)


def test_the_lock_is_let_go_on_rollback_and_when_the_pool_takes_the_connection_back(engine):
    connection = engine.connect()
    connection.execute(text("INSERT INTO note (body) VALUES ('undone')"))
    connection.rollback()
    assert lock_is_free(engine)
    connection.execute(text("INSERT INTO note (body) VALUES ('forgotten')"))
    connection.close()  # back to the pool, still in its transaction: rolled back
    assert lock_is_free(engine)
    with engine.connect() as reader:
        assert reader.execute(text("SELECT count(*) FROM note")).scalar() == 0


def test_twenty_threads_of_short_writes_all_land(engine):
    errors = []

    def writer(number):
        try:
            for _ in range(25):
                with engine.begin() as connection:
                    connection.execute(
                        text("INSERT INTO note (body) VALUES (:body)"), {"body": f"t{number}"}
                    )
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with engine.connect() as reader:
        assert reader.execute(text("SELECT count(*) FROM note")).scalar() == 500
    assert lock_is_free(engine)


def test_the_log_is_copied_back_once_the_lock_is_let_go(engine):
    """SQLite's own checkpoint runs inside the COMMIT, when the lock is still held."""
    connection = engine.connect()
    connection.execute(text("INSERT INTO note (body) VALUES ('first')"))
    connection.commit()
    lock = connection.connection.info["writer_lock"]
    checkpoints, commits = [], 0

    def trace(statement):
        if "wal_checkpoint" in statement:
            checkpoints.append((statement, lock.held, commits))

    connection.connection.driver_connection.set_trace_callback(trace)
    while len(checkpoints) < 2:  # the connection's count did not start here
        connection.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": str(commits)})
        commits += 1
        connection.commit()
        assert commits <= 2 * CHECKPOINT_EVERY_COMMITS
    connection.connection.driver_connection.set_trace_callback(None)
    connection.close()
    (first, held, _at), (second, held_then, after) = checkpoints
    assert first == second == "PRAGMA wal_checkpoint(PASSIVE)" and not held and not held_then
    assert after - _at == CHECKPOINT_EVERY_COMMITS
    with closing(sqlite3.connect(engine.url.database)) as other:
        _busy, frames, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames == copied  # nothing was left to copy


def test_a_database_in_memory_has_no_lock_file():
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO note DEFAULT VALUES"))
        assert connection.connection.info["writer_lock"] is None
    engine.dispose()
