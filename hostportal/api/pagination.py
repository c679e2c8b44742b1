"""Cursor pagination: stable pages while rows are added (no offset drift), opaque `next`/`previous` links."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "-pk"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
