"""What the benchmarks print and keep: progress lines, tables, verdicts, saved figures and the
statistics behind them. Pure output, no processes: `_lib` starts things, this reports on them."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

# --- Output


def banner(title: str) -> None:
    print()
    print(f"=== {title} " + "=" * max(0, 74 - len(title)), flush=True)


def load_note(when: str) -> float:
    """Print the 1-minute load average: on a 2-core machine shared with other work, anything
    much above the benchmark's own load makes the figures pessimistic."""
    load1 = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    warn = "  ← machine busy with other work: figures are pessimistic" if load1 > cpus else ""
    print(f"  · load average {when}: {load1:.2f} on {cpus} CPUs{warn}", flush=True)
    return load1


def step(message: str) -> None:
    print(f"  · {message}", flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))
    print(flush=True)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def verdict(met: bool, detail: str) -> str:
    return f"{'MET   ' if met else 'MISSED'} {detail}"


def save_results(name: str, data: dict[str, Any]) -> Path:
    """Write the figures to bench/results/NAME.json (git-ignored) for the README table."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine_info(), "at": time.time(), **data}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


# --- Statistics


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (pct in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
