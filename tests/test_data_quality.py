"""Dirty data on purpose (issue 15, docs/design/defects.md), the catch half: data with defects loads as text
(no defect stops a load), dbt's staging rules detect every injected defect, and data_quality_issues equals
the ground-truth ledger data/defects.csv: precision and recall 100% per class. With no defects, quarantine
and issues are empty.

Data: the hand-made fixture of ``helpers.defects`` (generated CSVs edited as the contract says, every class),
and the injector's own output (``generate --defects realistic|chaos``) when it is there.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from helpers import clean_env
from helpers.defects import inject_by_hand
from hospital_analytics.simulation import generate
from hospital_analytics.transformation import transform
from hospital_analytics.warehouse import open_warehouse
from hospital_analytics.warehouse.loading import load

START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)
CODES = Path(__file__).parents[1] / "dbt_project" / "models" / "reference" / "diagnosis_codes.sql"
DIAGNOSES = Path(__file__).parents[1] / "src" / "hospital_analytics" / "simulation" / "reference" / "diagnoses.tsv"
QUARANTINES = (
    "quarantine_patients",
    "quarantine_hospitalizations",
    "quarantine_encounter_events",
    "quarantine_patient_events",
)

Key = tuple[str, str, str]


def _rows(out: Path, sql: str) -> list[dict]:
    with open_warehouse(output_dir=out) as wh:
        return [{k.lower(): v for k, v in r.items()} for r in wh.query_arrow(sql).to_pylist()]


def _table(out: Path, schema: str, table: str) -> str:
    with open_warehouse(output_dir=out) as wh:
        return wh.qualified(wh.analytics_schema if schema == "analytics" else wh.raw_schema, table)


def detected(out: Path) -> collections.Counter[Key]:
    rows = _rows(out, f"select table_name, record_key, defect from {_table(out, 'analytics', 'data_quality_issues')}")
    return collections.Counter((r["table_name"], str(r["record_key"]), r["defect"]) for r in rows)


def ledger(out: Path) -> collections.Counter[Key]:
    with (out / "data" / "defects.csv").open(newline="") as handle:
        return collections.Counter((r["table_name"], r["record_key"], r["defect"]) for r in csv.DictReader(handle))


def per_class(truth: collections.Counter[Key], found: collections.Counter[Key]) -> dict[str, tuple[int, int, int]]:
    """Per defect class: (injected, detected, detected and injected)."""
    classes = sorted({k[2] for k in truth} | {k[2] for k in found})
    hits = truth & found
    return {
        c: (
            sum(n for k, n in truth.items() if k[2] == c),
            sum(n for k, n in found.items() if k[2] == c),
            sum(n for k, n in hits.items() if k[2] == c),
        )
        for c in classes
    }


def assert_matches_ledger(out: Path) -> dict[str, tuple[int, int, int]]:
    """data_quality_issues equals defects.csv (as multisets); on failure the per-class table and examples."""
    truth, found = ledger(out), detected(out)
    table = per_class(truth, found)
    if truth != found:
        lines = [f"{'class':28} {'injected':>9} {'detected':>9} {'precision':>9} {'recall':>7}"]
        for c, (t, f, h) in table.items():
            lines.append(f"{c:28} {t:9} {f:9} {h / f if f else 1:9.1%} {h / t if t else 1:7.1%}")
        missed = list((truth - found).elements())[:8]
        extra = list((found - truth).elements())[:8]
        pytest.fail("\n".join([*lines, f"missed: {missed}", f"false: {extra}"]))
    return table


def test_diagnosis_code_catalogue_is_the_reference_one() -> None:
    with DIAGNOSES.open(newline="") as handle:
        reference = {row["code"] for row in csv.DictReader(handle, delimiter="\t")}
    assert re.findall(r"\('([^']+)'\)", CODES.read_text()) == sorted(reference)


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated CSVs with every class edited in by hand (helpers.defects), loaded as text and built."""
    folder = tmp_path_factory.mktemp("dq_hand")
    with clean_env(folder):
        out = folder / "out"
        generate(output_dir=out, hospitalizations=4000, start=START, end=END, seed=3)
        inject_by_hand(out / "data")
        load(output_dir=out, allow_edited=True)
        result = transform(output_dir=out)
        assert not result.failures, [(n.node, n.message) for n in result.failures]
        yield out


def test_hand_made_defects_load_as_text_with_the_ledger(hand_made: Path) -> None:
    types = _rows(
        hand_made,
        "select table_name, data_type from information_schema.columns where table_schema = 'RAW' "
        "and table_name in ('patients', 'hospitalizations', 'encounter_events', 'doctors') "
        "and column_name <> '_source_file'",
    )
    assert {r["data_type"] for r in types} == {"VARCHAR"}
    loaded = _rows(
        hand_made, f"select table_name, record_key, defect from {_table(hand_made, 'raw', 'defects_ledger')}"
    )
    assert collections.Counter((r["table_name"], r["record_key"], r["defect"]) for r in loaded) == ledger(hand_made)


def test_hand_made_defects_are_all_detected_and_nothing_else(hand_made: Path) -> None:
    table = assert_matches_ledger(hand_made)
    assert len(table) == 11  # every class


def test_quarantine_holds_the_unusable_rows_and_marts_the_clean_ones(hand_made: Path) -> None:
    reasons = _rows(
        hand_made,
        f"select reason, count(*) as n from {_table(hand_made, 'analytics', 'quarantine_hospitalizations')} group by 1",
    )
    counts = {r["reason"]: r["n"] for r in reasons}
    # the stays of the four patients held back (missing / impossible values) are held back with them
    assert counts.pop("held_back") >= 4
    assert counts == {
        "orphan_key": 2,
        "discharge_before_admission": 1,
        "impossible_value": 1,
        "invalid_code": 2,
        "missing_value": 3,
        "duplicate_row": 1,
    }
    issues = {
        r["defect"]
        for r in _rows(hand_made, f"select defect from {_table(hand_made, 'analytics', 'data_quality_issues')}")
    }
    fixed = _rows(
        hand_made,
        "select s.admission_type, s.admission_date, s.total_charges from "
        f"{_table(hand_made, 'analytics', 'stg_hospitalizations')} as s "
        f"where s.hospitalization_id in (select cast(record_key as bigint) from "
        f"{_table(hand_made, 'analytics', 'data_quality_issues')} "
        "where table_name = 'hospitalizations' and defect in ('inconsistent_format', 'unit_slip'))",
    )
    assert len(fixed) == 4 and {"inconsistent_format", "unit_slip"} <= issues
    assert {r["admission_type"] for r in fixed} <= {"Emergency", "Urgent", "Elective", "Newborn"}
    genders = _rows(hand_made, f"select distinct gender from {_table(hand_made, 'analytics', 'stg_patients')}")
    assert {r["gender"] for r in genders} == {"F", "M"}
    rules = _rows(hand_made, f"select defect, issues from {_table(hand_made, 'analytics', 'data_quality_rules')}")
    assert sum(r["issues"] for r in rules) == sum(ledger(hand_made).values())


def test_warn_tests_count_each_class(hand_made: Path) -> None:
    # the build of the fixture warned, it did not fail: every class has a warn test with its count
    rows = _rows(
        hand_made,
        f"select defect, sum(issues) as n from {_table(hand_made, 'analytics', 'data_quality_summary')} group by 1",
    )
    assert len(rows) == 11


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["realistic", "chaos"])
def test_injected_defects_are_detected_exactly(profile: str, tmp_path: Path) -> None:
    """generate --defects PROFILE (a few thousand stays, three months), load, transform on DuckDB:
    data_quality_issues equals defects.csv, every class at 100% precision and recall."""
    with clean_env(tmp_path):
        out = tmp_path / "out"
        generate(output_dir=out, hospitalizations=16000, start=START, end=END, seed=11, defects=profile)
        load(output_dir=out)
        result = transform(output_dir=out)
        assert not result.failures, [(n.node, n.message) for n in result.failures]
        table = assert_matches_ledger(out)
        print({c: t for c, (t, _, _) in table.items()})


def test_no_defects_no_issues_and_no_quarantine(tmp_path: Path) -> None:
    with clean_env(tmp_path):
        out = tmp_path / "out"
        generate(output_dir=out, hospitalizations=1500, start=START, end=END, seed=4)
        load(output_dir=out)
        result = transform(output_dir=out)
        assert result.success, [(n.node, n.message) for n in result.failures]
        assert not [n.node for n in result.tests if n.status == "warn"]
        for model in ("data_quality_issues", *QUARANTINES):
            assert _rows(out, f"select count(*) as n from {_table(out, 'analytics', model)}") == [{"n": 0}]
        assert not _rows(out, "select table_name from information_schema.tables where table_name = 'defects_ledger'")


@pytest.mark.snowflake
@pytest.mark.slow
def test_injected_defects_are_detected_exactly_on_snowflake(snowflake_overrides: dict, tmp_path: Path) -> None:
    """The same on Snowflake (the fakesnow server): load as text (CSV), the rules' SQL, the ledger matched."""
    with clean_env(tmp_path):
        out = tmp_path / "out"
        generate(output_dir=out, hospitalizations=6000, start=START, end=END, seed=11, defects="realistic")
        load(output_dir=out, **snowflake_overrides)
        result = transform(output_dir=out, **snowflake_overrides)
        assert not result.failures, [(n.node, n.message) for n in result.failures]
        with open_warehouse(output_dir=out, **snowflake_overrides) as wh:
            issues = wh.qualified(wh.analytics_schema, "data_quality_issues")
            rows = wh.query_arrow(f"select table_name, record_key, defect from {issues}").to_pylist()
            loaded = wh.query_arrow(
                f"select count(*) as n from {wh.qualified(wh.raw_schema, 'defects_ledger')}"
            ).to_pylist()
        found = collections.Counter((r["table_name"], str(r["record_key"]), r["defect"]) for r in rows)
        truth = ledger(out)
        assert loaded == [{"n": sum(truth.values())}]
        assert found == truth, per_class(truth, found)
