"""Every label in both languages: each page a clerk or the province can reach is rendered, and none may
show a label whose Vietnamese is its English ("sender / sender"), nor a vocabulary id ("portal.x")."""

from __future__ import annotations

import re
from html import unescape

import pytest
from portal_helpers import CLERK_026, PROVINCE, api, logged_in, page_csrf

from builders import csv_bytes, department_report, district_report

# A text shown bilingually: `vi <span class="en">/ en</span>` (macros.bi), or `vi / en` in a card's label.
BILINGUAL = re.compile(r'([^<>]*?) <span class="en">/ ([^<]*)</span>')
LABEL = re.compile(r'data-label="([^"]*)"')
RAW_KEY = re.compile(
    r"\b(?:portal|desk|status|completeness|warning_kind|verdict|finding|fix|field|unreadable)\.[a-z_]+\b"
)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|head)\b.*?</\1>", " ", html, flags=re.DOTALL)))


def problems(html: str) -> list[str]:
    found = []
    for vi, en in BILINGUAL.findall(html):
        vi = unescape(re.sub(r"<[^>]+>", "", vi)).strip()
        if vi == unescape(en).strip() and re.search(r"[a-z]{3,}", vi):
            found.append(f"untranslated: {vi!r}")
    for label in LABEL.findall(html):
        vi, _, en = unescape(label).partition(" / ")
        if not en or vi == en:
            found.append(f"label not in both languages: {label!r}")
    found += [f"raw key: {key}" for key in RAW_KEY.findall(_text(html))]
    return found


@pytest.fixture(scope="module")
def pages(server):
    """Every page, as the clerk of 026 and the province see it (each error page once)."""
    clerk = logged_in(server, CLERK_026)
    token = page_csrf(clerk)
    foreign = csv_bytes(department_report("SKHCN", "2018Q1"))
    repeated = csv_bytes(district_report("026", "2017Q1"))  # byte-identical to 026's file received earlier
    good = csv_bytes(district_report("026", "2018Q3"))
    sent = clerk.post("/send", data={"csrf_token": token}, files={"file": ("Bao cao Q3 2018.csv", good)})
    answers = {
        "login": server_get(server, "/login"),
        "set-password (spent link)": server_get(server, "/set-password"),
        "clerk home": clerk.get("/"),
        "change password": clerk.get("/account/password"),
        "verdict: another unit's file": clerk.post(
            "/dry-run", data={"csrf_token": token}, files={"file": ("skhcn.csv", foreign)}
        ),
        "verdict: a duplicate": clerk.post(
            "/dry-run", data={"csrf_token": token}, files={"file": ("lan-hai.csv", repeated)}
        ),
        "verdict: accepted": clerk.post("/dry-run", data={"csrf_token": token}, files={"file": ("ok.csv", good)}),
        "send refused (another unit)": clerk.post(
            "/send", data={"csrf_token": token}, files={"file": ("skhcn.csv", foreign)}
        ),
        "the send's page": clerk.get(sent.headers["location"]),
        "not found": clerk.get("/units/027"),
    }
    province = logged_in(server, PROVINCE)  # now: an idle keep-alive connection is closed by the server
    answers |= {
        "province desk": province.get("/"),
        "province desk, a year": province.get("/?period=2017"),
        "province desk, a quarter": province.get("/?period=2017Q2"),
        "province list: owed": province.get("/province/list?status=owed"),
        "province list: every report of 026": province.get("/province/list?status=all&unit=026"),
        "province: a unit's page": province.get("/units/026"),
        "province: the SQL desk": province.get("/province/sql"),
        "province: the SQL desk's answer": province.post(
            "/province/sql", data={"csrf_token": page_csrf(province), "sql": "select 1 as one, null as nothing"}
        ),
        "province: a query the sandbox refuses": province.post(
            "/province/sql", data={"csrf_token": page_csrf(province), "sql": "copy submissions to 'x.csv'"}
        ),
    }
    return answers


def server_get(server, path):
    import httpx

    return httpx.get(f"{server.url}{path}", timeout=30)


def test_every_page_has_every_label_in_both_languages(pages):
    failures = {name: problems(answer.text) for name, answer in pages.items()}
    assert {name: found for name, found in failures.items() if found} == {}
    assert "None" not in " ".join(_text(answer.text) for answer in pages.values()).split()


def test_the_rules_of_the_portals_own_reasons_are_translated(pages):
    foreign = _text(pages["verdict: another unit's file"].text)
    assert "đơn vị gửi" in foreign and "sender" in foreign
    duplicate = _text(pages["verdict: a duplicate"].text)
    assert "trùng lặp" in duplicate and "duplicate" in duplicate


def test_every_api_refusal_is_in_both_languages(server):
    client = api(server, CLERK_026)
    for answer in (
        client.get("/api/v1/submissions/999999"),
        client.get("/api/v1/templates/DP-SN/2017Q1"),
        client.post("/api/v1/submissions", files={"file": ("a.pdf", b"%PDF")}),
        client.post("/api/v1/dry-run", files={"other": ("a.csv", b"x")}),
    ):
        body = answer.json()
        assert answer.status_code >= 400 and body["vi"] and body["en"] and body["vi"] != body["en"], body
