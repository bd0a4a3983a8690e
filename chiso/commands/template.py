"""`chiso template`: the protected, pre-filled workbook a unit fills in for a data set and a period."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from chiso.commands import UserError
from core.catalog import Catalog
from core.settings import load_settings
from core.text import code, unit_code
from transforms.template.example import build_example
from transforms.template.form import TemplateError, template_file_name
from transforms.template.workbook import build_template, templates_for_period


def run(args: Namespace) -> int:
    catalog = Catalog(load_settings().catalog_dir)
    # As the pipeline reads codes: trimmed, any case, a numeric code's leading zeros optional.
    args.dataset, args.period = code(args.dataset), code(args.period)
    args.unit = unit_code(args.unit, catalog.unit_codes_by_number)
    try:
        if args.all and args.example:
            raise UserError("--example writes one filled workbook: give --unit CODE instead of --all")
        if args.all:
            written = _write_all(catalog, args.dataset, args.period, args.output or Path("."))
        else:
            if not args.unit:
                raise UserError("say which unit with --unit CODE, or give --all for every unit that sends the data set")
            output = args.output or Path(template_file_name(args.dataset, args.unit, args.period))
            if output.is_dir():
                output = output / template_file_name(args.dataset, args.unit, args.period)
            build = build_example if args.example else build_template
            written = [_write(output, build(catalog, args.dataset, args.unit, args.period))]
    except TemplateError as error:
        raise UserError(str(error)) from None
    for path in written:
        print(f"{path}  ({path.stat().st_size / 1024:.1f} KB)")
    what = "example(s), filled" if args.example else "template(s)"
    print(f"{len(written)} {what} for {args.dataset} {args.period}")
    return 0


def _write_all(catalog: Catalog, dataset: str, period: str, folder: Path) -> list[Path]:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--all writes one file per unit: -o must be a folder, and {folder} is a file")
    if dataset not in catalog.datasets:
        raise UserError(f"unknown data set {dataset!r}: the catalog has {', '.join(catalog.datasets)}")
    return [_write(folder / name, data) for name, data in templates_for_period(catalog, period, [dataset])]


def _write(path: Path, data: bytes) -> Path:
    """Written beside, then renamed: a half-written workbook is never left under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)
    return path
