"""National portal sync benchmark (issue #9 "Benchmarks"): the outbox and the relay against the fake adapter.

Prints figures beside the issue's targets; asserts nothing (a figure off target is reported, not failed):

1. relay throughput: N dossier changes committed first, then ``Relay(...).run(until_empty=True)``
   (≥ 1,000 changes/s PostgreSQL, ≥ 300 SQLite);
2. lag at a steady rate (50 changes/s): commit → on the portal / acknowledged, p50 ≤ 1 s, p95 ≤ 5 s;
3. what the outbox adds to a dossier transaction (receiver connected vs disconnected): ≤ 2 ms median;
4. backlog: M dossiers imported (no outbox), ``enqueue_dossiers``, then a relay drain (time, rate,
   peak RSS ≤ 500 MB).

    .venv/bin/python bench/portal.py                                   # both databases, default sizes
    .venv/bin/python bench/portal.py --database postgres --phases backlog --backlog 1000000
    .venv/bin/python bench/portal.py --database sqlite --phases throughput --profile /tmp/prof

A "change" is one lifecycle action that moves the national status (one DossierEvent with
``to_status``): the outbox gets the dossier's state (upsert) and one progress item. Phase 1's
changes are ``receive`` then ``start_processing`` (two per dossier, the desk officer as actor):
by default the dossiers and events are written in bulk and ``outbox.record_event`` is called for
each event, which is exactly what the outbox receiver does inside a service's transaction
(``--setup services`` commits each through ``motcua.dossiers.services`` instead: same outbox rows,
much slower to prepare). Phase 2's writer and phase 3 use the real services. Phase 3 times
pause/resume (an internal step: one upsert queued) and request/complete a supplement (4 → 5 → 4:
an upsert and a progress item), the receiver connected or disconnected at random before each
action; it also prints the bench thread's CPU difference, steadier than wall time on a busy machine.
Phase 4 imports a generated province (``motcua.interchange.generator`` + importer, in a child
process, as ``bench/import.py`` does) and queues it with ``enqueue_dossiers``; ``--drain-seconds``
stops its drain early and reports the rate so far (the million takes longer than a coffee).

Each database runs in its own process (Django is set up once per process): PostgreSQL in a
throwaway database ``motcua_bench_portal`` on MOTCUA_BENCH_PG's server (dropped at the end),
SQLite in a temporary file. ``DEBUG`` is off (``MOTCUA_DEBUG=0``), as in the production worker;
applicants have no phone or e-mail, so the citizens' notifications stay out of the figures.
The fake adapter (``FakePortal``) runs in a separate process (multiprocessing, spawn) so that its
own CPU is not charged to the relay; it validates every object as usual but keeps only the
dossier codes and a count of progress items (a million dossiers would take gigabytes), plus, for
the lag phase, the instant each progress item arrived. Its sockets get TCP_NODELAY: its handler
writes headers and body in two sends, and Nagle's algorithm with the client's delayed ACK adds
~40 ms to every call (``--fake-nagle`` keeps that, to compare). One relay drains, as the worker
runs it (``--relays N``: N side by side, threads). Phases run in the order backlog (the importer's
fast path needs an empty dossier table), throughput, lag, cost, on the same database. Each phase
prints the machine's load average: on a shared machine the figures move with it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PG_ADMIN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_NAME = "motcua_bench_portal"
MADONVI = "H99"
PHASES = ("backlog", "throughput", "lag", "cost")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", file=sys.stderr, flush=True)


# --- the fake adapter, in its own process ------------------------------------------------------------


def _fake_main(conn, madonvi: str, record_times: bool, nagle: bool = False) -> None:
    """Serve a lean FakePortal on 127.0.0.1 and answer the bench's requests on ``conn``."""
    from motcua.nationalportal import fake as F

    # The fake's handler writes an answer's headers and body in two send()s; with Nagle's algorithm on,
    # the body waits for the client's delayed ACK: ~40 ms per call on loopback, whatever the relay does.
    # A real gateway (nginx, any LGSP) sets TCP_NODELAY; so does the bench unless --fake-nagle.
    F._Handler.disable_nagle_algorithm = not nagle

    portal = _lean_fake_class(record_times)(madonvi=madonvi, username="motcua", password="motcua")
    conn.send(portal.start(host="127.0.0.1", port=0))
    _answer_bench(conn, portal)


def _lean_fake_class(record_times: bool):
    """A FakePortal that keeps dossier codes only and counts progress items (timing each if asked)."""
    from motcua.nationalportal import fake as F

    class CodesOnly(dict):
        """The adapter's dossier table, keeping the codes (what 03/04 decide on), not the objects."""

        def __setitem__(self, key, value):
            dict.__setitem__(self, key, True)

    class LeanFake(F.FakePortal):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._dossiers = CodesOnly()
            self.progress_count = 0
            self.received: dict[str, float] = {}

        def _update_progress(self, payload):
            # As FakePortal._update_progress (validate all, all-or-nothing), counting instead of storing.
            F._check_envelope(payload, ("session", "madonvi", "service", "data"))
            data = F._check_batch(payload)
            for index, item in enumerate(data):
                F.validate_progress(item, index)
            with self._lock:
                for item in data:
                    if item["MaHoSo"] not in self._dossiers:
                        raise F.Invalid(f"MaHoSo {item['MaHoSo']}: hồ sơ chưa có trên Cổng")
                self.progress_count += len(data)
                if record_times:
                    now = time.time()
                    for item in data:
                        self.received.setdefault(f"{item['MaHoSo']}|{item['TrangThai']}", now)
            return {"error_code": F.OK}

    return LeanFake


def _answer_bench(conn, portal) -> None:
    """Answer "stats", "times" and "stop" from the bench until it says stop."""
    import resource

    while True:
        request = conn.recv()
        if request == "stats":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            with portal._lock:
                conn.send(
                    {
                        "dossiers": len(portal._dossiers),
                        "progress": portal.progress_count,
                        "cpu_s": usage.ru_utime + usage.ru_stime,
                        "calls": dict(portal.calls),
                        "answers": {k: dict(v) for k, v in portal.answers.items()},
                    }
                )
        elif request == "times":
            with portal._lock:
                conn.send(dict(portal.received))
        elif request == "stop":
            portal.stop()
            conn.send("stopped")
            return


class FakeProcess:
    nagle = False  # --fake-nagle

    def __init__(self, record_times: bool = False):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.lock = threading.Lock()
        self.process = ctx.Process(target=_fake_main, args=(child, MADONVI, record_times, self.nagle), daemon=True)
        self.process.start()
        self.url = self._answer(60)

    def _answer(self, timeout: float):
        deadline = time.monotonic() + timeout
        while not self.conn.poll(0.5):
            if not self.process.is_alive() or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"the fake portal process died or hung (exit code {self.process.exitcode})")
        return self.conn.recv()

    def ask(self, request: str):
        with self.lock:  # the drain's progress log asks from another thread
            self.conn.send(request)
            return self._answer(120)

    def stop(self) -> None:
        try:
            self.ask("stop")
        finally:
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _client(url: str):
    from motcua.nationalportal.client import PortalClient

    return PortalClient(url, username="motcua", password="motcua", madonvi=MADONVI, timeout=10)


# --- memory ------------------------------------------------------------------------------------------


def _rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0), so a step's peak is its own."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    try:
        return _rss_mb("VmHWM")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- helpers -----------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _office():
    """A department with a procedure, its workflow and a desk officer (the actor of every change)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from motcua.catalog.models import Procedure, Workflow, WorkflowStep
    from motcua.org.models import Official, Unit, UnitKind

    province, _ = Unit.objects.get_or_create(
        code="H99", defaults={"name": "Tỉnh Thử Nghiệm", "kind": UnitKind.PROVINCE}
    )
    department, _ = Unit.objects.get_or_create(
        code="H99.01", defaults={"name": "Sở Tư pháp", "kind": UnitKind.DEPARTMENT, "parent": province}
    )
    procedure, created = Procedure.objects.get_or_create(
        code="BENCH.000001",
        defaults={
            "name": "Cấp phiếu lý lịch tư pháp",
            "field_code": "G01",
            "field_name": "Tư pháp",
            "level_province": True,
            "time_limit": Decimal(5),
            "time_unit": "ngay_lam_viec",
        },
    )
    if created:
        workflow = Workflow.objects.create(procedure=procedure, unit=None, name="Quy trình BENCH")
        for order, (name, role, hours) in enumerate(
            [("Thẩm định", "specialist", 8), ("Xem xét, trình ký", "specialist", 16), ("Ký duyệt", "leader", 8)], 1
        ):
            WorkflowStep.objects.create(
                workflow=workflow, order=order, name=name, role=role, allotted_hours=Decimal(hours)
            )
    desk = get_user_model().objects.filter(username="bench_desk").first()
    if desk is None:
        desk = get_user_model().objects.create_user(
            username="bench_desk", password="motcua-bench-2026", first_name="Bàn", last_name="Nguyễn Thị"
        )
        Official.objects.create(user=desk, unit=department, role="desk_officer", title="Chuyên viên Một cửa")
    return department, procedure, desk


class Changes:
    """Dossier changes through the lifecycle services: ``receive`` (→ 2) then ``start_processing`` (→ 4)."""

    def __init__(self):
        self.department, self.procedure, self.desk = _office()
        self.n = 0

    def receive(self):
        from motcua.dossiers import services

        self.n += 1
        return services.receive(
            procedure=self.procedure,
            handling_unit=self.department,
            channel=1,
            # No phone or e-mail: the citizens' notifications (another app, sent inline
            # under MOTCUA_HUEY_IMMEDIATE=1) stay out of these figures.
            actor=self.desk,
            applicant={"applicant_name": f"Trần Văn {self.n}", "applicant_id_number": "001090000001"},
            summary="Cấp phiếu lý lịch tư pháp số 1",
        )

    def start(self, dossier):
        from motcua.dossiers import services

        return services.start_processing(dossier, actor=self.desk)

    def bulk(self, count: int, chunk: int = 1000) -> None:
        """``count`` dossiers received then handed to their first step, as ``receive`` and
        ``start_processing`` leave them, written in bulk (no signals); then, per event, what the outbox
        receiver does in the service's transaction (``record_event``), 100 events per transaction."""
        from datetime import timedelta

        from django.db import transaction
        from django.utils import timezone

        from motcua.catalog.models import WorkflowStep
        from motcua.dossiers.models import Dossier, DossierEvent
        from motcua.dossiers.services import compute_due_at
        from motcua.nationalportal.outbox import record_event

        step = WorkflowStep.objects.filter(workflow__procedure=self.procedure).order_by("order").first()
        at = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        due = compute_due_at(self.procedure, at)
        for start in range(0, count, chunk):
            with transaction.atomic():
                dossiers = Dossier.objects.bulk_create(
                    [
                        Dossier(
                            code=f"{self.department.code}-{at:%y%m%d}-B{start + i:06d}",
                            procedure=self.procedure,
                            handling_unit=self.department,
                            channel=1,
                            status=4,
                            submitted_at=at,
                            received_at=at,
                            due_at=due,
                            current_step=step,
                            step_due_at=at + timedelta(hours=8),
                            applicant_name=f"Trần Văn {start + i}",
                            applicant_id_number="001090000001",
                            summary="Cấp phiếu lý lịch tư pháp số 1",
                        )
                        for i in range(min(chunk, count - start))
                    ]
                )
                events = []
                for d in dossiers:
                    events.append(
                        DossierEvent(
                            dossier=d,
                            action="receive",
                            to_status=2,
                            occurred_at=at,
                            actor=self.desk,
                            actor_label="web",
                            reason="Tiếp nhận hồ sơ",
                            data={"due_at": due.isoformat()},
                        )
                    )
                    events.append(
                        DossierEvent(
                            dossier=d,
                            action="start_processing",
                            from_status=2,
                            to_status=4,
                            occurred_at=at + timedelta(minutes=5),
                            actor=self.desk,
                            actor_label="web",
                            reason="Chuyển xử lý",
                            step_due_at=d.step_due_at,
                            data={"step": step.name},
                        )
                    )
                DossierEvent.objects.bulk_create(events)
            for first in range(0, len(events), 100):
                with transaction.atomic():
                    for event in events[first : first + 100]:
                        record_event(event)
            self.n += len(dossiers)


def _undelivered() -> int:
    from motcua.nationalportal.models import OutboxMessage

    return OutboxMessage.objects.filter(delivered_at__isnull=True).count()


def _profiled(profile_dir: str | None, name: str, fn):
    if not profile_dir:
        return fn()
    import cProfile
    import io
    import pstats

    Path(profile_dir).mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    try:
        return profiler.runcall(fn)
    finally:
        path = Path(profile_dir) / f"{name}.prof"
        profiler.dump_stats(path)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        (Path(profile_dir) / f"{name}.txt").write_text(out.getvalue())
        log(f"profile written to {path} (+ .txt)")


def drain(args, fake: FakeProcess, name: str, max_seconds: float | None = None) -> dict:
    """``args.relays`` relays (threads, one connection and client each) run until nothing is left to
    deliver (or ``max_seconds``): wall and CPU seconds, load average, what reached the portal."""
    from django.db import connection

    from motcua.nationalportal.relay import Relay

    before = fake.ask("stats")
    errors: list[BaseException] = []

    def one():
        client = _client(fake.url)
        try:
            return Relay(client).run(until_empty=True, max_seconds=max_seconds)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            client.close()
            if args.relays > 1:
                connection.close()

    load, started, cpu = os.getloadavg()[0], time.perf_counter(), time.process_time()
    if args.relays == 1:
        _profiled(args.profile, f"{name}-{connection.vendor}", one)
    else:
        threads = [threading.Thread(target=one) for _ in range(args.relays)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if errors:
        raise errors[0]
    after = fake.ask("stats")
    return {
        "drain_s": seconds,
        "relay_cpu_s": cpu,
        "fake_cpu_s": after["cpu_s"] - before["cpu_s"],
        "load": (load + os.getloadavg()[0]) / 2,
        "relays": args.relays,
        "portal_dossiers": after["dossiers"],
        "portal_progress": after["progress"],
        "calls": after["calls"],
    }


# --- 1. throughput -----------------------------------------------------------------------------------


def phase_throughput(args) -> dict:
    from django.db import connection

    from motcua.nationalportal.models import OutboxMessage

    changes = Changes()
    dossiers = args.changes // 2
    how = "through the services" if args.setup == "services" else "in bulk + record_event per change"
    log(f"throughput: committing {2 * dossiers:,} changes ({dossiers:,} dossiers) {how}")
    started = time.perf_counter()
    if args.setup == "services":
        for i in range(dossiers):
            changes.start(changes.receive())
            if (i + 1) % 2000 == 0:
                log(f"  {2 * (i + 1):,} changes committed")
    else:
        changes.bulk(dossiers)
    setup_s = time.perf_counter() - started
    messages = OutboxMessage.objects.filter(delivered_at__isnull=True).count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with FakeProcess() as fake:
        log(f"throughput: {args.relays} relay(s) drain {messages:,} outbox messages")
        out = drain(args, fake, "throughput")
    seconds = out["drain_s"]
    out.update(
        {
            "changes": 2 * dossiers,
            "dossiers": dossiers,
            "messages": messages,
            "setup_s": setup_s,
            "setup_changes_per_s": 2 * dossiers / setup_s,
            "changes_per_s": 2 * dossiers / seconds,
            "dossiers_per_s": dossiers / seconds,
            "undelivered": _undelivered(),
        }
    )
    log(f"throughput: {json.dumps(out)}")
    return out


# --- 2. lag ------------------------------------------------------------------------------------------


def phase_lag(args) -> dict:
    from django.db import connection

    from motcua.nationalportal.models import OutboxMessage
    from motcua.nationalportal.relay import Relay, pending_exists

    changes = Changes()
    total = int(args.lag_rate * args.lag_seconds)
    committed: dict[str, float] = {}  # "MaHoSo|TrangThai" -> commit instant (time.time())
    ids: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer():
        try:
            previous = None
            start = time.perf_counter()
            for k in range(total):
                delay = start + k / args.lag_rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                if previous is None:
                    previous = changes.receive()
                    ids.append(previous.pk)
                    committed[f"{previous.code}|2"] = time.time()
                else:
                    changes.start(previous)
                    committed[f"{previous.code}|4"] = time.time()
                    previous = None
            writer.seconds = time.perf_counter() - start
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def relay_loop(url):
        client = _client(url)
        try:
            relay_loop.totals = Relay(client).run(stop=stop)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            client.close()
            connection.close()

    load = os.getloadavg()[0]
    with FakeProcess(record_times=True) as fake:
        log(f"lag: {total:,} changes at {args.lag_rate:g}/s for {args.lag_seconds:g} s, relay running alongside")
        relay_thread = threading.Thread(target=relay_loop, args=(fake.url,))
        write_thread = threading.Thread(target=writer)
        relay_thread.start()
        write_thread.start()
        write_thread.join()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (pending_exists() or fake.ask("stats")["progress"] < len(committed)):
            time.sleep(0.1)
        stop.set()
        relay_thread.join(60)
        received = fake.ask("times")
    if errors:
        raise errors[0]
    lags = [received[key] - at for key, at in committed.items() if key in received]
    acked = [
        (d - c).total_seconds()
        for c, d in OutboxMessage.objects.filter(
            dossier_id__in=ids, kind=OutboxMessage.Kind.PROGRESS, delivered_at__isnull=False
        ).values_list("created_at", "delivered_at")
    ]
    out = {
        "changes": len(committed),
        "writer_rate": len(committed) / writer.seconds,
        "missing": len(committed) - len(lags),
        "p50_s": statistics.median(lags),
        "p95_s": _percentile(lags, 0.95),
        "max_s": max(lags),
        "acked_p50_s": statistics.median(acked),
        "acked_p95_s": _percentile(acked, 0.95),
        "rounds": relay_loop.totals["rounds"],
        "undelivered": _undelivered(),
        "load": (load + os.getloadavg()[0]) / 2,
    }
    log(f"lag: {json.dumps(out)}")
    return out


# --- 3. what the outbox costs in a dossier transaction ------------------------------------------------


def phase_cost(args) -> dict:
    from django.db.models.signals import post_save

    from motcua.dossiers import services
    from motcua.dossiers.models import DossierEvent
    from motcua.nationalportal import signals

    changes = Changes()
    dossiers = []
    for _ in range(20):
        dossier = changes.receive()
        changes.start(dossier)
        dossiers.append(dossier)
    desk = changes.desk

    def internal(dossier, i):
        # An internal step: an upsert queued (the portal's copy does not change).
        if i % 2 == 0:
            services.pause(dossier, reason="Chờ xác minh", actor=desk)
        else:
            services.resume(dossier, actor=desk)

    def status_change(dossier, i):
        # A national status change (4 → 5 → 4), one event each: an upsert and a progress item queued.
        if i % 2 == 0:
            services.request_supplement(
                dossier, items=["Bản sao CCCD"], reason="Thiếu giấy tờ", actor=desk, override_reason="Đo hiệu năng"
            )
        else:
            services.complete_supplement(dossier, actor=desk)

    times: dict[tuple[str, bool], list[float]] = {(k, c): [] for k in ("internal", "status") for c in (True, False)}
    log(
        f"cost: {args.cost_actions} actions per kind (pause/resume, supplement request/completion), the "
        "outbox receiver connected or disconnected at random before each action (the machine's load drifts)"
    )
    cpu: dict[tuple[str, bool], list[float]] = {key: [] for key in times}  # this thread's CPU: no waiting
    coin = random.Random(766)
    steps = dict.fromkeys((d.pk for d in dossiers), 0)  # each dossier's next action: pause, resume, …
    for k in range(2 * args.cost_actions):
        kind, action = (("internal", internal), ("status", status_change))[k % 2]
        pool = dossiers[k % 2 :: 2]  # each kind its own dossiers: pause/resume, 4 → 5 → 4
        dossier = pool[(k // 2) % len(pool)]
        connected = coin.random() < 0.5
        if connected:
            signals.connect()
        else:
            post_save.disconnect(sender=DossierEvent, dispatch_uid="nationalportal_outbox")
        t, c = time.perf_counter(), time.thread_time()
        action(dossier, steps[dossier.pk])
        times[(kind, connected)].append(time.perf_counter() - t)
        cpu[(kind, connected)].append(time.thread_time() - c)
        steps[dossier.pk] += 1
    signals.connect()
    out = {
        "load": os.getloadavg()[0],
        "actions": {f"{kind} {'with' if c else 'without'}": len(v) for (kind, c), v in times.items()},
    }
    for kind in ("internal", "status"):
        with_, without = (statistics.median(times[(kind, c)]) * 1000 for c in (True, False))
        cpu_with, cpu_without = (statistics.median(cpu[(kind, c)]) * 1000 for c in (True, False))
        out[kind] = {
            "with_ms": with_,
            "without_ms": without,
            "added_ms": with_ - without,
            "cpu_with_ms": cpu_with,
            "cpu_without_ms": cpu_without,
            "cpu_added_ms": cpu_with - cpu_without,
        }
    log(f"cost: {json.dumps(out)}")
    return out


# --- 4. backlog --------------------------------------------------------------------------------------

IMPORT_CHILD = r"""
import json, os, sys, time
from datetime import date
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
import django
django.setup()
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
folder, dossiers = Path(sys.argv[1]), int(sys.argv[2])
t = time.perf_counter()
if not (folder / "dossiers.jsonl").exists():
    generate_exchange_set(folder, dossiers=dossiers, seed=766, until=date.today())
generate_s = time.perf_counter() - t
t = time.perf_counter()
report = import_exchange_set(folder)
assert report.ok, [str(e) for e in report.errors[:3]]
print(json.dumps({"generate_s": generate_s, "import_s": time.perf_counter() - t,
                  "dossiers": report.counts["dossiers"].created}))
"""


def phase_backlog(args) -> dict:
    from django.db import connection

    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.nationalportal.outbox import enqueue_dossiers

    if Dossier.objects.exists():
        raise SystemExit("backlog: the dossier table must be empty (the importer's bulk path); run it first")
    folder = Path(args.workdir) / f"set-{args.backlog}"
    log(f"backlog: generating and importing {args.backlog:,} dossiers (child process)")
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHILD, str(folder), str(args.backlog)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stderr[-4000:])
        result.check_returncode()
    out = json.loads(result.stdout.strip().splitlines()[-1])
    out["status_events"] = DossierEvent.objects.filter(to_status__isnull=False).count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    log(f"backlog: imported {json.dumps(out)}; enqueue_dossiers(all)")

    exact = reset_peak_rss()
    rss_before = _rss_mb()
    started = time.perf_counter()
    counts = _profiled(args.profile, f"enqueue-{connection.vendor}", lambda: enqueue_dossiers(Dossier.objects.all()))
    out.update(
        enqueue_s=time.perf_counter() - started,
        enqueued=counts,
        enqueue_rss_start_mb=rss_before,
        enqueue_peak_mb=peak_rss_mb(),
        peak_exact=exact,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"backlog: enqueued {counts} in {out['enqueue_s']:.1f} s; relay drains")

    with FakeProcess() as fake:
        reset_peak_rss()
        out["drain_rss_start_mb"] = _rss_mb()
        stopper = _Progress(fake, counts)
        try:
            out.update(drain(args, fake, "drain", max_seconds=args.drain_seconds))
        finally:
            stopper.stop()
        out["drain_peak_mb"] = peak_rss_mb()
    out["undelivered"] = _undelivered()
    out["complete"] = out["undelivered"] == 0
    out["dossiers_per_s"] = out["portal_dossiers"] / out["drain_s"]
    out["progress_per_s"] = out["portal_progress"] / out["drain_s"]
    log(f"backlog: {json.dumps(out)}")
    return out


class _Progress:
    """Logs the drain's progress every 30 s (from the fake's counters)."""

    def __init__(self, fake: FakeProcess, counts: dict):
        self.fake, self.counts, self.done = fake, counts, threading.Event()
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done.wait(30):
            stats = self.fake.ask("stats")
            seconds = time.perf_counter() - self.started
            log(
                f"  drain {seconds:5.0f} s: {stats['dossiers']:,}/{self.counts['dossiers']:,} dossiers, "
                f"{stats['progress']:,}/{self.counts['progress']:,} progress items, "
                f"RSS {_rss_mb():.0f} MB"
            )

    def stop(self):
        self.done.set()
        self.thread.join()


# --- one database (child process) ---------------------------------------------------------------------


def run_child(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    results = {}
    for phase in PHASES:
        if phase in args.phases:
            results[phase] = globals()[f"phase_{phase}"](args)
    Path(args.result).write_text(json.dumps(results))


# --- the parent: one child per database, then the table ------------------------------------------------


def run_database(database: str, args, argv: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-portal-") as tmp:
        env = {
            **os.environ,
            "MOTCUA_DATA_DIR": tmp,
            "MOTCUA_LIVE_766": "0",
            "MOTCUA_HUEY_IMMEDIATE": "1",
            "MOTCUA_LOG_LEVEL": "WARNING",
            "MOTCUA_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
        }
        for name in ("MOTCUA_PORTAL_URL",):
            env.pop(name, None)
        admin = None
        if database == "postgres":
            import psycopg

            admin = psycopg.connect(PG_ADMIN, autocommit=True)
            admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
            admin.execute(f"CREATE DATABASE {PG_NAME}")
            env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_NAME}"
        else:
            env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        result = Path(tmp) / "result.json"
        workdir = args.workdir or tmp
        try:
            subprocess.run(
                [sys.executable, __file__, *argv, "--child", "--result", str(result), "--workdir", workdir],
                env=env,
                check=True,
            )
            return json.loads(result.read_text())
        finally:
            if admin is not None:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
                admin.close()


def _fmt(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _result_at(result: dict, path: tuple[str, ...]):
    """The value at ``path`` in one database's results, None where a phase or key is missing."""
    value = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def print_table(results: dict[str, dict], args) -> None:
    databases = list(results)
    rows: list[tuple[str, list[str], str]] = []

    def row(label, path, spec, target=""):
        rows.append((label, [_fmt(_result_at(results[db], path), spec) for db in databases], target))

    def section(title):
        rows.append((title, [""] * len(databases), ""))

    if "throughput" in args.phases:
        section(f"1. Relay throughput ({args.changes:,} changes committed first, setup: {args.setup})")
        row("   committing the changes (setup), changes/s", ("throughput", "setup_changes_per_s"), ",.0f")
        row("   outbox messages to deliver", ("throughput", "messages"), ",")
        row("   drain, s", ("throughput", "drain_s"), ",.1f")
        row("   changes/s", ("throughput", "changes_per_s"), ",.0f", "≥ 1,000 PG, ≥ 300 SQLite")
        row("   dossiers/s", ("throughput", "dossiers_per_s"), ",.0f")
        row("   relays side by side", ("throughput", "relays"), "d")
        row("   relay CPU (own process), s", ("throughput", "relay_cpu_s"), ",.1f")
        row("   fake adapter CPU (its process), s", ("throughput", "fake_cpu_s"), ",.1f")
        row("   machine load average (1 min)", ("throughput", "load"), ".1f")
        row("   left undelivered", ("throughput", "undelivered"), ",", "0")
    if "lag" in args.phases:
        section(f"2. Lag at {args.lag_rate:g} changes/s for {args.lag_seconds:g} s")
        row("   changes (writer's actual rate /s)", ("lag", "writer_rate"), ",.1f")
        row("   commit → on the portal p50, s", ("lag", "p50_s"), ".3f", "≤ 1 s")
        row("   commit → on the portal p95, s", ("lag", "p95_s"), ".3f", "≤ 5 s")
        row("   commit → on the portal max, s", ("lag", "max_s"), ".3f")
        row("   queued → acknowledged (outbox) p50, s", ("lag", "acked_p50_s"), ".3f")
        row("   queued → acknowledged (outbox) p95, s", ("lag", "acked_p95_s"), ".3f")
        row("   changes missing on the portal", ("lag", "missing"), ",", "0")
        row("   machine load average (1 min)", ("lag", "load"), ".1f")
    if "cost" in args.phases:
        section("3. Outbox cost in a dossier transaction (median)")
        row("   pause/resume without outbox, ms", ("cost", "internal", "without_ms"), ".2f")
        row("   pause/resume with outbox, ms", ("cost", "internal", "with_ms"), ".2f")
        row("   added by the outbox, ms", ("cost", "internal", "added_ms"), ".2f", "≤ 2 ms")
        row("   added by the outbox, bench's CPU ms", ("cost", "internal", "cpu_added_ms"), ".2f")
        row("   status change without outbox, ms", ("cost", "status", "without_ms"), ".2f")
        row("   status change with outbox, ms", ("cost", "status", "with_ms"), ".2f")
        row("   added by the outbox, ms", ("cost", "status", "added_ms"), ".2f", "≤ 2 ms")
        row("   added by the outbox, bench's CPU ms", ("cost", "status", "cpu_added_ms"), ".2f")
        row("   machine load average (1 min)", ("cost", "load"), ".1f")
    if "backlog" in args.phases:
        section(f"4. Backlog ({args.backlog:,} dossiers imported, then enqueued and drained)")
        row("   import (generated set), s", ("backlog", "import_s"), ",.0f")
        row("   status-history entries", ("backlog", "status_events"), ",")
        row("   enqueue_dossiers, s", ("backlog", "enqueue_s"), ",.1f")
        row("   enqueue peak RSS, MB", ("backlog", "enqueue_peak_mb"), ",.0f", "≤ 500 MB")
        row("   drain, s", ("backlog", "drain_s"), ",.0f")
        row("   drain complete", ("backlog", "complete"), "")
        row("   relays side by side", ("backlog", "relays"), "d")
        row("   drain dossiers/s", ("backlog", "dossiers_per_s"), ",.0f")
        row("   drain changes (progress items)/s", ("backlog", "progress_per_s"), ",.0f", "≥ 1,000 PG, ≥ 300 SQLite")
        row("   drain peak RSS, MB", ("backlog", "drain_peak_mb"), ",.0f", "≤ 500 MB")
        row("   relay CPU (own process), s", ("backlog", "relay_cpu_s"), ",.0f")
        row("   fake adapter CPU (its process), s", ("backlog", "fake_cpu_s"), ",.0f")
        row("   machine load average (1 min)", ("backlog", "load"), ".1f")
        row("   left undelivered (messages)", ("backlog", "undelivered"), ",", "0 (unless --drain-seconds)")

    width = max(len(label) for label, _, _ in rows) + 2
    header = f"{'':<{width}}" + "".join(f"{db:>12}" for db in databases) + "   target"
    print(header)
    print("-" * len(header.rstrip()) + "-" * 20)
    for label, values, target in rows:
        print(f"{label:<{width}}" + "".join(f"{v:>12}" for v in values) + (f"   {target}" if target else ""))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # A script's folder comes first on sys.path: a bench script named like a package would shadow it.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument(
        "--phases", default=",".join(PHASES), help=f"comma-separated, among {', '.join(PHASES)} (default: all)"
    )
    ap.add_argument("--changes", type=int, default=20_000, help="throughput: changes committed first (20,000)")
    ap.add_argument(
        "--setup",
        choices=("bulk", "services"),
        default="bulk",
        help="throughput: how the changes are committed: dossiers and events in bulk then "
        "record_event per event (default, fast), or each through the lifecycle services",
    )
    ap.add_argument("--lag-seconds", type=float, default=60.0, help="lag: how long the writer runs (60)")
    ap.add_argument("--lag-rate", type=float, default=50.0, help="lag: changes per second (50)")
    ap.add_argument(
        "--cost-actions",
        type=int,
        default=1000,
        help="cost: actions timed per kind, about half of them with the outbox (1,000)",
    )
    ap.add_argument("--backlog", type=int, default=100_000, help="backlog: dossiers imported (100,000)")
    ap.add_argument(
        "--relays",
        type=int,
        default=1,
        help="relays draining side by side (threads) in phases 1 and 4 (1, as the worker runs)",
    )
    ap.add_argument(
        "--drain-seconds",
        type=float,
        default=None,
        help="backlog: stop the drain after this long and report its rate (default: drain it all)",
    )
    ap.add_argument(
        "--fake-nagle",
        action="store_true",
        help="leave Nagle's algorithm on in the fake adapter's sockets (+~40 ms per call)",
    )
    ap.add_argument("--profile", metavar="DIR", help="cProfile the relay drains and enqueue into DIR")
    ap.add_argument("--workdir", help="keep generated exchange sets here (reused across runs)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        ap.error(f"unknown phase(s): {', '.join(sorted(unknown))}")
    import warnings

    warnings.simplefilter("ignore")
    if args.child:
        FakeProcess.nagle = args.fake_nagle
        run_child(args)
        return 0
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {}
    for database in databases:
        log(f"=== {database} ===")
        started = time.perf_counter()
        results[database] = run_database(database, args, argv)
        log(f"=== {database} done in {time.perf_counter() - started:.0f} s ===")
    print()
    print_table(results, args)
    print()
    print(json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
