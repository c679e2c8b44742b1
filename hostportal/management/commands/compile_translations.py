"""`python manage.py compile_translations`: compile every locale/*/LC_MESSAGES/*.po into its .mo.

Django's own `compilemessages` needs GNU gettext's msgfmt, which `make run` cannot expect on a user's
machine; Babel (pure Python) reads and writes the same formats. Fuzzy entries are left out, as msgfmt
does. Run by `make run` and `make test`; the .mo files are build products and are not committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def compile_po(po_path: Path) -> Path:
    """Write the .mo next to `po_path`; a .po that cannot be parsed stops with its name and line."""
    with po_path.open("rb") as source:
        try:
            catalog = read_po(source, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError and ValueError subclasses
            raise CommandError(f"{po_path}: {exc}") from exc
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    return mo_path


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (locale/*/LC_MESSAGES/*.po) into .mo files."
    requires_system_checks = []

    def handle(self, *args: Any, **options: Any) -> None:
        catalogues = [
            po for root in settings.LOCALE_PATHS for po in sorted(Path(root).glob("*/LC_MESSAGES/*.po"))
        ]
        compiled = [compile_po(po) for po in catalogues]
        self.stdout.write(f"compile_translations: {len(compiled)} catalogue(s) compiled.")
