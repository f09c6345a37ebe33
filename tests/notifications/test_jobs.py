"""Background jobs: the J-2 reminder, the scheduler with its job store in the database."""

import pickle
import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, text, update

from app import jobs
from app.candidates.jobs import send_event_reminders
from app.candidates.models import Registration, RegistrationStatus
from app.candidates.services import cancel, register
from app.db import utcnow
from app.events.models import Event
from app.extensions import db
from app.notifications.models import OutboxMessage


def _register(event, details, *, days_ago=2, **overrides) -> Registration:
    registration = register(event.id, details(**overrides))
    if registration.status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return registration


def _reminders() -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "event_reminder").order_by("id")
    ).all()


def test_reminder_once_per_confirmed_registration_two_days_ahead(app, make_event, details):
    soon = make_event(days_ahead=2, capacity=3, town="Tourcoing")
    reminded = [_register(soon, details), _register(soon, details)]
    _register(soon, details, days_ago=0)  # confirmed an hour ago: has just got the ticket
    waitlisted = _register(soon, details)
    assert waitlisted.status == RegistrationStatus.WAITLISTED
    cancelled = _register(make_event(days_ahead=2), details)
    cancel(cancelled)
    db.session.commit()
    _register(make_event(days_ahead=2), details, email=None, phone="+33612345678")
    _register(make_event(days_ahead=5), details)  # too early
    tomorrow = _register(make_event(days_ahead=1), details)  # J-2 missed: caught up on J-1

    assert send_event_reminders() == 3
    rows = _reminders()
    assert sorted(row.recipient for row in rows) == sorted(
        r.candidate.email for r in [*reminded, tomorrow]
    )
    tourcoing = next(row for row in rows if row.recipient == reminded[0].candidate.email)
    assert "Tourcoing" in tourcoing.subject
    assert "dans 2 jours" in tourcoing.text_body
    assert reminded[0].display_code in tourcoing.text_body
    assert [a["filename"] for a in tourcoing.attachments] == ["billet-qr.png", "job-dating.ics"]
    assert "C'est demain" in next(
        row.text_body for row in rows if row.recipient == tomorrow.candidate.email
    )

    # Idempotent: running again (by the scheduler or by hand) queues nothing more.
    assert send_event_reminders() == 0
    result = app.test_cli_runner().invoke(args=["jobs", "run-one", "send_event_reminders"])
    assert result.exit_code == 0, result.output
    assert len(_reminders()) == 3


def test_reminder_in_the_candidates_language(app, make_event, details):
    registration = _register(make_event(days_ahead=2), details, locale="en")
    assert send_event_reminders() == 1
    [row] = _reminders()
    # The email is rendered under the candidate's locale: English catalogue, lang attribute.
    assert '<html lang="en">' in row.html_body
    assert row.subject.startswith("Reminder: Job Dating in ")
    assert "we look forward to seeing you at the Job Dating in 2 days" in row.text_body
    assert "C'est bientôt" not in row.text_body
    assert registration.display_code in row.text_body


@pytest.fixture
def scheduler(app):
    built = []

    def build():
        instance = jobs.build_scheduler(app, BackgroundScheduler)
        built.append(instance)
        return instance

    yield build
    for instance in built:
        if instance.running:
            instance.shutdown(wait=True)
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))


def test_scheduler_persists_its_jobs_in_the_database_and_sends(
    app, smtp_server, scheduler, make_event, details
):
    _register(make_event(), details)
    db.session.close()  # no transaction held while the scheduler's threads work
    instance = scheduler()
    instance.start()

    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, job_state FROM apscheduler_jobs")).all()
    states = {row.id: pickle.loads(row.job_state) for row in rows}
    assert set(states) == {
        "send_outbox",
        "send_event_reminders",
        "anonymise_expired_candidates",
        "send_employer_day_schedules",
    }
    # Only a reference to the entry point and the job's name are stored.
    for name, state in states.items():
        assert (state["func"], state["args"]) == ("app.jobs:run_job", (name,))
    # The retention job runs once a day, at night.
    trigger = {
        field.name: str(field) for field in states["anonymise_expired_candidates"]["trigger"].fields
    }
    assert (trigger["day"], trigger["hour"], trigger["minute"]) == ("*", "3", "30")

    instance.modify_job("send_outbox", next_run_time=datetime.now(UTC))
    deadline = time.monotonic() + 20
    while not smtp_server.received and time.monotonic() < deadline:
        time.sleep(0.1)
    instance.shutdown(wait=True)
    assert len(smtp_server.received) == 1

    # A second start (a restart of `flask jobs run`) replaces the jobs, no duplicates.
    again = scheduler()
    again.start(paused=True)
    assert sorted(job.id for job in again.get_jobs()) == [
        "anonymise_expired_candidates",
        "send_employer_day_schedules",
        "send_event_reminders",
        "send_outbox",
    ]
    again.shutdown()


def test_run_job_sends_the_outbox(app, smtp_server, make_event, details):
    _register(make_event(), details)
    jobs.run_job("send_outbox")
    assert len(smtp_server.received) == 1


def test_run_job_rolls_back_and_reports_a_failure(app, monkeypatch, make_event):
    event_id = make_event().id
    db.session.close()

    def broken():
        db.session.execute(update(Event).where(Event.id == event_id).values(notes="changed"))
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.JOBS, "broken", broken)
    with pytest.raises(RuntimeError):
        jobs.run_job("broken")
    assert db.session.get(Event, event_id).notes == ""
