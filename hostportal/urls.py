from django.contrib import admin
from django.urls import include, path

from hostportal.health import health

admin.site.site_header = "hostportal"
admin.site.site_title = "hostportal"
admin.site.index_title = "Conventions de stage of foreign interns"

urlpatterns = [
    path("health/", health, name="health"),  # database + broker, for probes (hostportal/health.py)
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    path("api/v1/", include("hostportal.api.urls")),  # the REST API (hostportal/api/, docs/api.md)
    path("", include("notifications.urls")),
    path("", include("hostportal.portal.urls")),
]
