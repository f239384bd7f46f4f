"""The fidelity table: every calibration target of ``reference.targets`` that the generated data can show,
its accepted range and the generated value, judged with a sampling margin.

A row passes when the generated value lies in the target's range widened by 3 standard errors of the
generated figure (so small runs are judged fairly and large runs strictly). Rows with nothing to measure
(e.g. no ICU in a one-hospital system of 10 beds) have no verdict (``passed`` is None). Measured on the
window's stays (admitted in the window; closed stays for length of stay, outcomes and charges).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hospital_analytics.simulation import calendar
from hospital_analytics.simulation.casemix import ELECTIVE, casemix
from hospital_analytics.simulation.coverage import MEDICARE, PAYERS
from hospital_analytics.simulation.engine import Engine
from hospital_analytics.simulation.reference import staffing
from hospital_analytics.simulation.reference.targets import TARGETS
from hospital_analytics.simulation.reference.types import Target
from hospital_analytics.simulation.stays import DIED
from hospital_analytics.simulation.tables import Written

_UNITS = {"share": "%", "days": "d", "usd": "$", "weekday": "", "beds": "", "patients": "", "stays": "", "rate": ""}


@dataclass(frozen=True)
class FidelityRow:
    """One calibrated quantity: published target vs generated value."""

    quantity: str
    target: str  # the published figure, as text
    generated: float | None
    low: float  # accepted range ...
    high: float
    margin: float  # ... give or take 3 standard errors of the generated value
    passed: bool | None
    source: str
    unit: str = ""  # "%", "d", "$" or ""

    def show(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        if self.unit == "%":
            return f"{value * 100:.1f}%"
        if self.unit == "d":
            return f"{value:.2f} d"
        if self.unit == "$":
            return f"${value:,.0f}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"

    @property
    def allowed(self) -> str:
        margin = f"{self.margin * 100:.1f}pp" if self.unit == "%" else f"{self.margin:,.2f}"
        return f"{self.show(self.low)}..{self.show(self.high)} ±{margin}"

    @property
    def verdict(self) -> str:
        return {True: "ok", False: "MISS", None: "n/a"}[self.passed]


def _row(t: Target, value: float | None, se: float) -> FidelityRow:
    unit = _UNITS.get(t.unit, "")
    shown = "" if t.value is None else FidelityRow("", "", None, 0, 0, 0, None, "", unit).show(t.value)
    text = f"{shown} ({t.note})" if t.note and len(t.note) < 60 else shown
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return FidelityRow(t.name, text, None, t.low, t.high, 0.0, None, t.source, unit)
    margin = 3 * se
    passed = bool(t.low - margin - 1e-12 <= value <= t.high + margin + 1e-12)
    return FidelityRow(t.name, text, float(value), t.low, t.high, float(margin), passed, t.source, unit)


def _share(hits: np.ndarray | float, total: np.ndarray | float) -> tuple[float | None, float]:
    total = float(np.sum(total))
    if total <= 0:
        return None, 0.0
    p = float(np.sum(hits)) / total
    return p, math.sqrt(max(p * (1 - p), 1e-12) / total)


def _mean(values: np.ndarray) -> tuple[float | None, float]:
    if len(values) == 0:
        return None, 0.0
    values = values.astype(np.float64)
    return float(values.mean()), float(values.std() / math.sqrt(len(values)))


def fidelity_rows(engine: Engine, w: Written) -> list[FidelityRow]:
    """The fidelity table of a run (rows in ``TARGETS`` order; targets nothing measures are left out)."""
    mix = casemix()
    st = engine.stays
    s = w.stays[st["admission_day"][w.stays] >= engine.window_start]
    d = st["diagnosis"][s]  # narrow dtypes throughout: a 10M-stay run measures ~20 columns of its stays
    adm = st["admission_day"][s]
    dis = st["discharge_day"][s]
    closed = dis <= w.end
    los = (dis - adm)[closed]
    age = st["age"][s]
    kind = st["admission_type"][s]
    stay_type = st["stay_type"][s]
    disp = st["disposition"][s][closed]
    dc = d[closed]
    died = disp == DIED
    payer = st["payer"][s]
    female = engine.patients["female"][st["patient"][s]]
    category = mix.category[d]
    cat_closed = mix.category[dc]

    def cat(name: str) -> int:
        return mix.categories.index(name) if name in mix.categories else -1

    hf = cat("Heart failure")
    sepsis = cat("Septicemia")
    ami = cat("Acute myocardial infarction")
    pneumonia = cat("Pneumonia (except that caused by tuberculosis)")
    stroke = np.array([cat("Cerebral infarction"), cat("Hemorrhagic stroke")])
    newborn = mix.newborn[d]
    readmit = _readmissions(engine, s, w.end)
    m: dict[str, Callable[[], tuple[float | None, float]]] = {
        "mean_los_days": lambda: _mean(los),
        "stay_type_medical": lambda: _share(stay_type == 0, len(d)),
        "stay_type_surgical": lambda: _share(stay_type == 1, len(d)),
        "stay_type_maternal_neonatal": lambda: _share(stay_type == 2, len(d)),
        "age_share_under_1": lambda: _share(age < 1, len(age)),
        "age_share_1_17": lambda: _share((age >= 1) & (age <= 17), len(age)),
        "age_share_18_44": lambda: _share((age >= 18) & (age <= 44), len(age)),
        "age_share_45_64": lambda: _share((age >= 45) & (age <= 64), len(age)),
        "age_share_65_84": lambda: _share((age >= 65) & (age <= 84), len(age)),
        "age_share_85_plus": lambda: _share(age >= 85, len(age)),
        "female_share": lambda: _share(female, len(female)),
        "elective_share": lambda: _share(kind == ELECTIVE, len(kind)),
        "mean_charges_usd": lambda: _mean(st["cents"][s][closed] / 100.0),
        "share_liveborn": lambda: _share(newborn, len(d)),
        "share_septicemia": lambda: _share(category == sepsis, len(d)),
        "share_osteoarthritis": lambda: _share(category == cat("Osteoarthritis"), len(d)),
        "share_heart_failure": lambda: _share(category == hf, len(d)),
        "share_copd": lambda: _share(
            category == cat("Chronic obstructive pulmonary disease and bronchiectasis"), len(d)
        ),
        "share_ami": lambda: _share(category == ami, len(d)),
        "share_diabetes_complication": lambda: _share(category == cat("Diabetes mellitus with complication"), len(d)),
        "share_pneumonia": lambda: _share(category == pneumonia, len(d)),
        "share_dysrhythmias": lambda: _share(category == cat("Cardiac dysrhythmias"), len(d)),
        "los_heart_failure_days": lambda: _mean(los[cat_closed == hf]),
        "los_septicemia_days": lambda: _mean(los[cat_closed == sepsis]),
        "in_hospital_mortality": lambda: _share(died, len(died)),
        "mortality_septicemia": lambda: _share(died[cat_closed == sepsis], (cat_closed == sepsis).sum()),
        "mortality_heart_failure": lambda: _share(died[cat_closed == hf], (cat_closed == hf).sum()),
        "mortality_ami": lambda: _share(died[cat_closed == ami], (cat_closed == ami).sum()),
        "mortality_pneumonia": lambda: _share(died[cat_closed == pneumonia], (cat_closed == pneumonia).sum()),
        "mortality_stroke": lambda: _share(died[np.isin(cat_closed, stroke)], np.isin(cat_closed, stroke).sum()),
        "deaths_share_85_plus": lambda: _share((age[closed] >= 85)[died], died.sum()),
        "disposition_home": lambda: _share(disp == 0, len(disp)),
        "disposition_post_acute_facility": lambda: _share((disp == 2) | (disp == 3), len(disp)),
        "disposition_home_health": lambda: _share(disp == 1, len(disp)),
        "disposition_other_acute_hospital": lambda: _share(disp == 4, len(disp)),
        "disposition_against_medical_advice": lambda: _share(disp == 5, len(disp)),
        "post_acute_share_medicare": lambda: _share(
            np.isin(disp, (1, 2, 3))[payer[closed] == MEDICARE], (payer[closed] == MEDICARE).sum()
        ),
        "weekend_admission_share": lambda: _share(calendar.weekday(adm) >= 5, len(adm)),
        "weekend_elective_share": lambda: _share(
            calendar.weekday(adm[kind == ELECTIVE]) >= 5, (kind == ELECTIVE).sum()
        ),
        "weekend_discharge_share": lambda: _share(calendar.weekday(dis[closed]) >= 5, closed.sum()),
        "discharge_peak_weekday": lambda: _weekday(dis[closed], np.argmax),
        "discharge_low_weekday": lambda: _weekday(dis[closed], np.argmin),
        "discharges_before_noon": lambda: _share(
            _weekday_discharge_minute(engine, s, closed, dis) < 720, _n(dis, closed)
        ),
        "discharges_before_3pm": lambda: _share(
            _weekday_discharge_minute(engine, s, closed, dis) < 900, _n(dis, closed)
        ),
        "heart_failure_winter_share": lambda: _season(adm[category == hf], (12, 1, 2)),
        "heart_failure_summer_share": lambda: _season(adm[category == hf], (6, 7, 8)),
        "payer_medicare": lambda: _share(payer == MEDICARE, len(payer)),
        "payer_medicaid": lambda: _share(payer == PAYERS.index("Medicaid"), len(payer)),
        "payer_private": lambda: _share(payer == PAYERS.index("Private"), len(payer)),
        "payer_self_pay": lambda: _share(payer == PAYERS.index("Self-pay"), len(payer)),
        "payer_other": lambda: _share(payer == PAYERS.index("Other"), len(payer)),
        "medicare_share_65_plus": lambda: _share((payer == MEDICARE)[age >= 65], (age >= 65).sum()),
        "readmission_30d": lambda: readmit(None),
        "readmission_30d_medicare": lambda: readmit(payer == MEDICARE),
        "readmission_30d_private": lambda: readmit(payer == PAYERS.index("Private")),
        "readmission_30d_medicaid": lambda: readmit(payer == PAYERS.index("Medicaid")),
        "readmission_30d_pregnancy": lambda: readmit(stay_type == 2),
        "readmission_30d_heart_failure": lambda: readmit(category == hf),
        "readmission_30d_schizophrenia": lambda: readmit(
            category == cat("Schizophrenia spectrum and other psychotic disorders")
        ),
        "readmission_7d": lambda: readmit(None, days=7),
        "cesarean_share": lambda: _births(engine, w, "cesarean"),
        "twin_births_per_birth": lambda: _births(engine, w, "twins"),
        "nicu_admission_share": lambda: _nicu(engine, s, d),
        "occupancy_overall": lambda: _occupancy(engine, None),
        "occupancy_icu": lambda: _occupancy(engine, "ICU"),
        "hospital_beds_max": lambda: (float(engine.system.beds.max()), 0.0),
        "hospitals_under_100_beds": lambda: _hospitals(engine, lambda b: b < 100),
        "hospitals_300_plus_beds": lambda: _hospitals(engine, lambda b: b >= 300),
        "female_physicians": lambda: _share(engine.system.doctor_female, len(engine.system.doctor_female)),
        "stays_per_hospitalist_year": lambda: _per_hospitalist(engine, s),
    }
    rows = []
    for t in TARGETS:
        measure = m.get(t.name)
        if measure is None:
            continue
        value, se = measure()
        rows.append(_row(t, value, se))
    return rows


def _n(dis: np.ndarray, closed: np.ndarray) -> int:
    return int((calendar.weekday(dis[closed]) < 5).sum())


def _weekday_discharge_minute(engine: Engine, s: np.ndarray, closed: np.ndarray, dis: np.ndarray) -> np.ndarray:
    minute = engine.stays["discharge_minute"][s][closed]
    alive = engine.stays["disposition"][s][closed] != DIED
    weekday = calendar.weekday(dis[closed]) < 5
    return np.where(alive & weekday, minute, 10_000)[weekday]


def _weekday(days: np.ndarray, pick: Callable[[np.ndarray], np.intp]) -> tuple[float | None, float]:
    if len(days) < 700:
        return None, 0.0
    return float(pick(np.bincount(calendar.weekday(days), minlength=7))), 0.0


def _season(days: np.ndarray, months: tuple[int, ...]) -> tuple[float | None, float]:
    if len(days) == 0:
        return None, 0.0
    month = calendar.month0(days) + 1
    exposure = np.bincount(calendar.month0(np.arange(days.min(), days.max() + 1)), minlength=12).astype(float)
    rate = np.bincount(month - 1, minlength=12) / np.maximum(exposure, 1)
    index = [x - 1 for x in months]
    p = float(rate[index].sum() / rate.sum()) if rate.sum() else 0.0
    return p, math.sqrt(max(p * (1 - p), 1e-12) / len(days))


def _readmissions(engine: Engine, s: np.ndarray, end: int) -> Callable[..., tuple[float | None, float]]:
    """30-day (or ``days``) readmission of index stays: discharged alive, not newborn, 30 days of follow-up."""
    st = engine.stays
    mix = casemix()
    order = np.lexsort((st["admission_day"], st["patient"]))
    patient = st["patient"][order]
    never = np.int64(np.iinfo(np.int64).max // 2)
    nxt = np.full(len(order), never, dtype=np.int64)
    same = patient[1:] == patient[:-1]
    nxt[:-1] = np.where(same, st["admission_day"][order][1:].astype(np.int64), never)
    following = np.empty(len(order), dtype=np.int64)
    following[order] = nxt
    gap = following[s] - st["discharge_day"][s].astype(np.int64)
    index = (
        (st["disposition"][s] != DIED)
        & ~mix.newborn[st["diagnosis"][s].astype(np.int64)]
        & (st["discharge_day"][s].astype(np.int64) + 30 <= end)
    )

    def rate(mask: np.ndarray | None, days: int = 30) -> tuple[float | None, float]:
        chosen = index if mask is None else index & mask
        return _share((gap <= days)[chosen], chosen.sum())

    return rate


def _births(engine: Engine, w: Written, what: str) -> tuple[float | None, float]:
    b = engine.births
    keep = w.stay_id[b["newborn_stay"]] > 0
    if what == "cesarean":
        first = keep & (b["plurality"] >= 1)
        mothers = np.unique(b["mother_stay"][first], return_index=True)[1]
        return _share(b["cesarean"][first][mothers], len(mothers))
    return _share(b["plurality"][keep] == 2, keep.sum())


def _nicu(engine: Engine, s: np.ndarray, d: np.ndarray) -> tuple[float | None, float]:
    mix = casemix()
    newborn = mix.newborn[d]
    if not newborn.any():
        return None, 0.0
    units = engine.stays["leg_unit"][s][newborn][:, 0]
    codes = np.array(engine.system.unit_code)
    has = np.isin(engine.system.unit_hospital[units], engine.system.unit_hospital[codes == "NICU"])
    if not has.any():
        return None, 0.0
    return _share(codes[units][has] == "NICU", has.sum())


def _occupancy(engine: Engine, code: str | None) -> tuple[float | None, float]:
    if engine.census_days == 0:
        return None, 0.0
    codes = np.array(engine.system.unit_code)
    mask = np.ones(len(codes), dtype=bool) if code is None else codes == code
    if not mask.any():
        return None, 0.0
    beds = engine.system.unit_beds[mask].sum()
    value = float(engine.census_sum[mask].sum() / engine.census_days / beds)
    return value, math.sqrt(max(value * (1 - value), 1e-12) / beds)


def _hospitals(engine: Engine, test: Callable[[np.ndarray], np.ndarray]) -> tuple[float | None, float]:
    beds = engine.system.beds
    if len(beds) < 10:
        return None, 0.0
    return _share(test(beds), len(beds))


def _per_hospitalist(engine: Engine, s: np.ndarray) -> tuple[float | None, float]:
    system = engine.system
    hospitalist = [r.name for r in staffing.ROLES].index("hospitalist")
    doctors = np.flatnonzero(system.doctor_role == hospitalist)
    if len(doctors) == 0 or engine.census_days == 0:
        return None, 0.0
    counts = np.bincount(engine.stays["doctor"][s], minlength=len(system.doctor_role))[doctors]
    years = engine.census_days / 365.25
    value = float(counts.mean() / years)
    return value, float(counts.std() / years / math.sqrt(len(counts)))
