"""The citizens' pages under load (issue #12: tracking page and catalogue search p95 ≤ 100 ms server time at
50 concurrent clients on 200,000 dossiers in PostgreSQL).

Prepares a database once (generated province; every dossier gets an identification number and a phone so
it can be looked up by its second factor), serves it with gunicorn on loopback and drives it with 50 client
threads, each a citizen: the tracking form (code + last 4 digits, POST), the tracking page it leads to (the
QR address, GET) and a catalogue search without accents (GET). Rate limits are lifted for the run. Prints,
per request kind, the server time from the app's Server-Timing header and the client time on loopback:
count, median, p95, max, errors.

    .venv/bin/python bench/citizens.py                                  # 20,000 dossiers, PostgreSQL
    .venv/bin/python bench/citizens.py --dossiers 200000                # the issue's size
    .venv/bin/python bench/citizens.py --database sqlite --dossiers 5000
    .venv/bin/python bench/citizens.py --cache file                     # the demo's file cache instead of Redis
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

PG_ADMIN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
#: Words citizens type (without accents) into the catalogue search.
QUERIES = [
    "ly lich tu phap",
    "khai sinh",
    "chung thuc",
    "dang ky",
    "giay phep",
    "cap doi",
    "ho tich",
    "dat dai",
    "xay dung",
    "kinh doanh",
    "ket hon",
    "1.00",
    "cap lai",
    "thay doi",
    "bao tro",
]

PREPARE = r"""
import json, os, random, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", interactive=False, verbosity=0)
from motcua.dossiers.models import Dossier
if not Dossier.objects.exists():
    import importlib.util
    from pathlib import Path
    # benchdb.py by its path: the bench folder on sys.path would shadow the "public" package Ibis imports.
    spec = importlib.util.spec_from_file_location("benchdb", sys.argv[4])
    benchdb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchdb)
    exchange_set = benchdb.exchange_set
    from motcua.interchange.importer import import_exchange_set
    folder, _ = exchange_set(int(sys.argv[1]), int(sys.argv[2]), 766, Path(sys.argv[3]))
    report = import_exchange_set(folder)
    assert report.ok, [str(e) for e in report.errors[:3]]
# Generated dossiers carry only the applicant's name: give each an ID number and a phone (the second factors).
twelve = "lpad(((id * 7919) % 1000000000000)::text, 12, '0')" if connection.vendor == "postgresql" \
    else "printf('%012d', (id * 7919) % 1000000000000)"
nine = "lpad(((id * 104729) % 1000000000)::text, 9, '0')" if connection.vendor == "postgresql" \
    else "printf('%09d', (id * 104729) % 1000000000)"
with connection.cursor() as cursor:
    cursor.execute(f"UPDATE dossiers_dossier SET applicant_id_number = {twelve}, applicant_phone = '0' || {nine} "
                   "WHERE applicant_id_number = ''")
    cursor.execute("ANALYZE")
ids = list(Dossier.objects.values_list("pk", flat=True))
sample = Dossier.objects.filter(pk__in=random.Random(12).sample(ids, min(2000, len(ids))))
print(json.dumps({"dossiers": len(ids), "lookups": [[d.code, d.applicant_id_number[-4:]]
                  for d in sample.only("code", "applicant_id_number")]}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(database: str, name: str, workdir: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite3')}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Citizen:
    """One client: its own connection and CSRF cookie, as a phone's browser would have."""

    TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, port: int, record):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.record, self.cookie, self.csrf = record, "", ""

    def request(self, kind: str | None, method: str, path: str, body: dict | None = None):
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
        data = None
        if body is not None:
            data = urlencode(body)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"})
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                self.cookie = header.split(";", 1)[0]
        timing = re.search(r"dur=([\d.]+)", response.headers.get("Server-Timing", ""))
        if kind is not None:
            self.record(kind, float(timing.group(1)) if timing else None, elapsed, response.status)
        return response, content

    def start(self):
        _response, content = self.request(None, "GET", "/tra-cuu-ho-so/")
        self.csrf = self.TOKEN.search(content.decode()).group(1)


def drive(port: int, lookups: list, clients: int, rounds: int) -> dict:
    results: dict = defaultdict(lambda: {"server": [], "client": [], "errors": 0})
    lock = threading.Lock()

    def record(kind, server, client, status):
        with lock:
            row = results[kind]
            if server is None or status >= 400:
                row["errors"] += 1
            else:
                row["server"].append(server)
                row["client"].append(client)

    def citizen(seed: int):
        rnd = random.Random(seed)
        person = Citizen(port, record)
        person.start()
        for _ in range(rounds):
            code, factor = rnd.choice(lookups)
            response, _ = person.request(
                "tracking lookup (POST code + factor)",
                "POST",
                "/tra-cuu-ho-so/",
                {"csrfmiddlewaretoken": person.csrf, "code": code, "factor": factor},
            )
            if response.status == 302:
                location = response.headers["Location"].removeprefix("http://127.0.0.1")
                person.request("tracking page (QR address)", "GET", location)
            person.request("catalogue search", "GET", "/thu-tuc/?" + urlencode({"q": rnd.choice(QUERIES)}))

    threads = [threading.Thread(target=citizen, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"seconds": time.perf_counter() - started, "results": results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20, help="tracking look-ups and searches per client")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--cache",
        choices=["redis", "file"],
        default="redis",
        help="MOTCUA_CACHE of the served app (redis: production's; file: the demo's)",
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "motcua-bench-public")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    name = f"motcua_benchpublic_{args.dossiers}_{args.units}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(args.database, name, args.workdir),
        "MOTCUA_DATA_DIR": str(args.workdir),
        "MOTCUA_LOG_LEVEL": "WARNING",
        "MOTCUA_LIVE_766": "0",
        "MOTCUA_DEBUG": "0",
        "MOTCUA_ALLOWED_HOSTS": "127.0.0.1",
        "MOTCUA_CACHE": args.cache,
        # A benchmark is one client address making thousands of look-ups: lift the limits, keep the counting.
        "MOTCUA_TRACKING_RATE": "100000000/m",
        "MOTCUA_TRACKING_CODE_RATE": "100000000/m",
        "MOTCUA_PUBLIC_RATE": "100000000/m",
    }
    started = time.perf_counter()
    prepared = subprocess.run(
        [
            sys.executable,
            "-c",
            PREPARE,
            str(args.dossiers),
            str(args.units),
            str(args.workdir),
            str(Path(__file__).resolve().parent / "benchdb.py"),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    if prepared.returncode:
        sys.stderr.write(prepared.stderr[-4000:])
        return 1
    data = json.loads(prepared.stdout.strip().splitlines()[-1])
    print(
        f"{data['dossiers']:,} dossiers in {args.database} ({name}); prepared in {time.perf_counter() - started:.0f} s"
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "motcua.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
        cwd=tempfile.gettempdir(),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/thu-tuc/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        drive(port, data["lookups"], 5, 2)  # warm every worker's caches (catalogue list, calendar, units)
        run = drive(port, data["lookups"], args.clients, args.rounds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"{args.clients} concurrent clients, {args.rounds} rounds each, gunicorn {args.workers} workers, "
        f"{run['seconds']:.1f} s"
    )
    print(
        f"{'request':40} {'n':>6} {'server p50':>11} {'server p95':>11} {'server max':>11} {'client p95':>11} "
        f"{'errors':>7}"
    )
    for kind, row in run["results"].items():
        server, client = row["server"], row["client"]
        if not server:
            print(f"{kind:40} {0:>6} {'—':>11} {'—':>11} {'—':>11} {'—':>11} {row['errors']:>7}")
            continue
        print(
            f"{kind:40} {len(server):>6} {statistics.median(server):>9.1f}ms {_percentile(server, 0.95):>9.1f}ms "
            f"{max(server):>9.1f}ms {_percentile(client, 0.95):>9.1f}ms {row['errors']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
