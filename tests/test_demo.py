"""The demo inbox generator: deterministic, story-true, and every verdict it predicts
agrees with a small independent reading of the spec (docs: shared spec submissions.md)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chiso import demo
from chiso.demo import DemoFile, demo_values, generate_demo_inbox

SEED = 2017


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, list[DemoFile]]:
    out = tmp_path_factory.mktemp("demo") / "inbox"
    return out, generate_demo_inbox(out, SEED)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- basics


def test_determinism(tmp_path: Path, inbox) -> None:
    folder, files = inbox
    demo._plan.cache_clear()  # rebuild the plan from the seed, not from the cache
    again = generate_demo_inbox(tmp_path / "again", SEED, manifest_path=tmp_path / "m.json")
    assert again == files
    assert _digests(tmp_path / "again") == _digests(folder)
    assert (tmp_path / "m.json").exists()
    generate_demo_inbox(tmp_path / "other", SEED + 1)
    assert _digests(tmp_path / "other") != _digests(folder)


def test_size_mix_and_names(inbox) -> None:
    folder, files = inbox
    assert 500 <= len(files) <= 700
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.file_name for f in files)
    assert len({f.file_name for f in files}) == len(files)
    assert {f.expected_status for f in files} == {"accepted", "rejected", "duplicate", "superseded"}
    csv_n = sum(f.file_name.endswith(".csv") for f in files)
    xlsx_n = sum(f.file_name.endswith(".xlsx") for f in files)
    assert 0.6 < csv_n / len(files) < 0.8 and 0.2 < xlsx_n / len(files) < 0.4
    problems = [f for f in files if f.expected_status != "accepted" or f.expected_warnings]
    assert 0.10 <= len(problems) / len(files) <= 0.20
    assert any(re.search(r"[^\x00-\x7f]", f.file_name) for f in files)
    assert any(" " in f.file_name for f in files)
    assert all(f.received_at.tzinfo is None for f in files)


def test_mtimes_are_receipt_times(inbox) -> None:
    folder, files = inbox
    for f in files:
        mtime = datetime.fromtimestamp((folder / f.file_name).stat().st_mtime, timezone.utc).replace(tzinfo=None)
        assert mtime == f.received_at, f.file_name


def test_every_rule_and_scenario(inbox) -> None:
    _, files = inbox
    rules = {r for f in files for r in f.expected_rules}
    assert rules == {str(n) for n in range(1, 10)}
    assert all(f.expected_rules for f in files if f.expected_status == "rejected")
    assert not any(f.expected_rules for f in files if f.expected_status != "rejected")
    assert any("late" in f.expected_warnings for f in files)
    assert any("formula" in f.expected_warnings for f in files)
    by_slot = defaultdict(list)
    for f in files:
        by_slot[(f.dataset_code, f.unit_code, f.period)].append(f.expected_status)
    seqs = {tuple(v) for v in by_slot.values()}
    assert ("rejected", "accepted") in seqs  # corrected resend
    assert ("accepted", "rejected") in seqs  # a rejected resend does not displace
    assert ("superseded", "accepted") in seqs
    assert ("superseded", "superseded", "accepted") in seqs
    assert ("rejected",) in seqs
    all_slots = 12 * 20 + 11 * 20 + 11 * 5
    assert 0.03 < 1 - len(by_slot) / all_slots < 0.07  # ~5 % never sent


def test_statuses_follow_the_spec(inbox) -> None:
    """Recompute every verdict from the listed facts, in order of receipt."""
    folder, files = inbox
    assert all(a.received_at <= b.received_at for a, b in zip(files, files[1:]))
    seen: dict[str, str] = {}
    current: dict[tuple, DemoFile] = {}
    want: dict[str, str] = {}
    for f in files:
        digest = hashlib.sha256((folder / f.file_name).read_bytes()).hexdigest()
        if digest in seen:
            want[f.file_name] = "duplicate"
            continue
        seen[digest] = f.file_name
        if f.expected_status == "rejected":
            want[f.file_name] = "rejected"
            continue
        slot = (f.dataset_code, f.unit_code, f.period)
        if slot in current:
            want[current[slot].file_name] = "superseded"
        current[slot] = f
        want[f.file_name] = "accepted"
    assert {f.file_name: f.expected_status for f in files} == want


# --------------------------------------------------------------------------- story


def test_story_2017q2_tasks() -> None:
    values = demo_values(SEED)

    def total(ds: str, ind: str) -> int:
        return sum(v[(ind, None)] for (d, _, p), v in values.items() if d == ds and p == "2017Q2")

    assert len([k for k in values if k[0] == "DP-SN" and k[2] == "2017Q2"]) == 12
    assert len([k for k in values if k[0] == "DP-HUYEN" and k[2] == "2017Q2"]) == 11
    assert (total("DP-SN", "NV_GIAO"), total("DP-SN", "NV_TRIENKHAI")) == (12, 7)
    districts = tuple(total("DP-HUYEN", ind) for ind in ("NV_GIAO", "NV_TRIENKHAI", "NV_CUTHE"))
    assert districts == (4, 4, 11)


def test_story_values_are_consistent_and_plausible() -> None:
    values = demo_values(SEED)
    by_unit = defaultdict(dict)
    for (ds, unit, period), v in values.items():
        if ds == "CNTT-NAM":
            for b in demo.BREAKDOWNS:
                assert v[("CNTT_UNGDUNG", b)] <= v[("CNTT_TONG", b)]
            continue
        assert v[("NV_TRIENKHAI", None)] <= v[("NV_GIAO", None)]
        assert v[("NV_HOANTHANH", None)] <= v[("NV_CUTHE", None)]
        assert 0 <= v[("KP_GIAINGAN", None)] <= v[("KP_BOTRI", None)]
        assert 0 <= v.get(("DVC_TRUCTUYEN_TYLE", None), 0) <= 100
        by_unit[unit][period] = v
    for unit, periods in by_unit.items():
        keys = sorted(periods)
        for a, b in zip(keys, keys[1:]):
            for ind in ("NV_GIAO", "NV_CUTHE", "NV_HOANTHANH"):  # stocks never shrink
                assert periods[a][(ind, None)] <= periods[b][(ind, None)], (unit, a, b, ind)
            if a[:4] == b[:4]:  # funding: one allocation a year, cumulative disbursement
                assert periods[a][("KP_BOTRI", None)] == periods[b][("KP_BOTRI", None)]
                assert periods[a][("KP_GIAINGAN", None)] <= periods[b][("KP_GIAINGAN", None)]
        for p, v in periods.items():
            if p.endswith("Q4"):
                assert 0.69 <= v[("KP_GIAINGAN", None)] / v[("KP_BOTRI", None)] <= 0.96
            assert isinstance(v[("KP_BOTRI", None)], float)


def test_story_cntt_ratios() -> None:
    values = demo_values(SEED)
    ratio = {}
    for y in range(2016, 2021):
        rows = [v for (ds, _, p), v in values.items() if ds == "CNTT-NAM" and p == str(y)]
        assert len(rows) == 11
        for b in demo.BREAKDOWNS:
            ratio[y, b] = 100 * sum(r[("CNTT_UNGDUNG", b)] for r in rows) / sum(r[("CNTT_TONG", b)] for r in rows)
    for b, target in demo.STORY_CNTT_TARGETS_2017.items():
        assert ratio[2017, b] >= target, b
        assert ratio[2016, b] < ratio[2017, b], b
        assert ratio[2016, b] < target, b
        for y in range(2018, 2021):
            assert ratio[y, b] >= ratio[y - 1, b], (y, b)
        assert ratio[2020, b] > ratio[2017, b] or ratio[2017, b] == 100


# --------------------------------------------------------------------------- a small reading of the spec

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
FORMS = {"DP-SN": "department", "DP-HUYEN": "district", "CNTT-NAM": "district"}
ON_FORM = {
    "DP-SN": set(demo.MANDATORY_DP + demo.OPTIONAL["DP-SN"]),
    "DP-HUYEN": set(demo.MANDATORY_DP + demo.OPTIONAL["DP-HUYEN"]),
    "CNTT-NAM": {"CNTT_TONG", "CNTT_UNGDUNG"},
}


def _key(text: object) -> str:
    return unicodedata.normalize("NFC", str(text)).strip().rstrip(":").strip().casefold()


def _plain_text(text: str) -> str:
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in t if not unicodedata.combining(c))


def parse_period(text: object) -> str | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(int(text))
    t = _plain_text(unicodedata.normalize("NFC", str(text))).strip().casefold()
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
    cols = [HEADERS.get(_key(h)) for h in rows[0]]
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
            if any(isinstance(c, str) and _key(c) == "mã chỉ tiêu" for c in row):
                cols = [HEADERS.get(_key(c)) if c is not None else None for c in row]
            elif row and row[0] is not None and HEADERS.get(_key(row[0])) in ("dataset", "unit_code", "period"):
                head[HEADERS[_key(row[0])]] = row[1]
            continue
        if all(c is None or str(c).strip() == "" for c in row):
            break
        out.append({c: v for c, v in zip(cols, row) if c})
    if cols is None:
        head["__no_table__"] = True
    return head, out, True


def validate(path: Path) -> tuple[set[str], tuple | None, dict]:
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
    if ds not in FORMS:
        broken.add("3")
    if unit in demo.DEPARTMENTS:
        utype = "department"
    elif unit in demo.DISTRICTS:
        utype = "district"
    else:
        utype = None
        broken.add("3")
    if ds in FORMS and utype and FORMS[ds] != utype:
        broken.add("3")
    if period is None or not 2016 <= int(period[:4]) <= 2020 or (("Q" in period) != (ds != "CNTT-NAM")):
        broken.add("4")
    values: dict = {}
    for r in rows:
        ind = str(r.get("indicator_code") or "").strip()
        dis = str(r.get("disaggregation") or "").strip() or None
        if ind not in demo.INDICATORS or ind not in ON_FORM.get(ds, set()):
            broken.add("3")
        if (ind in ("CNTT_TONG", "CNTT_UNGDUNG")) != (dis is not None) or (dis and dis not in demo.BREAKDOWNS):
            broken.add("3")
        v = parse_number(r.get("value"), vn)
        vtype = demo.INDICATORS.get(ind, ("", "", "count"))[2]
        if v is None or v < 0 or (vtype == "count" and v != int(v)) or (vtype == "percent" and v > 100):
            broken.add("6")
        if (ind, dis) in values:
            broken.add("7")
        values[(ind, dis)] = v
    if ds == "CNTT-NAM":
        mandatory = {(i, b) for i in ("CNTT_TONG", "CNTT_UNGDUNG") for b in demo.BREAKDOWNS}
    else:
        mandatory = {(i, None) for i in demo.MANDATORY_DP}
    if not mandatory <= values.keys():
        broken.add("8")

    def gt(a, b) -> bool:
        return values.get(a) is not None and values.get(b) is not None and values[a] > values[b]

    if (
        gt(("NV_TRIENKHAI", None), ("NV_GIAO", None))
        or gt(("NV_HOANTHANH", None), ("NV_CUTHE", None))
        or gt(("KP_GIAINGAN", None), ("KP_BOTRI", None))
        or any(gt(("CNTT_UNGDUNG", b), ("CNTT_TONG", b)) for b in demo.BREAKDOWNS)
    ):
        broken.add("9")
    notes = [str(r.get("note") or "") for r in rows]
    values["__formula__"] = any(n[:1] in ("=", "+", "-", "@") for n in notes)
    return broken, (ds, unit, period), values


def test_files_say_what_the_list_says(inbox) -> None:
    """Read every file back like the spec says: rejected files break exactly their
    rules, other files break none, and accepted files hold demo_values()."""
    folder, files = inbox
    expected_values = demo_values(SEED)
    for f in files:
        if f.expected_status == "duplicate":
            continue
        broken, slot, values = validate(folder / f.file_name)
        if f.expected_status == "rejected":
            assert broken == set(f.expected_rules), (f.file_name, f.scenario)
            continue
        assert not broken, (f.file_name, broken)
        assert slot == (f.dataset_code, f.unit_code, f.period), f.file_name
        assert values.pop("__formula__") == ("formula" in f.expected_warnings), f.file_name
        if f.expected_status == "accepted":
            want = expected_values[slot]
            assert values.keys() == want.keys(), f.file_name
            for k, v in want.items():
                assert values[k] == pytest.approx(v, abs=1e-9), (f.file_name, k)
    accepted = {(f.dataset_code, f.unit_code, f.period) for f in files if f.expected_status == "accepted"}
    assert accepted == set(expected_values)


def test_lateness(inbox) -> None:
    _, files = inbox
    for f in files:
        end = demo._period_end(f.period)
        due = end + timedelta(days=31 if f.dataset_code == "CNTT-NAM" else 10)
        assert f.received_at.date() > end
        assert f.received_at.date() != due  # never on the boundary day
        assert 1 <= f.received_at.hour <= 10  # same calendar day in UTC and UTC+7
        if f.expected_status in ("accepted", "superseded"):
            assert ("late" in f.expected_warnings) == (f.received_at.date() > due), f.file_name
    assert demo._due("CNTT-NAM", "2020") == date(2021, 1, 31)
    assert demo._due("DP-SN", "2017Q2") == date(2017, 7, 10)


# --------------------------------------------------------------------------- variety


def test_dialects_and_forms_all_appear(inbox) -> None:
    folder, files = inbox
    kinds: set[str] = set()
    periods: set[str] = set()
    for f in files:
        data = (folder / f.file_name).read_bytes()
        if f.file_name.endswith(".xlsx") and data[:2] == b"PK" and f.expected_status != "rejected":
            kinds.add("xlsx")
            import openpyxl

            ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
            for row in ws.iter_rows(max_col=2, values_only=True):
                if row[0] and _key(row[0]) == "kỳ báo cáo":
                    periods.add(unicodedata.normalize("NFC", str(row[1])))
                if row[0] and _key(row[0]) == "mã đơn vị" and isinstance(row[1], int):
                    kinds.add("xlsx numeric unit")
            continue
        if not f.file_name.endswith(".csv") or not data:
            continue
        if data.startswith(b"\xef\xbb\xbf"):
            kinds.add("utf-8-sig")
            text = data[3:].decode()
        elif data.startswith(b"\xff\xfe"):
            kinds.add("utf-16")
            text = data[2:].decode("utf-16-le")
            assert "\t" in text.splitlines()[0]
        else:
            try:
                text = data.decode("utf-8")
                kinds.add("utf-8")
                if text != unicodedata.normalize("NFC", text):
                    kinds.add("nfd")
            except UnicodeDecodeError:
                text = data.decode("cp1258")
                kinds.add("cp1258")
        lines = text.splitlines()
        head = lines[0]
        kinds.add({"\t": "tab", ";": "semicolon", ",": "comma"}[max(["\t", ";", ","], key=head.count)])
        kinds.add("vi headers" if "Mã chỉ tiêu" in unicodedata.normalize("NFC", head) else "en headers")
        delim = max(["\t", ";", ","], key=head.count)
        for row in csv.reader(io.StringIO(unicodedata.normalize("NFC", text)), delimiter=delim):
            if row and row[0] in demo.DATASET_NAMES:
                periods.add(row[2])
                if row[1] in ("24", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35"):
                    kinds.add("district code without zero")
                if delim != "," and re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", row[5] if len(row) > 5 else ""):
                    kinds.add("vn thousands")
    assert kinds >= {
        "xlsx",
        "xlsx numeric unit",
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "cp1258",
        "nfd",
        "tab",
        "semicolon",
        "comma",
        "vi headers",
        "en headers",
        "district code without zero",
    }
    shapes = {
        re.sub(r"\d", "9", p.replace("III", "R").replace("IV", "R").replace("II", "R").replace("I", "R"))
        for p in periods
    }
    assert {"9999Q9", "Quý R/9999", "Quý 9 năm 9999", "Q9/9999", "Quý 9/9999", "Năm 9999", "9999"} <= shapes


def test_cp1258_text_round_trips() -> None:
    words = list(demo.UNIT_NAMES.values()) + [v[0] for v in demo.INDICATORS.values()] + ["Quý III/2017", "Năm 2017"]
    for w in words:
        assert unicodedata.normalize("NFC", demo._cp1258(w).decode("cp1258")) == w


def test_manifest_on_request(tmp_path: Path) -> None:
    import json

    files = generate_demo_inbox(tmp_path / "in", SEED, manifest_path=True)
    doc = json.loads((tmp_path / "demo-manifest.json").read_text(encoding="utf-8"))
    assert [m["file_name"] for m in doc["files"]] == [f.file_name for f in files]
    assert doc["files"][0]["received_at"] == files[0].received_at.isoformat()
    assert not (tmp_path / "in" / "demo-manifest.json").exists()
