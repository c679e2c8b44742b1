"""`python manage.py check_convention [FILE]`: the RULES §6 `check` contract on the command line.

Reads one JSON object or a list of them (FILE, or standard input when FILE is absent or "-") and prints
the result(s) as JSON. Invalid input: exit status 2, one line per bad field on standard error, nothing on
standard output. Needs no database: no system checks, no migration check, no ORM, built-in parameters.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand

# The clock (today in Europe/Paris) and the exact-decimal JSON decoding are shared with the API.
from conventions.checkio import decode_json, paris_today
from conventions.rules import CheckInputError, evaluate, parse_check_payload

INVALID_INPUT_STATUS = 2


class Command(BaseCommand):
    help = "Evaluate the legal rules for one convention/avenant (JSON object) or a list of them."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help="JSON file to read (default: standard input)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data = self._read(options["file"])
        try:
            inputs, many = parse_check_payload(data, default_today=paris_today())
        except CheckInputError as exc:
            self._fail([f"{name}: {message}" for name, message in exc.errors.items()])
        results = [evaluate(inp).to_json() for inp in inputs]
        self.stdout.write(json.dumps(results if many else results[0], indent=2, ensure_ascii=False))

    def _read(self, file: str) -> object:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self._fail([f"cannot read {file}: {exc}"])
        try:
            return decode_json(text)
        except ValueError as exc:
            self._fail([f"invalid JSON: {exc}"])

    def _fail(self, lines: list[str]) -> NoReturn:
        for line in lines:
            self.stderr.write(f"check_convention: {line}")
        raise SystemExit(INVALID_INPUT_STATUS)
