import base64
import json

import pytest
from sqlalchemy import func, select

from app.candidates import services
from app.candidates.models import Registration, RegistrationSource, RegistrationStatus
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.notifications.models import OutboxMessage, OutboxStatus


def test_register_confirms_while_seats_are_left_then_waitlists(make_event, details):
    event = make_event(capacity=2)
    first = services.register(event.id, details())
    second = services.register(event.id, details())
    third = services.register(event.id, details())
    db.session.commit()
    assert [first.status, second.status, third.status] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    assert event.seats_taken == 2
    assert services.waitlist_position(third) == 1
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds == ["registration_confirmed", "registration_confirmed", "registration_waitlisted"]


def test_cancel_promotes_the_first_on_the_waiting_list(make_event, details):
    event = make_event(capacity=1)
    confirmed = services.register(event.id, details())
    waiting_first = services.register(event.id, details())
    waiting_second = services.register(event.id, details())
    db.session.commit()
    promoted = services.cancel(confirmed)
    db.session.commit()
    assert promoted == [waiting_first]
    assert waiting_first.status == RegistrationStatus.CONFIRMED
    assert services.waitlist_position(waiting_second) == 1
    assert event.seats_taken == 1
    assert (
        db.session.scalar(select(func.count()).where(OutboxMessage.kind == "registration_promoted"))
        == 1
    )


def test_too_young_is_refused_and_nothing_written(make_event, details):
    event = make_event()
    with pytest.raises(DomainError) as caught:
        services.register(event.id, details(birth_year=event.date.year - 49))
    assert caught.value.code == "too_young"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_same_email_twice_is_a_duplicate(make_event, details):
    event = make_event()
    services.register(event.id, details(email="paul@exemple.fr"))
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.register(event.id, details(email="Paul@Exemple.fr"))
    assert caught.value.code == "duplicate"


def test_same_phone_and_name_is_a_duplicate(make_event, details):
    event = make_event()
    services.register(
        event.id, details(email=None, phone="+33612345678", first_name="Jean", last_name="Petit")
    )
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.register(
            event.id,
            details(email=None, phone="+33612345678", first_name="jean", last_name="PETIT"),
        )
    assert caught.value.code == "duplicate"
    # Same phone, another person (a couple sharing a phone) is welcome.
    services.register(
        event.id, details(email=None, phone="+33612345678", first_name="Anne", last_name="Petit")
    )


def test_move_keeps_capacity_rules_and_promotes_at_the_old_event(make_event, details):
    old = make_event(capacity=1)
    new = make_event(capacity=1, tour=old.tour)
    mover = services.register(old.id, details())
    waiting = services.register(old.id, details())
    occupant = services.register(new.id, details())
    db.session.commit()
    services.move(mover, new.id)
    db.session.commit()
    assert mover.event_id == new.id
    assert mover.status == RegistrationStatus.WAITLISTED  # the new étape is full
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert occupant.status == RegistrationStatus.CONFIRMED
    assert (old.seats_taken, new.seats_taken) == (1, 1)


def test_registration_closed_outside_dates(make_event, details):
    event = make_event(opens_in=5)
    with pytest.raises(DomainError) as caught:
        services.register(event.id, details())
    assert caught.value.code == "registration_closed"


def test_erase_personal_data_cancels_and_anonymises(make_event, details):
    event = make_event(capacity=1)
    registration = services.register(event.id, details(phone="+33612345678"))
    waiting = services.register(event.id, details())
    db.session.commit()
    services.erase_personal_data(registration.candidate)
    db.session.commit()
    candidate = registration.candidate
    assert candidate.email is None and candidate.phone is None and candidate.anonymised_at
    assert registration.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_correct_details_needs_a_way_to_reach_the_person(make_event, details):
    event = make_event()
    registration = services.register(event.id, details(phone="+33612345678"))
    db.session.commit()
    candidate = registration.candidate
    with pytest.raises(DomainError) as caught:
        services.correct_details(candidate, {"email": None, "phone": None})
    assert caught.value.code == "contact_missing"
    db.session.rollback()
    services.correct_details(
        candidate, {"last_name": "Durand", "email": None, "phone": "+33612345678"}
    )
    db.session.commit()
    assert (candidate.last_name, candidate.email) == ("Durand", None)


def test_retention_anonymises_people_without_contact_for_the_period(make_event, details, today):
    from datetime import timedelta

    past = make_event(capacity=5, days_ahead=-800, opens_in=-900, closes_before=1)
    recent = make_event(capacity=5, days_ahead=-100, opens_in=-200, closes_before=1)
    old_registration = services.register(
        past.id, details(), source=RegistrationSource.PHONE, today=past.date - timedelta(days=5)
    )
    recent_registration = services.register(
        recent.id, details(), source=RegistrationSource.PHONE, today=recent.date - timedelta(days=5)
    )
    db.session.commit()
    # Their records were last changed long ago too.
    old_registration.candidate.updated_at = old_registration.candidate.created_at - timedelta(
        days=800
    )
    db.session.commit()
    assert services.anonymise_expired(24) == 1
    db.session.commit()
    assert old_registration.candidate.anonymised_at is not None
    assert old_registration.candidate.email is None
    # A past étape keeps its figures: the registration is not cancelled.
    assert old_registration.status == RegistrationStatus.CONFIRMED
    assert recent_registration.candidate.anonymised_at is None
    assert services.anonymise_expired(24) == 0


def _outbox_texts(message: OutboxMessage) -> str:
    """Everything an outbox row says (attachments decoded)."""
    decoded = [base64.b64decode(a["data"]).decode("utf-8", "replace") for a in message.attachments]
    return " ".join(
        [
            message.recipient,
            message.subject,
            message.text_body,
            message.html_body,
            message.dedupe_key,
            message.last_error,
            json.dumps(message.attachments),
            *decoded,
        ]
    )


def test_erase_personal_data_leaves_nothing_personal_in_the_outbox(make_event, details):
    from app.candidates import emails

    event = make_event(capacity=1)
    erased = services.register(
        event.id, details(first_name="Bernadette", email="bernadette.roussel@exemple.fr")
    )
    waiting = services.register(event.id, details(first_name="Josiane"))
    db.session.commit()
    # One message sent, one given up, one waiting to be sent.
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"registration:{erased.id}:%"))
    )
    confirmation.status, confirmation.sent_at = OutboxStatus.SENT, utcnow()
    services.resend_link(erased)
    db.session.flush()
    link = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "registration_link"))
    link.status, link.last_error = OutboxStatus.FAILED, "refusé : bernadette.roussel@exemple.fr"
    emails.queue_event_reminder(erased)
    db.session.commit()
    sent_id, sent_key, sent_at = confirmation.id, confirmation.dedupe_key, confirmation.sent_at

    services.erase_personal_data(erased.candidate)
    db.session.commit()
    db.session.expire_all()

    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    for row in rows:
        texts = _outbox_texts(row)
        assert "bernadette.roussel@exemple.fr" not in texts.lower(), row
        assert "Bernadette" not in texts, row
    # The messages not sent are gone; the one sent is kept for reporting, emptied.
    sent = db.session.get(OutboxMessage, sent_id)
    assert (sent.kind, sent.dedupe_key, sent.status, sent.sent_at) == (
        "registration_confirmed",
        sent_key,
        OutboxStatus.SENT,
        sent_at,
    )
    assert (sent.recipient, sent.subject, sent.text_body, sent.html_body, sent.attachments) == (
        "",
        "",
        "",
        "",
        [],
    )
    # The other person's emails (queued, and the promotion to the freed seat) are untouched.
    others = [row for row in rows if row.id != sent_id]
    assert [row.kind for row in others] == ["registration_waitlisted", "registration_promoted"]
    assert all(row.recipient == waiting.candidate.email for row in others)
    assert all("Josiane" in row.text_body for row in others)
