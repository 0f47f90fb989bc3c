"""A person who has left never decides or acknowledges (issue 12): `deciders` passes over anyone
whose people.yaml `left` date is on or before the day, saying "left on DATE", and the decision
goes to the next person up. A decision made before they left still counts afterwards.

Through the real CLI on real registers: declare, show, approve, overdue, validate and audit.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from conftest import EXAMPLE_EMAILS, git

LEFT = "2027-01-29"   # the day Max Jones left (people.yaml `left:`): a Friday


def leave(root: Path, who: str, day: str = LEFT) -> None:
    """HR records that `who` left (people.yaml: `left: DATE`), committed as HR."""
    text = (root / "people.yaml").read_text()
    start = text.index(f"  - id: {who}\n")
    rest = text[start + len(f"  - id: {who}\n"):]
    text = text[:start] + f"  - id: {who}\n    left: {day}\n" + rest
    (root / "people.yaml").write_text(text)
    git(root, "commit", "-qam", f"people: {who} left on {day}", email=EXAMPLE_EMAILS["hreed"])


def declare(coc, root: Path, user: str = "jsmith") -> str:
    result = coc(root, "declare", "property-use", "--item", "Projector", "--purpose",
                 "Church fete", "--from-date", "2027-06-01", "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def show(coc, root: Path, record_id: str) -> dict:
    result = coc(root, "show", record_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(params=["luton", "milton-keynes"])
def root(request, make_register) -> Path:
    return make_register(request.param)


def test_the_line_manager_who_left_is_passed_over_for_the_next_one_up(root, coc):
    with freeze_time("2027-01-25"):
        leave(root, "mjones")
        record_id = declare(coc, root)
        # before his leaving day he is still the one who decides
        assert "Max Jones" in json.dumps(show(coc, root, record_id)["awaiting"])
    with freeze_time(LEFT):
        awaiting = show(coc, root, record_id)["awaiting"]
        text = json.dumps(awaiting)
        assert [p["id"] for p in awaiting["people"]] == ["hhughes"], text   # the next one up
        assert "in place of the line manager Max Jones" in text
        assert f"left on {LEFT}" in text, text
        refused = coc(root, "approve", record_id, user="mjones")
        assert refused.exit_code == 1
        assert f"left on {LEFT}" in refused.output
        assert git(root, "log", "-1", "--format=%s").startswith("declare(")   # nothing committed
        approved = coc(root, "approve", record_id, user="hhughes")
        assert approved.exit_code == 0, approved.output
        assert show(coc, root, record_id)["status"] == "approved"


def test_overdue_chases_the_next_one_up_not_the_leaver(root, coc):
    with freeze_time("2027-01-04"):
        record_id = declare(coc, root)
        leave(root, "mjones", "2027-01-05")
    with freeze_time("2027-02-01"):
        result = coc(root, "overdue", "--format", "json")
    lines = [f["message"] for f in json.loads(result.stdout) if f.get("record_id") == record_id]
    assert lines, result.output
    assert all("Hana Hughes" in m and "Max Jones (line manager)" not in m for m in lines), lines


def test_a_decision_made_before_leaving_still_counts_after(root, coc):
    with freeze_time("2027-01-25"):
        record_id = declare(coc, root)
        assert coc(root, "approve", record_id, user="mjones").exit_code == 0
        leave(root, "mjones")
    with freeze_time("2027-03-01"):
        valid = coc(root, "validate", "--all", "--format", "json")
        assert not [f for f in json.loads(valid.stdout) if f["rule"] == "decision-authority"], \
            valid.output
        audit = coc(root, "audit", "--format", "json")
        assert "decision-authority" not in audit.stdout, audit.output
        assert show(coc, root, record_id)["status"] == "approved"


def test_a_decision_by_a_leaver_committed_without_the_hook_is_an_anomaly(root, coc):
    with freeze_time("2027-01-25"):
        leave(root, "mjones")
        record_id = declare(coc, root)
    with freeze_time("2027-02-01"):
        path = root / show(coc, root, record_id)["path"]
        text = path.read_text()
        from coc.registers.record import Record, details_digest
        from coc.registers.yamlio import load_fast
        data = load_fast(path.read_bytes(), str(path))
        assert "decisions: []\n" in text
        text = text.replace("decisions: []\n", "decisions:\n- decision: approved\n  by: mjones\n"
                 "  at: 2027-02-01T10:00:00+00:00\n  details_version: 0\n"
                 f"  details_digest: {details_digest(data)}\n")
        assert Record(data=data).id == record_id
        path.write_text(text)
        git(root, "commit", "-qam", "approve", "--no-verify", email=EXAMPLE_EMAILS["mjones"])
        valid = coc(root, "validate", "--all", "--format", "json")
        assert valid.exit_code == 1
        assert any(f["rule"] == "decision-authority" and "left on" in f["message"]
                   for f in json.loads(valid.stdout)), valid.output
        audit = coc(root, "audit", "--format", "json")
        assert any(f["rule"] == "decision-authority" and "left on" in f["message"]
                   for f in json.loads(audit.stdout)), audit.output


def test_left_must_be_a_date(make_register, coc):
    root = make_register("luton")
    text = (root / "people.yaml").read_text().replace("  - id: mjones\n",
                                                       "  - id: mjones\n    left: soon\n")
    (root / "people.yaml").write_text(text)
    result = coc(root, "list")
    assert result.exit_code == 1
    assert "people.yaml:" in result.output and ".left: must be a date" in result.output


def test_a_leaver_is_not_chased_for_the_yearly_attestation(make_register, coc):
    root = make_register("luton")   # coc init switches on practice.yearly_attestation by 03-31
    with freeze_time("2027-01-04"):
        leave(root, "pbrown", "2027-02-26")
    with freeze_time("2027-04-05"):
        result = coc(root, "overdue", "--format", "json")
    chased = {f["field"] for f in json.loads(result.stdout) if f["rule"] == "attestation-due"}
    assert "people.jsmith" in chased and "people.pbrown" not in chased, chased


def test_the_inbox_of_a_leaver_is_empty_and_the_next_one_up_has_it(root, coc):
    with freeze_time("2027-01-25"):
        record_id = declare(coc, root)
        other = declare(coc, root, user="pbrown")
        assert coc(root, "approve", other, "--conditions", "Weekends only",
                   user="mjones").exit_code == 0
        leave(root, "mjones")
        leave(root, "pbrown")
    with freeze_time("2027-02-01"):
        gone = coc(root, "inbox", "--for", "mjones", "--json")
        assert gone.exit_code == 0 and json.loads(gone.stdout) == []
        left = coc(root, "inbox", "--for", "pbrown", "--json")     # conditions never accepted
        assert json.loads(left.stdout) == []
        up = json.loads(coc(root, "inbox", "--for", "hhughes", "--json").stdout)
        assert [i["id"] for i in up if i["action"] == "approve"] == [record_id]
