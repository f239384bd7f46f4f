"""The doctors: specialties in AAMC proportions, and who attends which stay.

With at least one doctor per specialty available, every specialty is staffed (so every diagnosis finds a
fitting doctor) and the rest follow the AAMC 2022 counts. A stay's specialty is drawn from its diagnosis'
list (children: paediatrics/neonatology; pregnancy: OB-GYN at any age), restricted to the specialties on
the roster; a tiny roster falls back to internal/family medicine (or paediatrics), then to anyone. Within
a specialty, doctors carry gamma-distributed workloads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hospital_analytics.synth import distributions as dist
from hospital_analytics.synth.model import Model
from hospital_analytics.synth.sampling import Categorical


@dataclass(frozen=True)
class Roster:
    specialty: np.ndarray  # int8 per doctor, index into dist.SPECIALTIES
    female: np.ndarray  # bool per doctor
    specialty_sampler: Categorical  # rows: diagnosis * 2 + child; columns: specialty of the stay
    doctor_sampler: Categorical  # rows: specialty; columns: slot of a doctor of it (by workload)
    doctors_by_specialty: np.ndarray  # (S, max doctors per specialty): doctor index (-1 = none)
    allowed: np.ndarray  # (D diagnoses, 2, S) bool: the specialty fits the diagnosis

    @property
    def size(self) -> int:
        return len(self.specialty)

    def assign(
        self, rng: np.random.Generator, diagnosis: np.ndarray, child: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(doctor index, specialty index) per stay."""
        rows = diagnosis.astype(np.int64) * 2 + child
        specialty = self.specialty_sampler.sample(rows, rng.random(len(rows)))
        slot = self.doctor_sampler.sample(specialty, rng.random(len(rows)))
        return self.doctors_by_specialty[specialty, slot], specialty


def _specialties(rng: np.random.Generator, n: int) -> np.ndarray:
    specs = dist.SPECIALTIES
    counts = np.array([s.physicians for s in specs], dtype=float)
    if n >= len(specs):
        extra = rng.choice(len(specs), n - len(specs), p=counts / counts.sum())
        chosen = np.concatenate([np.arange(len(specs)), extra])
        return rng.permutation(chosen).astype(np.int8)
    # Fewer doctors than specialties: the largest attending specialties first.
    attending = [i for i in np.argsort(-counts, kind="stable") if specs[i].attends]
    return rng.permutation(np.array(attending[:n])).astype(np.int8)


def build_roster(rng: np.random.Generator, n: int, model: Model) -> Roster:
    specs = dist.SPECIALTIES
    specialty = _specialties(rng, n)
    female = rng.random(n) < np.array([s.female for s in specs])[specialty]
    workload = rng.gamma(dist.DOCTOR_WORKLOAD_SHAPE, 1.0, n)

    present = np.bincount(specialty, minlength=len(specs)) > 0
    attending = np.array([s.attends for s in specs])
    names = [s.name for s in specs]
    weights = model.specialty_weight * present  # (D, 2, S)
    allowed = model.specialty_weight > 0
    for child, fallback in ((0, dist.FALLBACK_ADULT), (1, dist.FALLBACK_CHILD)):
        backup = np.zeros(len(specs))
        backup[[names.index(name) for name in fallback]] = 1.0
        backup *= present
        if backup.sum() == 0:
            backup = (present & attending).astype(float)
        if backup.sum() == 0:
            backup = present.astype(float)
        empty = weights[:, child, :].sum(axis=1) == 0
        weights[empty, child, :] = backup
    specialty_sampler = Categorical(weights.reshape(-1, len(specs)))

    per_specialty = np.bincount(specialty, minlength=len(specs))
    width = max(1, int(per_specialty.max()))
    doctors = np.full((len(specs), width), -1, dtype=np.int64)
    loads = np.zeros((len(specs), width))
    order = np.argsort(specialty, kind="stable")
    starts = np.concatenate([[0], np.cumsum(per_specialty)[:-1]])
    slots = np.arange(n) - starts[specialty[order]]
    doctors[specialty[order], slots] = order
    loads[specialty[order], slots] = workload[order]
    loads[per_specialty == 0, 0] = 1.0  # never drawn: keeps every row a valid distribution
    return Roster(specialty, female, specialty_sampler, Categorical(loads), doctors, allowed)
