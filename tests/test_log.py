"""`coc log ID`: one record's life read back from git history, through the real CLI.

One register built once: outside work declared by HR for Jane, approved with conditions,
accepted, amended, re-approved, moved to another department's folder and ended, with
unrelated commits in between that must not appear.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from coc.cli.init import init_register
from coc.cli.main import cli
from conftest import EXAMPLE_EMAILS, same_life_both_ways

TODAY = date.today()
SOON = (TODAY + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def git_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """conftest's isolation, for a module-scoped register (built before its autouse fixture)."""
    home = tmp_path_factory.mktemp("log-home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                    "GIT_COMMITTER_EMAIL", "COC_REGISTER", "GIT_DIR", "GIT_INDEX_FILE"):
            mp.delenv(var, raising=False)
        yield


def run(root: Path, *args: str, user: str = "jsmith") -> Result:
    env = {"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user)}
    result = CliRunner().invoke(cli, ["-C", str(root), *args], env=env, catch_exceptions=False)
    return result


def ok(root: Path, *args: str, user: str = "jsmith") -> Result:
    result = run(root, *args, user=user)
    assert result.exit_code == 0, result.output
    return result


def head(root: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def life(git_env: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """(register, record id, the commits that touched it, in order)."""
    root = tmp_path_factory.mktemp("log") / "register"
    init_register(root, "luton")
    result = ok(root, "declare", "outside-work", "--for", "jsmith", "--organisation",
                "Luton Town FC", "--role", "Steward", "--paid", "yes", "--start-date", SOON,
                "--hours-per-week", "10", "--no-input", "--json", user="hreed")
    record_id = json.loads(result.output)["id"]
    commits = [head(root)]
    ok(root, "declare", "gift", "--received-on", TODAY.isoformat(), "--donor", "A. Supplier",
       "--description", "Chocolates", "--value-gbp", "12.50", "--outcome", "shared-with-team",
       "--no-input")                                           # another record: not in the log
    ok(root, "approve", record_id, "--conditions", "Not in working hours", user="mjones")
    commits.append(head(root))
    ok(root, "accept", record_id)
    commits.append(head(root))
    ok(root, "amend", record_id, "--hours-per-week", "12", "--note", "More matches")
    commits.append(head(root))
    ok(root, "approve", record_id, user="mjones")
    commits.append(head(root))
    # moved to another department's folder, content unchanged (past the hook, which refuses it)
    (old,) = root.glob(f"registers/*/*/*/{record_id}.yaml")
    new = root / "registers" / "planning" / old.relative_to(root / "registers" / "housing")
    new.parent.mkdir(parents=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Harper Reed",
           "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["hreed"], "GIT_COMMITTER_NAME": "Harper Reed",
           "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS["hreed"]}
    people = root / "people.yaml"   # with Jane, who moves to planning
    people.write_text(people.read_text().replace(
        "email: jane.smith@example.gov.uk\n    department: housing",
        "email: jane.smith@example.gov.uk\n    department: planning"))
    for args in (["mv", str(old), str(new)], ["add", "people.yaml"],
                 ["commit", "-q", "--no-verify", "-m", "move"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    commits.append(head(root))
    ok(root, "end", record_id, "--on", SOON, "--reason", "Season over")
    commits.append(head(root))
    return root, record_id, commits


def test_a_pull_request_merge_is_shown_as_a_merge_not_a_second_declaration(life):
    root, _, _ = life
    result = ok(root, "declare", "property-use", "--item", "Laptop", "--purpose", "Training",
                "--from-date", SOON, "--no-input", "--branch", "--json", user="pbrown")
    record_id = json.loads(result.output)["id"]
    ok(root, "approve", record_id, "--branch", user="mjones")
    tip = head(root)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Max Jones", "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS[
        "mjones"], "GIT_COMMITTER_NAME": "Max Jones", "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS[
        "mjones"]}
    for args in (["switch", "-q", "main"], ["merge", "-q", "--no-ff", f"declare/{record_id}",
                                             "-m", "merge"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    data = json.loads(ok(root, "log", record_id, "--json").output)
    assert [e["events"] for e in data["entries"]][2] == [{"event": "merged", "from": tip}]
    assert [e["events"][0]["event"] for e in data["entries"]] == ["declared", "approved", "merged"]
    assert f"merged from {tip[:10]}" in ok(root, "log", record_id).output
    assert (run(root, "audit").exit_code, run(root, "audit").output) == (0, "")


def test_the_timeline_names_each_commit_its_author_and_what_it_did(life):
    root, record_id, commits = life
    text = ok(root, "log", record_id).output
    lines = text.splitlines()
    assert lines[0] == f"{record_id}  registers/planning/outside-work/{TODAY.year}/{record_id}.yaml"
    heads = [line for line in lines if not line.startswith(" ")][1:]
    assert [line.split()[2] for line in heads] == [c[:10] for c in commits]
    assert "Harper Reed <harper.reed@example.gov.uk> (hreed)" in heads[0]
    assert "Max Jones <max.jones@example.gov.uk> (mjones)" in heads[1]
    events = [line.strip() for line in lines if line.startswith("    ")]
    assert events[0] == f"declared outside-work for jsmith, declared_on {TODAY} (recorded by hreed)"
    assert events[1].startswith("approved by mjones as line manager, at ")
    assert events[1].endswith("; conditions: Not in working hours")
    assert events[2].startswith("conditions accepted by jsmith as declarant")
    assert events[3].startswith("amended by jsmith") and "hours_per_week: 10 -> 12" in events[3]
    assert events[3].endswith("; reason: More matches")
    assert events[4].startswith("approved by mjones")
    assert events[5] == (f"moved from registers/housing/outside-work/{TODAY.year}/{record_id}.yaml"
                         f" to registers/planning/outside-work/{TODAY.year}/{record_id}.yaml")
    assert events[6].startswith("ended by jsmith") and f"on {SOON}" in events[6]
    assert len(events) == 7 and "!" not in text


def test_the_timeline_as_json(life):
    root, record_id, commits = life
    data = json.loads(ok(root, "log", record_id, "--json").output)
    assert data["id"] == record_id and data["path"].startswith("registers/planning/")
    assert [e["commit"] for e in data["entries"]] == commits
    first = data["entries"][0]
    assert first["author"] == {"name": "Harper Reed", "email": "harper.reed@example.gov.uk",
                               "person": "hreed"}
    assert first["events"] == [{"event": "declared", "kind": "outside-work",
                                "declarant": "jsmith", "declared_on": TODAY.isoformat(),
                                "recorded_by": "hreed"}]
    assert first["subject"].startswith(f"declare(outside-work): {record_id}")
    amended = data["entries"][3]["events"][0]
    assert (amended["event"], amended["changes"], amended["previous"]) == (
        "amended", {"hours_per_week": 12}, {"hours_per_week": 10})
    assert all(e["anomalies"] == [] for e in data["entries"])
    assert [e["events"][0]["event"] for e in data["entries"]] == [
        "declared", "approved", "conditions-accepted", "amended", "approved", "moved", "ended"]


def test_the_walk_of_the_records_own_paths_tells_what_the_whole_history_tells(life):
    """`coc log` walks only the record's paths (moved, here) and the context folders."""
    root, record_id, _ = life
    assert record_id in same_life_both_ways(root)


def test_an_id_is_read_in_any_case(life):
    root, record_id, _ = life
    assert ok(root, "log", record_id.lower()).output == ok(root, "log", record_id).output


def test_an_unknown_or_malformed_id_is_a_one_line_error(life):
    root, record_id, _ = life
    missing = record_id[:-1] + ("A" if record_id[-1] != "A" else "B")
    for bad, words in ((missing, "no record"), ("../../etc/passwd", "")):
        result = run(root, "log", bad)
        assert result.exit_code == 1, result.output
        assert words in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_amendments_read_as_people_write_them_not_as_python(tmp_path, git_env):
    """`donor_is_supplier: none -> yes`, never `None -> True` (issue 10)."""
    root = tmp_path / "reg"
    init_register(root, "milton-keynes")
    received = (date.today() - timedelta(days=1)).isoformat()
    gift = json.loads(ok(root, "declare", "gift", "--received-on", received, "--donor", "Ann",
                         "--description", "Pen", "--value-gbp", "5", "--outcome", "kept",
                         "--no-input", "--json").stdout)["id"]
    ok(root, "amend", gift, "--donor-is-supplier", "yes", "--note", "They bid for a contract")
    message = subprocess.run(["git", "log", "-1", "--format=%B"], cwd=root, capture_output=True,
                             text=True).stdout
    assert "donor_is_supplier: none -> yes" in message
    timeline = ok(root, "log", gift).stdout
    assert "donor_is_supplier: none -> yes" in timeline
    assert "True" not in timeline and "None" not in timeline
