"""The portal's forms: the fields a person fills in, named after the services' arguments.

The services are the judges (their ValidationError lands on the named field); these forms only turn text
into values, with labels and help in the reader's language and date pickers that cannot be misread.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from conventions.models import Convention, DocumentItem, DocumentStatus, Intern
from conventions.models.common import CATEGORY_CHOICES, PROGRAMME_CHOICES
from conventions.services.conventions import EDITABLE_FIELD_ORDER
from conventions.services.corrections import correctable_fields
from conventions.transitions import DatePicker

UPLOAD_TYPES = ".pdf,.jpg,.jpeg,.png"


def upper_first(text: Any) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _model_label(model: Any, name: str) -> str:
    return upper_first(model._meta.get_field(name).verbose_name)


# Lazy: the form classes are built once, their labels are read in each reader's language.
model_label = lazy(_model_label, str)


class PortalForm(forms.Form):
    """Labels without a suffix: the label is the field's name as the reader sees it, in every language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class InternForm(PortalForm):
    first_name = forms.CharField(label=model_label(Intern, "first_name"), max_length=100)
    last_name = forms.CharField(label=model_label(Intern, "last_name"), max_length=100)
    nationality = forms.ChoiceField(label=model_label(Intern, "nationality"))
    date_of_birth = forms.DateField(label=model_label(Intern, "date_of_birth"), widget=DatePicker)
    email = forms.EmailField(label=model_label(Intern, "email"), required=False)
    country_of_residence = forms.ChoiceField(label=model_label(Intern, "country_of_residence"))
    passport_number = forms.CharField(
        label=model_label(Intern, "passport_number"),
        max_length=20,
        required=False,
        help_text=_(
            "Required outside the EU/EEA and Switzerland. Shown masked afterwards (last 3 characters)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    passport_expires_on = forms.DateField(
        label=model_label(Intern, "passport_expires_on"), required=False, widget=DatePicker
    )
    notify_intern = forms.BooleanField(
        label=model_label(Intern, "notify_intern"),
        required=False,
        help_text=_("Also send the intern the reminders that concern them."),
    )
    language = forms.ChoiceField(
        label=_("Intern’s language"), choices=[("fr", "Français"), ("en", "English")]
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [("", "—"), *Intern._meta.get_field("nationality").choices]  # type: ignore[misc]
        for name in ("nationality", "country_of_residence"):
            cast(forms.ChoiceField, self.fields[name]).choices = countries
        if editing:
            # The stored number is never sent to the browser: typing a new one replaces it.
            self.fields["passport_number"].help_text = _(
                "Leave empty to keep the recorded number; type a new one to replace it."
            )


def money_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        help_text=help_text,
        localize=True,
    )


class ConventionForm(PortalForm):
    """A convention's stage facts (the rule inputs); its procedure dates come from events."""

    category = forms.ChoiceField(label=model_label(Convention, "category"), choices=CATEGORY_CHOICES)
    programme = forms.ChoiceField(
        label=model_label(Convention, "programme"),
        choices=[("", _("None")), *PROGRAMME_CHOICES],
        required=False,
        help_text=_("An EU or intergovernmental programme shortens the delays."),
    )
    same_group = forms.BooleanField(
        label=model_label(Convention, "same_group"),
        required=False,
        help_text=_("The host belongs to the same group as the intern's employer (ICT permit)."),
    )
    sending_establishment = forms.CharField(
        label=model_label(Convention, "sending_establishment"),
        max_length=200,
        required=False,
        help_text=_("Training establishment abroad, or the foreign employer."),
    )
    tutor_name = forms.CharField(label=model_label(Convention, "tutor_name"), max_length=200, required=False)
    tutor_email = forms.EmailField(label=model_label(Convention, "tutor_email"), required=False)
    start_date = forms.DateField(label=model_label(Convention, "start_date"), widget=DatePicker)
    end_date = forms.DateField(label=model_label(Convention, "end_date"), widget=DatePicker)
    weekly_hours = forms.DecimalField(
        label=model_label(Convention, "weekly_hours"),
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("48"),
        max_digits=4,
        decimal_places=1,
        localize=True,
        help_text=_("At most 48 hours a week (Code du travail L3121-20)."),
    )
    hourly_gratification_eur = money_field(
        model_label(Convention, "hourly_gratification_eur"), _("For a stage in a health establishment.")
    )
    monthly_resources_eur = money_field(
        model_label(Convention, "monthly_resources_eur"),
        _("For a company or continuing-training stage: the intern's resources each month."),
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label=_("I have read the warnings and want to save anyway"),
    )

    FIELDS = EDITABLE_FIELD_ORDER

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: (data.get(name) if data.get(name) is not None else default(name)) for name in self.FIELDS
        }


def default(name: str) -> Any:
    return "" if name in ("programme", "sending_establishment", "tutor_name", "tutor_email") else None


class AvenantForm(PortalForm):
    requested_end_date = forms.DateField(
        label=_("New end date"),
        widget=DatePicker,
        help_text=_("File it with the administration at least 15 days before the end in force (R426-21)."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


def correction_form(model: Any, instance: Any) -> type[forms.Form]:
    """A form with each correctable field of the file, prefilled with the recorded value, and a reason."""
    fields: dict[str, forms.Field] = {}
    for name in sorted(
        correctable_fields(model), key=lambda n: [f.name for f in model._meta.fields].index(n)
    ):
        model_field = model._meta.get_field(name)
        label = upper_first(model_field.verbose_name)
        kind = model_field.get_internal_type()
        if kind == "DateField":
            fields[name] = forms.DateField(label=label, required=False, widget=DatePicker)
        elif kind == "DecimalField":
            fields[name] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal("0"),
                max_digits=model_field.max_digits,
                decimal_places=model_field.decimal_places,
                localize=True,
            )
        elif kind == "TextField":
            fields[name] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        else:
            fields[name] = forms.CharField(label=label, required=False, max_length=model_field.max_length)
    fields["reason"] = forms.CharField(
        label=_("Why is it corrected?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: kept in the audit trail with the old and the new value."),
    )
    fields["expected_version"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
    return type("CorrectionForm", (PortalForm,), fields)


class DocumentForm(PortalForm):
    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)
    rejection_reason = forms.CharField(
        label=_("Rejection reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the document is rejected: the intern must know what to bring again."),
    )
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DatePicker)
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_TYPES}),
    )

    # The file is judged by conventions.services.documents (size limit, real PDF/JPEG/PNG, for every
    # channel): its refusal comes back on "file", with nothing written.


def document_initial(item: DocumentItem) -> dict[str, Any]:
    return {"status": item.status, "rejection_reason": item.rejection_reason, "expires_on": item.expires_on}
