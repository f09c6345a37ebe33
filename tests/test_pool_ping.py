"""A pooled connection left idle is tried before it is lent again, and replaced if the
database closed it meanwhile; one back a moment ago is lent as it is (`app.db`)."""

import importlib

import pytest
from sqlalchemy import create_engine, exc, text

#: The module (`app.db` names the Flask-SQLAlchemy extension once `app` is imported).
app_db = importlib.import_module("app.db")


def kill(dbapi_connection, database_url) -> None:
    """Close the connection under the pool's feet, as a database restart would."""
    if database_url.startswith("sqlite"):
        dbapi_connection.close()
        return
    other = create_engine(database_url)
    try:
        with other.connect() as connection:
            pid = dbapi_connection.info.backend_pid
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()


def test_an_idle_connection_closed_by_the_database_is_replaced(database_url, monkeypatch):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            first = connection.connection.dbapi_connection
        kill(first, database_url)
        monkeypatch.setattr(app_db, "PING_AFTER_IDLE_SECONDS", 0.0)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 2")).scalar() == 2
            assert connection.connection.dbapi_connection is not first
    finally:
        engine.dispose()


def test_without_the_idle_ping_a_dead_connection_fails_once_then_the_pool_recovers(database_url):
    """What the ping is for: a connection killed a moment after it came back is lent as it
    is; the request that meets it fails, and the next one gets a fresh connection."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            first = connection.connection.dbapi_connection
        kill(first, database_url)
        with pytest.raises(exc.DBAPIError) as error, engine.connect() as connection:
            connection.execute(text("SELECT 2"))
        assert error.value.connection_invalidated
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 2")).scalar() == 2
    finally:
        engine.dispose()
