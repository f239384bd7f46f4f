"""Test helper: read a Tableau workbook back and check it against its data files, independently of the writer.

``data_references`` lists the files a workbook's connections point at (Hyper ``dbname``, text ``directory`` +
``filename``); ``file_types`` reads a data file's own column types (Hyper through pantab, CSV through
pyarrow's type inference) as Tableau datatypes; ``field_problems`` lists every field the workbook uses that
is missing from its file or has another type there.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.csv as pacsv
from lxml import etree

# Tableau's validator and schema, vendored (see tableau_schema/README.md).
VALIDATOR = Path(__file__).resolve().parent / "tableau_schema" / "validate_twb.py"


def validate(path: Path) -> subprocess.CompletedProcess:
    """Tableau's validator run on a workbook: return code 0 when the schema and the cross references hold."""
    return subprocess.run([sys.executable, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120)


def _arrow_to_tableau(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "real"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    raise AssertionError(f"unexpected type {t}")


def file_types(path: Path) -> dict[str, str]:
    """Column name -> Tableau datatype, read from the data file itself."""
    if path.suffix == ".hyper":
        import pantab

        table = pantab.frame_from_hyper(path, table=("Extract", "Extract"), return_type="pyarrow")
        return {f.name: _arrow_to_tableau(f.type) for f in table.schema}
    table = pacsv.read_csv(path)
    return {f.name: _arrow_to_tableau(f.type) for f in table.schema}


def parse(source: Path | bytes) -> etree._Element:
    if isinstance(source, bytes):
        return etree.fromstring(source)
    return etree.parse(str(source)).getroot()


def data_references(root: etree._Element) -> list[str]:
    """Relative paths of the data files the workbook's connections read."""
    refs = []
    for conn in root.iter("connection"):
        if conn.get("class") == "hyper":
            refs.append(conn.get("dbname"))
        elif conn.get("class") == "textscan":
            refs.append(str(PurePosixPath(conn.get("directory") or ".") / conn.get("filename")))
    return refs


def field_problems(root: etree._Element, base: Path) -> list[str]:
    """Every mismatch between the fields the workbook uses and its data files (empty list: all good)."""
    problems: list[str] = []
    for ds in root.iterfind("datasources/datasource"):
        refs = data_references(ds)
        if len(refs) != 1:
            problems.append(f"datasource {ds.get('name')} reads {len(refs)} files")
            continue
        path = base / refs[0]
        if not path.is_file():
            problems.append(f"{refs[0]} is missing")
            continue
        types = file_types(path)
        calcs = set()
        for col in ds.iterfind("column"):
            name = col.get("name").strip("[]")
            if col.find("calculation") is not None:
                calcs.add(name)
                for used in re.findall(r"\[([^\]]+)\]", col.find("calculation").get("formula")):
                    if used not in types:
                        problems.append(f"calculation {name} uses {used}, not in {refs[0]}")
                continue
            if name not in types:
                problems.append(f"column {name} not in {refs[0]}")
            elif types[name] != col.get("datatype"):
                problems.append(f"column {name}: workbook {col.get('datatype')}, file {types[name]}")
        for col in ds.iterfind(".//relation/columns/column"):
            if types.get(col.get("name")) != col.get("datatype"):
                problems.append(f"text column {col.get('name')}: {col.get('datatype')} vs {types.get(col.get('name'))}")
        for rec in ds.iterfind(".//metadata-record[@class='column']"):
            name = rec.findtext("remote-name")
            if types.get(name) != rec.findtext("local-type"):
                problems.append(f"metadata {name}: {rec.findtext('local-type')} vs {types.get(name)}")
        known = set(types) | calcs
        # every field a worksheet, a filter or the dashboard uses
        for deps in root.iter("datasource-dependencies"):
            if deps.get("datasource") != ds.get("name"):
                continue
            for col in deps.iterfind("column"):
                name = col.get("name").strip("[]")
                if name not in known:
                    problems.append(f"dependency {name} is not a field")
                elif name in types and types[name] != col.get("datatype"):
                    problems.append(f"dependency {name}: {col.get('datatype')} vs {types[name]}")
            for inst in deps.iterfind("column-instance"):
                if inst.get("column").strip("[]") not in known:
                    problems.append(f"instance {inst.get('name')} of unknown {inst.get('column')}")
        prefix = f"[{ds.get('name')}]."
        instances = {i.get("name") for i in root.iter("column-instance")}
        used = []
        for el in root.iter():
            for attr in ("column", "param"):
                value = el.get(attr) or ""
                if value.startswith(prefix):
                    used.append(value[len(prefix) :])
            if el.tag in ("rows", "cols", "column") and el.text and prefix in el.text:
                used += re.findall(re.escape(prefix) + r"(\[[^\]]+\])", el.text)
        for ref in used:
            if ref not in instances:
                problems.append(f"{ref} is used but not declared as a column-instance")
    return problems
