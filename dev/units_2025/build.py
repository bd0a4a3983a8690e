"""Build the 2025 reform's units and successions into the catalog (issue 22): rerun, never edit by hand.

On 2025-07-01 Hà Giang (02) and Tuyên Quang merged into a new Tuyên Quang (08), and the district
level was abolished: Hà Giang's 11 districts' old communes were merged into new communes. In March
2025 five departments had already merged into others. This script writes that into the catalog:

- catalog/units.csv: it keeps every row it does not make and rewrites, after them, the rows it
  makes: SNNMT (the March merger's new department), province 08, the new province's departments
  (`<code>-TQ`) and its 124 communes (117 xã, 7 phường).
- catalog/unit_types.csv: the type `commune`, added once.
- catalog/unit_successions.csv (wholly its own): the March and July departments' mergers, 02 -> 08,
  and each district's split into the new communes that took its old communes (78 rows).
- dev/units_2025/communes.csv: old commune -> new commune (Hà Giang and old Tuyên Quang), the
  evidence the district rows are computed from; dev/units_2025/crosscheck.csv: every disagreement
  between the sources.

The same sources give the same files, byte for byte. Sources, licences and the cross-check's result:
dev/units_2025/README.md (how to rerun it, in its own environment: the packages are not chiso's).

Weights. No source gives the population of an old commune, so a district's values are shared out
by `old_commune_share`: the share of the district's old communes (as of 2025-06-30) that went into
each new commune, an old commune split between k new communes counting 1/k to each, written as an
exact fraction. The reverse weight is the share of a new commune's old communes that came from the
district. A row is `approximate` when one of its old communes was split (its shares are unknown).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path
from typing import Any

from core.catalog import OPTIONAL_TABLES, TABLES, Catalog

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EFFECTIVE = "2025-07-01"
MARCH = "2025-03-01"
NEW_PROVINCE = "08"
OLD_HG = "02"
OLD_TQ = "08"  # the old Tuyên Quang had code 08 too: the new province keeps it (not in the catalog)
BASIS_PROVINCE = "Nghị quyết 202/2025/QH15"
BASIS_COMMUNES = "Nghị quyết 1684/NQ-UBTVQH15"
BASIS_DEPARTMENTS = "Nghị định 45/2025/NĐ-CP"
PACKAGES = {"vietnam-provinces": "2025.10.1", "vietnamadminunits": "1.0.4"}

# The March 2025 mergers: (old department, the department that took it over).
MARCH_MERGERS = (
    ("STTTT", "SKHCN"),
    ("SKHDT", "STC"),
    ("SGTVT", "SXD"),
    ("SNNPTNT", "SNNMT"),
    ("STNMT", "SNNMT"),
)
SNNMT = ("SNNMT", "Sở Nông nghiệp và Môi trường", "department", OLD_HG, MARCH, "2025-06-30")
# The catalog's own column lists: the files the build writes are the ones core.catalog reads.
UNIT_COLUMNS = TABLES["units"]
SUCCESSION_COLUMNS = OPTIONAL_TABLES["unit_successions"]
COMMUNE_TYPE = {
    "unit_type": "commune",
    "unit_type_name": "xã, phường",
    "unit_type_name_en": "commune or ward",
    "scope_name": "Xã, phường",
    "scope_name_en": "Communes and wards",
}

# Sources write tone marks two ways (hoà / hòa, thuỷ / thủy): compared on one spelling.
_TONE = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def tone_neutral(text: str) -> str:
    text = nfc(text).lower()
    for old, new in _TONE.items():
        text = text.replace(old, new)
    return text


def spelling(one: str, other: str) -> str:
    return "spelling only (case or tone placement)" if tone_neutral(one) == tone_neutral(other) else "different name"


@dataclass
class OldCommune:
    code: str
    name: str
    district_code: str
    district_name: str
    province_code: str
    address: str


@dataclass
class Sources:
    """What the two packages say: the new units, the old communes and which new commune took each."""

    new: dict[str, tuple[str, str]]  # code -> (name, xã/phường): vietnam-provinces
    new_b: dict[str, tuple[str, str]]  # the same from vietnamadminunits
    old: dict[str, OldCommune]
    links: dict[str, set[str]]  # old commune -> the new communes that took (part of) it
    split: set[str]  # old communes divided between new communes
    default: dict[str, str]  # old commune -> the new commune vietnamadminunits' converter picks
    versions: dict[str, str]
    disagreements: list[dict[str, str]] = field(default_factory=list)

    def disagree(self, check: str, subject: str, first: str, second: str, note: str = "") -> None:
        self.disagreements.append(
            {"check": check, "subject": subject, "source_1": first, "source_2": second, "note": note}
        )


def installed(package: str) -> str:
    found = version(package)
    if found != PACKAGES[package]:
        sys.exit(f"{package} {found} is installed; this build reads {PACKAGES[package]} (dev/units_2025/README.md)")
    return found


def read_packages() -> Sources:
    """Source A, vietnam-provinces (the new units), and B, vietnamadminunits (old units and the conversion)."""
    provinces: Any = importlib.import_module("vietnam_provinces")
    new = {
        f"{int(ward.code):05d}": (nfc(ward.name), ward.division_type.value)
        for ward in provinces.Ward.iter_by_province(provinces.ProvinceCode.P_08)
    }
    database: Any = importlib.import_module("vietnamadminunits.database")
    converter: Any = importlib.import_module("vietnamadminunits.converter.converter_2025")
    rows = database.query(
        "SELECT wardCode, ward, wardType, wardKey FROM admin_units WHERE provinceCode = '08' ORDER BY wardCode"
    )
    new_b = {row["wardCode"]: (nfc(row["ward"]), nfc(row["wardType"]).lower()) for row in rows}
    new_key = {row["wardKey"]: row["wardCode"] for row in rows}
    old: dict[str, OldCommune] = {}
    old_key: dict[str, str] = {}
    for row in database.query(
        "SELECT provinceCode, province, provinceKey, districtCode, district, districtKey, wardCode, ward, wardKey"
        " FROM admin_units_legacy WHERE provinceCode IN ('02', '08') ORDER BY wardCode"
    ):
        code = row["wardCode"]
        old[code] = OldCommune(
            code,
            nfc(row["ward"]),
            row["districtCode"],
            nfc(row["district"]),
            row["provinceCode"],
            f"{row['ward']}, {row['district']}, {row['province']}",
        )
        old_key[f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"] = code
    if len(old_key) != len(old):
        sys.exit("vietnamadminunits: two old communes share a key")
    links: dict[str, set[str]] = defaultdict(set)
    default: dict[str, str] = {}
    for key, old_keys in converter.DICT_PROVINCE_WARD_NO_DIVIDED["tinhtuyenquang"].items():
        for old_one in old_keys:
            links[old_key[old_one]].add(new_key[key])
            default[old_key[old_one]] = new_key[key]
    split: set[str] = set()
    for old_one, parts in converter.DICT_PROVINCE_WARD_DIVIDED["tinhtuyenquang"].items():
        split.add(old_key[old_one])
        for part in parts:
            links[old_key[old_one]].add(new_key[part["newWardKey"]])
            if part["isDefaultNewWard"]:
                default[old_key[old_one]] = new_key[part["newWardKey"]]
    versions = {package: installed(package) for package in PACKAGES}
    return Sources(new, new_b, old, dict(links), split, default, versions)


def cross_check(sources: Sources, upstream: Path | None) -> None:
    """Compare A with B, B's conversion tables with its own address converter, and (with --upstream)
    both with the statistics office's conversion table; every disagreement is recorded."""
    for code in sorted(set(sources.new) | set(sources.new_b)):
        first, second = sources.new.get(code), sources.new_b.get(code)
        if first is None or second is None:
            sources.disagree("new unit code", code, str(first), str(second), "code in one source only")
        elif first != second:
            sources.disagree(
                "new unit name",
                code,
                f"vietnam-provinces: {first[0]}",
                f"vietnamadminunits: {second[0]}",
                spelling(first[0], second[0]),
            )
    convert: Any = importlib.import_module("vietnamadminunits").convert_address
    for code, commune in sorted(sources.old.items()):
        unit = convert(commune.address)  # no street: no geocoding, no network
        found = unit.ward_code if unit.province_code == NEW_PROVINCE else None
        if found != sources.default.get(code):
            sources.disagree("address path", code, f"convert_address: {found}", f"default: {sources.default.get(code)}")
    if upstream is not None:
        cross_check_office(sources, upstream)


def cross_check_office(sources: Sources, upstream: Path) -> None:
    """Source C: the statistics office's conversion table and unit list, as kept in the source tree of
    vietnam-provinces v2026.2.3 (newer than the registry offers; Python >= 3.12)."""
    table = next((upstream / "dev" / "seed-data" / "2025-07").glob("BangChuyendoi*.csv"))
    flat = json.loads((upstream / "vietnam_provinces" / "data" / "flat-divisions.json").read_text(encoding="utf-8"))
    office_units = {f"{int(d['code']):05d}": nfc(d["name"]) for d in flat if d["province_codename"] == "tuyen_quang"}
    release = re.search(r"__version__ = '([^']+)'", (upstream / "vietnam_provinces" / "__init__.py").read_text())
    label = f"vietnam-provinces {release[1] if release else '?'} (statistics office)"
    for code in sorted(set(sources.new) | set(office_units)):
        mine, theirs = sources.new.get(code), office_units.get(code)
        if mine is None or theirs is None:
            sources.disagree("new unit code (office list)", code, str(mine), str(theirs), "code in one source only")
        elif mine[0] != theirs:
            sources.disagree(
                "new unit name (office list)",
                code,
                f"vietnam-provinces: {mine[0]}",
                f"{label}: {theirs}",
                spelling(mine[0], theirs),
            )
    coded = re.compile(r"^(.*?)\s*\((\d+)\)\s*$")
    by_name = {(c.district_code, tone_neutral(c.name)): code for code, c in sources.old.items()}
    links: dict[str, set[str]] = defaultdict(set)
    partial: set[str] = set()
    with table.open(encoding="utf-8") as stream:
        for record in csv.reader(stream):
            if not record or not record[0].startswith("Tỉnh Tuyên Quang (08)"):
                continue
            old_code, old_name, how = record[4], nfc(record[3]), nfc(record[5])
            district = coded.match(record[6])
            district_code = district[2] if district else ""
            known = sources.old.get(old_code)
            if known and tone_neutral(known.name) != tone_neutral(old_name):
                corrected = by_name.get((district_code, tone_neutral(old_name)))
                if corrected:
                    sources.disagree(
                        "office table old code typo",
                        old_code,
                        f"office: {old_name} {old_code}",
                        f"vietnamadminunits: {old_name} {corrected} ({old_code} is {known.name})",
                        f"corrected to {corrected}",
                    )
                    old_code = corrected
            known = sources.old.get(old_code)
            if known and known.name != old_name:
                sources.disagree("old commune name", old_code, known.name, old_name, spelling(known.name, old_name))
            links[old_code].add(record[2])
            if how == "Nhập một phần":
                partial.add(old_code)
    for code in sorted(set(links) | set(sources.links)):
        if links.get(code, set()) != sources.links.get(code, set()):
            sources.disagree(
                "old commune -> new",
                code,
                "vietnamadminunits: " + " ".join(sorted(sources.links.get(code, ()))),
                "office table: " + " ".join(sorted(links.get(code, ()))),
            )
    for code in sorted(partial ^ sources.split):
        sources.disagree(
            "old commune split", code, f"vietnamadminunits: {code in sources.split}", f"office: {code in partial}"
        )


def share_text(value: Fraction) -> str:
    return str(value)  # exact: `1`, `7/16`


def district_rows(sources: Sources, districts: list[str]) -> list[dict[str, str]]:
    """Each Hà Giang district -> the new communes that took its old communes, with weights both ways."""
    taken: dict[str, Fraction] = defaultdict(Fraction)  # new commune -> its old communes, split ones counted 1/k
    for news in sources.links.values():
        for new in news:
            taken[new] += Fraction(1, len(news))
    rows = []
    for district in districts:
        members = [c for c in sources.old.values() if c.province_code == OLD_HG and c.district_code == district]
        share: dict[str, Fraction] = defaultdict(Fraction)
        split_in: dict[str, list[OldCommune]] = defaultdict(list)
        for commune in members:
            successors = sorted(sources.links[commune.code])
            for new in successors:
                share[new] += Fraction(1, len(successors))
                if commune.code in sources.split:
                    split_in[new].append(commune)
        others: dict[str, set[str]] = defaultdict(set)
        for commune in sources.old.values():
            for new in sources.links.get(commune.code, ()):
                if new in share and commune.district_code != district:
                    others[new].add(commune.district_code)
        for new in sorted(share):
            notes = [
                f"approximate: old commune {c.code} {c.name} was split between {len(sources.links[c.code])}"
                f" new communes, in shares no source gives; counted 1/{len(sources.links[c.code])} to each"
                for c in split_in[new]
            ]
            if others[new]:
                notes.append(f"{new} also takes old communes of district(s) {' '.join(sorted(others[new]))}")
            notes.append(f"takes {float(share[new]):g} of the district's {len(members)} old communes")
            rows.append(
                {
                    "from_code": district,
                    "to_code": new,
                    "kind": "split",
                    "effective_date": EFFECTIVE,
                    "weight": share_text(share[new] / len(members)),
                    "weight_method": "old_commune_share",
                    "reverse_weight": share_text(share[new] / taken[new]),
                    "mapping": "approximate" if split_in[new] else "exact",
                    "legal_basis": BASIS_COMMUNES,
                    "note": "; ".join(notes),
                }
            )
    return rows


def department_rows(units: dict[str, dict[str, str]]) -> tuple[list[tuple[str, ...]], list[dict[str, str]]]:
    """SNNMT and the `-TQ` departments (units), and the departments' mergers (successions)."""
    rows = []
    for old, new in MARCH_MERGERS:
        rows.append(merge(old, new, MARCH, BASIS_DEPARTMENTS, "the department's remit passed whole to " + new))
    in_force = [
        code
        for code, unit in [*units.items(), (SNNMT[0], dict(zip(UNIT_COLUMNS, SNNMT)))]
        if unit["unit_type"] == "department" and unit["valid_to"] == "2025-06-30"
    ]
    new_units: list[tuple[str, ...]] = [SNNMT]
    for code in in_force:
        name = SNNMT[1] if code == SNNMT[0] else units[code]["unit_name"]
        new_units.append((f"{code}-TQ", f"{name} tỉnh Tuyên Quang", "department", NEW_PROVINCE, EFFECTIVE, ""))
        rows.append(
            merge(
                code,
                f"{code}-TQ",
                EFFECTIVE,
                BASIS_PROVINCE,
                "merged with old Tuyên Quang's department of the same field (not in the catalog)",
            )
        )
    return new_units, rows


def merge(old: str, new: str, day: str, basis: str, note: str) -> dict[str, str]:
    """A whole unit into a successor whose share of it is unknown (it also takes what the catalog does not hold)."""
    return {
        "from_code": old,
        "to_code": new,
        "kind": "merge",
        "effective_date": day,
        "weight": "1",
        "weight_method": "whole",
        "reverse_weight": "",
        "mapping": "exact",
        "legal_basis": basis,
        "note": note,
    }


def csv_text(columns: tuple[str, ...] | list[str], rows: list[dict[str, str]] | list[tuple[str, ...]]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns] if isinstance(row, dict) else row)
    return stream.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dev.units_2025.build",
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  dev/units_2025/.venv/bin/python -m dev.units_2025.build\n"
            "  dev/units_2025/.venv/bin/python -m dev.units_2025.build --upstream ~/src/VietnamProvinces-v2026.2.3"
        ),
    )
    parser.add_argument("--catalog", type=Path, default=ROOT / "catalog", help="the catalog folder to write")
    parser.add_argument(
        "--upstream",
        type=Path,
        help="a source tree of vietnam-provinces v2026.2.3: cross-check against the statistics office's table",
    )
    args = parser.parse_args(argv)
    sources = read_packages()
    cross_check(sources, args.upstream)

    units_path = args.catalog / "units.csv"
    with units_path.open(encoding="utf-8", newline="") as stream:
        units = {row["unit_code"]: row for row in csv.DictReader(stream)}
    districts = sorted(code for code, row in units.items() if row["unit_type"] == "district")
    made = {SNNMT[0], NEW_PROVINCE, *sources.new, *(f"{code}-TQ" for code in units)} | {f"{SNNMT[0]}-TQ"}
    kept = {code: row for code, row in units.items() if code not in made}
    departments, department_successions = department_rows(kept)
    province = (NEW_PROVINCE, "Tỉnh Tuyên Quang", "province", "", EFFECTIVE, "")
    communes = [(code, name, "commune", NEW_PROVINCE, EFFECTIVE, "") for code, (name, _) in sorted(sources.new.items())]
    kept_rows = [tuple(row[c] for c in UNIT_COLUMNS) for row in kept.values()]
    # SNNMT beside the departments it came from; the new province's units after the old province's.
    units_text = csv_text(UNIT_COLUMNS, [*kept_rows, departments[0], province, *departments[1:], *communes])
    units_path.write_text(units_text, encoding="utf-8")

    types_path = args.catalog / "unit_types.csv"
    types_text = types_path.read_text(encoding="utf-8")
    if "\ncommune," not in types_text:
        types_path.write_text(types_text + csv_text(tuple(COMMUNE_TYPE), [COMMUNE_TYPE]).split("\n", 1)[1])

    province_row = merge(
        OLD_HG,
        NEW_PROVINCE,
        EFFECTIVE,
        BASIS_PROVINCE,
        "whole of old Hà Giang (02) with old Tuyên Quang (08, not in the catalog) forms the new Tuyên Quang,"
        " which keeps code 08; reverse weight blank: the new province is not wholly covered by the catalog's units",
    )
    successions = [*department_successions, province_row, *district_rows(sources, districts)]
    (args.catalog / "unit_successions.csv").write_text(csv_text(SUCCESSION_COLUMNS, successions), encoding="utf-8")

    evidence = [
        {
            "from_code": c.code,
            "from_name": c.name,
            "from_district_code": c.district_code,
            "from_district_name": c.district_name,
            "from_province_code": c.province_code,
            "to_code": new,
            "to_name": sources.new[new][0],
            "split": "yes" if c.code in sources.split else "",
            "converter_default": "yes" if sources.default.get(c.code) == new else "",
        }
        for c in sorted(sources.old.values(), key=lambda c: (c.province_code != OLD_HG, c.code))
        for new in sorted(sources.links.get(c.code, ()))
    ]
    (HERE / "communes.csv").write_text(csv_text(list(evidence[0]), evidence), encoding="utf-8")
    check_columns = ("check", "subject", "source_1", "source_2", "note")
    (HERE / "crosscheck.csv").write_text(csv_text(check_columns, sources.disagreements), encoding="utf-8")

    catalog = Catalog(args.catalog)  # the catalog's own checks, as every run makes them
    print(
        f"{len(catalog.units)} units, {len(catalog.successions)} successions, {len(evidence)} old commune links,"
        f" {len(sources.disagreements)} disagreements ({', '.join(f'{p} {v}' for p, v in sources.versions.items())})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
