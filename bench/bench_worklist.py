"""Load benchmark: the care manager's worklist and the supervisor's caseload dashboard.

Builds its own PostgreSQL database (`tandem_bench`, dropped and re-created each run) with
--patients enrolled patients spread over --care-managers care managers in teams of ten, serves
the app on loopback with `tandem runserver --noreload` (DEBUG off), signs in --users concurrent
users (care managers open the worklist, one in five users is a supervisor opening the dashboard),
sends a bounded number of requests per user within a time limit, and PRINTS p50/p95/max latency
and error count per page. It never asserts a time.

    python bench/bench_worklist.py --patients 50000 --care-managers 200 --users 50

`make bench` passes --members/--months to every bench script; they are accepted and ignored.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookies import SimpleCookie
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
    ap.add_argument("--requests", type=int, default=20, help="requests per user")
    ap.add_argument("--time-limit", type=float, default=300.0, help="seconds for the load phase")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument(
        "--server",
        choices=["auto", "gunicorn", "runserver"],
        default="auto",
        help="gunicorn (if installed: pip install gunicorn; a bench-only tool) else `tandem runserver`",
    )
    ap.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    ap.add_argument(
        "--server-url",
        default=os.environ.get("TANDEM_BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); the bench creates and drops its own database",
    )
    args, _unknown = ap.parse_known_args()  # --members/--months from `make bench` are ignored
    return args


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
        cur.execute("ANALYZE")
    return [u.username for u in cms], [u.username for u in sups]


class Session:
    """A signed-in browser stand-in: keeps cookies itself (secure cookies over loopback http)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def _open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            resp = opener.open(req, timeout=60)
        except urllib.error.HTTPError as err:
            resp = err
        for header in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return resp.status, resp.read()

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

    def get(self, path: str) -> int:
        return self._open(path)[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


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
            "--threads",
            "2",
            "--log-level",
            "warning",
        ]
    return [
        str(Path(sys.executable).with_name("tandem")),
        "runserver",
        f"127.0.0.1:{args.port}",
        "--noreload",
    ]


def serve(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    port = args.port
    print("server:", " ".join(Path(a).name if i == 0 else a for i, a in enumerate(server_command(args))))
    proc = subprocess.Popen(
        server_command(args),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return proc
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the server did not start")


def load(args: argparse.Namespace, cms: list[str], sups: list[str]) -> dict[str, dict[str, Any]]:
    base = f"http://127.0.0.1:{args.port}"
    n_sup = min(len(sups), max(1, args.users // 5))
    plan = [(u, "/caseload/dashboard/", "dashboard") for u in sups[:n_sup]]
    plan += [(u, "/caseload/worklist/", "worklist") for u in cms[: args.users - n_sup]]
    results: dict[str, dict[str, Any]] = {
        p: {"lat": [], "errors": 0, "kinds": {}} for p in ("worklist", "dashboard")
    }
    lock = threading.Lock()
    deadline = time.monotonic() + args.time_limit
    start = threading.Barrier(len(plan))

    def run(username: str, path: str, page: str) -> None:
        session = Session(base)
        ok = session.sign_in(username)
        start.wait()
        for _ in range(args.requests):
            if time.monotonic() > deadline:
                return
            t0 = time.perf_counter()
            try:
                status: int | str = session.get(path) if ok else "sign-in failed"
            except Exception as exc:  # noqa: BLE001 - any failure counts as an error, the run goes on
                status = type(exc).__name__
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                if status == 200:
                    results[page]["lat"].append(elapsed)
                else:
                    results[page]["errors"] += 1
                    kinds = results[page]["kinds"]
                    kinds[str(status)] = kinds.get(str(status), 0) + 1

    threads = [threading.Thread(target=run, args=row) for row in plan]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results["_wall"] = {"seconds": time.monotonic() - t0, "users": len(plan), "supervisors": n_sup}
    return results


def report(results: dict[str, dict[str, Any]]) -> None:
    wall = results.pop("_wall")
    print(
        f"load: {wall['users']} concurrent users ({wall['supervisors']} supervisors), {wall['seconds']:.1f} s"
    )
    print(f"{'page':<10} {'ok':>6} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for page, r in results.items():
        lat = sorted(r["lat"])
        if lat:
            p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
            p50 = statistics.median(lat)
            print(f"{page:<10} {len(lat):>6} {r['errors']:>7} {p50:>8.0f} {p95:>8.0f} {lat[-1]:>8.0f}")
        else:
            print(f"{page:<10} {0:>6} {r['errors']:>7} {'-':>8} {'-':>8} {'-':>8}")
        if r["kinds"]:
            print(f"{'':<10} errors by kind: {r['kinds']}")


def main() -> None:
    args = parse()
    recreate_database(args.server_url)
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": f"{args.server_url}/{DB_NAME}",
        "TANDEM_DEBUG": "0",
        "TANDEM_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    server = None
    try:
        t0 = time.monotonic()
        cms, sups = build(args)
        print(
            f"setup: {args.patients} enrolled patients, {args.care_managers} care managers, "
            f"{len(sups)} teams in {time.monotonic() - t0:.0f} s"
        )
        server = serve(args, env)
        report(load(args, cms, sups))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(args.server_url)


if __name__ == "__main__":
    main()
