"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the email tests, and helpers to read what
it received."""

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.raw)


class RecordingHandler:
    """Keeps every message; answers 550 to the recipients in `refuse`."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        #: Seconds to wait before accepting a message (lets concurrent senders overlap).
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on a port chosen up front, so that it can be started late (SMTP down)."""

    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp(app):
    """An SMTP server, not started yet; the app sends to its port."""
    server = SmtpServer()
    app.config["MAIL_PORT"] = server.port
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp):
    """A running SMTP server that the app sends to."""
    smtp.start()
    return smtp
