"""PostgreSQL restarted under running web workers: the next request succeeds, no 500.

A restart ends every server process, so each connection a web worker keeps (conn_max_age)
is dead. `pg_terminate_backend` from a second connection does exactly that without stopping
the server other tests use. The request goes through Django's WSGI handler as gunicorn
calls it, so the request_started/finished hooks that check kept connections run as in production.
"""

import io
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from tests.conftest import skip_or_fail

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wsgi_get(path: str, query: str = "") -> int:
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO(),
               "SERVER_NAME": "testserver", "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    status = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()  # request_finished, as a WSGI server sends it
    return int(status[0].split()[0])


def terminate_backend(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"], dbname=db["NAME"], autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


def test_requests_succeed_after_the_database_dropped_kept_connections(settings, garden_a):
    if connection.vendor != "postgresql":
        skip_or_fail("the restart is simulated on PostgreSQL (DATABASE_URL)")
    settings.ALLOWED_HOSTS = ["testserver"]
    assert connection.settings_dict["CONN_MAX_AGE"] > 0 and connection.settings_dict["CONN_HEALTH_CHECKS"]
    path, query = "/finn-hage/", "q=Alfa"  # a page that reads the database
    assert wsgi_get(path, query) == 200
    kept = connection.connection.info.backend_pid  # the connection the "worker" keeps between requests
    terminate_backend(kept)

    assert [wsgi_get(path, query) for _ in range(3)] == [200, 200, 200]
    assert connection.connection.info.backend_pid != kept
