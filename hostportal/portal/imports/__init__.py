"""Import of interns and conventions from CSV or Excel, all or nothing, through the services.

Why tablib + openpyxl and not django-import-export: django-import-export's save path builds model
instances itself and saves them (`Resource.save_instance`); our writes must go through
`intern_create` / `convention_create` (permission check, rule engine, checklist, audit row with the actor
and the channel), and its error report names model fields. Routing its import through the services means
overriding most of it; a small validation layer over tablib's reader (the library django-import-export
itself uses) is shorter and says exactly what it does.

Contract: every row is parsed and then created through the services inside ONE transaction; any error in
any row rolls the whole transaction back, and the report lists each error with its spreadsheet row number,
the column as the user sees it and a message in the user's language. A preview is the same run, always
rolled back.
"""

from hostportal.portal.imports.run import ImportReport, RowError, run_import
from hostportal.portal.imports.views import import_page, import_template

__all__ = ["ImportReport", "RowError", "import_page", "import_template", "run_import"]
