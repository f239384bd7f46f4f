"""Hostile input across every command, as one parametrised CLI test.

Each case runs ``hospital ...`` through typer's CliRunner, with its environment set by monkeypatch and a
planted secret (SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY_FILE_PWD) in the environment unless the case is
about a missing credential, and checks: the exit code (2 for usage and configuration, 1 for runtime),
the message on one line holding the expected text, no traceback, the secret nowhere in the output, and
- for usage and configuration errors - nothing written. Cases that need earlier steps' data run against
the session's shared ``hospital run-all`` output, which must be exactly as it was afterwards.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import helpers.proof as ps

SHARED = "{shared}"  # replaced by the shared run's output folder
TMP = "{tmp}"  # replaced by the test's empty folder
KEY = "{key}"  # replaced by a file that is not a private key
FILE = "{file}"  # replaced by a plain file


@dataclasses.dataclass
class Case:
    id: str
    args: list[str]
    code: int
    expected: str
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    secret: bool = True  # plant SNOWFLAKE_PASSWORD (and the key passphrase) in the environment


SNOWFLAKE_LOGIN = {"SNOWFLAKE_ACCOUNT": "acme-prod", "SNOWFLAKE_USER": "analyst"}

CASES = [
    # --- bad numbers -----------------------------------------------------------------------------------
    Case(
        "patients-not-a-number",
        ["generate", "--patients", "abc"],
        2,
        "Invalid --patients / HOSPITAL_PATIENTS (got 'abc')",
    ),
    Case("patients-negative", ["generate", "--patients", "-5"], 2, "Invalid --patients"),
    Case("doctors-zero", ["generate", "--doctors", "0"], 2, "Invalid --doctors"),
    Case("stays-float-syntax", ["generate", "--hospitalizations", "1e3"], 2, "Invalid --hospitalizations"),
    Case("stays-too-many", ["run-all", "--hospitalizations", "99999999999"], 2, "less than or equal to 1000000000"),
    Case("stays-empty", ["run-all", "--hospitalizations", ""], 2, "Invalid --hospitalizations"),
    Case("scale-nan", ["generate", "--scale", "nan"], 2, "Invalid --scale"),
    Case("scale-negative", ["generate", "--scale", "-1"], 2, "Invalid --scale"),
    Case("seed-negative", ["generate", "--seed", "-1"], 2, "Invalid --seed"),
    Case("seed-overflow", ["generate", "--seed", "99999999999999999999999"], 2, "Invalid --seed"),
    # --- bad dates -------------------------------------------------------------------------------------
    Case("start-feb-30", ["generate", "--start", "2024-02-30"], 2, "Invalid --start / HOSPITAL_START"),
    Case("end-day-first", ["generate", "--end", "31/12/2025"], 2, "Invalid --end / HOSPITAL_END"),
    Case("end-before-start", ["generate", "--start", "2025-06-01", "--end", "2025-01-01"], 2, "is before start"),
    Case("window-too-short", ["run-all", "--start", "2025-01-01", "--end", "2025-01-10"], 2, "shorter than 31 days"),
    Case("start-a-word", ["run-all", "--start", "yesterday"], 2, "Invalid --start"),
    # --- bad environment values ------------------------------------------------------------------------
    Case("env-patients", ["generate"], 2, "HOSPITAL_PATIENTS (got 'lots')", env={"HOSPITAL_PATIENTS": "lots"}),
    Case("env-seed-shell", ["generate"], 2, "HOSPITAL_SEED", env={"HOSPITAL_SEED": "1; rm -rf /"}),
    Case("env-warehouse", ["load"], 2, "HOSPITAL_WAREHOUSE (got 'oracle')", env={"HOSPITAL_WAREHOUSE": "oracle"}),
    Case("env-raw-format", ["generate"], 2, "HOSPITAL_FORMAT", env={"HOSPITAL_FORMAT": "json"}),
    Case("env-dbt-threads", ["transform"], 2, "HOSPITAL_DBT_THREADS", env={"HOSPITAL_DBT_THREADS": "0"}),
    Case("env-chart-format", ["analyze"], 2, "HOSPITAL_CHART_FORMAT (got 'gif')", env={"HOSPITAL_CHART_FORMAT": "gif"}),
    Case("env-export-format", ["export"], 2, "HOSPITAL_EXPORT_FORMAT", env={"HOSPITAL_EXPORT_FORMAT": "xlsx"}),
    Case(
        "env-login-timeout",
        ["load"],
        2,
        "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT",
        env={"HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT": "-1"},
    ),
    Case("env-port", ["load"], 2, "SNOWFLAKE_PORT (got '99999')", env={"SNOWFLAKE_PORT": "99999"}),
    Case("env-protocol", ["load"], 2, "SNOWFLAKE_PROTOCOL", env={"SNOWFLAKE_PROTOCOL": "ftp"}),
    # --- identifiers and injection ---------------------------------------------------------------------
    Case(
        "raw-schema-injection",
        ["load", "--out", SHARED],
        2,
        "HOSPITAL_RAW_SCHEMA",
        env={"HOSPITAL_RAW_SCHEMA": "x; drop table y"},
    ),
    Case(
        "analytics-schema-quote",
        ["transform", "--out", SHARED],
        2,
        "HOSPITAL_ANALYTICS_SCHEMA",
        env={"HOSPITAL_ANALYTICS_SCHEMA": 'ANALYTICS"; --'},
    ),
    Case(
        "database-space",
        ["analyze", "--out", SHARED],
        2,
        "HOSPITAL_ANALYTICS_DB",
        env={"HOSPITAL_ANALYTICS_DB": "db name"},
    ),
    Case(
        "snowflake-database-injection",
        ["load", "--out", SHARED, "-w", "snowflake"],
        2,
        "SNOWFLAKE_DATABASE",
        env={"SNOWFLAKE_DATABASE": "X; DROP DATABASE Y", **SNOWFLAKE_LOGIN},
    ),
    Case(
        "role-injection",
        ["export", "--out", SHARED, "-w", "snowflake"],
        2,
        "SNOWFLAKE_ROLE",
        env={"SNOWFLAKE_ROLE": "SYSADMIN; drop", **SNOWFLAKE_LOGIN},
    ),
    Case(
        "warehouse-quote",
        ["load", "--out", SHARED, "-w", "snowflake"],
        2,
        "SNOWFLAKE_WAREHOUSE",
        env={"SNOWFLAKE_WAREHOUSE": "wh'--", **SNOWFLAKE_LOGIN},
    ),
    Case(
        "stage-path",
        ["load", "--out", SHARED, "-w", "snowflake"],
        2,
        "HOSPITAL_SNOWFLAKE_STAGE",
        env={"HOSPITAL_SNOWFLAKE_STAGE": "@stage/../x", **SNOWFLAKE_LOGIN},
    ),
    Case("select-garbage", ["transform", "--out", SHARED, "--select", "@@@ bad"], 2, "matches no model or test"),
    # issue 10: only selection syntax reaches dbt (these rebuilt the marts empty / wrote outside the folder)
    Case("select-flag-empty", ["transform", "--out", SHARED, "--select", "kpis --empty"], 2, "not dbt selection"),
    Case(
        "select-flag-target-path",
        ["transform", "--out", SHARED, "--select", "kpis --target-path /tmp/elsewhere"],
        2,
        "'--target-path', which is not dbt selection syntax",
    ),
    Case("select-flag-alone", ["transform", "--out", SHARED, "-s", "--full-refresh"], 2, "not dbt selection"),
    # --- bad paths -------------------------------------------------------------------------------------
    Case("out-is-a-file", ["generate", "--out", FILE], 2, "is a file"),
    Case("out-name-too-long", ["load", "--out", "x" * 300], 2, "longer than 255 bytes"),
    Case("out-in-proc", ["generate", "--out", "/proc/hospital"], 2, "is not writable"),
    Case("out-nul-byte", ["generate", "--out", "a\x00b"], 2, "embedded null byte"),
    Case(
        "duckdb-path-not-duckdb",
        ["export", "--out", SHARED],
        1,
        "is not a DuckDB database file",
        env={"HOSPITAL_DUCKDB_PATH": FILE},
    ),
    # issue 10: DuckDB paths it would reinterpret, or where it would keep nothing
    Case(
        "duckdb-memory",
        ["load", "--out", SHARED],
        2,
        ":memory: keeps nothing",
        env={"HOSPITAL_DUCKDB_PATH": ":memory:"},
    ),
    Case("out-question-mark", ["load", "--out", f"{TMP}/what?"], 2, "contains '?'"),
    Case("out-backslash", ["transform", "--out", f"{TMP}/back\\slash"], 2, "contains '\\\\'"),
    Case(
        "window-1899",
        ["generate", "--out", f"{TMP}/w", "--start", "1899-01-01", "--end", "1899-02-28"],
        2,
        "between 1900-01-01",
    ),
    Case("load-nothing-generated", ["load", "--out", f"{TMP}/nothing"], 1, "No generated data to load"),
    Case("transform-nothing-loaded", ["transform", "--out", f"{TMP}/nothing"], 1, "nothing has been loaded into it"),
    Case("analyze-nothing-built", ["analyze", "--out", f"{TMP}/nothing"], 1, "does not exist yet"),
    Case("export-nothing-built", ["export", "--out", f"{TMP}/nothing"], 1, "does not exist yet"),
    Case(
        "run-all-from-load-nothing",
        ["run-all", "--from", "load", "--out", f"{TMP}/nothing"],
        1,
        "No generated data to load",
    ),
    # --- usage -----------------------------------------------------------------------------------------
    Case("unknown-option", ["generate", "--bogus"], 2, "No such option: --bogus"),
    Case("from-without-value", ["run-all", "--from"], 2, "requires an argument"),
    Case("unknown-command", ["bogus"], 2, "No such command 'bogus'"),
    Case("from-unknown-step", ["run-all", "--from", "nowhere"], 2, "Unknown step 'nowhere'"),
    Case("locale-unknown", ["generate", "--locale", "../../etc"], 2, "unknown locale"),
    Case("export-format", ["export", "--format", "xlsx"], 2, "Invalid --format"),
    Case("chart-format", ["analyze", "--chart-format", "gif"], 2, "Invalid --chart-format"),
    Case("warehouse-flag", ["run-all", "--warehouse", "oracle"], 2, "Invalid --warehouse"),
    # --- credentials -----------------------------------------------------------------------------------
    Case("no-account-load", ["load", "--out", SHARED, "--warehouse", "snowflake"], 2, "SNOWFLAKE_ACCOUNT is not set"),
    Case("no-account-transform", ["transform", "--out", SHARED, "-w", "snowflake"], 2, "SNOWFLAKE_ACCOUNT is not set"),
    Case("no-account-analyze", ["analyze", "--out", SHARED, "-w", "snowflake"], 2, "SNOWFLAKE_ACCOUNT is not set"),
    Case(
        "no-account-env",
        ["export", "--out", SHARED],
        2,
        "SNOWFLAKE_ACCOUNT is not set",
        env={"HOSPITAL_WAREHOUSE": "snowflake"},
    ),
    Case(
        "no-user",
        ["load", "--out", SHARED, "-w", "snowflake"],
        2,
        "SNOWFLAKE_USER is not set",
        env={"SNOWFLAKE_ACCOUNT": "acme-prod"},
    ),
    Case(
        "no-password",
        ["load", "--out", SHARED, "-w", "snowflake"],
        2,
        "SNOWFLAKE_PASSWORD is not set",
        env=SNOWFLAKE_LOGIN,
        secret=False,
    ),
    Case(
        "key-file-missing",
        ["load", "--out", SHARED, "-w", "snowflake"],
        2,
        "cannot be read",
        env={"SNOWFLAKE_PRIVATE_KEY_FILE": "/nonexistent/rsa_key.p8", **SNOWFLAKE_LOGIN},
    ),
    Case(
        "key-file-garbage",
        ["load", "--out", SHARED, "-w", "snowflake"],
        2,
        "does not decrypt",
        env={"SNOWFLAKE_PRIVATE_KEY_FILE": KEY, **SNOWFLAKE_LOGIN},
    ),
    Case("no-account-run-all", ["run-all", "-w", "snowflake"], 2, "SNOWFLAKE_ACCOUNT is not set"),
    Case(
        "no-password-run-all",
        ["run-all"],
        2,
        "SNOWFLAKE_PASSWORD is not set",
        env={"HOSPITAL_WAREHOUSE": "snowflake", **SNOWFLAKE_LOGIN},
        secret=False,
    ),
    Case(
        "run-all-schema-injection",
        ["run-all"],
        2,
        "HOSPITAL_ANALYTICS_SCHEMA",
        env={"HOSPITAL_ANALYTICS_SCHEMA": "a;b"},
    ),
    Case(
        "unreachable-account",
        ["load", "--out", SHARED, "-w", "snowflake"],
        1,
        "Cannot reach Snowflake",
        env={
            "SNOWFLAKE_HOST": "127.0.0.1",
            "SNOWFLAKE_PORT": "{closed_port}",
            "SNOWFLAKE_PROTOCOL": "http",
            "HOSPITAL_SNOWFLAKE_LOGIN_TIMEOUT": "2",
            **SNOWFLAKE_LOGIN,
        },
    ),
]


def test_at_least_thirty_distinct_cases() -> None:
    assert len(CASES) >= 30 and len({c.id for c in CASES}) == len(CASES)
    assert {c.args[0] for c in CASES} >= {"generate", "load", "transform", "analyze", "export", "run-all"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> ps.SharedRun:
    return ps.shared_run(tmp_path_factory)


@pytest.fixture(scope="module")
def shared_before(shared: ps.SharedRun) -> dict:
    """The shared output as the hostile cases found it (checked again after the last one)."""
    return {
        "files": ps.stable_digests(ps.file_digests(shared.out)),
        "raw": ps.raw_content(shared.settings),
        "marts": ps.marts_content(shared.settings),
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


@pytest.mark.slow  # 60+ commands against the shared run-all
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(
    case: Case, shared: ps.SharedRun, shared_before: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("not what you think\n")
    key = tmp_path / "rsa_key.p8"
    key.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    values = {
        "shared": str(shared.out),
        "tmp": str(tmp_path),
        "key": str(key),
        "file": str(plain),
        "closed_port": str(ps.free_port()),
    }
    if case.secret:
        monkeypatch.setenv("SNOWFLAKE_PASSWORD", ps.SECRET)
        monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_FILE_PWD", ps.SECRET)
    for name, value in case.env.items():
        monkeypatch.setenv(name, _fill(value, values))
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    result = ps.invoke(*[_fill(arg, values) for arg in case.args])
    ps.assert_one_error(result, case.code, case.expected)
    if case.code == 2:
        assert list(work.iterdir()) == [], f"a usage/config error wrote {list(work.iterdir())}"
    assert not (tmp_path / "nothing").exists() or not any((tmp_path / "nothing").rglob("*.csv"))


@pytest.mark.slow  # 60+ commands against the shared run-all
def test_shared_output_untouched_by_the_hostile_cases(shared: ps.SharedRun, shared_before: dict) -> None:
    """Runs after every case above (same module, declared last): not a byte of the shared run changed."""
    assert ps.stable_digests(ps.file_digests(shared.out)) == shared_before["files"]
    assert ps.raw_content(shared.settings) == shared_before["raw"]
    assert ps.marts_content(shared.settings) == shared_before["marts"]
