"""the search of names: a trigram index on candidate.search_key (PostgreSQL)

Revision ID: 4f1c2b7e9a30
Revises: e379530ad9cb
Create Date: 2026-12-04 01:40:00

The tablet's search looks for every word of a name anywhere in `search_key`
(`LIKE '%word%'`), which a B-tree index cannot serve: PostgreSQL read the 5,000
candidates of an étape for each search (2.7 ms), against 0.2 ms through a GIN index of
trigrams (`pg_trgm`, shipped with PostgreSQL). The index is made only on PostgreSQL, and
only where the extension can be had; without it the search still works, by a scan. It is
not in the models (SQLite has no such index): the schema comparisons leave it aside by its
name, `app.candidates.models.SEARCH_KEY_TRIGRAM_INDEX`.
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


def upgrade():
    bind = op.get_bind()
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
    op.execute(f"CREATE INDEX {INDEX} ON candidate USING gin (search_key gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
