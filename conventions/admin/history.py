"""Change history (django-simple-history) as a read-only record, scoped like the change page.

simple-history's "revert" would save an old version with obj.save(): past the services, their checks
and the protected state. Here history can be read, never reverted. simple-history also finds the object
of a history page outside the admin's queryset; another organisation's file must look missing instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _
from simple_history.models import ModelChange, ModelChangeValue
from simple_history.template_utils import HistoricalRecordContextHelper


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """The changes of a history page as the reader says them: a state's label rather than its code, dates in
    the reader's format, yes/no (the stored values are the services' codes)."""

    def prepare_delta_change_value(self, change: ModelChange, value: ModelChangeValue) -> Any:
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if getattr(field, "choices", None):
            labels = {str(code): label for code, label in field.flatchoices}
            return str(labels.get(str(value), value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, dt.datetime):
            return formats.date_format(value, "SHORT_DATETIME_FORMAT")
        if isinstance(value, dt.date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        return value


class ReadOnlyHistoryMixin:
    """Put before SimpleHistoryAdmin in the bases."""

    opts: Any

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> HistoricalRecordContextHelper:
        return ReadableHistoryHelper(self.model, historical_record)  # type: ignore[attr-defined]

    def _out_of_scope(self, request: HttpRequest, object_id: str) -> HttpResponse | None:
        if self.get_queryset(request).filter(pk=unquote(object_id)).exists():  # type: ignore[attr-defined]
            return None
        return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        missing = self._out_of_scope(request, object_id)
        return missing or super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied(
                _("History is read-only: change the file through its form or its transitions.")
            )
        missing = self._out_of_scope(request, object_id)
        return missing or super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
