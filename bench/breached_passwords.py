"""Benchmark: compiling a breached-password corpus and looking passwords up in it.

    python3 dev.py bench breached_passwords [--hashes 1000000] [--lookups 200000]

Generates an unordered HIBP-format file (`HASH:COUNT` lines) of random SHA-1 hashes in a
temporary directory, compiles it with `directory.breached.compile_corpus` (what the
`load_breached_passwords` command runs), then times lookups of passwords through
`is_breached` (SHA-1 of the password + binary search over the mmap), half of them hashes
known to be in the corpus. Prints compile time, file size, lookups/s and p50/p99/max."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    opts = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    from bench.machine import describe, percentiles
    from directory import breached

    print(describe())
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "pwned.txt"
        known = [f"known-password-{i}" for i in range(1000)]
        with source.open("wb") as out:
            digests = [f"{rng.getrandbits(160):040X}" for _ in range(opts.hashes - len(known))]
            digests += [breached.sha1_hex(p) for p in known]
            rng.shuffle(digests)
            out.write(b"".join(f"{d}:{i % 100 + 1}\r\n".encode() for i, d in enumerate(digests)))
        settings.CIAM_BREACHED_PASSWORDS_FILE = str(Path(work) / "breached.bin")
        settings.CIAM_HIBP_RANGE_API = False
        started = time.perf_counter()
        with source.open("rb") as handle:
            report = breached.compile_corpus(handle, Path(settings.CIAM_BREACHED_PASSWORDS_FILE))
        compile_s = time.perf_counter() - started
        size = Path(settings.CIAM_BREACHED_PASSWORDS_FILE).stat().st_size
        print(
            f"compile: {report.lines:,} lines ({source.stat().st_size / 1e6:.0f} MB) -> "
            f"{report.entries:,} entries, {size / 1e6:.1f} MB, {compile_s:.1f} s "
            f"({report.lines / compile_s:,.0f} lines/s)"
        )
        passwords = [
            known[i % len(known)] if i % 2 else f"unknown-password-{i}" for i in range(opts.lookups)
        ]
        assert breached.is_breached(known[0]) and not breached.is_breached("unknown-x")
        samples = []
        hits = 0
        started = time.perf_counter()
        for password in passwords:
            t0 = time.perf_counter_ns()
            hits += breached.is_breached(password)
            samples.append((time.perf_counter_ns() - t0) / 1000)
        total = time.perf_counter() - started
        assert hits == opts.lookups // 2, hits
        stats = percentiles(samples)
        print(
            f"lookup (is_breached, half hits): {opts.lookups / total:,.0f} lookups/s, "
            f"p50 {stats['p50']:.1f} us, p99 {stats['p99']:.1f} us, max {stats['max']:.0f} us"
        )


if __name__ == "__main__":
    main()
