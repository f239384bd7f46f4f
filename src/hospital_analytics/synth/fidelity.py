"""The fidelity table: each calibrated quantity, its published target, the generated value, pass or fail.

Counts are accumulated block by block (so a 10M-stay run never holds more than a block), then turned into
rows. A row passes when the generated value lies in the allowed range (the published figure widened by a
stated model tolerance) give or take 3 standard errors of the generated figure - so small runs are judged
fairly and large runs strictly. A row with no stays of its kind has no verdict (``passed`` is None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.model import Model
from hospital_analytics.synth.sampling import month_index
from hospital_analytics.synth.seasonality import CURVE_NAMES, SEASONS
from hospital_analytics.synth.staff import Roster
from hospital_analytics.synth.stays import StayBlock, Window

HCUP_180 = "HCUP SB #180"
AGE_EDGES = (0, 1, 18, 45, 65, 85)
LOS_BANDS = ((45, 54, 4.8), (55, 64, 5.2), (65, 74, 5.4))


@dataclass(frozen=True)
class FidelityRow:
    """One calibrated quantity: published target vs generated value."""

    quantity: str
    target: str  # the published figure, as text
    generated: float | None
    low: float  # allowed range: target widened by the model tolerance...
    high: float
    margin: float  # ...give or take 3 standard errors of the generated value
    passed: bool | None
    source: str
    unit: str = ""  # "%", "d", "x" or "" (how to print generated/low/high)

    def show(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        if self.unit == "%":
            return f"{value * 100:.1f}%"
        if self.unit == "d":
            return f"{value:.2f} d"
        if self.unit == "x":
            return f"{value:.2f}x"
        return f"{value:.3f}"

    @property
    def allowed(self) -> str:
        margin = f"{self.margin * 100:.1f}pp" if self.unit == "%" else f"{self.margin:.2f}"
        return f"{self.show(self.low)}..{self.show(self.high)} ±{margin}"

    @property
    def verdict(self) -> str:
        return {True: "ok", False: "MISS", None: "n/a"}[self.passed]


def _row(quantity, target, value, low, high, se, source, unit="") -> FidelityRow:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return FidelityRow(quantity, target, None, low, high, 0.0, None, source, unit)
    margin = 3 * se
    passed = bool(low - margin - 1e-12 <= value <= high + margin + 1e-12)
    return FidelityRow(quantity, target, float(value), low, high, float(margin), passed, source, unit)


def _share(count: float, total: float) -> tuple[float | None, float]:
    if total <= 0:
        return None, 0.0
    p = count / total
    return p, math.sqrt(max(p * (1 - p), 1e-12) / total)


class FidelityAccumulator:
    """Sums over the generated stays, block by block; ``rows()`` makes the table."""

    def __init__(self, model: Model, window: Window, roster: Roster):
        self.model = model
        self.roster = roster
        self.exposure = np.bincount(window.month_of_year(), minlength=12).astype(float)
        n_diag = model.n_diagnoses
        self.stays = 0
        self.los_hist = np.zeros(dist.LOS_MAX_DAYS + 1)
        self.los_band = np.zeros((len(LOS_BANDS), 3))  # count, sum, sum of squares
        self.age_groups = np.zeros(len(AGE_EDGES))
        self.stay_types = np.zeros(len(dist.STAY_TYPES))
        self.readmit = np.zeros((len(dist.INSURANCE), 2))  # stays, readmitted
        self.pregnancy = np.zeros(2)
        self.respiratory_months = np.zeros(12)
        self.heart_failure_months = np.zeros(12)
        self.diagnoses = np.zeros(n_diag)
        self.seniors = np.zeros(2)  # stays at 65+, of which Medicare
        self.charges = np.zeros(2)  # sum, sum of squares (dollars)
        self.fitting = 0
        self.respiratory = model.season == CURVE_NAMES.index("respiratory")
        self.heart_failure = model.index(dist.HEART_FAILURE_CODE)

    def add(self, block: StayBlock, insurance: np.ndarray) -> None:
        """Count one block's stays (``insurance``: the patients' insurance per stay)."""
        model = self.model
        los = block.los.astype(np.int64)
        age = block.age.astype(np.int64)
        self.stays += len(block)
        self.los_hist += np.bincount(los, minlength=dist.LOS_MAX_DAYS + 1)
        for i, (lo, hi, _) in enumerate(LOS_BANDS):
            sel = los[(age >= lo) & (age <= hi)].astype(float)
            self.los_band[i] += (len(sel), sel.sum(), (sel**2).sum())
        self.age_groups += np.bincount(np.searchsorted(AGE_EDGES, age, side="right") - 1, minlength=len(AGE_EDGES))
        self.stay_types += np.bincount(block.stay_type, minlength=len(dist.STAY_TYPES))
        self.readmit[:, 0] += np.bincount(insurance, minlength=len(dist.INSURANCE))
        self.readmit[:, 1] += np.bincount(insurance[block.readmitted], minlength=len(dist.INSURANCE))
        maternal = model.maternal[block.diagnosis]
        self.pregnancy += (maternal.sum(), (maternal & block.readmitted).sum())
        month = month_index(block.admission) % 12
        diagnosis = block.diagnosis.astype(np.int64)
        self.respiratory_months += np.bincount(month[self.respiratory[diagnosis]], minlength=12)
        self.heart_failure_months += np.bincount(month[diagnosis == self.heart_failure], minlength=12)
        self.diagnoses += np.bincount(diagnosis, minlength=model.n_diagnoses)
        senior = age >= 65
        self.seniors += (senior.sum(), (insurance[senior] == dist.INSURANCE.index("Medicare")).sum())
        dollars = block.charges_cents / 100.0
        self.charges += (dollars.sum(), (dollars**2).sum())
        self.fitting += int(self.roster.allowed[diagnosis, (age < 18).astype(np.int64), block.specialty].sum())

    # --- rows -------------------------------------------------------------------------------------------------
    def _season_share(self, months: np.ndarray, season: tuple[int, ...]) -> tuple[float | None, float]:
        """Share of admissions in ``season``, per day of exposure (so windows of part-years compare)."""
        rates = []
        for name, members in SEASONS.items():
            index = [m - 1 for m in members]
            days = self.exposure[index].sum()
            if days == 0:
                return None, 0.0
            rates.append((name, months[index].sum() / days))
        total = sum(rate for _, rate in rates)
        n = months.sum()
        if total == 0 or n == 0:
            return None, 0.0
        index = [m - 1 for m in season]
        p = (months[index].sum() / self.exposure[index].sum()) / total
        return p, math.sqrt(max(p * (1 - p), 1e-12) / n)

    def rows(self) -> list[FidelityRow]:
        n = self.stays
        rows: list[FidelityRow] = []
        los_values = np.arange(len(self.los_hist))
        if n:
            mean = float((self.los_hist * los_values).sum() / n)
            sd = math.sqrt(max(float((self.los_hist * (los_values - mean) ** 2).sum() / n), 1e-12))
            median = float(np.searchsorted(np.cumsum(self.los_hist), (n + 1) / 2))
        else:
            mean, sd, median = float("nan"), 0.0, float("nan")
        se_mean = sd / math.sqrt(max(n, 1))
        rows.append(_row("mean length of stay", "4.5-4.8 d", mean, 4.4, 4.9, se_mean, "HCUP SB #180, #166", "d"))
        rows.append(
            _row(
                "median length of stay",
                "~3 d (assumption)",
                median,
                3.0,
                3.0,
                1.25 * se_mean,
                "Faddy et al. 2009; HCUP",
                "d",
            )
        )
        band_means = []
        for (lo, hi, target), (count, total, squares) in zip(LOS_BANDS, self.los_band):
            value = total / count if count else None
            sd_band = math.sqrt(max(squares / count - value**2, 1e-12)) if count else 0.0
            band_means.append((value, sd_band / math.sqrt(max(count, 1))))
            rows.append(
                _row(
                    f"mean length of stay, age {lo}-{hi}",
                    f"{target} d",
                    value,
                    target - 0.4,
                    target + 0.4,
                    band_means[-1][1],
                    "HCUP SB #79",
                    "d",
                )
            )
        (young, se_young), (old, se_old) = band_means[0], band_means[2]
        if young and old:
            ratio = old / young
            se_ratio = ratio * math.sqrt((se_young / young) ** 2 + (se_old / old) ** 2)
        else:
            ratio, se_ratio = None, 0.0
        rows.append(
            _row(
                "length of stay 65-74 / 45-54",
                "5.4/4.8 = 1.125 (older stay longer)",
                ratio,
                1.03,
                1.25,
                se_ratio,
                "HCUP SB #79",
                "x",
            )
        )
        for (label, target), count in zip(dist.AGE_MIX_TARGET, self.age_groups):
            value, se = _share(count, n)
            rows.append(
                _row(
                    f"stays at age {label}",
                    f"{target:.0%}",
                    value,
                    target - 0.015,
                    target + 0.015,
                    se,
                    "HCUP Facts & Figures 2006",
                    "%",
                )
            )
        for (label, target), count in zip(dist.STAY_TYPE_TARGET, self.stay_types):
            value, se = _share(count, n)
            rows.append(
                _row(f"{label.lower()} stays", f"{target:.1%}", value, target - 0.02, target + 0.02, se, HCUP_180, "%")
            )
        value, se = _share(self.readmit[:, 1].sum(), n)
        rows.append(_row("30-day readmission rate", "13.9-14.2%", value, 0.129, 0.152, se, "HCUP SB #248", "%"))
        medicare = dist.INSURANCE.index("Medicare")
        private = dist.INSURANCE.index("Private")
        value, se = _share(self.readmit[medicare, 1], self.readmit[medicare, 0])
        rows.append(_row("readmission rate, Medicare", "17-18%", value, 0.16, 0.19, se, "HCUP SB #248", "%"))
        value, se = _share(self.readmit[private, 1], self.readmit[private, 0])
        rows.append(_row("readmission rate, private", "8.6%", value, 0.071, 0.101, se, "HCUP SB #248", "%"))
        value, se = _share(self.pregnancy[1], self.pregnancy[0])
        rows.append(_row("readmission rate, pregnancy", "3.6%", value, 0.021, 0.051, se, "HCUP SB #248", "%"))
        value, se = self._season_share(self.respiratory_months, SEASONS["winter"])
        rows.append(
            _row(
                "respiratory admissions in Dec-Feb",
                "peak (flat = 25%; assumption 33-50%)",
                value,
                0.33,
                0.50,
                se,
                "CDC FluView",
                "%",
            )
        )
        for season, target in dist.HEART_FAILURE_SEASONS:
            value, se = self._season_share(self.heart_failure_months, SEASONS[season])
            rows.append(
                _row(
                    f"heart failure admissions in {season}",
                    f"{target:.0%}",
                    value,
                    target - 0.02,
                    target + 0.02,
                    se,
                    "Akintoye et al. 2017",
                    "%",
                )
            )
        for code, millions in dist.TOP_DIAGNOSES:
            target = millions / dist.TOP
            value, se = _share(self.diagnoses[self.model.index(code)], n)
            rows.append(
                _row(
                    f"diagnosis {code} share",
                    f"{target:.2%} ({millions}M of 35.8M)",
                    value,
                    target * 0.85,
                    target * 1.15,
                    se,
                    "HCUP Fast Stats 2017",
                    "%",
                )
            )
        value, se = _share(self.seniors[1], self.seniors[0])
        rows.append(
            _row(
                "Medicare among stays at 65+",
                "mostly (assumption 90-100%)",
                value,
                0.90,
                1.0,
                se,
                "HCUP payer mix",
                "%",
            )
        )
        if n:
            mean_charges = self.charges[0] / n
            sd_charges = math.sqrt(max(self.charges[1] / n - mean_charges**2, 1e-12))
            ratio = mean_charges / dist.MEAN_COST_PER_STAY
            se_ratio = sd_charges / math.sqrt(n) / dist.MEAN_COST_PER_STAY
        else:
            ratio, se_ratio = None, 0.0
        rows.append(
            _row("mean charges / mean cost ($10,400)", "several times (3-5x)", ratio, 3.0, 5.0, se_ratio, HCUP_180, "x")
        )
        value, se = _share(float(self.roster.female.sum()), float(self.roster.size))
        rows.append(_row("women among doctors", "37% (all specialties)", value, 0.32, 0.45, se, "AAMC 2022", "%"))
        value = self.fitting / n if n else None
        rows.append(_row("stays whose doctor's specialty fits", "100%", value, 1.0, 1.0, 0.0, "CALIBRATION.md", "%"))
        return rows
