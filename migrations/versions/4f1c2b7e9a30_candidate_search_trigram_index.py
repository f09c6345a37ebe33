"""the search of names: trigrams of candidate.search_key (PostgreSQL and SQLite)

Revision ID: 4f1c2b7e9a30
Revises: e379530ad9cb
Create Date: 2026-12-04 01:40:00

The tablet's search looks for every word of a name anywhere in `search_key`
(`LIKE '%word%'`), which a B-tree index cannot serve: the 5,000 candidates of an étape
were read at each search (2.7 ms on PostgreSQL, 1.0 to 1.6 ms on SQLite), against 0.2 and
0.35 ms through an index of trigrams:
- PostgreSQL: a GIN index (`pg_trgm`, shipped with PostgreSQL), made only where the
  extension can be had (without it the search still works, by a scan), and without a
  pending list (`fastupdate = off`);
- SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34+), kept up to date by
  triggers, filled here.
They are not in the models (`app.candidates.models`: SEARCH_KEY_TRIGRAM_INDEX,
SEARCH_KEY_TRIGRAMS): the schema comparisons leave them aside by their names.
"""

import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4f1c2b7e9a30"
down_revision = "e379530ad9cb"
branch_labels = None
depends_on = None

INDEX = "ix_candidate_search_key_trgm"  # app.candidates.models.SEARCH_KEY_TRIGRAM_INDEX
TRIGRAMS = "candidate_search"  # app.candidates.models.SEARCH_KEY_TRIGRAMS
#: As app.candidates.models.SQLITE_SEARCH_TRIGRAMS_DDL was when this was written.
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {TRIGRAMS} USING fts5(search_key, content='candidate', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {TRIGRAMS}_insert AFTER INSERT ON candidate BEGIN "
    f"INSERT INTO {TRIGRAMS} (rowid, search_key) VALUES (new.id, new.search_key); END",
    f"CREATE TRIGGER {TRIGRAMS}_delete AFTER DELETE ON candidate BEGIN "
    f"INSERT INTO {TRIGRAMS} ({TRIGRAMS}, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    f"CREATE TRIGGER {TRIGRAMS}_update AFTER UPDATE OF search_key ON candidate BEGIN "
    f"INSERT INTO {TRIGRAMS} ({TRIGRAMS}, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    f"INSERT INTO {TRIGRAMS} (rowid, search_key) VALUES (new.id, new.search_key); END",
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DDL:
            op.execute(statement)
        op.execute(f"INSERT INTO {TRIGRAMS} ({TRIGRAMS}) VALUES ('rebuild')")
        return
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    if available is None:
        logging.getLogger("alembic").warning(
            "pg_trgm is not installed on this server: the search of names scans the table."
        )
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:  # not allowed to create extensions here
        savepoint.rollback()
        logging.getLogger("alembic").warning(
            "pg_trgm could not be enabled (%s): the search of names scans the table.",
            error.orig,
        )
        return
    savepoint.commit()
    # Written at once, not kept in a pending list that every search would read until a
    # vacuum merges it: candidates are added now and then, and searched for all day.
    op.execute(
        f"CREATE INDEX {INDEX} ON candidate USING gin (search_key gin_trgm_ops) "
        "WITH (fastupdate = off)"
    )


def downgrade():
    dialect_name = op.get_bind().dialect.name
    if dialect_name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    elif dialect_name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {TRIGRAMS}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {TRIGRAMS}")
