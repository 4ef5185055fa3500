"""Counting requests per client address (and per e-mail) in the cache.

The cache is Redis when REDIS_URL is set, so every web process counts together; without
it (the development server) each process counts on its own.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# Anonymous visitors may do a limited thing this many times per window.
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 60 * 60


class RateLimited(Exception):
    """Too many requests from this address or e-mail in the window."""


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the hop our own proxy added when one is trusted.

    X-Forwarded-For is a list any client can start with made-up hops; each proxy appends the
    address it saw. With TRUSTED_PROXY_COUNT proxies in front, the address the outermost of
    them saw is that many places from the end. Without a trusted proxy the header is ignored.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limit_hit(scope: str, *, ip: str, email: str = "", limit: int = RATE_LIMIT,
                   window: int = RATE_WINDOW_SECONDS) -> None:
    """Count one request for the address (and e-mail); raise RateLimited when either is over `limit`."""
    keys = [f"rate:{scope}:ip:{ip}"]
    if email:
        keys.append(f"rate:{scope}:email:{email.strip().lower()}")
    counts = cache.get_many(keys)
    if any(counts.get(key, 0) >= limit for key in keys):
        raise RateLimited
    for key in keys:
        # add() starts the window; incr() keeps it (the window runs from the first request).
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, window)
