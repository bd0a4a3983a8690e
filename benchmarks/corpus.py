"""Deterministic benchmark inputs: the bench catalog and a seeded corpus of report files.

The bench catalog is the project's catalog (catalog/*.csv, copied as is) plus:

- 4,000 generated reporting units of type `district` (so they submit DP-HUYEN and
  CNTT-NAM): 400 district-like codes `100`..`499` and 3,600 commune-like 5-digit codes
  `10000`..`13599` (each commune's parent is one of the 400 districts);
- 5 extra optional indicators on DP-HUYEN, so that a quarterly report has 15 values,
  as a national form would;
- a 10-year plan (2011-2020) and province/district targets for every year.

The corpus is one batch as it arrives around a deadline: each file is one unit's
DP-HUYEN report for 2020Q2 (15 rows, sometimes an optional one left out) or, for one
file in ten, its CNTT-NAM survey for 2019 (8 rows); 80 % CSV (comma, UTF-8, English or
Vietnamese headers, period codes written several ways), 20 % XLSX in the template;
5 % are broken, cycling through the spec's rules 2-9. Same seed, same bytes, same mtimes.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SOURCE_CATALOG = ROOT / "catalog"
BENCH_CATALOG = Path(__file__).resolve().parent / "catalog"
SEED = 20240605
N_UNITS = 4000
N_DISTRICTS = 400
FIRST_YEAR, LAST_YEAR = 2011, 2020
AS_OF = "2021-06-01"
PROVINCE_TIME = ZoneInfo("Asia/Ho_Chi_Minh")

# code, name, measure unit, value type, time aggregation, across units
# In the columns of catalog/indicators.csv.
BENCH_INDICATORS = [
    ("HT_TAPHUAN", "Số lớp tập huấn chuyển giao KHKT", "lớp", "count", "sum", "sum", "Training classes", "classes"),
    (
        "UD_TIENBO",
        "Số tiến bộ KHKT được ứng dụng vào sản xuất",
        "tiến bộ",
        "count",
        "last",
        "sum",
        "Technical advances applied",
        "advances",
    ),
    (
        "SK_SANGKIEN",
        "Số sáng kiến được công nhận",
        "sáng kiến",
        "count",
        "sum",
        "sum",
        "Initiatives recognised",
        "initiatives",
    ),
    (
        "KP_XAHOIHOA",
        "Kinh phí xã hội hóa cho KHCN",
        "triệu đồng",
        "amount",
        "last",
        "sum",
        "Private S&T funding",
        "million VND",
    ),
    (
        "HO_HUONGLOI_TYLE",
        "Tỷ lệ hộ được hưởng lợi từ mô hình",
        "%",
        "percent",
        "last",
        "mean",
        "Share of households benefiting",
        "%",
    ),
]
DP_HUYEN = [
    "NV_GIAO",
    "NV_TRIENKHAI",
    "NV_CUTHE",
    "NV_HOANTHANH",
    "DTDA_SOLUONG",
    "KP_BOTRI",
    "KP_GIAINGAN",
    "MH_NHANRONG",
    "SP_DACTRUNG",
    "TT_TIN",
    *[row[0] for row in BENCH_INDICATORS],
]
DP_OPTIONAL = ["DTDA_SOLUONG", "MH_NHANRONG", "SP_DACTRUNG", "TT_TIN", *[row[0] for row in BENCH_INDICATORS]]
DISAGGREGATIONS = ["TRUONGHOC", "BENHVIEN", "NHAHANG", "KHACHSAN"]
EN_HEADERS = ["dataset", "unit_code", "period", "indicator_code", "disaggregation", "value", "note"]
VI_HEADERS = ["Biểu mẫu", "Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Phân tổ", "Giá trị", "Ghi chú"]
NOTES = ["Đã nghiệm thu", "Số liệu ước tính", "Lũy kế từ đầu năm", "Theo báo cáo của các xã", "Đang rà soát"]
# The faults a bad file carries, cycled through (rule number of the spec in brackets).
FAULTS = [
    "negative_value",  # 6
    "unknown_unit",  # 3
    "mandatory_missing",  # 8
    "not_a_number",  # 6
    "inconsistent",  # 9
    "duplicate_value",  # 7
    "count_not_whole",  # 6
    "period_outside_plan",  # 4
    "unknown_indicator",  # 3
    "rows_disagree",  # 5 (CSV; a workbook has one header block, so XLSX gets period_outside_plan)
    "missing_field",  # 2
    "percent_over_100",  # 6 (DP-HUYEN; the survey has no percent, so it gets unknown_breakdown)
]


def unit_codes(n_units: int = N_UNITS) -> list[str]:
    """The generated units' codes: district-like first, then commune-like."""
    districts = [str(100 + i) for i in range(N_DISTRICTS)]
    communes = [str(10000 + i) for i in range(N_UNITS - N_DISTRICTS)]
    return (districts + communes)[:n_units]


# --- the bench catalog ---------------------------------------------------------------


def _read(name: str) -> tuple[list[str], list[list[str]]]:
    with (SOURCE_CATALOG / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    return rows[0], rows[1:]


def catalog_tables(n_units: int = N_UNITS) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Every table of the bench catalog: header and rows."""
    tables = {p.stem: _read(p.stem) for p in sorted(SOURCE_CATALOG.glob("*.csv"))}
    header, units = tables["units"]
    codes = unit_codes(n_units)
    for i, code in enumerate(codes):
        if i < N_DISTRICTS:
            units.append([code, f"Huyện thử nghiệm {code}", "district", "02", "2000-01-01", ""])
        else:
            parent = codes[(i - N_DISTRICTS) % N_DISTRICTS]  # a district-like unit
            units.append([code, f"Xã thử nghiệm {code}", "district", parent, "2000-01-01", ""])
    header, indicators = tables["indicators"]
    indicators += [list(row) for row in BENCH_INDICATORS]
    header, forms = tables["dataset_indicators"]
    forms += [["DP-HUYEN", row[0], "false"] for row in BENCH_INDICATORS]
    header, plan = tables["plan"]
    plan[0][header.index("first_year")] = str(FIRST_YEAR)
    plan[0][header.index("last_year")] = str(LAST_YEAR)
    header, targets = tables["targets"]
    have = {(r[0], r[1], r[2], r[3]) for r in targets}
    rng = random.Random(SEED)
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        wanted = [
            ("NV_TYLE_TRIENKHAI", ""),
            ("NV_TYLE_HOANTHANH", ""),
            ("KP_TYLE_GIAINGAN", ""),
            *[("CNTT_TYLE", b) for b in DISAGGREGATIONS],
            ("HO_HUONGLOI_TYLE", ""),
        ]
        for scope in ("province", "district"):
            for indicator, disaggregation in wanted:
                if (indicator, disaggregation, scope, str(year)) not in have:
                    targets.append([indicator, disaggregation, scope, str(year), str(rng.randint(40, 95)), "bench"])
    return tables


def write_catalog(directory: Path = BENCH_CATALOG, n_units: int = N_UNITS) -> Path:
    """Write the bench catalog (only files whose content changed), return its folder."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in catalog_tables(n_units).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        path = directory / f"{name}.csv"
        if not path.exists() or path.read_text(encoding="utf-8") != buffer.getvalue():
            path.write_text(buffer.getvalue(), encoding="utf-8")
    return directory


# --- the corpus ----------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    file_format: str  # csv | xlsx
    dataset: str
    unit: str
    period: str
    fault: str | None  # None: the file must be accepted
    rows: int  # value rows written

    @property
    def expected(self) -> str:
        return "rejected" if self.fault else "accepted"


def _dp_rows(rng: random.Random) -> list[list]:
    given = rng.randint(1, 6)
    tasks = rng.randint(3, 40)
    budget = round(rng.uniform(100, 8000), 1)
    values = {
        "NV_GIAO": given,
        "NV_TRIENKHAI": rng.randint(0, given),
        "NV_CUTHE": tasks,
        "NV_HOANTHANH": rng.randint(0, tasks),
        "DTDA_SOLUONG": rng.randint(0, 12),
        "KP_BOTRI": budget,
        "KP_GIAINGAN": round(budget * rng.uniform(0, 1), 1),
        "MH_NHANRONG": rng.randint(0, 8),
        "SP_DACTRUNG": rng.randint(0, 6),
        "TT_TIN": rng.randint(0, 40),
        "HT_TAPHUAN": rng.randint(0, 12),
        "UD_TIENBO": rng.randint(0, 10),
        "SK_SANGKIEN": rng.randint(0, 5),
        "KP_XAHOIHOA": round(rng.uniform(0, 2000), 2),
        "HO_HUONGLOI_TYLE": round(rng.uniform(0, 100), 1),
    }
    rows = [[code, "", values[code], ""] for code in DP_HUYEN]
    if rng.random() < 0.2:  # an optional indicator left out
        dropped = rng.choice(DP_OPTIONAL)
        rows = [r for r in rows if r[0] != dropped]
    return rows


def _cntt_rows(rng: random.Random) -> list[list]:
    rows = []
    for disaggregation in DISAGGREGATIONS:
        total = rng.randint(1, 200)
        rows += [["CNTT_TONG", disaggregation, total, ""], ["CNTT_UNGDUNG", disaggregation, rng.randint(0, total), ""]]
    return rows


def _add_notes(rows: list[list], rng: random.Random) -> None:
    for row in rows:
        if rng.random() < 0.08:
            row[3] = rng.choice(NOTES)
        elif rng.random() < 0.003:
            row[3] = "=SUM(F8:F9)"  # formula-like text: kept, flagged


def _period_text(period: str, rng: random.Random, xlsx: bool) -> object:
    if len(period) == 4:
        return rng.choice([period, period, f"Năm {period}"]) if not xlsx else rng.choice([int(period), f"Năm {period}"])
    year, quarter = period[:4], period[5]
    return rng.choice([period, period, f"Q{quarter}/{year}", f"Quý {quarter}/{year}"])


def _apply_fault(fault: str, rows: list[list], head: dict, dataset: str, xlsx: bool) -> str:
    """Break the report as `fault` says; returns the fault actually applied."""
    if fault == "rows_disagree" and xlsx:
        fault = "period_outside_plan"
    if fault == "percent_over_100" and dataset != "DP-HUYEN":
        fault = "unknown_breakdown"
    first = {r[0]: r for r in rows}
    if fault == "negative_value":
        (first.get("NV_HOANTHANH") or first["CNTT_UNGDUNG"])[2] = -1
    elif fault == "not_a_number":
        rows[2][2] = "chưa có"
    elif fault == "count_not_whole":
        (first.get("NV_HOANTHANH") or first["CNTT_UNGDUNG"])[2] = 0.5
    elif fault == "percent_over_100":
        first["HO_HUONGLOI_TYLE"][2] = 120.5
    elif fault == "mandatory_missing":
        victim = ("KP_BOTRI", "") if dataset == "DP-HUYEN" else ("CNTT_TONG", "BENHVIEN")
        rows[:] = [r for r in rows if (r[0], r[1]) != victim]
    elif fault == "duplicate_value":
        rows.append(list(rows[0]))
    elif fault == "inconsistent":
        if dataset == "DP-HUYEN":
            first["NV_TRIENKHAI"][2] = first["NV_GIAO"][2] + 2
        else:
            first["CNTT_UNGDUNG"][2] = first["CNTT_TONG"][2] + 5
    elif fault == "unknown_unit":
        head["unit"] = "99999"
    elif fault == "unknown_indicator":
        rows[-1][0] = "NV_KHAC"
    elif fault == "unknown_breakdown":
        rows[-1][1] = "MAUGIAO"
    elif fault == "period_outside_plan":
        head["period"] = "2009" if dataset == "CNTT-NAM" else "2009Q2"
    elif fault == "rows_disagree":
        head["last_row_period"] = "2019" if dataset == "CNTT-NAM" else "2020Q1"
    elif fault == "missing_field":
        head["drop_period"] = True
    return fault


def _number_text(value: object) -> str:
    if isinstance(value, str):
        return value
    text = repr(float(value)) if isinstance(value, float) else str(value)
    return text[:-2] if text.endswith(".0") else text


def csv_bytes(rows: list[list], head: dict, rng: random.Random) -> bytes:
    headers = EN_HEADERS if rng.random() < 0.75 else VI_HEADERS
    keep = [i for i in range(7) if not (head.get("drop_period") and i == 2)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([headers[i] for i in keep])
    for index, (indicator, disaggregation, value, note) in enumerate(rows):
        period = (
            head.get("last_row_period") if index == len(rows) - 1 and "last_row_period" in head else head["period_text"]
        )
        cells = [head["dataset"], head["unit"], period, indicator, disaggregation, _number_text(value), note]
        writer.writerow([cells[i] for i in keep])
    bom = "\ufeff" if rng.random() < 0.3 else ""
    return (bom + buffer.getvalue()).encode("utf-8")


def _col(index: int) -> str:
    return "ABCDEFGHIJ"[index]


def xlsx_bytes(rows: list[list], head: dict, when: datetime) -> bytes:
    """A workbook in the province's template (title, header block, table), written directly as
    SpreadsheetML with shared strings, fixed zip entry times: byte-identical for the same input."""
    sheet: list[list] = [["BÁO CÁO THỰC HIỆN NHIỆM VỤ ĐỘT PHÁ"], []]
    block = [
        ("Biểu mẫu:", head["dataset"]),
        ("Tên đơn vị:", head["unit_name"]),
        ("Mã đơn vị:", head["unit"]),
        ("Kỳ báo cáo:", head["period_text"]),
        ("Người lập:", "Nguyễn Văn A"),
    ]
    sheet += [list(pair) for pair in block if not (head.get("drop_period") and pair[0] == "Kỳ báo cáo:")]
    sheet += [[], ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Phân tổ", "Đơn vị tính", "Giá trị", "Ghi chú"]]
    for number, (indicator, disaggregation, value, note) in enumerate(rows, 1):
        sheet.append([number, indicator, f"Chỉ tiêu {indicator}", disaggregation or None, "", value, note or None])
    sheet += [[], ["Ngày 05 tháng 7 năm 2020"]]

    strings: dict[str, int] = {}
    xml_rows = []
    for r, cells in enumerate(sheet, 1):
        xml_cells = []
        for c, value in enumerate(cells):
            ref = f"{_col(c)}{r}"
            if value is None or value == "":
                continue
            if isinstance(value, str):
                index = strings.setdefault(value, len(strings))
                xml_cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
            else:
                xml_cells.append(f'<c r="{ref}"><v>{_number_text(value)}</v></c>')
        xml_rows.append(f'<row r="{r}">{"".join(xml_cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} {rel_ns}>'
            '<sheets><sheet name="Báo cáo" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {ns}>'
            f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {ns} count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def generate_corpus(
    directory: Path, n_files: int = 4000, seed: int = SEED, xlsx_share: float = 0.2, bad_share: float = 0.05
) -> list[CorpusFile]:
    """Write `n_files` report files into `directory`; the list is in receipt (mtime) order."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    codes = unit_codes()
    bad = set(rng.sample(range(n_files), round(n_files * bad_share)))
    fault_cycle = iter(FAULTS * (len(bad) // len(FAULTS) + 1))
    files = []
    for k in range(n_files):
        unit = codes[k % len(codes)]
        xlsx = rng.random() < xlsx_share
        survey = rng.random() < 0.1
        dataset, period = ("CNTT-NAM", "2019") if survey else ("DP-HUYEN", "2020Q2")
        rows = _cntt_rows(rng) if survey else _dp_rows(rng)
        _add_notes(rows, rng)
        head = {"dataset": dataset, "unit": unit, "unit_name": f"Đơn vị {unit}"}
        fault = _apply_fault(next(fault_cycle), rows, head, dataset, xlsx) if k in bad else None
        head["period_text"] = _period_text(head.get("period", period), rng, xlsx)
        # Received between the end of the period and 20 days after: about half after the due date.
        end = datetime(2020, 1, 1) if survey else datetime(2020, 7, 1)
        received = end + timedelta(
            days=rng.randint(0, 19 if not survey else 59), seconds=rng.randint(8 * 3600, 17 * 3600)
        )
        name = f"{k:05d}_{dataset}_{unit}_{period}.{'xlsx' if xlsx else 'csv'}"
        data = xlsx_bytes(rows, head, received) if xlsx else csv_bytes(rows, head, rng)
        path = directory / name
        path.write_bytes(data)
        stamp = received.replace(tzinfo=PROVINCE_TIME).timestamp()
        os.utime(path, (stamp, stamp))
        files.append(CorpusFile(path, "xlsx" if xlsx else "csv", dataset, unit, period, fault, len(rows)))
    files.sort(key=lambda f: (f.path.stat().st_mtime_ns, str(f.path)))
    return files


def link_subset(files: list[CorpusFile], directory: Path) -> Path:
    """A folder holding exactly `files` (hard links: same bytes, same mtime, no copy)."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for f in files:
        os.link(f.path, directory / f.path.name)
    return directory


if __name__ == "__main__":
    import sys

    print(write_catalog())
    if len(sys.argv) > 1:
        made = generate_corpus(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 4000)
        print(f"{len(made)} files in {sys.argv[1]}")
