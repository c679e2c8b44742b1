from django.urls import URLPattern, path

from notifications.views import calendar_feed

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
