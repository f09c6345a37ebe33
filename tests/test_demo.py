from sqlalchemy import func, select

from app.auth.models import User
from app.candidates.models import Registration, RegistrationStatus
from app.events.models import Event, Tour
from app.extensions import db


def test_demo_load_creates_the_six_towns_people_and_an_admin(runner):
    result = runner.invoke(args=["demo", "load", "--with-people"])
    assert result.exit_code == 0, result.output
    assert "admin@jobdating50.example" in result.output
    towns = db.session.scalars(
        select(Event).join(Tour).where(Tour.slug == "jdt-2023").order_by(Event.date)
    ).all()
    assert [e.venue.town for e in towns] == [
        "Wambrechies",
        "Mons-en-Barœul",
        "Ronchin",
        "Wattrelos",
        "Val-de-Marque",
        "Tourcoing",
    ]
    assert db.session.scalar(select(func.count(Tour.id))) == 2
    assert db.session.scalar(select(func.count(User.id))) == 1
    # One étape of the upcoming tour is full, with a waiting list; seats are consistent.
    for event in db.session.scalars(select(Event)):
        confirmed = db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        assert confirmed == event.seats_taken <= event.capacity
    assert (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.status == RegistrationStatus.WAITLISTED
            )
        )
        > 0
    )


def test_demo_load_if_empty_does_nothing_the_second_time(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count(Tour.id))) == 2
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0
