"""Consistency rules hold on the written files across sizes, windows, locales and seeds (property checks).

Each case generates a small run (well under a second of synthesis) and checks every rule of the contract
with ``synth_checks.check_invariants``, reading the CSVs back independently of the generator.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_analytics.synth import generate
from synth_checks import check_invariants

CASES = [
    # (patients, doctors, stays, start, end, locale, seed): what each case stresses
    pytest.param(500, 100, 1000, None, None, "en_US", 42, id="defaults"),
    pytest.param(1, 1, 3, None, None, "en_US", 1, id="one-patient-one-doctor"),
    pytest.param(3, 2, 9, "2024-03-01", "2024-03-31", "en_US", 2, id="31-day-window-at-the-cap"),
    pytest.param(200, 30, 500, "2025-02-01", "2025-03-31", "en_US", 3, id="short-window-compression"),
    pytest.param(40, 25, 2000, None, None, "en_US", 4, id="50-stays-per-patient"),
    pytest.param(5000, 40, 100, None, None, "en_US", 5, id="big-registry-few-stays"),
    pytest.param(800, 60, 2500, "2023-07-15", "2024-02-29", "de_DE", 6, id="leap-day-end-de_DE"),
    pytest.param(600, 50, 1500, None, None, "ja_JP", 7, id="ja_JP"),
    pytest.param(3000, 200, 8000, "2020-01-01", "2024-12-31", "en_GB", 8, id="five-years-en_GB"),
]


@pytest.mark.parametrize(("patients", "doctors", "stays", "start", "end", "locale", "seed"), CASES)
def test_every_consistency_rule_holds(tmp_path, patients, doctors, stays, start, end, locale, seed):
    result = generate(
        output_dir=tmp_path / "out",
        patients=patients,
        doctors=doctors,
        hospitalizations=stays,
        start=start,
        end=end,
        locale=locale,
        seed=seed,
    )
    assert result.rows["hospitalizations"] == stays
    check_invariants(tmp_path / "out", patients, doctors, stays, result.start, result.end)


def test_default_window_is_fixed_not_today(tmp_path):
    result = generate(output_dir=tmp_path)
    assert (result.start, result.end) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))


def test_scale_multiplies_every_count(tmp_path):
    result = generate(output_dir=tmp_path, patients=100, doctors=20, hospitalizations=200, scale=2.5)
    assert result.rows | {"admissions_by_month": 0} == {
        "patients": 250,
        "doctors": 50,
        "hospitalizations": 500,
        "admissions_by_month": 0,
    }


def test_patients_without_stays_are_in_the_registry(tmp_path):
    generate(output_dir=tmp_path, patients=2000, doctors=20, hospitalizations=300)
    import pandas as pd

    stays = pd.read_csv(tmp_path / "data/csv/hospitalizations.csv")
    patients = pd.read_csv(tmp_path / "data/csv/patients.csv")
    assert len(patients) == 2000 and stays["patient_id"].nunique() < 2000
