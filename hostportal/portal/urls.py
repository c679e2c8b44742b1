from django.contrib.auth import views as auth_views
from django.urls import path

from hostportal.portal import (
    urls_api,
    urls_case,
    urls_lists,
    urls_members,
    urls_privacy,
    urls_webhooks,
    views,
)

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisation/", views.switch_organisation, name="switch-organisation"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="portal/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:login"), name="logout"),
    # Each area of the portal keeps its routes in its own module.
    *urls_case.urlpatterns,
    *urls_lists.urlpatterns,
    *urls_members.urlpatterns,
    *urls_api.urlpatterns,
    *urls_webhooks.urlpatterns,
    *urls_privacy.urlpatterns,
]
