"""Absolute links to a file's page (settings.SITE_URL + the admin change URL)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from notifications.facts import MODELS
from notifications.rules import FileType


def file_url(file_type: FileType, object_id: int) -> str:
    meta = MODELS[file_type]._meta
    try:
        path = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[object_id])
    except NoReverseMatch:  # that model's admin is not registered: the admin's standard path
        path = f"/admin/{meta.app_label}/{meta.model_name}/{object_id}/change/"
    return f"{settings.SITE_URL}{path}"
