"""Helpers for the proof tests (faults, hostile input, repeatability, run-all, notebook API).

- ``shared_run``: ONE ``hospital run-all`` with no configuration at all (empty folder, no variables, default
  size), run once per session and shared by every proof test module that needs earlier steps' data;
  it keeps what the first run printed and a snapshot of its marts and exports, taken right after it ran;
- ``assert_one_error``: the CLI's failure contract (exit code, one line holding the message, no traceback,
  no planted secret);
- ``marts_content``/``raw_content``: a warehouse's tables as sorted rows, to compare runs and prove that
  nothing changed;
- ``FakesnowProcess``: a fakesnow server in its own process, its databases in files, so a test can kill
  it (SIGKILL) mid-load and start it again with what it had committed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import clean_env
from hospital_analytics.cli import app
from hospital_analytics.config import Settings
from hospital_analytics.layout import MARTS, RAW_TABLES

SECRET = "s3cr3t-planted"
runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    """``hospital <args>`` in this process (typer's CliRunner)."""
    return runner.invoke(app, list(args), env=env)


def assert_one_error(result: Any, exit_code: int, expected: str, secret: str = SECRET) -> str:
    """The CLI's failure contract: ``exit_code``, the message on ONE line holding ``expected``, no traceback,
    no secret. Every error, click's usage errors included, prints exactly one ``Error:`` line (plus a
    ``Hint:``). Returns that line."""
    output = result.output
    assert result.exit_code == exit_code, f"exit {result.exit_code}, expected {exit_code}:\n{output}"
    assert "Traceback" not in output, output
    assert secret not in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    assert expected in errors[0], f"{expected!r} not in the error line:\n{output}"
    assert "─ Error ─" not in output and "Usage:" not in output, output  # no click usage box
    return errors[0]


# --- warehouse content ------------------------------------------------------------------------------------
def _table_rows(wh: Any, schema: str, table: str) -> list[tuple]:
    """A table as sorted tuples, columns in name order; floats rounded to 9 decimals (a parallel
    aggregate may sum in another order from run to run)."""
    data = wh.query_arrow(f"SELECT * FROM {wh.qualified(schema, table)}")
    names = sorted(data.schema.names)
    rows = [
        tuple(round(row[n], 9) if isinstance(row[n], float) else row[n] for n in names)
        for row in data.select(names).to_pylist()
    ]
    return sorted(rows, key=repr)


def marts_content(settings: Settings) -> dict[str, list[tuple]]:
    """Every ANALYTICS mart as sorted rows (columns in name order)."""
    from hospital_analytics.warehouse import open_warehouse

    with open_warehouse(settings, read_only=settings.warehouse == "duckdb") as wh:
        return {table: _table_rows(wh, settings.analytics_schema, table) for table in MARTS}


def raw_content(settings: Settings) -> dict[str, list[tuple]]:
    """Every RAW table as sorted rows."""
    from hospital_analytics.warehouse import open_warehouse

    with open_warehouse(settings, read_only=settings.warehouse == "duckdb") as wh:
        return {table: _table_rows(wh, settings.raw_schema, table) for table in RAW_TABLES}


def file_digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative path -> digest)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def export_data(export_dir: Path) -> dict[str, Any]:
    """The export files' decoded content: CSV.gz decompressed, Parquet and Hyper as Arrow tables."""
    import pyarrow.parquet as pq

    data: dict[str, Any] = {}
    for path in sorted(export_dir.rglob("*")):
        name = str(path.relative_to(export_dir))
        if path.name.endswith(".csv.gz"):
            data[name] = gzip.decompress(path.read_bytes())
        elif path.suffix == ".csv":
            data[name] = path.read_bytes()
        elif path.suffix == ".parquet":
            data[name] = pq.read_table(path)
        elif path.suffix == ".hyper":
            import pantab

            data[name] = pantab.frame_from_hyper(path, table=("Extract", "Extract"), return_type="pyarrow")
    return data


# --- the shared pipeline run ------------------------------------------------------------------------------
@dataclasses.dataclass
class SharedRun:
    root: Path  # the folder run-all ran in (its working folder)
    out: Path  # root / hospital_output
    exit_code: int
    output: str  # stdout + stderr of the first run
    stdout: str
    settings: Settings  # absolute paths, to read it back
    marts: dict[str, list[tuple]]  # snapshot right after the run
    raw: dict[str, list[tuple]]
    exports: dict[str, Any]
    digests: dict[str, str]  # every file under out, right after the run


_SHARED: dict[str, SharedRun] = {}


def shared_run(tmp_path_factory: pytest.TempPathFactory) -> SharedRun:
    """``hospital run-all`` with no configuration, once per session (every caller gets the same run)."""
    if "run" not in _SHARED:
        root = tmp_path_factory.mktemp("shared_run")
        with clean_env(root):
            result = invoke("run-all")
            assert result.exit_code == 0, result.output
            settings = Settings(output_dir=root / "hospital_output")
            _SHARED["run"] = SharedRun(
                root=root,
                out=root / "hospital_output",
                exit_code=result.exit_code,
                output=result.output,
                stdout=result.stdout,
                settings=settings,
                marts=marts_content(settings),
                raw=raw_content(settings),
                exports=export_data(settings.layout.export_dir),
                digests=file_digests(root / "hospital_output"),
            )
    return _SHARED["run"]


def stable_digests(digests: dict[str, str]) -> dict[str, str]:
    """Digests of the files a failed command must leave alone (dbt's own logs and target files, which
    dbt rewrites when it starts, are left out)."""
    return {name: digest for name, digest in digests.items() if not name.startswith("dbt/")}


# --- fakesnow in a process of its own ---------------------------------------------------------------------
_SERVER = r"""
import sys
import uvicorn
import fakesnow.server as server
from fakesnow.instance import FakeSnow

port, folder, *databases = sys.argv[1:]
server.shared_fs = FakeSnow(db_path=folder)  # databases are files in `folder`: they outlive this process
for name in databases:
    server.shared_fs.connect(name).close()  # attach a database written before a restart
uvicorn.run(server.app, host="127.0.0.1", port=int(port), log_level="warning")
"""


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakesnowProcess:
    """A fakesnow server in a subprocess, keeping its databases as DuckDB files under ``folder``: committed
    data survives a SIGKILL (DuckDB's write-ahead log), uncommitted work dies with the process, as with a
    server that crashes. ``start`` again attaches ``databases``."""

    def __init__(self, folder: Path, databases: tuple[str, ...]):
        self.folder = folder
        self.databases = databases
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "server.log"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _SERVER, str(self.port), str(self.folder), *self.databases],
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fakesnow server exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            time.sleep(0.1)
        raise RuntimeError("fakesnow server did not start in 60 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def settings_fields(self, database: str) -> dict[str, Any]:
        return {
            "warehouse": "snowflake",
            "snowflake_account": "fakesnow",
            "snowflake_user": "fake",
            "snowflake_password": SECRET,  # fakesnow takes any password
            "snowflake_host": "127.0.0.1",
            "snowflake_port": self.port,
            "snowflake_protocol": "http",
            "snowflake_login_timeout": 3,
            "snowflake_database": database,
        }

    def env(self, database: str) -> dict[str, str]:
        names = {
            "warehouse": "HOSPITAL_WAREHOUSE",
            "snowflake_login_timeout": "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT",
        }
        return {names.get(key, key.upper()): str(value) for key, value in self.settings_fields(database).items()}
