from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HostportalConfig(AppConfig):
    name = "hostportal"
    verbose_name = _("Host organisations")
    default_auto_field = "django.db.models.BigAutoField"
