"""`manage.py load_run`: a bounded mixed load on a running portal, then a check that nothing was lost.

Run by `make load` (.ci/load), which starts PostgreSQL, Redis, gunicorn with several workers and
a Celery worker, generates a network and points this command at it. The command shares the
server's database (DATABASE_URL) to prepare the accounts it signs in with and, afterwards, to
check the server's answers against what was stored.

The mix, each simulated person a thread with their own session for `--seconds`:
- garden staff open their list and a record and log follow-ups (each with a unique token);
- entrepreneurs search for their garden and the competence directory and send help requests
  (each from its own address, as behind the documented reverse proxy, TRUSTED_PROXY_COUNT=1);
- network readers open the report dashboard.

It prints requests per second, p50/p95/p99 per page and the errors, then checks that every write
the server acknowledged (a redirect after the POST) is in the database exactly once, and that
every help request's notification reached the SMTP stand-in this command runs exactly once
(by its Message-ID). The exit status is non-zero when anything was lost, doubled or failed.
"""

from __future__ import annotations

import collections
import datetime
import email
import random
import re
import statistics
import threading
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTP_SECRET = "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF"  # the load test's readers' authenticator key


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1 that keeps every message it accepts (the mail server's stand-in)."""

    def __init__(self, port: int) -> None:
        import socketserver

        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 load-sink ESMTP\r\n")
                data_mode, lines = False, []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    if data_mode:
                        if line in (b".\r\n", b".\n"):
                            with sink.lock:
                                sink.messages.append(email.message_from_bytes(b"".join(lines)))
                            data_mode, lines = False, []
                            self.wfile.write(b"250 OK queued\r\n")
                        else:
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        continue
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250 load-sink\r\n")
                    elif verb == b"DATA":
                        data_mode = True
                        self.wfile.write(b"354 go ahead\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:  # MAIL, RCPT, RSET, NOOP
                        self.wfile.write(b"250 OK\r\n")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _rounds(until: float):
    """Rounds of a person's work until `until`, and always at least one (a slow sign-in still does some work)."""
    yield 0
    n = 1
    while time.monotonic() < until:
        yield n
        n += 1


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.error_samples: list[str] = []
        self.follow_ups: list[str] = []  # tokens the server acknowledged
        self.help_requests: list[str] = []

    def record(self, label: str, started: float, response, expected: tuple[int, ...]) -> bool:
        elapsed = (time.perf_counter() - started) * 1000
        ok = response is not None and response.status_code in expected
        with self.lock:
            self.timings[label].append(elapsed)
            if not ok:
                self.errors[label] += 1
                if len(self.error_samples) < 10:
                    status = "no answer" if response is None else response.status_code
                    reason = "" if response is None else re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
                    self.error_samples.append(f"{label}: {status} {reason.strip()[-300:]}")
        return ok


class Command(BaseCommand):
    help = "A bounded mixed load on a running portal (see make load), then checks that nothing was lost."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", required=True, help="the running portal, e.g. http://127.0.0.1:8123")
        parser.add_argument("--password", required=True, help="the generated accounts' password")
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--staff", type=int, default=6, help="garden staff logging follow-ups")
        parser.add_argument("--entrepreneurs", type=int, default=6)
        parser.add_argument("--readers", type=int, default=2)
        parser.add_argument("--smtp-port", type=int, required=True, help="where the SMTP stand-in listens")
        parser.add_argument("--mail-wait", type=int, default=90, help="seconds to wait for the outbox to empty")

    # --- preparing the accounts ---------------------------------------------------------------

    def _people(self, staff: int, readers: int):
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        from core.models import User
        from gardens.models import StaffMembership
        from members.models import TargetCompany
        from network_portal.generate import generated_marker

        marker = generated_marker()
        if marker is None:
            raise CommandError("No generated network in this database: run generate_network --password … first.")
        today = timezone.localdate()
        memberships = list(
            StaffMembership.objects.valid_on(today)
            .filter(role=StaffMembership.Role.STAFF, garden__slug__startswith="gen-")
            .select_related("user", "garden").order_by("garden__name", "pk")
        )
        chosen, gardens_seen = [], set()
        for membership in memberships:  # one person per garden, as many gardens as asked
            if len(chosen) >= staff:
                break
            if membership.garden_id not in gardens_seen:
                gardens_seen.add(membership.garden_id)
                chosen.append(membership)
        people = []
        for membership in chosen:
            records = list(TargetCompany.objects.filter(garden=membership.garden, status="active")
                           .values_list("pk", flat=True)[:20])
            if records:
                people.append((membership.user.email, membership.garden.slug, records))
        reader_emails = []
        template = User.objects.get(email=marker.changes["reader"])
        for i in range(readers):
            user, _ = User.objects.get_or_create(email=f"last.leser{i}@generert.example.no", defaults={
                "full_name": f"Lastleser {i}", "is_network_reader": True, "password": template.password})
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, TOTP_SECRET)
            reader_emails.append(user.email)
        for address in [p[0] for p in people] + reader_emails:
            user = User.objects.get(email=address)
            EmailAddress.objects.update_or_create(user=user, email=address,
                                                  defaults={"verified": True, "primary": True})
        from gardens.models import Garden
        gardens = list(Garden.objects.filter(slug__startswith="gen-").values_list("slug", flat=True))
        return people, reader_emails, gardens

    # --- one simulated person ------------------------------------------------------------------

    def _sign_in(self, session, base: str, address: str, password: str, totp: bool) -> None:
        page = session.get(f"{base}/konto/login/")
        token = CSRF.search(page.text).group(1)
        response = session.post(f"{base}/konto/login/", data={
            "csrfmiddlewaretoken": token, "login": address, "password": password,
        }, headers={"Referer": f"{base}/konto/login/"})
        if totp and "/2fa/authenticate/" in response.url:
            from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

            token = CSRF.search(response.text).group(1)
            code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
            response = session.post(response.url, data={"csrfmiddlewaretoken": token, "code": code},
                                    headers={"Referer": response.url})
        if "/konto/login/" in response.url or "/2fa/" in response.url:
            said = re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', response.text, re.S)
            raise CommandError(f"{address} could not sign in (ended on {response.url}, {response.status_code}: "
                               f"{re.sub(r'<[^>]+>', ' ', ' '.join(said)).strip()[:200]}).")

    def _get(self, results: Results, session, label: str, url: str, **kwargs):
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=30, **kwargs)
        except Exception:  # noqa: BLE001 — a refused or timed-out request is an error of the run, counted
            response = None
        results.record(label, started, response, (200,))
        return response

    def _staff_loop(self, results, base, address, password, slug, records, until, rng) -> None:
        import requests

        session = requests.Session()
        self._sign_in(session, base, address, password, totp=False)
        for _round in _rounds(until):
            self._get(results, session, "target company list", f"{base}/g/{slug}/malbedrifter/")
            pk = rng.choice(records)
            record_url = f"{base}/g/{slug}/malbedrifter/{pk}/"
            page = self._get(results, session, "record page", record_url)
            if page is None or page.status_code != 200:
                continue
            token = f"last-{uuid.uuid4().hex}"
            started = time.perf_counter()
            try:
                response = session.post(f"{record_url}oppfolging/", data={
                    "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
                    "fu-date": timezone.localdate().isoformat(), "fu-kind": "meeting",
                    "fu-hours": "1.5", "fu-summary": token,
                }, headers={"Referer": record_url}, allow_redirects=False, timeout=30)
            except Exception:  # noqa: BLE001
                response = None
            if results.record("log a follow-up (POST)", started, response, (302,)):
                with results.lock:
                    results.follow_ups.append(token)

    def _entrepreneur_loop(self, results, base, gardens, until, rng, number: int) -> None:
        import requests

        session = requests.Session()
        places = ["Tynset", "Røros", "0437", "Orkland", "Kongsvinger", "Bodø", "Tromsø", "Stavanger"]
        words = ["eksport", "reiseliv", "finansiering", "digitalisering", "landbruk"]
        sent = 0
        for _round in _rounds(until):
            address = f"10.{number}.{sent // 250}.{sent % 250 + 1}"  # one address per request, behind the proxy
            headers = {"X-Forwarded-For": address}
            self._get(results, session, "find your garden", f"{base}/finn-hage/", params={"q": rng.choice(places)},
                      headers=headers)
            self._get(results, session, "competence search", f"{base}/kompetanse/", params={"q": rng.choice(words)},
                      headers=headers)
            slug = rng.choice(gardens)
            ask = f"{base}/be-om-hjelp/{slug}/"
            page = self._get(results, session, "help request form", ask, headers=headers)
            if page is None or page.status_code != 200:
                continue
            token = f"last-{uuid.uuid4().hex}"
            started = time.perf_counter()
            try:
                response = session.post(ask, data={
                    "csrfmiddlewaretoken": CSRF.search(page.text).group(1), "name": f"Gründer {number}",
                    "email": f"grunder{number}.{sent}@last.example.no", "message": f"Jeg trenger hjelp. {token}",
                }, headers={**headers, "Referer": ask}, allow_redirects=False, timeout=30)
            except Exception:  # noqa: BLE001
                response = None
            sent += 1
            if results.record("send a help request (POST)", started, response, (302,)):
                with results.lock:
                    results.help_requests.append(token)

    def _reader_loop(self, results, base, address, password, until, rng) -> None:
        import requests

        session = requests.Session()
        self._sign_in(session, base, address, password, totp=True)
        year = timezone.localdate().year - 1
        for _round in _rounds(until):
            self._get(results, session, "report dashboard", f"{base}/rapporter/", params={"year": year})
            self._get(results, session, "report dashboard, a quarter", f"{base}/rapporter/",
                      params={"year": year, "quarter": rng.randint(1, 4)})

    # --- the run ---------------------------------------------------------------------------------

    def handle(self, *args, **options) -> None:
        base = options["base_url"].rstrip("/")
        sink = SmtpSink(options["smtp_port"])
        people, readers, gardens = self._people(options["staff"], options["readers"])
        results = Results()
        started = time.monotonic()
        until = started + options["seconds"]
        threads = []

        def person(loop, *args):
            """One simulated person; a sign-in that fails (or anything unexpected) is an error of the run."""
            def run():
                try:
                    loop(*args)
                except Exception as error:  # noqa: BLE001
                    with results.lock:
                        results.errors[loop.__name__] += 1
                        results.error_samples.append(f"{loop.__name__}: {error}")
            return run

        for i, (address, slug, records) in enumerate(people):
            threads.append(threading.Thread(target=person(self._staff_loop,
                results, base, address, options["password"], slug, records, until, random.Random(i))))
        for i in range(options["entrepreneurs"]):
            threads.append(threading.Thread(target=person(
                self._entrepreneur_loop, results, base, gardens, until, random.Random(100 + i), i + 1)))
        for i, address in enumerate(readers):
            threads.append(threading.Thread(target=person(
                self._reader_loop, results, base, address, options["password"], until, random.Random(200 + i))))
        self.stdout.write(f"{len(people)} staff, {options['entrepreneurs']} entrepreneurs and {len(readers)} readers "
                          f"for {options['seconds']} s against {base} …")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        self._print(results, seconds)
        try:
            problems = self._check(results, sink, options["mail_wait"])
        finally:
            sink.stop()
        if problems:
            for problem in problems:
                self.stderr.write(f"!!! {problem}")
            raise CommandError(f"The load run found {len(problems)} problem(s).")
        self.stdout.write(self.style.SUCCESS("Nothing lost: every acknowledged write is stored, every help request "
                                             "mailed exactly once, no error."))

    def _print(self, results: Results, seconds: float) -> None:
        total = sum(len(t) for t in results.timings.values())
        errors = sum(results.errors.values())
        self.stdout.write(f"\n{total} requests in {seconds:.0f} s: {total / seconds:.1f} requests/s, {errors} errors\n")
        self.stdout.write(f"{'page':<32} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for label, timings in sorted(results.timings.items()):
            ordered = sorted(timings)

            def pct(p: float, ordered=ordered) -> float:
                return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]

            self.stdout.write(f"{label:<32} {len(ordered):>8} {statistics.median(ordered):>8.0f} {pct(0.95):>8.0f} "
                              f"{pct(0.99):>8.0f} {results.errors[label]:>7}")
        for sample in results.error_samples:
            self.stdout.write(f"  error: {sample}")

    def _check(self, results: Results, sink: SmtpSink, mail_wait: int) -> list[str]:
        from core.mail import mail_message_id
        from core.models import Mail
        from members.models import FollowUpEntry, HelpRequest

        problems = []
        if sum(results.errors.values()):
            problems.append(f"{sum(results.errors.values())} requests failed: {results.error_samples}")
        stored = collections.Counter(
            FollowUpEntry.objects.filter(summary__in=results.follow_ups).values_list("summary", flat=True))
        lost = [t for t in results.follow_ups if stored[t] != 1]
        self.stdout.write(f"\nFollow-ups acknowledged: {len(results.follow_ups)}, stored: {sum(stored.values())}")
        if lost:
            problems.append(f"{len(lost)} acknowledged follow-ups are not stored exactly once")
        acknowledged = set(results.help_requests)
        requests_ = {}
        for pk, message in HelpRequest.objects.filter(message__contains="last-").values_list("pk", "message"):
            token = message.rsplit(" ", 1)[-1]
            if token in acknowledged:
                requests_[token] = pk
        missing = [t for t in results.help_requests if t not in requests_]
        self.stdout.write(f"Help requests acknowledged: {len(results.help_requests)}, stored: {len(requests_)}")
        if missing:
            problems.append(f"{len(missing)} acknowledged help requests are not stored")
        deadline = time.monotonic() + mail_wait
        mails = Mail.objects.filter(key__in=[f"members.helprequest:{pk}:notify" for pk in requests_.values()])
        while mails.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(1)
        unsent = mails.filter(sent_at__isnull=True).count()
        if unsent:
            problems.append(f"{unsent} help-request notifications still unsent after {mail_wait} s")
        with sink.lock:
            received = collections.Counter(m["Message-ID"] for m in sink.messages)
        expected = [mail_message_id(m) for m in mails]
        wrong = [mid for mid in expected if received[mid] != 1]
        self.stdout.write(f"Help-request notifications expected: {len(expected)}, received by the SMTP stand-in: "
                          f"{sum(received[mid] for mid in expected)}")
        if wrong:
            problems.append(f"{len(wrong)} help-request notifications were not received exactly once")
        if len(requests_) != len(expected):
            problems.append(f"{len(requests_) - len(expected)} help requests have no notification")
        self.stdout.write(f"Checked at {datetime.datetime.now():%H:%M:%S}.")
        return problems
