"""Calibration at 100k stays: generated figures held to CALIBRATION.md's targets, computed from the CSVs.

Tolerances = the published range widened by a stated model tolerance. At 100k stays sampling error is
small next to them: a share p has a standard error sqrt(p(1-p)/n) <= 0.16 percentage points, the mean
length of stay about 0.02 days; heart failure (~3,000 stays) has seasonal shares within ~0.8 pp. The model
tolerances cover what the generator does not model exactly: patients age during the window (age mix
+-1.5 pp), stays are drawn from a 65-code catalogue rather than thousands (stay-type mix +-2 pp), and so on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth import generate
from synth_checks import check_invariants

N_STAYS = 100_000


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("calibration")
    result = generate(output_dir=root, patients=50_000, doctors=1_000, hospitalizations=N_STAYS, seed=20240101)
    stays = check_invariants(root, 50_000, 1_000, N_STAYS, result.start, result.end)
    return result, stays


def test_every_fidelity_row_is_on_target(run):
    result, _ = run
    misses = [(r.quantity, r.generated, r.allowed) for r in result.fidelity if r.passed is not True]
    assert not misses
    assert len(result.fidelity) == 37


def test_length_of_stay_mean_median_and_skew(run):
    _, s = run
    los = s["length_of_stay_days"]
    assert 4.4 <= los.mean() <= 4.9  # HCUP 4.5-4.8 d, +-0.1 model tolerance
    assert los.median() == 3  # right-skewed: median ~3 d, well below the mean
    assert los.skew() > 2 and los.quantile(0.99) >= 20  # a long tail, not a bell


def test_older_patients_stay_longer(run):
    _, s = run
    band = {
        (lo, hi): s.loc[s["age"].between(lo, hi), "length_of_stay_days"].mean()
        for lo, hi in ((45, 54), (55, 64), (65, 74))
    }
    for (lo, hi), target in zip(band, (4.8, 5.2, 5.4)):  # HCUP SB #79, +-0.4 d
        assert abs(band[(lo, hi)] - target) <= 0.4, (lo, hi, band[(lo, hi)])
    assert band[(45, 54)] < band[(55, 64)] < band[(65, 74)]
    assert 1.03 <= band[(65, 74)] / band[(45, 54)] <= 1.25  # published ratio 1.125


def test_inpatient_age_mix(run):
    _, s = run
    groups = pd.cut(s["age"], [-1, 0, 17, 44, 64, 84, 200], labels=[g for g, _ in dist.AGE_MIX_TARGET])
    shares = groups.value_counts(normalize=True)
    for group, target in dist.AGE_MIX_TARGET:
        assert abs(shares[group] - target) <= 0.015, (group, shares[group])


def test_stay_type_mix(run):
    _, s = run
    shares = s["stay_type"].value_counts(normalize=True)
    for stay_type, target in dist.STAY_TYPE_TARGET:
        assert abs(shares[stay_type] - target) <= 0.02, (stay_type, shares[stay_type])


def test_thirty_day_readmissions_by_payer_and_pregnancy(run):
    """The contract's definition: the same patient's next admission 1..30 days after discharge."""
    _, s = run
    assert 0.129 <= s["readmitted"].mean() <= 0.152  # 13.9-14.2%
    by_payer = s.groupby("insurance")["readmitted"].mean()
    assert 0.16 <= by_payer["Medicare"] <= 0.19  # 17-18%
    assert 0.071 <= by_payer["Private"] <= 0.101  # 8.6%
    assert by_payer["Medicare"] > by_payer["Medicaid"] > by_payer["Private"]
    pregnancy = s["diagnosis_code"].str.startswith("O")
    assert 0.021 <= s.loc[pregnancy, "readmitted"].mean() <= 0.051  # 3.6%
    days = s.loc[s["readmitted"], "days_to_next"]
    assert days.between(1, 30).all() and days.median() < 15  # readmissions come early


def test_winter_peaks(run):
    _, s = run
    month = s["admission_date"].dt.month
    winter = month.isin([12, 1, 2])
    respiratory = s["diagnosis_code"].isin(["J11.1", "J18.9", "J21.9", "J44.1", "J96.01", "U07.1"])
    flu_pneumonia = s["diagnosis_code"].isin(["J11.1", "J18.9"])
    assert 0.33 <= winter[respiratory].mean() <= 0.50  # flat would be 0.247 (90 of 365 days)
    assert winter[flu_pneumonia].mean() > 0.33
    heart_failure = s["diagnosis_code"] == dist.HEART_FAILURE_CODE
    seasons = month[heart_failure].map(lambda m: {12: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1, 6: 2, 7: 2, 8: 2}.get(m, 3))
    shares = seasons.value_counts(normalize=True).sort_index().to_numpy()
    for share, (_, target) in zip(shares, dist.HEART_FAILURE_SEASONS):  # 27/26/23/24 %, +-2.5 pp (3 SE)
        assert abs(share - target) <= 0.025
    assert shares[0] > shares[2]  # winter > summer
    by_month = s.groupby(month).size()
    assert by_month[[12, 1, 2]].sum() > by_month[[6, 7, 8]].sum()  # the curve fires in the totals too


def test_top_diagnoses_match_hcup_shares(run):
    _, s = run
    shares = s["diagnosis_code"].value_counts(normalize=True)
    for code, millions in dist.TOP_DIAGNOSES:
        target = millions / dist.TOP
        assert abs(shares[code] / target - 1) <= 0.15, (code, shares[code], target)


def test_payer_fits_age_and_charges_exceed_cost(run):
    _, s = run
    seniors = s["age"] >= 65
    assert (s.loc[seniors, "insurance"] == "Medicare").mean() >= 0.90  # "Medicare mostly 65+"
    assert (s.loc[~seniors, "insurance"] == "Medicare").mean() <= 0.12  # disability only under 65
    ratio = s["total_charges"].mean() / dist.MEAN_COST_PER_STAY
    assert 3 <= ratio <= 5  # charges several times the ~$10,400 cost
    by_type = s.groupby("stay_type")["total_charges"].mean()
    assert by_type["Surgical"] > by_type["Medical"] > by_type["Maternal/Neonatal"]


def test_fidelity_table_agrees_with_the_files(run):
    """The accumulator (block by block) and a pandas recount of the CSVs give the same figures."""
    result, s = run
    rows = {r.quantity: r.generated for r in result.fidelity}
    assert rows["mean length of stay"] == pytest.approx(s["length_of_stay_days"].mean())
    assert rows["30-day readmission rate"] == pytest.approx(s["readmitted"].mean())
    assert rows["stays at age 85+"] == pytest.approx((s["age"] >= 85).mean())
    assert rows["diagnosis A41.9 share"] == pytest.approx((s["diagnosis_code"] == "A41.9").mean())
    assert rows["stays whose doctor's specialty fits"] == 1.0
    medicare = s["insurance"] == "Medicare"
    assert rows["readmission rate, Medicare"] == pytest.approx(s.loc[medicare, "readmitted"].mean())
    assert np.isclose(rows["mean charges / mean cost ($10,400)"], s["total_charges"].mean() / 10_400)


def test_doctors_follow_aamc_and_cover_every_specialty(run):
    result, s = run
    doctors = result.tables["doctors"]
    counts = doctors["specialty"].value_counts()
    assert set(counts.index) == {sp.name for sp in dist.SPECIALTIES}
    assert counts["Internal Medicine"] > counts["Pediatrics"] > counts["Cardiology"]
    assert 0.32 <= (doctors["gender"] == "F").mean() <= 0.45
    heart_failure = s["diagnosis_code"] == "I50.9"
    assert (
        s.loc[heart_failure & (s["age"] >= 18), "specialty"]
        .isin(["Cardiology", "Internal Medicine", "Family Medicine"])
        .all()
    )
    delivery = s["diagnosis_code"] == "O80"
    assert (s.loc[delivery, "specialty"] == "Obstetrics & Gynecology").all()
