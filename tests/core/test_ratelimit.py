"""Rate limits key on the real client address: a forged X-Forwarded-For counts for nothing."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.ratelimit import RATE_LIMIT, RateLimited, client_ip, rate_limit_hit


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "ratelimit-test"}}
    cache.clear()


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the address it saw.
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.2", "198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_outer_ones_hop_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.3", "1.2.3.4, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"
    # Fewer hops than proxies: something is off, fall back to the direct peer.
    assert client_ip(request_from("10.0.0.3", "198.51.100.7")) == "10.0.0.3"


def test_forging_new_addresses_does_not_escape_the_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(RATE_LIMIT):
        rate_limit_hit("test", ip=client_ip(request_from("10.0.0.2", f"6.6.6.{n}, 198.51.100.7")))
    with pytest.raises(RateLimited):
        rate_limit_hit("test", ip=client_ip(request_from("10.0.0.2", "7.7.7.7, 198.51.100.7")))


def test_the_email_counts_on_its_own(settings):
    for n in range(RATE_LIMIT):
        rate_limit_hit("test", ip=f"10.1.0.{n}", email="Kari@Example.org")
    with pytest.raises(RateLimited):
        rate_limit_hit("test", ip="10.1.1.1", email="kari@example.org")
    rate_limit_hit("test", ip="10.1.1.1", email="ola@example.org")


def test_a_negative_proxy_count_stops_start_up(monkeypatch):
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {"DEBUG": "true", "TRUSTED_PROXY_COUNT": "-1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=django_settings.BASE_DIR, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "TRUSTED_PROXY_COUNT" in result.stderr
