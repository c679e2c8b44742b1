"""Portal routes of hostportal.portal.members (included by hostportal/portal/urls.py under the "portal"
namespace): members, settings, my account, and Django's password reset in the portal's style."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path, reverse_lazy

from hostportal.portal import members

RESET = "portal/registration/"

urlpatterns: list[URLPattern] = [
    path("members/", members.members, name="members"),
    path("members/invite/", members.member_invite, name="member-invite"),
    path("members/<int:pk>/role/", members.member_role, name="member-role"),
    path("members/<int:pk>/remove/", members.member_remove, name="member-remove"),
    path("settings/", members.organisation_settings, name="settings"),
    path("settings/calendar/", members.calendar_create, name="calendar-create"),
    path("settings/calendar/<int:pk>/revoke/", members.calendar_revoke, name="calendar-revoke"),
    path("account/", members.account, name="account"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=members.PortalPasswordResetForm,
            template_name=RESET + "password_reset_form.html",
            email_template_name=RESET + "password_reset_email.txt",
            html_email_template_name=RESET + "password_reset_email.html",
            subject_template_name=RESET + "password_reset_subject.txt",
            success_url=reverse_lazy("portal:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name=RESET + "password_reset_done.html"),
        name="password-reset-sent",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name=RESET + "password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=RESET + "password_reset_confirm.html",
            success_url=reverse_lazy("portal:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
]
