"""`reads_outside_transaction`: a view that only reads sends no BEGIN (each statement is
its own transaction), and the connection goes back to the pool as it was."""

import threading

from flask import jsonify
from sqlalchemy import text

from app.auth.permissions import public
from app.db import reads_outside_transaction
from app.extensions import db


def in_transaction() -> bool:
    """Whether the session's DB-API connection is inside a transaction after a statement."""
    db.session.execute(text("SELECT 1"))
    driver = db.session.connection().connection.driver_connection
    if hasattr(driver, "pgconn"):  # psycopg
        return driver.info.transaction_status.name != "IDLE"
    return driver.in_transaction


def add_views(app):
    @app.route("/test/alone")
    @public
    @reads_outside_transaction
    def alone():
        return jsonify(in_transaction=in_transaction())

    @app.route("/test/usual")
    @public
    def usual():
        return jsonify(in_transaction=in_transaction())


def test_a_view_that_only_reads_runs_outside_a_transaction_and_gives_the_connection_back_as_it_was(
    make_app,
):
    app = make_app()
    add_views(app)
    client = app.test_client()
    assert client.get("/test/usual").json == {"in_transaction": True}
    assert client.get("/test/alone").json == {"in_transaction": False}
    # The same pooled connection, lent again: transactions as usual.
    assert client.get("/test/usual").json == {"in_transaction": True}
    assert client.post("/test/usual").status_code == 405


def test_each_statement_sees_what_was_committed_when_it_started(make_app):
    """Outside a transaction, a second read sees a row committed after the first one (on
    SQLite, a transaction would have kept the first snapshot)."""
    app = make_app()
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY)"))
        db.session.commit()
    seen = {}

    def writer():
        with app.app_context():
            db.session.execute(text("INSERT INTO note (id) VALUES (1)"))
            db.session.commit()
            db.session.remove()

    @app.route("/test/twice")
    @public
    @reads_outside_transaction
    def twice():
        seen["before"] = db.session.execute(text("SELECT count(*) FROM note")).scalar()
        thread = threading.Thread(target=writer)
        thread.start()
        thread.join(timeout=30)
        seen["after"] = db.session.execute(text("SELECT count(*) FROM note")).scalar()
        return "ok"

    assert app.test_client().get("/test/twice").status_code == 200
    assert seen == {"before": 0, "after": 1}
    with app.app_context():
        db.session.execute(text("DROP TABLE note"))
        db.session.commit()
