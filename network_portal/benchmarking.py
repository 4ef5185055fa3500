"""What `manage.py benchmark_pages` measures against: the floor of this stack, and the timing itself.

The floor is a minimal view behind the same middleware (session, sign-in, CSP…) that renders
25 rows of the same model from one query: no page can be faster than that on this machine.
Its URL exists only in the benchmark's own URLconf (`urlpatterns` below, used through
override_settings(ROOT_URLCONF=…)), never in the portal's.
"""

import dataclasses
import statistics
import time
import tracemalloc

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from members.models import TargetCompany

_FLOOR = engines["django"].from_string(
    "<!doctype html><html lang=\"nb\"><title>floor</title><table>{% for t in rows %}<tr><td>{{ t.company.name }}</td>"
    "<td>{{ t.company.org_number }}</td><td>{{ t.get_phase_display }}</td><td>{{ t.contract_start|date:'d.m.Y' }}"
    "</td></tr>{% endfor %}</table></html>"
)


def floor_view(request: HttpRequest, garden_id: int) -> HttpResponse:
    """25 target company rows of a garden from one query, in the simplest template."""
    rows = TargetCompany.objects.filter(garden_id=garden_id).select_related("company").order_by("company__name",
                                                                                                "pk")[:25]
    return HttpResponse(_FLOOR.render({"rows": rows}, request))


urlpatterns = [
    path("__benchmark/floor/<int:garden_id>/", floor_view, name="benchmark-floor"),
    path("", include("network_portal.urls")),
]


@dataclasses.dataclass
class Timing:
    """One page's figures: median and 95th percentile in ms, queries per request, response size."""

    label: str
    url: str
    median_ms: float
    p95_ms: float
    queries: list[int]
    bytes: int
    status: int
    peak_memory_kib: float | None = None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _body_size(response) -> int:
    """The response's size, reading a streamed one chunk by chunk (never all of it at once)."""
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size
    return len(response.content)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def signed_in_client(user) -> Client:
    """A test client signed in as `user`, past the two-factor step (the benchmark times pages, not sign-in).

    force_login marks a garden admin or reader without an authenticator as "must set up two-factor
    sign-in first" (gardens/signin.py); the benchmark's generated people have none, so the mark is lifted.
    """
    from gardens.signin import MFA_SETUP_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session.pop(MFA_SETUP_KEY, None)
    session.save()
    return client


def measure(client: Client, label: str, url: str, *, runs: int, warmups: int = 2, memory: bool = False) -> Timing:
    """Request `url` `warmups` times, then `runs` times timed (body read in full), with the query count."""
    status = 0
    for _ in range(warmups):
        response = client.get(url)
        _body_size(response)
    timings, queries, size = [], set(), 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            size = _body_size(response)
            timings.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        queries.add(len(captured.captured_queries))
    peak = None
    if memory:
        # Python's own allocations while the response is made and read: flat if it streams.
        tracemalloc.start()
        response = client.get(url)
        _body_size(response)
        peak = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    return Timing(label=label, url=url, median_ms=round(statistics.median(timings), 2), p95_ms=round(_p95(timings), 2),
                  queries=sorted(queries), bytes=size, status=status,
                  peak_memory_kib=round(peak, 1) if peak is not None else None)
