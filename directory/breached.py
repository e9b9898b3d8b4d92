"""Breached passwords: is this password in a known breach corpus?

Two sources, either or both:

- An offline corpus the operator compiles with `manage.py load_breached_passwords FILE`
  from Have I Been Pwned's downloadable SHA-1 list (`HASH:COUNT` lines, in any order).
  The compiled file (`CIAM_BREACHED_PASSWORDS_FILE`) is a 16-byte header followed by the
  sorted, distinct first 8 bytes of every SHA-1, searched by binary search over an mmap:
  about 30 probes for a billion entries, no loading time, shared by every process through
  the page cache. Keeping 64 of the 160 bits makes a false "breached" answer for a given
  password about n / 2**64 likely (5e-11 for the billion-entry HIBP list).
- HIBP's k-anonymity range API (`CIAM_HIBP_RANGE_API=1`): only the first 5 hex characters
  of the SHA-1 leave the platform; the answer lists the suffixes in that range. If the
  API cannot be reached the password is not refused (logged): sign-ups do not stop when
  a third party does.
"""

from __future__ import annotations

import binascii
import hashlib
import heapq
import logging
import mmap
import os
import struct
import tempfile
import time
from binascii import unhexlify
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAGIC = b"CIAMBRP1"
HEADER = struct.Struct(">8sQ")  # magic, entry count
ENTRY = 8  # bytes of each SHA-1 kept
CHUNK_ENTRIES = 8_000_000  # entries sorted in memory at once (64 MB) before spilling
MESSAGE = "This password has appeared in a data breach. Choose a different one."


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


# --- compiling ------------------------------------------------------------------------


@dataclass
class CompileReport:
    lines: int = 0
    entries: int = 0  # distinct prefixes written
    bad_lines: int = 0
    bad_examples: list[tuple[int, str]] = field(default_factory=list)


def _parse(line: bytes) -> bytes | None:
    """`HASH:COUNT` (or a bare HASH) -> the first 8 bytes of the SHA-1 (bytes compare in
    the order of the big-endian number); None when malformed."""
    digest, _sep, count = line.strip().partition(b":")
    if len(digest) != 40 or (count and not count.isdigit()):
        return None
    try:
        return unhexlify(digest)[:ENTRY]
    except binascii.Error:
        return None


def _spill(values: list[bytes], directory: str) -> str:
    values.sort()
    fd, path = tempfile.mkstemp(dir=directory, suffix=".run")
    with os.fdopen(fd, "wb") as out:
        out.write(b"".join(values))
    return path


def _read_run(path: str) -> Iterator[bytes]:
    with open(path, "rb") as run:
        while block := run.read(ENTRY * 65536):
            yield from (block[offset : offset + ENTRY] for offset in range(0, len(block), ENTRY))


def compile_corpus(
    source: IO[bytes],
    target: Path,
    *,
    progress: Callable[[int], Any] | None = None,
    chunk_entries: int = CHUNK_ENTRIES,
) -> CompileReport:
    """Compile HIBP-format lines from `source` into `target` (replaced atomically).
    `progress(n)` is called with the number of bytes read since the last call. Malformed
    lines are counted and skipped (the first few kept for the report)."""
    report = CompileReport()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".breached-") as work:
        runs: list[str] = []
        values: list[bytes] = []
        pending = 0
        for line in source:
            report.lines += 1
            pending += len(line)
            value = _parse(line)
            if value is None:
                if line.strip():
                    report.bad_lines += 1
                    if len(report.bad_examples) < 5:
                        shown = line.strip()[:60].decode("utf-8", "replace")
                        report.bad_examples.append((report.lines, shown))
            else:
                values.append(value)
                if len(values) >= chunk_entries:
                    runs.append(_spill(values, work))
                    values = []
            if progress is not None and pending >= 1 << 20:
                progress(pending)
                pending = 0
        if values:
            runs.append(_spill(values, work))
        if progress is not None and pending:
            progress(pending)
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".breached-", suffix=".bin")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(HEADER.pack(MAGIC, 0))
                previous, buffer = None, []
                for value in heapq.merge(*(_read_run(run) for run in runs)):
                    if value == previous:
                        continue
                    previous = value
                    buffer.append(value)
                    report.entries += 1
                    if len(buffer) >= 65536:
                        out.write(b"".join(buffer))
                        buffer = []
                out.write(b"".join(buffer))
                out.seek(0)
                out.write(HEADER.pack(MAGIC, report.entries))
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    _corpus_cache.clear()
    return report


# --- looking up -----------------------------------------------------------------------


class Corpus:
    """A compiled corpus file, memory-mapped read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as handle:
            self.stat = os.fstat(handle.fileno())
            if self.stat.st_size < HEADER.size:
                raise ValueError(f"{path} is not a compiled breached-password corpus.")
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        magic, self.count = HEADER.unpack_from(self._map, 0)
        if magic != MAGIC or HEADER.size + self.count * ENTRY != len(self._map):
            raise ValueError(f"{path} is not a compiled breached-password corpus.")

    def contains_sha1(self, digest_hex: str) -> bool:
        key = bytes.fromhex(digest_hex[: ENTRY * 2])
        data, lo, hi = self._map, 0, self.count
        base = HEADER.size
        while lo < hi:
            mid = (lo + hi) // 2
            start = base + mid * ENTRY
            probe = data[start : start + ENTRY]
            if probe < key:
                lo = mid + 1
            elif probe > key:
                hi = mid
            else:
                return True
        return False

    def __contains__(self, password: str) -> bool:
        return self.contains_sha1(sha1_hex(password))


RECHECK_SECONDS = 1.0
# path -> (monotonic time of the last check, the corpus or None)
_corpus_cache: dict[str, tuple[float, Corpus | None]] = {}


def corpus() -> Corpus | None:
    """The configured compiled corpus, or None when none is loaded. The file is checked
    at most once a second and reopened when replaced (a new load), so running workers
    pick it up without a restart."""
    name = str(settings.CIAM_BREACHED_PASSWORDS_FILE)
    now = time.monotonic()
    checked_at, cached = _corpus_cache.get(name, (-RECHECK_SECONDS, None))
    if now - checked_at < RECHECK_SECONDS:
        return cached
    try:
        stat = os.stat(name)
    except FileNotFoundError:
        _corpus_cache[name] = (now, None)
        return None
    if cached is None or (cached.stat.st_ino, cached.stat.st_mtime_ns) != (
        stat.st_ino,
        stat.st_mtime_ns,
    ):
        try:
            cached = Corpus(Path(name))
        except (OSError, ValueError):
            logger.exception("The breached-password corpus could not be opened")
            cached = None
    _corpus_cache[name] = (now, cached)
    return cached


def range_api_contains(digest_hex: str) -> bool:
    """Ask HIBP's range API (k-anonymity: only the first 5 hex characters are sent)."""
    from ciam import outbound

    prefix, suffix = digest_hex[:5], digest_hex[5:]
    base = settings.CIAM_HIBP_RANGE_URL.rstrip("/")
    try:
        body = outbound.get_text(f"{base}/{prefix}", headers={"Add-Padding": "true"})
    except outbound.OutboundError:
        logger.warning("The breached-password range API could not be used", exc_info=True)
        return False
    for line in body.splitlines():
        candidate, _sep, count = line.strip().partition(":")
        if candidate.upper() == suffix and count.strip() not in ("", "0"):
            return True  # padding entries have a count of 0
    return False


def is_breached(password: str) -> bool:
    if not password:
        return False
    digest = sha1_hex(password)
    loaded = corpus()
    if loaded is not None and loaded.contains_sha1(digest):
        return True
    return bool(settings.CIAM_HIBP_RANGE_API) and range_api_contains(digest)


class BreachedPasswordValidator:
    """Django password validator: refuses passwords found in a breach corpus."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_breached(password):
            raise ValidationError(_(MESSAGE), code="password_breached")

    def get_help_text(self) -> str:
        return _("Your password can't be one that has appeared in a data breach.")
