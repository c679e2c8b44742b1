from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "hostportal.portal"
    label = "portal"
    verbose_name = "HR portal"
