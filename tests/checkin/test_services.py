"""The check-in service, on SQLite and PostgreSQL: one check-in per person, the answers
(welcome, already, refused with the reason), nonces that make retries idempotent, the
audit trail, the undo, and the search by name, phone or code."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.candidates import services as candidates
from app.candidates.services import erase_personal_data
from app.checkin import services
from app.checkin.models import CheckIn, CheckInAttempt, CheckInMethod
from app.db import utcnow
from app.extensions import db
from app.interviews.models import InterviewSource
from app.interviews.services import booking
from tests.interviews.test_services import slots_of

STAFF = InterviewSource.STAFF


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def refuse(event, code, actor, **options):
    """Check in, expecting a refusal, recorded as the routes do; returns the error."""
    with pytest.raises(services.CheckInError) as caught:
        services.check_in(event.id, code, actor=actor, **options)
    db.session.rollback()
    services.record_refusal(
        event.id, code, caught.value, actor=actor, method=CheckInMethod.SCANNER, **options
    )
    db.session.commit()
    return caught.value


def test_a_ticket_lets_its_holder_in_once_and_says_when(day, make_device, make_participation):
    event, (sylvie, *_others) = day
    device, _token = make_device(event)
    participation = make_participation(event, starts_at=time(9), ends_at=time(10))
    booking.book(sylvie.id, slots_of(participation)[0].id, source=STAFF, notify=False)
    db.session.commit()
    actor = services.Actor(device=device)
    result = services.check_in(
        event.id, sylvie.ticket_code.lower(), actor=actor, nonce="nonce-0001"
    )
    db.session.commit()
    assert result.status == "checked_in" and result.checked_in_now
    assert result.check_in.device_id == device.id
    assert [(i.starts_at, i.table, i.employer) for i in result.interviews] == [
        (time(9), participation.first_table, participation.establishment.display_name)
    ]
    # The same code again (a new scan): already in, with the time and the tablet.
    spaced = f"{sylvie.ticket_code[:4]}-{sylvie.ticket_code[4:]}"
    again = services.check_in(event.id, spaced, actor=actor, nonce="nonce-0002")
    db.session.commit()
    assert again.status == "already_checked_in" and not again.replayed
    assert again.check_in.id == result.check_in.id
    assert device.name in services.already_message(again.arrival)
    assert count(CheckIn) == 1
    assert [
        a.result for a in db.session.scalars(select(CheckInAttempt).order_by(CheckInAttempt.id))
    ] == [
        "checked_in",
        "already_checked_in",
    ]


def test_a_retried_nonce_gets_the_first_answer_and_writes_nothing(day, make_device):
    event, (sylvie, *_others) = day
    device, _token = make_device(event)
    actor = services.Actor(device=device)
    first = services.check_in(event.id, sylvie.ticket_code, actor=actor, nonce="retry-0001")
    db.session.commit()
    attempts = count(CheckInAttempt)
    for _ in range(3):
        replay = services.check_in(event.id, sylvie.ticket_code, actor=actor, nonce="retry-0001")
        db.session.commit()
        assert replay.replayed and replay.status == "checked_in"
        assert replay.check_in.id == first.check_in.id
    assert count(CheckInAttempt) == attempts and count(CheckIn) == 1


@pytest.mark.parametrize(
    "code, expected, words",
    [
        ("", "invalid_code", "8 lettres et chiffres"),
        ("7K3M-Q9Z", "invalid_code", "8 lettres et chiffres"),
        ("<script>alert(1)</script>", "invalid_code", "Cherchez la personne"),
        ("\x00\x00\x00\x00\x00\x00\x00\x00", "invalid_code", "8 lettres"),
        ("ZZZZ-ZZZZ", "unknown_code", "Code inconnu"),
    ],
)
def test_garbage_and_unknown_codes_are_refused_and_logged(day, staff_user, code, expected, words):
    event, _people = day
    error = refuse(event, code, services.Actor(user=staff_user))
    assert error.code == expected and words in error.message
    assert count(CheckIn) == 0
    attempt = db.session.scalars(select(CheckInAttempt)).one()
    assert (attempt.result, attempt.user_id) == (expected, staff_user.id)


def test_a_ticket_of_another_etape_names_it(day, make_event, make_registration, staff_user):
    event, _people = day
    elsewhere = make_event(town="Roubaix")
    stranger = make_registration(elsewhere)
    error = refuse(event, stranger.ticket_code, services.Actor(user=staff_user))
    assert error.code == "other_event" and "Roubaix" in error.message
    assert error.registration.id == stranger.id
    assert count(CheckIn) == 0


def test_cancelled_and_waitlisted_people_are_refused_with_the_reason(
    day, make_event, make_registration, staff_user
):
    event, (sylvie, *_others) = day
    candidates.cancel(sylvie, notify=False)
    db.session.commit()
    actor = services.Actor(user=staff_user)
    assert refuse(event, sylvie.ticket_code, actor).code == "cancelled"
    full = make_event(capacity=1, days_ahead=0, closes_before=0)
    make_registration(full)
    waiting = make_registration(full)
    assert waiting.status.value == "waitlisted"
    error = refuse(full, waiting.ticket_code, actor)
    assert error.code == "waitlisted" and "liste d'attente" in error.message
    assert count(CheckIn) == 0


def test_a_bad_nonce_is_refused(day, staff_user):
    event, (sylvie, *_others) = day
    with pytest.raises(services.CheckInError) as caught:
        services.check_in(
            event.id, sylvie.ticket_code, actor=services.Actor(user=staff_user), nonce="x"
        )
    assert caught.value.code == "invalid_nonce"


def test_the_tablet_undoes_within_a_minute_and_staff_later(day, make_device, staff_user):
    event, (sylvie, helene, _jean) = day
    device, _token = make_device(event)
    tablet = services.Actor(device=device)
    made = services.check_in(event.id, sylvie.ticket_code, actor=tablet).check_in
    db.session.commit()
    services.undo_check_in(event, made.id, actor=tablet)
    db.session.commit()
    assert count(CheckIn) == 0
    with pytest.raises(services.CheckInError) as caught:
        services.undo_check_in(event, made.id, actor=tablet)
    assert caught.value.code == "not_checked_in"
    db.session.rollback()
    late = services.check_in(event.id, helene.ticket_code, actor=tablet).check_in
    late.checked_in_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    with pytest.raises(services.CheckInError) as caught:
        services.undo_check_in(event, late.id, actor=tablet)
    assert caught.value.code == "undo_too_late"
    db.session.rollback()
    services.undo_check_in(event, late.id, actor=services.Actor(user=staff_user))
    db.session.commit()
    assert count(CheckIn) == 0
    results = db.session.scalars(select(CheckInAttempt.result).order_by(CheckInAttempt.id)).all()
    assert results == ["checked_in", "undone", "checked_in", "undone"]


def test_an_offline_scan_keeps_its_scan_time(day, make_device):
    event, (sylvie, *_others) = day
    device, _token = make_device(event)
    scanned = utcnow() - timedelta(minutes=20)
    made = services.check_in(
        event.id,
        sylvie.ticket_code,
        actor=services.Actor(device=device),
        nonce="offline-0001",
        scanned_at=scanned,
        offline=True,
    ).check_in
    db.session.commit()
    assert abs(made.scanned_at - scanned) < timedelta(seconds=1)
    assert made.checked_in_at - made.scanned_at > timedelta(minutes=19)
    # A scan time from the future (a wrong clock) is not believed.
    assert services.scan_time(utcnow() + timedelta(hours=2), utcnow()) <= utcnow()


def test_the_search_finds_people_by_name_phone_or_code(day, make_event, make_registration):
    event, (sylvie, helene, jean) = day
    make_registration(make_event(), last_name="Martin", first_name="Sylvie")  # another étape

    def found(query):
        return [r.id for r in services.search(event, query)]

    assert found("martin") == [sylvie.id]
    assert found("Sylvie MARTIN") == [sylvie.id]  # any order, any case
    assert found("lefevre") == [helene.id]  # without the accent
    assert found("hélène") == [helene.id]
    assert found("jean marc") == [jean.id]
    assert found("06 12 34 56") == [sylvie.id]
    assert found("0320") == [jean.id]
    assert found(jean.ticket_code[:5]) == [jean.id]
    assert found("x") == [] and found("") == [] and found("%%") == [] and found("_%") == []
    assert found("Zoé") == []


def test_the_search_follows_a_change_of_name_and_an_erasure(day):
    """The trigrams of names (an FTS5 table on SQLite, kept by triggers; an index on
    PostgreSQL) follow the candidates' rows."""
    event, (sylvie, helene, jean) = day

    def found(query):
        return [person.registration_id for person, _ in services.search_people(event.id, query)]

    assert found("martin") == [sylvie.id]
    sylvie.candidate.last_name = "Dubreuil"
    db.session.commit()
    assert found("dubreuil") == [sylvie.id]
    assert found("martin") == []
    assert found("sy dubreuil") == [sylvie.id]  # a word too short for trigrams, and one long
    assert found("dub") == [jean.id, sylvie.id]  # Dubois, then Dubreuil
    erase_personal_data(helene.candidate)
    db.session.commit()
    assert found("lefevre") == [] and found("helene") == []
