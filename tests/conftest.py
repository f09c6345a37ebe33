"""Fixtures: every test that takes `app` runs once on SQLite and once on PostgreSQL."""

import itertools
from datetime import date, time, timedelta

import pytest
from sqlalchemy import text

from app import create_app
from app.auth.models import Role
from app.auth.services import create_user
from app.candidates.models import Referral
from app.candidates.services import CandidateDetails
from app.events.models import Event, EventStatus, Tour, Venue, today_in_paris
from app.extensions import db
from tests import databases

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "BASE_URL": "http://localhost",
    # Email tests start their own SMTP server and set the port; nothing listens here.
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 9,
    "MAIL_SUPPRESS_SEND": False,
    "MAIL_TIMEOUT": 3,
}


@pytest.fixture(scope="session")
def postgres_database():
    """One PostgreSQL database for the session (schema created once, emptied after each test)."""
    if databases.server_url() is None:
        message = "PostgreSQL: no server on TEST_DATABASE_URL or 127.0.0.1:5432, and no initdb to start one"
        if databases.STRICT:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    return databases.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def make_app(database_url):
    """Build an app on this test's database with extra settings; the schema is created."""
    built = []

    def make(**overrides):
        application = create_app(
            {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        )
        with application.app_context():
            db.create_all()
        built.append(application)
        return application

    yield make
    for application in built:
        with application.app_context():
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                with db.engine.begin() as connection:
                    connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = itertools.count(1)


@pytest.fixture
def make_event(app):
    """Create (and commit) an étape open for registration; returns it."""

    def make(
        capacity=10,
        days_ahead=30,
        tour=None,
        town=None,
        status=EventStatus.PUBLISHED,
        opens_in=-10,
        closes_before=1,
        min_age=50,
        **fields,
    ):
        number = next(_counter)
        if tour is None:
            tour = Tour(slug=f"tour-{number}", name=f"Tournée {number}", year=2026, min_age=min_age)
            db.session.add(tour)
        town = town or f"Ville {number}"
        venue = Venue(
            name=f"Salle {number}",
            address=f"{number} rue de la Gare",
            postcode="59000",
            town=town,
            transport="Métro ligne 1",
            accessibility="Plain-pied",
        )
        day = today_in_paris() + timedelta(days=days_ahead)
        event = Event(
            tour=tour,
            venue=venue,
            date=day,
            starts_at=time(9),
            ends_at=time(13),
            capacity=capacity,
            registration_opens_on=today_in_paris() + timedelta(days=opens_in),
            registration_closes_on=day - timedelta(days=closes_before),
            status=status,
            **fields,
        )
        db.session.add(event)
        db.session.commit()
        return event

    return make


@pytest.fixture
def details():
    """Build CandidateDetails for a distinct person (override any field)."""

    def make(**overrides):
        number = next(_counter)
        values = {
            "last_name": "Martin",
            "first_name": f"Sylvie{'abcdefghij'[number % 10]}",
            "email": f"sylvie.martin{number}@exemple.fr",
            "phone": None,
            "birth_year": 1965,
            "postcode": "59000",
            "referral": Referral.FRANCE_TRAVAIL,
            "domains": ["D"],
            "wants_workshop": False,
        }
        values.update(overrides)
        return CandidateDetails(**values)

    return make


@pytest.fixture
def make_user(app):
    def make(role=Role.STAFF, email=None, password="motdepasse-solide"):
        user = create_user(
            email or f"agent{next(_counter)}@asso.example", "Agent Test", password, role
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def staff_client(app, make_user):
    """A test client signed in as staff."""
    user = make_user(Role.STAFF)
    test_client = app.test_client()
    response = test_client.post(
        "/connexion", data={"email": user.email, "password": "motdepasse-solide"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return test_client


@pytest.fixture
def admin_client(app, make_user):
    user = make_user(Role.ADMIN)
    test_client = app.test_client()
    response = test_client.post(
        "/connexion", data={"email": user.email, "password": "motdepasse-solide"}
    )
    assert response.status_code == 302
    return test_client


def registration_form(**overrides) -> dict:
    """POST data of a valid registration form."""
    data = {
        "last_name": "Dupont",
        "first_name": "Marie",
        "email": f"marie.dupont{next(_counter)}@exemple.fr",
        "phone": "06 12 34 56 78",
        "birth_year": "1966",
        "postcode": "59000",
        "referral": "france_travail",
        "domains": ["D", "K"],
        "wants_workshop": "y",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def today() -> date:
    return today_in_paris()
