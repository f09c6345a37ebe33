"""The outbox: emails are written with the change that causes them, then sent by the job runner.

Guarantees: a message is enqueued at most once per `dedupe_key`; SMTP failures leave it queued
with an exponential back-off (delayed, never lost); a message is claimed before it is sent so
two senders never send the same row.
"""

import base64
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from flask_mail import Message
from sqlalchemy import or_, select, update

from app.db import utcnow
from app.extensions import db, mail
from app.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: A message claimed longer ago than this is assumed abandoned (sender crashed) and retried.
STALE_CLAIM = timedelta(minutes=10)


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


def enqueue_email(
    *,
    kind: str,
    dedupe_key: str,
    recipient: str,
    subject: str,
    template: str,
    context: dict,
    attachments: list[Attachment] = (),
) -> OutboxMessage | None:
    """Render `templates/email/<template>.txt|.html` and queue it, unless already queued.

    Returns the new message, or None when a message with that key exists. The caller commits.
    """
    exists = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if exists:
        return None
    message = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        recipient=recipient,
        subject=subject,
        text_body=render_template(f"email/{template}.txt", **context),
        html_body=render_template(f"email/{template}.html", **context),
        attachments=[a.to_json() for a in attachments],
    )
    db.session.add(message)
    db.session.flush()
    return message


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _to_mail_message(message: OutboxMessage) -> Message:
    mail_message = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.text_body,
        html=message.html_body,
        extra_headers={"X-Outbox-Id": str(message.id), "X-Outbox-Key": message.dedupe_key},
    )
    domain = current_app.config["BASE_URL"].split("//")[-1].split("/")[0].split(":")[0]
    mail_message.msgId = f"<outbox-{message.id}@{domain or 'localhost'}>"
    for attachment in message.attachments:
        headers = {}
        disposition = "attachment"
        if attachment.get("inline_id"):
            disposition = "inline"
            headers["Content-ID"] = f"<{attachment['inline_id']}>"
        mail_message.attach(
            filename=attachment["filename"],
            content_type=attachment["content_type"],
            data=base64.b64decode(attachment["data"]),
            disposition=disposition,
            headers=headers,
        )
    return mail_message


def _claim_due(limit: int) -> list[int]:
    now = utcnow()
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.PENDING)
                & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    claimed = []
    for message_id in due_ids:
        # A guarded update: only one sender can move a row from due to claimed.
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                or_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    (OutboxMessage.status == OutboxStatus.SENDING)
                    & (OutboxMessage.claimed_at < now - STALE_CLAIM),
                ),
            )
            .values(status=OutboxStatus.SENDING, claimed_at=now)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    db.session.commit()
    return claimed


def send_due(limit: int | None = None) -> dict[str, int]:
    """Send the messages that are due; commit after each one. Returns counts by result."""
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    claimed = _claim_due(limit)
    if not claimed:
        return counts
    connection = mail.connect()
    try:
        connection.__enter__()
    except (OSError, smtplib.SMTPException) as error:
        _release(claimed, f"SMTP indisponible : {error}")
        counts["retry"] += len(claimed)
        return counts
    try:
        for index, message_id in enumerate(claimed):
            message = db.session.get(OutboxMessage, message_id)
            try:
                connection.send(_to_mail_message(message))
            except (OSError, smtplib.SMTPServerDisconnected) as error:
                # The server went away: this message and the rest go back to the queue.
                _release(claimed[index:], f"SMTP indisponible : {error}")
                counts["retry"] += len(claimed) - index
                break
            except smtplib.SMTPException as error:
                # The server refused this message (recipient, size…): count it against it.
                counts[_record_failure(message, str(error), may_give_up=True)] += 1
                db.session.commit()
                continue
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.attempts += 1
            message.last_error = ""
            db.session.commit()
            counts["sent"] += 1
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            log.info("SMTP connection did not close cleanly")
    return counts


def _record_failure(message: OutboxMessage, error: str, *, may_give_up: bool) -> str:
    message.attempts += 1
    message.last_error = error[:1000]
    message.claimed_at = None
    if may_give_up and message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        log.error("Outbox message %s failed for good: %s", message.id, error)
        return "failed"
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = utcnow() + _backoff(message.attempts)
    log.warning("Outbox message %s not sent (attempt %s): %s", message.id, message.attempts, error)
    return "retry"


def _release(message_ids: list[int], error: str) -> None:
    """Give claimed messages back to the queue when the server cannot be reached.

    An unreachable server never makes a message fail for good: it is only delayed.
    """
    for message_id in message_ids:
        _record_failure(db.session.get(OutboxMessage, message_id), error, may_give_up=False)
    db.session.commit()


def retry_failed(message_id: int) -> None:
    """Put a message that failed for good back in the queue (staff action)."""
    message = db.session.get(OutboxMessage, message_id)
    if message and message.status == OutboxStatus.FAILED:
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = utcnow()
