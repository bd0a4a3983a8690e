"""`chiso export`: every format, formula-like text neutralised for spreadsheets, numbers kept
numeric, and the VIEW argument only ever naming one of the warehouse's own tables or views."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from builders import csv_bytes, department_report, write
from chiso.export import ExportError, export_view, neutralise

CHISO = str(Path(sys.executable).parent / "chiso")
# note: what a spreadsheet must show. OWASP's list: = + - @ tab CR at the start.
NOTES = {
    1: ("=1+1", "'=1+1"),
    2: ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
    3: ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    4: ("@SUM(1)", "'@SUM(1)"),
    5: ("\tTAB", "'\tTAB"),
    6: ("\rCR", "'\rCR"),
    7: ('=HYPERLINK("http://evil.example","Bấm vào đây")', '\'=HYPERLINK("http://evil.example","Bấm vào đây")'),
    8: ("-5", "-5"),  # text that is only a number is no formula: left alone
    9: ('Đã nghiệm thu, "đợt 2"\nghi chú', 'Đã nghiệm thu, "đợt 2"\nghi chú'),
    10: ("'already quoted", "'already quoted"),
    11: ("a=b", "a=b"),
    12: (None, None),
}
AMOUNTS = {1: -5.5, 2: -1250.25, 3: 0.0, 4: 1e6, 5: -3.0}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    import duckdb

    path = tmp_path_factory.mktemp("export") / "wh.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute(
            "create table samples (id integer, note varchar, amount double, exact decimal(12, 2),"
            " day date, source_rows integer[], doc json)"
        )
        db.executemany(
            "insert into samples values (?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    i,
                    note,
                    AMOUNTS.get(i),
                    Decimal("-12.50") if i == 1 else None,
                    date(2017, 7, 5),
                    [i, i + 1],
                    '{"vi": "=x"}',
                ]
                for i, (note, _) in NOTES.items()
            ],
        )
        db.execute("create view notes as select id, note from samples")
        db.execute('create table "Bảng có dấu ""cách""" (x integer)')
        db.execute('insert into "Bảng có dấu ""cách""" values (-7)')
    return path


@pytest.mark.parametrize("text, expected", [(n, e) for n, e in NOTES.values() if n is not None])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_csv_neutralises_formulas_and_keeps_numbers(warehouse, tmp_path):
    output, rows = export_view(warehouse, "samples", "csv", tmp_path / "samples.csv")
    assert rows == len(NOTES) and output == tmp_path / "samples.csv"
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Vietnamese right
    with output.open(encoding="utf-8-sig", newline="") as stream:
        read = {int(row["id"]): row for row in csv.DictReader(stream)}
    for i, (_, expected) in NOTES.items():
        assert read[i]["note"] == (expected or ""), i
    for i, amount in AMOUNTS.items():
        assert read[i]["amount"] == f"{amount:g}" or float(read[i]["amount"]) == amount
        assert not read[i]["amount"].startswith("'")  # a negative number stays a number
    assert read[1]["exact"] == "-12.50" and read[1]["day"] == "2017-07-05"
    assert read[1]["source_rows"] == "[1, 2]" and read[1]["doc"] == '{"vi": "=x"}'
    assert not list(tmp_path.glob(".*partial*")) and not list(tmp_path.glob("*.body"))


def test_xlsx_writes_formula_like_text_as_text_and_numbers_as_numbers(warehouse, tmp_path):
    from openpyxl import load_workbook

    output, rows = export_view(warehouse, "samples", "xlsx", tmp_path / "samples.xlsx")
    assert rows == len(NOTES)
    sheet = load_workbook(output).active
    header = [cell.value for cell in sheet[1]]
    assert header == ["id", "note", "amount", "exact", "day", "source_rows", "doc"]
    cells = {row[0].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)}
    for i, (_, expected) in NOTES.items():
        note = cells[i]["note"]
        # XML readers turn a bare carriage return into a line feed; the leading quote is what matters.
        assert note.value == (expected and expected.replace("\r", "\n")), i
        if expected is not None:
            assert note.data_type == "s", i
    for i, amount in AMOUNTS.items():
        assert cells[i]["amount"].value == amount and cells[i]["amount"].data_type == "n"
    assert cells[1]["exact"].value == -12.5 and cells[1]["exact"].data_type == "n"
    assert cells[1]["day"].is_date
    assert cells[1]["source_rows"].value == "[1, 2]"
    with zipfile.ZipFile(output) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere in the sheet


def test_parquet_keeps_values_verbatim(warehouse, tmp_path):
    import duckdb

    output, rows = export_view(warehouse, "samples", "parquet", tmp_path / "samples.parquet")
    assert rows == len(NOTES)
    with duckdb.connect() as db:
        read = dict(db.execute("select id, note from read_parquet(?)", [str(output)]).fetchall())
        amounts = dict(db.execute("select id, amount from read_parquet(?)", [str(output)]).fetchall())
        [(kind,)] = db.execute("select typeof(source_rows) from read_parquet(?) limit 1", [str(output)]).fetchall()
    assert read == {i: note for i, (note, _) in NOTES.items()}
    assert {i: amounts[i] for i in AMOUNTS} == AMOUNTS and kind == "INTEGER[]"


def test_views_and_awkward_names_are_quoted_properly(warehouse, tmp_path):
    output, rows = export_view(warehouse, "NOTES", "csv", tmp_path / "notes.csv")  # case-insensitive, as SQL
    assert rows == len(NOTES)
    output, rows = export_view(warehouse, 'Bảng có dấu "cách"', "xlsx", tmp_path / "odd.xlsx")
    from openpyxl import load_workbook

    assert rows == 1 and load_workbook(output).active["A2"].value == -7


def test_default_output_is_the_view_name_here(warehouse, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output, _ = export_view(warehouse, "notes", "parquet")
    assert output == Path("notes.parquet") and (tmp_path / "notes.parquet").exists()


def test_unknown_view_is_refused_with_the_choices(warehouse, tmp_path):
    with pytest.raises(ExportError) as refused:
        export_view(warehouse, "completness", "csv", tmp_path / "x.csv")
    assert "'completness' is not a view or table of this warehouse" in str(refused.value)
    assert "notes, samples" in str(refused.value)
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "view",
    [
        "samples; drop table samples",
        'samples"; drop table samples; --',
        "samples where 1=1",
        "(select 1)",
        "main.samples",
        "information_schema.tables",
        "read_csv('/etc/passwd')",
        "samples --",
    ],
)
def test_sql_in_the_view_argument_is_refused(warehouse, tmp_path, view):
    import duckdb

    with pytest.raises(ExportError, match="is not a view or table"):
        export_view(warehouse, view, "csv", tmp_path / "x.csv")
    with duckdb.connect(str(warehouse), read_only=True) as db:
        assert db.execute("select count(*) from samples").fetchall() == [(len(NOTES),)]
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_refused(warehouse, tmp_path):
    with pytest.raises(ExportError, match="unknown format 'xls'"):
        export_view(warehouse, "samples", "xls", tmp_path / "x.xls")


def test_pipeline_notes_are_neutralised_in_the_command_output(ingest, settings, tmp_path):
    report = department_report().with_rows(
        [*department_report().rows[:3], ("NV_HOANTHANH", "", 4, "=Đã nghiệm thu"), *department_report().rows[4:]]
    )
    verdicts = ingest(write(tmp_path / "in" / "dp.csv", csv_bytes(report)))
    assert verdicts["dp.csv"].status == "accepted"
    env = {**os.environ, "CHISO_HOME": str(settings.home)}
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"values.{fmt}"
        done = subprocess.run(
            [
                CHISO,
                "export",
                "indicator_values",
                "--format",
                fmt,
                "--warehouse",
                str(settings.warehouse),
                "--output",
                str(target),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"wrote {len(report.rows)} rows of indicator_values to {target}"
    with (tmp_path / "values.csv").open(encoding="utf-8-sig", newline="") as stream:
        notes = {row["indicator_code"]: (row["note"], row["value"]) for row in csv.DictReader(stream)}
    assert notes["NV_HOANTHANH"] == ("'=Đã nghiệm thu", "4.0") and notes["KP_BOTRI"][1] == "1250.5"
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "values.xlsx").active
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("indicator_code")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["NV_HOANTHANH"][header.index("note")] == "'=Đã nghiệm thu"
    assert rows["KP_BOTRI"][header.index("value")] == 1250.5


def test_cli_refuses_unknown_view_with_exit_2(warehouse, tmp_path):
    env = {**os.environ, "CHISO_HOME": str(tmp_path)}
    done = subprocess.run(
        [CHISO, "export", "samples; drop table samples", "--format", "csv", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "chiso: error: 'samples; drop table samples' is not a view or table" in done.stderr
    assert "Traceback" not in done.stderr and list(tmp_path.iterdir()) == []
    bad_format = subprocess.run(
        [CHISO, "export", "samples", "--format", "xls"], capture_output=True, text=True, env=env
    )
    assert bad_format.returncode == 2 and "invalid choice: 'xls'" in bad_format.stderr


def test_every_declared_output_has_what_it_declares(capsys):
    """chiso/outputs/: a module per output, `write` for the refreshed ones, `export` for those with formats;
    `chiso export --help` offers every declared format with its examples, and the refresh is the
    `after_publish` outputs in declaration order."""
    import importlib

    from chiso.cli import main
    from chiso.outputs import OUTPUTS, Output, declare, export_formats, refreshed

    assert [output.name for output in refreshed()] == ["completeness", "report"]
    assert list(export_formats()) == ["csv", "xlsx", "parquet", "sdmx"]
    for output in OUTPUTS.values():
        module = importlib.import_module(output.module)
        assert callable(getattr(module, "write", None)) or not output.after_publish, output.name
        assert callable(getattr(module, "export", None)) or not output.formats, output.name
        assert output.after_publish or output.formats, f"{output.name} is neither refreshed nor exported"
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    text = capsys.readouterr().out
    for output in OUTPUTS.values():
        assert output.examples in text or not output.formats
        assert all(fmt in text for fmt in output.formats)
    with pytest.raises(ValueError, match="'sdmx' is declared twice"):
        declare(Output("sdmx", "again"))
    with pytest.raises(ValueError, match=r"format\(s\) csv already declared"):
        declare(Output("other", "a second csv", formats=("csv",)))
    assert "other" not in OUTPUTS
