"""python manage.py export_intern_data INTERN_ID --reason "..." > file.zip: everything held about one intern
(an access request, GDPR art. 15), as the portal's manager download builds it; audited with the reason."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from conventions.models import Intern
from conventions.services.privacy import intern_access_export


class Command(BaseCommand):
    help = "Write to standard output the ZIP of everything held about one intern (audited with the reason)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("intern_id", type=int, help="The intern's id (its page: /interns/<id>/).")
        parser.add_argument("--reason", required=True, help="Why the data is exported (kept in the audit).")
        parser.add_argument("--output", "-o", help="Write the ZIP to this file instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        intern = Intern.objects.select_related("organisation").filter(pk=options["intern_id"]).first()
        if intern is None:
            raise CommandError(f"There is no intern #{options['intern_id']}.")
        if not options["output"] and self.stdout.isatty():
            raise CommandError(
                "The ZIP is binary: redirect the output to a file (> file.zip) or use --output."
            )
        try:
            archive = intern_access_export(actor=None, intern=intern, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["output"]:
            with open(options["output"], "wb") as target:
                target.write(archive)
        else:
            # Bytes, not text: the stream's binary buffer (or the stream itself when it is binary).
            stream: Any = getattr(self.stdout, "_out", sys.stdout)
            stream.flush()
            binary: Any = getattr(stream, "buffer", stream)
            binary.write(archive)
            binary.flush()
        self.stderr.write(f"Intern #{intern.pk}: {len(archive)} bytes exported (audited).")
