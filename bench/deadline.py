"""Throughput of deadline computation (single calls and the numpy batch API). No Django needed.

Run: ``.venv/bin/python bench/deadline.py [N]``. Targets: ≥ 100,000 single computations/s and
≥ 1,000,000 batch computations/s on one core, for starts spread over 2025–2026 and a realistic
mix of durations (mostly working days, some working hours and calendar days, some with a cut-off).
"""

from __future__ import annotations

import random
import sys
import time as clock
from datetime import datetime, time, timedelta

import numpy as np

from motcua.workdays.calendar import VN_TZ, WorkCalendar

MIX = [  # (unit, amounts, share)
    ("ngay_lam_viec", [0.5, 1, 2, 3, 5, 7, 10, 12, 15, 20, 30, 45], 0.75),
    ("gio_lam_viec", [4, 8, 16, 24, 40], 0.15),
    ("ngay", [5, 7, 10, 15, 30, 60], 0.10),
]
CUTOFF = time(15, 0)


def workload(n: int, seed: int = 766):
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 1, tzinfo=VN_TZ)
    span = int(timedelta(days=730).total_seconds())
    units, weights = [m[0] for m in MIX], [m[2] for m in MIX]
    amounts = {m[0]: m[1] for m in MIX}
    cases = []
    for _ in range(n):
        unit = rng.choices(units, weights)[0]
        start = t0 + timedelta(seconds=rng.randrange(span))
        cutoff = CUTOFF if rng.random() < 0.3 else None
        cases.append((start, float(rng.choice(amounts[unit])), unit, cutoff))
    return cases


def bench_single(cal: WorkCalendar, cases) -> float:
    add = cal.add
    t = clock.perf_counter()
    for start, amount, unit, cutoff in cases:
        add(start, amount, unit, cutoff)
    return len(cases) / (clock.perf_counter() - t)


def bench_batch(cal: WorkCalendar, cases, repeat: int = 20) -> float:
    # Group by (unit, cutoff), as a bulk recomputation would.
    groups: dict = {}
    for start, amount, unit, cutoff in cases:
        groups.setdefault((unit, cutoff), ([], []))
        g = groups[(unit, cutoff)]
        g[0].append(start.timestamp())
        g[1].append(amount)
    arrays = []
    for (unit, cutoff), (starts, amounts) in groups.items():
        utc = (np.array(starts) * 1e6).astype(np.int64).astype("datetime64[us]")
        arrays.append((utc, np.array(amounts), unit, cutoff))
    best = 0.0
    for _ in range(repeat):
        t = clock.perf_counter()
        for utc, amounts, unit, cutoff in arrays:
            cal.add_batch(utc, amounts, unit, cutoff)
        best = max(best, len(cases) / (clock.perf_counter() - t))
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    t = clock.perf_counter()
    cal = WorkCalendar.official()
    print(f"calendar build (2000–2045, official data): {clock.perf_counter() - t:.3f} s")
    cases = workload(n)
    single = bench_single(cal, cases)
    print(f"single: {single:,.0f} computations/s ({n:,} calls, target ≥ 100,000/s)")
    batch = bench_batch(cal, workload(max(n, 1_000_000)))
    print(f"batch:  {batch:,.0f} computations/s (target ≥ 1,000,000/s)")
    ok = single >= 100_000 and batch >= 1_000_000
    print("OK" if ok else "BELOW TARGET")


if __name__ == "__main__":
    main()
