"""Weekday, hour-of-day, holiday and seasonality reference data."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_analytics.simulation.reference import seasons, sources, timing


@pytest.mark.parametrize("profile", timing.WEEKDAY_PROFILES.values(), ids=lambda p: p.name)
def test_weekday_profiles_average_one_and_cite_a_source(profile):
    assert len(profile.factors) == 7
    assert sum(profile.factors) / 7 == pytest.approx(1.0)
    assert min(profile.factors) > 0
    assert profile.source in sources.SOURCES


@pytest.mark.parametrize("profile", timing.HOUR_PROFILES.values(), ids=lambda p: p.name)
def test_hour_profiles_sum_to_one(profile):
    assert len(profile.shares) == 24
    assert sum(profile.shares) == pytest.approx(1.0)
    assert min(profile.shares) > 0
    assert profile.source in sources.SOURCES


def test_weekend_shares_match_hcup_and_vizient():
    # HCUP SB #87: 19% of all admissions at weekends; electives 24.6% of admissions.
    elective_mix = 0.246
    overall = elective_mix * timing.weekend_share(timing.ELECTIVE) + (1 - elective_mix) * timing.weekend_share(
        timing.EMERGENCY
    )
    assert 0.18 <= overall <= 0.20
    assert timing.weekend_share(timing.ELECTIVE) < 0.10
    assert timing.weekend_share(timing.DISCHARGE) == pytest.approx(0.21, abs=0.005)


def test_weekday_shapes():
    discharge = timing.DISCHARGE.factors
    assert discharge.index(max(discharge)) == 4  # Friday
    assert discharge.index(min(discharge)) == 6  # Sunday
    emergency = timing.EMERGENCY.factors
    assert emergency.index(max(emergency)) == 0  # Monday
    assert max(timing.ELECTIVE.factors[5:]) < 0.3 * min(timing.ELECTIVE.factors[:4])


def test_discharge_hours_fit_florida_figures():
    shares = timing.DISCHARGES.shares
    assert sum(shares[:12]) == pytest.approx(0.130, abs=0.005)
    assert sum(shares[:15]) == pytest.approx(0.422, abs=0.005)
    assert sum(shares[:15]) < 0.5 < sum(shares[:16])  # median hour 3 p.m.


def test_emergency_admissions_lag_arrivals():
    arrivals, admissions = timing.ED_ARRIVALS.shares, timing.EMERGENCY_ADMISSIONS.shares
    assert admissions.index(min(admissions)) == (arrivals.index(min(arrivals)) + timing.ED_ADMIT_DELAY_HOURS) % 24


@pytest.mark.parametrize(
    ("year", "name", "observed"),
    [
        (2025, "Thanksgiving Day", dt.date(2025, 11, 27)),
        (2025, "Memorial Day", dt.date(2025, 5, 26)),
        (2024, "Birthday of Martin Luther King, Jr.", dt.date(2024, 1, 15)),
        (2026, "Independence Day", dt.date(2026, 7, 3)),  # a Saturday: observed Friday
        (2022, "Christmas Day", dt.date(2022, 12, 26)),  # a Sunday: observed Monday
        (2022, "New Year's Day", dt.date(2021, 12, 31)),  # Saturday 1 Jan 2022: observed the Friday before
        (2023, "Labor Day", dt.date(2023, 9, 4)),
    ],
)
def test_federal_holidays(year, name, observed):
    holidays = {h.name: h for h in timing.federal_holidays(year)}
    assert holidays[name].date == observed


def test_holiday_rules_by_year():
    assert len(timing.federal_holidays(2025)) == 11
    assert "Juneteenth National Independence Day" not in {h.name for h in timing.federal_holidays(2020)}
    assert len(timing.federal_holidays(1980)) == 9  # no MLK Day, no Juneteenth


def test_observed_holidays_in_a_range_and_lookup():
    days = timing.observed_holidays(dt.date(2021, 12, 1), dt.date(2022, 1, 31))
    assert dt.date(2021, 12, 31) in days and dt.date(2021, 12, 24) in days
    assert timing.is_federal_holiday(dt.date(2025, 12, 25))
    assert not timing.is_federal_holiday(dt.date(2025, 12, 26))
    assert all(d.weekday() < 5 for y in range(2000, 2040) for d in (h.date for h in timing.federal_holidays(y)))


@pytest.mark.parametrize("curve", seasons.CURVES.values(), ids=lambda c: c.name)
def test_season_curves_average_one(curve):
    assert len(curve.months) == 12
    assert sum(curve.months) / 12 == pytest.approx(1.0)
    assert curve.source in sources.SOURCES


def test_season_peaks():
    assert seasons.season_shares(seasons.CARDIAC) == pytest.approx(
        {"winter": 0.27, "spring": 0.26, "summer": 0.23, "fall": 0.24}
    )
    respiratory = seasons.RESPIRATORY.months
    assert respiratory.index(max(respiratory)) in (11, 0, 1)
    assert seasons.BIRTHS.months.index(max(seasons.BIRTHS.months)) in (6, 7, 8)
