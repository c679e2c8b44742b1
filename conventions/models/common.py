"""Pieces shared by the models: choices taken from the rule engine and the transition permission."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from conventions.rules import Category, Programme, Regime

CATEGORY_CHOICES = [
    (Category.ENTREPRISE.value, _("Student stage in a company (R426-16 1°)")),
    (Category.FORMATION_CONTINUE.value, _("Continuing vocational training (R426-16 2°)")),
    (Category.HOPITAL.value, _("Stage in a health establishment (R426-16 3°)")),
]
PROGRAMME_CHOICES = [
    (Programme.EU.value, _("EU cooperation programme")),
    (Programme.INTERGOVERNMENTAL.value, _("Intergovernmental cooperation programme")),
]
REGIME_CHOICES = [
    (Regime.EU_CITIZEN.value, _("EU/EEA/Swiss citizen")),
    (Regime.SHORT_STAY.value, _("short stay")),
    (Regime.ALGERIAN_AGREEMENT.value, _("Franco-Algerian agreement")),
    (Regime.CANADIAN_EXEMPTION.value, _("Canadian exemption")),
    (Regime.STANDARD.value, _("standard")),
]


def member_can_write(instance: Any, user: Any) -> bool:
    """django-fsm permission: managers and editors of the file's organisation (viewers read only)."""
    from hostportal.selectors import user_can_write

    return user_can_write(user, instance.organisation_id)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
