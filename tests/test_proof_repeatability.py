"""Repeatability: `run-all` twice with one seed gives identical marts and exports; reruns of `load` and
`transform` never duplicate a row.

Run 1 is the session's shared `hospital run-all` (no configuration: seed 42, default size), snapshotted
right after it ran; run 2 is the same command in another empty folder.

What is byte-identical between the two runs (checked below): the raw CSVs, the feed partitions, every export
``.csv.gz`` (gzip header without a timestamp), every export ``.parquet``, ``hospital_dashboard.twb`` and the
chart PNGs.
What is not, and why: ``data/manifest.json`` (its ``generated_at``), the ``.hyper`` extracts (Hyper writes
its own ids and times into the file) and so ``hospital_dashboard.twbx`` (which packs one), ``report.html``
(its creation time) and ``hospital.duckdb`` (page layout). For those the decoded content is compared
instead: the manifest without ``generated_at``, the Hyper tables row for row, the .twbx's members.
"""

from __future__ import annotations

import json
import zipfile

import pyarrow.csv as pacsv
import pytest

import helpers.proof as ps
from helpers import clean_env
from hospital_analytics.config import Settings
from hospital_analytics.layout import RAW_TABLES, OutputLayout
from hospital_analytics.transformation.feed import INCREMENTAL_MODELS

pytestmark = pytest.mark.slow  # run-all twice, ten loads and three transforms


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> ps.SharedRun:
    return ps.shared_run(tmp_path_factory)


@pytest.fixture(scope="module")
def second(shared: ps.SharedRun, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`hospital run-all` again, with the same (default) configuration, in another empty folder."""
    root = tmp_path_factory.mktemp("second_run")
    with clean_env(root):
        result = ps.invoke("run-all")
    assert result.exit_code == 0, result.output
    settings = Settings(output_dir=root / "hospital_output")
    return {
        "settings": settings,
        "out": root / "hospital_output",
        "marts": ps.marts_content(settings),
        "raw": ps.raw_content(settings),
        "exports": ps.export_data(settings.layout.export_dir),
        "digests": ps.file_digests(root / "hospital_output"),
    }


BYTE_IDENTICAL_FOLDERS = ("data/csv/", "data/feed/", "export/csv/", "export/parquet/", "charts/")
BYTE_IDENTICAL_FILES = ("export/hospital_dashboard.twb",)


def test_same_seed_same_marts(shared: ps.SharedRun, second: dict) -> None:
    assert set(second["marts"]) == set(shared.marts)
    for table, rows in shared.marts.items():
        assert rows, f"{table} is empty"
        assert second["marts"][table] == rows, f"{table} differs between two runs with one seed"
    assert second["raw"] == shared.raw


def test_same_seed_same_exports(shared: ps.SharedRun, second: dict) -> None:
    first, again = shared.digests, second["digests"]
    assert {n for n in first if not n.startswith("dbt/")} == {n for n in again if not n.startswith("dbt/")}
    byte_identical = sorted(n for n in first if n.startswith(BYTE_IDENTICAL_FOLDERS) or n in BYTE_IDENTICAL_FILES)
    assert len(byte_identical) >= 4 + 2 * 10 + 1 + 8
    for name in byte_identical:
        assert again[name] == first[name], f"{name} is not byte-identical"
    # Decoded content of every export data file (CSV.gz, Parquet, Hyper).
    assert set(second["exports"]) == set(shared.exports) and len(shared.exports) >= 30
    for name, content in shared.exports.items():
        other = second["exports"][name]
        assert other.equals(content) if hasattr(content, "equals") else other == content, name
    # The packaged workbook: same members, the workbook itself byte for byte.
    with (
        zipfile.ZipFile(shared.out / "export/hospital_dashboard.twbx") as a,
        zipfile.ZipFile(second["out"] / "export/hospital_dashboard.twbx") as b,
    ):
        assert a.namelist() == b.namelist()
        for member in a.namelist():
            if member.endswith(".twb"):
                assert a.read(member) == b.read(member), member
    # The manifest: all but the time it was written.
    manifests = [json.loads((root / "data/manifest.json").read_text()) for root in (shared.out, second["out"])]
    for manifest in manifests:
        manifest.pop("generated_at")
    assert manifests[0] == manifests[1]


def _file_rows(settings: Settings) -> dict[str, int]:
    return {t: pacsv.read_csv(OutputLayout(settings.output_dir).csv(t)).num_rows for t in RAW_TABLES}


def test_ten_loads_and_repeated_transforms_never_duplicate_a_row(shared: ps.SharedRun, second: dict) -> None:
    """Ten `hospital load` runs into the same warehouse, with `hospital transform` after the 4th, 7th and
    10th: every RAW table keeps exactly its file's rows, every id once, and the marts stay those of run 1.

    Why three dbt builds and not ten: one build takes 10-25 s on this 2-core machine (most of it dbt's own
    start-up and its tests), so ten would take minutes. Only the daily feed's incremental models could
    accumulate rows (every other model is a view or a table rebuilt whole); they are checked with the marts,
    and the feed's RAW tables, appended by each load, keep exactly the partitions' rows.
    """
    settings = second["settings"]
    out = str(settings.output_dir)
    expected = _file_rows(settings)
    manifest = json.loads(OutputLayout(settings.output_dir).manifest.read_text(encoding="utf-8"))
    feed_rows = {t: int(v["rows"]) for t, v in manifest["feed"]["tables"].items()}
    first_feed_marts: dict[str, dict] = {}
    ids = {"patients": "patient_id", "doctors": "doctor_id", "hospitalizations": "hospitalization_id"}
    for run in range(1, 11):
        result = ps.invoke("load", "--out", out, "--json")
        assert result.exit_code == 0, result.output
        assert {t: v["rows"] for t, v in json.loads(result.stdout)["tables"].items()} == expected
        from hospital_analytics.warehouse import open_warehouse

        with open_warehouse(settings, read_only=True) as wh:
            for table in RAW_TABLES:
                q = wh.qualified("RAW", table)
                assert wh.query_df(f"SELECT COUNT(*) AS n FROM {q}").iloc[0, 0] == expected[table], (run, table)
                if table in ids:
                    distinct = wh.query_df(f"SELECT COUNT(DISTINCT {ids[table]}) AS n FROM {q}").iloc[0, 0]
                    assert distinct == expected[table], (run, table)
            for table, rows in feed_rows.items():  # appended only once, however often load runs
                q = wh.qualified("RAW", table)
                assert wh.query_df(f"SELECT COUNT(DISTINCT event_id) AS d, COUNT(*) AS n FROM {q}").iloc[
                    0
                ].tolist() == [
                    rows,
                    rows,
                ], (run, table)
        if run in (4, 7, 10):
            built = ps.invoke("transform", "--out", out, "--json")
            assert built.exit_code == 0, built.output
            nodes = json.loads(built.stdout)["nodes"]
            incremental = {n["node"] for n in nodes if n.get("materialized") == "incremental"}
            assert incremental == set(INCREMENTAL_MODELS)
            with open_warehouse(settings, read_only=True) as wh:  # rebuilt on the same events: the same rows
                feed_marts = {m: ps._table_rows(wh, settings.analytics_schema, m) for m in INCREMENTAL_MODELS}
            assert feed_marts == first_feed_marts.setdefault("rows", feed_marts), (
                f"feed models changed after load #{run}"
            )
            assert ps.marts_content(settings) == shared.marts, f"marts changed after load #{run}"
    assert ps.raw_content(settings) == shared.raw
