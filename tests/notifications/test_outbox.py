"""The outbox through a real SMTP server: what arrives, once, and what happens when SMTP fails."""

import io
import socket
import threading
import time
from datetime import timedelta

import qrcode
from icalendar import Calendar
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import func, select, update

from app.candidates.emails import manage_url
from app.candidates.services import register
from app.db import utcnow
from app.extensions import db
from app.notifications import services
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.services import build_email, enqueue_email, retry_failed, send_due


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _make_due() -> None:
    db.session.execute(
        update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def _register(event, details, **overrides):
    registration = register(event.id, details(**overrides))
    db.session.commit()
    return registration


def _qr_modules(png: bytes) -> list[list[bool]]:
    """Read the module grid of a QR code PNG drawn with 8-pixel boxes."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // 8
    return [
        [image.getpixel((x * 8 + 4, y * 8 + 4)) < 128 for x in range(size)] for y in range(size)
    ]


def _expected_modules(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def test_confirmation_arrives_once_with_inline_qr_and_ics(app, smtp_server, make_event, details):
    event = make_event(town="Ronchin")
    registration = _register(event, details, first_name="Sylvie")
    email_address = registration.candidate.email

    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}

    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert received.rcpt_tos == [email_address]
    assert received.mail_from == "ne-pas-repondre@jobdating50.example"
    message = received.message
    assert message["To"] == email_address
    assert message["Subject"] == "Votre inscription au Job Dating Tour 50+ est confirmée"
    assert message["Reply-To"] == app.config["ORGANISER_EMAIL"]
    [row] = _messages()
    assert message["Message-ID"] == services.message_id_header(row)
    assert row.status == OutboxStatus.SENT and row.attempts == 1 and row.sent_at is not None

    # mixed[ alternative[ plain, related[ html, png ] ], calendar ]
    assert message.get_content_type() == "multipart/mixed"
    alternative, calendar_part = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"

    text = plain.get_content()
    assert "Bonjour Sylvie," in text
    assert registration.display_code in text
    assert manage_url(registration) in text
    assert event.venue.full_address in text
    assert event.venue.transport in text

    html_text = html.get_content()
    assert 'src="cid:ticket-qr"' in html_text
    assert f'href="{manage_url(registration)}"' in html_text
    assert "Mon inscription" in html_text
    assert event.venue.full_address in html_text

    assert image["Content-ID"] == "<ticket-qr>"
    assert image.get_content_disposition() == "inline"
    png = image.get_content()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # The QR code encodes the ticket code (the opaque code, not the link or a name).
    assert _qr_modules(png) == _expected_modules(registration.ticket_code)

    assert calendar_part.get_content_type() == "text/calendar"
    assert calendar_part.get_filename() == "job-dating.ics"
    assert calendar_part.get_content_disposition() == "attachment"
    calendar = Calendar.from_ical(calendar_part.get_payload(decode=True))
    [entry] = calendar.events
    starts = entry.decoded("dtstart")
    assert starts == event.starts
    assert str(starts.tzinfo) == "Europe/Paris"
    assert entry["dtstart"].params["TZID"] == "Europe/Paris"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    assert entry.decoded("dtend") == event.ends
    assert event.venue.full_address in str(entry["location"])

    # Nothing more to send, however often it runs.
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp_server.received) == 1


def test_smtp_down_delays_the_message_then_it_goes_once(app, smtp, make_event, details):
    event = make_event()
    _register(event, details)

    assert send_due() == {"sent": 0, "retry": 1, "failed": 0}
    [row] = _messages()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at > utcnow()
    assert "SMTP indisponible" in row.last_error

    # Not due yet: the next run leaves it alone.
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert _messages()[0].attempts == 1

    smtp.start()
    _make_due()
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
    assert len(smtp.received) == 1
    [row] = _messages()
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error == ""

    _make_due()
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp.received) == 1


def test_smtp_down_never_gives_up(app, smtp, make_event, details):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    _register(make_event(), details)
    for _ in range(4):
        _make_due()
        assert send_due()["retry"] == 1
    [row] = _messages()
    assert row.status == OutboxStatus.PENDING and row.attempts == 4


def test_a_server_that_hangs_up_only_delays_the_message(app, make_event, details):
    """A server that accepts connections and says 421 (or closes) is unavailable, not a
    refusal: the message is delayed, and never counts towards giving up."""
    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    app.config["MAIL_PORT"] = listener.getsockname()[1]

    def hang_up():
        connection, _ = listener.accept()
        connection.sendall(b"421 4.3.2 Service not available\r\n")
        connection.close()

    thread = threading.Thread(target=hang_up)
    thread.start()
    _register(make_event(), details)
    try:
        assert send_due() == {"sent": 0, "retry": 1, "failed": 0}
    finally:
        thread.join(timeout=10)
        listener.close()
    [row] = _messages()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "SMTP indisponible" in row.last_error


def test_backoff_grows_and_is_capped():
    assert [services._backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 8, 30)] == [
        1,
        2,
        4,
        8,
        60,
        60,
        60,
    ]


def test_concurrent_senders_send_each_message_once(app, smtp_server, make_event, details):
    event = make_event(capacity=20)
    for _ in range(12):
        _register(event, details)
    db.session.close()  # the test's own session holds no lock while the senders run
    smtp_server.handler.delay = 0.02
    start = threading.Barrier(4)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                start.wait()
                results.append(send_due())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(result["sent"] for result in results) == 12
    outbox_ids = [received.message["X-Outbox-Id"] for received in smtp_server.received]
    assert len(outbox_ids) == 12
    assert len(set(outbox_ids)) == 12
    rows = _messages()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert {row.attempts for row in rows} == {1}


def test_refused_recipient_is_retried_with_backoff_and_others_sent(
    app, smtp_server, make_event, details
):
    event = make_event()
    first, refused, third = (_register(event, details) for _ in range(3))
    smtp_server.handler.refuse = {refused.candidate.email}

    assert send_due() == {"sent": 2, "retry": 1, "failed": 0}
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(
        [first.candidate.email, third.candidate.email]
    )
    row = next(m for m in _messages() if m.recipient == refused.candidate.email)
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert "550" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=30)

    # Not due: nothing is sent again.
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}

    smtp_server.handler.refuse = set()
    _make_due()
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
    assert len(smtp_server.received) == 3
    assert {r.rcpt_tos[0] for r in smtp_server.received} == {
        first.candidate.email,
        refused.candidate.email,
        third.candidate.email,
    }


def test_refused_too_often_fails_then_staff_retry_sends_it(app, smtp_server, make_event, details):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    registration = _register(make_event(), details)
    smtp_server.handler.refuse = {registration.candidate.email}

    assert send_due()["retry"] == 1
    _make_due()
    assert send_due()["failed"] == 1
    [row] = _messages()
    assert row.status == OutboxStatus.FAILED and row.attempts == 2
    _make_due()
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}

    smtp_server.handler.refuse = set()
    assert retry_failed(row.id) is True
    db.session.commit()
    assert retry_failed(row.id) is False  # pending now: nothing to retry
    assert send_due()["sent"] == 1
    [row] = _messages()
    assert row.status == OutboxStatus.SENT and row.attempts == 1
    assert len(smtp_server.received) == 1


def test_a_broken_message_does_not_block_the_others(app, smtp_server, make_event, details):
    event = make_event()
    broken, fine = _register(event, details), _register(event, details)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient == broken.candidate.email)
        .values(subject="Objet\nBcc: victime@exemple.fr")
    )
    db.session.commit()

    assert send_due() == {"sent": 1, "retry": 1, "failed": 0}
    assert [r.rcpt_tos for r in smtp_server.received] == [[fine.candidate.email]]
    row = next(m for m in _messages() if m.recipient == broken.candidate.email)
    assert row.status == OutboxStatus.PENDING and "invalide" in row.last_error


def test_message_id_is_the_same_on_every_attempt(app, make_event, details):
    _register(make_event(), details)
    [row] = _messages()
    first, second = build_email(row), build_email(row)
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@jobdating50.example>")


def _cancelled_context(registration) -> dict:
    return {
        "subject": "Essai",
        "registration": registration,
        "candidate": registration.candidate,
        "event": registration.event,
        "venue": registration.event.venue,
        "manage_url": manage_url(registration),
        "site_url": "http://localhost/",
        "organiser": {"name": "Asso", "phone": "03 20 00 00 00", "email": "a@exemple.fr"},
    }


def test_enqueue_twice_with_the_same_key_keeps_one_row(app, make_event, details, monkeypatch):
    registration = _register(make_event(), details)
    context = _cancelled_context(registration)

    def enqueue():
        return enqueue_email(
            kind="test",
            dedupe_key="test:same-cause",
            recipient="personne@exemple.fr",
            subject="Essai",
            template="candidates/registration_cancelled",
            context=context,
        )

    assert enqueue() is not None
    assert enqueue() is None
    # Also when the early check misses it (another transaction queued it meanwhile): the
    # insert itself does nothing, without an error that would undo the caller's change.
    monkeypatch.setattr(services, "is_queued", lambda key: False)
    assert enqueue() is None
    db.session.commit()
    count = db.session.scalar(
        select(func.count()).where(OutboxMessage.dedupe_key == "test:same-cause")
    )
    assert count == 1


def test_two_transactions_queueing_the_same_cause_make_one_row(app, make_event, details):
    registration = _register(make_event(), details)
    registration_id = registration.id
    db.session.close()
    first_queued = threading.Event()
    outcomes, errors = {}, []

    def queue(name: str, wait_for_other: bool):
        from app.candidates.models import Registration

        try:
            with app.app_context():
                if wait_for_other:
                    first_queued.wait(10)
                context = _cancelled_context(db.session.get(Registration, registration_id))
                message = enqueue_email(
                    kind="test",
                    dedupe_key="test:race",
                    recipient="personne@exemple.fr",
                    subject="Essai",
                    template="candidates/registration_cancelled",
                    context=context,
                )
                if not wait_for_other:
                    first_queued.set()
                    time.sleep(0.3)  # the other transaction tries while this one is open
                db.session.commit()
                outcomes[name] = message is not None
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=queue, args=("first", False)),
        threading.Thread(target=queue, args=("second", True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert outcomes == {"first": True, "second": False}
    assert (
        db.session.scalar(select(func.count()).where(OutboxMessage.dedupe_key == "test:race")) == 1
    )


def test_outbox_send_command(app, smtp_server, make_event, details):
    _register(make_event(), details)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "envoyés : 1" in result.output
    assert len(smtp_server.received) == 1


def test_after_erasure_nothing_more_goes_to_the_person(app, smtp_server, make_event, details):
    from app.candidates.services import erase_personal_data

    event = make_event()
    erased = _register(event, details, email="Gisele.Leroy@exemple.fr")
    kept = _register(event, details)
    smtp_server.handler.refuse.add(erased.candidate.email)
    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    assert send_due() == {"sent": 1, "retry": 0, "failed": 1}
    [given_up] = [row for row in _messages() if row.status == OutboxStatus.FAILED]
    smtp_server.handler.refuse.clear()
    erase_personal_data(erased.candidate)
    db.session.commit()

    # Neither the job runner nor a staff retry can send it any more.
    assert retry_failed(given_up.id) is False
    _make_due()
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert [r.rcpt_tos for r in smtp_server.received] == [[kept.candidate.email]]


def test_discard_pending_counts_the_messages_not_sent(app, make_event, details):
    _register(make_event(), details, email="paul.henry@exemple.fr")
    other = _register(make_event(), details)
    assert services.discard_pending("Paul.Henry@Exemple.fr") == 1
    db.session.commit()
    assert [row.recipient for row in _messages()] == [other.candidate.email]
