"""The ``generate`` step: settings -> system -> day loop over burn-in and window -> tables -> files + manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from hospital_analytics import __version__
from hospital_analytics.config import Settings, available_cores, resolve_settings
from hospital_analytics.defects.ledger import ledger_path, write_ledger
from hospital_analytics.defects.profiles import Profile
from hospital_analytics.defects.profiles import resolve as resolve_profile
from hospital_analytics.errors import ConfigError
from hospital_analytics.fsutil import replaced_dir, temporary_name
from hospital_analytics.layout import OutputLayout
from hospital_analytics.progress import SILENT, Collector
from hospital_analytics.results import StepResult, human_size
from hospital_analytics.simulation import state
from hospital_analytics.simulation import tables as t
from hospital_analytics.simulation.calendar import day_number
from hospital_analytics.simulation.engine import BURN_IN_DAYS, Engine, expected_revisit_share, simulate
from hospital_analytics.simulation.feed import Shares, discharge_recorded, encounter_events, patient_events
from hospital_analytics.simulation.feed_files import DAY, FEED_TABLES, install, write_partitions
from hospital_analytics.simulation.fidelity import FidelityRow, fidelity_rows
from hospital_analytics.simulation.people import build_pools
from hospital_analytics.simulation.stays import _PROPENSITY, LATER_REVISIT
from hospital_analytics.simulation.system import DAYS_PER_RATE, System, build_system
from hospital_analytics.simulation.writer import (
    TABLES,
    open_table,
    prepare_output,
    remove_other_formats,
    staged_raw_files,
    targets,
    write_manifest,
    write_tables,
)

if TYPE_CHECKING:
    import pandas as pd

    from hospital_analytics.defects.inject import Injector

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
SMALL_RUN_STAYS = 50  # below this many stays in the window, --patients is only a hint (sampling noise rules)
FRAMES_LIMIT = 1_000_000  # runs up to this many stays also return their tables as DataFrames
WRITE_ROWS = 500_000
AUTO_JOBS_STAYS = 2_000_000  # default --jobs: every core from this many stays per 24 months, else one
_FORMATS = {"csv": ("csv",), "parquet": ("parquet",), "both": ("csv", "parquet")}


class Tables(Mapping):
    """The raw tables of a run as DataFrames, converted from the written Arrow tables on first access."""

    def __init__(self, chunks: dict[str, pa.Table] | None = None):
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


def _frame(table: pa.Table) -> pd.DataFrame:
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
        elif pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table.to_pandas(date_as_object=False)


@dataclasses.dataclass
class GenerateResult(StepResult):
    """What ``generate`` made: files, row counts, timings, the fidelity table and (small runs) DataFrames."""

    output_dir: Path
    seed: int
    start: dt.date
    end: dt.date
    locale: str
    format: str
    hospitals: int
    rows: dict[str, int]
    files: dict[str, Path]  # "csv/patients" -> path
    sizes: dict[str, int]
    manifest: Path
    timings: dict[str, float]  # seconds: synthesis, writing (files, fidelity, state), state, total
    fidelity: list[FidelityRow]
    tables_kept: bool
    tables: Mapping[str, pd.DataFrame] = dataclasses.field(default_factory=Tables, repr=False)
    feed: dict[str, Any] = dataclasses.field(default_factory=dict)  # the manifest's feed block
    defects: dict[str, int] = dataclasses.field(default_factory=dict)  # class -> injected (data/defects.csv)
    defects_profile: str = "none"
    raw_text: bool = False  # every file text (defects on): docs/design/defects.md

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

        schema = t.arrow_schema(table)
        types = {f.name: pa.string() if self.raw_text else f.type for f in schema}
        options = pacsv.ConvertOptions(column_types=types, strings_can_be_null=self.raw_text)
        return pacsv.read_csv(self.files[f"csv/{table}"], convert_options=options).to_pandas()

    def fidelity_frame(self) -> pd.DataFrame:
        """The fidelity table as a DataFrame (one row per calibrated quantity)."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(row) for row in self.fidelity])

    def outcome(self) -> str:
        return (
            f"{self.rows.get('hospitalizations', 0):,} stays in {self.hospitals} hospital{'s' if self.hospitals != 1 else ''}, "
            f"{self.fidelity_passed}/{self.fidelity_judged} on target"
        )

    def summary_rows(self) -> list[tuple[str, str]]:
        rows = [("output", str(self.output_dir))]
        for key in self.files:
            table = key.split("/", 1)[1]
            rows.append(
                (
                    f"data/{key}.{'csv' if key.startswith('csv') else 'parquet'}",
                    f"{self.rows[table]:,} rows, {human_size(self.sizes[key])}",
                )
            )
        if self.feed:
            tables = self.feed["tables"]
            counts = ", ".join(f"{name} {v['rows']:,}" for name, v in tables.items())
            days = max(v["partitions"] for v in tables.values())
            rows.append(("data/feed", f"{counts} rows; {days:,} daily partitions each"))
        rows.append(("seed, window", f"{self.seed}, {self.start}..{self.end}"))
        rows.append(("hospitals", f"{self.hospitals}"))
        timings = self.timings
        rows.append(("timings", f"synthesis {timings['synthesis']:.2f} s, writing {timings['writing']:.2f} s"))
        rows.append(("fidelity", f"{self.fidelity_passed}/{self.fidelity_judged} calibrated quantities on target"))
        if self.raw_text:
            rows.append(
                (
                    "defects",
                    f"{sum(self.defects.values()):,} injected ({self.defects_profile}); ground truth in data/defects.csv",
                )
            )
        if not self.tables_kept:
            rows.append(("tables", f"not kept in memory above {FRAMES_LIMIT:,} stays; use .frame(name)"))
        return rows


def _jobs(s: Settings) -> int:
    """Processes for the day loop and threads writing tables: ``jobs`` if set, else every core for runs of at
    least ``AUTO_JOBS_STAYS``, else one. Smaller runs are dominated by the per-day cost every process pays in
    full, and two tables written at once cost ~200 MiB more at 1M stays for no measured gain on a loaded
    machine (docs/design/notes/speed.md)."""
    if s.jobs:
        return s.jobs
    return available_cores() if s.hospitalizations * s.scale >= AUTO_JOBS_STAYS else 1


def system_for(shape: dict[str, Any]) -> System:
    """The system a simulation's shape describes (rebuilt the same from a saved state)."""
    return build_system(int(shape["seed"]), float(shape["stays_per_24_months"]), shape["hospitals"], shape["doctors"])


def later_revisit_for(patients: int, stays: float) -> float:
    """The later-revisit propensity that makes about ``patients`` distinct patients of ``stays`` stays.

    Raises:
        ConfigError: when no propensity within plausible bounds gets there.
    """
    low, high = 0.0, 1.0 / float(_PROPENSITY.max())
    a = expected_revisit_share(0.0)
    b = expected_revisit_share(1.0) - a
    fewest, most = stays * (1 - (a + b * high)), stays * (1 - a)
    if stays >= SMALL_RUN_STAYS and not fewest <= patients <= most:  # tiny runs: the nearest bound, silently
        raise ConfigError(
            f"Invalid --patients / HOSPITAL_PATIENTS (got {patients}): about {stays:,.0f} stays come from "
            f"{fewest:,.0f} to {most:,.0f} distinct patients.",
            "Leave --patients out (patients follow from the stays) or choose a value in that range.",
        )
    return min(high, max(low, ((1 - patients / stays) - a) / b))


def generate(settings: Settings | None = None, *, progress: Collector = SILENT, **overrides: Any) -> GenerateResult:
    """Simulate a health system day by day and write its tables (every table of ``schema.RAW_COLUMNS``).

    Writes ``data/csv/*.csv`` (and/or ``data/parquet/*.parquet``), the daily feed (``data/feed/``), the
    simulation's state (``data/state/``, what ``advance`` continues from) and ``data/manifest.json`` under
    the output folder. ``hospitalizations`` is a rate: about that many admissions per 24 months for the whole
    system. Same seed and settings: byte-identical data files.

    Args:
        settings: settings to use (default: from the environment and ``.env``).
        progress: hears "simulating days" and "writing files" (default: silent).
        **overrides: any ``Settings`` field, e.g. ``hospitalizations=10_000, seed=7, hospitals=3``.

    Returns:
        GenerateResult: paths, row counts, timings, the fidelity table, and the tables as DataFrames for
        runs up to ``FRAMES_LIMIT`` stays.

    Raises:
        ConfigError: an invalid setting (exit code 2).
        InputError: the output folder is a file, not writable, or cannot be created (exit code 2).
        GenerateError: writing a file failed (nothing half-written stays under a final name).
    """
    began = time.perf_counter()
    s = resolve_settings(settings, **overrides)
    given = s.model_fields_set
    scale = s.scale
    stays = s.hospitalizations * scale
    if not (FIRST_DAY <= s.start and s.end <= LAST_DAY):
        raise ConfigError(
            f"Invalid --start/--end: the window {s.start}..{s.end} must lie between {FIRST_DAY} and {LAST_DAY}.",
            "Choose a window within those years (the calendar of federal holidays covers them).",
        )
    first, last = day_number(s.start), day_number(s.end)
    window_stays = stays * (last - first + 1) / DAYS_PER_RATE
    later = LATER_REVISIT
    if "patients" in given:
        later = later_revisit_for(max(1, round(s.patients * scale)), window_stays)
    doctors = max(1, round(s.doctors * scale)) if "doctors" in given else None
    formats = _FORMATS[s.raw_format]
    profile = resolve_profile(s.defects)
    layout = s.layout
    prepare_output(layout, formats)
    folder = state.state_dir(layout.data_dir)
    state.remove(folder)  # written again after the files; absent while they are being replaced

    shape = {
        "seed": s.seed,
        "stays_per_24_months": stays,
        "hospitals": s.hospitals,
        "doctors": doctors,
        "later_revisit": later,
        "start": s.start.isoformat(),
        "locale": s.locale,
        "format": s.raw_format,
        "counts": {
            "patients": max(1, round(s.patients * scale)),
            "doctors": max(1, round(s.doctors * scale)),
            "hospitalizations": max(1, round(stays)),
        },
        "feed": {
            "late_share": s.feed_late_share,
            "correction_share": s.feed_correction_share,
            "cancel_share": s.feed_cancel_share,
        },
    }
    if profile.active:  # none keeps the shape (and the state) exactly as before defects existed
        shape["defects"] = profile.shape()
    system = system_for(shape)
    progress.update("simulating days", 0, total=last - (first - BURN_IN_DAYS) + 1)
    engine = simulate(
        s.seed, system, first, last, later_revisit=later, jobs=_jobs(s),
        on_days=lambda done: progress.update("simulating days", done),
    )  # fmt: skip
    return write_run(engine, shape, layout, progress=progress, began=began, feed_after=None, jobs=_jobs(s))


def run_days(engine: Engine, last: int, progress: Collector) -> None:
    """Run the engine to ``last``, telling ``progress`` about "simulating days"."""
    progress.update("simulating days", 0, total=last - engine.day + 1)
    step = 30
    while engine.day <= last:
        until = min(last, engine.day + step - 1)
        done = until - engine.day + 1
        engine.run(until)
        progress.update("simulating days", done)


def write_run(
    engine: Engine,
    shape: dict[str, Any],
    layout: OutputLayout,
    *,
    progress: Collector,
    began: float,
    feed_after: int | None,
    jobs: int = 1,
) -> GenerateResult:
    """Write everything as of the engine's last simulated day: the snapshot tables, the feed, fidelity, the
    state and the manifest (``generate`` and ``advance`` alike).

    ``feed_after``: None writes every feed partition (a new ``data/feed``); a day number writes only the
    partitions after it and leaves the earlier ones as they are (``advance``). ``jobs``: tables written at
    once (threads; the bytes never depend on it).
    """
    last = engine.day - 1
    start, end = dt.date.fromisoformat(shape["start"]), dt.date(1970, 1, 1) + dt.timedelta(days=last)
    seed, locale, raw_format = int(shape["seed"]), str(shape["locale"]), str(shape["format"])
    formats = _FORMATS[raw_format]
    shares = Shares(
        late=float(shape["feed"]["late_share"]),
        correction=float(shape["feed"]["correction_share"]),
        cancel=float(shape["feed"]["cancel_share"]),
    )
    system = engine.system
    written = t.select(engine, last)
    pools = build_pools(locale, seed)
    places = t.Places(engine)
    profile = Profile.from_shape(shape)
    injector = _injector(engine, written, shares, profile) if profile.active else None
    synthesis = time.perf_counter() - began

    writing_began = time.perf_counter()

    def movements() -> Iterator[pa.Table]:
        first = 1
        for part in written.chunks(WRITE_ROWS, "stays"):
            part.first_movement = first
            first += t.movements_of(engine, part)
            yield t.bed_movements_table(engine, part)

    builders: dict[str, Callable[[], Iterator[pa.Table]]] = {
        "patients": lambda: (
            t.patients_table(engine, w, pools, places) for w in written.chunks(WRITE_ROWS, "patients")
        ),
        "doctors": lambda: iter([t.doctors_table(engine, pools)]),
        "hospitalizations": lambda: (t.hospitalizations_table(engine, w) for w in written.chunks(WRITE_ROWS, "stays")),
        "admissions_by_month": lambda: iter([t.admissions_by_month_table(engine, written)]),
        "hospitals": lambda: iter([t.hospitals_table(engine)]),
        "units": lambda: iter([t.units_table(engine)]),
        "bed_movements": movements,
        "coverage_history": lambda: (t.coverage_table(engine, w) for w in written.chunks(WRITE_ROWS, "patients")),
        "births": lambda: iter([t.births_table(engine, written)]),
        "capacity_events": lambda: iter([t.capacity_events_table(engine, written)]),
    }

    def schemas(table: str) -> tuple[pa.Schema, pa.Schema]:
        if injector is not None:  # every table as text, with its defects (docs/design/defects.md)
            return injector.schema(table), injector.schema(table)
        return t.write_schema(table), t.arrow_schema(table)

    if injector is not None:
        builders = {name: _injected(injector, name, build) for name, build in builders.items()}
    keep = len(written.stays) <= FRAMES_LIMIT
    progress.update("writing files", 0, total=len(TABLES) + len(FEED_TABLES))
    first_day = engine.window_start
    feed_first = first_day if feed_after is None else feed_after + 1
    feed_rows: dict[str, int] = {}
    # Every format's files go to a private folder that replaces data/<format>/ in one rename once all are
    # written (``writer.staged_raw_files``): a reader sees the previous set or this one, never a mix. The feed
    # goes to a private folder too: all of data/feed (generate) or the new days' partitions (advance).
    feed_root = layout.data_dir / "feed"
    with contextlib.ExitStack() as stack:
        feed_new = stack.enter_context(replaced_dir(feed_root) if feed_after is None else _scratch(feed_root))
        with staged_raw_files(layout, formats) as staged:
            rows, kept = write_tables(
                TABLES, builders, schemas, staged, WRITE_ROWS, keep, jobs=jobs,
                done=lambda: progress.update("writing files", 1), opener=open_table,
            )  # fmt: skip
            for table in FEED_TABLES:
                events = (
                    encounter_events(engine, written, shares)
                    if table == "encounter_events"
                    else patient_events(engine, written, shares, places)
                )
                if injector is not None:
                    events = injector.feed(events, (last + 1) * DAY)
                feed_rows[table] = len(events)
                text = {"schemas": schemas(table)} if injector is not None else {}  # none: the call as before
                write_partitions(feed_new, events, feed_first, last, formats, **text)
                del events
                progress.update("writing files", 1)
        write_ledger(ledger_path(layout.data_dir), injector.rows() if injector is not None else [])
        if feed_after is not None:
            install(feed_new, feed_root, first_day, last)
    remove_other_formats(layout, formats)
    fidelity = fidelity_rows(engine, written)
    saving = time.perf_counter()
    state.save(engine, state.state_dir(layout.data_dir), shape)
    saving = time.perf_counter() - saving

    files = {f"{fmt}/{table}": path for table in TABLES for fmt, path in targets(layout, table, formats).items()}
    sizes = {key: path.stat().st_size for key, path in files.items()}
    partitions = last - first_day + 1
    counts = injector.counts() if injector is not None else dict.fromkeys(profile.rates, 0)
    feed = {
        "first_day": start.isoformat(),
        "last_day": end.isoformat(),
        "tables": {table: {"partitions": partitions, "rows": feed_rows[table]} for table in FEED_TABLES},
        **shape["feed"],
    }
    manifest = {
        "generator": "hospital-analytics",
        "engine": "simulation (day by day)",
        "package_version": __version__,
        "seed": seed,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "locale": locale,
        "format": raw_format,
        "hospitals": system.hospitals,
        "counts": shape["counts"],
        "rows": rows,
        "files": {
            f"{key}.{'csv' if key.startswith('csv') else 'parquet'}": {
                "rows": rows[key.split("/", 1)[1]],
                "bytes": sizes[key],
            }
            for key in files
        },
        "feed": feed,
        "raw_text": injector is not None,
        "defects": {"profile": profile.name, "rates": profile.rates, "counts": counts},
        "fidelity": {
            "on_target": sum(1 for r in fidelity if r.passed),
            "judged": sum(1 for r in fidelity if r.passed is not None),
            "rows": [dataclasses.asdict(r) for r in fidelity],
        },
        "generated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    write_manifest(layout.manifest, manifest)
    writing = time.perf_counter() - writing_began
    total = time.perf_counter() - began
    return GenerateResult(
        step="generate",
        seconds=total,
        output_dir=layout.root,
        seed=seed,
        start=start,
        end=end,
        locale=locale,
        format=raw_format,
        hospitals=system.hospitals,
        rows=rows,
        files=files,
        sizes=sizes,
        manifest=layout.manifest,
        timings={
            "synthesis": round(synthesis, 3),
            "writing": round(writing, 3),
            "state": round(saving, 3),
            "total": round(total, 3),
        },
        fidelity=fidelity,
        tables_kept=keep,
        tables=Tables(kept if keep else {}),
        feed=feed,
        defects=counts,
        defects_profile=profile.name,
        raw_text=injector is not None,
    )


def _injector(engine: Engine, written: t.Written, shares: Shares, profile: Profile) -> Injector:
    from hospital_analytics.defects.inject import Context, Injector  # imports simulation modules: not at the top

    last = engine.day - 1
    context = Context(
        seed=engine.seed,
        profile=profile,
        last_day=last,
        first_second=engine.window_start * DAY,
        patients=len(written.patients),
        doctors=len(engine.system.doctor_hospital),
        discharge_recorded=discharge_recorded(engine, written, shares),
    )
    return Injector(context)


def _injected(
    injector: Injector, table: str, build: Callable[[], Iterator[pa.Table]]
) -> Callable[[], Iterator[pa.Table]]:
    return lambda: injector.snapshot(table, build())


@contextlib.contextmanager
def _scratch(final: Path) -> Iterator[Path]:
    """A private folder beside ``final`` for new partitions, removed however the block ends."""
    folder = temporary_name(final, "new")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
