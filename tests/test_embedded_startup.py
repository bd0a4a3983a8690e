"""`make airflow`: no chiso DAG is unpaused before Airflow's api-server answers (its tasks call it).

A stand-in `airflow` on PATH records every command with the time it ran; its `standalone`
starts a real HTTP server whose health endpoint answers only after a delay, as the api-server's
does while it starts.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import sys

import pytest

from core.settings import load_settings
from dev import embedded

FAKE_AIRFLOW = """#!{python}
import json, sys, time, http.server
calls = {calls!r}
with open(calls, "a") as out:
    out.write(json.dumps({{"at": time.time(), "args": sys.argv[1:]}}) + "\\n")
if sys.argv[1:3] == ["dags", "list"]:
    ours = ("chiso_ingest", "chiso_reminders")
    print(json.dumps([{{"dag_id": d, "fileloc": {dags!r} + "/" + d + ".py"}} for d in ours]))
if sys.argv[1:2] == ["standalone"]:
    started = time.time()

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            ready = time.time() - started > {delay}
            if ready:
                with open(calls, "a") as out:
                    out.write(json.dumps({{"at": time.time(), "args": ["health 200"]}}) + "\\n")
            self.send_response(200 if ready and self.path == "/api/v2/monitor/health" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", {port}), Health)
    server.timeout = 0.2
    while time.time() - started < {delay} + 4:
        server.handle_request()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_dags_are_unpaused_only_once_the_api_server_answers(tmp_path, monkeypatch):
    port, calls = free_port(), tmp_path / "calls.jsonl"
    fake = tmp_path / "bin" / "airflow"
    fake.parent.mkdir()
    script = FAKE_AIRFLOW.format(python=sys.executable, calls=str(calls), dags=str(embedded.DAGS), delay=3, port=port)
    fake.write_text(script)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("AIRFLOW__API__PORT", str(port))
    settings = load_settings(home=tmp_path / "chiso", airflow_home=tmp_path / "airflow")
    env = embedded.airflow_env(settings)
    env["PATH"] = f"{fake.parent}{os.pathsep}{env['PATH']}"
    assert embedded.standalone(settings, env) == 0
    ran = [json.loads(line) for line in calls.read_text().splitlines()]
    order = [" ".join(call["args"][:2]) for call in ran]
    assert order.index("dags pause") < order.index("standalone") < order.index("health 200")
    assert order.index("health 200") < order.index("dags unpause")
    unpause = next(call for call in ran if call["args"][:2] == ["dags", "unpause"])
    assert unpause["args"][2] == "^(chiso_ingest|chiso_reminders)$"
    healthy = next(call["at"] for call in ran if call["args"] == ["health 200"])
    assert unpause["at"] >= healthy


def test_an_api_server_that_never_answers_stops_make_airflow(monkeypatch):
    with pytest.raises(SystemExit, match="did not answer"):
        embedded.wait_for_api(f"http://127.0.0.1:{free_port()}", timeout=1)
