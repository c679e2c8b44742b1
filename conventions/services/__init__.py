"""conventions.services: the only write path of the domain (STYLE habits 2 and 3)."""

from conventions.services.avenants import (
    avenant_create,
    avenant_receive_documents,
    avenant_record_acknowledgment,
    avenant_record_decision,
    avenant_request_documents,
    avenant_set_documents_due,
    avenant_submit,
    avenant_withdraw,
)
from conventions.services.conventions import (
    convention_create,
    convention_mark_not_required,
    convention_receive_documents,
    convention_record_acknowledgment,
    convention_record_decision,
    convention_request_documents,
    convention_set_documents_due,
    convention_submit,
    convention_update,
    convention_withdraw,
)
from conventions.services.corrections import (
    avenant_correct,
    convention_correct,
    permit_correct,
    visa_correct,
)
from conventions.services.errors import ConflictError, ServiceError, TransitionError
from conventions.services.evaluation import avenant_evaluate, convention_evaluate, load_parameters
from conventions.services.permits import permit_file, permit_record_complete, permit_record_decision
from conventions.services.sweep import SweepReport, sweep_deadlines
from conventions.services.visas import (
    visa_apply,
    visa_open,
    visa_record_arrival,
    visa_record_decision,
    visa_record_ofii_validation,
    visa_set_validity,
)

__all__ = [
    "ConflictError",
    "ServiceError",
    "SweepReport",
    "TransitionError",
    "avenant_correct",
    "avenant_create",
    "avenant_evaluate",
    "avenant_receive_documents",
    "avenant_record_acknowledgment",
    "avenant_record_decision",
    "avenant_request_documents",
    "avenant_set_documents_due",
    "avenant_submit",
    "avenant_withdraw",
    "convention_correct",
    "convention_create",
    "convention_evaluate",
    "convention_mark_not_required",
    "convention_receive_documents",
    "convention_record_acknowledgment",
    "convention_record_decision",
    "convention_request_documents",
    "convention_set_documents_due",
    "convention_submit",
    "convention_update",
    "convention_withdraw",
    "load_parameters",
    "permit_correct",
    "permit_file",
    "permit_record_complete",
    "permit_record_decision",
    "sweep_deadlines",
    "visa_apply",
    "visa_correct",
    "visa_open",
    "visa_record_arrival",
    "visa_record_decision",
    "visa_record_ofii_validation",
    "visa_set_validity",
]
