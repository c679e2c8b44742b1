"""Portal routes of data protection: the access-request export (included by hostportal/portal/urls.py)."""

from django.urls import URLPattern, path

from hostportal.portal import privacy

urlpatterns: list[URLPattern] = [
    path("interns/<int:pk>/export/", privacy.intern_export, name="intern-export"),
]
