"""Twenty tablets scanning one ticket at once, the same request sent twenty times, a nonce
misused for three people, and an offline queue replayed twice: one check-in each, never an
error, and an audit log that matches the check-ins. SQLite and PostgreSQL."""

import threading
import time

import pytest
from sqlalchemy import func, select

from app.checkin import services
from app.checkin.models import CheckIn, CheckInAttempt, CheckInMethod
from app.events.models import Event
from app.extensions import db
from tests.candidates.test_concurrency import run_together, unexpected

pytestmark = pytest.mark.slow


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def scan(app, event_id, code, nonce, offline=False):
    event = db.session.get(Event, event_id)
    return services.check_in(
        event.id,
        code,
        actor=services.Actor(),
        nonce=nonce,
        offline=offline,
        method=CheckInMethod.CAMERA,
    )


def audit_matches_check_ins() -> None:
    """Every check-in has its attempt, which says so; no attempt says so without one."""
    let_in = db.session.scalars(
        select(CheckInAttempt.registration_id).where(CheckInAttempt.result == "checked_in")
    ).all()
    assert sorted(let_in) == sorted(db.session.scalars(select(CheckIn.registration_id)).all())


def test_twenty_scans_of_one_ticket_at_once_let_it_in_once(app, day):
    event, (sylvie, *_others) = day
    event_id, code = event.id, sylvie.ticket_code  # read here: threads share no objects
    outcomes = run_together(
        app, 20, lambda i: scan(app, event_id, code, f"parallel-{i:04d}").status
    )
    assert unexpected(outcomes) == []
    assert sorted(outcomes).count("checked_in") == 1
    assert outcomes.count("already_checked_in") == 19
    assert count(CheckIn) == 1 and count(CheckInAttempt) == 20
    audit_matches_check_ins()


def test_one_request_sent_twenty_times_at_once_is_answered_once(app, day):
    event, (sylvie, *_others) = day
    event_id, code = event.id, sylvie.ticket_code
    outcomes = run_together(app, 20, lambda _i: scan(app, event_id, code, "same-nonce-0001").status)
    assert unexpected(outcomes) == []
    assert outcomes == ["checked_in"] * 20
    assert count(CheckIn) == 1 and count(CheckInAttempt) == 1
    audit_matches_check_ins()


def test_one_nonce_sent_for_three_people_twenty_times_at_once_lets_one_in(app, day):
    """A misused nonce: whichever request comes first lets its person in; every other is
    that answer replayed or refused, and writes nothing."""
    event, people = day
    event_id, codes = event.id, [person.ticket_code for person in people]
    outcomes = run_together(
        app, 20, lambda i: scan(app, event_id, codes[i % 3], "misused-nonce-01")
    )
    assert unexpected(outcomes, allowed_codes=("invalid_nonce",)) == []
    answers = [outcome for outcome in outcomes if isinstance(outcome, services.CheckInResult)]
    assert {(a.status, a.person.registration_id) for a in answers} == {
        ("checked_in", db.session.scalar(select(CheckIn.registration_id)))
    }
    assert count(CheckIn) == 1 and count(CheckInAttempt) == 1
    audit_matches_check_ins()


def test_an_offline_queue_replayed_twice_creates_nothing_new(app, day):
    event, people = day
    event_id = event.id
    queue = [(person.ticket_code, f"queue-{index:04d}") for index, person in enumerate(people)]
    queue.append((people[0].ticket_code, "queue-0099"))  # scanned twice while offline

    def replay():
        answers = []
        for code, nonce in queue:
            answers.append(scan(app, event_id, code, nonce, offline=True).status)
            db.session.commit()
        return answers

    first = replay()
    assert first == ["checked_in"] * 3 + ["already_checked_in"]
    rows = (count(CheckIn), count(CheckInAttempt))
    assert replay() == first
    # Two tablets replaying their queues at the same time: still nothing new.
    outcomes = run_together(app, 2, lambda _i: replay())
    assert unexpected(outcomes) == [] and outcomes == [first, first]
    assert (count(CheckIn), count(CheckInAttempt)) == rows == (3, 4)
    audit_matches_check_ins()


def test_one_nonce_sent_for_two_people_at_once_lets_only_the_first_in(app, day):
    """The second request reads the nonce before the first commits (PostgreSQL: its INSERT
    then waits for the first one; SQLite: its write waits); it must take back what it wrote
    and answer as the replay it is."""
    event, (sylvie, helene, _jean_marc) = day
    event_id, codes = event.id, (sylvie.ticket_code, helene.ticket_code)
    db.session.commit()
    first_done, commit_first = threading.Event(), threading.Event()
    outcomes = {}

    def first():
        with app.app_context():
            outcomes["first"] = scan(app, event_id, codes[0], "shared-nonce-01")
            first_done.set()
            commit_first.wait(timeout=30)
            db.session.commit()

    def second():
        with app.app_context():
            try:
                outcomes["second"] = scan(app, event_id, codes[1], "shared-nonce-01")
                db.session.commit()
            except Exception as error:  # checked below
                db.session.rollback()
                outcomes["second"] = error

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_done.wait(timeout=30)
    threads[1].start()
    time.sleep(0.5)  # the second request is now waiting for the first one's transaction
    assert "second" not in outcomes
    commit_first.set()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    replay = outcomes["second"]
    assert isinstance(replay, services.CheckInResult), replay
    assert replay.replayed and replay.person.registration_id == sylvie.id
    assert db.session.scalars(select(CheckIn.registration_id)).all() == [sylvie.id]
    assert count(CheckInAttempt) == 1
