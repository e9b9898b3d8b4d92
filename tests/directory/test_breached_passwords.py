"""The breached-password corpus: compiled from HIBP-format lines by the management
command (progress bar on), looked up by binary search; bad lines reported, not fatal."""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from directory import breached

BREACHED = "Velvet-Harbor-Lantern-42"
CLEAN = "Quartz-Meadow-Violin-77"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest().upper()


def write_corpus(
    path: Path, passwords: list[str], random_hashes: int = 5000, bad: str = ""
) -> Path:
    """A generated HIBP-style file: random hashes plus `passwords`, shuffled (unordered),
    CRLF line ends like the download."""
    rng = random.Random(7)
    digests = [f"{rng.getrandbits(160):040X}" for _ in range(random_hashes)]
    digests += [sha1(p) for p in passwords] * 2  # duplicates collapse
    rng.shuffle(digests)
    with path.open("wb") as out:
        for index, digest in enumerate(digests):
            out.write(f"{digest}:{index % 97 + 1}\r\n".encode())
        out.write(bad.encode())
    return path


@pytest.fixture
def corpus_file(tmp_path, settings):
    settings.CIAM_BREACHED_PASSWORDS_FILE = str(tmp_path / "var" / "breached.bin")
    source = write_corpus(tmp_path / "pwned.txt", [BREACHED])
    call_command("load_breached_passwords", str(source), stdout=io.StringIO(), stderr=io.StringIO())
    return Path(settings.CIAM_BREACHED_PASSWORDS_FILE)


def test_command_compiles_the_corpus_with_a_progress_bar(tmp_path, settings):
    settings.CIAM_BREACHED_PASSWORDS_FILE = str(tmp_path / "var" / "breached.bin")
    source = write_corpus(tmp_path / "pwned.txt", [BREACHED], random_hashes=3000)
    out, err = io.StringIO(), io.StringIO()
    call_command("load_breached_passwords", str(source), stdout=out, stderr=err)
    assert "3001 distinct hashes written" in out.getvalue()
    assert "0 malformed" in out.getvalue()
    assert "breached passwords" in err.getvalue()  # the tqdm bar went to stderr
    compiled = Path(settings.CIAM_BREACHED_PASSWORDS_FILE)
    assert compiled.stat().st_size == breached.HEADER.size + 3001 * breached.ENTRY
    prefixes = compiled.read_bytes()[breached.HEADER.size :]
    entries = [prefixes[i : i + 8] for i in range(0, len(prefixes), 8)]
    assert entries == sorted(entries)


def test_lookup_finds_breached_passwords_and_only_them(corpus_file):
    assert breached.is_breached(BREACHED)
    assert not breached.is_breached(CLEAN)
    corpus = breached.corpus()
    assert corpus is not None and corpus.count == 5001
    # every stored hash is found, including the first and last of the sorted array
    rng = random.Random(7)
    for _ in range(50):
        assert corpus.contains_sha1(f"{rng.getrandbits(160):040X}")


def test_validator_refuses_a_breached_password_with_the_message(corpus_file):
    validator = breached.BreachedPasswordValidator()
    validator.validate(CLEAN)
    with pytest.raises(ValidationError) as exc:
        validator.validate(BREACHED)
    assert exc.value.messages == [breached.MESSAGE]
    assert exc.value.code == "password_breached"


def test_no_corpus_means_nothing_is_refused(tmp_path, settings):
    settings.CIAM_BREACHED_PASSWORDS_FILE = str(tmp_path / "absent.bin")
    settings.CIAM_HIBP_RANGE_API = False
    assert not breached.is_breached(BREACHED)


def test_bad_lines_are_reported_and_skipped(tmp_path, settings):
    settings.CIAM_BREACHED_PASSWORDS_FILE = str(tmp_path / "breached.bin")
    bad = "not-a-hash:12\r\n" + "Z" * 40 + ":3\r\n" + sha1("x") + ":many\r\n\r\n"
    source = write_corpus(tmp_path / "pwned.txt", [BREACHED], random_hashes=10, bad=bad)
    out, err = io.StringIO(), io.StringIO()
    call_command("load_breached_passwords", str(source), "--no-progress", stdout=out, stderr=err)
    assert "11 distinct hashes written" in out.getvalue()
    assert "3 malformed and skipped" in out.getvalue()
    assert "line 13: not HASH:COUNT: not-a-hash:12" in err.getvalue()
    assert breached.is_breached(BREACHED)


def test_reloading_replaces_the_corpus_for_a_running_process(corpus_file, tmp_path):
    assert breached.is_breached(BREACHED)
    source = write_corpus(tmp_path / "other.txt", [CLEAN], random_hashes=10)
    call_command("load_breached_passwords", str(source), "--no-progress", stdout=io.StringIO())
    assert breached.is_breached(CLEAN)
    assert not breached.is_breached(BREACHED)


def test_external_sort_merges_runs(tmp_path):
    """Inputs larger than one in-memory chunk are sorted in runs and merged."""
    source = write_corpus(tmp_path / "pwned.txt", [BREACHED], random_hashes=1000)
    target = tmp_path / "small-chunks.bin"
    with source.open("rb") as handle:
        report = breached.compile_corpus(handle, target, chunk_entries=64)
    assert report.entries == 1001
    corpus = breached.Corpus(target)
    assert corpus.contains_sha1(sha1(BREACHED))
    assert not corpus.contains_sha1(sha1(CLEAN))


def test_unreadable_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_breached_passwords", str(tmp_path / "missing.txt"))
