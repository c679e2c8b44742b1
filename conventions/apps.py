from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions de stage"
    default_auto_field = "django.db.models.BigAutoField"
