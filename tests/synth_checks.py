"""Independent checks of generated raw files: read the CSVs back and verify every consistency rule.

Used by the generate tests; computes everything from the files (not from the generator's internals), so a
bug in the generator and the same bug in its fidelity accumulator cannot cancel out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv

from hospital_analytics.layout import OutputLayout
from hospital_analytics.schema import column_names
from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.model import get_model
from hospital_analytics.synth.tables import arrow_schema

PEDIATRIC = set(dist.PEDIATRIC_SPECIALTIES)


def read_raw(root: Path) -> dict[str, pd.DataFrame]:
    """The four raw CSVs as DataFrames (dates as datetime64, charges as float)."""
    layout = OutputLayout(root)
    frames = {}
    for table in ("patients", "doctors", "hospitalizations", "admissions_by_month"):
        schema = arrow_schema(table)
        types = {f.name: f.type for f in schema}
        data = pacsv.read_csv(layout.csv(table), convert_options=pacsv.ConvertOptions(column_types=types))
        frame = data.to_pandas(date_as_object=False)
        if "total_charges" in frame:
            frame["total_charges"] = frame["total_charges"].astype(float)
        frames[table] = frame
    return frames


def calendar_age(birth: pd.Series, on: pd.Series) -> np.ndarray:
    """Completed years between two datetime columns (birthday-based)."""
    before = (on.dt.month * 32 + on.dt.day) < (birth.dt.month * 32 + birth.dt.day)
    return (on.dt.year - birth.dt.year - before.astype(int)).to_numpy()


def stays_with_patients(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Stays joined to their patient and doctor, with age at admission and the next stay of the patient."""
    stays = frames["hospitalizations"].merge(frames["patients"], on="patient_id", how="left", validate="m:1")
    stays = stays.merge(frames["doctors"][["doctor_id", "specialty"]], on="doctor_id", how="left", validate="m:1")
    stays["age"] = calendar_age(stays["birth_date"], stays["admission_date"])
    stays["age_days"] = (stays["admission_date"] - stays["birth_date"]).dt.days
    stays = stays.sort_values(["patient_id", "admission_date"], kind="stable").reset_index(drop=True)
    same = stays["patient_id"].shift(-1) == stays["patient_id"]
    stays["next_admission"] = stays["admission_date"].shift(-1).where(same)
    days = (stays["next_admission"] - stays["discharge_date"]).dt.days
    stays["days_to_next"] = days
    stays["readmitted"] = days.between(1, 30)
    return stays


def check_invariants(
    root: Path, patients: int, doctors: int, stays_count: int, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Assert every consistency rule of the contract on the files under ``root``; return the joined stays."""
    layout = OutputLayout(root)
    frames = read_raw(root)
    for table, frame in frames.items():
        assert list(frame.columns) == column_names(table), table
        raw = layout.csv(table).read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n"), f"{table}: lines must end with \\n"
        raw.decode("utf-8")
    p, d, h = frames["patients"], frames["doctors"], frames["hospitalizations"]

    # counts and ids
    assert (len(p), len(d), len(h)) == (patients, doctors, stays_count)
    for frame, column in ((p, "patient_id"), (d, "doctor_id"), (h, "hospitalization_id")):
        assert frame[column].tolist() == list(range(1, len(frame) + 1)), column
    assert h["patient_id"].isin(p["patient_id"]).all() and h["doctor_id"].isin(d["doctor_id"]).all()
    assert h["admission_date"].is_monotonic_increasing, "hospitalization_id must follow admission order"

    # categorical values
    assert set(p["gender"]) <= {"F", "M"} and set(d["gender"]) <= {"F", "M"}
    assert set(p["insurance"]) <= set(dist.INSURANCE)
    assert set(h["admission_type"]) <= set(dist.ADMISSION_TYPES)
    assert set(h["stay_type"]) <= set(dist.STAY_TYPES)
    assert set(h["discharge_disposition"]) <= set(dist.DISPOSITIONS)
    assert p[["first_name", "last_name", "city"]].notna().all().all()
    assert (h["total_charges"] > 0).all()
    charges_text = pd.read_csv(layout.csv("hospitalizations"), usecols=["total_charges"], dtype=str)["total_charges"]
    assert charges_text.str.fullmatch(r"\d+\.\d{2}").all(), "charges have exactly two decimals"
    dates_text = pd.read_csv(layout.csv("hospitalizations"), usecols=["admission_date"], dtype=str)["admission_date"]
    assert dates_text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()

    # time: inside the window, after birth, discharge >= admission, length = difference
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    assert h["admission_date"].between(start_ts, end_ts).all()
    assert (h["discharge_date"] >= h["admission_date"]).all()
    assert ((h["discharge_date"] - h["admission_date"]).dt.days == h["length_of_stay_days"]).all()
    assert (p["birth_date"] <= end_ts).all()

    s = stays_with_patients(frames)
    assert (s["admission_date"] >= s["birth_date"]).all(), "a stay before birth"
    assert (s["days_to_next"].dropna() >= 1).all(), "a patient's stays overlap"
    assert (s["age"] >= 0).all() and (s["age"] <= dist.MAX_AGE).all()

    # diagnoses fit the patient
    model = get_model()
    catalogue = {dx.code: dx for dx in dist.CATALOGUE}
    assert set(s["diagnosis_code"]) <= set(catalogue)
    liveborn = s["diagnosis_code"] == dist.LIVEBORN_CODE
    assert (s.loc[liveborn, "age_days"] == 0).all(), "liveborn only on the birth date"
    assert ((s["admission_type"] == "Newborn") == liveborn).all()
    first_stay = ~s["patient_id"].duplicated()
    assert first_stay[liveborn].all(), "the birth stay is the patient's first"
    for code, rows in s.groupby("diagnosis_code"):
        dx = catalogue[code]
        assert rows["age"].between(*dx.ages).all(), (
            f"{code} outside ages {dx.ages}: "
            + rows.loc[
                ~rows["age"].between(*dx.ages), ["patient_id", "birth_date", "admission_date", "age"]
            ].to_string()
        )
        if dx.days is not None:
            assert rows["age_days"].between(*dx.days).all(), f"{code} outside days {dx.days}"
        if dx.sex is not None:
            assert (rows["gender"] == dx.sex).all(), f"{code} for the wrong sex"
        assert set(rows["diagnosis_description"]) == {dx.description}
        assert set(rows["diagnosis_category"]) == {dx.category}
    maternal = s["diagnosis_code"].str.startswith("O")
    assert (s.loc[maternal, "gender"] == "F").all() and s.loc[maternal, "age"].between(15, 49).all()
    assert (s.loc[maternal, "stay_type"] == "Maternal/Neonatal").all()
    deliveries = s[s["diagnosis_code"].isin([dx.code for dx in dist.CATALOGUE if dx.delivery])]
    spacing = deliveries.groupby("patient_id")["admission_date"].diff().dt.days.dropna()
    assert (spacing >= dist.DELIVERY_SPACING_DAYS).all(), "two deliveries too close"

    # doctors fit: paediatrics for children (pregnancy: OB-GYN), specialty in the diagnosis' list
    # (a roster too small to staff a specialty falls back to general medicine: the rules need it staffed)
    child = s["age"] < 18
    staffed = set(frames["doctors"]["specialty"])
    if staffed & PEDIATRIC:
        assert s.loc[child & ~maternal, "specialty"].isin(PEDIATRIC).all(), "a child without a paediatric doctor"
    if "Obstetrics & Gynecology" in staffed:
        assert (s.loc[maternal, "specialty"] == "Obstetrics & Gynecology").all()
    if doctors >= len(dist.SPECIALTIES):  # every specialty staffed: every stay has a fitting one
        specialty_index = {name: i for i, name in enumerate(model.specialties)}
        diag = s["diagnosis_code"].map({c: i for i, c in enumerate(model.codes)}).to_numpy()
        spec = s["specialty"].map(specialty_index).to_numpy()
        fits = model.specialty_weight[diag, child.to_numpy().astype(int), spec] > 0
        assert fits.all(), "a doctor's specialty does not fit the diagnosis"

    # a patient who died has no later stay
    died = s["discharge_disposition"] == "Died"
    assert s.loc[died, "next_admission"].isna().all(), "a stay after death"

    # the aggregate agrees exactly with the raw rows
    month = h["admission_date"].dt.strftime("%Y-%m")
    expected = (
        h.assign(month=month)
        .groupby("month")
        .agg(
            admissions=("hospitalization_id", "size"),
            distinct_patients=("patient_id", "nunique"),
            total_length_of_stay_days=("length_of_stay_days", "sum"),
        )
        .reset_index()
    )
    expected["average_length_of_stay_days"] = (expected["total_length_of_stay_days"] / expected["admissions"]).round(2)
    got = frames["admissions_by_month"]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    return s
