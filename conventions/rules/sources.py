"""Legal sources cited by the rules, in one place so that explanations and `sources` agree.

"Seed" is the service-public.fr page "Stagiaire étranger en France : visa de long séjour ou carte de
séjour" (checked 1 May 2022). CESEDA articles use the numbering
in force since 1 May 2021 (L313-7-1 became L426-23, R313-10-x became R426-16 to R426-21).
"""

from __future__ import annotations

# RULES §1: regime, in the order of evaluation.
EU_CITIZEN = "Seed: « étranger non européen »"
SHORT_STAY = "Seed, « À noter » (short-stay visa)"
ALGERIAN_AGREEMENT = "Franco-Algerian agreement of 27 December 1968"
CANADIAN_EXEMPTION = (
    "Seed: « Vous êtes canadien : votre convention de stage n'a pas à être validée » (no statute found)"
)
STANDARD = "CESEDA L426-23, R426-16, R426-20"
SCHENGEN = "Regulation (EU) 2016/399 (Schengen Borders Code) art. 6(1): 90 days in any 180-day period"
ICT = "CESEDA L421-30"

# RULES §2: dates.
CONVENTION_FILING = "CESEDA R426-20 al. 1"
CONVENTION_FILING_PROGRAMME = "CESEDA R426-20 al. 1 and 3"
CONVENTION_SILENCE = "CESEDA R426-20 al. 2; Seed"
CONVENTION_SILENCE_PROGRAMME = "CESEDA R426-20 al. 2 and 3; Seed"
AVENANT_FILING = "CESEDA R426-21"
AVENANT_SILENCE = "CESEDA R426-21; Seed"
INCOMPLETE_FILE = "CRPA L114-5"
IMPLICIT_DECISION = "CRPA L231-1, L231-4; Seed"
RESIDENCE_PERMIT_SILENCE = "CESEDA R426-17; R432-2 al. 2"
VLS_TS_VALIDATION = "CESEDA R431-16"
PERMIT_FILING_WINDOW = "CESEDA R431-5 1°, R431-2"
ACKNOWLEDGMENT = "CRPA R112-5"
ENTREPRISE_AVENANT = "CESEDA R426-21"

# RULES §3 and §4: money and durations.
GRATIFICATION = "Code de l'éducation L124-6"
ENTREPRISE_DURATION = "Code de l'éducation L124-5"
TRAINING_DURATION = "former CESEDA R313-10-3 (not found in the 2021 code)"
ENTREPRISE_PRESUMED = "former CESEDA R313-10-2"
PRESENCE = "Code de l'éducation D124-6"
PARAMETER_UNKNOWN = "hostportal rules §3: no value is guessed before a table's first row"
