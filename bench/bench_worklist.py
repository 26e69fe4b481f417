"""Load benchmark: the care manager's worklist and the supervisor's caseload dashboard.

Builds its own PostgreSQL database (`tandem_bench`) with --patients enrolled patients spread over
--care-managers care managers in teams of ten, serves the app on loopback with gunicorn (DEBUG off,
a secret key set; `tandem runserver --noreload` only if gunicorn is missing), and runs one load
phase per --think value. In each phase --users simulated users (one in five a supervisor opening
the dashboard, the others care managers opening their worklist) each sign in once, then request
their page in a loop, waiting --think seconds between a response and the next request, until
--requests per user or --time-limit seconds. Think 0 is the harsh closed loop (50 requests always
in flight); 1 s is a user clicking through pages; 5 s is closer to how a person reads a worklist.
It PRINTS p50/p95/p99/max latency, throughput and errors by kind per page, the load average, and
the CPU per request of the gunicorn workers, the PostgreSQL backends and the load generator itself
(all on the same machine); it never asserts a time.

    python bench/bench_worklist.py --patients 50000 --care-managers 200 --users 50 --think 0,1,5

The load generator is http.client in threads, a few tenths of a millisecond of CPU per request.
--reuse keeps an existing `tandem_bench` of the same size (migrating it) instead of rebuilding it,
and leaves it in place afterwards; both paths VACUUM ANALYZE as autovacuum would in steady state.
`make bench` passes --members/--months to every bench script; they are accepted and ignored.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "tandem_bench"
PASSWORD = "bench-password-2026"


def parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=50_000)
    ap.add_argument("--care-managers", type=int, default=200)
    ap.add_argument("--users", type=int, default=50, help="concurrent signed-in users")
    ap.add_argument(
        "--think",
        default="0,1,5",
        help="comma-separated think times in seconds, one load phase each (0 = no think time)",
    )
    ap.add_argument("--requests", type=int, default=40, help="requests per user per phase (upper bound)")
    ap.add_argument("--time-limit", type=float, default=90.0, help="seconds per load phase (upper bound)")
    ap.add_argument("--port", type=int, default=0, help="loopback port (0 = a free one)")
    ap.add_argument(
        "--server",
        choices=["auto", "gunicorn", "runserver"],
        default="auto",
        help="gunicorn (a dev dependency) if installed, else `tandem runserver`",
    )
    # Sync workers, one request each: the work is CPU in Python plus short waits on PostgreSQL (on
    # the same machine), so about two per core keeps the cores busy without thrashing.
    ap.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    ap.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        default="sync",
        help="gunicorn worker class (gthread keeps connections alive)",
    )
    ap.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    ap.add_argument("--reuse", action="store_true", help="reuse an existing tandem_bench of the same size")
    ap.add_argument(
        "--server-url",
        default=os.environ.get("TANDEM_BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); the bench creates its own database",
    )
    args, _unknown = ap.parse_known_args()  # --members/--months from `make bench` are ignored
    args.port = args.port or free_port()
    return args


def existing_size(server_url: str) -> tuple[int, int] | None:
    """(patients, care managers) of an existing bench database, or None if there is none."""
    import psycopg

    with psycopg.connect(server_url + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is None:
            return None
    try:
        with psycopg.connect(f"{server_url}/{DB_NAME}", autocommit=True) as conn:
            patients = conn.execute("SELECT count(*) FROM patients_patient").fetchone()
            cms = conn.execute(
                "SELECT count(*) FROM accounts_user WHERE username LIKE 'bench_cm%%'"
            ).fetchone()
    except psycopg.Error:
        return None
    return (patients[0] if patients else 0, cms[0] if cms else 0)


def recreate_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def build(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Populate the database; returns (care manager usernames, supervisor usernames)."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from tandem.accounts.models import CareTeam, CareTeamMembership, Role, User
    from tandem.caseload.models import Contact, ContactMode, Task, TaskKind, TaskPriority
    from tandem.core.pseudonym import pseudonym
    from tandem.patients.models import Patient
    from tandem.programs.models import CareManagerAssignment, Episode, EpisodeStatus, Program

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    today = timezone.localdate()
    hashed = make_password(PASSWORD)
    n_teams = max(1, args.care_managers // 10)
    # Setup uses bulk_create throughout: it bypasses model save() and the audit signal handlers on
    # purpose (a synthetic bench population needs no audit trail and would take far longer with one).
    sups = User.objects.bulk_create(
        [
            User(
                username=f"bench_sup{i}",
                first_name="Sup",
                last_name=f"{i}",
                role=Role.SUPERVISOR,
                password=hashed,
            )
            for i in range(n_teams)
        ]
    )
    cms = User.objects.bulk_create(
        [
            User(
                username=f"bench_cm{i}",
                first_name="Cm",
                last_name=f"{i}",
                role=Role.CARE_MANAGER,
                password=hashed,
            )
            for i in range(args.care_managers)
        ]
    )
    teams = CareTeam.objects.bulk_create(
        [CareTeam(name=f"Bench team {i}", supervisor=s) for i, s in enumerate(sups)]
    )
    CareTeamMembership.objects.bulk_create(
        [CareTeamMembership(team=teams[i % n_teams], user=cm) for i, cm in enumerate(cms)]
    )
    program = Program.objects.create(name="Bench program", slug="bench")
    batch = 5000
    for start in range(0, args.patients, batch):
        patients = []
        for i in range(start, min(start + batch, args.patients)):
            p = Patient(
                given_name=f"Given{i}",
                family_name=f"Family{i}",
                birth_date=today - timedelta(days=365 * 40 + i % 9000),
                sex="female" if i % 2 else "male",
                care_team=teams[(i % args.care_managers) % n_teams],
            )
            p.pseudo_id = pseudonym(str(p.public_id))
            patients.append(p)
        patients = Patient.objects.bulk_create(patients)
        episodes = []
        for i, p in zip(range(start, start + len(patients)), patients, strict=True):
            cm = cms[i % args.care_managers]
            episodes.append(
                Episode(
                    patient=p,
                    program=program,
                    status=EpisodeStatus.ENROLLED,
                    tier=rng.choice(["high", "medium", "medium", "low", "low"]),
                    primary_care_manager=cm,
                    enrolled_on=today - timedelta(days=rng.randint(1, 400)),
                    status_changed_at=timezone.now(),
                )
            )
        episodes = Episode.objects.bulk_create(episodes)
        CareManagerAssignment.objects.bulk_create(
            [CareManagerAssignment(episode=e, care_manager_id=e.primary_care_manager_id) for e in episodes]
        )
        contacts = []
        for e in episodes:
            for _ in range(rng.randint(0, 3)):
                contacts.append(
                    Contact(
                        patient_id=e.patient_id,
                        episode=e,
                        occurred_on=today - timedelta(days=rng.randint(0, 60)),
                        mode=ContactMode.PHONE,
                        duration_minutes=20,
                        self_management_confidence=rng.choice([None, 5, 7, 9]),
                        recorded_by_id=e.primary_care_manager_id,
                    )
                )
        Contact.objects.bulk_create(contacts)
        Task.objects.bulk_create(
            [
                Task(
                    patient_id=e.patient_id,
                    kind=TaskKind.SAFETY_ALERT if k % 10 == 0 else TaskKind.OTHER,
                    priority=TaskPriority.URGENT if k % 10 == 0 else TaskPriority.NORMAL,
                    title="Bench task",
                    due_on=today,
                    assigned_to_id=e.primary_care_manager_id,
                )
                for k, e in enumerate(episodes[::10])
            ]
        )
    from django.db import connection

    with connection.cursor() as cur:
        # Set the visibility map as autovacuum would in a database in steady state, so index-only
        # scans (the last-contact lookups) do not visit the heap of freshly loaded tables.
        cur.execute("VACUUM ANALYZE")
    return [u.username for u in cms], [u.username for u in sups]


def usernames(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The users `build` creates, for a reused database."""
    n_teams = max(1, args.care_managers // 10)
    return [f"bench_cm{i}" for i in range(args.care_managers)], [f"bench_sup{i}" for i in range(n_teams)]


def migrate_only() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        # Set the visibility map as autovacuum would in a database in steady state, so index-only
        # scans (the last-contact lookups) do not visit the heap of freshly loaded tables.
        cur.execute("VACUUM ANALYZE")


class Session:
    """A signed-in browser stand-in on http.client: cookies kept by hand, no redirects followed.

    urllib built an opener and parsed every Set-Cookie with SimpleCookie per request; the load
    generator runs on the same 2 cores as the server, so its own CPU per request is kept small
    (and printed). The connection is kept open when the server allows it (gthread workers);
    sync workers close it after each response and it is reopened.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had already closed: retry once on a new one.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            for header in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if resp.will_close:
                self.conn.close()
                self.conn = None
            return resp.status, data
        raise AssertionError("unreachable")

    def _open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is None:
            return self._request("GET", path, None, headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._request("POST", path, urllib.parse.urlencode(data).encode(), headers)

    def sign_in(self, username: str) -> bool:
        self._open("/accounts/login/")
        status, _ = self._open(
            "/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
        )
        return status == 302 and "sessionid" in self.cookies

    def get(self, path: str) -> tuple[int, bytes]:
        return self._open(path)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def server_command(args: argparse.Namespace) -> list[str]:
    use_gunicorn = args.server == "gunicorn"
    if args.server == "auto":
        import importlib.util

        use_gunicorn = importlib.util.find_spec("gunicorn") is not None
    if use_gunicorn:
        return [
            str(Path(sys.executable).with_name("gunicorn")),
            "tandem.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
    return [
        str(Path(sys.executable).with_name("tandem")),
        "runserver",
        f"127.0.0.1:{args.port}",
        "--noreload",
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(args: argparse.Namespace, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    port = args.port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Another process on the port would answer for ours (with another database): refuse.
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"127.0.0.1:{port} is already in use; pick another --port")
    print("server:", " ".join(Path(a).name if i == 0 else a for i, a in enumerate(server_command(args))))
    with log.open("wb") as out:
        proc = subprocess.Popen(server_command(args), env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(120):
        if proc.poll() is not None:
            raise SystemExit(f"the server exited; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return proc
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the server did not start; see {log}")


def server_cpu_seconds(proc: subprocess.Popen[bytes]) -> float | None:
    """CPU time used so far by the server and its workers (Linux /proc; None elsewhere).

    Printed per request so a slow figure can be told apart from a machine shared with other work.
    """
    try:
        pids = [proc.pid]
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        pids += [int(c) for c in children]
        ticks = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def process_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class PostgresCpu:
    """CPU used by the PostgreSQL backends serving the bench database (same machine, Linux /proc).

    Django recycles its connections (CONN_MAX_AGE), and a backend that exits takes its CPU counter
    with it, so the backends are sampled every half second and each one's last reading is kept: at
    most the last half second of an exiting backend is missed. Backends of other databases (other
    work on the machine) are left out.
    """

    def __init__(self, server_url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(server_url + "/postgres", autocommit=True)
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def _sample(self) -> dict[int, float]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME]
        ).fetchall()
        found = {pid: process_cpu_seconds(pid) for (pid,) in rows}
        return {pid: cpu for pid, cpu in found.items() if cpu is not None}

    def begin(self) -> None:
        self.start = self._sample()
        self.last = dict(self.start)

        def loop() -> None:
            while not self.stop.wait(0.5):
                self.last.update(self._sample())

        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()

    def end(self) -> float:
        """Seconds of CPU used by the backends since `begin`."""
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
        self.last.update(self._sample())
        self.conn.close()
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.last.items())


def own_cpu_seconds() -> float:
    """CPU of this process, i.e. the load generator's threads during a phase."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# What a good answer must contain: a 200 that is some other page (an error page rendered with 200,
# an empty body) counts as an error too.
MARKERS = {"worklist": b'id="contacts-h"', "dashboard": b'data-testid="per-care-manager"'}


def load(
    args: argparse.Namespace, cms: list[str], sups: list[str], think: float, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    n_sup = min(len(sups), max(1, args.users // 5))
    plan = [(u, "/caseload/dashboard/", "dashboard") for u in sups[:n_sup]]
    plan += [(u, "/caseload/worklist/", "worklist") for u in cms[: args.users - n_sup]]
    pages: dict[str, dict[str, Any]] = {
        p: {"lat": [], "errors": 0, "kinds": {}} for p in ("worklist", "dashboard")
    }
    sign_ins: list[float] = []
    sign_in_failures: list[str] = []
    lock = threading.Lock()
    clock: dict[str, float] = {}
    postgres = PostgresCpu(args.server_url)

    def start_clock() -> None:
        """Run by the barrier before it releases anyone: the phase starts once all have signed in."""
        clock["cpu"] = server_cpu_seconds(server) or 0.0
        clock["generator_cpu"] = own_cpu_seconds()
        postgres.begin()
        clock["start"] = time.monotonic()
        clock["deadline"] = clock["start"] + args.time_limit

    ready = threading.Barrier(len(plan) + 1, action=start_clock)

    def run(username: str, path: str, page: str) -> None:
        session = Session(args.port)
        t0 = time.perf_counter()
        try:
            ok = session.sign_in(username)
        except Exception as exc:  # noqa: BLE001 - a failed sign-in is reported, the run goes on
            ok = False
            failure = type(exc).__name__
        else:
            failure = "" if ok else "refused"
        with lock:
            sign_ins.append((time.perf_counter() - t0) * 1000)
            if failure:
                sign_in_failures.append(failure)
        ready.wait()
        if not ok:
            return
        # Spread the first requests over the first think interval, as real users would arrive.
        time.sleep(random.uniform(0, think))
        for _ in range(args.requests):
            if time.monotonic() > clock["deadline"]:
                return
            t1 = time.perf_counter()
            kind = ""
            try:
                status, body = session.get(path)
                if status != 200:
                    kind = f"HTTP {status}"
                elif MARKERS[page] not in body:
                    kind = "HTTP 200 without the page"
            except Exception as exc:  # noqa: BLE001 - any failure counts as an error, the run goes on
                kind = type(exc).__name__
            elapsed = (time.perf_counter() - t1) * 1000
            with lock:
                if kind:
                    pages[page]["errors"] += 1
                    pages[page]["kinds"][kind] = pages[page]["kinds"].get(kind, 0) + 1
                else:
                    pages[page]["lat"].append(elapsed)
            if think:
                time.sleep(think)
        session.close()

    threads = [threading.Thread(target=run, args=row) for row in plan]
    for t in threads:
        t.start()
    load_before = os.getloadavg()
    ready.wait()
    for t in threads:
        t.join()
    cpu = server_cpu_seconds(server)
    generator_cpu = own_cpu_seconds() - clock["generator_cpu"]
    postgres_cpu = postgres.end()
    return {
        "pages": pages,
        "seconds": time.monotonic() - clock["start"],
        "server_cpu": None if cpu is None else cpu - clock["cpu"],
        "generator_cpu": generator_cpu,
        "postgres_cpu": postgres_cpu,
        "users": len(plan),
        "supervisors": n_sup,
        "sign_ins": sorted(sign_ins),
        "sign_in_failures": sign_in_failures,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def report(result: dict[str, Any], think: float) -> None:
    label = "no think time (closed loop, harsh)" if think == 0 else f"think time {think:g} s between requests"
    la, lb = result["load_before"], result["load_after"]
    print(
        f"-- phase: {result['users']} concurrent users ({result['supervisors']} supervisors), {label}; "
        f"{result['seconds']:.1f} s; load average before sign-in {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}, "
        f"after {lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f} ({os.cpu_count()} cores)"
    )
    s = result["sign_ins"]
    print(
        f"sign-in (once per user, not in the page figures): p50 {statistics.median(s):.0f} ms, "
        f"max {s[-1]:.0f} ms, failures {len(result['sign_in_failures'])}"
    )
    done = sum(len(r["lat"]) + r["errors"] for r in result["pages"].values())
    if result["server_cpu"] is not None and done:
        server_ms = 1000 * result["server_cpu"] / done
        postgres_ms = 1000 * result["postgres_cpu"] / done
        generator_ms = 1000 * result["generator_cpu"] / done
        total_ms = server_ms + postgres_ms + generator_ms
        print(
            f"CPU per request: gunicorn workers {server_ms:.1f} ms, "
            f"PostgreSQL backends {postgres_ms:.1f} ms, load generator {generator_ms:.1f} ms; "
            f"total {total_ms:.1f} ms, so at most "
            f"~{1000 * (os.cpu_count() or 1) / total_ms:.0f} req/s on {os.cpu_count()} cores "
            "if nothing else ran"
        )
        print(
            f"cores used on average: gunicorn {result['server_cpu'] / result['seconds']:.2f}, PostgreSQL "
            f"{result['postgres_cpu'] / result['seconds']:.2f}, generator "
            f"{result['generator_cpu'] / result['seconds']:.2f}"
        )
    header = ("page", "ok", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s")
    print("{:<10} {:>6} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7}".format(*header))
    for page, r in result["pages"].items():
        lat = sorted(r["lat"])
        rate = (len(lat) + r["errors"]) / result["seconds"]
        if lat:
            print(
                f"{page:<10} {len(lat):>6} {r['errors']:>7} {statistics.median(lat):>8.0f} "
                f"{pct(lat, 0.95):>8.0f} {pct(lat, 0.99):>8.0f} {lat[-1]:>8.0f} {rate:>7.1f}"
            )
        else:
            print(f"{page:<10} {0:>6} {r['errors']:>7} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {rate:>7.1f}")
        print(f"{'':<10} errors by kind: {r['kinds'] or 'none'}")


def main() -> None:
    args = parse()
    thinks = [float(t) for t in args.think.split(",") if t.strip()]
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": f"{args.server_url}/{DB_NAME}",
        "TANDEM_DEBUG": "0",
        "TANDEM_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "TANDEM_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    la = os.getloadavg()
    print(f"before the bench: load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} ({os.cpu_count()} cores)")
    reuse = args.reuse and existing_size(args.server_url) == (args.patients, args.care_managers)
    server = None
    log = Path(tempfile.gettempdir()) / f"tandem-bench-server-{os.getpid()}.log"
    try:
        t0 = time.monotonic()
        if reuse:
            migrate_only()
            cms, sups = usernames(args)
            print(f"setup: reused {DB_NAME} ({args.patients} patients, {args.care_managers} care managers)")
        else:
            recreate_database(args.server_url)
            cms, sups = build(args)
            print(
                f"setup: {args.patients} enrolled patients, {args.care_managers} care managers, "
                f"{len(sups)} teams in {time.monotonic() - t0:.0f} s"
            )
        from django.db import connections

        connections.close_all()
        server = serve(args, env, log)
        for think in thinks:
            report(load(args, cms, sups, think, server), think)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
            print(f"server log: {log}")
        from django.db import connections

        connections.close_all()
        if not args.reuse:
            drop_database(args.server_url)


if __name__ == "__main__":
    main()
