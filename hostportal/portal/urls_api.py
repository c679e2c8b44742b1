"""Portal routes of the API tokens (included by hostportal/portal/urls.py under the "portal" namespace)."""

from django.urls import URLPattern, path

from hostportal.api import portal_views

urlpatterns: list[URLPattern] = [
    path("settings/api-tokens/", portal_views.api_tokens, name="api-tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", portal_views.api_token_revoke_view, name="api-token-revoke"),
]
