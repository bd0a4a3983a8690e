"""Deterministic demo inbox: the whole 2016-2020 plan as reporting units send it.

`generate_demo_inbox(out_dir, seed)` writes about 520 report files (CSV, XLSX and
a few files a clerk should never have sent) for all 23 reporting units and all
periods of the plan, and returns one `DemoFile` per file saying what the
pipeline must make of it (status, critical rules, warnings).

Times: every `received_at` is a **naive UTC** datetime (e.g. 2017-07-08 02:30,
which is 09:30 in Asia/Ho_Chi_Minh). Receipts fall between 01:00 and 10:59 UTC
(08:00-17:59 local), so the calendar day is the same in UTC and in local time,
and no file is received on its due day itself: "late" (received after the due
date) does not depend on the time zone the pipeline uses. Each file's mtime is
set to its `received_at`.

Same seed -> byte-identical files (XLSX zip entry times and document
properties are fixed) and identical mtimes.

`demo_values(seed)` gives the values the current (accepted, not superseded)
view of the warehouse must hold once the inbox is ingested:
{(dataset, unit, period): {(indicator, breakdown or None): value}}.

Warning codes used in `expected_warnings` (only predicted for files that end
accepted or superseded): "late", and "formula" for a note that starts with
'=', '+', '-' or '@'. Outliers are not predicted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

__all__ = ["DemoFile", "generate_demo_inbox", "demo_values", "STORY_CNTT_TARGETS_2017"]

FIRST_YEAR, LAST_YEAR = 2016, 2020

DEPARTMENTS: dict[str, str] = {
    "SKHCN": "Sở Khoa học và Công nghệ",
    "STTTT": "Sở Thông tin và Truyền thông",
    "SNNPTNT": "Sở Nông nghiệp và Phát triển nông thôn",
    "SYT": "Sở Y tế",
    "SGDDT": "Sở Giáo dục và Đào tạo",
    "SVHTTDL": "Sở Văn hóa, Thể thao và Du lịch",
    "SCT": "Sở Công Thương",
    "SKHDT": "Sở Kế hoạch và Đầu tư",
    "STC": "Sở Tài chính",
    "STNMT": "Sở Tài nguyên và Môi trường",
    "SGTVT": "Sở Giao thông vận tải",
    "SXD": "Sở Xây dựng",
}
DISTRICTS: dict[str, str] = {
    "024": "Thành phố Hà Giang",
    "026": "Huyện Đồng Văn",
    "027": "Huyện Mèo Vạc",
    "028": "Huyện Yên Minh",
    "029": "Huyện Quản Bạ",
    "030": "Huyện Vị Xuyên",
    "031": "Huyện Bắc Mê",
    "032": "Huyện Hoàng Su Phì",
    "033": "Huyện Xín Mần",
    "034": "Huyện Bắc Quang",
    "035": "Huyện Quang Bình",
}
UNIT_NAMES = {**DEPARTMENTS, **DISTRICTS}
DATASET_NAMES = {
    "DP-SN": "Báo cáo quý thực hiện nhiệm vụ đột phá (sở, ngành)",
    "DP-HUYEN": "Báo cáo quý thực hiện nhiệm vụ đột phá (huyện, thành phố)",
    "CNTT-NAM": "Điều tra năm về ứng dụng CNTT trong quản lý",
}
# code: (name, measure unit, value type)
INDICATORS: dict[str, tuple[str, str, str]] = {
    "NV_GIAO": ("Số nhóm nhiệm vụ đột phá được giao", "nhóm", "count"),
    "NV_TRIENKHAI": ("Số nhóm nhiệm vụ đột phá đã triển khai", "nhóm", "count"),
    "NV_CUTHE": ("Số nhiệm vụ cụ thể", "nhiệm vụ", "count"),
    "NV_HOANTHANH": ("Số nhiệm vụ cụ thể đã hoàn thành", "nhiệm vụ", "count"),
    "DTDA_SOLUONG": ("Số đề tài, dự án KHCN đang thực hiện", "đề tài", "count"),
    "KP_BOTRI": ("Kinh phí KHCN được bố trí trong năm", "triệu đồng", "amount"),
    "KP_GIAINGAN": ("Kinh phí KHCN đã giải ngân lũy kế năm", "triệu đồng", "amount"),
    "DN_KHCN": ("Số doanh nghiệp được hỗ trợ thành doanh nghiệp KHCN", "doanh nghiệp", "count"),
    "DVC_TRUCTUYEN_TYLE": ("Tỷ lệ thủ tục hành chính cung cấp trực tuyến", "%", "percent"),
    "MH_NHANRONG": ("Số mô hình sản xuất hiệu quả được nhân rộng", "mô hình", "count"),
    "SP_DACTRUNG": ("Số sản phẩm đặc trưng địa phương được hỗ trợ", "sản phẩm", "count"),
    "TT_TIN": ("Số tin, bài tuyên truyền về KHCN trong kỳ", "tin, bài", "count"),
    "CNTT_TONG": ("Tổng số cơ sở", "cơ sở", "count"),
    "CNTT_UNGDUNG": ("Số cơ sở ứng dụng CNTT trong quản lý", "cơ sở", "count"),
}
MANDATORY_DP = ["NV_GIAO", "NV_TRIENKHAI", "NV_CUTHE", "NV_HOANTHANH", "KP_BOTRI", "KP_GIAINGAN"]
OPTIONAL = {
    "DP-SN": ["DTDA_SOLUONG", "DN_KHCN", "DVC_TRUCTUYEN_TYLE", "TT_TIN"],
    "DP-HUYEN": ["DTDA_SOLUONG", "MH_NHANRONG", "SP_DACTRUNG", "TT_TIN"],
}
BREAKDOWNS = ["TRUONGHOC", "BENHVIEN", "NHAHANG", "KHACHSAN"]
BREAKDOWN_NAMES = {"TRUONGHOC": "Trường học", "BENHVIEN": "Bệnh viện", "NHAHANG": "Nhà hàng", "KHACHSAN": "Khách sạn"}
# The 2017 targets the story needs: province-wide CNTT_UNGDUNG / CNTT_TONG, in %.
STORY_CNTT_TARGETS_2017 = {"TRUONGHOC": 90.0, "BENHVIEN": 95.0, "NHAHANG": 60.0, "KHACHSAN": 70.0}

QUARTERS = [(y, q) for y in range(FIRST_YEAR, LAST_YEAR + 1) for q in range(1, 5)]
STORY_QUARTER = "2017Q2"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}



@dataclass(frozen=True)
class DemoFile:
    """One file of the demo inbox and what the pipeline must make of it.

    `dataset_code`, `unit_code` and `period` name the submission slot the clerk
    meant to fill (canonical codes, e.g. "DP-HUYEN", "026", "2017Q2"); the
    content of a rejected file may say otherwise (that is why it is rejected).
    `expected_rules` are the critical rule numbers ("1".."9") a rejected file
    must be rejected for (empty otherwise). `expected_warnings` ("late",
    "formula") are given for accepted and superseded files only.
    `received_at` is naive UTC and equals the file's mtime.
    """

    file_name: str
    dataset_code: str
    unit_code: str
    period: str
    received_at: datetime
    expected_status: str
    expected_rules: tuple[str, ...] = ()
    expected_warnings: tuple[str, ...] = ()
    scenario: str = "normal"  # what happens in this file, in a few words
    form: str = ""  # e.g. "csv utf-16 tab vi", "xlsx", "pdf"


# --------------------------------------------------------------------------
# periods and dates


def _period_end(period: str) -> date:
    if "Q" in period:
        y, q = int(period[:4]), int(period[-1])
        return (date(y, 3 * q, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return date(int(period), 12, 31)


def _due(dataset: str, period: str) -> date:
    return _period_end(period) + timedelta(days=31 if dataset == "CNTT-NAM" else 10)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(1, 10), rng.randint(0, 59), rng.randint(0, 59))


def _later(prev: datetime, due: date, rng: random.Random, lo: int, hi: int) -> datetime:
    when = _at(prev.date() + timedelta(days=rng.randint(lo, hi)), rng)
    if when.date() == due:  # never on the due day itself (time-zone proof lateness)
        when += timedelta(days=1)
    return when


PERIOD_FORMS_Q = ["code", "roman", "words", "qslash", "arabic", "lower", "upper_roman", "nodiac"]
PERIOD_FORMS_Y = ["code", "nam", "nam_lower", "nam_upper"]


def _period_text(period: str, form: str) -> str:
    if "Q" in period:
        y, q = period[:4], int(period[-1])
        return {
            "code": f"{y}Q{q}",
            "roman": f"Quý {ROMAN[q]}/{y}",
            "words": f"Quý {q} năm {y}",
            "qslash": f"Q{q}/{y}",
            "arabic": f"Quý {q}/{y}",
            "lower": f"quý {q}/{y}",
            "upper_roman": f"QUÝ {ROMAN[q]}/{y}",
            "nodiac": f"Quy {ROMAN[q]}/{y}",
        }[form]
    return {"code": period, "nam": f"Năm {period}", "nam_lower": f"năm {period}", "nam_upper": f"NĂM {period}"}[form]


# --------------------------------------------------------------------------
# the values (what the accepted data must say)


def _amount(x: float, prec: int) -> float:
    return round(x, prec)


def _dp_values(rng: random.Random) -> dict[tuple[str, str, str], dict[str, float | int]]:
    """Intended values of every DP-SN / DP-HUYEN slot (optional ones included)."""
    out: dict[tuple[str, str, str], dict[str, float | int]] = {}
    story_idx = QUARTERS.index((2017, 2))
    depts = list(DEPARTMENTS)
    districts = list(DISTRICTS)

    # task groups: (assign_idx, deploy_idx, tasks)
    groups: dict[str, list[tuple[int, int, int]]] = {}
    deployed7 = set(rng.sample(depts, 7))
    for d in depts:
        a = rng.choice([0, 0, 1, 1, 2])
        dep = rng.randint(a, story_idx) if d in deployed7 else rng.randint(story_idx + 1, 13)
        g = [(a, dep, rng.randint(2, 4))]
        if rng.random() < 0.4:
            a2 = rng.randint(8, 14)
            g.append((a2, a2 + rng.randint(1, 4), rng.randint(2, 4)))
        groups[d] = g
    story4 = rng.sample(districts, 4)
    parts = [2, 2, 2, 2]
    while sum(parts) < 11:
        i = rng.randrange(4)
        if parts[i] < 4:
            parts[i] += 1
    for d in districts:
        if d in story4:
            a = rng.randint(1, 4)
            g = [(a, rng.randint(a, story_idx), parts[story4.index(d)])]
            if rng.random() < 0.35:
                a2 = rng.randint(10, 15)
                g.append((a2, a2 + rng.randint(1, 3), rng.randint(2, 3)))
        elif rng.random() < 0.85:
            a = rng.randint(story_idx + 1, 12)
            g = [(a, a + rng.randint(1, 3), rng.randint(2, 4))]
        else:
            g = []
        groups[d] = g

    opt_units = {
        "DTDA_SOLUONG": {"SKHCN", "SNNPTNT", "SYT", *rng.sample(depts[3:], 2), *rng.sample(districts, 4)},
        "DN_KHCN": {"SKHCN", "SCT"},
        "DVC_TRUCTUYEN_TYLE": {"STTTT", *rng.sample([d for d in depts if d != "STTTT"], 5)},
        "TT_TIN": {"SKHCN", "STTTT", *rng.sample(depts, 5), *rng.sample(districts, 7)},
        "MH_NHANRONG": set(rng.sample(districts, 7)),
        "SP_DACTRUNG": set(rng.sample(districts, 6)),
    }

    for u in depts + districts:
        ds = "DP-SN" if u in DEPARTMENTS else "DP-HUYEN"
        prec = rng.choice([1, 1, 1, 2, 3])
        if u == "SKHCN":
            base = rng.uniform(2600, 4200)
        elif u in DEPARTMENTS:
            base = rng.uniform(150, 950)
        else:
            base = rng.uniform(260, 1400)
        extra = 0
        done = 0
        dtda = rng.randint(8, 14) if u == "SKHCN" else rng.randint(1, 5)
        dvc = rng.uniform(3, 20)
        mh = rng.randint(0, 2)
        sp = rng.randint(0, 1)
        botri = 0.0
        shares: list[float] = []
        for i, (y, q) in enumerate(QUARTERS):
            giao = sum(1 for a, _, _ in groups[u] if a <= i)
            trien = sum(1 for a, dep, _ in groups[u] if dep <= i)
            if i > story_idx and giao and rng.random() < 0.12:
                extra += 1
            cuthe = sum(t for a, _, t in groups[u] if a <= i) + extra
            if trien and rng.random() < 0.35:
                done += rng.choice([1, 1, 2])
            done = min(done, cuthe)
            if q == 1:
                growth = (1.0 + rng.uniform(-0.05, 0.18)) ** (y - FIRST_YEAR)
                botri = _amount(base * growth * rng.uniform(0.9, 1.1), prec)
                s1 = rng.uniform(0.05, 0.25)
                s2 = min(s1 + rng.uniform(0.1, 0.25), 0.6)
                s3 = min(s2 + rng.uniform(0.1, 0.25), 0.8)
                s4 = max(s3 + 0.02, rng.uniform(0.70, 0.95))
                shares = [s1, s2, s3, min(s4, 0.95)]
            giai = min(_amount(botri * shares[q - 1], prec), botri)
            vals: dict[str, float | int] = {
                "NV_GIAO": giao,
                "NV_TRIENKHAI": trien,
                "NV_CUTHE": cuthe,
                "NV_HOANTHANH": done,
                "KP_BOTRI": botri,
                "KP_GIAINGAN": giai,
            }
            dtda = max(0, dtda + rng.choice([-1, 0, 0, 1, 1, 2]))
            dvc = min(dvc + rng.uniform(0.5, 4.5), 98.0)
            if rng.random() < 0.25:
                mh += 1
            if rng.random() < 0.15:
                sp = min(sp + 1, 6)
            opt: dict[str, float | int] = {
                "DTDA_SOLUONG": dtda,
                "DN_KHCN": (0 if i < 10 else 1 if i < 14 else 2 if i < 17 else 3)
                if u == "SKHCN"
                else (0 if i < 12 else 1),
                "DVC_TRUCTUYEN_TYLE": round(dvc, 1),
                "TT_TIN": rng.randint(10, 40) if u in ("SKHCN", "STTTT") else rng.randint(1, 15),
                "MH_NHANRONG": mh,
                "SP_DACTRUNG": sp,
            }
            for ind in OPTIONAL[ds]:
                if u in opt_units[ind] and rng.random() < 0.9:
                    vals[ind] = opt[ind]
            out[(ds, u, f"{y}Q{q}")] = vals
    return out


def _cntt_values(rng: random.Random) -> dict[tuple[str, str, str], dict[tuple[str, str], int]]:
    districts = list(DISTRICTS)
    base: dict[str, dict[str, int]] = {}
    for d in districts:
        city = d == "024"
        tourist = d in ("026", "027")
        base[d] = {
            "TRUONGHOC": rng.randint(38, 60) if city else rng.randint(55, 125),
            "BENHVIEN": rng.randint(2, 4) if city else rng.randint(1, 3),
            "NHAHANG": rng.randint(40, 70) if city else rng.randint(15, 35) if tourist else rng.randint(4, 22),
            "KHACHSAN": rng.randint(25, 45) if city else rng.randint(10, 25) if tourist else rng.randint(2, 12),
        }
    while sum(b["BENHVIEN"] for b in base.values()) < 20:
        base[rng.choice(districts)]["BENHVIEN"] += 1
    level = {
        2016: {"TRUONGHOC": 0.80, "BENHVIEN": 0.86, "NHAHANG": 0.45, "KHACHSAN": 0.55},
        2017: {"TRUONGHOC": 0.93, "BENHVIEN": 0.97, "NHAHANG": 0.65, "KHACHSAN": 0.74},
        2018: {"TRUONGHOC": 0.95, "BENHVIEN": 1.00, "NHAHANG": 0.72, "KHACHSAN": 0.80},
        2019: {"TRUONGHOC": 0.97, "BENHVIEN": 1.00, "NHAHANG": 0.80, "KHACHSAN": 0.86},
        2020: {"TRUONGHOC": 0.99, "BENHVIEN": 1.00, "NHAHANG": 0.87, "KHACHSAN": 0.92},
    }
    tong: dict[int, dict[str, dict[str, int]]] = {}
    ung: dict[int, dict[str, dict[str, int]]] = {}
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        tong[y], ung[y] = {}, {}
        for d in districts:
            if y > FIRST_YEAR:
                prev = tong[y - 1][d]
                t = {
                    "TRUONGHOC": max(1, prev["TRUONGHOC"] + rng.choice([-1, 0, 0, 1, 2])),
                    "BENHVIEN": prev["BENHVIEN"],
                    "NHAHANG": round(prev["NHAHANG"] * rng.uniform(1.0, 1.15)),
                    "KHACHSAN": round(prev["KHACHSAN"] * rng.uniform(1.0, 1.2)),
                }
            else:
                t = dict(base[d])
            tong[y][d] = t
            ung[y][d] = {
                b: min(t[b], round(t[b] * min(1.0, level[y][b] * rng.uniform(0.92, 1.06)))) for b in BREAKDOWNS
            }

    def ratio(y: int, b: str) -> float:
        return sum(ung[y][d][b] for d in districts) / sum(tong[y][d][b] for d in districts)

    def bump(y: int, b: str, step: int) -> bool:
        cands = [d for d in districts if (ung[y][d][b] < tong[y][d][b] if step > 0 else ung[y][d][b] > 0)]
        if not cands:
            return False
        ung[y][rng.choice(cands)][b] += step
        return True

    for b in BREAKDOWNS:
        need = STORY_CNTT_TARGETS_2017[b] / 100 + 0.01
        while ratio(2017, b) < need and bump(2017, b, +1):
            pass
    # hospitals: exactly one not yet applying IT in 2017 (>= 95 % with >= 20 hospitals)
    for d in districts:
        ung[2017][d]["BENHVIEN"] = tong[2017][d]["BENHVIEN"]
    ung[2017][rng.choice(districts)]["BENHVIEN"] -= 1
    for b in BREAKDOWNS:
        while ratio(2016, b) >= ratio(2017, b) - 0.03 and bump(2016, b, -1):
            pass
        for y in range(2018, LAST_YEAR + 1):
            while ratio(y, b) < min(1.0, ratio(y - 1, b) + 0.01) and bump(y, b, +1):
                pass
    out: dict[tuple[str, str, str], dict[tuple[str, str], int]] = {}
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        for d in districts:
            vals: dict[tuple[str, str], int] = {}
            for b in BREAKDOWNS:
                vals[("CNTT_TONG", b)] = tong[y][d][b]
                vals[("CNTT_UNGDUNG", b)] = ung[y][d][b]
            out[("CNTT-NAM", d, str(y))] = vals
    return out


# --------------------------------------------------------------------------
# reports, styles and planned files


@dataclass
class _Row:
    indicator: str
    disagg: str | None
    value: object  # int | float, or str written exactly as is
    note: str = ""
    period: str | None = None  # a different period code on this row (rule 5)


@dataclass
class _Report:
    dataset: str
    unit: str
    period: str
    rows: list[_Row]
    dataset_text: str | None = None
    unit_text: str | None = None
    period_text: str | None = None
    drop: str | None = None  # "value" column (CSV) or "period" header field (XLSX)


@dataclass
class _Style:
    fmt: str  # csv | xlsx
    enc: str = "utf-8"  # utf-8 | utf-8-sig | utf-16 | cp1258
    delim: str = ","
    lang: str = "vi"  # vi | en
    nfd: bool = False
    eol: str = "\r\n"
    naming: int = 0
    period_form: str = "code"

    def describe(self) -> str:
        if self.fmt != "csv":
            return self.fmt
        d = {",": "comma", ";": "semicolon", "\t": "tab"}[self.delim]
        return f"csv {self.enc} {d} {self.lang}{' nfd' if self.nfd else ''}"


CSV_STYLES = [
    _Style("csv", "utf-8", ",", "en", False, "\n"),
    _Style("csv", "utf-8-sig", ",", "vi", False, "\r\n"),
    _Style("csv", "utf-8-sig", ";", "vi", False, "\r\n"),
    _Style("csv", "utf-16", "\t", "vi", False, "\r\n"),
    _Style("csv", "cp1258", ";", "vi", False, "\r\n"),
    _Style("csv", "cp1258", ",", "vi", False, "\r\n"),
    _Style("csv", "utf-8", "\t", "vi", True, "\n"),
    _Style("csv", "utf-8", ";", "en", False, "\r\n"),
]
XLSX_STYLE = _Style("xlsx")
# primary style of each unit, in order of a shuffled unit list: every dialect is used
_STYLE_CYCLE = [0, None, 1, 2, None, 3, 4, None, 5, 6, None, 7, 0, None, 1, 2, None, 3, 4, 1, None, 0, 2]


@dataclass
class _File:
    slot: tuple[str, str, str]
    kind: str  # csv | xlsx | empty | xls | pdf | docx | truncated_xlsx | copy
    style: _Style
    report: _Report | None
    received_at: datetime
    rejected: bool = False
    rules: tuple[str, ...] = ()
    scenario: str = "normal"
    rseed: int = 0
    name_suffix: str = ""
    copy_of: "_File | None" = None
    name: str = ""
    formula: bool = False
    status: str = ""
    warnings: tuple[str, ...] = ()


NOTES = {
    "NV_GIAO": [
        "Theo Kế hoạch đột phá của UBND tỉnh",
        "Nhóm nhiệm vụ ứng dụng CNTT trong quản lý",
        "Giao bổ sung trong năm",
    ],
    "NV_TRIENKHAI": ["Đang triển khai", "Chưa triển khai do chưa bố trí kinh phí", "Đã phê duyệt đề cương"],
    "NV_CUTHE": ["Nhiệm vụ nhỏ lẻ, phân tán", "Một số nhiệm vụ chưa khả thi, đề nghị điều chỉnh"],
    "NV_HOANTHANH": ["Còn nhiệm vụ chuyển sang năm sau", "Đã nghiệm thu cấp cơ sở"],
    "KP_BOTRI": ["Theo Quyết định giao dự toán đầu năm", "Nguồn sự nghiệp KHCN"],
    "KP_GIAINGAN": ["Số liệu đến hết quý", "Giải ngân chậm do thủ tục thanh toán"],
    "DTDA_SOLUONG": ["Gồm cả đề tài cấp tỉnh và cấp cơ sở"],
    "DN_KHCN": ["Chưa có doanh nghiệp đủ điều kiện", "Đang hướng dẫn hồ sơ"],
    "DVC_TRUCTUYEN_TYLE": ["Mức độ 3, 4", "Trên Cổng dịch vụ công của tỉnh"],
    "MH_NHANRONG": ["Mô hình trồng chè Shan tuyết", "Mô hình nuôi ong lấy mật", "Mô hình cam sành"],
    "SP_DACTRUNG": ["Mật ong bạc hà", "Chè Shan tuyết", "Cam sành", "Hồng không hạt", "Bò vàng"],
    "TT_TIN": ["Đăng trên Báo Hà Giang, Cổng TTĐT tỉnh", "Tin, bài trên đài truyền thanh huyện"],
    "CNTT_TONG": ["Theo số liệu thống kê tháng 12", "Gồm cả cơ sở tư nhân"],
    "CNTT_UNGDUNG": ["Có phần mềm quản lý", "Sử dụng phần mềm kế toán, quản lý hồ sơ"],
}
FORMULA_NOTES = [
    ("NV_CUTHE", "=Quý trước + 1 nhiệm vụ"),
    ("NV_HOANTHANH", "+1 nhiệm vụ so với quý trước"),
    ("TT_TIN", "+ tin trên Cổng TTĐT"),
    ("KP_GIAINGAN", "=Tổng các đợt giải ngân"),
    ("NV_GIAO", "+0 so với kỳ trước"),
    ("KP_BOTRI", "=Dự toán đầu năm"),
    ("CNTT_TONG", "+2 trường mới thành lập"),
    ("CNTT_UNGDUNG", "=Số trường có phần mềm"),
]
CLERKS = [
    "Nguyễn Thị Hoa",
    "Lò Văn Sùng",
    "Hoàng Văn Thắng",
    "Vàng Thị Mai",
    "Lý Seo Chứ",
    "Đặng Thị Thu",
    "Giàng A Páo",
    "Trần Minh Đức",
    "Phạm Thị Hằng",
    "Nông Văn Dũng",
    "Lê Thị Ngọc Ánh",
    "Vũ Quốc Khánh",
]


def _rows(slot: tuple[str, str, str], vals: dict, rng: random.Random) -> list[_Row]:
    ds = slot[0]
    rows: list[_Row] = []
    if ds == "CNTT-NAM":
        pairs = [(i, b) for b in BREAKDOWNS for i in ("CNTT_TONG", "CNTT_UNGDUNG")]
        if rng.random() < 0.4:
            pairs = [(i, b) for i in ("CNTT_TONG", "CNTT_UNGDUNG") for b in BREAKDOWNS]
        for i, b in pairs:
            rows.append(_Row(i, b, vals[(i, b)]))
    else:
        for ind in MANDATORY_DP + OPTIONAL[ds]:
            if (ind, None) in vals:
                rows.append(_Row(ind, None, vals[(ind, None)]))
    for r in rows:
        if rng.random() < 0.12:
            r.note = rng.choice(NOTES[r.indicator])
    return rows


def _dp_key(vals: dict[str, float | int]) -> dict[tuple[str, str | None], float | int]:
    return {(k, None): v for k, v in vals.items()}


@lru_cache(maxsize=4)
def _plan(seed: int) -> tuple[list[_File], dict]:
    rng = random.Random(seed)
    truth: dict[tuple[str, str, str], dict] = {}
    for k, v in _dp_values(random.Random(rng.getrandbits(64))).items():
        truth[k] = _dp_key(v)
    truth.update(_cntt_values(random.Random(rng.getrandbits(64))))

    # unit habits: style, naming, period form (a new clerk sometimes changes them)
    units = list(DEPARTMENTS) + list(DISTRICTS)
    shuffled = units[:]
    rng.shuffle(shuffled)
    habit: dict[tuple[str, int], _Style] = {}
    for u, s in zip(shuffled, _STYLE_CYCLE):
        prim = XLSX_STYLE if s is None else CSV_STYLES[s]
        naming = rng.randrange(5)
        pform = rng.choice(["code", "code", "roman", "words", "qslash", "arabic"])
        for y in range(FIRST_YEAR, LAST_YEAR + 1):
            if y > FIRST_YEAR and rng.random() < 0.25:
                prim = XLSX_STYLE if rng.random() < 0.3 else rng.choice(CSV_STYLES)
                naming = rng.randrange(5)
                pform = rng.choice(["code", "roman", "words", "qslash", "arabic"])
            habit[(u, y)] = _Style(**{**prim.__dict__, "naming": naming, "period_form": pform})
    # keep the XLSX share near 30 % whatever the seed
    keys = sorted(habit)
    target = round(0.29 * len(keys))
    while (n_x := sum(habit[k].fmt == "xlsx" for k in keys)) != target:
        k = rng.choice([k for k in keys if (habit[k].fmt == "xlsx") == (n_x > target)])
        new = rng.choice(CSV_STYLES) if n_x > target else XLSX_STYLE
        habit[k] = _Style(**{**new.__dict__, "naming": habit[k].naming, "period_form": habit[k].period_form})

    def style_for(slot: tuple[str, str, str]) -> _Style:
        st = habit[(slot[1], int(slot[2][:4]))]
        form = st.period_form
        if "Q" not in slot[2]:
            form = rng.choice(PERIOD_FORMS_Y)
        elif rng.random() < 0.3:
            form = rng.choice(PERIOD_FORMS_Q[:-1] + ["upper_roman", "lower"])
        return _Style(**{**st.__dict__, "period_form": form})

    slots = [("DP-SN", u, f"{y}Q{q}") for (y, q) in QUARTERS for u in DEPARTMENTS]
    slots += [("DP-HUYEN", u, f"{y}Q{q}") for (y, q) in QUARTERS for u in DISTRICTS]
    slots += [("CNTT-NAM", u, str(y)) for y in range(FIRST_YEAR, LAST_YEAR + 1) for u in DISTRICTS]
    slots.sort(key=lambda s: (s[2][:4], s[2], s[0], s[1]))
    protected = {s for s in slots if s[2] == STORY_QUARTER or s[0] == "CNTT-NAM"}
    used: set[tuple[str, str, str]] = set()

    def pick(pred, terminal: bool) -> tuple[str, str, str]:
        cands = [s for s in slots if s not in used and pred(s) and not (terminal and s in protected)]
        s = rng.choice(cands)
        used.add(s)
        return s

    def first_receipt(slot: tuple[str, str, str], late: bool = False) -> datetime:
        ds, _, period = slot
        end, due = _period_end(period), _due(ds, period)
        if late:
            return _at(due + timedelta(days=rng.randint(2, 45 if ds != "CNTT-NAM" else 60)), rng)
        lo = 1 if ds != "CNTT-NAM" else 3
        return _at(end + timedelta(days=rng.randint(lo, (due - end).days - 1)), rng)

    def report(slot: tuple[str, str, str]) -> _Report:
        return _Report(slot[0], slot[1], slot[2], _rows(slot, truth[slot], rng))

    files: list[_File] = []

    def add(slot, kind, style, rep, when, **kw) -> _File:
        f = _File(slot, kind, style, rep, when, rseed=rng.getrandbits(32), **kw)
        files.append(f)
        return f

    def add_habit(slot, rep, when, **kw) -> _File:
        st = style_for(slot)
        return add(slot, st.fmt, st, rep, when, **kw)

    def resend(prev: _File, slot, rep=None, kind=None, style=None, suffix=None, lo=1, hi=6, **kw) -> _File:
        st = style or style_for(slot)
        k = kind or st.fmt
        when = _later(prev.received_at, _due(slot[0], slot[2]), rng, lo, hi)
        sfx = suffix or rng.choice(["_v2", " (sua lai)", "_bosung", " - ban chinh thuc", "_final", " (đã sửa)"])
        return add(slot, k, st, rep or report(slot), when, name_suffix=sfx, **kw)

    def csv_style(slot, semicolon: bool = False) -> _Style:
        st = style_for(slot)
        if st.fmt == "csv" and (not semicolon or st.delim == ";"):
            return st
        base = CSV_STYLES[2] if semicolon else CSV_STYLES[1]
        return _Style(**{**base.__dict__, "naming": st.naming, "period_form": st.period_form})

    def xlsx_style(slot) -> _Style:
        st = style_for(slot)
        return _Style(**{**XLSX_STYLE.__dict__, "naming": st.naming, "period_form": st.period_form})

    def is_q(s):
        return s[0] != "CNTT-NAM"

    # ---- rejections, one scenario each. terminal=False: a corrected accepted resend follows.
    # Story slots (2017Q2, every CNTT-NAM) never end rejected or missing.
    def sc_simple_kind(kind, rules, desc, pred, terminal, fix_kind=None):
        s = pick(pred, terminal)
        st = xlsx_style(s) if kind in ("truncated_xlsx",) else style_for(s)
        f = add(
            s,
            kind,
            st,
            report(s) if kind in ("truncated_xlsx",) else None,
            first_receipt(s),
            rejected=True,
            rules=rules,
            scenario=desc,
        )
        if not terminal:
            resend(
                f,
                s,
                kind=fix_kind,
                style=xlsx_style(s) if fix_kind == "xlsx" else None,
                scenario="corrected resend after a rejected file",
            )

    def sc_report(mutate, rules, desc, pred, terminal, style_fn=None):
        s = pick(pred, terminal)
        st = style_fn(s) if style_fn else style_for(s)
        rep = report(s)
        mutate(rep, s)
        f = add(s, st.fmt, st, rep, first_receipt(s), rejected=True, rules=rules, scenario=desc)
        if not terminal:
            resend(f, s, scenario="corrected resend after a rejected file")

    sc_simple_kind("empty", ("1",), "empty file (0 bytes)", is_q, False)
    sc_simple_kind("xls", ("1",), "Excel 97-2003 .xls (unsupported type)", is_q, False, fix_kind="xlsx")
    sc_simple_kind("pdf", ("1",), "scanned report as .pdf (unsupported type)", lambda s: s[0] == "DP-SN", True)
    sc_simple_kind("docx", ("1",), "Word report .docx (unsupported type)", lambda s: s[0] == "DP-HUYEN", False)
    sc_simple_kind("truncated_xlsx", ("1",), "truncated .xlsx (cut e-mail attachment)", is_q, True)

    def m_no_value(rep, s):
        rep.drop = "value"

    sc_report(m_no_value, ("2",), "CSV without the 'Giá trị' column (named 'Số liệu')", is_q, False, csv_style)

    def m_no_period(rep, s):
        rep.drop = "period"

    sc_report(m_no_period, ("2",), "XLSX header block without 'Kỳ báo cáo'", is_q, True, xlsx_style)

    def m_unit(text):
        def m(rep, s):
            rep.unit_text = text

        return m

    sc_report(
        m_unit("SKHCN2"), ("3",), "unknown unit code 'SKHCN2'", lambda s: s[0] == "DP-SN" and s[1] == "SKHCN", False
    )
    sc_report(
        m_unit("099"),
        ("3",),
        "unknown unit code '099' (meant 029)",
        lambda s: s[0] == "DP-HUYEN" and s[1] == "029",
        True,
    )

    def m_district_dpsn(rep, s):
        rep.dataset_text = "DP-SN"
        rep.rows = [r for r in rep.rows if r.indicator in MANDATORY_DP or r.indicator in ("TT_TIN", "DTDA_SOLUONG")]

    sc_report(
        m_district_dpsn, ("3",), "district sends form DP-SN (departments only)", lambda s: s[0] == "DP-HUYEN", False
    )

    def m_misspelt(rep, s):
        for r in rep.rows:
            if r.indicator == "NV_GIAO":
                r.indicator = "NV_GIA0"

    sc_report(m_misspelt, ("3", "8"), "indicator misspelt 'NV_GIA0' (so NV_GIAO is also missing)", is_q, True)

    def m_breakdown(rep, s):
        for r in rep.rows:
            if r.disagg == "TRUONGHOC":
                r.disagg = "TRUONG_HOC"

    sc_report(
        m_breakdown,
        ("3", "8"),
        "unknown breakdown 'TRUONG_HOC' (so TRUONGHOC is also missing)",
        lambda s: s[0] == "CNTT-NAM",
        False,
    )

    def m_extra_breakdown(rep, s):  # kindergartens added as a fifth breakdown
        total = 20 + rng.randint(0, 30)
        rep.rows.append(_Row("CNTT_TONG", "MAMNON", total, "Trường mầm non"))
        rep.rows.append(_Row("CNTT_UNGDUNG", "MAMNON", total - rng.randint(3, 12), "Trường mầm non"))

    sc_report(
        m_extra_breakdown, ("3",), "extra breakdown 'MAMNON' (not in the catalog)", lambda s: s[0] == "CNTT-NAM", False
    )

    def m_period(text):
        def m(rep, s):
            rep.period_text = text(s)

        return m

    sc_report(m_period(lambda s: f"Quý 5/{s[2][:4]}"), ("4",), "period 'Quý 5/…' (no such quarter)", is_q, False)
    sc_report(
        m_period(lambda s: f"{s[2]}Q4"),
        ("4",),
        "quarter period on the yearly form CNTT-NAM",
        lambda s: s[0] == "CNTT-NAM",
        False,
    )
    sc_report(
        m_period(lambda s: f"Quý {ROMAN[int(s[2][-1])]}/2021"),
        ("4",),
        "year 2021 (outside the plan)",
        lambda s: is_q(s) and s[2].startswith("2020"),
        False,
    )
    sc_report(
        m_period(lambda s: f"Quý {int(s[2][-1])}/2015"),
        ("4",),
        "year 2015 (last year's template, outside the plan)",
        lambda s: is_q(s) and s[2].startswith("2016"),
        True,
    )

    def m_two_periods(rep, s):
        y, q = int(s[2][:4]), int(s[2][-1])
        prev = f"{y}Q{q - 1}" if q > 1 else f"{y - 1}Q4"
        for r in rep.rows[-2:]:
            r.period = prev

    sc_report(
        m_two_periods,
        ("5",),
        "CSV rows with two different periods",
        lambda s: is_q(s) and s[2] != "2016Q1",
        True,
        csv_style,
    )

    def m_value(ind, text):
        def m(rep, s):
            for r in rep.rows:
                if r.indicator == ind:
                    r.value = text(r.value)
                    return
            rep.rows.append(_Row(ind, None, text(None)))

        return m

    sc_report(m_value("TT_TIN", lambda v: "mười hai"), ("6",), "value written in words ('mười hai')", is_q, False)
    sc_report(
        m_value("KP_GIAINGAN", lambda v: -15.5), ("6",), "negative value (KP_GIAINGAN -15.5, 'thu hồi')", is_q, True
    )
    sc_report(
        m_value("TT_TIN", lambda v: "12,5"),
        ("6",),
        "'12,5' for a count (semicolon file)",
        is_q,
        False,
        lambda s: csv_style(s, semicolon=True),
    )
    sc_report(m_value("DVC_TRUCTUYEN_TYLE", lambda v: 120), ("6",), "percent 120", lambda s: s[0] == "DP-SN", True)

    def m_dup_tt(rep, s):
        rep.rows = [r for r in rep.rows if r.indicator != "TT_TIN"]
        rep.rows.append(_Row("TT_TIN", None, 7, "Tin trên Báo Hà Giang"))
        rep.rows.append(_Row("TT_TIN", None, 4, "Tin trên Cổng TTĐT"))

    sc_report(m_dup_tt, ("7",), "TT_TIN given twice", is_q, True, xlsx_style)

    def m_dup_cntt(rep, s):
        i = next(k for k, r in enumerate(rep.rows) if r.indicator == "CNTT_UNGDUNG" and r.disagg == "KHACHSAN")
        r = rep.rows[i]
        rep.rows.insert(i + 1, _Row(r.indicator, r.disagg, r.value))

    sc_report(m_dup_cntt, ("7",), "CNTT_UNGDUNG/KHACHSAN row pasted twice", lambda s: s[0] == "CNTT-NAM", False)

    def m_drop(pred_row):
        def m(rep, s):
            rep.rows = [r for r in rep.rows if not pred_row(r)]

        return m

    sc_report(m_drop(lambda r: r.indicator == "KP_GIAINGAN"), ("8",), "mandatory KP_GIAINGAN left out", is_q, False)
    sc_report(
        m_drop(lambda r: r.disagg == "NHAHANG"),
        ("8",),
        "CNTT-NAM without the NHAHANG breakdown",
        lambda s: s[0] == "CNTT-NAM",
        False,
    )

    def m_trien(rep, s):
        g = next(r.value for r in rep.rows if r.indicator == "NV_GIAO")
        for r in rep.rows:
            if r.indicator == "NV_TRIENKHAI":
                r.value = g + 1

    sc_report(m_trien, ("9",), "NV_TRIENKHAI > NV_GIAO", is_q, True)

    def m_kp(rep, s):
        b = next(r.value for r in rep.rows if r.indicator == "KP_BOTRI")
        for r in rep.rows:
            if r.indicator == "KP_GIAINGAN":
                r.value = round(b * 1.12, 1)
                r.note = "Bao gồm kinh phí năm trước chuyển sang"

    sc_report(m_kp, ("9",), "KP_GIAINGAN > KP_BOTRI", lambda s: is_q(s) and s[2][-1] in "34", False)

    def m_cntt_swap(rep, s):
        vals = {(r.indicator, r.disagg): r for r in rep.rows}
        b = next(
            (
                b
                for b in ("NHAHANG", "KHACHSAN", "TRUONGHOC")
                if vals[("CNTT_UNGDUNG", b)].value < vals[("CNTT_TONG", b)].value
            ),
            "NHAHANG",
        )
        t, u = vals[("CNTT_TONG", b)], vals[("CNTT_UNGDUNG", b)]
        if u.value < t.value:
            t.value, u.value = u.value, t.value
        else:
            u.value = t.value + 1

    sc_report(m_cntt_swap, ("9",), "CNTT_UNGDUNG > CNTT_TONG (columns swapped)", lambda s: s[0] == "CNTT-NAM", False)

    # ---- an accepted file, then a resend that is rejected: the first stays accepted
    s = pick(is_q, False)
    f = add_habit(s, report(s), first_receipt(s))
    rep = report(s)
    rep.rows = [r for r in rep.rows if r.indicator in ("NV_HOANTHANH", "KP_GIAINGAN")]
    resend(
        f,
        s,
        rep=rep,
        style=csv_style(s),
        suffix="_bosung",
        lo=8,
        hi=30,
        rejected=True,
        rules=("8",),
        scenario="rejected resend (only the corrected rows) after an accepted file",
    )
    s = pick(lambda s: s[0] == "DP-SN", False)
    f = add_habit(s, report(s), first_receipt(s))
    resend(
        f,
        s,
        kind="pdf",
        suffix=" (ban ky)",
        lo=5,
        hi=20,
        rejected=True,
        rules=("1",),
        scenario="signed scan as .pdf after an accepted file",
    )

    # ---- supersessions: an accepted file corrected by a later accepted one
    def wrong_version(s) -> _Report:
        rep = report(s)
        opts = [
            r
            for r in rep.rows
            if r.indicator in ("TT_TIN", "CNTT_TONG", "DTDA_SOLUONG")
            or (r.indicator in ("NV_HOANTHANH", "KP_GIAINGAN") and r.value > 0)
        ]
        r = rng.choice(opts)
        if r.indicator == "KP_GIAINGAN":
            r.value = round(r.value * rng.uniform(0.6, 0.9), 1)
        elif r.indicator == "NV_HOANTHANH":
            r.value -= 1
        else:
            r.value = r.value + rng.randint(1, 3)
        if rep.dataset != "CNTT-NAM" and rep.rows[-1].indicator in OPTIONAL[rep.dataset] and rng.random() < 0.5:
            rep.rows.pop()  # the first version also lacked an optional indicator
        return rep

    for k in range(6):
        s = pick(lambda s: True, False)
        first = add_habit(s, wrong_version(s), first_receipt(s), scenario="first version, corrected later")
        if k == 0:
            first = resend(first, s, rep=wrong_version(s), lo=3, hi=10, scenario="second version, corrected again")
        resend(first, s, lo=3, hi=25, scenario="corrected version of an accepted file")

    # ---- byte-identical resends
    dup_sources: list[_File] = []
    for pred in (lambda s: s[0] == "DP-SN", lambda s: s[0] == "DP-HUYEN", lambda s: s[0] == "CNTT-NAM"):
        s = pick(pred, False)
        f = add_habit(s, report(s), first_receipt(s))
        dup_sources.append(f)
    for f in dup_sources:
        when = _later(f.received_at, _due(f.slot[0], f.slot[2]), rng, 1, 3)
        add(f.slot, "copy", f.style, None, when, copy_of=f, scenario="byte-identical copy of an earlier file")

    # ---- missing and late, then everything else on time
    rest = [s for s in slots if s not in used]
    missing = set(rng.sample([s for s in rest if s not in protected], round(0.05 * len(rest))))
    late = set(rng.sample([s for s in rest if s not in missing], 20))
    for s in rest:
        if s in missing:
            continue
        st = style_for(s)
        add(s, st.fmt, st, report(s), first_receipt(s, late=s in late), scenario="late" if s in late else "normal")

    # formula-like notes in a few accepted files
    normal = [f for f in files if f.scenario in ("normal", "late") and f.kind in ("csv", "xlsx")]
    for f, (ind, note) in zip(rng.sample(normal, 8), FORMULA_NOTES * 2):
        assert f.report is not None
        row = next((r for r in f.report.rows if r.indicator == ind), f.report.rows[0])
        row.note = note
        f.formula = True

    # every period form at least once
    forms_seen = {f.style.period_form for f in files if f.kind in ("csv", "xlsx") and "Q" in f.slot[2]}
    forms_seen_y = {f.style.period_form for f in files if f.kind in ("csv", "xlsx") and "Q" not in f.slot[2]}
    spare = [f for f in files if f.scenario == "normal" and f.kind in ("csv", "xlsx")]
    for form in PERIOD_FORMS_Q + PERIOD_FORMS_Y:
        quarterly = form in PERIOD_FORMS_Q and form not in forms_seen
        yearly = form in PERIOD_FORMS_Y and form not in forms_seen_y
        if quarterly or yearly:
            f = next(f for f in spare if ("Q" in f.slot[2]) == quarterly)
            spare.remove(f)
            f.style = _Style(**{**f.style.__dict__, "period_form": form})
    # a few XLSX files with a numeric year cell for CNTT-NAM and "Quy" without diacritics
    for f in [f for f in spare if f.kind == "xlsx" and f.slot[0] == "CNTT-NAM"][:2]:
        f.style = _Style(**{**f.style.__dict__, "period_form": "number"})

    files.sort(key=lambda f: (f.received_at, f.slot))
    _statuses(files)
    values = {s: truth[s] for s in {f.slot for f in files if f.status == "accepted"}}
    for f in files:  # the accepted file's own values are the intended ones
        if f.status == "accepted":
            assert f.report is not None and _report_values(f.report) == truth[f.slot], f.scenario
    _name_files(files, rng)
    return files, values


def _report_values(rep: _Report) -> dict:
    out = {}
    for r in rep.rows:
        out[(r.indicator, r.disagg)] = r.value
    return out


def _statuses(files: list[_File]) -> None:
    """Spec verdicts, in order of receipt."""
    latest: dict[tuple[str, str, str], _File] = {}
    for f in files:
        if f.kind == "copy":
            f.status = "duplicate"
        elif f.rejected:
            f.status = "rejected"
        else:
            f.status = "accepted"
            if f.slot in latest:
                latest[f.slot].status = "superseded"
            latest[f.slot] = f
        if f.status in ("accepted",):
            w = []
            if f.received_at.date() > _due(f.slot[0], f.slot[2]):
                w.append("late")
            if f.formula:
                w.append("formula")
            f.warnings = tuple(w)


# --------------------------------------------------------------------------
# names


def _ascii(text: str) -> str:
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in t if not unicodedata.combining(c))


def _short(unit: str) -> str:
    name = UNIT_NAMES[unit]
    if unit in DEPARTMENTS:
        return "So " + unit[1:]
    return _ascii(name.replace("Huyện ", "").replace("Thành phố", "TP"))


def _base_name(f: _File) -> str:
    ds, u, p = f.slot
    y = p[:4]
    q = int(p[-1]) if "Q" in p else 0
    name = UNIT_NAMES[u]
    n = f.style.naming
    if n == 0:
        return f"{ds}_{u}_{p}"
    if n == 1:
        return f"Bao cao quy {q} nam {y} - {_short(u)}" if q else f"Dieu tra CNTT nam {y} - {_short(u)}"
    if n == 2:
        return f"Báo cáo quý {ROMAN[q]}-{y} {name}" if q else f"Biểu CNTT năm {y} - {name}"
    if n == 3:
        return f"{ds.lower()}_{u}_{y}q{q}" if q else f"cntt-nam_{u}_{y}"
    return f"BC đột phá Q{q}.{y} - {_short(u)}" if q else f"BC CNTT {y} - {_short(u)}"


EXT = {
    "csv": ".csv",
    "xlsx": ".xlsx",
    "empty": ".csv",
    "xls": ".xls",
    "pdf": ".pdf",
    "docx": ".docx",
    "truncated_xlsx": ".xlsx",
}


def _name_files(files: list[_File], rng: random.Random) -> None:
    taken: set[str] = set()
    for f in files:
        if f.kind == "copy":
            src = f.copy_of
            assert src is not None
            stem, ext = src.name.rsplit(".", 1)
            cands = [f"{stem} (1).{ext}", f"Copy of {src.name}", f"{stem} - Copy.{ext}"]
            name = cands[f.rseed % len(cands)]
        else:
            name = _base_name(f) + f.name_suffix + EXT[f.kind]
        stem, ext = name.rsplit(".", 1)
        k = 2
        while name.lower() in taken:
            name = f"{stem} ({k}).{ext}"
            k += 1
        taken.add(name.lower())
        f.name = name


# --------------------------------------------------------------------------
# rendering


def _plain(v: object) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def _vn(v: object) -> str:
    if isinstance(v, str):
        return v
    s = _plain(v)
    neg = s.startswith("-")
    ip, _, fp = s.lstrip("-").partition(".")
    out = f"{int(ip):,}".replace(",", ".") + ("," + fp if fp else "")
    return "-" + out if neg else out


CSV_HEADERS = {
    "en": ["dataset", "unit_code", "period", "indicator_code", "disaggregation", "value", "note"],
    "vi": ["Biểu mẫu", "Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Phân tổ", "Giá trị", "Ghi chú"],
}
_MODIFIERS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn: precomposed in cp1258


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: precomposed â ê ô ă ơ ư, combining tone marks."""
    out: list[bytes] = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", d[0] + "".join(m for m in d[1:] if m in _MODIFIERS))
        tones = "".join(m for m in d[1:] if m not in _MODIFIERS)
        try:
            out.append((base + tones).encode("cp1258"))
        except UnicodeEncodeError:
            out.append(b"?")
    return b"".join(out)


def _encode(text: str, enc: str) -> bytes:
    if enc == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if enc == "cp1258":
        return _cp1258(text)
    return text.encode(enc)


def _unit_text(rep: _Report, rng: random.Random, xlsx: bool) -> object:
    if rep.unit_text is not None:
        return rep.unit_text
    u = rep.unit
    if u in DISTRICTS:
        r = rng.random()
        if xlsx and r < 0.3:
            return int(u)
        if not xlsx and r < 0.2:
            return str(int(u))
        return u
    r = rng.random()
    return u.lower() if r < 0.06 else f" {u} " if r < 0.1 else u


def _csv_bytes(f: _File) -> bytes:
    rep, st = f.report, f.style
    assert rep is not None
    rng = random.Random(f.rseed)
    cols = ["dataset", "unit_code", "period", "indicator_code", "disaggregation", "value", "note"]
    if rep.dataset != "CNTT-NAM" and rng.random() < 0.4:
        cols.remove("disaggregation")
    if rng.random() < 0.15 and not any(r.note for r in rep.rows):
        cols.remove("note")
    if rng.random() < 0.1:  # another column order
        cols.remove("value")
        cols.insert(cols.index("indicator_code"), "value")
    names = dict(zip(CSV_HEADERS["en"], CSV_HEADERS[st.lang]))
    if st.lang == "en" and rng.random() < 0.3:
        names = {k: v.title() for k, v in names.items()}
    if rep.drop == "value":
        names["value"] = "Số liệu" if st.lang == "vi" else "amount"
    unit = _unit_text(rep, rng, xlsx=False)
    period = rep.period_text or _period_text(rep.period, st.period_form if st.period_form != "number" else "code")
    fmt = _plain if st.delim == "," else _vn
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=st.delim, lineterminator=st.eol)
    w.writerow([names[c] for c in cols])
    for r in rep.rows:
        cell = {
            "dataset": rep.dataset_text or rep.dataset,
            "unit_code": unit,
            "period": period if r.period is None else r.period,
            "indicator_code": r.indicator,
            "disaggregation": r.disagg or "",
            "value": fmt(r.value),
            "note": r.note,
        }
        w.writerow([cell[c] for c in cols])
    text = buf.getvalue()
    if st.nfd:
        text = unicodedata.normalize("NFD", text)
    return _encode(text, st.enc)


def _xlsx_bytes(f: _File) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    rep = f.report
    assert rep is not None
    rng = random.Random(f.rseed)
    saved = f.received_at - timedelta(minutes=rng.randint(5, 120))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = rng.choice(["Báo cáo", "Sheet1", "Bieu 01", "BC"])
    bold = Font(bold=True)
    ws.append(["ỦY BAN NHÂN DÂN TỈNH HÀ GIANG"])
    ws.append([UNIT_NAMES[rep.unit].upper()])
    ws.append([])
    ws.append([DATASET_NAMES[rep.dataset].upper()])
    ws["A4"].font = bold
    ws.append([])
    colon = ":" if rng.random() < 0.8 else ""
    if f.style.period_form == "number" and rep.period_text is None:
        period: object = int(rep.period)
    else:
        period = rep.period_text or _period_text(rep.period, f.style.period_form)
    local_day = (f.received_at + timedelta(hours=7)).date() - timedelta(days=rng.choice([0, 0, 1, 2]))
    local_day = max(local_day, _period_end(rep.period))  # signed once the period has ended
    block = [
        ("Biểu mẫu", rep.dataset_text or rep.dataset),
        ("Tên đơn vị", UNIT_NAMES[rep.unit]),
        ("Mã đơn vị", _unit_text(rep, rng, xlsx=True)),
        ("Kỳ báo cáo", period),
        (
            "Ngày báo cáo",
            datetime(local_day.year, local_day.month, local_day.day)
            if rng.random() < 0.5
            else local_day.strftime("%d/%m/%Y"),
        ),
        ("Người lập", CLERKS[(f.rseed >> 3) % len(CLERKS)]),
    ]
    for label, value in block:
        if rep.drop == "period" and label == "Kỳ báo cáo":
            continue
        ws.append([label + colon, value])
        if isinstance(value, datetime):
            ws.cell(ws.max_row, 2).number_format = "dd/mm/yyyy"
    ws.append([])
    cols = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Phân tổ", "Đơn vị tính", "Giá trị", "Ghi chú"]
    if rep.dataset != "CNTT-NAM" and rng.random() < 0.3:
        cols.remove("Phân tổ")
    if rng.random() < 0.15:
        first3 = ("STT", "Tên chỉ tiêu", "Mã chỉ tiêu")
        cols = list(first3) + [c for c in cols if c not in first3]
    text_amounts = rng.random() < 0.25
    ws.append(cols)
    for c in ws[ws.max_row]:
        c.font = bold
    for i, r in enumerate(rep.rows, 1):
        name, unit, vtype = INDICATORS.get(r.indicator.replace("GIA0", "GIAO"), ("", "", "count"))
        if r.disagg:
            name = f"{name} - {BREAKDOWN_NAMES.get(r.disagg, r.disagg)}"
        v = r.value
        if isinstance(v, float) and text_amounts and vtype == "amount":
            v = _vn(v)
        cell = {
            "STT": i,
            "Mã chỉ tiêu": r.indicator,
            "Tên chỉ tiêu": name,
            "Phân tổ": r.disagg,
            "Đơn vị tính": unit,
            "Giá trị": v,
            "Ghi chú": r.note or None,
        }
        ws.append([cell[c] for c in cols])
        note_col = cols.index("Ghi chú") + 1
        nc = ws.cell(ws.max_row, note_col)
        if isinstance(nc.value, str):
            nc.data_type = "s"  # a note starting with '=' is text, not a formula
    ws.append([])
    if rng.random() < 0.6:
        ws.append([None, "Người lập biểu", None, None, None, "Thủ trưởng đơn vị"])
        ws.append([None, block[5][1]])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["C"].width = 48
    if rng.random() < 0.3:
        ws2 = wb.create_sheet("Hướng dẫn")
        ws2.append(["Ghi số liệu vào cột Giá trị; không sửa cột Mã chỉ tiêu."])
    props = wb.properties
    props.creator = block[5][1]
    props.lastModifiedBy = block[5][1]
    props.created = saved - timedelta(days=rng.randint(30, 400))
    props.title = DATASET_NAMES[rep.dataset]
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue(), saved)


def _stable_zip(data: bytes, when: datetime) -> bytes:
    """Re-pack a zip with fixed entry times and a fixed 'modified' property."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            _zip_write(dst, info.filename, content, when)
    return out.getvalue()


def _zip_write(dst: zipfile.ZipFile, name: str, content: bytes, when: datetime) -> None:
    zi = zipfile.ZipInfo(name, date_time=(when + timedelta(hours=7)).timetuple()[:6])
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.create_system = 0
    zi.external_attr = 0
    dst.writestr(zi, content)


def _pdf_bytes(f: _File) -> bytes:
    ds, u, p = f.slot
    text = f"BAO CAO {ds} {p} - {_ascii(UNIT_NAMES[u]).upper()} (ban scan co chu ky, dong dau)"
    stream = f"BT /F1 12 Tf 56 780 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for o in offsets:
        out += f"{o:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _docx_bytes(f: _File) -> bytes:
    ds, u, p = f.slot
    paras = [
        "ỦY BAN NHÂN DÂN TỈNH HÀ GIANG",
        UNIT_NAMES[u].upper(),
        f"BÁO CÁO {DATASET_NAMES[ds].upper()}",
        f"Kỳ báo cáo: {_period_text(p, 'roman' if 'Q' in p else 'nam')}",
        "Kết quả thực hiện các nhiệm vụ đột phá trong kỳ như sau: (xem bảng kèm theo)",
    ]
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in paras)
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            _zip_write(z, name, text.encode("utf-8"), f.received_at - timedelta(hours=1))
    return out.getvalue()


def _xls_bytes(f: _File) -> bytes:
    # OLE2 compound-file signature and header, then padding: what an .xls starts with
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00\x06\x00"
    label = f"Workbook {f.slot[0]} {f.slot[1]} {f.slot[2]}".encode("utf-16-le")
    return (head + b"\x00" * (512 - len(head)) + label).ljust(4096, b"\x00")


def _render(f: _File, done: dict[int, bytes]) -> bytes:
    if f.kind == "copy":
        assert f.copy_of is not None
        return done[id(f.copy_of)]
    if f.kind == "empty":
        return b""
    if f.kind == "csv":
        return _csv_bytes(f)
    if f.kind == "xlsx":
        return _xlsx_bytes(f)
    if f.kind == "truncated_xlsx":
        data = _xlsx_bytes(f)
        return data[: len(data) * 3 // 5]
    if f.kind == "pdf":
        return _pdf_bytes(f)
    if f.kind == "docx":
        return _docx_bytes(f)
    if f.kind == "xls":
        return _xls_bytes(f)
    raise ValueError(f.kind)


# --------------------------------------------------------------------------
# public API


def demo_values(seed: int = 2017) -> dict[tuple[str, str, str], dict[tuple[str, str | None], int | float]]:
    """Values the current view must hold after the demo inbox of `seed` is ingested.

    {(dataset, unit, period): {(indicator, breakdown or None): value}} for every
    slot that ends with an accepted file (missing and finally rejected slots are
    absent). Counts are int, amounts and percents float.
    """
    _, values = _plan(seed)
    return {k: dict(v) for k, v in values.items()}


def _to_ts(when: datetime) -> float:
    return when.replace(tzinfo=timezone.utc).timestamp()


def generate_demo_inbox(
    out_dir: Path | str, seed: int = 2017, manifest_path: Path | str | bool | None = None
) -> list[DemoFile]:
    """Write the demo inbox for `seed` into `out_dir` (created if needed).

    Returns one `DemoFile` per written file, in order of receipt. Existing files
    in `out_dir` are left alone (same-named ones are overwritten): use an empty
    folder. `manifest_path`: a path to also write a JSON manifest there, or
    True for `out_dir.parent / "demo-manifest.json"`; nothing by default.
    All `received_at` values are naive UTC; each file's mtime is set to it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files, _ = _plan(seed)
    done: dict[int, bytes] = {}
    hashes: dict[str, str] = {}
    result: list[DemoFile] = []
    manifest: list[dict] = []
    for f in files:
        data = _render(f, done)
        done[id(f)] = data
        digest = hashlib.sha256(data).hexdigest()
        if f.kind != "copy" and digest in hashes:
            raise AssertionError(f"{f.name} is byte-identical to {hashes[digest]}")
        hashes.setdefault(digest, f.name)
        path = out_dir / f.name
        path.write_bytes(data)
        ts = _to_ts(f.received_at)
        os.utime(path, (ts, ts))
        form = f.style.describe() if f.kind in ("csv", "xlsx") else f.kind
        if f.kind == "copy":
            form = f.copy_of.style.describe() if f.copy_of.kind in ("csv", "xlsx") else f.copy_of.kind  # type: ignore[union-attr]
        d = DemoFile(
            file_name=f.name,
            dataset_code=f.slot[0],
            unit_code=f.slot[1],
            period=f.slot[2],
            received_at=f.received_at,
            expected_status=f.status,
            expected_rules=f.rules if f.status == "rejected" else (),
            expected_warnings=f.warnings if f.status in ("accepted", "superseded") else (),
            scenario=f.scenario + ("; formula-like note" if f.formula else ""),
            form=form,
        )
        result.append(d)
        manifest.append(
            {
                **{k: v for k, v in d.__dict__.items() if k != "received_at"},
                "received_at": f.received_at.isoformat(),
                "expected_rules": list(d.expected_rules),
                "expected_warnings": list(d.expected_warnings),
                "sha256": digest,
                "bytes": len(data),
            }
        )
    if manifest_path:
        mp = out_dir.parent / "demo-manifest.json" if manifest_path is True else Path(manifest_path)
        doc = {"seed": seed, "time_zone": "naive UTC", "files": manifest}
        mp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":  # python -m chiso.demo OUT_DIR [SEED]
    import sys
    from collections import Counter

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/demo-inbox")
    got = generate_demo_inbox(target, int(sys.argv[2]) if len(sys.argv) > 2 else 2017, manifest_path=True)
    print(len(got), "files in", target, dict(Counter(f.expected_status for f in got)))
