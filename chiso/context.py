"""The run context: what one run reads everywhere, made once by its entry point and passed down.

A command, a DAG task or `chiso validate` makes it (`RunContext.of`); the pipeline, the ingest and
its judge take it instead of each reading the catalog's folder again and working out "today".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.catalog import Catalog
from core.settings import Settings


@dataclass(frozen=True, eq=False)
class RunContext:
    """The settings, the catalog read from their folder, and the day the run judges as of."""

    settings: Settings
    catalog: Catalog
    as_of: date

    @classmethod
    def of(cls, settings: Settings, *, as_of: date | None = None) -> RunContext:
        """The context of a run on `settings`: the catalog read once; `as_of` by default its today
        (the plan's time zone)."""
        catalog = Catalog(settings.catalog_dir)
        return cls(settings, catalog, as_of or catalog.today())
