"""A small reading of the spec (shared spec submissions.md), independent of the pipeline and
of the demo: which rules a file breaks, the slot it is for, and the values it holds. Codes,
forms, value types and disaggregations come from the catalog."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

from core.catalog import Catalog

HEADERS = {
    "dataset": "dataset",
    "biểu mẫu": "dataset",
    "unit_code": "unit_code",
    "mã đơn vị": "unit_code",
    "period": "period",
    "kỳ báo cáo": "period",
    "indicator_code": "indicator_code",
    "mã chỉ tiêu": "indicator_code",
    "disaggregation": "disaggregation",
    "phân tổ": "disaggregation",
    "value": "value",
    "giá trị": "value",
    "note": "note",
    "ghi chú": "note",
}


def key(text: object) -> str:
    return unicodedata.normalize("NFC", str(text)).strip().rstrip(":").strip().casefold()


def plain_text(text: str) -> str:
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in t if not unicodedata.combining(c))


def parse_period(text: object) -> str | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(int(text))
    t = plain_text(unicodedata.normalize("NFC", str(text))).strip().casefold()
    roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
    if m := re.fullmatch(r"(\d{4})q([1-4])", t):
        return f"{m[1]}Q{m[2]}"
    if m := re.fullmatch(r"q([1-4])/(\d{4})", t):
        return f"{m[2]}Q{m[1]}"
    if m := re.fullmatch(r"quy (i|ii|iii|iv|[1-4])(?:/| nam )(\d{4})", t):
        return f"{m[2]}Q{roman.get(m[1]) or m[1]}"
    if m := re.fullmatch(r"(?:nam )?(\d{4})", t):
        return m[1]
    return None


def parse_unit(value: object) -> str:
    text = str(int(value)) if isinstance(value, (int, float)) else str(value)
    text = text.strip().upper()
    return text.zfill(3) if text.isdigit() else text


def parse_number(raw: object, vn: bool) -> float | None:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    t = str(raw).strip()
    if vn and re.fullmatch(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?", t):
        return float(t.replace(".", "").replace(",", "."))
    if not vn and re.fullmatch(r"-?\d+(\.\d+)?", t):
        return float(t)
    return None


def read_csv(data: bytes) -> tuple[dict | None, list[dict], bool]:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    elif data.startswith(b"\xff\xfe"):
        text = data[2:].decode("utf-16-le")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1258")
    text = unicodedata.normalize("NFC", text)
    first = text.splitlines()[0]
    delim = max(["\t", ";", ","], key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    cols = [HEADERS.get(key(h)) for h in rows[0]]
    out = [{c: v for c, v in zip(cols, r) if c} for r in rows[1:] if any(r)]
    return None, out, delim != ","


def read_xlsx(data: bytes) -> tuple[dict | None, list[dict], bool]:
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=False).worksheets[0]
    head: dict = {}
    out: list[dict] = []
    cols = None
    for row in ws.iter_rows(values_only=True):
        if cols is None:
            if any(isinstance(c, str) and key(c) == "mã chỉ tiêu" for c in row):
                cols = [HEADERS.get(key(c)) if c is not None else None for c in row]
            elif row and row[0] is not None and HEADERS.get(key(row[0])) in ("dataset", "unit_code", "period"):
                head[HEADERS[key(row[0])]] = row[1]
            continue
        if all(c is None or str(c).strip() == "" for c in row):
            break
        out.append({c: v for c, v in zip(cols, row) if c})
    if cols is None:
        head["__no_table__"] = True
    return head, out, True


def header_rules(catalog: Catalog, ds: str, unit: str, period: str | None) -> set[str]:
    """Rules 3 and 4 on what the file says it is."""
    broken: set[str] = set()
    if ds not in catalog.datasets:
        broken.add("3")
    unit_type = catalog.units[unit]["unit_type"] if unit in catalog.units else None
    if unit_type not in {row["submitter_type"] for row in catalog.datasets.values()}:
        broken.add("3")
    if ds in catalog.datasets and unit_type and catalog.datasets[ds]["submitter_type"] != unit_type:
        broken.add("3")
    quarterly = ds in catalog.datasets and catalog.datasets[ds]["period_type"] == "quarter"
    if period is None or not catalog.first_year <= int(period[:4]) <= catalog.last_year or ("Q" in period) != quarterly:
        broken.add("4")
    return broken


def row_rules(catalog: Catalog, ds: str, rows: list[dict], vn: bool) -> tuple[set[str], dict]:
    """Rules 3, 6 and 7 row by row, and the values read."""
    on_form = {row["indicator_code"] for row in catalog.dataset_indicators.get(ds, [])}
    broken: set[str] = set()
    values: dict = {}
    for r in rows:
        if r.get("value") is None or str(r.get("value")).strip() == "":
            continue  # a blank value is "not reported" (docs/design.md)
        ind = str(r.get("indicator_code") or "").strip()
        dis = str(r.get("disaggregation") or "").strip() or None
        if ind not in catalog.indicators or ind not in on_form:
            broken.add("3")
        allowed = [row["disaggregation_code"] for row in catalog.disaggregations.get(ind, [])]
        if bool(allowed) != (dis is not None) or (dis and dis not in allowed):
            broken.add("3")
        v = parse_number(r.get("value"), vn)
        vtype = catalog.indicators[ind]["value_type"] if ind in catalog.indicators else "count"
        if v is None or v < 0 or (vtype == "count" and v != int(v)) or (vtype == "percent" and v > 100):
            broken.add("6")
        if (ind, dis) in values:
            broken.add("7")
        values[(ind, dis)] = v
    return broken, values


def value_rules(catalog: Catalog, ds: str, values: dict) -> set[str]:
    """Rules 8 and 9 on the values read."""
    broken: set[str] = set()
    mandatory = {(i, b or None) for d, i, b in catalog.mandatory_items if d == ds}
    if not mandatory <= values.keys():
        broken.add("8")
    for pair in catalog.consistency_pairs:
        for (ind, dis), part in values.items():
            whole = values.get((pair.whole, dis))
            if ind == pair.part and part is not None and whole is not None and part > whole:
                broken.add("9")
    return broken


def validate(path: Path, catalog: Catalog) -> tuple[set[str], tuple | None, dict]:
    """Rules broken (spec numbers), the slot read, and the values read."""
    ext = path.suffix.lower()
    data = path.read_bytes()
    if ext not in (".csv", ".xlsx") or not data:
        return {"1"}, None, {}
    try:
        head, rows, vn = read_csv(data) if ext == ".csv" else read_xlsx(data)
    except Exception:
        return {"1"}, None, {}
    fields_present = set().union(*(r.keys() for r in rows)) if rows else set()
    if head is None:
        need = {"dataset", "unit_code", "period", "indicator_code", "value"}
        if not need <= fields_present:
            return {"2"}, None, {}
        heads = [(r["dataset"], r["unit_code"], r["period"]) for r in rows]
    else:
        if not {"dataset", "unit_code", "period"} <= head.keys() or not {"indicator_code", "value"} <= fields_present:
            return {"2"}, None, {}
        heads = [(head["dataset"], head["unit_code"], head["period"])]
    broken: set[str] = set()
    norm = {(str(d).strip(), parse_unit(u), parse_period(p)) for d, u, p in heads}
    if len(norm) > 1:
        broken.add("5")
    ds, unit, period = sorted(norm, key=str)[0]
    broken |= header_rules(catalog, ds, unit, period)
    found, values = row_rules(catalog, ds, rows, vn)
    broken |= found | value_rules(catalog, ds, values)
    notes = [str(r.get("note") or "") for r in rows]
    values["__formula__"] = any(n[:1] in ("=", "+", "-", "@") for n in notes)
    return broken, (ds, unit, period), values
