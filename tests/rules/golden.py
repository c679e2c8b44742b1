"""The golden answer of the `check` contract (RULES §6) for one standard convention, shared by the engine
test (tests/rules/test_check.py) and the CLI test (tests/commands/test_check_convention.py)."""

GOLDEN_STANDARD_CONVENTION = {
    "validation_required": True,
    "regime": "standard",
    "filing_deadline": "2026-07-01",
    "late_filing": True,
    "silence_days": 30,
    "silence_deadline": "2026-08-09",
    "silence_outcome": "refused",
    "minimum_monthly_resources_eur": "615.00",
    "minimum_hourly_gratification_eur": "4.50",
    "resources_sufficient": True,
    "warnings": [],
    "sources": [
        "CESEDA L426-23, R426-16, R426-20",
        "CESEDA R426-20 al. 1",
        "CESEDA R426-20 al. 2",
        "Seed",
        "old CESEDA R313-10-2",
        "Code de l'éducation L124-6",
        "15 % x 30 EUR hourly social-security ceiling for 2026 (yearly ceiling order)",
    ],
    "presence_hours": None,
}
