"""`coc import` of many rows (issue 11): one commit, staged in bulk, through the register's own
hook, which still refuses what it refuses; a failure or a kill leaves nothing behind.

From `registers.git.BULK_FROM` files, with nothing else staged, the records go into the index
by `git update-index --stdin` and one pack, and `git commit` commits the index as it is; the
hook reads the staged blobs by id and, past `policies.validate.FEW_PATHSPECS` ids, looks for
duplicate ids in one listing. Each test here runs that path, and one the path below it.
"""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from coc.policies.validate import FEW_PATHSPECS
from coc.registers.git import BULK_FROM
from conftest import EXAMPLE_EMAILS, git
from test_faults import sleeping_hook, start_coc, state, unchanged, wait_for

TODAY = "2026-11-20"
MANY = BULK_FROM + 30


def rows(path: Path, count: int, start: int = 0) -> Path:
    path.write_text("received_on,donor,description,value_gbp,outcome\n" + "".join(
        f"{TODAY},Acme {n},Pens,5,kept\n" for n in range(start, start + count)))
    return path


def hr_commit(root: Path, message: str) -> tuple[int, str]:
    """`git commit` as Harper Reed (HR), through the installed hook."""
    import subprocess

    email = EXAMPLE_EMAILS["hreed"]
    env = {**os.environ, "GIT_AUTHOR_NAME": "Harper Reed", "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": "Harper Reed", "GIT_COMMITTER_EMAIL": email}
    done = subprocess.run(["git", "commit", "-qm", message], cwd=root, env=env,
                          capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def test_many_rows_are_one_commit_and_the_index_is_that_commit(make_register, coc, tmp_path):
    root = make_register("luton")
    result = coc(root, "import", str(rows(tmp_path / "g.csv", MANY)), "--kind", "gift",
                 "--json", user="hreed")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert len(out["imported"]) == MANY and out["commit"] == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "rev-list", "--count", "HEAD").strip() == "2"
    changed = set(git(root, "show", "--name-only", "--format=", "HEAD").split())
    assert changed == {i["path"] for i in out["imported"]}
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "ls-files", "-s") == git(root, "ls-tree", "-r", "--format=%(objectmode) "
                                             "%(objectname) 0\t%(path)", "HEAD")
    assert "coc: warning" not in coc(root, "list").output   # no journal, no lock left


@pytest.mark.parametrize("count", [3, MANY])
def test_the_hook_refuses_an_import_and_nothing_is_written_or_staged(make_register, coc,
                                                                     tmp_path, count):
    """HR's own department edited in people.yaml but not committed: the import files the
    records by the working copy's people.yaml, the hook judges by the committed one and
    refuses the commit, and the import leaves no file, no staged path, no lock behind."""
    root = make_register("luton")
    people = root / "people.yaml"
    text = people.read_text()
    at = text.index("department: hr", text.index("id: hreed"))
    people.write_text(text[:at] + "department: planning" + text[at + len("department: hr"):])
    git(root, "status", "--porcelain")
    before = state(root)
    result = coc(root, "import", str(rows(tmp_path / "g.csv", count)), "--kind", "gift",
                 user="hreed")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("coc: error: git commit failed: registers/planning/gift/2026/GIF-2026-")
    assert line.endswith("declarant: error: folder says department planning but hreed is in hr "
                         "(people.yaml) (record-path); nothing was changed")
    after = state(root)
    assert {k: after[k] for k in before} == before
    assert git(root, "status", "--porcelain") == " M people.yaml\n"


def test_with_something_else_staged_only_the_records_are_committed(make_register, coc,
                                                                   tmp_path):
    root = make_register("luton")
    (root / "README.md").write_text("Edited, staged, not for this commit.\n")
    git(root, "add", "README.md")
    result = coc(root, "import", str(rows(tmp_path / "g.csv", MANY)), "--kind", "gift",
                 user="hreed")
    assert result.exit_code == 0, result.output
    changed = git(root, "show", "--name-only", "--format=", "HEAD").split()
    assert len(changed) == MANY and "README.md" not in changed
    assert git(root, "status", "--porcelain") == "M  README.md\n"


def test_kill_9_mid_import_is_explained_and_recovered(make_register, coc_subprocess, tmp_path):
    root = make_register("luton")
    git(root, "status", "--porcelain")
    before = state(root)
    started = sleeping_hook(root)
    proc = start_coc(root, "import", str(rows(tmp_path / "g.csv", MANY)), "--kind", "gift",
                     user="hreed")
    wait_for(started)
    os.killpg(proc.pid, signal.SIGKILL)   # coc, git commit and the hook
    proc.wait()
    staged = git(root, "diff", "--cached", "--name-only").split()
    assert len(staged) == MANY, "the fault happened: the records are staged, not committed"

    result = coc_subprocess(root, "import", str(tmp_path / "g.csv"), "--kind", "gift",
                            user="hreed")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (message,) = [line for line in result.stderr.splitlines() if line.startswith("coc: error:")]
    assert "is staged but not committed" in message and "coc recover" in message
    result = coc_subprocess(root, "recover", user="hreed")
    assert result.returncode == 0, result.stderr
    assert "undid the interrupted `coc import" in result.stdout
    started.unlink()
    (root / ".git" / "hooks" / "pre-commit").unlink()
    unchanged(root, {**before, "index": state(root)["index"]})
    assert git(root, "ls-files", "-s") == git(root, "ls-tree", "-r", "--format=%(objectmode) "
                                             "%(objectname) 0\t%(path)", "HEAD")


def test_rows_that_repeat_each_other_or_the_register_add_nothing(make_register, coc, tmp_path):
    root = make_register("luton")
    source = rows(tmp_path / "g.csv", MANY)
    with source.open("a") as handle:   # the first ten rows again, at the end of the file
        handle.write("".join(f"{TODAY},Acme {n},Pens,5,kept\n" for n in range(10)))
    result = coc(root, "import", str(source), "--kind", "gift", "--json", user="hreed")
    assert result.exit_code == 1
    bad = json.loads(result.output)["bad"]
    assert [b["line"] for b in bad] == list(range(MANY + 2, MANY + 12))
    assert [b["message"] for b in bad] == [f"the same gift of hreed is already in this file "
                                           f"(line {n + 2})" for n in range(10)]
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"   # all or nothing
    result = coc(root, "import", str(source), "--kind", "gift", "--skip-bad", user="hreed")
    assert result.exit_code == 0, result.output
    head = git(root, "rev-parse", "HEAD")
    again = coc(root, "import", str(source), "--kind", "gift", "--json", user="hreed")
    assert again.exit_code == 1
    bad = json.loads(again.output)["bad"]
    assert len(bad) == MANY + 10 and all(" is already GIF-2026-" in b["message"] for b in bad)
    assert git(root, "rev-parse", "HEAD") == head and git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("count", [3, FEW_PATHSPECS + 10])
def test_the_hook_finds_an_id_twice_among_many_staged_records(make_register, coc, tmp_path,
                                                              count):
    """The duplicate-id rule (issue 9 item 16) whether the staged ids are looked for one
    pathspec each or in one listing of the index."""
    root = make_register("luton")
    result = coc(root, "import", str(rows(tmp_path / "one.csv", 1)), "--kind", "gift",
                 "--json", user="hreed")
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["imported"][0]["path"]   # committed: not staged below
    result = coc(root, "import", str(rows(tmp_path / "g.csv", count, start=1)), "--kind",
                 "gift", user="hreed")
    assert result.exit_code == 0, result.output
    git(root, "reset", "-q", "--soft", "HEAD~1")   # these records staged again, not committed
    copy = root / first.replace("/hr/", "/housing/")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes((root / first).read_bytes())
    git(root, "add", str(copy.relative_to(root)))
    code, output = hr_commit(root, "import by hand")
    assert code != 0
    assert f"{Path(first).stem} is also at {first}: ids must be unique" in output
    assert git(root, "rev-list", "--count", "HEAD").strip() == "2"
