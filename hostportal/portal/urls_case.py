"""Portal routes of the case pages (hostportal.portal.case): an intern's stay, file by file."""

from django.urls import path

from hostportal.portal import case

FILE_KIND = "<str:kind>"
urlpatterns = [
    path("interns/new/", case.intern_create_view, name="intern-create"),
    path("interns/<int:pk>/", case.intern_page, name="intern"),
    path("interns/<int:pk>/edit/", case.intern_edit_view, name="intern-edit"),
    path("interns/<int:intern_pk>/conventions/new/", case.convention_create_view, name="convention-create"),
    path("interns/<int:intern_pk>/preview/", case.convention_preview_view, name="convention-preview"),
    path("conventions/<int:pk>/", case.convention_page, name="convention"),
    path("conventions/<int:pk>/edit/", case.convention_edit_view, name="convention-edit"),
    path("conventions/<int:pk>/avenants/new/", case.avenant_create_view, name="avenant-create"),
    path(f"files/{FILE_KIND}/<int:pk>/", case.file_page, name="file"),
    path(f"files/{FILE_KIND}/<int:pk>/do/<str:name>/", case.file_action, name="file-action"),
    path(f"files/{FILE_KIND}/<int:pk>/correct/", case.file_correct_view, name="file-correct"),
    path("documents/<int:pk>/", case.document_update, name="document-update"),
    path("documents/<int:pk>/download/", case.document_download, name="document-download"),
]
