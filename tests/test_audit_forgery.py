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
from datetime import date, timedelta
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
    return init_register(tmp_path / "register", "milton-keynes")


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
    # Max cannot approve what he now sees, a £900 gift kept (MK §6): an approval never
    # resolves a breach (issue 8); he rejects it, and validate is clean again.
    assert run(register, "approve", rid, user="mjones").exit_code == 1
    ok(register, "reject", rid, "--reason", "a £900 watch may not be kept", user="mjones")
    assert json.loads(ok(register, "show", rid, "--json").output)["status"] == "rejected"
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


# item 4: who answers for people.yaml and coc.yaml (and item 1: hooks, CI, code owners) -------

def set_person(root: Path, person: str, key: str, old: str, new: str) -> None:
    """Change one line of `person`'s people.yaml entry."""
    path = root / "people.yaml"
    text = path.read_text()
    start = text.index(f"- id: {person}\n")
    end = text.find("\n  - id:", start)
    end = len(text) if end < 0 else end
    entry = text[start:end]
    assert f"{key}: {old}" in entry, entry
    path.write_text(text[:start] + entry.replace(f"{key}: {old}", f"{key}: {new}", 1) + text[end:])


def hooked_commit(root: Path, user: str, message: str = "by hand") -> subprocess.CompletedProcess:
    """`git commit -a` as `user`, with the hook."""
    env = {**os.environ, "GIT_AUTHOR_NAME": NAMES.get(user, user),
           "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user),
           "GIT_COMMITTER_NAME": NAMES.get(user, user),
           "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS.get(user, user)}
    return subprocess.run(["git", "commit", "-qam", message], cwd=root, env=env,
                          capture_output=True, text=True)


def test_making_yourself_a_colleagues_manager_and_approving(register):
    """Jane makes herself Pat's manager and approves Pat's gift in the same commit: the
    decision is judged by the people.yaml before it, the change by who made it."""
    rid = declare_gift(register, user="pbrown")
    set_person(register, "pbrown", "manager", "mjones", "jsmith")
    edit(register, rid, "decisions: []", LEGACY_DECISION.replace("mjones", "jsmith").format(
        at=f"{TODAY} 10:00:00+00:00"))
    sha = sneak(register, "jsmith", "reorganise")
    found = audit(register)
    assert rules(found) == {(sha, "decision-authority"), (sha, "file-authority"),
                            (sha, "self-serving-change")}
    by_rule = {f["rule"]: f for f in found}
    assert by_rule["file-authority"]["field"] == "people.yaml"
    assert by_rule["self-serving-change"]["field"] == "people.pbrown.manager"
    assert "hr or monitoring-officer" in by_rule["file-authority"]["message"]


def test_the_hook_refuses_people_and_config_changes_by_anyone_else(register):
    set_person(register, "jsmith", "manager", "mjones", "hhughes")
    proc = hooked_commit(register, "jsmith")
    assert proc.returncode == 1 and "(file-authority)" in proc.stderr, proc.stderr
    assert "(self-serving-change)" in proc.stderr
    git(register, "checkout", "--", "people.yaml")
    config = register / "coc.yaml"
    config.write_text(config.read_text() + "# a comment\n")
    proc = hooked_commit(register, "hreed")         # HR owns people.yaml, not coc.yaml
    assert proc.returncode == 1 and "coc.yaml" in proc.stderr and "(file-authority)" in \
        proc.stderr, proc.stderr
    assert hooked_commit(register, "mokafor").returncode == 0
    assert audit(register) == []


def test_hr_may_change_anyone_but_themselves(register):
    set_person(register, "mjones", "email", "max.jones@example.gov.uk", "max.jones@example.org")
    assert hooked_commit(register, "hreed", "Max's new email").returncode == 0
    roles = register / "people.yaml"
    roles.write_text(roles.read_text().replace("roles: [hr]", "roles: [hr, monitoring-officer]"))
    proc = hooked_commit(register, "hreed", "promote myself")
    assert proc.returncode == 1 and "changed their own roles" in proc.stderr, proc.stderr
    sha = sneak(register, "hreed", "promote myself")
    assert rules(audit(register)) == {(sha, "self-serving-change")}


def test_an_employee_giving_herself_the_hr_role(register):
    """Jane makes herself HR, then withdraws Pat's gift as HR may: the withdrawal is judged
    by the people.yaml before it, so the people change itself is what audit reports."""
    rid = declare_gift(register, user="pbrown")
    set_person(register, "jsmith", "manager", "mjones", "mjones\n    roles: [hr]")
    proc = hooked_commit(register, "jsmith", "roles")
    assert proc.returncode == 1 and "(file-authority)" in proc.stderr, proc.stderr
    assert "changed their own roles" in proc.stderr
    sha = sneak(register, "jsmith", "roles")
    ok(register, "withdraw", rid, "--reason", "declared twice")
    assert rules(audit(register)) == {(sha, "file-authority"), (sha, "self-serving-change")}


def test_moving_the_approvers_email_onto_her_own_address(register):
    """Jane gives Max her own email, so that her commits act as Max. Two people with one
    email is refused outright; so she moves her own entry to another address first, in the
    same commit, then approves Pat's gift as "Max"."""
    rid = declare_gift(register, user="pbrown")
    set_person(register, "mjones", "email", "max.jones@example.gov.uk",
               "jane.smith@example.gov.uk")
    proc = hooked_commit(register, "jsmith", "emails")
    assert proc.returncode == 1 and "duplicate email" in proc.stderr, proc.stderr
    set_person(register, "jsmith", "email", "jane.smith@example.gov.uk", "jane.s@example.gov.uk")
    proc = hooked_commit(register, "jsmith", "emails")
    assert proc.returncode == 1 and "(file-authority)" in proc.stderr, proc.stderr
    assert "gave mjones their own email" in proc.stderr
    sha = sneak(register, "jsmith", "emails")
    edit(register, rid, "decisions: []", LEGACY_DECISION.format(at=f"{TODAY} 10:00:00+00:00"))
    sneak(register, "jsmith", "approve")   # as "Max", by the people.yaml she made
    found = audit(register)
    assert rules(found) == {(sha, "file-authority"), (sha, "self-serving-change")}
    fields = {f["field"] for f in found}
    assert {"people.yaml", "people.jsmith.email", "people.mjones.email"} <= fields, fields


def test_moving_the_approvers_email_to_an_address_she_holds(register):
    """The same with an address nobody has yet (her private one): no rule can tell whose it
    is, so the change to someone else's entry by someone without the hr role is reported."""
    set_person(register, "mjones", "email", "max.jones@example.gov.uk", "jane@home.example")
    sha = sneak(register, "jsmith", "emails")
    assert rules(audit(register)) == {(sha, "file-authority")}


@pytest.mark.parametrize("path", [".pre-commit-config.yaml", ".github/workflows/coc.yml",
                                  ".gitlab-ci.yml", "CODEOWNERS", "coc.yaml"])
def test_what_runs_the_checks_is_the_monitoring_officers(register, path):
    """A pull request that changes the command approvers' hooks or CI run is reported, unless
    it is the Monitoring Officer's."""
    target = register / path
    target.parent.mkdir(parents=True, exist_ok=True)
    for user in ("jsmith", "mokafor"):
        target.write_text((target.read_text() if target.exists() else "") + "# changed\n")
        sha = sneak(register, user, "tweak", paths=("-A", "--", path))
        found = audit(register)
        if user == "jsmith":
            assert rules(found) == {(sha, "file-authority")} and found[0]["field"] == path
            git(register, "reset", "-q", "--hard", "HEAD~1")
    assert found == []


def test_raising_a_limit_so_a_gift_validates_is_reported(register):
    config = register / "coc.yaml"
    assert "parameters:" in config.read_text()
    config.write_text(config.read_text().replace("parameters:\n", "parameters:\n"
                                                 "  record_within_working_days: 200\n", 1))
    sha = sneak(register, "jsmith", "parameters")
    assert (sha, "file-authority") in rules(audit(register))


def test_a_merge_answers_only_for_what_no_parent_had(register):
    git(register, "switch", "-q", "-c", "people-update")
    set_person(register, "kpatel", "manager", "ddavies", "sshah")
    assert hooked_commit(register, "hreed", "Kiran moves").returncode == 0
    git(register, "switch", "-q", "main")
    declare_gift(register)
    git(register, "merge", "-q", "--no-ff", "people-update", "-m", "merge", user="mjones")
    assert audit(register) == []


# item 5: the committer is judged too -----------------------------------------------------------

def test_a_decision_committed_by_jane_in_max_s_name(register):
    rid = declare_gift(register)
    edit(register, rid, "decisions: []", LEGACY_DECISION.format(at=f"{TODAY} 10:00:00+00:00"))
    sha = sneak(register, "mjones", "approve", committer="jsmith")   # git commit --author Max
    found = audit(register)
    assert rules(found) == {(sha, "committer-identity")}
    assert "committed by Jane Smith <jane.smith@example.gov.uk>" in found[0]["message"]
    assert "is not its committer" in found[0]["message"]


def test_jane_amending_max_s_approval(register):
    rid = declare_gift(register)
    ok(register, "approve", rid, "--conditions", "Share them with the team", user="mjones")
    edit(register, rid, "conditions: Share them with the team", "conditions: Keep them")
    git(register, "add", "-A")
    git(register, "commit", "-q", "--amend", "--no-edit", "--no-verify")   # Jane, on Max's
    sha = git(register, "rev-parse", "HEAD")
    assert git(register, "log", "-1", "--format=%ae %ce") == \
        "max.jones@example.gov.uk jane.smith@example.gov.uk"
    assert rules(audit(register)) == {(sha, "committer-identity")}


def test_a_people_change_in_hr_s_name_by_someone_else(register):
    """Jane moves herself to a new manager, committing it with HR as the author."""
    set_person(register, "jsmith", "manager", "mjones", "hhughes")
    sha = sneak(register, "hreed", "by HR", committer="jsmith")
    assert rules(audit(register)) == {(sha, "file-authority"), (sha, "self-serving-change")}


# item 6: back-dating with git's own dates ------------------------------------------------------

def test_a_late_gift_back_dated_with_the_author_date(register):
    """declared_on and GIT_AUTHOR_DATE both set back, so no late reason is needed: the
    committer date, which git set, says when it was really committed."""
    received, back = TODAY - timedelta(days=40), TODAY - timedelta(days=38)
    ok(register, "declare", "gift", "--received-on", received.isoformat(), "--donor",
       "A. Supplier", "--description", "Box of chocolates", "--value-gbp", "12.50",
       "--outcome", "shared-with-team", "--late-reason", "Forgot", "--no-input")
    git(register, "reset", "-q", "--soft", "HEAD~1")
    (path,) = register.glob("registers/*/gift/*/*.yaml")
    text = path.read_text().replace(f"declared_on: {TODAY}", f"declared_on: {back}")
    path.write_text("".join(line for line in text.splitlines(keepends=True)
                            if not line.startswith("late_reason")))
    assert run(register, "validate", str(path)).exit_code == 0      # on time, by its own dates
    sha = sneak(register, "jsmith", "declare", env={"GIT_AUTHOR_DATE": f"{back}T10:00:00Z"})
    found = audit(register)
    assert rules(found) == {(sha, "backdated")}
    assert f"it was committed on {TODAY}" in found[0]["message"]


def test_an_approval_dated_2099(register):
    rid = declare_gift(register)
    edit(register, rid, "decisions: []", LEGACY_DECISION.format(at="2099-01-01 10:00:00+00:00"))
    when = "2099-01-01T10:00:00Z"
    sha = sneak(register, "mjones", "approve", env={"GIT_AUTHOR_DATE": when,
                                                    "GIT_COMMITTER_DATE": when})
    found = audit(register)
    assert rules(found) == {(sha, "commit-date")}
    assert "in the future" in found[0]["message"]


def test_both_dates_set_back_before_the_parent(register):
    rid = declare_gift(register)
    back = (TODAY - timedelta(days=20)).isoformat()
    edit(register, rid, "decisions: []", LEGACY_DECISION.format(at=f"{back} 10:00:00+00:00"))
    when = f"{back}T10:00:00Z"
    sha = sneak(register, "mjones", "approve", env={"GIT_AUTHOR_DATE": when,
                                                    "GIT_COMMITTER_DATE": when})
    found = audit(register)
    assert rules(found) == {(sha, "commit-date")}
    assert "before its parent" in found[0]["message"]


def test_authored_after_it_was_committed(register):
    (register / "notes.txt").write_text("minutes\n")
    sha = sneak(register, "jsmith", "notes", env={
        "GIT_AUTHOR_DATE": f"{TODAY + timedelta(days=5)}T10:00:00Z"})
    found = audit(register)
    assert rules(found) == {(sha, "commit-date")}
    assert "in the future" in found[0]["message"]
    git(register, "reset", "-q", "--hard", "HEAD~1")
    (register / "notes.txt").write_text("minutes\n")
    sha = sneak(register, "jsmith", "notes", env={
        "GIT_AUTHOR_DATE": f"{TODAY}T23:59:00Z",
        "GIT_COMMITTER_DATE": f"{TODAY - timedelta(days=3)}T10:00:00Z"})
    found = audit(register)
    assert rules(found) == {(sha, "commit-date")}
    assert "after it was committed" in found[0]["message"]


# item 3: signatures bound to people -----------------------------------------------------------

@pytest.fixture
def signed(register: Path, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A register whose Monitoring Officer requires signed commits; each person an SSH key
    that git trusts for their people.yaml email (gpg.ssh.allowedSignersFile)."""
    keys, lines = {}, []
    for user in ("jsmith", "mjones", "mokafor"):
        keys[user] = tmp_path / f"{user}.key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", user, "-f",
                        str(keys[user])], check=True, capture_output=True)
        lines.append(f"{EXAMPLE_EMAILS[user]} {Path(f'{keys[user]}.pub').read_text()}")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text("".join(lines))
    for name, value in (("gpg.format", "ssh"), ("gpg.ssh.allowedSignersFile", str(allowed)),
                        ("commit.gpgsign", "true")):
        git(register, "config", name, value)
    config = register / "coc.yaml"
    config.write_text(config.read_text().replace("require_signed_commits: false",
                                                 "require_signed_commits: true"))
    signed_commit(register, "mokafor", keys["mokafor"], "require signed commits")
    return register, keys


def signed_commit(root: Path, user: str, key: Path | None, message: str,
                  author: str | None = None) -> str:
    """Commit everything past the hook as `author` (default `user`), signed with `key`."""
    git(root, "add", "-A", user=user)
    sign = ["-c", f"user.signingkey={key}"] if key else ["-c", "commit.gpgsign=false"]
    git(root, *sign, "commit", "-q", "--no-verify", "-m", message, user=author or user)
    return git(root, "rev-parse", "HEAD")


def test_each_signed_by_the_person_it_acts_for_is_clean(signed):
    root, keys = signed
    git(root, "config", "user.signingkey", str(keys["jsmith"]))   # coc's commits are signed
    rid = declare_gift(root)                                      # by commit.gpgsign
    git(root, "config", "user.signingkey", str(keys["mjones"]))
    ok(root, "approve", rid, user="mjones")
    assert git(root, "log", "-1", "--format=%G? %GS") == "G max.jones@example.gov.uk"
    assert audit(root) == []


def test_an_approval_as_max_signed_with_jane_s_own_trusted_key(signed):
    root, keys = signed
    git(root, "config", "user.signingkey", str(keys["jsmith"]))
    rid = declare_gift(root)
    edit(root, rid, "decisions: []", LEGACY_DECISION.format(at=f"{TODAY} 10:00:00+00:00"))
    sha = signed_commit(root, "mjones", keys["jsmith"], "approve")     # authored as Max
    assert git(root, "log", "-1", "--format=%G? %GS") == "G jane.smith@example.gov.uk"
    found = audit(root)
    assert rules(found) == {(sha, "signer-identity")}
    assert "signed by Jane Smith (jsmith)" in found[0]["message"]


def test_an_unsigned_commit_turning_the_requirement_off(signed):
    root, _ = signed
    config = root / "coc.yaml"
    config.write_text(config.read_text().replace("require_signed_commits: true",
                                                 "require_signed_commits: false"))
    sha = signed_commit(root, "mokafor", None, "signatures off")
    (root / "notes.txt").write_text("later, unsigned\n")
    signed_commit(root, "mokafor", None, "notes")        # no longer required: not reported
    assert rules(audit(root)) == {(sha, "unsigned-commit")}


def test_a_signed_commit_turning_it_off_by_someone_else(signed):
    root, keys = signed
    config = root / "coc.yaml"
    config.write_text(config.read_text().replace("require_signed_commits: true",
                                                 "require_signed_commits: false"))
    sha = signed_commit(root, "jsmith", keys["jsmith"], "signatures off")
    assert rules(audit(root)) == {(sha, "file-authority")}


# item 7: history rewrites -----------------------------------------------------------------------

def test_merge_ours_discarding_a_rejection(register):
    rid = declare_gift(register)
    git(register, "switch", "-q", "-c", f"declare/{rid}")
    ok(register, "reject", rid, "--reason", "Too valuable", user="mjones")
    git(register, "switch", "-q", "main")
    git(register, "merge", "-q", "-s", "ours", f"declare/{rid}", "-m", "merge")
    merge = git(register, "rev-parse", "HEAD")
    assert "rejected" not in path_of(register, rid).read_text()
    found = audit(register)
    assert rules(found) == {(merge, "merge-discarded")}
    assert found[0]["record_id"] == rid and "decisions.0 (rejected)" in found[0]["message"]


def test_merge_ours_discarding_a_whole_record(register):
    git(register, "switch", "-q", "-c", "side-branch")
    rid = declare_gift(register)
    git(register, "switch", "-q", "main")
    git(register, "merge", "-q", "-s", "ours", "side-branch", "-m", "merge")
    found = audit(register)
    assert {(f["record_id"], f["rule"]) for f in found} == {(rid, "merge-discarded")}
    assert "the whole record" in found[0]["message"]


def anchored(root: Path) -> Path:
    """CI after a green run: the anchor, kept outside the register (an artifact)."""
    anchor = root.parent / "anchor.json"
    result = run(root, "audit", "--write-anchor", str(anchor))
    assert (result.exit_code, result.output) == (0, "")
    assert json.loads(anchor.read_text())["commit"] == git(root, "rev-parse", "HEAD")
    return anchor


def audit_anchored(root: Path, anchor: Path) -> list[dict]:
    result = run(root, "audit", "--format", "json", "--anchor", str(anchor))
    assert result.exit_code == 1, result.output
    return json.loads(result.output)


def test_a_rebase_dropping_a_rejection(register):
    rid = declare_gift(register)
    ok(register, "reject", rid, "--reason", "Too valuable", user="mjones")
    rejection = git(register, "rev-parse", "HEAD")
    declare_gift(register, user="pbrown")
    anchor = anchored(register)
    assert run(register, "audit", "--anchor", str(anchor)).exit_code == 0
    # Pat rebases her own commit past the rejection (by anyone else, the rebased commits
    # would show its committer: committer-identity)
    git(register, "rebase", "-q", "--onto", f"{rejection}~1", rejection, user="pbrown")
    assert run(register, "audit").exit_code == 0            # the rewritten past looks clean
    found = audit_anchored(register, anchor)
    assert {(f["record_id"], f["rule"]) for f in found} == {
        (None, "history-rewritten"), (rid, "history-rewritten")}


def test_filter_branch_erasing_a_record(register):
    rid = declare_gift(register)
    declare_gift(register, user="pbrown")
    anchor = anchored(register)
    rel = str(path_of(register, rid).relative_to(register))
    git(register, "filter-branch", "-f", "--index-filter",
        f"git rm -q --cached --ignore-unmatch {rel}", "HEAD",
        env={"FILTER_BRANCH_SQUELCH_WARNING": "1"})
    assert not (register / rel).exists() and run(register, "audit").exit_code == 0
    found = audit_anchored(register, anchor)
    assert {(f["record_id"], f["rule"]) for f in found} == {
        (None, "history-rewritten"), (rid, "history-rewritten")}
    assert any("is gone" in f["message"] for f in found)


def test_a_rewrite_moving_a_record_into_another_department(register):
    """Jane's record moved to Legal's folder (whose approvers review it) in an amended commit:
    the anchored commit is gone, the record is found in another department, and the rewritten
    commit added it straight into Legal's folder."""
    rid = declare_gift(register)
    anchor = anchored(register)
    folder = register / "registers" / "legal" / "gift" / str(TODAY.year)
    folder.mkdir(parents=True)
    git(register, "mv", str(path_of(register, rid)), str(folder))
    git(register, "commit", "-q", "--amend", "--no-verify", "--no-edit")
    found = audit_anchored(register, anchor)
    assert {(f["record_id"], f["rule"]) for f in found} == {
        (None, "history-rewritten"), (rid, "record-moved"), (rid, "record-path")}
    moved = next(f for f in found if f["rule"] == "record-moved")
    assert "registers/housing/gift" in moved["message"] and "registers/legal/gift" in \
        moved["message"]


def test_an_anchor_that_is_not_one_is_a_one_line_error(register, tmp_path):
    for text in ("[", '{"commit": 1}'):
        (tmp_path / "bad.json").write_text(text)
        result = run(register, "audit", "--anchor", str(tmp_path / "bad.json"))
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
        assert "--anchor" in result.output
    result = run(register, "audit", "--anchor", str(tmp_path / "missing.json"))
    assert result.exit_code == 1 and "cannot read the anchor" in result.output


def test_an_uncommitted_people_edit_does_not_let_jane_approve(register):
    """Jane makes herself Pat's manager in her working copy only and approves: the hook
    judges by the committed people.yaml, so nothing is committed."""
    rid = declare_gift(register, user="pbrown")
    head = git(register, "rev-parse", "HEAD")
    set_person(register, "pbrown", "manager", "mjones", "jsmith")
    result = run(register, "approve", rid, user="jsmith")
    assert result.exit_code == 1 and "decision-authority" in result.output, result.output
    assert git(register, "rev-parse", "HEAD") == head
    assert "decisions: []" in path_of(register, rid).read_text()
