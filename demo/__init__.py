"""The demo inbox: the whole plan 2016–2020 as the province's reporting units send it.

Not part of the runtime (the wheel does not ship it): it lives in the source checkout beside
`core/` and `transforms/`, depends on `core` only (and openpyxl), and reads the plan from the
catalog. Same seed -> byte-identical files and mtimes.

- `demo.inbox`: the public API (`generate_demo_inbox`, `demo_values`, `DemoFile`)
- `demo.story`: the source article's figures, the codes that carry them, the clerks' words
- `demo.task_story`, `demo.survey_story`: the values of the quarterly forms and the IT survey
- `demo.habits`, `demo.file_names`, `demo.receipts`: how and when each unit sends its files
- `demo.scenarios`: one scenario per verdict kind (rules 1–9, resends, duplicates, late…)
- `demo.script`, `demo.reports`, `demo.verdicts`: the script of the inbox and its verdicts
- `demo.render_csv`, `demo.render_xlsx`, `demo.render_other`: one renderer per file format

`python -m demo OUT_DIR [SEED]` writes an inbox and its manifest.
"""

from demo.inbox import DemoFile, demo_values, generate_demo_inbox

__all__ = ["DemoFile", "demo_values", "generate_demo_inbox"]
