"""Portal routes of hostportal.portal.lists and .imports (included by hostportal/portal/urls.py under the
"portal" namespace)."""

from django.urls import URLPattern, path

from hostportal.portal import imports, lists

urlpatterns: list[URLPattern] = [
    path("interns/", lists.interns_page, name="interns"),
    path("interns/export/", lists.interns_export, name="interns-export"),
    path("conventions/", lists.conventions_page, name="conventions"),
    path("conventions/export/", lists.conventions_export, name="conventions-export"),
    path("import/", imports.import_page, name="import"),
    path(
        "import/template/<slug:kind>.<slug:file_format>",
        imports.import_template,
        name="import-template",
    ),
]
