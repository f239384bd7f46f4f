"""Defect profiles and the --defects flag (issue 15): built-in and file profiles resolve to rates; a bad
profile is one line and exit 2 before anything is simulated; advance refuses other rates like --seed; the CLI
prints the counts per class (and --json carries them)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from hospital_analytics.cli import app
from hospital_analytics.defects.profiles import BUILT_IN, CLASSES, MAX_RATE, TABLE_CLASSES, resolve
from hospital_analytics.errors import ConfigError

runner = CliRunner()
WINDOW = ("--hospitalizations", "4000", "--seed", "3", "--start", "2025-01-01", "--end", "2025-02-15")


def test_built_in_profiles_rank_and_stay_in_range():
    assert set(BUILT_IN) == {"none", "light", "realistic", "chaos"}
    for name, rates in BUILT_IN.items():
        assert set(rates) == set(CLASSES) and resolve(name).rates == rates
        assert all(0 <= r <= MAX_RATE for r in rates.values())
        for classes in TABLE_CLASSES.values():
            assert sum(rates[c] for c in classes) <= 1
    assert not resolve("none").active and resolve(" Realistic ").name == "realistic"
    for c in CLASSES:
        assert 0 < BUILT_IN["light"][c] <= BUILT_IN["realistic"][c] < BUILT_IN["chaos"][c]


def test_profile_files_toml_and_yaml(tmp_path):
    (tmp_path / "p.toml").write_text("duplicate_row = 0.2\norphan_key = 0.1\n")
    (tmp_path / "p.yaml").write_text("duplicate_row: 0.2\norphan_key: 0.1\n")
    a, b = resolve(str(tmp_path / "p.toml")), resolve(str(tmp_path / "p.yaml"))
    assert a.rates == b.rates and a.rates["duplicate_row"] == 0.2 and a.rates["timezone_shift"] == 0.0
    assert a.active and a.name.endswith("p.toml")


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("bad.toml", "duplicate_rows = 0.1\n", "unknown defect class 'duplicate_rows'"),
        ("bad.yaml", "orphan_key: 0.6\n", "the rate of orphan_key is 0.6, outside 0..0.5"),
        ("neg.toml", "orphan_key = -0.1\n", "the rate of orphan_key is -0.1, outside 0..0.5"),
        ("word.yaml", "orphan_key: lots\n", "the rate of orphan_key must be a number"),
        ("list.yaml", "- orphan_key\n", "the file must hold `<class>: <rate>` pairs"),
        ("broken.toml", "orphan_key = [\n", "not valid TOML"),
        (
            "sum.toml",
            "duplicate_row = 0.5\norphan_key = 0.5\ninvalid_code = 0.5\n",
            "the rates of hospitalizations's classes add up to 1.5",
        ),
        ("profile.txt", "x", "not a profile name (none, light, realistic, chaos) nor a .toml/.yaml file"),
    ],
)
def test_a_bad_profile_is_one_line_and_exit_2(tmp_path, name, text, reason):
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(app, ["generate", *WINDOW, "--defects", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: Invalid --defects / HOSPITAL_DEFECTS"), lines
    assert reason in lines[0] and lines[1].startswith("Hint:")
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()  # refused before anything is written
    with pytest.raises(ConfigError, match="Invalid --defects"):
        resolve(str(path))


def test_missing_file_and_environment_variable(tmp_path):
    result = runner.invoke(
        app, ["generate", *WINDOW, "--out", str(tmp_path / "o")], env={"HOSPITAL_DEFECTS": str(tmp_path / "no.yaml")}
    )
    assert result.exit_code == 2 and "no such file" in result.stderr


@pytest.mark.slow
def test_cli_counts_table_json_and_advance_check(tmp_path):
    out = tmp_path / "o"
    result = runner.invoke(app, ["generate", *WINDOW, "--defects", "chaos", "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Defects injected (chaos); ground truth: data/defects.csv" in result.output
    for name in CLASSES:
        assert name in result.output
    ledger = (out / "data/defects.csv").read_text().splitlines()
    assert (
        f"total {len(ledger) - 1:,}".split()
        == [w for w in result.output.splitlines() if "total" in w][0].replace("│", " ").split()
    )

    refused = runner.invoke(app, ["advance", "--days", "1", "--defects", "realistic", "--out", str(out)])
    assert refused.exit_code == 2
    assert "was made with defects 'chaos', not 'realistic'." in refused.stderr
    (tmp_path / "same.yaml").write_text(json.dumps(BUILT_IN["chaos"]))  # JSON is YAML: the same rates, another name
    same = runner.invoke(
        app, ["advance", "--days", "1", "--defects", str(tmp_path / "same.yaml"), "--out", str(out), "--json"]
    )
    assert same.exit_code == 0, same.output
    found = json.loads(same.stdout)
    assert found["raw_text"] is True and found["defects_profile"] == "chaos"
    assert set(found["defects"]) == set(CLASSES) and sum(found["defects"].values()) > 0
    manifest = json.loads((out / "data/manifest.json").read_text())
    assert manifest["defects"]["counts"] == found["defects"]


def test_decisions_do_not_depend_on_chunks():
    """A row's class is a function of its key alone: deciding keys in two pieces or at once agrees."""
    from hospital_analytics.defects.inject import Context, assign

    ctx = Context(
        seed=9,
        profile=resolve("chaos"),
        last_day=20_000,
        first_second=0,
        patients=10,
        doctors=10,
        discharge_recorded=np.zeros(0, dtype=bool),
    )
    keys = np.arange(1, 50_001)
    whole = assign(ctx, "hospitalizations", keys)
    parts = np.concatenate(
        [assign(ctx, "hospitalizations", keys[:17_000]), assign(ctx, "hospitalizations", keys[17_000:])]
    )
    assert (whole == parts).all()
    shares = np.bincount(whole + 1, minlength=len(TABLE_CLASSES["hospitalizations"]) + 1)[1:] / len(keys)
    rates = np.array([BUILT_IN["chaos"][c] for c in TABLE_CLASSES["hospitalizations"]])
    assert np.abs(shares - rates).max() < 0.01


def test_calibration_doc_lists_every_built_in_rate():
    from pathlib import Path

    from hospital_analytics.defects.profiles import CLASS_TABLES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "calibration.md").read_text(encoding="utf-8")
    section = doc.split("## Defects", 1)[1].split("\n## ", 1)[0]
    for c in CLASSES:
        rates = " | ".join(f"{BUILT_IN[p][c]:g}" for p in ("light", "realistic", "chaos"))
        assert f"| `{c}` | {', '.join(CLASS_TABLES[c])} | {rates} |" in section, c
    assert section.count("**teaching choice**") >= 3


def test_run_all_passes_defects_to_generate_only(tmp_path):
    for args in (["--from", "load"], ["--days", "3"]):
        result = runner.invoke(app, ["run-all", *args, "--defects", "chaos", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, result.output
        assert "--defects cannot apply to it" in result.stderr, result.stderr
