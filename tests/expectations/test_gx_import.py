"""GX imported lean (issue 23): the modules it imports for what the suites never use stay unloaded
while a batch is judged, and a deferred module still works the moment something reads it.

In a fresh process: the test workers' own processes may have loaded SciPy or Altair already."""

from __future__ import annotations

import json
import subprocess
import sys

from builders import PROJECT_ROOT

PROBE = """
import json, sys, tempfile
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, "tests")
from builders import AS_OF, csv_bytes, department_report, write
from chiso.context import RunContext
from chiso.pipeline import ingest_paths
from core.settings import load_settings
from expectations.validate import DeferredModule, _lean_import

root = Path(tempfile.mkdtemp())
good = department_report("SKHCN", "2017Q2")
bad = replace(department_report("SYT", "2017Q2"), period="2017Q5")
write(root / "in" / "good.csv", csv_bytes(good))
write(root / "in" / "bad.csv", csv_bytes(bad))
run = ingest_paths([root / "in"], RunContext.of(load_settings(home=root / "home"), as_of=AS_OF))
loaded = {name: not isinstance(sys.modules.get(name), DeferredModule) for name in ("scipy.stats", "altair")}
hidden = "sqlalchemy" in sys.modules

sys.modules.pop("colorsys", None)
import expectations.validate as validate
validate.DEFERRED_MODULES = ("colorsys",)
with _lean_import():
    import colorsys
stand_in = type(colorsys).__name__
hsv = colorsys.rgb_to_hsv(1.0, 0.0, 0.0)
print(json.dumps({
    "verdicts": {v.file_name: v.status for v in run.verdicts},
    "loaded": loaded,
    "sqlalchemy": hidden,
    "stand_in": stand_in,
    "hsv": hsv,
    "real": type(sys.modules["colorsys"]).__name__,
}))
"""


def test_judging_a_batch_loads_none_of_what_gx_imports_for_other_uses():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["verdicts"] == {"good.csv": "accepted", "bad.csv": "rejected"}  # GX judged both
    assert found["loaded"] == {"scipy.stats": False, "altair": False}
    assert found["sqlalchemy"] is False  # GX took itself to be without its SQL extra
    # a deferred module stands in until read, then is the real one, whole
    assert found["stand_in"] == "DeferredModule"
    assert found["hsv"] == [0.0, 1.0, 1.0]
    assert found["real"] == "module"
