"""The API's rate limit for anonymous clients (``API_RATE_LIMIT``), counted per address."""

from array import array

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from programmes.domain import permissions


class AnonymousThrottle(SimpleRateThrottle):
    """``settings.API_RATE_LIMIT`` requests per client address; staff are not limited.

    The address is ``REMOTE_ADDR``, or behind the TLS proxy the address the proxy saw
    (``NINJA_NUM_PROXIES``): a client cannot escape the limit with its own
    ``X-Forwarded-For``. ninja answers a refused request with the 429 problem and
    ``Retry-After`` in whole seconds.
    """

    scope = "anonymous"

    def get_rate(self) -> str | None:
        """The setting; None when it is off (``API_RATE_LIMIT=0``). ninja would look the
        scope up in its own table of default rates, which has none, and fail every request."""
        return settings.API_RATE_LIMIT or None

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if self.rate is None or is_staff(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: HttpRequest) -> bool:
        """ninja's sliding window: the moments of the requests within the last period, newest
        first, refused at the limit. Kept as packed floats rather than ninja's list: a list is
        pickled float by float on every request, which with a limit of many thousands per
        period cost milliseconds; packed it is one copy of bytes.
        """
        self.key = self.get_cache_key(request)
        if self.key is None:
            return True
        self.history = array("d", self.cache.get(self.key, b""))
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def throttle_success(self) -> bool:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history.tobytes(), self.duration)
        return True


def is_staff(request: HttpRequest) -> bool:
    """A logged-in member of this install's own staff. Without a session cookie the session
    is not even looked at, so a partner's answer does not vary on cookies (``Vary: Cookie``)
    it never sends."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return (
        user is not None
        and user.is_authenticated
        and user.is_staff
        # A partner reviewer logs in like staff but works for the partner: limited as the
        # partner's own clients are.
        and not permissions.is_partner_reviewer_only(user)
    )


throttle = AnonymousThrottle()
