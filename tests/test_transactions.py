"""Transactions on both databases, as `app.db` runs them: on PostgreSQL the connection
stays in psycopg's autocommit mode and BEGIN goes with the first statement (in one round
trip with a DriverStatement); what a transaction wrote is kept by COMMIT and undone by
ROLLBACK, whichever kind of statement came first."""

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
)

from app.db import DriverStatement, together
from app.extensions import db

metadata = MetaData()
note = Table("test_note", metadata, Column("id", Integer, primary_key=True), Column("body", String))

ADD_NOTE = DriverStatement(lambda dialect_name: insert(note).values(body=bindparam("body")))
NOTES = DriverStatement(lambda dialect_name: select(note.c.body).order_by(note.c.id))


@pytest.fixture
def notes(make_app):
    app = make_app()
    with app.app_context():
        metadata.create_all(db.engine)
        yield
        db.session.rollback()
        metadata.drop_all(db.engine)


def bodies() -> list[str]:
    """What is committed, read on a connection of its own."""
    with db.engine.connect() as connection:
        return list(connection.execute(select(note.c.body).order_by(note.c.id)).scalars())


def in_transaction() -> bool:
    driver = db.session.connection().connection.driver_connection
    if hasattr(driver, "pgconn"):  # psycopg
        return driver.info.transaction_status.name != "IDLE"
    return driver.in_transaction


def test_a_transaction_that_starts_with_a_driver_statement_is_undone_by_rollback(notes):
    ADD_NOTE.rows(db.session.connection(), body="undone")
    assert in_transaction()
    db.session.execute(insert(note).values(body="undone too"))
    db.session.rollback()
    assert bodies() == []
    ADD_NOTE.rows(db.session.connection(), body="kept")
    db.session.commit()
    assert bodies() == ["kept"]
    assert not in_transaction() or db.engine.dialect.name == "sqlite"


def test_a_transaction_that_starts_with_the_orm_is_undone_by_rollback(notes):
    db.session.execute(insert(note).values(body="undone"))
    ADD_NOTE.rows(db.session.connection(), body="undone too")
    db.session.rollback()
    assert bodies() == []
    db.session.execute(insert(note).values(body="kept"))
    db.session.commit()
    assert bodies() == ["kept"]


def test_statements_sent_together_first_belong_to_the_transaction(notes):
    connection = db.session.connection()
    with together(connection):
        first = ADD_NOTE.send(connection, body="one")
        second = ADD_NOTE.send(connection, body="two")
    first.rows(), second.rows()
    assert NOTES.rows(connection) == [("one",), ("two",)]
    db.session.rollback()
    assert bodies() == []


def test_a_transaction_in_which_nothing_ran_ends_quietly(notes):
    db.session.connection()
    db.session.commit()
    db.session.connection()
    db.session.rollback()
    ADD_NOTE.rows(db.session.connection(), body="after")
    db.session.commit()
    assert bodies() == ["after"]


def test_a_failed_statement_leaves_the_next_transaction_usable(notes):
    with pytest.raises(Exception):  # noqa: B017  (the driver's own IntegrityError)
        connection = db.session.connection()
        ADD_NOTE.rows(connection, body="first")
        DriverStatement(
            lambda dialect_name: insert(note).values(id=bindparam("id"), body="twice")
        ).rows(connection, id=1)
        DriverStatement(
            lambda dialect_name: insert(note).values(id=bindparam("id"), body="twice")
        ).rows(connection, id=1)
    db.session.rollback()
    assert bodies() == []
    ADD_NOTE.rows(db.session.connection(), body="later")
    db.session.commit()
    assert bodies() == ["later"]


def test_postgresql_takes_the_generic_plan_of_a_prepared_statement_at_once(postgres_database):
    """psycopg prepares a statement run 5 times; PostgreSQL then plans it once, instead of
    at every execution while a plan for the values given looks cheaper (the tablet's
    search, at every key typed): `app.db.GENERIC_PLANS`."""
    engine = create_engine(postgres_database)
    try:
        with engine.connect() as connection:
            for number in range(8):
                connection.exec_driver_sql("SELECT %(n)s::integer + 40", {"n": number})
            plans = connection.exec_driver_sql(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement = 'SELECT $1::integer + 40'"
            ).one()
    finally:
        engine.dispose()
    assert plans.generic_plans >= 1
    assert plans.custom_plans == 0
