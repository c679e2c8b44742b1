"""Portal routes of the webhook endpoints and their delivery log (included by hostportal/portal/urls.py)."""

from django.urls import URLPattern, path

from hostportal.portal import webhooks

urlpatterns: list[URLPattern] = [
    path("settings/webhooks/", webhooks.webhooks, name="webhooks"),
    path("settings/webhooks/new/", webhooks.webhook_create, name="webhook-create"),
    path("settings/webhooks/<int:pk>/", webhooks.webhook_update, name="webhook-update"),
    path("settings/webhooks/<int:pk>/toggle/", webhooks.webhook_toggle, name="webhook-toggle"),
    path("settings/webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("settings/webhooks/deliveries/<int:pk>/resend/", webhooks.webhook_resend, name="webhook-resend"),
]
