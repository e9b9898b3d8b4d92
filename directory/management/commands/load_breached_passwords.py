"""python manage.py load_breached_passwords FILE [--output PATH] [--no-progress]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm


class Command(BaseCommand):
    help = (
        "Compile a breached-password list in Have I Been Pwned's SHA-1 format (HASH:COUNT "
        "lines, any order; '-' reads standard input) into the compact sorted file that "
        "sign-up, reset and change check (CIAM_BREACHED_PASSWORDS_FILE). The file is "
        "replaced atomically; running servers pick it up at their next check. Malformed "
        "lines are reported and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the HIBP SHA-1 list (text, uncompressed)")
        parser.add_argument("--output", help="Default: CIAM_BREACHED_PASSWORDS_FILE")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        import sys

        from directory.breached import compile_corpus

        target = Path(options["output"] or settings.CIAM_BREACHED_PASSWORDS_FILE)
        source_name = options["file"]
        try:
            source = (
                sys.stdin.buffer if source_name == "-" else open(source_name, "rb")  # noqa: SIM115
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {source_name}: {exc}") from None
        total = None if source_name == "-" else Path(source_name).stat().st_size
        bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc="breached passwords",
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        try:
            report = compile_corpus(source, target, progress=bar.update)
        except OSError as exc:
            raise CommandError(f"Cannot write {target}: {exc}") from None
        finally:
            bar.close()
            if source is not sys.stdin.buffer:
                source.close()
        for line_number, text in report.bad_examples:
            self.stderr.write(f"line {line_number}: not HASH:COUNT: {text}")
        if report.bad_lines > len(report.bad_examples):
            self.stderr.write(f"... {report.bad_lines - len(report.bad_examples)} more")
        self.stdout.write(
            f"{report.entries} distinct hashes written to {target} "
            f"({report.lines} lines read, {report.bad_lines} malformed and skipped)."
        )
