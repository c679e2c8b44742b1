"""The recorded facts of each file of a stay, as (label, value) pairs in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation

from conventions import explain
from conventions.models import Avenant, Convention, DocumentItem, ResidencePermitApplication, VisaApplication
from conventions.rules.documents import RESIDENCE_PERMIT_DOCUMENTS, VLS_TS_DOCUMENTS
from hostportal.portal.forms import upper_first

register = template.Library()

# The checklists' French labels (the stored label is the English one, from RULES §5).
FRENCH_LABELS = {item.code: item.label_fr for item in (*VLS_TS_DOCUMENTS, *RESIDENCE_PERMIT_DOCUMENTS)}


@register.simple_tag
def document_label(item: DocumentItem) -> str:
    if (translation.get_language() or "")[:2] == "fr":
        return FRENCH_LABELS.get(item.code, item.label)
    return item.label


CONVENTION_FACTS = (
    "category",
    "programme",
    "sending_establishment",
    "tutor_name",
    "tutor_email",
    "start_date",
    "end_date",
    "effective_end_date",
    "weekly_hours",
    "hourly_gratification_eur",
    "monthly_resources_eur",
    "received_on",
    "acknowledged_decision_on",
    "documents_requested_on",
    "documents_due_on",
    "documents_received_on",
    "decision_on",
    "decision_reference",
)
AVENANT_FACTS = (
    "previous_end_date",
    "requested_end_date",
    "reason",
    "received_on",
    "acknowledged_decision_on",
    "documents_requested_on",
    "documents_due_on",
    "documents_received_on",
    "decision_on",
    "decision_reference",
)
VISA_FACTS = (
    "consulate",
    "applied_on",
    "decision_on",
    "decision_reference",
    "valid_from",
    "expires_on",
    "arrived_on",
    "ofii_validation_deadline",
    "ofii_validated_on",
)
PERMIT_FACTS = (
    "prefecture",
    "filing_opens_on",
    "filing_deadline",
    "filed_on",
    "complete_on",
    "silence_deadline",
    "decision_on",
    "decision_reference",
    "stamp_amount_eur",
    "stamp_paid_on",
    "card_valid_until",
)


def facts(obj: Any, names: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if value in (None, ""):
            continue
        shown = getattr(obj, f"get_{name}_display")() if field.choices else explain.display_value(value)
        pairs.append((upper_first(field.verbose_name), str(shown)))
    return pairs


@register.simple_tag
def convention_facts(convention: Convention) -> list[tuple[str, str]]:
    return facts(convention, CONVENTION_FACTS)


@register.simple_tag
def avenant_facts(avenant: Avenant) -> list[tuple[str, str]]:
    return facts(avenant, AVENANT_FACTS)


@register.simple_tag
def visa_facts(visa: VisaApplication) -> list[tuple[str, str]]:
    return facts(visa, VISA_FACTS)


@register.simple_tag
def permit_facts(permit: ResidencePermitApplication) -> list[tuple[str, str]]:
    return facts(permit, PERMIT_FACTS)
