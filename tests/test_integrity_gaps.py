"""Integrity gaps left after issue 9's red-team pass (notes/audit9.md "noticed but not fixed"):
each attack done through the real CLI on a real git register, then shown found or refused.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result

from conftest import EXAMPLE_EMAILS, GIFT_FLAGS, git

Coc = Callable[..., Result]


def declare(coc: Coc, root: Path, user: str = "jsmith") -> tuple[str, str]:
    """A gift declared through the CLI: (id, path)."""
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--json", user=user)
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    return made["id"], made["path"]


# -- item 16: one id at two paths is said by every reading command --------------------------------

def test_every_reading_command_names_a_duplicate_id(make_register: Callable[..., Path],
                                                     coc: Coc) -> None:
    """A cross-department collision merges cleanly (or is committed past the hook): `list`,
    `register`, `overdue` and `inbox` each say so, naming both paths, and exit 1 as `validate`
    does; the output itself still shows what it shows (both copies are listed, none hidden)."""
    root = make_register("milton-keynes")
    record_id, rel = declare(coc, root)
    commands = [("list",), ("list", "--json"), ("register", "--format", "json"),
                ("register", "--format", "md"), ("overdue",), ("inbox", "--for", "mjones")]
    for args in commands:   # a clean register: all quiet, exit 0
        result = coc(root, *args)
        assert result.exit_code == 0 and not result.stderr, (args, result.output)
    copy = root / "registers/legal/gift" / rel.split("/")[3] / f"{record_id}.yaml"
    copy.parent.mkdir(parents=True)
    copy.write_bytes((root / rel).read_bytes())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a colliding id, past the hook", "--no-verify")
    for args in commands:
        result = coc(root, *args)
        assert result.exit_code == 1, (args, result.output)
        (line,) = [x for x in result.stderr.splitlines() if "exists twice" in x]
        assert record_id in line and rel in line and str(copy.relative_to(root)) in line, line
    listed = json.loads(coc(root, "list", "--json").stdout)
    assert sorted(r["path"] for r in listed) == sorted([rel, str(copy.relative_to(root))])
    assert coc(root, "show", record_id).exit_code == 1   # as before: refused, both named


# -- item 8 at history level: a record's folder is checked at the commit that adds it -------------

def test_a_record_added_straight_into_another_departments_folder_is_an_audit_anomaly(
        make_register: Callable[..., Path], coc: Coc) -> None:
    """Filed under legal, its approvers (CODEOWNERS) are legal's; validate says so at HEAD, and
    the audit must say so at the commit that added it, as it does for a move. The year folder
    and the kind folder are judged by the same function."""
    root = make_register("milton-keynes")
    record_id, rel = declare(coc, root)
    text = (root / rel).read_text()
    year = rel.split("/")[3]
    placed = {}
    for name, folder in (("department", f"registers/legal/gift/{year}"),
                         ("year", f"registers/housing/gift/{int(year) + 1}"),
                         ("kind", f"registers/housing/hospitality/{year}")):
        other = record_id[:-12] + {"department": "DEPARTMENTAA", "year": "YEARFOLDERAA",
                                   "kind": "KINDFOLDERAA"}[name]   # the id's year is right
        target = root / folder / f"{other}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace(record_id, other))
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"filed by hand ({name})", "--no-verify",
            email=EXAMPLE_EMAILS["jsmith"])
        placed[name] = (other, git(root, "rev-parse", "HEAD").strip())
    result = coc(root, "audit", "--format", "json", "--no-cache")
    found = json.loads(result.stdout)
    assert result.exit_code == 1
    for name, (other, sha) in placed.items():
        hits = [f for f in found if f["record_id"] == other and f["commit"] == sha
                and f["rule"] == "record-path"]
        assert len(hits) == 1, (name, found)
        assert sha[:10] in hits[0]["message"]
    assert not [f for f in found if f["record_id"] == record_id], found   # the honest one
    validated = coc(root, "validate", "--all", "--format", "json")
    assert {f["record_id"] for f in json.loads(validated.stdout) if f["rule"] == "record-path"} \
        == {other for other, _ in placed.values()}


# -- item 14: a user left on a diverged declare/<id> branch is told by `show` too ------------------

def test_show_on_a_branch_that_moved_on_both_sides_warns_as_the_others_refuse(
        make_register: Callable[..., Path], coc: Coc, tmp_path: Path) -> None:
    """The approver's approval is fetched while the declarant amended on their own branch:
    `accept` refuses saying what to run; `show` (which still shows the local copy, the only one
    the working tree has) must say the same, not quietly print "submitted"."""
    from test_pull_request_flow import setup_origin, work_flags

    declarant, _, approver = setup_origin(make_register, tmp_path)
    record_id = json.loads(coc(declarant, "declare", "outside-work", *work_flags(), "--branch",
                               "--json", user="pbrown").stdout)["id"]
    branch = f"declare/{record_id}"
    git(declarant, "push", "-q", "-u", "origin", branch)
    git(approver, "fetch", "-q", "origin")
    assert coc(approver, "approve", record_id, "--branch", user="mjones").exit_code == 0
    git(approver, "push", "-q", "origin", branch)
    assert coc(declarant, "amend", record_id, "--hours-per-week", "5", "--note", "Fewer hours",
               user="pbrown").exit_code == 0
    git(declarant, "fetch", "-q", "origin")
    said = f"branch {branch} and origin/{branch} have both moved on"
    refused = coc(declarant, "accept", record_id, "--branch", user="pbrown")
    assert refused.exit_code == 1 and said in refused.output
    for args in ((), ("--json",)):
        shown = coc(declarant, "show", record_id, *args, user="pbrown")
        assert shown.exit_code == 0
        (line,) = [x for x in shown.stderr.splitlines() if said in x]
        assert f"git pull --no-rebase origin {branch}" in line
    json.loads(coc(declarant, "show", record_id, "--json", user="pbrown").stdout)
    git(declarant, "switch", "-q", "main")   # off the branch, the branch still diverged
    assert said in coc(declarant, "show", record_id, user="pbrown").stderr


# -- item 20: an ending still to come is not "ended" yet ------------------------------------------

def test_an_ending_still_to_come_reads_ending_on_that_day_until_it_comes(
        make_register: Callable[..., Path], coc: Coc) -> None:
    """`coc end --on` takes a planned day up to a year ahead; until that day the interest
    stands (the relationship rule already read it so): show, list, list --status and the
    published register all say "ending on DAY", and on the day "ended"."""
    from datetime import date, timedelta

    from freezegun import freeze_time

    root = make_register("luton")
    made = coc(root, "declare", "interest", "--nature", "financial", "--organisation",
               "Acme Ltd", "--description", "Shares", "--arose-on", date.today().isoformat(),
               "--no-input", "--json")
    assert made.exit_code == 0, made.output
    record_id = json.loads(made.stdout)["id"]
    before = json.loads(coc(root, "show", record_id, "--json").stdout)["status"]
    day = date.today() + timedelta(days=30)
    assert coc(root, "end", record_id, "--on", day.isoformat()).exit_code == 0
    label = f"{before}, ending on {day}"

    def said() -> dict[str, object]:
        shown = json.loads(coc(root, "show", record_id, "--json").stdout)
        (row,) = json.loads(coc(root, "list", "--json").stdout)
        published = json.loads(coc(root, "register", "--format", "json").stdout)
        (cell,) = [r["status"] for t in published["tables"] for r in t["rows"]]
        return {"show": shown["status"], "show-ending": shown["ending_on"],
                "show-text": coc(root, "show", record_id).stdout.splitlines()[0],
                "list": row["status"], "list-ending": row["ending_on"],
                "list-text": coc(root, "list").stdout.splitlines()[-1],
                "ended-filter": coc(root, "list", "--status", "ended", "--json").stdout,
                "register": cell}

    now = said()
    assert now["show"] == now["list"] == before and now["register"] == label, now
    assert now["show-ending"] == now["list-ending"] == day.isoformat()
    assert f"[{label}]" in now["show-text"] and label in now["list-text"], now
    assert json.loads(now["ended-filter"]) == []
    with freeze_time(day):
        then = said()
    assert then["show"] == then["list"] == then["register"] == "ended", then
    assert then["show-ending"] is None and "[ended]" in then["show-text"]
    assert [r["id"] for r in json.loads(then["ended-filter"])] == [record_id]


# -- yearly attestation (coc.yaml practice): the year attested is a year a return can be for ------

def test_an_attested_year_far_from_the_declaration_is_refused(
        make_register: Callable[..., Path], coc: Coc) -> None:
    """A return for 1850 or 9999 made today satisfies no campaign and chases no one; it was
    accepted. It must be the declaration's year, or the one before or after (a late return, or
    one made ahead of January), refused in one line naming file, line and field, as validate
    and the hook refuse one written by hand; and no campaign opens for such a year either."""
    from datetime import date

    root = make_register("luton")
    this = date.today().year
    head = git(root, "rev-parse", "HEAD")
    for year in ("1850", "9999", str(this - 2), str(this + 2)):
        result = coc(root, "declare", "attestation", "--year", year, "--read-code", "yes",
                     "--nil-return", "yes", "--no-input")
        assert result.exit_code == 1, (year, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert "details.year" in result.output and year in result.output, result.output
    assert git(root, "rev-parse", "HEAD") == head
    made = coc(root, "declare", "attestation", "--year", str(this + 1), "--read-code", "yes",
               "--nil-return", "yes", "--no-input", "--json")
    assert made.exit_code == 0, made.output
    rel = json.loads(made.stdout)["path"]
    text = (root / rel).read_text()
    assert f"year: {this + 1}\n" in text
    (root / rel).write_text(text.replace(f"year: {this + 1}\n", "year: 9999\n"))
    hooked = subprocess.run(["git", "-c", f"user.email={EXAMPLE_EMAILS['jsmith']}", "commit",
                             "-qam", "a return for 9999"], cwd=root, capture_output=True,
                            text=True, check=False)
    assert hooked.returncode != 0 and "details.year" in hooked.stderr, hooked.stderr
    validated = coc(root, "validate", rel)
    assert validated.exit_code == 1
    (line,) = [x for x in validated.stdout.splitlines() if "attestation-year" in x or "9999" in x]
    number = text.splitlines().index(f"  year: {this + 1}") + 1
    assert line.startswith(f"{rel}:{number}: details.year:"), line
    for year in ("9999", str(this + 2), str(this - 2)):   # 1850: a usage error already
        opened = coc(root, "campaign", "open", year, user="hreed")
        assert opened.exit_code == 1 and "YEAR" in opened.output, opened.output
        assert len(opened.output.strip().splitlines()) == 1


# -- audit: relationships count along each commit's own history, not the walk's order --------------

RELATE = ("declare", "relationship", "--other-person", "agreen", "--relationship", "partner",
          "--context", "line-management", "--no-input", "--json")
APPROVAL = """decisions:
  - decision: noted
    by: mjones
    at: {at}
    as: line manager
    details_version: 0
amendments: []"""


def _approve_by_hand(root: Path, rel: str) -> str:
    """mjones notes agreen's gift past the hook (as `--no-verify` lets anyone): the commit."""
    from datetime import datetime, timezone

    path = root / rel
    text = path.read_text()
    at = datetime.now(timezone.utc).replace(microsecond=0).isoformat(sep=" ")
    assert "decisions: []\namendments: []" in text, text
    path.write_text(text.replace("decisions: []\namendments: []", APPROVAL.format(at=at)))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "note it", "--no-verify", email=EXAMPLE_EMAILS["mjones"])
    return git(root, "rev-parse", "HEAD").strip()


def _merge(root: Path, *branches: str) -> None:
    git(root, "switch", "-q", "main")
    for branch in branches:
        git(root, "merge", "-q", "--no-ff", "--no-verify", "-m", f"merge {branch}", branch,
            email=EXAMPLE_EMAILS["hreed"])


def _authority(coc: Coc, root: Path) -> set[tuple[str, str]]:
    result = coc(root, "audit", "--format", "json", "--no-cache")
    return {(f["commit"], f["record_id"]) for f in json.loads(result.stdout)
            if f["rule"] == "decision-authority"}


@pytest.mark.parametrize("merged_first", ["relationship", "decision"])
def test_a_relationship_withdrawn_on_another_branch_still_binds_this_one(
        make_register: Callable[..., Path], coc: Coc, merged_first: str) -> None:
    """Max has declared his partner Alex (MK §11). On one branch he withdraws it; on another,
    which never saw the withdrawal, he notes Alex's gift himself: a decision he may not make
    there. Merged in either order, whichever the audit's walk meets first, it is reported."""
    root = make_register("milton-keynes")
    relationship = json.loads(coc(root, *RELATE, user="mjones").stdout)["id"]
    gift, rel = declare(coc, root, user="agreen")
    git(root, "branch", "withdraw")
    git(root, "switch", "-q", "-c", "decide")
    decided = _approve_by_hand(root, rel)
    git(root, "switch", "-q", "withdraw")
    assert coc(root, "withdraw", relationship, "--reason", "Declared in error",
               user="mjones").exit_code == 0
    _merge(root, *(("withdraw", "decide") if merged_first == "relationship"
                   else ("decide", "withdraw")))
    assert (decided, gift) in _authority(coc, root)


@pytest.mark.parametrize("merged_first", ["relationship", "decision"])
def test_a_relationship_declared_on_another_branch_does_not_bind_this_one(
        make_register: Callable[..., Path], coc: Coc, merged_first: str) -> None:
    """The other way round: Max declares the relationship on one branch; on another, which
    never had it, he notes Alex's gift. That decision was his to make where it was made (the
    hook let it through); the audit must not call it one he could not make."""
    root = make_register("milton-keynes")
    gift, rel = declare(coc, root, user="agreen")
    git(root, "branch", "relate")
    git(root, "switch", "-q", "-c", "decide")
    decided = _approve_by_hand(root, rel)
    git(root, "switch", "-q", "relate")
    assert coc(root, *RELATE, user="mjones").exit_code == 0
    _merge(root, *(("relate", "decide") if merged_first == "relationship"
                   else ("decide", "relate")))
    assert (decided, gift) not in _authority(coc, root)


def _relationship_and_note_in_one_commit(make_register: Callable[..., Path],
                                         coc: Coc) -> tuple[Path, str]:
    """Max declares his partner Alex and notes Alex's gift, squashed into one commit past the
    hook: (register, the gift's id)."""
    root = make_register("milton-keynes")
    gift, rel = declare(coc, root, user="agreen")
    assert coc(root, *RELATE, user="mjones").exit_code == 0
    _approve_by_hand(root, rel)
    git(root, "reset", "-q", "--soft", "HEAD~2")
    git(root, "commit", "-qm", "relationship and a note", "--no-verify",
        email=EXAMPLE_EMAILS["mjones"])
    return root, gift


def test_a_relationship_in_the_same_commit_as_the_decision_binds_it(
        make_register: Callable[..., Path], coc: Coc) -> None:
    """Max declares his partner Alex and notes Alex's gift in one commit (past the hook). The
    hook judges the whole staged tree, so audit must too: the relationship is applied before
    the commit's other records, whatever their paths' order (gift/ sorts before
    relationship/)."""
    root, gift = _relationship_and_note_in_one_commit(make_register, coc)
    both = git(root, "rev-parse", "HEAD").strip()
    changed = git(root, "show", "--name-only", "--format=", both).split()
    assert [p.split("/")[2] for p in changed] == ["gift", "relationship"]
    assert (both, gift) in _authority(coc, root)


def test_coc_log_judges_a_same_commit_relationship_as_audit_does(
        make_register: Callable[..., Path], coc: Coc) -> None:
    """`coc log` shows the anomaly audit finds when the relationship and the decision come
    in one commit (both apply a commit's relationships first)."""
    root, gift = _relationship_and_note_in_one_commit(make_register, coc)
    shown = json.loads(coc(root, "log", gift, "--json").stdout)
    assert "decision-authority" in json.dumps(shown)
