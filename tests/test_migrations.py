"""The committed migrations build, on an empty database, exactly the schema the models describe."""

import os
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from app import models  # noqa: F401  (every model registered on the metadata)
from app.candidates.models import SEARCH_KEY_TRIGRAM_INDEX, SEARCH_KEY_TRIGRAMS, Candidate
from app.checkin import services
from app.extensions import db
from tests import databases

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    request.getfixturevalue("postgres_database")  # skips (or fails in CI) without a server
    return databases.create_database("jdt_migrations")


def flask_db(database_url: str, *arguments: str) -> subprocess.CompletedProcess:
    """Run `flask db …` as people do, in its own process, on `database_url`."""
    environment = {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "wsgi.py"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "db", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _not_apscheduler(object_, name, type_, reflected, compare_to):
    """As in migrations/env.py: APScheduler's table and the trigrams of names."""
    if type_ == "index" and name == SEARCH_KEY_TRIGRAM_INDEX:
        return False
    if type_ == "table" and name.startswith(SEARCH_KEY_TRIGRAMS):
        return False
    return not (type_ == "table" and name == "apscheduler_jobs")


def schema_differences(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _not_apscheduler}
            )
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def table_names(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_on_an_empty_database_matches_the_models(empty_database_url):
    flask_db(empty_database_url, "upgrade")
    assert {table.name for table in db.metadata.sorted_tables} <= table_names(empty_database_url)
    assert schema_differences(empty_database_url) == []


def test_migrations_go_down_and_up_again(empty_database_url):
    flask_db(empty_database_url, "upgrade")
    flask_db(empty_database_url, "downgrade", "base")
    assert table_names(empty_database_url) <= {"alembic_version"}
    flask_db(empty_database_url, "upgrade")
    assert schema_differences(empty_database_url) == []


def _search_plan(connection, query: str) -> str:
    """PostgreSQL's plan for finding the candidates whose names match `query` as the
    tablet's search does, sequential scans discouraged."""
    terms = services._search_terms(query)
    statement = select(Candidate.id).where(*(services._name_like(name) for name in terms))
    compiled = statement.compile(dialect=connection.dialect)
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled.string}", {**compiled.params, **terms})
    return "\n".join(row[0] for row in rows)


def test_the_search_of_names_can_use_the_trigram_index_on_postgresql(request):
    request.getfixturevalue("postgres_database")
    url = databases.create_database("jdt_trigram")
    flask_db(url, "upgrade")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")
            # Of three letters or more, every word is looked up in the index…
            assert SEARCH_KEY_TRIGRAM_INDEX in _search_plan(connection, "Lefèvre")
            assert SEARCH_KEY_TRIGRAM_INDEX in _search_plan(connection, "jean de la fontaine")
            # …but a word of two has no trigram: the index would be read whole.
            assert SEARCH_KEY_TRIGRAM_INDEX not in _search_plan(connection, "le")
        flask_db(url, "downgrade", "e379530ad9cb")
        assert SEARCH_KEY_TRIGRAM_INDEX not in {
            index["name"] for index in inspect(engine).get_indexes("candidate")
        }
    finally:
        engine.dispose()


def test_the_search_of_names_goes_through_the_trigrams_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'trigrams.sqlite3'}"
    flask_db(url, "upgrade")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            for query, through_trigrams in (("Lefèvre", True), ("sy lefevre", True), ("le", False)):
                terms = services._search_terms(query)
                statement = services._people_found(tuple(terms))._build("sqlite")
                compiled = statement.compile(dialect=connection.dialect)
                plan = " ".join(
                    str(row[-1])
                    for row in connection.exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {compiled.string}",
                        tuple(
                            {**compiled.params, "event_id": 1, **terms}[name]
                            for name in compiled.positiontup
                        ),
                    )
                )
                assert (f"SCAN {SEARCH_KEY_TRIGRAMS} VIRTUAL TABLE" in plan) is through_trigrams, (
                    plan
                )
        flask_db(url, "downgrade", "e379530ad9cb")
        assert not any(
            name.startswith(SEARCH_KEY_TRIGRAMS) for name in inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_without_the_right_to_enable_pg_trgm_the_upgrade_goes_on_with_a_scan(request):
    """On a server where the app's user may create tables but not extensions (a managed
    database, say), the migration leaves the index out and the search still works."""
    request.getfixturevalue("postgres_database")
    url = databases.create_database("jdt_no_trgm")
    name = url.rsplit("/", 1)[1]
    role = f"jdt_plain_{uuid.uuid4().hex[:8]}"
    server = databases.server_url()
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    with psycopg.connect(server.rsplit("/", 1)[0] + "/" + name, autocommit=True) as admin:
        admin.execute(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"')
    parts = urllib.parse.urlsplit(url)
    as_role = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl()
    try:
        flask_db(as_role, "upgrade")
        assert schema_differences(as_role) == []
        engine = create_engine(as_role)
        try:
            indexes = {index["name"] for index in inspect(engine).get_indexes("candidate")}
            assert SEARCH_KEY_TRIGRAM_INDEX not in indexes
            with engine.connect() as connection:  # the search's statement runs, by a scan
                assert "Seq Scan" in _search_plan(connection, "Lefèvre")
        finally:
            engine.dispose()
    finally:
        databases.drop_database(name)
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
