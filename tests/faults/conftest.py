"""Fault tests: the portal with its own Redis (stopped and started by the test) and real workers."""

import pytest

from tests.conftest import skip_or_fail

from .redis_server import RedisServer, redis_server_available


@pytest.fixture
def redis_server(tmp_path):
    """A running redis-server of this test's own, stopped at the end whatever happened."""
    if not redis_server_available():
        skip_or_fail("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def portal_on(redis_server, settings):
    """The portal's cache and Celery broker on `redis_server`, as production has them on REDIS_URL."""
    from network_portal.celery import app

    settings.CACHES = {"default": {"BACKEND": "core.cache.FailSafeRedisCache", "LOCATION": redis_server.url,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_server.url, result_backend=redis_server.url, task_always_eager=False)
    _reconnect(app)
    yield redis_server
    app.conf.update(saved)
    _reconnect(app)


def _reconnect(app) -> None:
    """Drop the broker pool and result store made for the old URL; the next use connects to the new one."""
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
