"""Building blocks: seasonality curves, sampling, calendar ages, the calibration model, allocation."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from hospital_analytics.errors import ConfigError
from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth import seasonality
from hospital_analytics.synth.model import delivery_share, get_model, sampled_stay_share
from hospital_analytics.synth.population import build_population, check_feasible, stays_cap
from hospital_analytics.synth.sampling import Categorical, calendar_age, day_number, rng_for
from hospital_analytics.synth.stays import _compress, _offsets, _previous_delivery, _segment_starts

ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


# --- seasonality ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", seasonality.CURVE_NAMES)
def test_every_curve_averages_one(name):
    values = [seasonality.CURVES[name](m) for m in range(1, 13)]
    assert np.mean(values) == pytest.approx(1.0) and min(values) > 0


def test_respiratory_peaks_december_to_february():
    curve = [seasonality.respiratory(m) for m in range(1, 13)]
    top3 = sorted(range(1, 13), key=lambda m: -curve[m - 1])[:3]
    assert set(top3) == {12, 1, 2}
    assert sum(curve[m - 1] for m in (12, 1, 2)) / 12 > 0.4  # share of the year's admissions


def test_cardiac_order_winter_spring_fall_summer():
    by_season = {
        name: np.mean([seasonality.cardiac(m) for m in months]) for name, months in seasonality.SEASONS.items()
    }
    assert by_season["winter"] > by_season["spring"] > by_season["fall"] > by_season["summer"]
    assert by_season["winter"] / 4 == pytest.approx(0.27)


def test_births_peak_late_summer_and_seasons_cover_the_year():
    assert max(range(1, 13), key=seasonality.births) in (7, 8, 9)
    assert sorted(m for months in seasonality.SEASONS.values() for m in months) == list(range(1, 13))
    assert seasonality.season_of_month(12) == "winter" and seasonality.season_of_month(7) == "summer"


# --- sampling ------------------------------------------------------------------------------------------------
def test_alias_sampler_matches_its_weights_and_never_draws_zero():
    weights = np.array([[0.5, 0.0, 0.3, 0.2], [0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    sampler = Categorical(weights)
    rng = np.random.default_rng(0)
    n = 200_000
    for row, w in enumerate(weights):
        drawn = sampler.sample(np.full(n, row), rng.random(n))
        freq = np.bincount(drawn, minlength=4) / n
        assert np.abs(freq - w / w.sum()).max() < 0.005  # 5 standard errors at n = 200k
        assert (freq[w == 0] == 0).all()


def test_calendar_age_counts_birthdays():
    births = np.array([day_number(dt.date(2000, 6, 15))] * 3 + [day_number(dt.date(2004, 2, 29))] * 2)
    on = np.array(
        [
            day_number(d)
            for d in (
                dt.date(2018, 6, 14),
                dt.date(2018, 6, 15),
                dt.date(2000, 6, 15),
                dt.date(2023, 2, 28),
                dt.date(2023, 3, 1),
            )
        ]
    )
    assert calendar_age(births, on).tolist() == [17, 18, 0, 18, 19]


def test_streams_are_reproducible_and_independent():
    assert rng_for(1, 2, 3).random() == rng_for(1, 2, 3).random()
    assert rng_for(1, 2, 3).random() != rng_for(1, 2, 4).random() != rng_for(2, 2, 3).random()


# --- the calibration model ------------------------------------------------------------------------------------
def test_catalogue_codes_are_icd10cm_shaped_and_unique():
    codes = [dx.code for dx in dist.CATALOGUE]
    assert len(codes) == len(set(codes))
    assert all(ICD10CM.match(code) for code in codes), [c for c in codes if not ICD10CM.match(c)]
    assert all(dx.code.startswith("O") == dx.maternal for dx in dist.CATALOGUE)
    for dx in dist.CATALOGUE:
        assert dx.profile is None or sum(dx.profile) == pytest.approx(1.0), dx.code
        assert sum(w for _, w in dx.specialties) > 0 and dx.ages[0] <= dx.ages[1]


def test_pinned_diagnoses_reach_their_published_share_by_construction():
    model = get_model()
    cells = sampled_stay_share()  # (groups, sexes): share of all stays drawn from the catalogue
    expected = np.einsum("gs,gsd->d", cells, model.group_diagnosis)
    for dx in dist.CATALOGUE:
        if dx.share is not None and dx.code != dist.LIVEBORN_CODE:
            assert expected[model.index(dx.code)] == pytest.approx(dx.share), dx.code
    assert cells.sum() + dist.BIRTH_SHARE + delivery_share() == pytest.approx(1.0)  # births + deliveries + drawn


def test_every_stratum_offers_only_eligible_diagnoses():
    model = get_model()
    probabilities = np.zeros((model.eligible.shape[0] * 4, model.n_diagnoses))
    n = 20_000
    rng = np.random.default_rng(1)
    for row in range(probabilities.shape[0]):
        drawn = model.diagnosis_sampler.sample(np.full(n, row), rng.random(n))
        band, rest = divmod(row, 4)
        sex, blocked = divmod(rest, 2)
        if model.eligible[band, sex, blocked].any():
            assert model.eligible[band, sex, blocked, drawn].all(), row
    liveborn = model.liveborn
    assert not model.eligible[:, :, :, liveborn].any()  # only ever the birth stay


def test_children_get_paediatrics_and_pregnancy_obstetrics():
    model = get_model()
    pediatric = [model.specialties.index(name) for name in dist.PEDIATRIC_SPECIALTIES]
    obstetrics = model.specialties.index("Obstetrics & Gynecology")
    for d, dx in enumerate(dist.CATALOGUE):
        child = model.specialty_weight[d, 1]
        if dx.maternal:
            assert child[obstetrics] == 1.0
        else:
            assert child[pediatric].sum() == pytest.approx(1.0), dx.code


# --- allocation and timelines --------------------------------------------------------------------------------
@pytest.mark.parametrize(("patients", "stays"), [(500, 1000), (10, 200), (5000, 50), (1, 1), (2, 6)])
def test_allocation_is_exact_and_capped(patients, stays):
    population = build_population(rng_for(7, 1), patients, stays, 731, get_model())
    assert population.stays.sum() == stays
    assert population.stays.max() <= stays_cap(731)
    assert (population.stays[population.newborn] >= 1).all() and (population.first_age[population.newborn] == 0).all()
    assert population.female[population.mother].all()


def test_feasibility_names_the_limit():
    check_feasible(10, 910, 731)
    with pytest.raises(ConfigError, match="1,000 stays do not fit 10 patients in a 731-day window"):
        check_feasible(10, 1000, 731)


def test_compression_fits_a_timeline_into_the_window():
    stays = np.array([4, 1])
    owner = np.repeat(np.arange(2), stays)
    starts = _segment_starts(stays)
    los = np.array([10, 20, 5, 3, 2])
    gap = np.array([31, 200, 3, 0, 0])  # patient 0: last admission at day 269
    last = np.array([False, False, False, True, True])
    _compress(owner, starts, stays, los, gap, last, limit=60)
    offsets = _offsets(owner, starts, los, gap)
    assert offsets[3] <= 60 and (gap[:3] >= 1).all() and (los >= 0).all()
    assert los[4] == 2 and gap[4] == 0  # the other patient is untouched


def test_previous_delivery_is_per_patient():
    owner = np.array([0, 0, 0, 1, 1])
    admission = np.array([10, 100, 500, 20, 30])
    delivery = np.array([True, False, False, False, True])
    assert _previous_delivery(owner, admission, delivery)[:3].tolist() == [-(1 << 39), 10, 10]
    assert _previous_delivery(owner, admission, delivery)[3:].tolist() == [-(1 << 39), -(1 << 39)]
