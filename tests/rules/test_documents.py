"""RULES §5: the two checklists of the seed and the tax stamp."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conventions.rules.documents import (
    RESIDENCE_PERMIT_DOCUMENTS,
    RESIDENCE_PERMIT_STAMP_EUR,
    VLS_TS_DOCUMENTS,
    DocumentRequirement,
)


@pytest.mark.parametrize(
    ("checklist", "codes"),
    [
        pytest.param(
            VLS_TS_DOCUMENTS, ["passport", "convention_visee", "resources", "accommodation"], id="vls-ts"
        ),
        pytest.param(
            RESIDENCE_PERMIT_DOCUMENTS,
            [
                "expiring_visa",
                "passport_pages",
                "address_proof",
                "photos",
                "tax_stamp",
                "convention_and_avenant",
                "resources",
            ],
            id="residence-permit",
        ),
    ],
)
def test_checklists_follow_the_seed_in_order(
    checklist: tuple[DocumentRequirement, ...], codes: list[str]
) -> None:
    assert [item.code for item in checklist] == codes
    assert all(item.label_fr and item.label_en for item in checklist)


@pytest.mark.parametrize(
    ("checklist", "dated"),
    [
        pytest.param(VLS_TS_DOCUMENTS, {"passport"}, id="vls-ts"),
        pytest.param(
            RESIDENCE_PERMIT_DOCUMENTS, {"expiring_visa", "passport_pages", "address_proof"}, id="permit"
        ),
    ],
)
def test_dated_documents_are_those_with_a_validity_or_age_limit(
    checklist: tuple[DocumentRequirement, ...], dated: set[str]
) -> None:
    assert {item.code for item in checklist if item.dated} == dated


def test_address_proof_is_under_6_months_and_stamp_is_75_eur() -> None:
    address = next(item for item in RESIDENCE_PERMIT_DOCUMENTS if item.code == "address_proof")
    assert "6 mois" in address.label_fr
    assert RESIDENCE_PERMIT_STAMP_EUR == Decimal("75.00")
    assert "75" in next(item for item in RESIDENCE_PERMIT_DOCUMENTS if item.code == "tax_stamp").label_fr
