"""`chiso notify`, and the notices of `chiso inbox` and `chiso ingest --notify`, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from builders import csv_bytes, department_report, write
from mailserver import free_port

CHISO = str(Path(sys.executable).parent / "chiso")


def chiso(*args, home: Path, smtp_url: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CHISO_HOME": str(home), "CHISO_SMTP_URL": smtp_url, "CHISO_SETTLE_SECONDS": "0"}
    result = subprocess.run([CHISO, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(tmp_path, mail_server):
    home = tmp_path / "home"
    write(home / "inbox" / "bad.csv", csv_bytes(department_report("SYT").setting("NV_GIAO", -2)), received="2017-07-05")
    chiso("inbox", "--as-of", "2018-01-01", "--no-notify", "--quiet", home=home)

    dry = chiso("notify", "--as-of", "2017-07-07", "--dry-run", home=home, smtp_url=mail_server.url).stdout
    assert "Subject: Sở Y tế: 1 tệp bị từ chối" in dry and "To: Văn thư Sở Y tế <vanthu@syt.hagiang.example>" in dry
    assert "giá trị -2 của NV_GIAO là số âm" in dry and "(dry run: nothing sent, nothing recorded)" in dry
    assert "1 ingest" in dry and "1 digest" in dry and mail_server.messages == []

    sent = chiso("notify", "--as-of", "2017-07-07", home=home, smtp_url=mail_server.url).stdout
    assert f"messages sent through 127.0.0.1:{mail_server.port}" in sent and "0 wait for the next run" in sent
    assert len(mail_server.messages) == int(sent.split(" messages sent")[0].splitlines()[-1])
    again = chiso("notify", "--as-of", "2017-07-07", home=home, smtp_url=mail_server.url).stdout
    assert "0 messages sent" in again


def test_inbox_and_ingest_do_not_fail_when_the_mail_server_is_down(tmp_path):
    home, down = tmp_path / "home", f"smtp://127.0.0.1:{free_port()}?timeout=2"
    write(home / "inbox" / "bad.csv", csv_bytes(department_report("SYT").setting("NV_GIAO", -2)), received="2017-07-05")
    out = chiso("inbox", "--as-of", "2018-01-01", "--quiet", home=home, smtp_url=down).stdout
    assert "notices sent: none; 1 wait for the next run" in out and "ConnectionRefusedError" in out
    write(tmp_path / "more" / "late.csv", csv_bytes(department_report("STC")), received="2017-07-20")
    out = chiso(
        "ingest", tmp_path / "more", "--as-of", "2018-01-01", "--notify", "--quiet", home=home, smtp_url=""
    ).stdout
    assert "notices sent: 2 ingest; 0 wait for the next run" in out  # no SMTP: both to the outbox
    assert len(list((home / "outbox").glob("*_ingest_*.eml"))) == 2
