"""Pieces shared by the models: choices taken from the rule engine and the transition permission."""

from __future__ import annotations

from typing import Any

from django.db import models

from conventions.rules import Category, Programme, Regime

CATEGORY_CHOICES = [
    (Category.ENTREPRISE.value, "Student stage in a company (R426-16 1°)"),
    (Category.FORMATION_CONTINUE.value, "Continuing vocational training (R426-16 2°)"),
    (Category.HOPITAL.value, "Stage in a health establishment (R426-16 3°)"),
]
PROGRAMME_CHOICES = [
    (Programme.EU.value, "EU cooperation programme"),
    (Programme.INTERGOVERNMENTAL.value, "Intergovernmental cooperation programme"),
]
REGIME_CHOICES = [(regime.value, regime.value.replace("_", " ")) for regime in Regime]


def member_can_write(instance: Any, user: Any) -> bool:
    """django-fsm permission: managers and editors of the file's organisation (viewers read only)."""
    from hostportal.selectors import user_can_write

    return user_can_write(user, instance.organisation_id)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
