"""The plain git pre-commit hook (`coc hooks install`), driven by real `git commit`s.

One register for the module; every test adds its own records, and anything a refused commit
left staged is cleaned away after each test. Each hook rule is shown refusing a commit (exit
1, the message naming file, field and rule, nothing committed) next to the commit it accepts.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from coc.cli.init import init_register
from coc.cli.main import cli
from coc.hooks.install import MARKER
from coc.registers.store import new_id
from conftest import EXAMPLE_EMAILS

NAMES = {"jsmith": "Jane Smith", "mjones": "Max Jones", "hreed": "Harper Reed",
         "hhughes": "Hana Hughes", "kpatel": "Kiran Patel", "ddavies": "Dana Davies", "ccarter": "Chris Carter"}

GIFT = """\
# typed in from the paper form
id: {id}
kind: gift
declarant: {declarant}
recorded_by: {declarant}
declared_on: 2026-11-03
details:
  received_on: 2026-11-02
  donor: A. Supplier
  description: Box of chocolates
  value_gbp: "12.50"
  outcome: shared-with-team
decisions: []
amendments: []
"""

NOTICE = """\
id: {id}
kind: criminal-matter
declarant: jsmith
recorded_by: jsmith
declared_on: {declared_on}
details:
  event: caution
  event_date: 2026-11-02
  subject: self
{late}decisions: []
amendments: []
"""

DECISION = """\
decisions:
  - decision: {decision}
    by: {by}
    at: 2026-11-04T10:00:00+00:00
    as: line manager
    details_version: 0
"""


AMENDMENT = """\
amendments:
  - by: jsmith
    at: 2026-11-05T09:00:00+00:00
    changes:
      value_gbp: "14.00"
    previous:
      value_gbp: "12.50"
"""


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("hooks-home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_INDEX_FILE"):
            mp.delenv(var, raising=False)
        root = init_register(tmp_path_factory.mktemp("hooks") / "register", "milton-keynes")
    yield root


@pytest.fixture(autouse=True)
def clean(register: Path) -> Iterator[None]:
    """Put back whatever a refused commit left staged or written."""
    yield
    subprocess.run(["git", "reset", "-q", "--hard", "HEAD"], cwd=register, check=True)
    subprocess.run(["git", "clean", "-qfd", "registers"], cwd=register, check=True)


def git(root: Path, *args: str, user: str = "jsmith", author: str | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    """`git ARGS` as `user` (their people.yaml email), or a raw email; hooks run as for anyone."""
    email = EXAMPLE_EMAILS.get(user, user)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_AUTHOR")
           and not k.startswith("GIT_COMMITTER")}
    env.update(GIT_COMMITTER_NAME=NAMES.get(user, user), GIT_COMMITTER_EMAIL=email)
    args = ("-c", f"user.email={email}", "-c", f"user.name={NAMES.get(user, user)}", *args)
    if author:
        args = (*args, f"--author={NAMES.get(author, author)} <{EXAMPLE_EMAILS[author]}>")
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def commit(root: Path, user: str = "jsmith", author: str | None = None
           ) -> subprocess.CompletedProcess[str]:
    """Stage everything under registers/ and `git commit` it (the hook runs)."""
    git(root, "add", "-A", "registers", user=user)
    return git(root, "commit", "-q", "-m", "by hand", user=user, author=author, check=False)


def write(root: Path, text: str, record_id: str, kind: str = "gift",
          department: str = "housing") -> Path:
    path = root / "registers" / department / kind / "2026" / f"{record_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def committed_gift(root: Path, declarant: str = "jsmith", department: str = "housing"
                   ) -> tuple[str, Path]:
    record_id = new_id("GIF", 2026)
    path = write(root, GIFT.format(id=record_id, declarant=declarant), record_id,
                 department=department)
    assert commit(root, user=declarant).returncode == 0
    return record_id, path


def add_decision(path: Path, by: str, decision: str = "approved") -> None:
    text = path.read_text()
    assert "decisions: []\n" in text
    path.write_text(text.replace("decisions: []\n", DECISION.format(decision=decision, by=by)))


def refused(root: Path, proc: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The hook refused: exit 1, each expected text in its message, nothing committed."""
    assert proc.returncode == 1, proc.stderr
    assert "coc: this commit changes the register" in proc.stderr
    for text in expected:
        assert text in proc.stderr, proc.stderr
    assert git(root, "diff", "--cached", "--quiet", check=False).returncode == 1, \
        "the refused change is still staged, not committed"
    return proc.stderr


# installing ------------------------------------------------------------------------------------

def run_coc(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-C", str(root), *args])
    return result.exit_code, result.output


def test_init_installs_the_hook_and_install_is_idempotent(register):
    hook = register / ".git" / "hooks" / "pre-commit"
    assert MARKER in hook.read_text() and os.access(hook, os.X_OK)
    code, out = run_coc(register, "hooks", "install")
    assert code == 0 and out.startswith("updated ") and out.count("\n") == 1
    assert MARKER in hook.read_text()


def test_a_foreign_hook_is_kept_unless_forced(tmp_path):
    root = init_register(tmp_path / "r", "milton-keynes")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho theirs\n")
    code, out = run_coc(root, "hooks", "install")
    assert code == 1 and "not written by coc" in out and "--force" in out
    assert hook.read_text() == "#!/bin/sh\necho theirs\n"
    code, out = run_coc(root, "hooks", "install", "--force")
    assert code == 0 and "pre-commit.before-coc" in out
    assert (hook.parent / "pre-commit.before-coc").read_text() == "#!/bin/sh\necho theirs\n"
    assert MARKER in hook.read_text()


def test_the_hook_follows_core_hookspath(tmp_path):
    root = init_register(tmp_path / "r", "milton-keynes")
    git(root, "config", "core.hooksPath", ".githooks")
    assert run_coc(root, "hooks", "install")[0] == 0
    assert MARKER in (root / ".githooks" / "pre-commit").read_text()


# what passes -----------------------------------------------------------------------------------

def test_a_new_declaration_and_an_allowed_decision_pass(register):
    _, path = committed_gift(register)
    add_decision(path, "mjones")
    assert commit(register, user="mjones").returncode == 0
    log = git(register, "log", "-1", "--format=%ce").stdout.strip()
    assert log == EXAMPLE_EMAILS["mjones"]


def test_other_files_and_empty_checks_pass(register):
    (register / "NOTES.md").write_text("not a record\n")
    git(register, "add", "NOTES.md")
    assert git(register, "commit", "-q", "-m", "notes", check=False).returncode == 0
    assert run_coc(register, "hooks", "run") == (0, "")


def test_only_staged_records_are_checked(register):
    """A broken file that is not staged (or not part of this commit) does not block others."""
    broken = write(register, "id: [unclosed\n", "GIF-2026-BBBBBB")
    record_id = new_id("GIF", 2026)
    write(register, GIFT.format(id=record_id, declarant="jsmith"), record_id)
    git(register, "add", str(register / "registers/housing/gift/2026" / f"{record_id}.yaml"))
    assert git(register, "commit", "-q", "-m", "one", check=False).returncode == 0
    assert broken.exists()


# each rule refused -----------------------------------------------------------------------------

def test_a_missing_required_field_is_refused(register):
    record_id = new_id("GIF", 2026)
    write(register, GIFT.format(id=record_id, declarant="jsmith").replace(
        "  donor: A. Supplier\n", ""), record_id)
    out = refused(register, commit(register), f"registers/housing/gift/2026/{record_id}.yaml:",
                  "details.donor", "required", "(required-fields)")
    assert out.count("error:") == 1


def test_a_wrong_type_is_refused(register):
    record_id = new_id("GIF", 2026)
    write(register, GIFT.format(id=record_id, declarant="jsmith").replace('"12.50"', "lots"),
          record_id)
    refused(register, commit(register), f"{record_id}.yaml:", "details.value_gbp")


def test_a_deleted_record_is_refused(register):
    record_id, path = committed_gift(register)
    path.unlink()
    refused(register, commit(register), f"{record_id}.yaml", "records are never deleted",
            "coc withdraw", "(record-deleted)")


def test_a_rewritten_decision_is_refused(register):
    record_id, path = committed_gift(register)
    add_decision(path, "mjones")
    assert commit(register, user="mjones").returncode == 0
    path.write_text(path.read_text().replace("decision: approved", "decision: rejected"))
    refused(register, commit(register, user="mjones"), f"{record_id}.yaml:",
            "decisions.0", "decisions are only ever appended", "(append-only)")
    git(register, "reset", "-q", "--hard")
    path.write_text(path.read_text().split("decisions:\n")[0] + "decisions: []\namendments: []\n")
    refused(register, commit(register, user="mjones"), "decisions.0 was removed")


def test_a_decision_by_someone_not_allowed_is_refused(register):
    record_id, path = committed_gift(register)
    add_decision(path, "jsmith")        # the declarant approving their own gift
    refused(register, commit(register, user="jsmith"), f"{record_id}.yaml:", "decisions.0.by",
            "jsmith may not decide", "who may: Max Jones (line manager)", "(decision-authority)")
    git(register, "reset", "-q", "--hard")
    add_decision(path, "ddavies")       # a manager from another line
    refused(register, commit(register, user="ddavies"), "ddavies may not decide")


def test_a_decision_in_someone_elses_name_is_refused(register):
    _, path = committed_gift(register)
    add_decision(path, "mjones")
    refused(register, commit(register, user="jsmith"), "decisions.0.by",
            "says it is by 'mjones' but the commit is by jsmith", "(committer-identity)")
    refused(register, commit(register, user="jsmith", author="mjones"),
            "author (max.jones@example.gov.uk) is not its committer")
    refused(register, commit(register, user="stranger@example.org"),
            "stranger@example.org is not in people.yaml")


def test_a_related_manager_is_refused_from_the_staged_relationship(register):
    """Context records (relationships) come from the index, cached by blob id."""
    rel_id = new_id("REL", 2026)
    write(register, f"""\
id: {rel_id}
kind: relationship
declarant: ddavies
recorded_by: ddavies
declared_on: 2026-11-01
details:
  other_person: kpatel
  relationship: partner
  context: line-management
decisions: []
amendments: []
""", rel_id, kind="relationship")
    assert commit(register, user="ddavies").returncode == 0, "a relationship is recorded"
    _, path = committed_gift(register, "kpatel", "childrens-services")
    add_decision(path, "ddavies")
    out = refused(register, commit(register, user="ddavies"), "ddavies may not decide", rel_id,
                  "who may: ")
    assert (register / ".git" / "coc" / "context.json").is_file()
    next_up = out.split("who may: ")[1].split(" (")[0]
    assert next_up == "Chris Carter", out
    git(register, "reset", "-q", "--hard")
    add_decision(path, "ccarter")
    assert commit(register, user="ccarter").returncode == 0


def test_approved_details_changed_without_an_amendment_are_refused(register):
    record_id, path = committed_gift(register)
    add_decision(path, "mjones")
    assert commit(register, user="mjones").returncode == 0
    path.write_text(path.read_text().replace('value_gbp: "12.50"', 'value_gbp: "120.00"'))
    refused(register, commit(register), f"{record_id}.yaml:", "details.value_gbp",
            "changed without an amendment", f"coc amend {record_id} --value-gbp",
            "(amendment-required)")
    git(register, "reset", "-q", "--hard")
    path.write_text(path.read_text().replace('value_gbp: "12.50"', 'value_gbp: "14.00"')
                    .replace("amendments: []\n", AMENDMENT))
    assert commit(register).returncode == 0, "the same change, amended, is accepted"


def test_an_undecided_declaration_may_be_corrected(register):
    _, path = committed_gift(register)
    path.write_text(path.read_text().replace("Box of chocolates", "Box of biscuits"))
    assert commit(register).returncode == 0


def test_what_identifies_a_record_never_changes(register):
    _, path = committed_gift(register)
    path.write_text(path.read_text().replace("declared_on: 2026-11-03", "declared_on: 2026-11-04"))
    refused(register, commit(register), "declared_on", "(record-identity)")


def test_a_withdrawal_is_final(register):
    _, path = committed_gift(register)
    path.write_text(path.read_text() + "withdrawn:\n  by: jsmith\n  at: 2026-11-05T09:00:00Z\n"
                    "  reason: Declared twice\n")
    assert commit(register).returncode == 0
    path.write_text(path.read_text().split("withdrawn:")[0])
    refused(register, commit(register), "withdrawn was changed or removed", "(append-only)")


def test_late_without_a_reason_is_refused_and_with_one_accepted(register):
    record_id = new_id("CRM", 2026)
    text = NOTICE.format(id=record_id, declared_on="2026-11-10", late="")
    path = write(register, text, record_id, kind="criminal-matter")
    refused(register, commit(register), f"{record_id}.yaml", "late_reason",
            "after the deadline 2026-11-03", "(deadline)")
    path.write_text(NOTICE.format(id=record_id, declared_on="2026-11-10",
                                  late="late_reason: I was in hospital\n"))
    assert commit(register).returncode == 0
    on_time = new_id("CRM", 2026)
    write(register, NOTICE.format(id=on_time, declared_on="2026-11-03", late=""), on_time,
          kind="criminal-matter")
    assert commit(register).returncode == 0


def test_a_breach_already_done_is_recorded_and_flagged_not_refused(register):
    """A gift already kept is a fact: refusing it would lose it (SPEC §5)."""
    record_id = new_id("GIF", 2026)
    write(register, GIFT.format(id=record_id, declarant="jsmith").replace(
        '"12.50"', '"200.00"').replace("shared-with-team", "kept"), record_id)
    proc = commit(register)
    assert proc.returncode == 0, proc.stderr
    assert f"{record_id}.yaml:" in proc.stderr and "details.value_gbp: breach:" in proc.stderr
    assert "(gift-value-limit) [MK §6]" in proc.stderr and "(recorded;" in proc.stderr
    assert "no approval resolves a breach" in proc.stderr
    assert "this commit changes the register" not in proc.stderr
