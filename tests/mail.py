"""A real SMTP server on loopback, for tests that must see mail as it really leaves the site.

Django's test runner swaps every mailer for the in-memory one (``mail.outbox``), which
never renders the message to bytes, never opens a connection and never meets a server.
``smtp_server`` starts a small SMTP server on 127.0.0.1 for the test, points the
``default`` mailer at it (``twinning/mailers.py``: the same SMTP backend and options
production uses) and collects what arrives, parsed as a mail client would parse it.

The server speaks the part of SMTP (RFC 5321) that a client sending mail uses: EHLO/HELO,
MAIL, RCPT, DATA (with the dot-stuffing undone), RSET, NOOP, QUIT. It is written here
rather than taken from aiosmtpd: aiosmtpd depends on ``atpublic``, whose top-level module
is called ``public``, the name of this project's public site, so it cannot be imported
next to it. (The webhook tests' partner is a small local server of the same kind.)

Any test may ask for ``smtp_server``: conftest imports the fixture.
"""

import email
import email.policy
import re
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest

from twinning.mailers import BACKENDS

ADDRESS = re.compile(r"<([^>]*)>")
LONGEST_LINE = 1_000_000  # a DATA line may be long; a command line is short


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
    """What the test sees: the messages received so far, and where the server listens."""

    host: str
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, sender: str, recipients: list[str], data: bytes) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.messages.append(Received(sender, recipients, message))  # type: ignore[arg-type]

    def to(self, address: str) -> list[Received]:
        """The messages sent to ``address`` (the envelope's recipients), in order."""
        with self._lock:
            return [m for m in self.messages if address in m.recipients]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


class _Session(socketserver.StreamRequestHandler):
    """One client's connection: commands in, replies out, messages to the server."""

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def handle(self):
        collector: SmtpServer = self.server.collector  # type: ignore[attr-defined]
        sender, recipients = "", []
        self.reply("220 twinning-tests ESMTP")
        while line := self.rfile.readline(LONGEST_LINE):
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-twinning-tests\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == "HELO":
                self.reply("250 twinning-tests")
            elif verb == "MAIL":
                sender, recipients = self._address(command), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(self._address(command))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                collector.receive(sender, recipients, self._data())
                sender, recipients = "", []
                self.reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                sender, recipients = ("", []) if verb == "RSET" else (sender, recipients)
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    @staticmethod
    def _address(command: str) -> str:
        match = ADDRESS.search(command)
        return match.group(1) if match else ""

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline(LONGEST_LINE)) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on loopback receiving what the site sends, for this test."""
    collector = SmtpServer(host="127.0.0.1")
    server = _Server((collector.host, 0), _Session)
    server.collector = collector
    collector.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": BACKENDS["smtp"],
            "OPTIONS": {"host": collector.host, "port": collector.port, "timeout": 5},
        }
    }
    try:
        yield collector
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
