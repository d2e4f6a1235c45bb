"""Staff workspace under load (issue #4: p95 server time ≤ 300 ms for the queue, the dossier page and the
scoreboard pages with 20 concurrent users and 1 s think time on ~200,000 dossiers in PostgreSQL; a receipt
PDF in ≤ 500 ms).

Prepares a PostgreSQL database once (generated province, demo logins, open dossiers of the demo department
assigned to the demo specialist, 766 snapshots for the year), serves it with gunicorn on loopback and drives
it with locust (as a library, headless). Prints, per page, the server time (the app's own Server-Timing
header) and the client time on loopback: count, median, p95, max, failures.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/workspace.py --dossiers 200000            # prepare + measure
    .venv/bin/python bench/workspace.py --reuse --seconds 120         # measure again on the same data
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PG_ADMIN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = "motcua-demo-2026"

PREPARE = r"""
import json, os, sys, tempfile, time
from datetime import date
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
dossiers = int(sys.argv[1])
started = time.perf_counter()
call_command("migrate", interactive=False, verbosity=0)
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
with tempfile.TemporaryDirectory(prefix="motcua-bench-ws-") as tmp:
    generate_exchange_set(Path(tmp) / "set", dossiers=dossiers, seed=766, until=timezone.localdate())
    report = import_exchange_set(Path(tmp) / "set")
    assert report.ok, [str(e) for e in report.errors[:3]]
print(f"loaded {dossiers:,} dossiers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
from motcua.web.demo_catalogue import declare_demo_catalogue
declare_demo_catalogue()
from motcua.org.demo import create_demo_logins
create_demo_logins()
# Give the demo specialist a realistic queue: the open dossiers of the department, at its first step.
from django.contrib.auth import get_user_model
from motcua.dossiers.models import Dossier
from motcua.org.models import Official
specialist = get_user_model().objects.get(username="chuyenvien")
unit_id = Official.objects.filter(user=specialist).values_list("unit_id", flat=True).first()
assigned = Dossier.objects.filter(handling_unit_id=unit_id, status__in=[2, 4, 5]).update(current_assignee=specialist)
print(f"assigned {assigned:,} open dossiers to chuyenvien", file=sys.stderr)
started = time.perf_counter()
try:
    call_command("snapshots", year=timezone.localdate().year, verbosity=0)
except Exception as error:  # the command comes with the scoreboard; fall back to the current periods
    print(f"snapshots command unavailable ({error}); storing the current periods", file=sys.stderr)
    from motcua.index766.tasks import recompute_current_snapshots
    recompute_current_snapshots()
print(f"snapshots stored in {time.perf_counter() - started:.0f} s", file=sys.stderr)
with connection.cursor() as cur:
    cur.execute("ANALYZE")
"""

TARGETS = r"""
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)  # --reuse after new migrations
from django.contrib.auth import get_user_model
from motcua.access import policy
from motcua.org.models import Unit
out = {}
for username in ("motcua_so", "chuyenvien", "lanhdao", "kiemsoat"):
    user = get_user_model().objects.get(username=username)
    codes = list(policy.visible_dossiers(user).order_by("?").values_list("code", flat=True)[:300])
    out[username] = codes
received = policy.visible_dossiers(get_user_model().objects.get(username="motcua_so")).filter(received_at__isnull=False)
out["receipts"] = list(received.order_by("?").values_list("code", flat=True)[:100])
from motcua.scoreboard.services import warm_current_lists
warm_current_lists()  # what the worker's periodic task keeps in the shared cache
out["units"] = list(Unit.objects.filter(kind__in=["SO", "XA"], valid_to__isnull=True).values_list("code", flat=True))
print(json.dumps(out))
"""


def _child(code: str, env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    sys.stderr.write(result.stderr[-4000:] if result.returncode else result.stderr)
    result.check_returncode()
    return result.stdout


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, capture_output=True)


def _database_exists(name: str) -> bool:
    out = subprocess.run(
        ["psql", PG_ADMIN, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))] if ordered else float("nan")


def run_load(host: str, targets: dict, users: int, seconds: int, warmup: int) -> dict:
    import gevent
    from locust import events
    from locust.env import Environment

    server_ms: dict[str, list[float]] = defaultdict(list)
    client_ms: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    recording = {"on": False}
    events.request.add_listener(_request_recorder(recording, server_ms, client_ms, failures))

    period = time.strftime("%Y-%m")
    staff = _staff_class(host, targets)
    user_classes = [
        _specialist_class(staff),
        _leader_class(staff, period),
        _desk_class(staff, targets),
        _control_class(staff, targets["units"], period),
    ]
    env = Environment(user_classes=user_classes, host=host, events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    recording["on"] = True
    gevent.sleep(seconds)
    recording["on"] = False
    runner.quit()
    names = sorted(set(client_ms) | set(failures))
    return {
        name: {
            "count": len(client_ms[name]),
            "failures": failures[name],
            "server_median": _percentile(server_ms[name], 0.5),
            "server_p95": _percentile(server_ms[name], 0.95),
            "server_max": max(server_ms[name], default=float("nan")),
            "client_p95": _percentile(client_ms[name], 0.95),
        }
        for name in names
    }


def _request_recorder(recording: dict, server_ms: dict, client_ms: dict, failures: dict):
    """A locust request listener that, while ``recording["on"]``, keeps each page's times or failures."""
    timing = re.compile(r"app;dur=([0-9.]+)")

    def _record(request_type, name, response_time, response_length, response=None, exception=None, **_kw):
        if not recording["on"] or name.startswith("login"):
            return
        if exception is not None or response is None or response.status_code >= 400:
            failures[name] += 1
            return
        client_ms[name].append(response_time)
        match = timing.search(response.headers.get("Server-Timing", ""))
        if match:
            server_ms[name].append(float(match.group(1)))

    return _record


def _staff_class(host: str, targets: dict):
    """The abstract staff user: signs in, opens one of its dossiers' pages."""
    from locust import HttpUser, constant

    class Staff(HttpUser):
        abstract = True
        wait_time = constant(1)
        username = ""

        def on_start(self):
            page = self.client.get("/dang-nhap/", name="login form")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            self.client.post(
                "/dang-nhap/",
                {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                name="login",
                headers={"Referer": host + "/dang-nhap/"},
            )

        def dossier(self):
            code = random.choice(targets[self.username])
            self.client.get(f"/can-bo/ho-so/{code}/", name="dossier page")

    return Staff


def _specialist_class(staff):
    """The specialist: the queue, a dossier page, a search."""
    from locust import task

    class Specialist(staff):
        username = "chuyenvien"
        weight = 3

        @task(3)
        def queue(self):
            self.client.get("/can-bo/viec-cua-toi/", name="queue")

        @task(3)
        def page(self):
            self.dossier()

        @task(1)
        def search(self):
            self.client.get("/can-bo/tra-cuu/?q=Nguyễn", name="search")

    return Specialist


def _leader_class(staff, period: str):
    """The leader: the queue, approvals, the scoreboard overview, a dossier page."""
    from locust import task

    class Leader(staff):
        username = "lanhdao"
        weight = 1

        @task(2)
        def queue(self):
            self.client.get("/can-bo/viec-cua-toi/", name="queue")

        @task(1)
        def approvals(self):
            self.client.get("/can-bo/trinh-ky/", name="approvals")

        @task(2)
        def overview(self):
            self.client.get(f"/bang-diem-766/?period={period}", name="scoreboard overview")

        @task(1)
        def page(self):
            self.dossier()

    return Leader


def _desk_class(staff, targets: dict):
    """The one-stop desk: its queue, a dossier page, a receipt PDF."""
    from locust import task

    class Desk(staff):
        username = "motcua_so"
        weight = 2

        @task(3)
        def desk(self):
            self.client.get("/can-bo/mot-cua/", name="desk")

        @task(2)
        def page(self):
            self.dossier()

        @task(1)
        def receipt(self):
            code = random.choice(targets["receipts"])
            self.client.get(f"/can-bo/ho-so/{code}/bieu-mau/receipt.pdf", name="receipt PDF")

    return Desk


def _control_class(staff, units: list, period: str):
    """The control office: the scoreboard overview, a unit's page, late dossiers, a dossier page."""
    from locust import task

    class Control(staff):
        username = "kiemsoat"
        weight = 2

        @task(2)
        def overview(self):
            self.client.get(f"/bang-diem-766/?period={period}", name="scoreboard overview")

        @task(3)
        def unit(self):
            self.client.get(f"/bang-diem-766/don-vi/{random.choice(units)}/?period={period}", name="scoreboard unit")

        @task(1)
        def late(self):
            self.client.get(f"/bang-diem-766/ho-so-tre-han/?period={period}", name="late dossiers")

        @task(2)
        def page(self):
            self.dossier()

    return Control


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--database", default="motcua_bench_ws", help="PostgreSQL database name")
    parser.add_argument("--reuse", action="store_true", help="keep an already prepared database")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60, help="measured duration")
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="motcua-bench-ws-data-"))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{args.database}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        MOTCUA_DATA_DIR=str(data_dir),
        MOTCUA_DEBUG="0",
        MOTCUA_HUEY_IMMEDIATE="0",
        MOTCUA_LIVE_766="0",
        MOTCUA_LOG_LEVEL="WARNING",
    )
    if not (args.reuse and _database_exists(args.database)):
        _psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        _psql(f'CREATE DATABASE "{args.database}"')
        started = time.perf_counter()
        _child(PREPARE, env, str(args.dossiers))
        print(f"prepared in {time.perf_counter() - started:.0f} s")
    targets = json.loads(_child(TARGETS, env).strip().splitlines()[-1])

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "motcua.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        host = f"http://127.0.0.1:{port}"
        _wait_for(host + "/dang-nhap/")
        results = run_load(host, targets, args.users, args.seconds, args.warmup)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"\n{args.users} users, 1 s think time, {args.seconds} s measured after {args.warmup} s warm-up, "
        f"gunicorn {args.workers} workers, PostgreSQL database {args.database}"
    )
    print(
        f"{'page':<22}{'requests':>9}{'fail':>6}{'server p50':>12}{'server p95':>12}{'server max':>12}"
        f"{'client p95':>12}"
    )
    for name, r in results.items():
        print(
            f"{name:<22}{r['count']:>9}{r['failures']:>6}{r['server_median']:>10.0f}ms{r['server_p95']:>10.0f}ms"
            f"{r['server_max']:>10.0f}ms{r['client_p95']:>10.0f}ms"
        )


if __name__ == "__main__":
    main()
