from conventions.models.audit import Channel, TransitionLog
from conventions.models.avenants import Avenant, AvenantState
from conventions.models.conventions import Convention, ConventionState
from conventions.models.documents import DocumentItem, DocumentStatus, DocumentStep
from conventions.models.interns import Intern
from conventions.models.parameters import LegalParameter
from conventions.models.permits import PermitState, ResidencePermitApplication
from conventions.models.visas import VisaApplication, VisaState

__all__ = [
    "Avenant",
    "AvenantState",
    "Channel",
    "Convention",
    "ConventionState",
    "DocumentItem",
    "DocumentStatus",
    "DocumentStep",
    "Intern",
    "LegalParameter",
    "PermitState",
    "ResidencePermitApplication",
    "TransitionLog",
    "VisaApplication",
    "VisaState",
]
