"""Admin forms that write through conventions.services, and show the services' errors on the form.

The admin's own save path (form.save, obj.save) would bypass the services: their checks, their
computed deadlines, their audit rows. So a service-backed admin:

1. validates the form as usual, then asks the service for real inside a savepoint that is always rolled
   back (a dry run): a ValidationError lands on the named field, a ConflictError or PermissionDenied on
   the form, and the user corrects the form with nothing written;
2. calls the service again in `save_model`. Should it now fail (someone saved in between), the whole
   admin request is rolled back and the page reloads with the service's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from conventions import uploads

# The services' errors on a form, shared with the portal: each names its field as the reader sees it.
from conventions.transitions import SERVICE_ERRORS, add_service_error, error_messages


class _RollBack(Exception):
    """Raised at the end of a dry run so that its savepoint is rolled back."""


def dry_run(write: Callable[[], object]) -> None:
    """Run `write` in a savepoint and undo it; its exceptions (the answer we want) propagate.

    Uploaded files are judged but not stored (conventions.uploads.dry_run): a rollback cannot undo a write
    to disk, and storing would move a large upload's temporary file away from the real save."""
    try:
        with transaction.atomic(), uploads.dry_run():
            write()
            raise _RollBack
    except _RollBack:
        pass


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose validation includes a dry run of the service that will save it."""

    # Set per request by ServiceAdminMixin.get_form.
    service_admin: ClassVar[Any] = None
    request: ClassVar[Any] = None
    # Service error field -> form field, where the form names a field differently.
    service_field_map: ClassVar[dict[str, str]] = {}

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if getattr(self, "_errors", None) or self.service_admin is None:
            return
        try:
            dry_run(lambda: self.service_admin.service_save(self.request, self))
        except SERVICE_ERRORS as exc:
            add_service_error(self, exc, self.service_field_map)


class VersionedServiceModelForm(ServiceModelForm):
    """Carries the version the user loaded: saving over someone else's change is refused (ConflictError)."""

    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "expected_version" in self.fields and self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version


class ServiceRaceError(Exception):
    """The service refused at save time what it accepted at validation time (a concurrent change)."""


def copy_saved(target: models.Model, saved: models.Model) -> None:
    """Make the admin's object the row the service saved (the inlines and the redirect use its pk)."""
    if target is saved:
        return
    # vars() bypasses the protected FSM state descriptor: this copies the saved row, it transitions nothing.
    vars(target).update({name: value for name, value in vars(saved).items() if name != "_state"})
    target._state.adding = False
    target._state.db = saved._state.db


class ServiceRaceMessageMixin:
    """For a ModelAdmin whose saves may raise ServiceRaceError: roll the page back and say why."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ServiceRaceError as exc:
            # Raised inside the admin's atomic block: everything this request wrote is rolled back.
            messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": exc})
            return HttpResponseRedirect(request.get_full_path())


class ServiceAdminMixin(ServiceRaceMessageMixin):
    """For a ModelAdmin: validate and save through `service_save(request, form)` (see the module doc)."""

    form = ServiceModelForm

    def service_save(self, request: HttpRequest, form: Any) -> models.Model:
        raise NotImplementedError

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        return type(form_class.__name__, (form_class,), {"service_admin": self, "request": request})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            saved = self.service_save(request, form)
        except SERVICE_ERRORS as exc:
            raise ServiceRaceError(" ".join(error_messages(exc))) from exc
        copy_saved(obj, saved)
