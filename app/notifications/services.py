"""The outbox: emails are written with the change that causes them, then sent by the job runner.

Guarantees:
- a message is queued at most once per `dedupe_key` (unique column, INSERT … ON CONFLICT DO
  NOTHING, so two transactions racing on the same key never fail nor duplicate);
- a sender claims one message at a time with a guarded UPDATE (pending and due → sending), so
  two senders never send the same row; the claim is committed before talking to SMTP and no
  transaction is open while the SMTP server answers;
- an SMTP server that cannot be reached (refused, timed out, disconnected, authentication)
  leaves the message pending with a back-off: delayed, never lost, never given up;
- a message the server refuses (recipient, sender, content) is retried with a back-off and
  fails for good after OUTBOX_MAX_ATTEMPTS; staff can put it back with `retry_failed`;
- a message whose sender died after claiming it is taken back after STALE_CLAIM. The only way
  to send a row twice is a crash between the server accepting it and the row being marked
  sent; its Message-ID is stable so mail clients show it once;
- erasing a person's data (`discard_pending`) deletes the messages to them not sent yet and
  blanks the address and content of those sent.

MIME: multipart/mixed[ multipart/alternative[ text/plain, multipart/related[ text/html, inline
images (Content-ID) ] ], attachments ], built with the standard library's EmailMessage and
sent with smtplib using the MAIL_* settings.
"""

import base64
import hashlib
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app, render_template
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.db import utcnow
from app.extensions import db
from app.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: A message claimed longer ago than this is assumed abandoned (sender crashed) and retried.
STALE_CLAIM = timedelta(minutes=10)

#: The server answered and refused this message (sender, recipient, content, SMTPUTF8): it
#: is retried with a back-off and may fail for good. Any other error means the server cannot
#: be reached now (SmtpUnavailable): the message is only delayed.
REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    #: Content-ID for an inline image referenced as cid:<inline_id> in the HTML.
    inline_id: str | None = None

    def to_json(self) -> dict:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data": base64.b64encode(self.data).decode("ascii"),
            "inline_id": self.inline_id,
        }


def is_queued(dedupe_key: str) -> bool:
    """True when a message with this key exists (lets callers skip building attachments)."""
    return (
        db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        is not None
    )


def enqueue_email(
    *,
    kind: str,
    dedupe_key: str,
    recipient: str,
    subject: str,
    template: str,
    context: dict,
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage | None:
    """Render `templates/email/<template>.txt|.html` and queue it, unless already queued.

    Returns the new message, or None when a message with that key exists (also when another
    transaction queued it at the same moment). The caller commits.
    """
    if is_queued(dedupe_key):
        return None
    values = {
        "kind": kind,
        "dedupe_key": dedupe_key,
        "recipient": recipient,
        "subject": subject,
        "text_body": render_template(f"email/{template}.txt", **context),
        "html_body": render_template(f"email/{template}.html", **context),
        "attachments": [a.to_json() for a in attachments],
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "last_error": "",
        "created_at": utcnow(),
    }
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    message_id = db.session.scalar(statement)
    if message_id is None:
        return None
    return db.session.get(OutboxMessage, message_id)


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failed attempt; at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _sender() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"]


def message_id_header(message: OutboxMessage) -> str:
    """A Message-ID that stays the same on every attempt for this row, and differs between
    rows of different databases (ids restart after a reset, the key and time do not)."""
    domain = parseaddr(_sender())[1].rpartition("@")[2] or "localhost"
    seed = f"{message.id}|{message.dedupe_key}|{message.created_at:%Y%m%d%H%M%S}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:16]
    return f"<outbox.{message.id}.{digest}@{domain}>"


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message of an outbox row (see the module docstring for its structure)."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = _sender()
    email["To"] = message.recipient
    if current_app.config.get("ORGANISER_EMAIL"):
        # Answers go to people, not to the no-reply sender.
        email["Reply-To"] = current_app.config["ORGANISER_EMAIL"]
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id_header(message)
    # RFC 3834: an automatic message; autoresponders must not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email["X-Outbox-Id"] = str(message.id)
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    html_part = email.get_payload()[1]
    for attachment in message.attachments:
        maintype, _, subtype = attachment["content_type"].partition("/")
        data = base64.b64decode(attachment["data"])
        if attachment.get("inline_id"):
            # html_part becomes multipart/related[text/html, image…].
            html_part.add_related(
                data,
                maintype,
                subtype,
                cid=f"<{attachment['inline_id']}>",
                filename=attachment["filename"],
                disposition="inline",
            )
    for attachment in message.attachments:
        if attachment.get("inline_id"):
            continue
        maintype, _, subtype = attachment["content_type"].partition("/")
        params = {"charset": "utf-8", "method": "PUBLISH"} if subtype == "calendar" else None
        email.add_attachment(
            base64.b64decode(attachment["data"]),
            maintype,
            subtype,
            filename=attachment["filename"],
            params=params,
        )
    return email


class SmtpUnavailable(Exception):
    """The SMTP server cannot be reached or will not take messages now."""


class SmtpConnection:
    """One SMTP session, opened on the first message and closed at the end of the batch.

    `send` raises one of REFUSED when the server refuses this message, SmtpUnavailable when
    no message can be sent now (connection, greeting, TLS, login, disconnection, timeout).
    """

    def __init__(self):
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, email: EmailMessage, recipient: str) -> None:
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except OSError as error:  # every SMTPException is an OSError
                raise SmtpUnavailable(str(error) or type(error).__name__) from error
        try:
            self.smtp.send_message(email, from_addr=parseaddr(_sender())[1], to_addrs=[recipient])
        except REFUSED:
            raise
        except OSError as error:
            raise SmtpUnavailable(str(error) or type(error).__name__) from error

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None


def _claim_next() -> OutboxMessage | None:
    """Claim the next due message (pending and due, or sending but abandoned) and commit.

    On PostgreSQL, rows another sender is claiming are skipped (SKIP LOCKED); on SQLite the
    transaction holds the write lock (BEGIN IMMEDIATE). The guarded UPDATE is what makes the
    claim safe on both: it only moves a row that is still due.
    """
    for _ in range(5):
        now = utcnow()
        due = or_(
            (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
            (OutboxMessage.status == OutboxStatus.SENDING)
            & (OutboxMessage.claimed_at < now - STALE_CLAIM),
        )
        statement = (
            select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
        )
        if db.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        message_id = db.session.scalar(statement)
        if message_id is None:
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, due)
            .values(status=OutboxStatus.SENDING, claimed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed == 1:
            return db.session.get(OutboxMessage, message_id, populate_existing=True)
        db.session.commit()  # another sender took it: look again
    return None


def send_due(limit: int | None = None) -> dict[str, int]:
    """Send the messages that are due, one claim and one commit each.

    Stops at the first sign that the server cannot be reached (that message is put back with
    a back-off; the others stay due for the next run). Returns counts by result:
    sent, retry (will be tried again), failed (given up).
    """
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    connection = SmtpConnection()
    try:
        for _ in range(limit):
            message = _claim_next()
            if message is None:
                break
            message_id, recipient, attempts = message.id, message.recipient, message.attempts
            try:
                email = build_email(message)
            except (ValueError, TypeError, KeyError) as error:
                counts[_record_failure(message_id, attempts, f"message invalide : {error}")] += 1
                continue
            db.session.commit()  # the claim; no transaction stays open while SMTP answers
            try:
                connection.send(email, recipient)
            except REFUSED as error:
                counts[_record_failure(message_id, attempts, f"refusé : {error}")] += 1
                continue
            except SmtpUnavailable as error:
                _record_failure(
                    message_id, attempts, f"SMTP indisponible : {error}", may_give_up=False
                )
                counts["retry"] += 1
                break
            _record_sent(message_id, attempts)
            counts["sent"] += 1
    finally:
        db.session.rollback()
        connection.close()
    return counts


def _record_sent(message_id: int, attempts: int) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=OutboxStatus.SENT,
            sent_at=utcnow(),
            attempts=attempts + 1,
            last_error="",
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_failure(message_id: int, attempts: int, error: str, *, may_give_up=True) -> str:
    """Put a claimed message back with a back-off, or give it up; commit. Returns the count
    it goes to ("retry" or "failed")."""
    attempts += 1
    give_up = may_give_up and attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]
    values = {"attempts": attempts, "last_error": error[:1000], "claimed_at": None}
    if give_up:
        values["status"] = OutboxStatus.FAILED
        log.error("Outbox message %s failed for good: %s", message_id, error)
    else:
        values["status"] = OutboxStatus.PENDING
        values["next_attempt_at"] = utcnow() + _backoff(attempts)
        log.warning("Outbox message %s not sent (attempt %s): %s", message_id, attempts, error)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return "failed" if give_up else "retry"


def retry_failed(message_id: int) -> bool:
    """Put a message that failed for good back in the queue, due now (staff action).

    Returns False when the message does not exist or has not failed. The caller commits.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow(), last_error="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def discard_pending(recipient: str) -> int:
    """Forget the emails to `recipient` (RGPD erasure): none of them will be sent any more,
    and none keeps the address or what was written to the person.

    Messages not sent yet (pending, failed, or being sent) are deleted; one a sender is
    sending at this very moment may still arrive, but its row is gone and is never retried.
    Sent messages keep their kind, dedupe key, status, attempts and dates (for reporting);
    their recipient, subject, bodies and attachments are blanked. The address is compared
    without regard to case. Returns the number of messages deleted. The caller commits.
    """
    to_recipient = func.lower(OutboxMessage.recipient) == recipient.lower()
    deleted = db.session.execute(
        delete(OutboxMessage)
        .where(to_recipient, OutboxMessage.status != OutboxStatus.SENT)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    db.session.execute(
        update(OutboxMessage)
        .where(to_recipient, OutboxMessage.status == OutboxStatus.SENT)
        .values(recipient="", subject="", text_body="", html_body="", attachments=[])
        .execution_options(synchronize_session="fetch")
    )
    return deleted
