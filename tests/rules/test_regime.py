"""RULES §1: the regime table, its order of precedence, and the stay warnings."""

from __future__ import annotations

from datetime import date

import pytest

from conventions.rules import EU_EEA_CH, Category, Regime, determine_regime
from conventions.rules.regime import (
    algerian_warning,
    ict_warning,
    schengen_warning,
    short_stay_extended_warning,
)

LONG = (date(2026, 9, 1), date(2027, 2, 28))  # more than 3 months
SHORT = (date(2026, 9, 1), date(2026, 11, 30))  # exactly 3 months: short stay

E, F, H = Category.ENTREPRISE, Category.FORMATION_CONTINUE, Category.HOPITAL


@pytest.mark.parametrize(
    ("nationality", "category", "stay", "regime", "required"),
    [
        # Row 1: EU/EEA/CH first, whatever the length of stay.
        pytest.param("DE", E, LONG, Regime.EU_CITIZEN, False, id="1-eu-long"),
        pytest.param("FR", F, SHORT, Regime.EU_CITIZEN, False, id="1-eu-short-eu-wins-over-short"),
        pytest.param("NO", H, LONG, Regime.EU_CITIZEN, False, id="1-eea-norway"),
        pytest.param("IS", E, LONG, Regime.EU_CITIZEN, False, id="1-eea-iceland"),
        pytest.param("LI", E, LONG, Regime.EU_CITIZEN, False, id="1-eea-liechtenstein"),
        pytest.param("CH", E, LONG, Regime.EU_CITIZEN, False, id="1-switzerland"),
        pytest.param("ch", E, LONG, Regime.EU_CITIZEN, False, id="1-lowercase-code"),
        pytest.param("GB", E, LONG, Regime.STANDARD, True, id="1-uk-is-not-eu-since-2021"),
        # Row 2: short stay before the nationality exceptions.
        pytest.param("IN", E, SHORT, Regime.SHORT_STAY, False, id="2-short-stay"),
        pytest.param("DZ", E, SHORT, Regime.SHORT_STAY, False, id="2-short-stay-wins-over-algeria"),
        pytest.param("CA", H, SHORT, Regime.SHORT_STAY, False, id="2-short-stay-wins-over-canada"),
        # Row 3: Algeria.
        pytest.param("DZ", E, LONG, Regime.ALGERIAN_AGREEMENT, True, id="3-algeria-entreprise"),
        pytest.param("DZ", H, LONG, Regime.ALGERIAN_AGREEMENT, True, id="3-algeria-hopital"),
        # Row 4: Canada, only formation_continue and hopital.
        pytest.param("CA", F, LONG, Regime.CANADIAN_EXEMPTION, False, id="4-canada-formation-continue"),
        pytest.param("CA", H, LONG, Regime.CANADIAN_EXEMPTION, False, id="4-canada-hopital"),
        pytest.param("CA", E, LONG, Regime.STANDARD, True, id="4-canada-entreprise-is-standard"),
        # Row 5: everybody else.
        pytest.param("IN", E, LONG, Regime.STANDARD, True, id="5-standard-entreprise"),
        pytest.param("BR", F, LONG, Regime.STANDARD, True, id="5-standard-formation-continue"),
        pytest.param("SN", H, LONG, Regime.STANDARD, True, id="5-standard-hopital"),
        pytest.param("US", H, LONG, Regime.STANDARD, True, id="5-us-is-not-canada"),
    ],
)
def test_regime_table_in_order(
    nationality: str, category: Category, stay: tuple[date, date], regime: Regime, required: bool
) -> None:
    got, validation_required, why = determine_regime(
        nationality=nationality, category=category, start_date=stay[0], end_date=stay[1]
    )
    assert (got, validation_required) == (regime, required)
    assert why.rule and why.source


@pytest.mark.parametrize(
    ("regime_nationality", "category", "source_part"),
    [
        pytest.param("DE", E, "étranger non européen", id="eu"),
        pytest.param("DZ", E, "Franco-Algerian agreement of 27 December 1968", id="algeria"),
        pytest.param("CA", H, "Vous êtes canadien", id="canada"),
        pytest.param("IN", E, "CESEDA L426-23, R426-16, R426-20", id="standard"),
    ],
)
def test_regime_explanation_cites_the_row_source(
    regime_nationality: str, category: Category, source_part: str
) -> None:
    _, _, why = determine_regime(
        nationality=regime_nationality, category=category, start_date=LONG[0], end_date=LONG[1]
    )
    assert source_part in why.source


def test_short_stay_explanation_shows_the_month_limit() -> None:
    _, _, why = determine_regime(
        nationality="IN", category=E, start_date=date(2026, 1, 1), end_date=date(2026, 3, 31)
    )
    assert "not more than 3 months (end before 2026-04-01)" in why.rule
    assert "À noter" in why.source


def test_eu_list_is_the_27_member_states_the_3_eea_states_and_switzerland() -> None:
    assert len(EU_EEA_CH) == 31


@pytest.mark.parametrize(
    ("start", "end", "warns"),
    [
        # Short February: more than 3 calendar months (month rule) in only 90 days.
        pytest.param(
            date(2026, 1, 31), date(2026, 4, 30), True, id="jan31-apr30-90-days-but-more-than-3-months"
        ),
        pytest.param(date(2026, 2, 1), date(2026, 5, 1), True, id="feb1-may1-90-days-but-more-than-3-months"),
        # Long months: 92 days that are not more than 3 calendar months.
        pytest.param(date(2026, 7, 1), date(2026, 9, 30), True, id="jul-sep-92-days-but-3-months"),
        pytest.param(date(2026, 12, 1), date(2027, 3, 1), False, id="dec1-mar1-91-days-more-agree"),
        pytest.param(date(2026, 1, 1), date(2026, 3, 31), False, id="90-days-exactly-3-months-agree"),
        pytest.param(date(2026, 1, 1), date(2026, 4, 1), False, id="91-days-more-than-3-months-agree"),
        pytest.param(date(2026, 9, 1), date(2027, 2, 28), False, id="long-stay-agrees"),
        pytest.param(date(2026, 9, 1), date(2026, 10, 31), False, id="short-stay-agrees"),
    ],
)
def test_schengen_90_days_when_day_count_and_month_rule_disagree(start: date, end: date, warns: bool) -> None:
    found = schengen_warning(start, end)
    assert (found is not None) is warns
    if found:
        assert found.warning.code == "schengen_90_days"
        assert "Schengen Borders Code" in found.source


@pytest.mark.parametrize(
    ("end", "new_end", "warns"),
    [
        pytest.param(date(2026, 11, 30), date(2026, 12, 1), True, id="3-months-extended-by-one-day"),
        pytest.param(date(2026, 10, 31), date(2026, 11, 30), False, id="still-3-months-after-extension"),
        pytest.param(date(2026, 12, 1), date(2027, 3, 1), False, id="already-long-stay"),
    ],
)
def test_short_stay_extended(end: date, new_end: date, warns: bool) -> None:
    found = short_stay_extended_warning(start_date=date(2026, 9, 1), end_date=end, new_end_date=new_end)
    assert (found is not None) is warns
    if found:
        assert found.warning.code == "short_stay_extended"


def test_fixed_warnings_have_their_codes_and_sources() -> None:
    assert algerian_warning().warning.code == "algerian_agreement"
    assert "1968" in algerian_warning().source
    assert ict_warning().warning.code == "ict_regime"
    assert ict_warning().source == "CESEDA L421-30"
