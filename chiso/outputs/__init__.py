"""The outputs: every file chiso writes from the analysts' snapshot, declared here and nowhere else.

An output is one module of this package and one `declare(...)` below. Its module has
`write(snapshot, folder) -> {name: file}` (every file it writes, under its own names), and, if
it declares formats, `export(snapshot, view, fmt, output) -> (file, rows)`: one view in one of
those formats, for `chiso export VIEW --format FMT`. `after_publish` outputs are refreshed into
CHISO_REPORTS after each publish (`chiso.monitoring.refresh_outputs`, run by the
`chiso_monitoring` DAG). The built-in outputs are declared through the same `declare` a new
one uses, and the CLI and the monitoring refresh only iterate `OUTPUTS`.

Kept import-free (dataclasses only): `chiso --help` reads the declarations, and an output's
module, with its libraries, is imported only when it writes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Output:
    name: str
    summary: str  # what it writes, for people (`chiso export --help` shows those with formats)
    after_publish: bool = False  # refreshed into CHISO_REPORTS after each publish
    formats: tuple[str, ...] = ()  # the formats `chiso export VIEW --format` writes through it
    views: tuple[str, ...] = ()  # the views those formats apply to; none named: any view or table
    format_help: str = ""  # the formats, for `chiso export --help`
    examples: str = ""  # `chiso export` lines, for its --help

    @property
    def module(self) -> str:
        return f"{__name__}.{self.name}"

    def write(self, snapshot: Path, folder: Path) -> dict[str, Path]:
        """Every file of this output, from `snapshot`, written into `folder`."""
        return importlib.import_module(self.module).write(snapshot, folder)

    def export(self, snapshot: Path, view: str, fmt: str, output: Path | None = None) -> tuple[Path, int]:
        """One view in one of `formats`, to `output` (default: named after the view, here)."""
        return importlib.import_module(self.module).export(snapshot, view, fmt, output)


OUTPUTS: dict[str, Output] = {}


def declare(output: Output) -> Output:
    """Add an output: its module is `chiso.outputs.<name>`."""
    if output.name in OUTPUTS:
        raise ValueError(f"output {output.name!r} is declared twice")
    taken = {fmt for other in OUTPUTS.values() for fmt in other.formats}.intersection(output.formats)
    if taken:
        raise ValueError(f"output {output.name!r}: format(s) {', '.join(sorted(taken))} already declared")
    OUTPUTS[output.name] = output
    return output


def export_formats() -> dict[str, Output]:
    """Each format of `chiso export --format` and the output that writes it."""
    return {fmt: output for output in OUTPUTS.values() for fmt in output.formats}


def refreshed() -> list[Output]:
    """The outputs written after each publish, in declaration order."""
    return [output for output in OUTPUTS.values() if output.after_publish]


# --- the built-in outputs -----------------------------------------------------------------------

declare(
    Output(
        "views",
        "CSV, Excel or Parquet (formula-like text neutralised in CSV and Excel)",
        formats=("csv", "xlsx", "parquet"),
        format_help="csv (UTF-8 with BOM), xlsx or parquet (values verbatim)",
        examples="  chiso export completeness --format xlsx\n"
        "  chiso export indicator_values --format parquet --output values.parquet\n"
        "  chiso export rejection_reasons --format csv --warehouse wh.duckdb\n",
    )
)
declare(
    Output(
        "completeness",
        "the completeness and reporting-rate CSVs (CHISO_REPORTS/<view>.csv)",
        after_publish=True,
    )
)
declare(Output("report", "the HTML monitoring report (CHISO_REPORTS/report.html)", after_publish=True))
declare(
    Output(
        "sdmx",
        "SDMX-CSV 2.0 (indicator_values, indicator_rollup: the national and partner exchanges)",
        formats=("sdmx",),
        views=("indicator_values", "indicator_rollup"),
        format_help="sdmx (SDMX-CSV 2.0, of indicator_values or indicator_rollup)",
        examples="  chiso export indicator_rollup --format sdmx      # writes indicator_rollup.sdmx.csv here\n",
    )
)
