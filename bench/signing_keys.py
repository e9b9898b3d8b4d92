"""Benchmark: the cost of the signing-key tenant initializer and of key generation.

    python bench/signing_keys.py [--rounds 50]

Generates EC P-256 and RSA-2048 keys (with encryption of the private part, as
`applications.keys.create_key` does, without the database insert) and prints p50/p99 per
key; the tenant initializer makes two EC keys, the RSA pair is made on first use."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    opts = parser.parse_args()
    import django

    django.setup()
    from applications.keys import _generate
    from ciam import crypto

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    for algorithm, rounds in (("ES256", opts.rounds), ("RS256", max(5, opts.rounds // 5))):
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            _key, pem = _generate(algorithm)
            crypto.encrypt(pem)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        print(
            f"{algorithm}: p50 {statistics.median(times):7.2f} ms   p99 {p99:7.2f} ms   "
            f"({rounds} keys)"
        )


if __name__ == "__main__":
    main()
