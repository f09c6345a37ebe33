"""Real-browser fixtures: the app served on a free port (SQLite file and PostgreSQL), Chromium.

Every test here runs once per database (the `database_url` fixture of tests/conftest.py), with
CSRF protection on, exactly as in production.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests import databases
from tests.e2e import browsing

#: Debian's Chromium (`make browser` installs it); Playwright's own download is not used.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _unavailable(reason: str):
    message = f"Chromium: {reason}"
    if databases.STRICT:
        pytest.fail(message + " (CI=true requires it)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session (each test gets its own context)."""
    if not Path(CHROMIUM).is_file():
        _unavailable(f"not found at {CHROMIUM} (`make browser` installs it with apt)")
    from playwright.sync_api import Error, sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Error as error:
        playwright.stop()
        _unavailable(f"{CHROMIUM} does not start ({str(error).splitlines()[0]})")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session", autouse=True)
def audited_pages_log():
    """Start the list of pages audited by axe afresh for this session."""
    browsing.AUDIT_LOG.parent.mkdir(parents=True, exist_ok=True)
    browsing.AUDIT_LOG.write_text("")


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.url + path


@pytest.fixture
def live_server(make_app):
    """The real app (CSRF on) with the demo tour, served by werkzeug in a background thread."""
    app = make_app(WTF_CSRF_ENABLED=True)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app, url)
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies); closed after the test.

    `new_page(PHONE)` is a touch phone, `new_page(DESKTOP)` an office screen.
    """
    contexts = []

    def open_page(viewport=DESKTOP):
        phone = viewport["width"] < 600
        context = browser.new_context(
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        browsing.watch_console(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


STAFF_PASSWORD = "motdepasse-solide-e2e"


@pytest.fixture
def staff_account(live_server):
    """A staff member's (email, password) on the live server."""
    from app.auth.models import Role
    from app.auth.services import create_user
    from app.extensions import db

    with live_server.app.app_context():
        user = create_user(
            "agent.accueil@asso.example", "Agent Accueil", STAFF_PASSWORD, Role.STAFF
        )
        db.session.commit()
        return user.email, STAFF_PASSWORD


@pytest.fixture
def register_person(live_server, details):
    """Register someone at the étape of `town` (service call, committed); returns their
    "Mon inscription" token. Fields of CandidateDetails can be overridden."""
    from sqlalchemy import select

    from app.candidates.services import register
    from app.events.models import Event, Venue
    from app.extensions import db

    def make(town: str, **fields) -> str:
        with live_server.app.app_context():
            event = db.session.scalars(
                select(Event).join(Venue).where(Venue.town == town).order_by(Event.date.desc())
            ).first()
            registration = register(event.id, details(**fields))
            db.session.commit()
            return registration.manage_token

    return make


@pytest.fixture
def last_email(live_server):
    """The text of the last email of `kind` queued for `recipient` in the outbox."""
    from sqlalchemy import select

    from app.extensions import db
    from app.notifications.models import OutboxMessage

    def read(kind: str, recipient: str) -> str:
        with live_server.app.app_context():
            message = db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == kind, OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id.desc())
            ).first()
            assert message is not None, f"no {kind} email for {recipient}"
            return message.text_body

    return read
