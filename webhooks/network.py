"""Where events may go, and how one is posted there.

An endpoint URL is typed by a site manager, but the request is made by the server, from
inside its network: without care, "https://10.0.0.5/admin" or a host name that resolves to
127.0.0.1 would let the CMS be used to reach internal services (server-side request
forgery). So an endpoint must be https (plain http only with DEBUG), its host must be a
plain host name or IP address, and every address it resolves to must be globally routable,
unless ``WEBHOOK_ALLOW_PRIVATE_HOSTS`` says otherwise (for a partner on the same private
network, or for tests). The check is made when the endpoint is saved and again on every
delivery, and the connection goes to the address that was checked, so a DNS answer that
changes between the check and the request cannot redirect it. Redirects are never followed.

Every step has a time limit: a look-up at most ``WEBHOOK_TIMEOUT`` (when the endpoint is
saved too, so a slow resolver cannot hold up the admin), each network step at most that,
and a whole delivery attempt at most ``ATTEMPT_STEPS`` times that. Without the overall
deadline a partner that answers one byte at a time, each within the timeout, would hold a
worker for as long as it liked.

"Globally routable" is ``ipaddress``'s ``is_global``, asked of the address and of every IPv4
address inside it: an IPv6 address can carry one (NAT64, 6to4, Teredo, IPv4-mapped and
-compatible forms), and a packet to it ends up at that IPv4 address. No list of bad ranges
is kept here: such lists miss the forms nobody thought of.
"""

import http.client
import io
import ipaddress
import re
import socket
import ssl
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What is kept of a partner's response: enough to read an error message, no more.
RESPONSE_BODY_LIMIT = 1000
# A delivery attempt (look-up, connection, TLS, request and answer) ends after this many
# network steps' worth of time: 15 s with the default WEBHOOK_TIMEOUT of 5 s. A partner
# that answers in time needs well under one step.
ATTEMPT_STEPS = 3
# A look-up the caller stopped waiting for keeps its thread until the system's resolver
# gives up (its own timeouts, seconds to a minute); at most this many wait at once.
MAX_PENDING_LOOKUPS = 8
_lookup_slots = threading.BoundedSemaphore(MAX_PENDING_LOOKUPS)

# IPv6 prefixes whose last 32 bits are an IPv4 address a packet is passed on to: the NAT64
# well-known prefix (RFC 6052), IPv4-compatible (RFC 4291, deprecated) and IPv4-translated
# (RFC 2765) addresses. IPv4-mapped, 6to4 and Teredo addresses are unpacked by ipaddress.
IPV4_IN_LAST_32_BITS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
)
# The NAT64 prefix for local use (RFC 8215): the network's operator chooses where the IPv4
# address sits, and it is never routed on the internet. Python before 3.13 calls it global.
LOCAL_USE_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")

# Names that never leave the local network (RFC 6761, 6762, 8375 and ICANN's .internal);
# single-label names are looked up in the server's own search domains.
LOCAL_NAMES = ("localhost",)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
# The last label of a host name is a top-level domain, which starts with a letter: this
# refuses the numeric spellings of IPv4 addresses that resolvers accept (2130706433,
# 0x7f.1, 017700000001, 127.1), which ipaddress does not parse.
TOP_LEVEL_LABEL = re.compile(r"[a-z][a-z0-9-]*")


class BlockedAddressError(Exception):
    """The endpoint's host is, or resolves to, an address events may not be sent to."""


def _allow_private() -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE_HOSTS


def _allow_http() -> bool:
    return settings.WEBHOOK_ALLOW_HTTP


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a packet to ``ip`` may be passed on to (Teredo: server and client)."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in IPV4_IN_LAST_32_BITS):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in found if address is not None]


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IP address, as getaddrinfo gives it) is globally routable."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_USE_NAT64:
            return False
        if ip.ipv4_mapped is not None:  # the IPv4 address itself, written as IPv6
            ip = ip.ipv4_mapped
        elif not all(is_public_address(str(inner)) for inner in embedded_ipv4(ip)):
            return False
    return ip.is_global and not ip.is_multicast


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def normalise_host(host: str) -> str:
    """``host`` as it is checked and connected to; ``ValueError`` if it is no plain host.

    Lower case, without a trailing dot, a host name in IDNA A-labels (``xn--…``), an IP
    address in its usual form. Percent-encoding, zone ids (``%eth0``), underscores, empty
    labels and numeric spellings of IPv4 addresses are refused, so that what is checked is
    what a resolver will look up.
    """
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    if "%" in host:
        raise ValueError(f"{host!r} is percent-encoded or has a zone id")
    literal = _ip_literal(host)
    if literal is not None:
        return str(literal)
    try:
        ascii_host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise ValueError(f"{host!r} is not a valid host name: {error}") from error
    if len(ascii_host) > 253 or not TOP_LEVEL_LABEL.fullmatch(ascii_host.rsplit(".", 1)[-1]):
        raise ValueError(f"{host!r} is not a valid host name")
    return ascii_host


def normalise_url(url: str) -> str:
    """``url`` with its host normalised (``normalise_host``); ``ValueError`` if it has none."""
    parts = urlsplit(url)
    host = normalise_host(parts.hostname or "")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    userinfo, at, _host_and_port = parts.netloc.rpartition("@")
    return urlunsplit((parts.scheme, f"{userinfo}{at}{netloc}", *parts[2:]))


def is_local_name(host: str) -> bool:
    """Whether the (normalised) host name can only mean something on the local network."""
    if _ip_literal(host) is not None:
        return False
    return "." not in host or host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES)


def getaddrinfo_within(host: str, port: int, timeout: float) -> list[tuple]:
    """``socket.getaddrinfo`` that gives up after ``timeout`` seconds (``TimeoutError``).

    The system's resolver cannot be interrupted and has no timeout of its own to pass, so
    the look-up runs in a thread of its own that is left to finish when it takes too long.
    """
    ends = time.monotonic() + timeout
    if not _lookup_slots.acquire(timeout=timeout):
        raise TimeoutError(f"resolving {host}: {MAX_PENDING_LOOKUPS} look-ups still waiting")
    answer: Future[list[tuple]] = Future()

    def look_up() -> None:
        try:
            answer.set_result(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except Exception as error:  # handed to the caller, if it still waits
            answer.set_exception(error)
        finally:
            _lookup_slots.release()

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    return answer.result(timeout=max(0.0, ends - time.monotonic()))


def resolve(host: str, port: int, *, timeout: float) -> list[str]:
    """The addresses the normalised ``host`` resolves to, within ``timeout`` seconds.

    :class:`BlockedAddressError` if a local name or any address may not be used; one bad
    address among good ones is enough, as the resolver may hand out either.
    ``TimeoutError`` when the resolver takes longer, ``OSError`` when it has no answer.
    """
    if not _allow_private() and is_local_name(host):
        raise BlockedAddressError(f"{host} is a local name")
    try:
        infos = getaddrinfo_within(host, port, timeout)
    except (socket.gaierror, UnicodeError) as error:
        raise OSError(f"cannot resolve {host}: {error}") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not _allow_private():
        blocked = [address for address in addresses if not is_public_address(address)]
        if blocked:
            raise BlockedAddressError(f"{host} resolves to a non-public address ({blocked[0]})")
    return addresses


def validate_endpoint_url(url: str) -> None:
    """Refuse what events may not be sent to (see the module's text); used by the model."""
    invalid_host = ValidationError(
        _("The host in this address is not a valid host name or IP address."), code="host"
    )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise invalid_host from None
    if parts.scheme != "https" and not (parts.scheme == "http" and _allow_http()):
        raise ValidationError(_("The address must start with https://."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(
            _("Put no user name or password in the address; events are signed instead."),
            code="credentials",
        )
    try:
        port = parts.port or 443
        host = normalise_host(parts.hostname or "")
    except ValueError:
        raise invalid_host from None
    if _allow_private():
        return
    try:
        resolve(host, port, timeout=settings.WEBHOOK_TIMEOUT)
    except BlockedAddressError as error:
        raise ValidationError(
            _("Events cannot be sent to a private or local address."), code="private"
        ) from error
    except OSError:  # TimeoutError too: a slow resolver is a name not resolvable yet
        pass  # not resolvable yet; checked again on every delivery


@dataclass(frozen=True)
class Response:
    status_code: int | None
    duration_ms: int
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Deadline:
    """The time a delivery attempt has left: each network step may wait ``step`` seconds,
    all of them together ``total``."""

    def __init__(self, *, step: float, total: float):
        self.step, self.total = step, total
        self.ends = time.monotonic() + total
        self.cut_short = False  # whether the last wait was shortened by the deadline

    def wait(self) -> float:
        """How long the next step may wait; ``TimeoutError`` once the deadline has passed."""
        remaining = self.ends - time.monotonic()
        self.cut_short = remaining < self.step
        if remaining <= 0:
            raise TimeoutError("the attempt's deadline has passed")
        return min(self.step, remaining)

    def error(self) -> str:
        return f"timed out after {self.total if self.cut_short else self.step:g} s"


class DeadlineSocket:
    """A connected socket as ``http.client`` uses it, each send and each read given no
    more than what the deadline leaves (``Deadline.wait``, asked before every one)."""

    def __init__(self, sock: socket.socket, deadline: Deadline):
        self.sock, self.deadline = sock, deadline

    def sendall(self, data) -> None:
        view = memoryview(data).cast("B")
        sent = 0
        while sent < len(view):
            self.sock.settimeout(self.deadline.wait())
            sent += self.sock.send(view[sent:])

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(DeadlineReader(self))

    def close(self) -> None:
        """Nothing: ``http.client`` closes the connection before the answer's body is read
        (``Connection: close``); ``post`` closes the socket once it has read what it keeps."""


class DeadlineReader(io.RawIOBase):
    """The response's bytes, read within the deadline (``HTTPResponse`` reads through it)."""

    def __init__(self, connection: DeadlineSocket):
        self.connection = connection

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.connection.sock.settimeout(self.connection.deadline.wait())
        return self.connection.sock.recv_into(buffer)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    """POST ``body`` to ``url`` once: no redirects, ``timeout`` seconds per network step and
    ``ATTEMPT_STEPS`` times that in all (see the module's text).

    Never raises for what the partner or the network does; the error is in the response.
    """
    started = time.monotonic()
    deadline = Deadline(step=timeout, total=ATTEMPT_STEPS * timeout)

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    connection = sock = None
    try:
        parts = urlsplit(url)
        https = parts.scheme == "https"
        if not https and not (parts.scheme == "http" and _allow_http()):
            raise BlockedAddressError(f"scheme {parts.scheme!r} is not allowed")
        port = parts.port or (443 if https else 80)
        host = normalise_host(parts.hostname or "")
        address = resolve(host, port, timeout=deadline.wait())[0]
        # Connect to the address that was checked; TLS still verifies the host name.
        sock = socket.create_connection((address, port), deadline.wait())
        if https:
            context = ssl.create_default_context()
            sock.settimeout(deadline.wait())  # the handshake's limit, as a whole
            sock = context.wrap_socket(sock, server_hostname=host)
            connection = http.client.HTTPSConnection(host, port, context=context)
        else:
            connection = http.client.HTTPConnection(host, port)
        connection.sock = DeadlineSocket(sock, deadline)  # connected: http.client uses it
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_BODY_LIMIT + 1).decode("utf-8", errors="replace")
        if len(text) > RESPONSE_BODY_LIMIT:
            text = text[:RESPONSE_BODY_LIMIT] + "…"
        return Response(status_code=response.status, duration_ms=elapsed(), body=text)
    except TimeoutError:
        return Response(None, elapsed(), error=deadline.error())
    except (OSError, http.client.HTTPException, BlockedAddressError, ValueError) as error:
        return Response(None, elapsed(), error=f"{type(error).__name__}: {error}"[:500])
    finally:
        if connection is not None:
            connection.close()
        if sock is not None:
            sock.close()
