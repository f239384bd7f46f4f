"""The Tableau workbook writer: ``tableau/dashboard.json`` plus a data file -> ``.twb`` and ``.twbx``.

The spec (in the repository's ``tableau/`` folder, packaged inside the wheel) names the fields, the
calculations, the filters, the worksheets and the dashboard layout. The writer takes every column's type
from the data file the workbook points at (a Hyper extract or a plain CSV file), so the workbook's fields
always match its data. Paths in the workbook are relative to the workbook's folder, so the export folder
can be moved; the ``.twbx`` holds the workbook at its root and the data file under the same relative path.

Only the standard library is used here (``xml.etree``, ``zipfile``): the writer works without pantab.
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

from hospital_analytics import kpis
from hospital_analytics.errors import ExportError
from hospital_analytics.fsutil import atomic_path
from hospital_analytics.layout import tableau_source_dir

SPEC_FILE = "dashboard.json"
USER_NS = "http://www.tableausoftware.com/xml/user"
WORKBOOK_VERSION = "18.1"
SOURCE_BUILD = "2023.1.0 (20231.23.0000.0000)"  # the release whose published schema the workbook follows

ET.register_namespace("user", USER_NS)

# Tableau's datatype for each file column type, and the OLE DB type codes Tableau records for them.
TABLEAU_TYPES = ("integer", "real", "string", "boolean", "date", "datetime")
_REMOTE_TYPE = {"integer": 20, "real": 5, "string": 129, "boolean": 11, "date": 133, "datetime": 135}
_AGGREGATION = {
    "integer": "Sum",
    "real": "Sum",
    "string": "Count",
    "boolean": "Count",
    "date": "Year",
    "datetime": "Year",
}


def tableau_type(arrow_type: Any) -> str:
    """Tableau's datatype for a pyarrow type (integer, real, string, boolean, date or datetime)."""
    import pyarrow as pa

    t = arrow_type
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
    if pa.types.is_string(t) or pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", bool)(t):
        return "string"
    raise ExportError(
        f"Column type {t} has no Tableau equivalent.", "Cast the column in the dbt model to a plain type."
    )


@dataclass(frozen=True)
class DataColumn:
    name: str
    datatype: str  # one of TABLEAU_TYPES


@dataclass(frozen=True)
class WorkbookData:
    """The data file a workbook reads: a Hyper extract or a plain CSV file, relative to the workbook."""

    kind: str  # "hyper" or "csv"
    relpath: str  # POSIX path relative to the workbook's folder, e.g. "hyper/fct_hospitalizations.hyper"
    columns: tuple[DataColumn, ...]

    @property
    def filename(self) -> str:
        return PurePosixPath(self.relpath).name

    @property
    def directory(self) -> str:
        parent = str(PurePosixPath(self.relpath).parent)
        return parent

    @classmethod
    def from_schema(cls, kind: str, relpath: str, schema: Any) -> WorkbookData:
        """From a pyarrow schema (the types the data file was written with)."""
        columns = tuple(DataColumn(f.name, tableau_type(f.type)) for f in schema)
        return cls(kind, relpath, columns)


@dataclass(frozen=True)
class WorkbookFiles:
    twb: Path
    twbx: Path


def load_spec(path: Path | None = None) -> dict[str, Any]:
    """The dashboard spec (default: ``tableau/dashboard.json`` from the package or the repository)."""
    path = Path(path) if path is not None else tableau_source_dir() / SPEC_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"The Tableau dashboard spec {path} is missing.", "Reinstall hospital-analytics.") from None
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"The Tableau dashboard spec {path} is not valid JSON (line {exc.lineno}).",
            "Fix the file or restore it from the repository.",
        ) from None


# --- field references ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Instance:
    """A column-instance: a field as a worksheet uses it (a dimension, a month, an aggregate)."""

    column: str  # [name] of the datasource column
    name: str  # [derivation:name:suffix]
    derivation: str
    type: str  # nominal, ordinal or quantitative


class _Fields:
    """Resolves the spec's shelf items against the data file's columns and the calculations."""

    def __init__(self, spec: dict[str, Any], data: WorkbookData):
        self.spec = spec
        self.types = {c.name: c.datatype for c in data.columns}
        self.calcs: dict[str, dict[str, Any]] = {**kpi_calculations(), **spec.get("calculations", {})}
        self.ds = spec["datasource"]["name"]
        for name, calc in self.calcs.items():
            if calc.get("datatype") not in TABLEAU_TYPES:
                raise ExportError(
                    f"Calculation {name!r} in the dashboard spec has no valid datatype.",
                    f"Use one of {', '.join(TABLEAU_TYPES)}.",
                )
        missing = [n for n in self.used_columns() if n not in self.types]
        if missing:
            raise ExportError(
                f"The dashboard uses columns missing from {data.relpath}: {', '.join(sorted(missing))}.",
                "Rebuild the marts with `hospital transform`, then export again.",
            )

    def used_columns(self) -> set[str]:
        names: set[str] = set()
        for item in self._shelf_items():
            kind, _, name = item.partition(":")
            if kind in ("dim", "month"):
                names.add(name)
        for f in self.spec.get("filters", []):
            names.add(f["field"])
        for calc in self.calcs.values():
            names.update(_formula_fields(calc["formula"]))
        return names

    def _shelf_items(self) -> Iterable[str]:
        for ws in self.spec["worksheets"]:
            yield from ws.get("rows", [])
            yield from ws.get("cols", [])
            for key in ("text", "color", "label"):
                if ws.get(key):
                    yield ws[key]

    def role(self, name: str) -> tuple[str, str]:
        """(role, type) of a data column: from the spec when given, else from its datatype."""
        datatype = self.types[name]
        role = self.spec.get("fields", {}).get(name, {}).get("role")
        if role is None:
            role = "measure" if datatype in ("integer", "real") else "dimension"
        if role == "measure":
            return "measure", "quantitative"
        if datatype in ("string", "boolean"):
            return "dimension", "nominal"
        return "dimension", "ordinal"

    def instance(self, item: str) -> _Instance:
        kind, _, name = item.partition(":")
        if kind == "calc":
            if name not in self.calcs:
                raise ExportError(
                    f"The dashboard spec uses an unknown calculation {name!r}.",
                    'Define it under "calculations" in tableau/dashboard.json.',
                )
            return _Instance(f"[{calc_column(name)}]", f"[usr:{calc_column(name)}:qk]", "User", "quantitative")
        if kind == "dim":
            _, type_ = self.role(name)
            type_ = "ordinal" if type_ == "quantitative" else type_
            suffix = "nk" if type_ == "nominal" else "ok"
            return _Instance(f"[{name}]", f"[none:{name}:{suffix}]", "None", type_)
        if kind == "month":
            return _Instance(f"[{name}]", f"[tmn:{name}:qk]", "Month-Trunc", "quantitative")
        if kind == "range":
            return _Instance(f"[{name}]", f"[none:{name}:qk]", "None", "quantitative")
        raise ExportError(
            f"The dashboard spec has an unknown shelf item {item!r}.", "Use dim:COLUMN, month:COLUMN or calc:NAME."
        )

    def qualified(self, item: str) -> str:
        return f"[{self.ds}].{self.instance(item).name}"

    def filter_item(self, flt: dict[str, Any]) -> str:
        return ("range:" if flt["kind"] == "range" else "dim:") + flt["field"]

    def dependencies(self, parent: ET.Element, items: Sequence[str]) -> None:
        """<datasource-dependencies>: the columns (and calculations) plus the instances ``items`` use."""
        deps = ET.SubElement(parent, "datasource-dependencies", datasource=self.ds)
        instances = [self.instance(i) for i in dict.fromkeys(items)]
        columns: dict[str, None] = {}
        for inst in instances:
            columns[inst.column] = None
            if inst.derivation == "User":
                calc = self.calcs[inst.column.strip("[]").removeprefix("Calculation_")]
                for used in _formula_fields(calc["formula"]):
                    columns[f"[{used}]"] = None
        for column in sorted(columns):
            self.column_element(deps, column.strip("[]"))
        for inst in sorted(instances, key=lambda i: i.name):
            ET.SubElement(
                deps,
                "column-instance",
                column=inst.column,
                derivation=inst.derivation,
                name=inst.name,
                pivot="key",
                type=inst.type,
            )

    def column_element(self, parent: ET.Element, name: str) -> ET.Element:
        """A datasource <column>: a data column (caption, role, type) or a calculation."""
        if name.startswith("Calculation_"):
            key = name.removeprefix("Calculation_")
            calc = self.calcs[key]
            attrs = {"caption": calc["caption"], "datatype": calc["datatype"]}
            if calc.get("format"):
                attrs["default-format"] = calc["format"]
            attrs.update(name=f"[{name}]", role="measure", type="quantitative")
            col = ET.SubElement(parent, "column", attrs)
            ET.SubElement(col, "calculation", {"class": "tableau", "formula": calc["formula"]})
            return col
        meta = self.spec.get("fields", {}).get(name, {})
        role, type_ = self.role(name)
        attrs = {"caption": meta.get("caption", name), "datatype": self.types[name]}
        if meta.get("format"):
            attrs["default-format"] = meta["format"]
        attrs.update(name=f"[{name}]", role=role, type=type_)
        col = ET.SubElement(parent, "column", attrs)
        if meta.get("aliases"):
            aliases = ET.SubElement(col, "aliases")
            for key, value in meta["aliases"].items():
                ET.SubElement(aliases, "alias", key=f'"{key}"', value=value)
        return col


def kpi_calculations() -> dict[str, dict[str, Any]]:
    """A calculated field per headline KPI the workbook's data can compute (one row per stay), generated from
    the KPIs' single definition (``hospital_analytics.kpis``), named after the metric: ``calc:<metric>``."""
    return {
        k.name: {
            "caption": k.label,
            "formula": k.tableau_formula(),
            "datatype": "integer" if k.format == "integer" else "real",
            "format": k.tableau_format(),
        }
        for k in kpis.headline()
        if k.tableau
    }


def calc_column(name: str) -> str:
    return f"Calculation_{name}"


def _formula_fields(formula: str) -> list[str]:
    return re.findall(r"\[([^\]]+)\]", formula)


# --- the workbook -------------------------------------------------------------------------------------------


def build_workbook(spec: dict[str, Any], data: WorkbookData) -> ET.Element:
    """The workbook's XML tree for ``data`` (see the module docstring)."""
    fields = _Fields(spec, data)
    root = ET.Element(
        "workbook",
        {
            "original-version": WORKBOOK_VERSION,
            "source-build": SOURCE_BUILD,
            "source-platform": "linux",
            "version": WORKBOOK_VERSION,
        },
    )
    prefs = ET.SubElement(root, "preferences")
    ET.SubElement(prefs, "preference", name="ui.encoding.shelf.height", value="24")
    ET.SubElement(prefs, "preference", name="ui.shelf.height", value="26")
    _datasource(ET.SubElement(root, "datasources"), spec, fields, data)
    _shared_filters(root, spec, fields)
    worksheets = ET.SubElement(root, "worksheets")
    for ws in spec["worksheets"]:
        _worksheet(worksheets, ws, spec, fields)
    _dashboard(ET.SubElement(root, "dashboards"), spec, fields)
    _windows(root, spec)
    return root


def _datasource(parent: ET.Element, spec: dict[str, Any], fields: _Fields, data: WorkbookData) -> None:
    ds_spec = spec["datasource"]
    ds = ET.SubElement(
        parent, "datasource", caption=ds_spec["caption"], inline="true", name=fields.ds, version=WORKBOOK_VERSION
    )
    federated = ET.SubElement(ds, "connection", {"class": "federated"})
    named = ET.SubElement(
        ET.SubElement(federated, "named-connections"),
        "named-connection",
        caption=data.filename,
        name=f"{data.kind}.{spec['table']}",
    )
    if data.kind == "hyper":
        ET.SubElement(
            named,
            "connection",
            {
                "class": "hyper",
                "dbname": data.relpath,
                "default-settings": "yes",
                "schema": "Extract",
                "sslmode": "",
                "tablename": "Extract",
                "username": "tableau_internal_user",
            },
        )
        relation_name = "Extract"
        ET.SubElement(
            federated,
            "relation",
            connection=named.get("name", ""),
            name=relation_name,
            table="[Extract].[Extract]",
            type="table",
        )
    else:
        ET.SubElement(
            named,
            "connection",
            {
                "class": "textscan",
                "directory": data.directory,
                "filename": data.filename,
                "password": "",
                "server": "",
            },
        )
        relation_name = data.filename
        stem = data.filename.rsplit(".", 1)[0]
        relation = ET.SubElement(
            federated,
            "relation",
            connection=named.get("name", ""),
            name=relation_name,
            table=f"[{stem}#csv]",
            type="table",
        )
        columns = ET.SubElement(
            relation,
            "columns",
            {
                "character-set": "UTF-8",
                "header": "yes",
                "locale": "en_US",
                "separator": ",",
            },
        )
        for ordinal, col in enumerate(data.columns):
            attrs = {"datatype": col.datatype}
            if col.datatype == "date":
                attrs["date-parse-format"] = "yyyy-MM-dd"
            attrs.update(name=col.name, ordinal=str(ordinal))
            ET.SubElement(columns, "column", attrs)
    records = ET.SubElement(federated, "metadata-records")
    for ordinal, col in enumerate(data.columns):
        record = ET.SubElement(records, "metadata-record", {"class": "column"})
        for tag, text in (
            ("remote-name", col.name),
            ("remote-type", str(_REMOTE_TYPE[col.datatype])),
            ("local-name", f"[{col.name}]"),
            ("parent-name", f"[{relation_name}]"),
            ("remote-alias", col.name),
            ("ordinal", str(ordinal)),
            ("local-type", col.datatype),
            ("aggregation", _AGGREGATION[col.datatype]),
            ("contains-null", "true"),
        ):
            ET.SubElement(record, tag).text = text
    ET.SubElement(ds, "aliases", enabled="yes")
    for col in data.columns:
        fields.column_element(ds, col.name)
    for name in fields.calcs:
        fields.column_element(ds, calc_column(name))
    ET.SubElement(
        ds, "layout", {"dim-ordering": "alphabetic", "measure-ordering": "alphabetic", "show-structure": "true"}
    )


def _filter(parent: ET.Element, flt: dict[str, Any], fields: _Fields) -> None:
    item = fields.filter_item(flt)
    column = fields.qualified(item)
    if flt["kind"] == "range":
        ET.SubElement(parent, "filter", {"class": "quantitative", "column": column, "included-values": "all"})
        return
    element = ET.SubElement(parent, "filter", {"class": "categorical", "column": column})
    ET.SubElement(
        element,
        "groupfilter",
        {
            "function": "level-members",
            "level": fields.instance(item).name,
            f"{{{USER_NS}}}ui-enumeration": "all",
            f"{{{USER_NS}}}ui-marker": "enumerate",
        },
    )


def _shared_filters(root: ET.Element, spec: dict[str, Any], fields: _Fields) -> None:
    """Filters applied to every worksheet on the data source (Tableau's "All using this data source")."""
    filters = spec.get("filters", [])
    if not filters:
        return
    view = ET.SubElement(ET.SubElement(root, "shared-views"), "shared-view", name=fields.ds)
    ET.SubElement(
        ET.SubElement(view, "datasources"), "datasource", caption=spec["datasource"]["caption"], name=fields.ds
    )
    fields.dependencies(view, [fields.filter_item(f) for f in filters])
    for flt in filters:
        _filter(view, flt, fields)


def _worksheet(parent: ET.Element, ws: dict[str, Any], spec: dict[str, Any], fields: _Fields) -> None:
    sheet = ET.SubElement(parent, "worksheet", name=ws["name"])
    if ws.get("title"):
        title = ET.SubElement(ET.SubElement(sheet, "layout-options"), "title")
        ET.SubElement(ET.SubElement(title, "formatted-text"), "run").text = ws["title"]
    table = ET.SubElement(sheet, "table")
    view = ET.SubElement(table, "view")
    ET.SubElement(
        ET.SubElement(view, "datasources"), "datasource", caption=spec["datasource"]["caption"], name=fields.ds
    )
    encodings = {key: ws[key] for key in ("color", "text", "label") if ws.get(key)}
    filter_items = [fields.filter_item(f) for f in spec.get("filters", [])]
    used = [*ws.get("rows", []), *ws.get("cols", []), *encodings.values()]
    fields.dependencies(view, [*used, *filter_items])
    if filter_items:
        slices = ET.SubElement(view, "slices")
        for item in filter_items:
            ET.SubElement(slices, "column").text = fields.qualified(item)
    ET.SubElement(view, "aggregation", value="true")
    style = ET.SubElement(table, "style")
    if ws["mark"] == "Text":
        rule = ET.SubElement(style, "style-rule", element="worksheet")
        ET.SubElement(rule, "format", attr="display-field-labels", scope="cols", value="false")
    panes = ET.SubElement(table, "panes")
    pane = ET.SubElement(panes, "pane", {"selection-relaxation-option": "selection-relaxation-allow"})
    ET.SubElement(ET.SubElement(pane, "view"), "breakdown", value="auto")
    ET.SubElement(pane, "mark", {"class": ws["mark"]})
    if encodings:
        enc = ET.SubElement(pane, "encodings")
        if "color" in encodings:
            ET.SubElement(enc, "color", column=fields.qualified(encodings["color"]))
        for key in ("text", "label"):
            if key in encodings:
                ET.SubElement(enc, "text", column=fields.qualified(encodings[key]))
    if ws["mark"] == "Text":
        label = ET.SubElement(ET.SubElement(pane, "customized-label"), "formatted-text")
        run = ET.SubElement(label, "run", bold="true", fontsize="28")
        run.text = f"<{fields.qualified(ws['text'])}>"
    if "label" in encodings or ws["mark"] == "Text":
        pane_style = ET.SubElement(pane, "style")
        rule = ET.SubElement(pane_style, "style-rule", element="mark")
        ET.SubElement(rule, "format", attr="mark-labels-show", value="true")
    ET.SubElement(table, "rows").text = _shelf(ws.get("rows", []), fields)
    ET.SubElement(table, "cols").text = _shelf(ws.get("cols", []), fields)
    _simple_id(sheet, "worksheet", ws["name"])


def _shelf(items: Sequence[str], fields: _Fields) -> str | None:
    if not items:
        return None
    refs = [fields.qualified(i) for i in items]
    return refs[0] if len(refs) == 1 else "(" + " / ".join(refs) + ")"


def _dashboard(parent: ET.Element, spec: dict[str, Any], fields: _Fields) -> None:
    board_spec = spec["dashboard"]
    board = ET.SubElement(parent, "dashboard", name=board_spec["name"])
    ET.SubElement(board, "style")
    width, height = str(board_spec["width"]), str(board_spec["height"])
    ET.SubElement(board, "size", maxheight=height, maxwidth=width, minheight=height, minwidth=width)
    zones = ET.SubElement(board, "zones")
    ids = iter(range(1, 10_000))

    def zone(into: ET.Element, x: int, y: int, w: int, h: int, **attrs: str) -> ET.Element:
        ordered = {"h": str(h), "id": str(next(ids)), **attrs, "w": str(w), "x": str(x), "y": str(y)}
        return ET.SubElement(into, "zone", ordered)

    top = zone(zones, 0, 0, 100_000, 100_000, **{"type-v2": "layout-basic"})
    rows = board_spec["rows"]
    title_h = 100_000 - sum(r["height"] for r in rows)
    title = zone(top, 0, 0, 100_000, title_h, **{"type-v2": "text"})
    run = ET.SubElement(ET.SubElement(title, "formatted-text"), "run", bold="true", fontsize="18")
    run.text = board_spec["title"]
    panel_w = board_spec["filter_panel_width"]
    main_w = 100_000 - panel_w
    body_h = 100_000 - title_h
    body = zone(top, 0, title_h, 100_000, body_h, param="horz", **{"type-v2": "layout-flow"})
    main = zone(body, 0, title_h, main_w, body_h, param="vert", **{"type-v2": "layout-flow"})
    y = title_h
    for row in rows:
        line = zone(main, 0, y, main_w, row["height"], param="horz", **{"type-v2": "layout-flow"})
        sheets = row["sheets"]
        x = 0
        for i, name in enumerate(sheets):
            w = main_w - x if i == len(sheets) - 1 else main_w // len(sheets)
            zone(line, x, y, w, row["height"], name=name)
            x += w
        y += row["height"]
    panel = zone(body, main_w, title_h, panel_w, body_h, param="vert", **{"type-v2": "layout-flow"})
    owner = spec["worksheets"][-1]["name"]  # any worksheet: the filters are shared by all of them
    filters = spec.get("filters", [])
    y = title_h
    for i, flt in enumerate(filters):
        h = body_h - (len(filters) - 1) * (body_h // len(filters)) if i == len(filters) - 1 else body_h // len(filters)
        attrs = {"name": owner, "param": fields.qualified(fields.filter_item(flt)), "type-v2": "filter"}
        if flt["kind"] == "list":
            attrs = {"mode": "checkdropdown", **attrs}
        zone(panel, main_w, y, panel_w, h, **attrs)
        y += h
    _simple_id(board, "dashboard", board_spec["name"])


def _simple_id(parent: ET.Element, *key: str) -> None:
    """Tableau's stable identifier of a sheet or window (derived from its name: same spec, same bytes)."""
    value = uuid.uuid5(uuid.NAMESPACE_URL, "hospital-analytics/" + "/".join(key))
    ET.SubElement(parent, "simple-id", uuid="{" + str(value).upper() + "}")


def _windows(root: ET.Element, spec: dict[str, Any]) -> None:
    windows = ET.SubElement(root, "windows", {"source-height": "30"})
    for ws in spec["worksheets"]:
        window = ET.SubElement(windows, "window", {"class": "worksheet", "hidden": "true", "name": ws["name"]})
        cards = ET.SubElement(window, "cards")
        left = ET.SubElement(ET.SubElement(cards, "edge", name="left"), "strip", size="160")
        for card in ("pages", "filters", "marks"):
            ET.SubElement(left, "card", type=card)
        top = ET.SubElement(cards, "edge", name="top")
        for card, size in (("columns", "2147483647"), ("rows", "2147483647"), ("title", "31")):
            ET.SubElement(ET.SubElement(top, "strip", size=size), "card", type=card)
        _simple_id(window, "window", ws["name"])
    board = spec["dashboard"]["name"]
    window = ET.SubElement(windows, "window", {"class": "dashboard", "maximized": "true", "name": board})
    viewpoints = ET.SubElement(window, "viewpoints")
    for ws in spec["worksheets"]:
        ET.SubElement(ET.SubElement(viewpoints, "viewpoint", name=ws["name"]), "zoom", type="entire-view")
    ET.SubElement(window, "active", id="-1")
    _simple_id(window, "window", board)


def workbook_bytes(spec: dict[str, Any], data: WorkbookData) -> bytes:
    root = build_workbook(spec, data)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ("<?xml version='1.0' encoding='utf-8' ?>\n\n" + body + "\n").encode("utf-8")


def write_workbooks(export_dir: Path, data: WorkbookData, spec: dict[str, Any] | None = None) -> WorkbookFiles:
    """Write ``<name>.twb`` beside its data in ``export_dir`` and the packaged ``<name>.twbx``.

    The data file must already be at ``export_dir / data.relpath``. Both files are written under a
    temporary name and renamed.

    Raises:
        ExportError: the data file is missing or the spec does not match it.
    """
    spec = spec if spec is not None else load_spec()
    export_dir = Path(export_dir)
    data_file = export_dir / data.relpath
    if not data_file.is_file():
        raise ExportError(f"The workbook's data file {data_file} is missing.", "Run `hospital export` again.")
    content = workbook_bytes(spec, data)
    twb = export_dir / f"{spec['workbook']}.twb"
    twbx = export_dir / f"{spec['workbook']}.twbx"
    with atomic_path(twb) as tmp:
        tmp.write_bytes(content)
    with atomic_path(twbx) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr(twb.name, content)
            # A Hyper extract is stored as it is (Hyper compresses its own blocks): deflating it again saved a
            # third of its size but cost 3-13 s at 10M stays (bench/bench_export.py); a CSV is deflated (fast).
            kind = zipfile.ZIP_STORED if data.kind == "hyper" else zipfile.ZIP_DEFLATED
            zf.write(data_file, data.relpath, compress_type=kind, compresslevel=1)
    return WorkbookFiles(twb, twbx)
