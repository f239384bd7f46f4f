"""Payers, outcomes, revisits and births: shares sum to 1 and the catalogue-weighted aggregates meet HCUP."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_analytics.simulation.reference import ages, births, diagnoses, outcomes, payers, revisits, targets

CATALOGUE = diagnoses.catalogue()


def in_range(name: str, value: float) -> None:
    t = targets.target(name)
    assert t.low <= value <= t.high, f"{name}: {value:.4f} outside [{t.low}, {t.high}]"


def stays_by_band():
    """(diagnosis, band, weight) over the whole catalogue, weights summing to 1."""
    total = sum(d.stays for d in CATALOGUE)
    for d in CATALOGUE:
        for band, share in enumerate(d.age_share):
            if share:
                yield d, band, d.stays * share / total


def test_payer_tables_sum_to_one():
    assert len(payers.PAYER_BY_AGE) == len(ages.AGE_BANDS)
    for row in payers.PAYER_BY_AGE:
        assert sum(row) == pytest.approx(1)
    assert payers.payer_shares(4)["Medicare"] > 0.9
    assert payers.payer_shares(0)["Medicare"] == 0


def test_payer_mix_of_stays_matches_hcup():
    mix = dict.fromkeys(payers.PAYERS, 0.0)
    for _, band, weight in stays_by_band():
        for payer, share in payers.payer_shares(band).items():
            mix[payer] += weight * share
    names = {"Medicare": "payer_medicare", "Medicaid": "payer_medicaid", "Private": "payer_private"}
    names |= {"Self-pay": "payer_self_pay", "Other": "payer_other"}
    for payer, name in names.items():
        in_range(name, mix[payer])


@pytest.mark.parametrize(
    ("birth", "start"),
    [
        (dt.date(1960, 3, 15), dt.date(2025, 3, 1)),
        (dt.date(1960, 3, 1), dt.date(2025, 2, 1)),  # born on the 1st: the month before
        (dt.date(1960, 1, 1), dt.date(2024, 12, 1)),
        (dt.date(1959, 12, 31), dt.date(2024, 12, 1)),
    ],
)
def test_medicare_starts_the_month_of_the_65th_birthday(birth, start):
    assert payers.medicare_start(birth) == start


def test_coverage_transitions():
    for (source, target), rate in payers.TRANSITIONS_PER_YEAR.items():
        assert source in payers.PAYERS and target in payers.PAYERS and source != target
        assert 0 < rate < 1
        assert (1 - payers.daily_hazard(rate)) ** 365.25 == pytest.approx(1 - rate)
    assert set(payers.MOVES_TO_MEDICARE_AT_65) == set(payers.PAYERS) - {"Medicare"}


def test_dispositions_sum_to_one_for_every_diagnosis_and_age():
    for d in CATALOGUE[::7]:
        for band in range(len(ages.AGE_BANDS)):
            shares = outcomes.survivor_shares(d, band)
            assert len(shares) == len(outcomes.SURVIVOR_DISPOSITIONS)
            assert sum(shares) == pytest.approx(1)
    assert set(outcomes.GROUP_FACTORS) >= {outcomes.group_of(d) for d in CATALOGUE}


def test_disposition_mix_matches_hcup():
    mix = [0.0] * len(outcomes.DISPOSITIONS)
    for d, band, weight in stays_by_band():
        died = d.mortality * d.mortality_age[band]
        for i, share in enumerate(outcomes.survivor_shares(d, band)):
            mix[i] += weight * (1 - died) * share
        mix[-1] += weight * died
    assert sum(mix) == pytest.approx(1)
    in_range("disposition_home", mix[0])
    in_range("disposition_home_health", mix[1])
    in_range("disposition_post_acute_facility", mix[2] + mix[3])
    in_range("disposition_other_acute_hospital", mix[4])
    in_range("disposition_against_medical_advice", mix[5])
    in_range("in_hospital_mortality", mix[6])


def test_older_patients_and_hip_fractures_go_to_facilities():
    hip = diagnoses.by_code("S72.001A")
    knee = diagnoses.by_code("M17.11")
    assert outcomes.survivor_shares(hip, 5)[2] > 0.5
    assert outcomes.survivor_shares(knee, 4)[1] > outcomes.survivor_shares(knee, 4)[2]  # home health after TKA
    alcohol = diagnoses.by_code("F10.239")
    assert outcomes.survivor_shares(alcohol, 2)[5] > 0.05


def test_readmission_rates_by_payer_and_overall():
    rate = dict.fromkeys(revisits.READMISSION_BY_PAYER, 0.0)
    weight = dict.fromkeys(revisits.READMISSION_BY_PAYER, 0.0)
    pregnancy = [0.0, 0.0]
    for d, band, w in stays_by_band():
        if d.newborn:
            continue
        for payer, share in payers.payer_shares(band).items():
            p = revisits.readmission_probability(d.readmission, payer)
            rate[payer] += w * share * p
            weight[payer] += w * share
            if d.delivery:
                pregnancy[0] += w * share * p
                pregnancy[1] += w * share
    in_range("readmission_30d", sum(rate.values()) / sum(weight.values()))
    in_range("readmission_30d_medicare", rate["Medicare"] / weight["Medicare"])
    in_range("readmission_30d_private", rate["Private"] / weight["Private"])
    in_range("readmission_30d_medicaid", rate["Medicaid"] / weight["Medicaid"])
    in_range("readmission_30d_pregnancy", pregnancy[0] / pregnancy[1])


def test_readmission_timing():
    days = revisits.READMISSION_DAY_WEIGHTS
    assert len(days) == 30 and sum(days) == pytest.approx(1)
    in_range("readmission_within_7d_share", sum(days[:7]))
    in_range("readmission_7d", targets.target("readmission_30d").value * sum(days[:7]))
    assert days.index(max(days)) in (1, 2, 3)  # peaks a few days after discharge
    assert all(a >= b for a, b in zip(days[3:], days[4:], strict=False))  # then declines


def test_stays_per_patient_year():
    shares = dict(revisits.STAYS_PER_PATIENT_YEAR)
    assert sum(shares.values()) == pytest.approx(1)
    in_range("super_utilizer_share", shares["4+"])
    mean = shares["1"] + 2 * shares["2"] + 3 * shares["3"] + revisits.MEAN_STAYS_OF_SUPER_UTILIZERS * shares["4+"]
    in_range("stays_per_patient_year", mean)


def test_births():
    assert births.newborn_code("vaginal", 1) == "Z38.00"
    assert births.newborn_code("cesarean", 1) == "Z38.01"
    assert {diagnoses.by_code(births.newborn_code(m, n)).newborn for m in ("vaginal", "cesarean") for n in (1, 2)} == {
        "vaginal",
        "cesarean",
    }
    with pytest.raises(KeyError):
        births.newborn_code("forceps", 1)
    in_range("cesarean_share", births.CESAREAN_SHARE)
    in_range("preterm_share", births.PRETERM_SHARE)
    in_range("twin_births_per_birth", births.TWIN_BIRTHS_PER_DELIVERY)
    newborns = [d for d in CATALOGUE if d.newborn]
    total = sum(d.stays for d in newborns)
    in_range("nicu_admission_share", sum(d.stays * d.icu_first for d in newborns) / total)
    twins = sum(d.stays for d in newborns if d.code in ("Z38.30", "Z38.31")) / total
    assert twins == pytest.approx(births.TWIN_BIRTHS_PER_DELIVERY, rel=0.1)
    twin_cs = diagnoses.by_code("Z38.31").stays / (
        diagnoses.by_code("Z38.30").stays + diagnoses.by_code("Z38.31").stays
    )
    assert twin_cs == pytest.approx(births.TWIN_CESAREAN_SHARE, abs=0.03)
    assert diagnoses.by_code("Z38.01").los_mean > diagnoses.by_code("Z38.00").los_mean


def test_revisit_drivers():
    assert len(revisits.REVISIT_PROPENSITY_BY_AGE) == len(ages.AGE_BANDS)
    assert revisits.REVISIT_PROPENSITY_BY_AGE[4] > revisits.REVISIT_PROPENSITY_BY_AGE[1]
    assert 0 < revisits.REPEAT_CATEGORY_SHARE < 1
