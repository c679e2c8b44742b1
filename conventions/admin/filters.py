"""Changelist filters on deadlines, computed against today in Europe/Paris."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from conventions.admin.display import overdue_q


class OverdueFilter(admin.SimpleListFilter):
    """A draft past its filing deadline, or a submitted file past its silence deadline (sweep due)."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(overdue_q(today))
        if self.value() == "no":
            return queryset.exclude(overdue_q(today))
        return queryset


class NextDeadlineFilter(admin.SimpleListFilter):
    """Ranges of the next relevant deadline (the `next_deadline` annotation of the admin's queryset)."""

    title = _("next deadline")
    parameter_name = "next_deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("past", _("Past")),
            ("7", _("Within the next 7 days")),
            ("30", _("Within the next 30 days")),
            ("later", _("Later")),
            ("none", _("No deadline running")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        value = self.value()
        if value == "past":
            return queryset.filter(next_deadline__lt=today)
        if value in ("7", "30"):
            until = today + dt.timedelta(days=int(value))
            return queryset.filter(next_deadline__gte=today, next_deadline__lte=until)
        if value == "later":
            return queryset.filter(next_deadline__gt=today + dt.timedelta(days=30))
        if value == "none":
            return queryset.filter(next_deadline__isnull=True)
        return queryset


class ScopedCountryFilter(CountryFilter):
    """django-countries' filter lists the countries of every row; list only those the user may see."""

    def lookup_choices(self, changelist: Any) -> Iterator[tuple[str, str]]:
        codes = set(changelist.root_queryset.order_by().values_list(self.field_path, flat=True).distinct())
        for code, name in self.field.get_choices(include_blank=False):
            if code in codes:
                yield str(code), str(name)
