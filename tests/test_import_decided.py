"""Legacy registers come in decided (issue 12): `coc import` carries a past decision (approved /
noted / declined, by whom, when) from columns named in the mapping's `decision:`, as an
imported decision recorded by the HR person importing, naming the source file and row.

`coc audit` accepts it only as `coc import` makes it: with its record, in an import commit by
HR; an "imported" decision forged by someone else, added to a record already there, or in a
commit that is not an import, is an anomaly. Through the real CLI on real registers, and on
the shared real registers in /work/shared/realdata/.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest
from freezegun import freeze_time

from coc.registers.yamlio import load_fast
from conftest import EXAMPLE_EMAILS, git

TODAY = "2026-11-24"
HEADER = "who,received,donor,what,value,outcome,status,approver,approved\n"
MAPPING = """\
declarant: who
declared_on: received
fields:
  received_on: received
  donor: donor
  description: what
  value_gbp: value
  outcome: outcome
decision:
  verdict: {column: status, values: {"ok'd": approved}}
  by: approver
  on: {column: approved, date_format: "%d/%m/%Y"}
"""


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def mk(make_register) -> Path:
    return make_register("milton-keynes")


def write(tmp_path: Path, rows: list[str], mapping: str = MAPPING) -> tuple[Path, Path]:
    source, spec = tmp_path / "legacy.csv", tmp_path / "legacy.mapping.yaml"
    source.write_text(HEADER + "".join(r + "\n" for r in rows))
    spec.write_text(mapping)
    return source, spec


def run(coc, root: Path, source: Path, spec: Path, kind: str = "gift", user: str = "hreed"):
    result = coc(root, "import", str(source), "--kind", kind, "--mapping", str(spec), "--json",
                 user=user)
    assert "Traceback" not in result.output
    return result


def records(root: Path) -> dict[int, dict]:
    """Imported records by source line."""
    out = {}
    for path in (root / "registers").rglob("*.yaml"):
        data = load_fast(path.read_bytes(), str(path))
        out[data["imported_from"]["line"]] = data
    return out


def json_findings(result) -> list[dict]:
    return json.loads(result.stdout) if result.stdout.strip() else []


ROWS = [
    "jsmith,2026-10-01,A. Supplier,Pen,10,kept,Approved,Max Jones,02/10/2026",      # 2
    "pbrown,2026-10-01,A. Supplier,Mug,10,kept,declined,Max Jones,03/10/2026",      # 3
    "agreen,2026-10-01,A. Supplier,Diary,10,kept,,,",                               # 4
    "jsmith,2026-10-05,A. Supplier,Hamper,100,kept,ok'd,Max Jones,06/10/2026",      # 5
    "agreen,2026-10-05,A. Supplier,Tickets,80,declined,Approved,Max Jones,06/10/2026",  # 6
]


def test_past_decisions_come_in_as_imported_decisions(mk, coc, tmp_path):
    source, spec = write(tmp_path, ROWS)
    result = run(coc, mk, source, spec)
    assert result.exit_code == 0, result.output
    carried = {i["line"]: i["decision"] for i in json.loads(result.stdout)["imported"]}
    # 5: an approval never resolves a breach (a £100 gift kept, MK §6); 6: a declined gift
    # waits for nobody: neither approval is carried
    assert carried == {2: "approved", 3: "rejected", 4: None, 5: None, 6: None}
    by_line = records(mk)
    decision = by_line[2]["decisions"][0]
    assert decision["by"] == "hreed" and decision["decision"] == "approved"
    assert decision["imported"] == {"decided_by": "Max Jones",
                                    "decided_on": __import__("datetime").date(2026, 10, 2),
                                    "file": "legacy.csv", "line": 2}
    assert coc(mk, "show", by_line[2]["id"], "--json").exit_code == 0
    assert json.loads(coc(mk, "show", by_line[2]["id"], "--json").stdout)["status"] == "approved"
    shown = coc(mk, "show", by_line[2]["id"]).output
    assert "- approved by Max Jones on 2026-10-02: imported from legacy.csv line 2 by hreed" \
        in shown
    assert json.loads(coc(mk, "show", by_line[3]["id"], "--json").stdout)["status"] == "rejected"
    # only the undecided one and the breach wait for a decision
    with freeze_time("2027-01-04"):
        overdue = coc(mk, "overdue", "--format", "json")
    waiting = {f["record_id"] for f in json_findings(overdue) if f["rule"] == "overdue-decision"}
    assert waiting == {by_line[4]["id"], by_line[5]["id"]}
    # the audit recognises the import, and validate finds no one deciding wrongly
    audit = coc(mk, "audit", "--format", "json")
    assert not [f for f in json_findings(audit) if f["rule"] in ("imported-decision",
                                                                  "decision-authority",
                                                                  "self-decision",
                                                                  "committer-identity")], \
        audit.output
    valid = coc(mk, "validate", "--all", "--format", "json")
    failing = [f for f in json_findings(valid) if f["severity"] in ("error", "breach")]
    assert failing and all(by_line[5]["id"] in f["path"] for f in failing), valid.output


def test_an_approval_of_a_notification_is_its_acknowledgement(mk, coc, tmp_path):
    mapping = MAPPING.replace("""fields:
  received_on: received
  donor: donor
  description: what
  value_gbp: value
  outcome: outcome
""", """fields:
  nature: {value: financial}
  organisation: donor
  description: what
  arose_on: received
""")
    source, spec = write(tmp_path, ["jsmith,2026-10-01,Acme Ltd,Shares,,,Approved,Max Jones,"
                                    "02/10/2026"], mapping)
    result = run(coc, mk, source, spec, kind="interest")
    assert result.exit_code == 0, result.output
    decision = records(mk)[2]["decisions"][0]
    assert decision["decision"] == "noted" and decision["imported"]["verdict"] == "approved"


@pytest.mark.parametrize("row, expected", [
    ("jsmith,2026-10-01,A,Pen,10,kept,maybe,Max Jones,02/10/2026",
     "decision.verdict: error: 'maybe' is not approved, noted or declined"),
    ("jsmith,2026-10-01,A,Pen,10,kept,Approved,,02/10/2026",
     "decision.by: error: who decided is needed with a decision"),
    ("jsmith,2026-10-01,A,Pen,10,kept,Approved,Max Jones,",
     "decision.on: error: when it was decided is needed"),
    ("jsmith,2026-10-01,A,Pen,10,kept,Approved,Max Jones,30/09/2026",
     "decision.on: error: 2026-09-30 is before the declaration (2026-10-01)"),
    ("jsmith,2026-10-01,A,Pen,10,kept,Approved,Max Jones,02/10/2099",
     "decision.on: error: 2099-10-02 is in the future"),
    ("jsmith,2026-10-01,A,Pen,10,kept,Approved,Max \x1b[2J Jones,02/10/2026",
     "decision.by: error: contains the control character \\x1b"),
    ("jsmith,2026-10-01,A,Pen,10,kept,noted,Max Jones,02/10/2026",
     "decision.verdict: error: under MK §6 this gift is approved or declined, not noted"),
])
def test_bad_decisions_are_bad_rows(mk, coc, tmp_path, row, expected):
    source, spec = write(tmp_path, [row])
    result = coc(mk, "import", str(source), "--kind", "gift", "--mapping", str(spec),
                 user="hreed")
    assert result.exit_code == 1
    assert f"{source}:2: {expected}" in result.output, result.output
    assert not (mk / "registers" / "housing").exists()


def imported_record(mk, coc, tmp_path) -> tuple[Path, dict]:
    source, spec = write(tmp_path, ROWS[:1])
    assert run(coc, mk, source, spec).exit_code == 0
    path = next((mk / "registers").rglob("*.yaml"))
    return path, load_fast(path.read_bytes(), str(path))


def commit_as(root: Path, who: str, message: str, *extra: str) -> subprocess.CompletedProcess:
    email = EXAMPLE_EMAILS[who]
    env = {**os.environ, "GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": who, "GIT_COMMITTER_EMAIL": email}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    return subprocess.run(["git", "commit", "-qm", message, *extra], cwd=root, env=env,
                          capture_output=True, text=True)


def forge(path: Path, text: str, new_id: str, who: str) -> Path:
    """A copy of an imported record under a new id, its import notes kept, as `who` recorded."""
    data = text.replace(path.stem, new_id)
    data = data.replace("recorded_by: hreed", f"recorded_by: {who}").replace("by: hreed",
                                                                            f"by: {who}")
    from coc.registers.record import details_digest

    old = load_fast(text.encode(), "old")["decisions"][0]["details_digest"]
    data = data.replace(old, details_digest(load_fast(data.encode(), "new")))
    forged = path.with_name(f"{new_id}.yaml")
    forged.write_text(data)
    return forged


def test_an_imported_decision_forged_by_someone_else_is_refused_and_reported(mk, coc, tmp_path):
    path, data = imported_record(mk, coc, tmp_path)
    new_id = data["id"][:9] + "ZZZZZZZZZZZZ"[: len(data["id"]) - 9]
    forge(path, path.read_text(), new_id, "jsmith")
    hooked = commit_as(mk, "jsmith", "declare(gift): by jsmith")
    assert hooked.returncode != 0, hooked.stdout + hooked.stderr
    assert commit_as(mk, "jsmith", "declare(gift): by jsmith", "--no-verify").returncode == 0
    audit = coc(mk, "audit", "--format", "json")
    rules = {f["rule"] for f in json_findings(audit) if new_id in json.dumps(f)}
    assert "imported-decision" in rules and "decision-authority" in rules, audit.output


def test_an_imported_decision_by_hr_outside_an_import_is_reported(mk, coc, tmp_path):
    path, data = imported_record(mk, coc, tmp_path)
    new_id = data["id"][:9] + "YYYYYYYYYYYY"[: len(data["id"]) - 9]
    forge(path, path.read_text(), new_id, "hreed")
    # the hook cannot see a commit's message; the audit can
    assert commit_as(mk, "hreed", f"declare(gift): {new_id} by hreed").returncode == 0
    audit = coc(mk, "audit", "--format", "json")
    found = [f for f in json_findings(audit) if f["rule"] == "imported-decision"]
    assert len(found) == 1 and new_id in found[0]["message"]
    assert "is not an import of legacy.csv by HR" in found[0]["message"]


def test_an_imported_decision_added_to_a_record_already_there_is_refused(mk, coc, tmp_path):
    source, spec = write(tmp_path, ROWS[2:3])            # no decision in the source
    assert run(coc, mk, source, spec).exit_code == 0
    path = next((mk / "registers").rglob("*.yaml"))
    from coc.registers.record import details_digest

    data = load_fast(path.read_bytes(), str(path))
    text = path.read_text().replace("decisions: []\n", (
        "decisions:\n  - decision: approved\n    by: hreed\n    at: 2026-11-24T10:00:00+00:00\n"
        f"    details_version: 0\n    details_digest: {details_digest(data)}\n"
        "    imported:\n      decided_by: Max Jones\n      decided_on: 2026-10-02\n"
        "      file: legacy.csv\n      line: 2\n"))
    path.write_text(text)
    hooked = commit_as(mk, "hreed", "approve")
    assert hooked.returncode != 0
    assert "an imported decision comes in only with its record" in hooked.stdout + hooked.stderr
    assert commit_as(mk, "hreed", "approve", "--no-verify").returncode == 0
    audit = coc(mk, "audit", "--format", "json")
    assert any(f["rule"] == "imported-decision" and "already in the register" in f["message"]
               for f in json_findings(audit)), audit.output


def test_a_decision_mapping_must_name_all_three(mk, coc, tmp_path):
    source, spec = write(tmp_path, ROWS[:1], MAPPING.replace("  by: approver\n", ""))
    result = coc(mk, "import", str(source), "--kind", "gift", "--mapping", str(spec),
                 user="hreed")
    assert result.exit_code == 1 and "decision: must be a mapping of verdict" in result.output


# -- the shared real registers -----------------------------------------------------------------
REALDATA = Path("/work/shared/realdata")
DECIDED = Path(__file__).parent / "data" / "decided"
SOURCES = [("parliament_commons_rmfi_260817_category_3.csv", "gift", "parliament-gifts"),
           ("parliament_commons_rmfi_260817_category_1.csv", "interest", "parliament-employment"),
           ("govuk_ministers_gifts_hospitality_index.json", "gift", "ministers-gifts"),
           ("govuk_ministers_gifts_hospitality_index.json", "hospitality",
            "ministers-hospitality"),
           ("city_of_london_members_gifts_hospitality_flat.csv", "hospitality",
            "city-of-london-hospitality")]


def everyone_named() -> list[str]:
    names = []
    for name, column in (("parliament_commons_rmfi_260817_category_3.csv", "Member"),
                         ("parliament_commons_rmfi_260817_category_1.csv", "Member"),
                         ("city_of_london_members_gifts_hospitality_flat.csv", "member_name")):
        with (REALDATA / name).open(encoding="utf-8-sig", newline="") as f:
            names += [r[column] for r in csv.DictReader(f)]
    index = json.loads((REALDATA / SOURCES[2][0]).read_text(encoding="utf-8"))
    names += [r["minister"] for r in index["gifts"] + index["hospitality"]]
    return [n.replace("Nick Thomas- Symonds", "Nick Thomas-Symonds") for n in names]


@pytest.mark.skipif(not REALDATA.is_dir(), reason="needs /work/shared/realdata")
def test_the_real_registers_come_in_decided(make_register, coc):
    """Without decisions, these imports leave 928 overdue lines back to 2015 (Milton Keynes);
    with the registers' own decisions carried, what is left is each gift kept although worth
    £25 or more (MK §6), which no approval resolves: a real breach waiting for a rejection."""
    from test_import import people_yaml

    root = make_register("milton-keynes", people=people_yaml(everyone_named()))
    for source, kind, mapping in SOURCES:
        result = coc(root, "import", str(REALDATA / source), "--kind", kind, "--mapping",
                     str(DECIDED / f"{mapping}.mapping.yaml"), "--skip-bad", user="hreed")
        assert result.exit_code == 0, result.output[-2000:]
    overdue = json_findings(coc(root, "overdue", "--format", "json"))
    waiting = {f["record_id"] for f in overdue}
    assert 0 < len(overdue) < 700
    assert {f["rule"] for f in overdue} == {"overdue-decision"}
    valid = json_findings(coc(root, "validate", "--all", "--format", "json"))
    breached = {f["record_id"] or f["path"] for f in valid if f["severity"] == "breach"}
    assert all(any(r in b for b in breached) for r in waiting)
    audit = coc(root, "audit", "--format", "json")
    assert not [f for f in json_findings(audit) if f["rule"] == "imported-decision"]


def test_overdue_asks_for_a_rejection_of_a_breach_never_an_approval(mk, coc, tmp_path):
    source, spec = write(tmp_path, ROWS[3:4])        # a £100 gift kept: MK §6
    assert run(coc, mk, source, spec).exit_code == 0
    with freeze_time("2027-01-04"):
        overdue = json_findings(coc(mk, "overdue", "--format", "json"))
    assert len(overdue) == 1
    assert "to reject it (`coc reject" in overdue[0]["message"]
    assert "`coc approve" not in overdue[0]["message"]
