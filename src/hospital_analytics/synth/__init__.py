"""``generate``: calibrated, deterministic, vectorised hospital data (patients, doctors, stays).

    import hospital_analytics as ha
    result = ha.generate(patients=5_000, doctors=200, hospitalizations=10_000, seed=7)
    result.tables["hospitalizations"].head()     # DataFrames (runs up to FRAMES_LIMIT stays)
    result.fidelity_frame()                      # published target vs generated, pass/fail per row

Pipeline: the patient registry and the stays each patient has (``population``), the doctors (``staff``),
name and place pools from Faker (``people``), stays block by block (``stays``), Arrow tables (``tables``)
streamed to CSV/Parquet under temporary names (``writers``), counts for the fidelity table
(``fidelity``), and ``data/manifest.json`` last.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from hospital_analytics import __version__
from hospital_analytics.config import Settings, resolve_settings
from hospital_analytics.layout import RAW_TABLES
from hospital_analytics.progress import NULL_PROGRESS, Progress
from hospital_analytics.results import StepResult, human_size
from hospital_analytics.synth.fidelity import FidelityAccumulator, FidelityRow
from hospital_analytics.synth.model import get_model
from hospital_analytics.synth.people import build_pools
from hospital_analytics.synth.population import build_population, check_feasible, check_window
from hospital_analytics.synth.sampling import (
    STREAM_BLOCK,
    STREAM_PEOPLE,
    STREAM_POPULATION,
    STREAM_ROSTER,
    day_number,
    month_index,
    rng_for,
)
from hospital_analytics.synth.staff import build_roster
from hospital_analytics.synth.stays import Window, readmission_plan, simulate_block
from hospital_analytics.synth.tables import (
    admissions_by_month_table,
    arrow_schema,
    doctors_table,
    hospitalizations_table,
    patients_table,
    write_schema,
)
from hospital_analytics.synth.writers import (
    open_table,
    prepare_output,
    remove_other_formats,
    staged_raw_files,
    targets,
    write_manifest,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FRAMES_LIMIT", "FidelityRow", "GenerateResult", "generate"]

# Runs up to this many stays also return their tables as DataFrames; larger runs stream to disk only.
FRAMES_LIMIT = 1_000_000
# Patients + stays simulated per block (bounds memory; part of what a seed reproduces, so fixed).
BLOCK_UNITS = 250_000
# Rows per chunk written to the files.
WRITE_ROWS = 500_000
_FORMATS = {"csv": ("csv",), "parquet": ("parquet",), "both": ("csv", "parquet")}


class Tables(Mapping):
    """The raw tables of a run as DataFrames, converted from the written Arrow chunks on first access
    (pandas is imported only then; dates become datetime64, charges float64 - exact cents stay in the files)."""

    def __init__(self, chunks: dict[str, list[pa.Table]] | None = None):
        self._chunks = chunks or {}
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self._frames:
            self._frames[table] = _frame(self._chunks[table])
        return self._frames[table]

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunks)

    def __len__(self) -> int:
        return len(self._chunks)

    def __repr__(self) -> str:
        return f"Tables({', '.join(self._chunks)})"


@dataclasses.dataclass
class GenerateResult(StepResult):
    """What ``generate`` made: files, row counts, timings, the fidelity table and (small runs) DataFrames."""

    output_dir: Path
    seed: int
    start: dt.date
    end: dt.date
    locale: str
    format: str
    rows: dict[str, int]
    files: dict[str, Path]  # "csv/patients" -> path
    sizes: dict[str, int]  # same keys -> bytes
    manifest: Path
    timings: dict[str, float]  # seconds: synthesis, writing, total
    fidelity: list[FidelityRow]
    tables_kept: bool  # False for runs above FRAMES_LIMIT stays: read the files (``frame``)
    tables: Mapping[str, pd.DataFrame] = dataclasses.field(default_factory=Tables, repr=False)

    @property
    def fidelity_passed(self) -> int:
        return sum(1 for row in self.fidelity if row.passed)

    @property
    def fidelity_judged(self) -> int:
        return sum(1 for row in self.fidelity if row.passed is not None)

    def frame(self, table: str) -> pd.DataFrame:
        """A raw table as a DataFrame: kept in memory for small runs, else read from the written files."""
        if table in self.tables:
            return self.tables[table]
        import pandas as pd

        parquet = self.files.get(f"parquet/{table}")
        if parquet is not None:
            return pd.read_parquet(parquet)
        import pyarrow.csv as pacsv

        schema = arrow_schema(table)
        options = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema})
        return pacsv.read_csv(self.files[f"csv/{table}"], convert_options=options).to_pandas()

    def fidelity_frame(self) -> pd.DataFrame:
        """The fidelity table as a DataFrame (one row per calibrated quantity)."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(row) for row in self.fidelity])

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [("output", str(self.output_dir))]
        for key, path in self.files.items():
            table = key.split("/", 1)[1]
            rows.append(
                (
                    f"data/{key}.{'csv' if key.startswith('csv') else 'parquet'}",
                    f"{self.rows[table]:,} rows, {human_size(self.sizes[key])}",
                )
            )
        rows.append(("seed, window", f"{self.seed}, {self.start}..{self.end}"))
        timings = self.timings
        rows.append(("timings", f"synthesis {timings['synthesis']:.2f} s, writing {timings['writing']:.2f} s"))
        rows.append(("fidelity", f"{self.fidelity_passed}/{self.fidelity_judged} calibrated quantities on target"))
        if not self.tables_kept:
            rows.append(("tables", f"not kept in memory above {FRAMES_LIMIT:,} stays; use .frame(name)"))
        return rows


def _frame(chunks: list[pa.Table]) -> pd.DataFrame:
    """DataFrame of written chunks: dates as datetime64, charges as float64 (exact cents stay in the files)."""
    if not chunks:
        import pandas as pd

        return pd.DataFrame()
    table = pa.concat_tables(chunks)
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
        elif pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table.to_pandas(date_as_object=False)


def _blocks(stays: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous patient ranges of about BLOCK_UNITS patients + stays each."""
    units = np.cumsum(stays.astype(np.int64) + 1)
    cuts = np.searchsorted(units, np.arange(BLOCK_UNITS, int(units[-1]), BLOCK_UNITS), side="right")
    edges = np.unique(np.concatenate([[0], cuts, [len(stays)]]))
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


class _Stays:
    """The run's stays as compact columns (about 30 bytes a stay), filled block by block."""

    def __init__(self, n: int):
        self.patient = np.empty(n, np.int32)
        self.admission = np.empty(n, np.int32)
        self.los = np.empty(n, np.int16)
        self.diagnosis = np.empty(n, np.int8)
        self.admission_type = np.empty(n, np.int8)
        self.stay_type = np.empty(n, np.int8)
        self.disposition = np.empty(n, np.int8)
        self.doctor = np.empty(n, np.int32)
        self.cents = np.empty(n, np.int64)
        self.filled = 0

    def put(self, block: Any) -> None:
        a, b = self.filled, self.filled + len(block)
        for name, source in (
            ("patient", block.patient),
            ("admission", block.admission),
            ("los", block.los),
            ("diagnosis", block.diagnosis),
            ("admission_type", block.admission_type),
            ("stay_type", block.stay_type),
            ("disposition", block.disposition),
            ("doctor", block.doctor),
            ("cents", block.charges_cents),
        ):
            getattr(self, name)[a:b] = source
        self.filled = b


class _Months:
    """Admissions, distinct patients and bed days per calendar month, summed over blocks."""

    def __init__(self, window: Window):
        self.first = int(month_index(np.array([window.start]))[0])
        n = int(month_index(np.array([window.end]))[0]) - self.first + 1
        self.admissions = np.zeros(n, np.int64)
        self.patients = np.zeros(n, np.int64)
        self.los = np.zeros(n, np.int64)

    def add(self, block: Any, n_patients: int) -> None:
        month = month_index(block.admission) - self.first
        n = len(self.admissions)
        self.admissions += np.bincount(month, minlength=n)
        self.los += np.bincount(month, weights=block.los.astype(np.float64), minlength=n).astype(np.int64)
        # Stays are patient-major and in time order within a patient, so a (patient, month) pair is new
        # exactly where the patient or the month changes; a patient's stays all sit in one block, so the
        # distinct counts add up across blocks.
        new = np.ones(len(month), dtype=bool)
        new[1:] = (block.patient[1:] != block.patient[:-1]) | (month[1:] != month[:-1])
        self.patients += np.bincount(month[new], minlength=n)


def generate(
    settings: Settings | None = None, *, progress: Progress = NULL_PROGRESS, **overrides: Any
) -> GenerateResult:
    """Generate patients, doctors and hospital stays calibrated to published US inpatient statistics.

    Writes ``data/csv/{patients,doctors,hospitalizations,admissions_by_month}.csv`` (and/or
    ``data/parquet/*.parquet``) and ``data/manifest.json`` under the output folder. The same seed and
    parameters give byte-identical data files.

    Args:
        settings: settings to use (default: from the environment and ``.env``).
        progress: receives "synthesising" and "writing" progress (default: silent).
        **overrides: any ``Settings`` field, e.g. ``patients=5_000, hospitalizations=10_000, seed=7``.

    Returns:
        GenerateResult: paths, row counts, timings, the fidelity table, and the tables as DataFrames for
        runs up to ``FRAMES_LIMIT`` stays (larger runs: ``result.frame(name)`` reads the files).

    Raises:
        ConfigError: an invalid setting, or more stays than the patients can have (exit code 2).
        InputError: the output folder is a file, not writable, or cannot be created (exit code 2).
        GenerateError: writing a file failed (nothing half-written stays under a final name).
    """
    began = time.perf_counter()
    s = resolve_settings(settings, **overrides)
    n_patients, n_doctors, n_stays = s.scaled_counts
    check_window(s.start, s.end)
    window = Window(day_number(s.start), day_number(s.end))
    check_feasible(n_patients, n_stays, window.days)
    formats = _FORMATS[s.format]
    layout = s.layout
    prepare_output(layout, formats)

    # --- synthesis ----------------------------------------------------------------------------------------
    progress.start("synthesising stays", total=n_stays)
    model = get_model()
    pools = build_pools(s.locale, s.seed)
    population = build_population(rng_for(s.seed, STREAM_POPULATION), n_patients, n_stays, window.days, model)
    roster = build_roster(rng_for(s.seed, STREAM_ROSTER), n_doctors, model)
    plan = readmission_plan(population)
    stays = _Stays(n_stays)
    births = np.empty(n_patients, np.int32)
    accumulator = FidelityAccumulator(model, window, roster)
    months = _Months(window)
    for index, (lo, hi) in enumerate(_blocks(population.stays)):
        block = simulate_block(rng_for(s.seed, STREAM_BLOCK, index), model, population, lo, hi, window, plan, roster)
        stays.put(block)
        births[lo:hi] = block.birth
        accumulator.add(block, population.insurance[block.patient])
        months.add(block, n_patients)
        progress.advance("synthesising stays", len(block))
        del block
    progress.finish("synthesising stays")
    people = rng_for(s.seed, STREAM_PEOPLE)
    patient_names = (
        pools.first_name_index(people, population.female),
        pools.last_name_index(people, population.female),
    )
    places = pools.place_index(people, n_patients)
    doctor_names = (pools.first_name_index(people, roster.female), pools.last_name_index(people, roster.female))
    synthesis = time.perf_counter() - began

    # --- writing ----------------------------------------------------------------------------------------------
    writing_began = time.perf_counter()
    keep = n_stays <= FRAMES_LIMIT
    kept: dict[str, list[pa.Table]] = {table: [] for table in RAW_TABLES}
    month_table = admissions_by_month_table(months.first, months.admissions, months.patients, months.los)
    rows = {
        "patients": n_patients,
        "doctors": n_doctors,
        "hospitalizations": n_stays,
        "admissions_by_month": month_table.num_rows,
    }
    progress.start("writing files", total=sum(rows.values()))

    def _open(table: str) -> Any:
        return open_table(write_schema(table), arrow_schema(table), staged(table))

    def emit(table: str, write: Any, chunk: pa.Table) -> None:
        write(chunk)
        if keep:
            kept[table].append(chunk)
        progress.advance("writing files", chunk.num_rows)

    # ids in admission order, ties by patient: the stays are patient-major already, so a stable sort on the
    # day within the window does it (a radix sort when the window fits 16 bits)
    day = stays.admission - window.start
    order = np.argsort(day.astype(np.int16 if window.days < 2**15 else np.int32), kind="stable")
    del day
    # Every format's files go to a private folder that replaces data/<format>/ in one rename once all are
    # written (``writers.staged_raw_files``): a reader sees the previous set or this one, never a mix.
    with staged_raw_files(layout, formats) as staged:
        with _open("hospitalizations") as write:
            for a in range(0, max(n_stays, 1), WRITE_ROWS):
                pick = order[a : a + WRITE_ROWS]
                emit(
                    "hospitalizations",
                    write,
                    hospitalizations_table(
                        a + 1,
                        stays.patient[pick],
                        stays.doctor[pick],
                        stays.admission[pick],
                        stays.los[pick],
                        stays.admission_type[pick],
                        stays.stay_type[pick],
                        stays.diagnosis[pick],
                        stays.disposition[pick],
                        stays.cents[pick],
                        model,
                    ),
                )
        del order
        with _open("patients") as write:
            for a in range(0, n_patients, WRITE_ROWS):
                b = min(a + WRITE_ROWS, n_patients)
                emit(
                    "patients",
                    write,
                    patients_table(
                        a + 1,
                        population.female[a:b],
                        births[a:b],
                        population.insurance[a:b],
                        patient_names[0][a:b],
                        patient_names[1][a:b],
                        places[a:b],
                        pools,
                    ),
                )
        with _open("doctors") as write:
            emit("doctors", write, doctors_table(roster.female, roster.specialty, *doctor_names, pools))
        with _open("admissions_by_month") as write:
            emit("admissions_by_month", write, month_table)
    progress.finish("writing files")
    remove_other_formats(layout, formats)

    files = {f"{fmt}/{table}": path for table in RAW_TABLES for fmt, path in targets(layout, table, formats).items()}
    sizes = {key: path.stat().st_size for key, path in files.items()}
    fidelity = accumulator.rows()
    manifest = {
        "generator": "hospital-analytics",
        "package_version": __version__,
        "seed": s.seed,
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "locale": s.locale,
        "format": s.format,
        "counts": {"patients": n_patients, "doctors": n_doctors, "hospitalizations": n_stays},
        "rows": rows,
        "files": {
            f"{key}.{'csv' if key.startswith('csv') else 'parquet'}": {
                "rows": rows[key.split("/", 1)[1]],
                "bytes": sizes[key],
            }
            for key in files
        },
        "fidelity": {
            "on_target": sum(1 for r in fidelity if r.passed),
            "judged": sum(1 for r in fidelity if r.passed is not None),
        },
        "generated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    write_manifest(layout.manifest, manifest)
    writing = time.perf_counter() - writing_began

    tables = Tables(kept if keep else {})
    total = time.perf_counter() - began
    return GenerateResult(
        step="generate",
        seconds=total,
        output_dir=layout.root,
        seed=s.seed,
        start=s.start,
        end=s.end,
        locale=s.locale,
        format=s.format,
        rows=rows,
        files=files,
        sizes=sizes,
        manifest=layout.manifest,
        timings={"synthesis": round(synthesis, 3), "writing": round(writing, 3), "total": round(total, 3)},
        fidelity=fidelity,
        tables_kept=keep,
        tables=tables,
    )
