"""The ``hospital`` command: thin typer commands over the library; the only module importing typer/rich.

Each command builds ``Settings`` from its flags (flags win over ``HOSPITAL_*`` variables and ``.env``),
calls one library function inside ``_step`` (which turns ``HospitalError`` into one red line, a hint and
an exit code), and prints the result's summary, or its JSON with ``--json``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup, TyperOption

from hospital_analytics import __version__
from hospital_analytics.config import Settings, load_settings
from hospital_analytics.errors import ConfigError, HospitalError, TransformError
from hospital_analytics.progress import Collector
from hospital_analytics.results import StepResult
from hospital_analytics.steps import STEPS

COMMAND_ORDER = ("init", "run-all", "daily", *STEPS, "docs")

# The flag that sets each setting (named in error messages beside its environment variable); the rest are
# set by environment variable or .env only.
FLAGS = {
    "output_dir": "--out",
    "patients": "--patients",
    "doctors": "--doctors",
    "hospitalizations": "--hospitalizations",
    "hospitals": "--hospitals",
    "scale": "--scale",
    "jobs": "--jobs",
    "seed": "--seed",
    "start": "--start",
    "end": "--end",
    "locale": "--locale",
    "raw_format": "--format",
    "feed_late_share": "--late-share",
    "defects": "--defects",
    "warehouse": "--warehouse",
    "chart_format": "--chart-format",
    "export_format": "--format",
}


GLOBAL_FLAGS = ("--debug",)  # accepted before or after the command: `hospital run-all --debug`


class _PipelineOrder(TyperGroup):
    """Lists commands in pipeline order in --help (not in the order their sections appear below), and takes
    the global flags wherever they are typed."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda name: COMMAND_ORDER.index(name) if name in COMMAND_ORDER else len(names))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        moved = [a for a in args[:end] if a in GLOBAL_FLAGS]
        kept = [a for a in args[:end] if a not in GLOBAL_FLAGS] + args[end:]
        return super().parse_args(ctx, moved + kept)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """click's usage errors (unknown command or flag, a missing value) as one line plus a hint, like every
        other error, instead of click's boxed usage text."""
        try:  # typer >= 0.24 vendors click as typer._click
            from typer._click import exceptions as click
        except ImportError:  # pragma: no cover - older typer
            from click import exceptions as click  # type: ignore[no-redef]

        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.NoArgsIsHelpError as exc:
            out.print(exc.ctx.get_help() if exc.ctx else "", markup=False, highlight=False)
            code = 2
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "hospital"
            _error_lines(exc.format_message(), f"Run `{where} --help` for its commands and flags.")
            code = exc.exit_code
        except click.ClickException as exc:
            _error_lines(exc.format_message(), "Run `hospital --help`.")
            code = exc.exit_code
        except typer.Abort:
            _error_lines("interrupted.", "Nothing was started.")
            code = 130
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


_display_type = TyperOption.display_type_rich


def _no_flag_type(self: TyperOption, ctx: Any) -> str | None:
    """A switch takes no value: its help shows no ``<bool>`` (typer's default for every option)."""
    return None if self.is_flag else _display_type(self, ctx)


TyperOption.display_type_rich = _no_flag_type  # type: ignore[method-assign]


app = typer.Typer(
    name="hospital",
    cls=_PipelineOrder,
    help=(
        "Simulate a hospital's operations and run the analytics workflow on them: "
        "generate, load, transform, analyze, export.\n\nExample: hospital run-all --out ./hospital_output"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


# --- shared options ---------------------------------------------------------------------------------
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Output folder \\[env: HOSPITAL_OUTPUT_DIR].", show_default=False)
]
WarehouseOpt = Annotated[
    str | None,
    typer.Option("--warehouse", "-w", help="duckdb or snowflake \\[env: HOSPITAL_WAREHOUSE].", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"hospital-analytics {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Simulate a hospital and run generate, load, transform, analyze and export on it."""
    ctx.obj = {"debug": debug or os.environ.get("HOSPITAL_DEBUG", "").lower() in ("1", "true", "yes")}


def _error_lines(message: str, hint: str) -> None:
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
    err.print(f"[dim]Hint:[/] {escape(hint)}", highlight=False, soft_wrap=True)


INTERRUPTED = (
    "interrupted (Ctrl-C): what this step had not finished was not kept; every file and table is as before it "
    "or complete, none half-written."
)


@contextlib.contextmanager
def _sigint_noted(flag: dict[str, bool]) -> Iterator[None]:
    """Note a Ctrl-C in ``flag`` (then raise KeyboardInterrupt as Python does): libraries that turn it into
    their own error (DuckDB's "Query interrupted", dbt's "Connection already closed!") still exit 130."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: Any) -> None:
        flag["interrupted"] = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _debug(ctx: typer.Context) -> bool:
    root = ctx.find_root()
    return bool(root.obj and root.obj.get("debug"))


@contextlib.contextmanager
def _step(ctx: typer.Context) -> Iterator[None]:
    """Run a command body: a ``HospitalError`` becomes one red line plus a hint and its exit code (with
    ``--json``, also a JSON object on stdout: error, hint, exit_code); Ctrl-C, one line and exit 130, whatever a
    library made of it."""
    flag = {"interrupted": False}
    try:
        with _sigint_noted(flag):
            yield
    except typer.Exit:
        raise
    except BaseException as exc:
        if flag["interrupted"] or isinstance(exc, KeyboardInterrupt):
            if _debug(ctx):
                err.print_exception()
            err.print(f"[bold red]Error:[/] {INTERRUPTED}", highlight=False, soft_wrap=True)
            raise typer.Exit(130) from None
        _report(ctx, exc)


def _report(ctx: typer.Context, caught: BaseException) -> None:
    """One red line plus a hint for ``caught``, and its exit code."""
    if isinstance(caught, OSError) and caught.errno == errno.ENOSPC and not _debug(ctx):
        where = f" ({caught.filename})" if caught.filename else ""
        _fail(
            ctx, f"No space left on device{where}.", "Free some disk space (or use another --out), then run again.", 1
        )
    try:
        raise caught
    except HospitalError as exc:
        if _debug(ctx):
            err.print_exception()
        _fail(ctx, exc.message, exc.hint, exc.exit_code)
    except Exception as exc:  # an unexpected failure: still one line, unless --debug
        if _debug(ctx):
            raise
        _fail(
            ctx,
            f"unexpected {type(exc).__name__}: {_one_line(exc)}",
            "run again with --debug for the traceback, and report it.",
            1,
        )


def _fail(ctx: typer.Context, message: str, hint: str, code: int) -> None:
    """Print an error (one line and a hint on stderr; JSON on stdout too with --json) and exit with ``code``."""
    if ctx.params.get("as_json"):
        sys.stdout.write(json.dumps({"error": message, "hint": hint, "exit_code": code}) + "\n")
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
    err.print(f"[dim]Hint:[/] {escape(hint)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code) from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""


def settings_from(**values: Any) -> Settings:
    """Settings from the environment, ``.env`` and the flags given (``None`` means not given); a bad value's
    message names its flag."""
    return load_settings(flags=FLAGS, **values)


def _help(step: str, example: str) -> str:
    """A step command's help: the registry's summary and an example."""
    return f"{STEPS[step].summary}\n\nExample: {example}"


def emit(result: Any, as_json: bool) -> None:
    """Print a step's result: JSON for machines, else its summary as a table."""
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")  # long paths wrap instead of being cut with "…"
    for label, value in result.summary_rows():
        table.add_row(escape(label), escape(str(value)))  # library text, never rich markup
    table.add_row("time", f"{result.seconds:.2f} s")
    out.print(table)


class _Bars(Progress):
    """rich's Progress drawing nothing at all (not even a blank line) while it has no bar."""

    def get_renderables(self) -> Iterator[Any]:
        if self.tasks:
            yield from super().get_renderables()

    def stop(self) -> None:
        if self.tasks:  # off a terminal, its print() ends the last bar's line
            super().stop()
        elif not self.disable:  # rich's stop() prints a blank line off a terminal
            self.live.stop()


class RichProgress(Collector):
    """A ``Collector`` drawing one rich bar per counter on stderr (hidden when disabled, e.g. with --json).

    The bars appear with the first counter (so a command failing before any leaves no blank line), and when
    the command fails, the unfinished ones are taken away: nothing half-drawn stands above the error."""

    def __init__(self, enabled: bool = True):
        self._bars = _Bars(
            TextColumn("[bold]{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=not enabled,
        )
        self._tasks: dict[str, Any] = {}
        self._started = False

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:
            for task in list(self._bars.tasks):
                if not task.finished:
                    self._bars.remove_task(task.id)
            if not self._bars.tasks:  # nothing left to show: clear the lines drawn so far (on a terminal)
                self._bars.live.transient = True
        if self._started:
            self._bars.stop()

    def _add(self, description: str, total: float | None) -> Any:
        if not self._started:
            self._bars.start()
            self._started = True
        return self._bars.add_task(description, total=total)

    def update(self, name: str, inc: float = 1, total: float | None = None) -> None:
        if name not in self._tasks:
            self._tasks[name] = self._add(name, total)
        elif total is not None:
            self._bars.update(self._tasks[name], total=total)
        self._bars.advance(self._tasks[name], inc)

    def stop(self, step: str, result: StepResult | None = None) -> None:
        """The step is over: a finished step's bars are shown full (a bar's total may never have been known)."""
        if result is None:
            return
        for bar in self._tasks.values():
            task = self._bars.tasks[bar]
            self._bars.update(bar, completed=task.total if task.total is not None else task.completed)


def progress_for(as_json: bool) -> RichProgress:
    """Bars on stderr for people; none with --json."""
    return RichProgress(enabled=not as_json)


# --- commands -----------------------------------------------------------------------------------------
# Each step's command lives below, one per section, in pipeline order.


# --- export -------------------------------------------------------------------------------------------
ExportFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="csv, parquet, hyper or all (default: all) \\[env: HOSPITAL_EXPORT_FORMAT].",
        show_default=False,
    ),
]


@app.command("export", help=_help("export", "hospital export --format all --out ./hospital_output"))
def export_command(
    ctx: typer.Context,
    out_dir: OutOpt = None,
    warehouse: WarehouseOpt = None,
    export_format: ExportFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with _step(ctx):
        settings = settings_from(output_dir=out_dir, warehouse=warehouse, export_format=export_format)
        with progress_for(as_json) as progress:
            result = STEPS["export"].run(settings, progress)
        emit(result, as_json)


# --- analyze ------------------------------------------------------------------------------------------
ChartFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--chart-format", help="png, svg or both (default: png) \\[env: HOSPITAL_CHART_FORMAT].", show_default=False
    ),
]


@app.command("analyze", help=_help("analyze", "hospital analyze --out ./hospital_output --chart-format both"))
def analyze_command(
    ctx: typer.Context,
    out_dir: OutOpt = None,
    warehouse: WarehouseOpt = None,
    chart_format: ChartFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with _step(ctx):
        settings = settings_from(output_dir=out_dir, warehouse=warehouse, chart_format=chart_format)
        with progress_for(as_json) as progress:
            result = STEPS["analyze"].run(settings, progress)
        emit(result, as_json)


# --- load ---------------------------------------------------------------------------------------------
@app.command("load", help=_help("load", "hospital load --warehouse duckdb --out ./hospital_output"))
def load_command(
    ctx: typer.Context,
    out_dir: OutOpt = None,
    warehouse: WarehouseOpt = None,
    allow_edited: Annotated[
        bool, typer.Option("--allow-edited", help="Load files data/manifest.json does not describe (edited by hand).")
    ] = False,
    reload_changed: Annotated[
        bool,
        typer.Option(
            "--reload-changed",
            help="A feed partition whose file changed since it was loaded: delete its rows and load it again"
            " (without it, such a partition is refused and nothing is loaded).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    with _step(ctx):
        settings = settings_from(output_dir=out_dir, warehouse=warehouse)
        with progress_for(as_json) as progress:
            result: Any = STEPS["load"].run(
                settings, progress, allow_edited=allow_edited, reload_changed=reload_changed
            )
        if not as_json:
            title = f"Loaded into {result.warehouse}: {result.database}, schema {result.schema}"
            table = Table(title=title, title_justify="left")
            for column in ("table", "rows", "bytes", "files", "seconds", "rows/s"):
                table.add_column(column, justify="left" if column == "table" else "right")
            for name, t in result.tables.items():
                table.add_row(
                    name,
                    f"{t.rows:,}",
                    f"{t.bytes_staged:,}",
                    str(t.files),
                    f"{t.seconds:.2f}",
                    f"{t.rows_per_second:,.0f}",
                )
            for name, f in result.feed.items():
                table.add_row(
                    f"{name} (feed)",
                    f"+{f.rows_new:,} = {f.rows_total:,}",
                    "",
                    f"{f.partitions_new + f.partitions_replaced} new",
                    f"{f.seconds:.2f}",
                    f"{f.partitions_skipped} skipped",
                )
            out.print(table)
        emit(result, as_json)


# --- transform / docs ---------------------------------------------------------------------------------
SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        "-s",
        help="dbt node selection, as with dbt --select (repeatable), e.g. 'kpis+'.",
        show_default=False,
        metavar="SELECTOR",
    ),
]
FullRefreshOpt = Annotated[
    bool,
    typer.Option(
        "--full-refresh",
        help="Pass --full-refresh to dbt (build and run only): the daily feed's incremental models"
        " (fct_encounter_events, fct_adt_daily, fct_encounters) are rebuilt from every event loaded.",
    ),
]


def _print_nodes(result: Any) -> None:
    """The models built (and any test that did not pass): node, status, rows, seconds."""
    table = Table(
        title=f"dbt {result.command} on {result.warehouse} {result.database}.{result.schema}", title_justify="left"
    )
    for column in ("node", "type", "status", "rows", "seconds"):
        table.add_column(column, justify="left" if column in ("node", "type", "status") else "right")
    styles = {"success": "green", "pass": "green", "fail": "red", "error": "red", "warn": "yellow"}
    shown = [
        n
        for n in result.nodes
        if n.resource_type in ("model", "snapshot") or n.status not in ("pass", "success", "no-op")
    ]
    for n in shown:
        kind = n.materialized or n.resource_type.replace("_", " ")
        status = f"[{styles.get(n.status, 'dim')}]{n.status}[/]"
        rows = "" if n.rows is None else f"{n.rows:,}"
        table.add_row(escape(n.node), kind, status, rows, f"{n.seconds:.2f}")
    hidden = [n for n in result.nodes if n not in shown and n.resource_type in ("test", "unit_test")]
    if hidden:
        table.caption = f"and {len(hidden)} tests passed"
        table.caption_justify = "left"
    out.print(table)


@app.command("transform", help=_help("transform", "hospital transform --out ./hospital_output --select kpis+"))
def transform_command(
    ctx: typer.Context,
    select: SelectOpt = None,
    full_refresh: FullRefreshOpt = False,
    out_dir: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with _step(ctx):
        settings = settings_from(output_dir=out_dir, warehouse=warehouse)
        try:
            with progress_for(as_json) as progress:
                result = STEPS["transform"].run(settings, progress, select=select, full_refresh=full_refresh)
        except TransformError as exc:
            if exc.result is not None and not as_json:
                _print_nodes(exc.result)
            raise
        if not as_json:
            _print_nodes(result)
        emit(result, as_json)


@app.command("docs")
def docs_command(
    ctx: typer.Context,
    out_dir: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the dbt project's documentation (models, columns, tests, lineage) as one static HTML page.

    Example: hospital docs --out ./hospital_output && open hospital_output/docs/index.html
    """
    with _step(ctx):
        from hospital_analytics.fsutil import folder_lock
        from hospital_analytics.transformation import docs

        settings = settings_from(output_dir=out_dir, warehouse=warehouse)
        with progress_for(as_json) as progress, folder_lock(settings.output_dir, "docs"):
            result = docs(settings, progress=progress)
        emit(result, as_json)


# --- init ---------------------------------------------------------------------------------------------
@app.command("init")
def init_command(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the project into (created if missing).", show_default=True)
    ] = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Write a project you own and can edit: the dbt project, the Tableau dashboard spec, .env and a README of
    what to try first. Run from that folder, every step uses it. Never overwrites a file.

    Example: hospital init my_project && cd my_project && hospital run-all
    """
    with _step(ctx):
        from hospital_analytics.starter import init

        emit(init(directory), as_json)


# --- generate -----------------------------------------------------------------------------------------
# Numbers and dates are taken as text and validated by Settings, so a bad value gets the same one-line
# message (naming the flag and its variable) as a bad environment value, instead of click's usage box.
PatientsOpt = Annotated[
    str | None,
    typer.Option(
        "--patients",
        metavar="N",
        help="Distinct patients per 24 months (default: follows from the stays) \\[env: HOSPITAL_PATIENTS].",
    ),
]
DoctorsOpt = Annotated[
    str | None,
    typer.Option(
        "--doctors",
        metavar="N",
        help="Doctors on the roster (default: sized from the census) \\[env: HOSPITAL_DOCTORS].",
    ),
]
StaysOpt = Annotated[
    str | None,
    typer.Option(
        "--hospitalizations",
        metavar="N",
        help="Hospital stays per 24 months, a rate (default 1000) \\[env: HOSPITAL_HOSPITALIZATIONS].",
    ),
]
HospitalsOpt = Annotated[
    str | None,
    typer.Option(
        "--hospitals",
        metavar="N",
        help="Hospitals in the system (default: as many as the stays need) \\[env: HOSPITAL_HOSPITALS].",
    ),
]
JobsOpt = Annotated[
    str | None,
    typer.Option(
        "--jobs",
        metavar="N",
        help="Processes and writing threads (default: every core from 2M stays, else 1); same files whatever N "
        "\\[env: HOSPITAL_JOBS].",
    ),
]
ScaleOpt = Annotated[
    str | None,
    typer.Option("--scale", metavar="X", help="Multiply all three counts, e.g. 1000 \\[env: HOSPITAL_SCALE]."),
]
SeedOpt = Annotated[
    str | None,
    typer.Option("--seed", metavar="N", help="Random seed; same seed, same bytes (default 42) \\[env: HOSPITAL_SEED]."),
]
StartOpt = Annotated[
    str | None,
    typer.Option(
        "--start",
        metavar="YYYY-MM-DD",
        help="First day of the window (default 2024-01-01: the 24 months ending on --end) \\[env: HOSPITAL_START].",
    ),
]
EndOpt = Annotated[
    str | None,
    typer.Option(
        "--end",
        metavar="YYYY-MM-DD",
        help="Last day (default 2025-12-31, or 24 months after --start) \\[env: HOSPITAL_END].",
    ),
]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale", metavar="LOCALE", help="Faker locale for names and places (default en_US) \\[env: HOSPITAL_LOCALE]."
    ),
]
RawFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", metavar="FORMAT", help="csv, parquet or both (default csv) \\[env: HOSPITAL_FORMAT]."
    ),
]
LateShareOpt = Annotated[
    str | None,
    typer.Option(
        "--late-share",
        metavar="X",
        help="Share of feed events recorded hours to days late, 0..0.5 (default 0.03) \\[env: HOSPITAL_FEED_LATE_SHARE].",
    ),
]
DefectsOpt = Annotated[
    str | None,
    typer.Option(
        "--defects",
        metavar="PROFILE",
        help="Dirty data on purpose: none (default), light, realistic, chaos, or a .toml/.yaml file of rates per "
        "class; ground truth in data/defects.csv \\[env: HOSPITAL_DEFECTS].",
    ),
]
CheckDefectsOpt = Annotated[
    str | None,
    typer.Option(
        "--defects",
        metavar="PROFILE",
        help="A check: refused unless its rates are the saved run's \\[env: HOSPITAL_DEFECTS].",
    ),
]
LONG_RUN_STAYS = 200_000  # progress bars from this many stays


def _print_defects(result: Any) -> None:
    """The defects injected, per class (nothing when the run has none)."""
    if not getattr(result, "raw_text", False):
        return
    from hospital_analytics.defects.profiles import CLASS_TABLES

    table = Table(
        title=f"Defects injected ({result.defects_profile}); ground truth: data/defects.csv", title_justify="left"
    )
    for column in ("defect", "tables", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left", no_wrap=True)
    for name, count in result.defects.items():
        table.add_row(name, ", ".join(CLASS_TABLES[name]), f"{count:,}")
    table.add_row("[bold]total[/]", "", f"[bold]{sum(result.defects.values()):,}[/]")
    out.print(table)


def _print_fidelity(result: Any) -> None:
    table = Table(title="Fidelity: published target vs generated (sources: docs/calibration.md)", title_justify="left")
    for column in ("quantity", "target", "generated", "allowed ±3 SE", ""):
        table.add_column(column, justify="right" if column == "generated" else "left", overflow="fold")
    for row in result.fidelity:
        style = {True: "green", False: "bold red", None: "dim"}[row.passed]
        table.add_row(row.quantity, row.target, row.show(row.generated), row.allowed, f"[{style}]{row.verdict}[/]")
    out.print(table)


@app.command(
    "generate",
    help=_help("generate", "hospital generate --patients 5000 --hospitalizations 10000 --seed 7 --format both"),
)
def generate_command(
    ctx: typer.Context,
    patients: PatientsOpt = None,
    doctors: DoctorsOpt = None,
    hospitalizations: StaysOpt = None,
    hospitals: HospitalsOpt = None,
    scale: ScaleOpt = None,
    seed: SeedOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    locale: LocaleOpt = None,
    raw_format: RawFormatOpt = None,
    jobs: JobsOpt = None,
    late_share: LateShareOpt = None,
    defects: DefectsOpt = None,
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with _step(ctx):
        settings = settings_from(
            jobs=jobs,
            feed_late_share=late_share,
            defects=defects,
            patients=patients,
            doctors=doctors,
            hospitalizations=hospitalizations,
            hospitals=hospitals,
            scale=scale,
            seed=seed,
            start=start,
            end=end,
            locale=locale,
            raw_format=raw_format,
            output_dir=out_dir,
        )
        with RichProgress(enabled=not as_json and settings.scaled_counts[2] >= LONG_RUN_STAYS) as progress:
            result: Any = STEPS["generate"].run(settings, progress)
        emit(result, as_json)
        if not as_json:
            _print_fidelity(result)
            _print_defects(result)


# --- advance ------------------------------------------------------------------------------------------
DaysOpt = Annotated[
    str | None,
    typer.Option("--days", metavar="N", help="Days to add to the simulation (at least 1).", show_default=False),
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", metavar="YYYY-MM-DD", help="The new last day (instead of --days).", show_default=False),
]


CheckSeedOpt = Annotated[
    str | None,
    typer.Option("--seed", metavar="N", help="A check: refused unless the saved simulation's \\[env: HOSPITAL_SEED]."),
]
CheckFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", metavar="FORMAT", help="A check: refused unless the saved run's \\[env: HOSPITAL_FORMAT]."
    ),
]
CheckLateOpt = Annotated[
    str | None,
    typer.Option(
        "--late-share", metavar="X", help="A check: refused unless the saved run's \\[env: HOSPITAL_FEED_LATE_SHARE]."
    ),
]


@app.command("advance", help=_help("advance", "hospital advance --days 7 --out ./hospital_output"))
def advance_command(
    ctx: typer.Context,
    days: DaysOpt = None,
    until: UntilOpt = None,
    seed: CheckSeedOpt = None,
    raw_format: CheckFormatOpt = None,
    late_share: CheckLateOpt = None,
    defects: CheckDefectsOpt = None,
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with _step(ctx):
        count = None
        if days is not None:
            try:
                count = int(days)
            except ValueError:
                raise ConfigError(f"Invalid --days (got {days!r}): not a whole number.", "e.g. `--days 7`.") from None
        settings = settings_from(
            seed=seed, raw_format=raw_format, feed_late_share=late_share, defects=defects, output_dir=out_dir
        )
        with RichProgress(enabled=not as_json) as progress:
            result: Any = STEPS["advance"].run(settings, progress, days=count, until=until)
        emit(result, as_json)
        if not as_json:
            _print_defects(result)


# --- run-all ------------------------------------------------------------------------------------------
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="STEP",
        help="Resume from this step (generate, load, transform, analyze, export), reusing earlier outputs.",
        show_default=False,
    ),
]


class StepBars(RichProgress):
    """run-all's display: one line per pipeline step, its bar driven by the step's own counters."""

    def __init__(self, enabled: bool = True):
        super().__init__(enabled)
        self._step = ""
        self._counter = ""

    def start(self, step: str) -> None:
        self._step, self._counter = step, ""
        self._tasks[step] = self._add(f"[bold]{step}[/]", None)

    def update(self, name: str, inc: float = 1, total: float | None = None) -> None:
        bar = self._tasks[self._step]
        if name != self._counter:  # the step's next counter: the line starts over
            self._counter = name
            self._bars.update(bar, description=f"[bold]{self._step}[/] {escape(name)}", total=total, completed=0)
        elif total is not None:
            self._bars.update(bar, total=total)
        self._bars.advance(bar, inc)

    def stop(self, step: str, result: StepResult | None = None) -> None:
        if result is None:
            return
        outcome = escape(STEPS[step].outcome(result))
        self._bars.update(self._tasks[step], total=1, completed=1, description=f"[green]✓[/] [bold]{step}[/] {outcome}")


@app.command("run-all")
def run_all_command(
    ctx: typer.Context,
    patients: PatientsOpt = None,
    doctors: DoctorsOpt = None,
    hospitalizations: StaysOpt = None,
    scale: ScaleOpt = None,
    seed: SeedOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    locale: LocaleOpt = None,
    defects: DefectsOpt = None,
    out_dir: OutOpt = None,
    warehouse: WarehouseOpt = None,
    start_from: FromOpt = None,
    days: Annotated[
        str | None,
        typer.Option(
            "--days",
            metavar="N",
            help="Continue the simulation in --out by N days (advance) instead of generating, then load the new"
            " feed partitions, transform, analyze and export.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the whole pipeline: generate, load, transform, analyze and export, then show the KPIs.

    Example: hospital run-all --out ./hospital_output --hospitalizations 100000
    """
    with _step(ctx):
        from hospital_analytics.pipeline import check_reuse, run_all

        given = {"patients": patients, "doctors": doctors, "hospitalizations": hospitalizations, "scale": scale}
        given |= {"seed": seed, "start": start, "end": end, "locale": locale, "defects": defects}
        count = _whole_days(days)
        flags = [FLAGS[name] for name, value in given.items() if value is not None]
        check_reuse("advance" if count is not None and not start_from else start_from or "generate", flags)
        settings = settings_from(
            patients=patients,
            doctors=doctors,
            hospitalizations=hospitalizations,
            scale=scale,
            seed=seed,
            start=start,
            end=end,
            locale=locale,
            defects=defects,
            output_dir=out_dir,
            warehouse=warehouse,
        )
        with StepBars(enabled=not as_json) as bars:
            result = run_all(settings, start_from=start_from or "generate", days=count, progress=bars)
        emit(result, as_json)


def _whole_days(days: str | None) -> int | None:
    if days is None:
        return None
    try:
        count = int(days)
    except ValueError:
        raise ConfigError(f"Invalid --days (got {days!r}): not a whole number.", "e.g. `--days 7`.") from None
    if count < 1:
        raise ConfigError(f"Invalid --days (got {count}): at least 1 day.", "e.g. `--days 7`.")
    return count


# --- daily ---------------------------------------------------------------------------------------------
@app.command("daily")
def daily_command(
    ctx: typer.Context,
    days: Annotated[
        str, typer.Option("--days", metavar="N", help="Simulated days to run the daily pipeline for (default 1).")
    ] = "1",
    out_dir: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the daily pipeline once per simulated day: advance 1 day, load the new feed partitions, transform.

    Shows each day's new feed rows and the seconds each step took: an incremental day costs a fraction of
    the first full build. Needs a folder `hospital generate` wrote.

    Example: hospital daily --days 7 --out ./hospital_output
    """
    with _step(ctx):
        from hospital_analytics.pipeline import daily

        count = _whole_days(days)
        settings = settings_from(output_dir=out_dir, warehouse=warehouse)
        with StepBars(enabled=not as_json) as bars:
            result = daily(settings, days=count or 1, progress=bars)
        if not as_json:
            table = Table(title=f"Daily pipeline on {result.warehouse} (seconds per step)", title_justify="left")
            for column in ("day", "feed rows", "files", "advance", "load", "transform", "total"):
                table.add_column(column, justify="left" if column == "day" else "right", no_wrap=True)
            for record in result.days:
                table.add_row(
                    record.day,
                    f"{record.rows:,}",
                    str(record.partitions),
                    f"{record.advance_seconds:.2f}",
                    f"{record.load_seconds:.2f}",
                    f"{record.transform_seconds:.2f}",
                    f"{record.seconds:.2f}",
                )
            out.print(table)
        emit(result, as_json)
