"""Forgeries `coc audit` must find (issue 9): each attack done with real git, past the hook
where git lets anyone skip it, then shown found by `coc audit` (and `coc validate` where the
result sits in the files).

Each test builds its own small register: the stories are about one commit each, and a shared
history would let one story's anomaly hide or explain another's.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from coc.cli.init import init_register
from coc.cli.main import cli
from conftest import EXAMPLE_EMAILS
from ruamel.yaml import YAML

TODAY = date.today()
yaml = YAML()
NAMES = {"jsmith": "Jane Smith", "mjones": "Max Jones", "hreed": "Harper Reed",
         "pbrown": "Pat Brown", "ccarter": "Chris Carter", "mokafor": "Morgan Okafor"}


def run(root: Path, *args: str, user: str = "jsmith") -> Result:
    env = {"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user)}
    return CliRunner().invoke(cli, ["-C", str(root), *args], env=env, catch_exceptions=False)


def ok(root: Path, *args: str, user: str = "jsmith") -> Result:
    result = run(root, *args, user=user)
    assert result.exit_code == 0, result.output
    return result


def git(root: Path, *args: str, user: str = "jsmith", committer: str | None = None,
        env: dict[str, str] | None = None) -> str:
    """`git ARGS` as `user` (author and, unless `committer` says otherwise, committer)."""
    who = committer or user
    full = {**os.environ, "GIT_AUTHOR_NAME": NAMES.get(user, user),
            "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user),
            "GIT_COMMITTER_NAME": NAMES.get(who, who),
            "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS.get(who, who), **(env or {})}
    proc = subprocess.run(["git", *args], cwd=root, env=full, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def sneak(root: Path, user: str, message: str = "by hand", *, committer: str | None = None,
          env: dict[str, str] | None = None, paths: tuple[str, ...] = ("-A",)) -> str:
    """Commit everything as `user` past the hook (`git commit --no-verify`)."""
    git(root, "add", *paths, user=user)
    git(root, "commit", "-q", "--no-verify", "-m", message, user=user, committer=committer,
        env=env)
    return git(root, "rev-parse", "HEAD")


def declare_gift(root: Path, user: str = "jsmith", value: str = "12.50") -> str:
    result = ok(root, "declare", "gift", "--received-on", TODAY.isoformat(), "--donor",
                "A. Supplier", "--description", "Box of chocolates", "--value-gbp", value,
                "--outcome", "shared-with-team", "--no-input", "--json", user=user)
    return json.loads(result.output)["id"]


def path_of(root: Path, record_id: str) -> Path:
    (path,) = root.glob(f"registers/*/*/*/{record_id}.yaml")
    return path


def edit(root: Path, record_id: str, old: str, new: str) -> None:
    path = path_of(root, record_id)
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new, 1))


def audit(root: Path) -> list[dict]:
    result = run(root, "audit", "--format", "json", "--no-cache")
    found = json.loads(result.output)
    assert result.exit_code == (1 if found else 0), result.output
    return found


def rules(found: list[dict]) -> set[tuple[str | None, str]]:
    return {(f["commit"], f["rule"]) for f in found}


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return init_register(tmp_path / "register", "luton")


# item 2: an approval covers only the details it saw ------------------------------------------

LEGACY_DECISION = """decisions:
  - decision: approved
    by: mjones
    at: {at}
    as: line manager
    details_version: 0"""


def rolex(root: Path) -> tuple[str, str]:
    """Jane declares chocolates on main; on her pull-request branch she makes them a £900
    Rolex while Max, on main, approves the chocolates; the branch merges cleanly."""
    rid = declare_gift(root)
    git(root, "switch", "-q", "-c", f"declare/{rid}")
    edit(root, rid, "description: Box of chocolates", "description: Rolex watch")
    edit(root, rid, "value_gbp: '12.50'", "value_gbp: '900.00'")
    git(root, "commit", "-qam", "correct my declaration")     # the hook allows it: undecided
    git(root, "switch", "-q", "main")
    ok(root, "approve", rid, user="mjones")
    git(root, "merge", "-q", "--no-ff", f"declare/{rid}", "-m", "merge", user="mjones")
    return rid, git(root, "rev-parse", "HEAD")


def test_an_approval_merged_beside_other_details_no_longer_counts(register):
    rid, merge = rolex(register)
    text = path_of(register, rid).read_text()
    assert "Rolex" in text and "decision: approved" in text and "details_digest: sha256:" in text
    found = audit(register)
    assert rules(found) == {(merge, "amendment-required")}
    assert {f["record_id"] for f in found} == {rid}
    shown = json.loads(ok(register, "show", rid, "--json").output)
    assert shown["status"] == "submitted"
    result = run(register, "validate", "--all")
    assert result.exit_code == 1
    assert "decisions.0.details_digest" in result.output and "(decision-digest)" in result.output
    # Max approves what he now sees: it counts, and validate is clean again.
    ok(register, "approve", rid, user="mjones")
    assert json.loads(ok(register, "show", rid, "--json").output)["status"] == "approved"
    assert run(register, "validate", "--all").exit_code == 0


def test_merging_main_into_the_branch_is_caught_the_same(register):
    rid = declare_gift(register)
    git(register, "switch", "-q", "-c", f"declare/{rid}")
    edit(register, rid, "value_gbp: '12.50'", "value_gbp: '900.00'")
    git(register, "commit", "-qam", "correct my declaration")
    git(register, "switch", "-q", "main")
    ok(register, "approve", rid, user="mjones")
    git(register, "switch", "-q", f"declare/{rid}")
    git(register, "merge", "-q", "--no-ff", "main", "-m", "update from main")
    merge = git(register, "rev-parse", "HEAD")
    assert rules(audit(register)) == {(merge, "amendment-required")}


def test_a_decision_written_by_hand_without_a_digest_is_caught_at_the_merge(register):
    """Older registers' decisions carry no digest: the merge is judged against the parent
    that had decided, so the Rolex is found by audit all the same."""
    rid = declare_gift(register)
    git(register, "switch", "-q", "-c", f"declare/{rid}")
    edit(register, rid, "value_gbp: '12.50'", "value_gbp: '900.00'")
    git(register, "commit", "-qam", "correct my declaration")
    git(register, "switch", "-q", "main")
    edit(register, rid, "decisions: []", LEGACY_DECISION.format(at=f"{TODAY} 10:00:00+00:00"))
    git(register, "commit", "-qam", "approve, as an older coc wrote it", user="mjones")
    git(register, "merge", "-q", "--no-ff", f"declare/{rid}", "-m", "merge", user="mjones")
    merge = git(register, "rev-parse", "HEAD")
    assert rules(audit(register)) == {(merge, "amendment-required")}


def test_an_honest_pull_request_merge_stays_clean(register):
    rid = json.loads(ok(register, "declare", "gift", "--received-on", TODAY.isoformat(),
                        "--donor", "B", "--description", "Pen", "--value-gbp", "5", "--outcome",
                        "kept", "--no-input", "--branch", "--json").output)["id"]
    ok(register, "approve", rid, "--branch", user="mjones")
    git(register, "switch", "-q", "main")
    git(register, "merge", "-q", "--no-ff", f"declare/{rid}", "-m", "merge", user="mjones")
    other = declare_gift(register)
    ok(register, "approve", other, user="mjones")
    ok(register, "amend", other, "--value-gbp", "14.00", "--note", "Receipt found")
    ok(register, "approve", other, user="mjones")
    assert audit(register) == []
    assert run(register, "validate", "--all").exit_code == 0


def test_a_digest_copied_onto_other_details_is_refused_by_the_hook(register):
    """Max's first approval copied as the approval of the amended details: the hook refuses
    it, since its digest is of the details he saw then."""
    rid = declare_gift(register)
    ok(register, "approve", rid, user="mjones")
    ok(register, "amend", rid, "--value-gbp", "900.00", "--note", "It was a watch")
    data = yaml.load(path_of(register, rid).read_text())
    data["decisions"].append({**copy.deepcopy(dict(data["decisions"][0])), "details_version": 1})
    with path_of(register, rid).open("w") as handle:
        yaml.dump(data, handle)
    git(register, "add", "-A", user="mjones")
    proc = subprocess.run(["git", "commit", "-qm", "approve again"], cwd=register, env={
        **os.environ, "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["mjones"],
        "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS["mjones"]}, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "decisions.1.details_digest" in proc.stderr and "(decision-digest)" in proc.stderr
    assert json.loads(ok(register, "show", rid, "--json").output)["status"] == "submitted"
