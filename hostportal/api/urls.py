"""/api/v1/: the resources, the actions of the registry on each file, the schema and its docs page."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from conventions.api import check_view
from hostportal.api import views, webhook_views
from hostportal.api.actions import action_views
from hostportal.api.serializers import KIND_PREFIX

app_name = "api"

router = SimpleRouter()
router.register("interns", views.InternViewSet, basename="interns")
router.register("conventions", views.ConventionViewSet, basename="conventions")
router.register("avenants", views.AvenantViewSet, basename="avenants")
router.register("visas", views.VisaViewSet, basename="visas")
router.register(
    "residence-permit-applications", views.PermitViewSet, basename="residence-permit-applications"
)
router.register("documents", views.DocumentViewSet, basename="documents")
router.register("notifications", views.NotificationViewSet, basename="notifications")
router.register("audit/transitions", views.TransitionLogViewSet, basename="audit-transitions")
router.register("audit/entries", views.AuditEntryViewSet, basename="audit-entries")
router.register("webhooks", webhook_views.WebhookEndpointViewSet, basename="webhooks")
router.register("webhook-deliveries", webhook_views.WebhookDeliveryViewSet, basename="webhook-deliveries")


def _action_routes() -> list[URLPattern]:
    routes = []
    for kind, prefix in KIND_PREFIX.items():
        for suffix, view, name in action_views(kind):
            routes.append(path(f"{prefix}/<int:pk>/{suffix}/", view.as_view(), name=name))
    return routes


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.RootView.as_view(), name="root"),
    path("check", check_view, name="check"),
    path("schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *_action_routes(),
    *router.urls,
    re_path(r"^.*$", views.not_found, name="not-found"),
]
