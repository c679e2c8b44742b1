from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from conventions.api import check_view

admin.site.site_header = "hostportal"
admin.site.site_title = "hostportal"
admin.site.index_title = "Conventions de stage of foreign interns"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/check", check_view, name="api-check"),
    path("", include("notifications.urls")),
]
