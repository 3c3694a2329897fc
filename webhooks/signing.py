"""Signed events: how the site signs a body, and how a partner checks it.

The signature is HMAC-SHA256, keyed with the endpoint's secret, over
``"{timestamp}.{body}"``: the Unix time of sending, a dot and the exact bytes of the
body. It travels in one header, ``X-Twinning-Signature: t=1767225600,v1=5257a8…``; while a
rotated secret is still accepted, a second ``v1=`` holds the signature with the previous
one. Signing the timestamp with the body lets a partner refuse a replayed request: a
signature older than the tolerance (five minutes) is not accepted.

:func:`verify` is the partner's side, written the way docs/webhooks.md tells partners
to do it, and used so by the tests.
"""

import hashlib
import hmac
import time
from collections.abc import Iterable

SIGNATURE_HEADER = "X-Twinning-Signature"
EVENT_ID_HEADER = "X-Twinning-Event-Id"
EVENT_TYPE_HEADER = "X-Twinning-Event"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The request was not signed with the secret, was changed, or is too old."""


def compute(body: bytes, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``"{timestamp}.{body}"`` with ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets: Iterable[str], timestamp: int | None = None) -> str:
    """The header value: ``t=<timestamp>`` and one ``v1=<signature>`` per secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signatures = ",".join(f"v1={compute(body, secret, timestamp)}" for secret in secrets)
    return f"t={timestamp},{signatures}"


def verify(
    body: bytes,
    header: str,
    secret: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check ``header`` against ``body`` and ``secret``; return the signed timestamp.

    Raises :class:`SignatureError` when the header is malformed, no ``v1`` signature
    matches, or the timestamp is more than ``tolerance`` seconds from ``now``.
    """
    timestamp = None
    signatures = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("malformed signature header")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    expected = compute(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise SignatureError("no matching signature")
    return timestamp
