"""Many people at once: the seats, the waiting list and duplicates hold under concurrency.

Each thread works in its own application context (its own session and connection), and all
start together at a barrier. Runs on a SQLite file and on PostgreSQL (the `app` fixture).
"""

import threading

import pytest
from sqlalchemy import func, select

from app.candidates import services
from app.candidates.models import Registration, RegistrationStatus
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests.candidates.conftest import assert_seats_match
from tests.conftest import registration_form

pytestmark = pytest.mark.slow


def run_together(app, count, work):
    """Run `work(index)` in `count` threads released at once; commit each one's work.

    Returns what each returned, or the exception it raised (its work is then rolled back).
    """
    # Nothing of the test's own session may hold the SQLite write lock meanwhile.
    db.session.commit()
    barrier = threading.Barrier(count, timeout=60)
    outcomes: list = [None] * count

    def thread_main(index):
        with app.app_context():
            try:
                barrier.wait()
                outcomes[index] = work(index)
                db.session.commit()
            except Exception as error:  # recorded, and checked by the test
                db.session.rollback()
                outcomes[index] = error

    threads = [threading.Thread(target=thread_main, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    db.session.expire_all()
    return outcomes


def unexpected(outcomes, allowed_codes=()):
    """Exceptions other than DomainErrors with one of `allowed_codes`."""
    return [
        outcome
        for outcome in outcomes
        if isinstance(outcome, Exception)
        and not (isinstance(outcome, DomainError) and outcome.code in allowed_codes)
    ]


def statuses(event_id) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    return {status.value: number for status, number in rows}


def assert_waiting_list_is_used(*event_ids):
    """Nobody waits while a seat is free, and waiting positions are 1, 2, 3…"""
    for event_id in event_ids:
        event = db.session.get(Event, event_id)
        waiting = db.session.scalars(
            select(Registration).where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
        ).all()
        if waiting:
            assert event.seats_taken == event.capacity, (event, len(waiting))
        positions = sorted(services.waitlist_position(r) for r in waiting)
        assert positions == list(range(1, len(waiting) + 1))


def test_fifty_people_for_the_last_five_seats(app, make_event, details):
    capacity = 20
    event = make_event(capacity=capacity)
    event_id = event.id
    for _ in range(capacity - 5):
        services.register(event_id, details())
    db.session.commit()
    people = [
        details(last_name="Concurrent", first_name=f"Personne{chr(65 + i % 26)}{i}")
        for i in range(50)
    ]

    def register(index):
        return services.register(event_id, people[index]).status

    outcomes = run_together(app, 50, register)

    assert unexpected(outcomes) == []
    assert outcomes.count(RegistrationStatus.CONFIRMED) == 5
    assert outcomes.count(RegistrationStatus.WAITLISTED) == 45
    assert statuses(event_id) == {"confirmed": capacity, "waitlisted": 45}
    event = db.session.get(Event, event_id)
    assert event.seats_taken == event.capacity == capacity
    assert_seats_match(event_id)
    assert_waiting_list_is_used(event_id)
    kinds = db.session.execute(
        select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
    ).all()
    assert dict(kinds) == {"registration_confirmed": capacity, "registration_waitlisted": 45}


def test_concurrent_cancellations_and_moves_keep_the_seat_count(app, make_event, details):
    first = make_event(capacity=4)
    events = [
        first,
        make_event(capacity=4, tour=first.tour),
        make_event(capacity=4, tour=first.tour),
    ]
    event_ids = [event.id for event in events]
    registration_ids = []
    for event_id in event_ids:
        for _ in range(6):  # 4 confirmed, 2 waiting at each étape
            registration_ids.append(services.register(event_id, details()).id)
    db.session.commit()
    # Two threads per registration: one moves it to the next étape, the other cancels it
    # or moves it elsewhere, so that they race on the same rows.
    plans = []
    for number, registration_id in enumerate(registration_ids):
        home = event_ids[number // 6]
        next_one = event_ids[(event_ids.index(home) + 1) % 3]
        last_one = event_ids[(event_ids.index(home) + 2) % 3]
        plans.append(("move", registration_id, next_one))
        plans.append(
            ("cancel", registration_id, None) if number % 2 else ("move", registration_id, last_one)
        )

    def act(index):
        action, registration_id, target = plans[index]
        registration = db.session.get(Registration, registration_id)
        if action == "cancel":
            services.cancel(registration)
        else:
            services.move(registration, target)
        return action

    outcomes = run_together(app, len(plans), act)

    allowed = ("already_cancelled", "same_event", "duplicate")
    assert unexpected(outcomes, allowed) == []
    assert sum(outcome == "cancel" for outcome in outcomes) >= 1
    assert sum(outcome == "move" for outcome in outcomes) >= 1
    assert_seats_match(*event_ids)
    assert_waiting_list_is_used(*event_ids)
    cancelled = sum(statuses(event_id).get("cancelled", 0) for event_id in event_ids)
    assert cancelled == sum(outcome == "cancel" for outcome in outcomes)


def test_cancellations_racing_registrations(app, make_event, details):
    event = make_event(capacity=5)
    event_id = event.id
    registered = [services.register(event_id, details()).id for _ in range(10)]
    db.session.commit()
    newcomers = [details() for _ in range(10)]

    def act(index):
        if index < 10:
            services.cancel(db.session.get(Registration, registered[index]))
            return "cancelled"
        return services.register(event_id, newcomers[index - 10]).status

    outcomes = run_together(app, 20, act)

    assert unexpected(outcomes) == []
    assert outcomes[:10] == ["cancelled"] * 10
    assert statuses(event_id) == {"cancelled": 10, "confirmed": 5, "waitlisted": 5}
    assert_seats_match(event_id)
    assert_waiting_list_is_used(event_id)


def test_the_same_person_submitting_twenty_times_at_once_is_registered_once(app, make_event):
    event = make_event(capacity=10)
    url = f"/etapes/{event.id}/inscription"
    form = registration_form(email="meme.personne@exemple.fr")

    def submit(index):
        response = app.test_client().post(url, data=form)
        return response.status_code, response.get_data(as_text=True)

    outcomes = run_together(app, 20, submit)

    assert unexpected(outcomes) == []
    codes = sorted(code for code, _page in outcomes)
    assert codes == [200] * 19 + [302], codes
    assert all("déjà inscrit(e)" in page for code, page in outcomes if code == 200)
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    kinds = dict(
        db.session.execute(
            select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
        ).all()
    )
    assert kinds["registration_confirmed"] == 1
    assert 1 <= kinds["registration_link"] <= 2  # once an hour (twice if the hour turns)
    assert_seats_match(event.id)


def test_the_same_person_by_phone_and_name_twenty_times_is_registered_once(
    app, make_event, details
):
    event = make_event(capacity=10)
    event_id = event.id
    same = [
        details(email=None, phone="+33612345678", last_name="Petit", first_name=name)
        for name in ["Jean", "JEAN", "jean"] * 7
    ][:20]

    def register(index):
        return services.register(event_id, same[index]).id

    outcomes = run_together(app, 20, register)

    assert unexpected(outcomes, ("duplicate",)) == []
    assert sum(isinstance(outcome, int) for outcome in outcomes) == 1
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    assert_seats_match(event_id)


def test_the_link_asked_twenty_times_at_once_is_queued_once(app, make_event, details):
    event = make_event()
    registration_id = services.register(event.id, details()).id
    db.session.commit()

    def resend(index):
        services.resend_link(db.session.get(Registration, registration_id))

    outcomes = run_together(app, 20, resend)

    assert unexpected(outcomes) == []
    links = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "registration_link")
    )
    assert links == 1


@pytest.mark.parametrize("action", ["annuler", "supprimer-mes-donnees", "changer-d-etape"])
def test_a_double_click_on_an_action_is_harmless(app, make_event, details, action):
    event = make_event(capacity=1)
    target = make_event(capacity=5, tour=event.tour)
    registration = services.register(event.id, details())
    waiting_id = services.register(event.id, details()).id
    url = f"/mon-inscription/{registration.manage_token}/{action}"
    event_ids = (event.id, target.id)
    data = {"event_id": str(target.id)}

    def click(index):
        return app.test_client().post(url, data=data).status_code

    outcomes = run_together(app, 5, click)

    assert unexpected(outcomes) == []
    assert all(code in (302, 404) for code in outcomes), outcomes
    assert outcomes.count(302) >= 1
    assert_seats_match(*event_ids)
    assert db.session.get(Registration, waiting_id).status == RegistrationStatus.CONFIRMED
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.kind.in_(["registration_cancelled", "registration_moved"])
            )
        )
        <= 1
    )
