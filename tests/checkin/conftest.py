"""Check-in fixtures: an étape of the day with people, and paired tablets."""

from datetime import time

import pytest
from flask import g

from app.checkin import devices
from app.extensions import db
from tests.interviews.conftest import (  # noqa: F401
    make_participation,
    make_registration,
    staff_user,
)


def _forget_signed_in_user() -> None:
    g.pop("_login_user", None)


@pytest.fixture
def app(make_app):
    """As the main `app`, but each request reads its own client's session: the shared app
    context of a test would otherwise keep the first signed-in user (Flask-Login caches it
    in `g`) for the tablet's client too."""
    application = make_app()
    application.before_request(_forget_signed_in_user)
    with application.app_context():
        yield application


@pytest.fixture
def day(make_event, make_registration):  # noqa: F811  (the fixture imported above)
    """An étape today with three confirmed people."""
    event = make_event(capacity=50, days_ahead=0, closes_before=0)
    people = [
        make_registration(event, last_name=last, first_name=first, phone=phone)
        for last, first, phone in (
            ("Martin", "Sylvie", "+33612345678"),
            ("Lefèvre", "Hélène", None),
            ("Dubois", "Jean-Marc", "+33320000000"),
        )
    ]
    return event, people


@pytest.fixture
def make_device(app):
    """A tablet paired for `event`; returns (device, cookie secret)."""

    def make(event):
        device, secret = devices.add_device(event)
        db.session.flush()
        device, token = devices.pair(secret)
        db.session.commit()
        return device, token

    return make


def interview_hours():
    return {"starts_at": time(9), "ends_at": time(10)}
