"""A real SMTP server on loopback, for tests that must see mail as it really leaves the site.

Django's test runner swaps every mailer for the in-memory one (``mail.outbox``), which
never renders the message to bytes, never opens a connection and never meets a server's
refusal. ``smtp_server`` starts aiosmtpd on 127.0.0.1 for the test, points the ``default``
mailer at it (``twinning/mailers.py``: the same SMTP backend and options production uses)
and collects what arrives, parsed as a mail client would parse it.

Use it in any test module: ``from tests.mail import smtp_server  # noqa: F401`` (conftest
already does, so the fixture is simply there).
"""

import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from twinning.mailers import BACKENDS


@dataclass
class Received:
    """One message as the server received it: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        """The plain-text part, decoded (quoted-printable, base64, any charset)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def links(self) -> list[str]:
        """Every http(s) address in the plain-text body, in order."""
        return re.findall(r"https?://\S+", self.body)


@dataclass
class SmtpServer:
    """What the test sees: the messages received so far, and the address to reach it."""

    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message)  # type: ignore[arg-type]
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        """The messages sent to ``address`` (the envelope's recipients), in order."""
        with self._lock:
            return [m for m in self.messages if address in m.recipients]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on loopback receiving what the site sends, for this test."""
    server = SmtpServer(host="127.0.0.1", port=_free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": BACKENDS["smtp"],
            "OPTIONS": {"host": server.host, "port": server.port, "timeout": 5},
        }
    }
    try:
        yield server
    finally:
        controller.stop()
