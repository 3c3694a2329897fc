"""How often one e-mail address, or one client, may sign up: counted in the cache.

Each sign-up may send an e-mail, so the form is a way to make the site mail someone:
at most ``REGISTRATION_RATE_PER_ADDRESS`` messages go to one address (over every mission)
and ``REGISTRATION_RATE_PER_CLIENT`` sign-ups come from one client address, per window.
Rates are written as the API's (``3/hour``, ``20/10m``); an empty rate (``0`` in the
environment) is no limit.

Counters are fixed windows in the shared cache (Redis in production, so every app server
counts together), keyed by an HMAC of the address: the cache holds neither e-mail nor IP
addresses. While the cache cannot be reached the limit is not applied (``twinning/cache.py``
answers as an empty cache), as for the API: refusing every visitor would be the worse outage.
"""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
RATE = re.compile(r"(?P<count>[1-9][0-9]*)/(?P<multiple>[1-9][0-9]*)?(?P<unit>[a-z]+)")
KEY_PREFIX = "registrations:rate:"


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"3/hour"`` → (3, 3600); ``"100/5m"`` → (100, 300); ``""`` → None (no limit)."""
    if not rate:
        return None
    match = RATE.fullmatch(rate)
    if match is None or match["unit"] not in UNITS:
        raise ValueError(f"Not a rate: {rate!r}")
    return int(match["count"]), int(match["multiple"] or 1) * UNITS[match["unit"]]


def allow(kind: str, value: str, rate: str) -> bool:
    """Count one attempt of ``value`` (an address) against ``rate``; whether it is allowed."""
    limit = parse_rate(rate)
    if limit is None:
        return True
    count, seconds = limit
    window = int(time.time() // seconds)
    digest = salted_hmac(
        "registrations.ratelimit", f"{kind}:{value}", algorithm="sha256"
    ).hexdigest()
    key = f"{KEY_PREFIX}{kind}:{digest}:{window}"
    # add() starts a window's counter; incr() counts atomically in Redis and in memory.
    if cache.add(key, 1, timeout=seconds + 1):
        return True
    try:
        return cache.incr(key) <= count
    except ValueError:  # expired between add() and incr(): a new window
        cache.add(key, 1, timeout=seconds + 1)
        return True


def client_address(request: HttpRequest) -> str:
    """The client's address as the API's rate limit counts it (``NINJA_NUM_PROXIES``).

    Behind the TLS proxy the last ``X-Forwarded-For`` entry (the one the proxy wrote),
    otherwise ``REMOTE_ADDR``: never what the client claims for itself.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NINJA_NUM_PROXIES and forwarded:
        entries = forwarded.split(",")
        return entries[-min(settings.NINJA_NUM_PROXIES, len(entries))].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow_address(email: str) -> bool:
    return allow("address", email.strip().lower(), settings.REGISTRATION_RATE_PER_ADDRESS)


def allow_client(request: HttpRequest) -> bool:
    return allow("client", client_address(request), settings.REGISTRATION_RATE_PER_CLIENT)
