"""RULES §5: the document checklists of the seed page (service-public.fr, checked 1 May 2022).

`dated` marks a document whose date decides whether it is acceptable (a validity or an age limit), so the
product asks for that date.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DocumentRequirement:
    code: str
    label_fr: str
    label_en: str
    dated: bool


# Seed, "Documents à fournir" for the VLS-TS « stagiaire » at the consulate (identical in the 3 categories).
VLS_TS_DOCUMENTS: tuple[DocumentRequirement, ...] = (
    DocumentRequirement("passport", "Passeport en cours de validité", "Valid passport", dated=True),
    DocumentRequirement(
        "convention_visee",
        "Convention de stage tripartite visée par l'administration",
        "Tripartite internship agreement endorsed (visée) by the administration",
        dated=False,
    ),
    DocumentRequirement("resources", "Justificatif de ressources", "Proof of resources", dated=False),
    DocumentRequirement(
        "accommodation",
        "Justificatif d'hébergement en France",
        "Proof of accommodation in France",
        dated=False,
    ),
)

# Seed: after arrival the VLS-TS is validated online with the OFII (no document, a step to remember).
VLS_TS_AFTER_ARRIVAL_FR = "Après l'arrivée, valider le visa en ligne auprès de l'OFII"
VLS_TS_AFTER_ARRIVAL_EN = "After arrival, validate the visa online with the OFII"

# Seed, "Documents à fournir" for the carte de séjour « stagiaire » at the préfecture, after a validated
# avenant.
ADDRESS_PROOF_MAX_AGE_MONTHS = 6
RESIDENCE_PERMIT_DOCUMENTS: tuple[DocumentRequirement, ...] = (
    DocumentRequirement(
        "expiring_visa", "Visa de long séjour arrivant à expiration", "Expiring long-stay visa", True
    ),
    DocumentRequirement(
        "passport_pages",
        "Passeport (pages état civil, dates de validité, cachets d'entrée et visas)",
        "Passport (civil-status, validity, entry-stamp and visa pages)",
        dated=True,
    ),
    DocumentRequirement(
        "address_proof",
        "Justificatif de domicile de moins de 6 mois",
        "Proof of address less than 6 months old",
        dated=True,
    ),
    DocumentRequirement("photos", "3 photos (ou code e-photo)", "3 photos (or e-photo code)", dated=False),
    DocumentRequirement(
        "tax_stamp",
        "Justificatif de paiement du droit de timbre (75 €)",
        "Tax-stamp payment receipt (75 EUR)",
        dated=False,
    ),
    DocumentRequirement(
        "convention_and_avenant",
        "Convention de stage initiale et son avenant",
        "Initial internship agreement and its avenant",
        dated=False,
    ),
    DocumentRequirement("resources", "Justificatifs de ressources", "Proof of resources", dated=False),
)

# Seed, "Coût": 75 EUR in tax stamps, asked when the card is granted or handed over (CESEDA L436-1 ff.).
RESIDENCE_PERMIT_STAMP_EUR = Decimal("75.00")
