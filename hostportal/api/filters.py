"""Query-string filters of the lists, declared per view (`filters`), checked strictly: a bad value is a 400
naming the parameter, never an empty page that hides a typo. Ranges are inclusive (`_after` ≥,
`_before` ≤)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from hostportal.api.serializers import MAX_DATE, MIN_DATE


@dataclass(frozen=True)
class Filter:
    """A query parameter: the queryset lookup it filters on, its type ("str", "int", "date", "list" — a
    comma-separated list of values — or "bool"), and for "list" the allowed values."""

    lookup: str
    type: str = "str"
    choices: tuple[str, ...] = ()
    description: str = ""


def date_range(field: str, description: str = "") -> dict[str, Filter]:
    return {
        f"{field}_after": Filter(
            f"{field}__gte", "date", description=f"{description} on or after (ISO date)"
        ),
        f"{field}_before": Filter(
            f"{field}__lte", "date", description=f"{description} on or before (ISO date)"
        ),
    }


def _parse(name: str, flt: Filter, raw: str) -> Any:
    if flt.type == "int":
        if not raw.isdigit() or len(raw) > 18:
            raise serializers.ValidationError({name: _("Give a whole number.")})
        return int(raw)
    if flt.type == "date":
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise serializers.ValidationError({name: _("Give a date as YYYY-MM-DD.")}) from None
        if not MIN_DATE <= day <= MAX_DATE or len(raw) != 10:
            raise serializers.ValidationError({name: _("Give a date as YYYY-MM-DD.")})
        return day
    if flt.type == "bool":
        if raw not in ("true", "false"):
            raise serializers.ValidationError({name: _("Give true or false.")})
        return raw == "true"
    if flt.type == "list":
        values = [value.strip() for value in raw.split(",") if value.strip()]
        wrong = [value for value in values if flt.choices and value not in flt.choices]
        if wrong or not values:
            raise serializers.ValidationError(
                {name: _("Unknown value. Allowed: %(choices)s.") % {"choices": ", ".join(flt.choices)}}
            )
        return values
    if "\x00" in raw or len(raw) > 200:
        raise serializers.ValidationError({name: _("This value is not valid.")})
    return raw


class DeclaredFilters(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        declared: dict[str, Filter] = getattr(view, "filters", {})
        for name, flt in declared.items():
            raw = request.query_params.get(name)
            if raw is None or raw == "":
                continue
            value = _parse(name, flt, raw)
            lookup = f"{flt.lookup}__in" if flt.type == "list" else flt.lookup
            queryset = queryset.filter(**{lookup: value})
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        declared: dict[str, Filter] = getattr(view, "filters", {})
        parameters = []
        for name, flt in declared.items():
            schema: dict[str, Any] = {"type": "string"}
            if flt.type == "int":
                schema = {"type": "integer", "minimum": 0}
            elif flt.type == "date":
                schema = {"type": "string", "format": "date"}
            elif flt.type == "bool":
                schema = {"type": "boolean"}
            elif flt.type == "list" and flt.choices:
                schema = {"type": "array", "items": {"type": "string", "enum": list(flt.choices)}}
            parameter: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": False,
                "description": flt.description or name.replace("_", " "),
                "schema": schema,
            }
            if flt.type == "list":
                parameter |= {"style": "form", "explode": False}
            parameters.append(parameter)
        return parameters
