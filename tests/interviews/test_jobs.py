"""The employer's schedule of the day, sent the day before."""

from sqlalchemy import select

from app.extensions import db
from app.interviews.jobs import send_employer_day_schedules
from app.interviews.models import InterviewSource
from app.interviews.services import booking
from app.notifications.models import OutboxMessage
from tests.interviews.test_services import slots_of


def schedules() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "employer_day_schedule")
        )
    )


def test_each_employer_gets_their_schedule_once_the_day_before(
    app, make_event, make_participation, make_registration
):
    tomorrow = make_event(days_ahead=1, closes_before=0, self_booking_open=True)
    later = make_event(days_ahead=5)
    booked = make_participation(tomorrow, tables=2)
    empty = make_participation(tomorrow)
    make_participation(tomorrow, accepted=False)  # a request not accepted: nothing
    make_participation(later)
    registration = make_registration(tomorrow, first_name="Gisèle", last_name="Vasseur")
    booking.book(registration.id, slots_of(booked)[0].id, source=InterviewSource.SELF)
    db.session.commit()

    assert send_employer_day_schedules() == 2
    assert send_employer_day_schedules() == 0  # idempotent
    by_recipient = {message.recipient: message for message in schedules()}
    assert set(by_recipient) == {booked.contact_email, empty.contact_email}
    text = by_recipient[booked.contact_email].text_body.replace("\u202f", " ").replace("\xa0", " ")
    assert "- 9 h, table n° 1 : Gisèle Vasseur" in text
    assert "Aucun entretien" in by_recipient[empty.contact_email].text_body


def test_the_job_runs_from_the_cli(app, runner, make_event, make_participation):
    participation = make_participation(make_event(days_ahead=1, closes_before=0))
    result = runner.invoke(args=["jobs", "run-one", "send_employer_day_schedules"])
    assert result.exit_code == 0, result.output
    assert [m.recipient for m in schedules()] == [participation.contact_email]
