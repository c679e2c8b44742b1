from django.apps import AppConfig


class HostportalConfig(AppConfig):
    name = "hostportal"
    verbose_name = "Host organisations"
    default_auto_field = "django.db.models.BigAutoField"
