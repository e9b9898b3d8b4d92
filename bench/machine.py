"""What machine a benchmark ran on, printed with its figures."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path


def describe() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.1f} GiB RAM"
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores{mem}; "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = (
        statistics.quantiles(ordered, n=100, method="inclusive")
        if len(ordered) > 1
        else ordered * 99
    )
    return {
        "n": len(ordered),
        "min": ordered[0],
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "max": ordered[-1],
    }
