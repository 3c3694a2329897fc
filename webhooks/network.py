"""Where events may go, and how one is posted there.

An endpoint URL is typed by a site manager, but the request is made by the server, from
inside its network: without care, "https://10.0.0.5/admin" or a host name that resolves to
127.0.0.1 would let the CMS be used to reach internal services (server-side request
forgery). So an endpoint must be https (plain http only with DEBUG) and its host must
resolve to public addresses only, unless ``WEBHOOK_ALLOW_PRIVATE_HOSTS`` says otherwise
(for a partner on the same private network, or for tests). The check is made again on every
delivery, and the connection goes to the address that was checked, so a DNS answer that
changes between the check and the request cannot redirect it. Redirects are never followed.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What is kept of a partner's response: enough to read an error message, no more.
RESPONSE_BODY_LIMIT = 1000


class BlockedAddressError(Exception):
    """The endpoint's host is, or resolves to, an address events may not be sent to."""


def _allow_private() -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE_HOSTS


def _allow_http() -> bool:
    return settings.WEBHOOK_ALLOW_HTTP


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to; :class:`BlockedAddressError` if one may not be used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
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
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and _allow_http()):
        raise ValidationError(_("The address must start with https://."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(
            _("Put no user name or password in the address; events are signed instead."),
            code="credentials",
        )
    host = parts.hostname or ""
    if _allow_private():
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if (
        (literal is not None and not is_public_address(host))
        or host == "localhost"
        or (host.endswith((".localhost", ".local", ".internal")))
    ):
        raise ValidationError(
            _("Events cannot be sent to a private or local address."), code="private"
        )
    if literal is None:
        try:
            resolve(host, parts.port or 443)
        except BlockedAddressError as error:
            raise ValidationError(
                _("Events cannot be sent to a private or local address."), code="private"
            ) from error
        except OSError:
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


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    """POST ``body`` to ``url`` once: no redirects, ``timeout`` seconds per network step.

    Never raises for what the partner or the network does; the error is in the response.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    parts = urlsplit(url)
    connection = None
    try:
        if parts.scheme != "https" and not (parts.scheme == "http" and _allow_http()):
            raise BlockedAddressError(f"scheme {parts.scheme!r} is not allowed")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname or "", port)[0]
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)

        # Connect to the address that was checked; TLS still verifies the host name.
        def connect_to_checked_address(_address, timeout, source_address=None):
            return socket.create_connection((address, port), timeout, source_address)

        connection._create_connection = connect_to_checked_address
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
        return Response(None, elapsed(), error=f"timed out after {timeout:g} s")
    except (OSError, http.client.HTTPException, BlockedAddressError, ValueError) as error:
        return Response(None, elapsed(), error=f"{type(error).__name__}: {error}"[:500])
    finally:
        if connection is not None:
            connection.close()
