"""The legal rule engine of hostportal (specification: docs/rules.md, cited in the code as "RULES §N").

Pure: no ORM, no Django settings, no clock. `today` is always a parameter and the effective-dated
amounts are passed in (`BUILTIN_PARAMETERS` by default; the services load the same rows from the database).
"""

from .base import (
    Category,
    ExplainedAmount,
    ExplainedDate,
    Explanation,
    Kind,
    Programme,
    Regime,
    RuleWarning,
    SilenceOutcome,
    WarningCode,
)
from .check import CheckResult, evaluate, format_amount
from .dates import (
    avenant_filing_deadline,
    avenant_silence_deadline,
    convention_filing_deadline,
    convention_silence_days,
    convention_silence_deadline,
    implicit_decision_on,
    implicit_decision_reached,
    late_filing,
    permit_filing_window,
    residence_permit_silence_deadline,
    vls_ts_validation_deadline,
)
from .documents import (
    RESIDENCE_PERMIT_DOCUMENTS,
    RESIDENCE_PERMIT_STAMP_EUR,
    VLS_TS_DOCUMENTS,
    DocumentRequirement,
)
from .durations import duration_warnings, hospital_total_warning
from .inputs import CheckInput, CheckInputError
from .months import add_months, inclusive_days, stay_exceeds_months
from .parameters import (
    BUILTIN_PARAMETERS,
    ENTREPRISE_MONTHLY_MINIMUM,
    HOSPITAL_HOURLY_GRATIFICATION_MINIMUM,
    PARAMETER_KEYS,
    SMIC_MONTHLY_GROSS,
    ParameterDefinition,
    ParameterValue,
    UnknownParameterError,
    parameter_in_force,
)
from .parsing import parse_check_input, parse_check_payload
from .regime import EU_EEA_CH, determine_regime

__all__ = [
    "BUILTIN_PARAMETERS",
    "ENTREPRISE_MONTHLY_MINIMUM",
    "EU_EEA_CH",
    "HOSPITAL_HOURLY_GRATIFICATION_MINIMUM",
    "PARAMETER_KEYS",
    "RESIDENCE_PERMIT_DOCUMENTS",
    "RESIDENCE_PERMIT_STAMP_EUR",
    "SMIC_MONTHLY_GROSS",
    "VLS_TS_DOCUMENTS",
    "Category",
    "CheckInput",
    "CheckInputError",
    "CheckResult",
    "DocumentRequirement",
    "ExplainedAmount",
    "ExplainedDate",
    "Explanation",
    "Kind",
    "ParameterDefinition",
    "ParameterValue",
    "Programme",
    "Regime",
    "RuleWarning",
    "SilenceOutcome",
    "UnknownParameterError",
    "WarningCode",
    "add_months",
    "avenant_filing_deadline",
    "avenant_silence_deadline",
    "convention_filing_deadline",
    "convention_silence_days",
    "convention_silence_deadline",
    "determine_regime",
    "duration_warnings",
    "evaluate",
    "format_amount",
    "implicit_decision_on",
    "implicit_decision_reached",
    "inclusive_days",
    "hospital_total_warning",
    "late_filing",
    "parameter_in_force",
    "parse_check_input",
    "parse_check_payload",
    "permit_filing_window",
    "residence_permit_silence_deadline",
    "stay_exceeds_months",
    "vls_ts_validation_deadline",
]
