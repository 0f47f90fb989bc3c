"""Faults a red team found (issue 9, items 13-15, 18-20): disk full, read-only registers, kill -9,
parallel commands, hostile export cells, import re-runs and odd end dates.

Each test first makes the fault happen for real (a full tmpfs, a read-only bind mount, a coc
process killed while its commit's hook sleeps, two coc processes at once) and then shows coc
leaving the register exactly as it was, or saying precisely what to run.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from coc.registers.git import BULK_FROM
from conftest import EXAMPLE_EMAILS, GIFT_FLAGS, git

TODAY = date.today().isoformat()
SOON = (date.today() + timedelta(days=60)).isoformat()


# 18: CSV cells a spreadsheet would still run as a formula ---------------------------------------

HIDDEN_FORMULAS = ["＝HYPERLINK(\"http://evil.example\",\"refund\")", "＋1+1", "－2+3", "＠SUM(A1)",
                   "\u200b=HYPERLINK(\"http://evil.example\")", "\u2060=1+1", "\ufeff=1+1",
                   "﹦1+1"]


def test_csv_neutralises_fullwidth_and_hidden_formula_starts(make_register, coc):
    """Before: `＝HYPERLINK(...)` and a zero-width space before `=` went out as they were."""
    root = make_register("luton")
    for donor in HIDDEN_FORMULAS:
        flags = list(GIFT_FLAGS)
        flags[flags.index("--donor") + 1] = donor
        result = coc(root, "declare", "gift", *flags)
        assert result.exit_code == 0, result.output
    result = coc(root, "register", "--kind", "gift", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    donors = sorted(row["Donor"] for row in rows)
    assert donors == sorted("'" + d for d in HIDDEN_FORMULAS)
    assert {row["Description"] for row in rows} == {"Box of chocolates"}   # plain text untouched


# helpers: real faults ----------------------------------------------------------------------------

def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs: filling it up is a real full disk (skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False, capture_output=True)


def read_only(folder: Path) -> Callable[[], None]:
    """Bind-mount `folder` read-only over itself (root ignores permission bits, not this)."""
    if not (_mount("--bind", str(folder), str(folder))
            and _mount("-o", "remount,bind,ro", str(folder))):
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)
        pytest.skip("cannot bind-mount read-only here (needs root)")
    return lambda: subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill `disk` until only about `leave` bytes are free."""
    filler = disk / "filler"
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with open(filler, "wb") as handle:
        try:
            handle.write(b"\0" * max(0, free - leave))
        except OSError:
            pass
    return filler


def state(root: Path) -> dict[str, Any]:
    """Everything a failed write must leave as it was: branch, commit, index, files, journal."""
    files = {p.relative_to(root).as_posix(): p.read_bytes()
             for p in sorted((root / "registers").rglob("*")) if p.is_file()}
    return {"branch": git(root, "rev-parse", "--abbrev-ref", "HEAD").strip(),
            "head": git(root, "rev-parse", "HEAD").strip(),
            "branches": git(root, "branch", "--format=%(refname)"),
            "index": (root / ".git" / "index").read_bytes(), "files": files,
            "locks": sorted(p.name for p in (root / ".git").glob("*.lock")),
            "pending": (root / ".git" / "coc" / "pending").exists()}


def unchanged(root: Path, before: dict[str, Any], why: Any = "") -> None:
    after = state(root)
    for key, value in before.items():
        assert after[key] == value, f"{key} changed {why}"
    assert git(root, "status", "--porcelain") == ""


def declared(coc, root: Path, *extra: str, user: str = "jsmith") -> str:
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--json", *extra, user=user)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def outside_work(coc, root: Path) -> str:
    result = coc(root, "declare", "outside-work", "--organisation", "Luton Town FC", "--role",
                 "Steward", "--paid", "yes", "--start-date", SOON, "--hours-per-week", "10",
                 "--no-input", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def write_commands(gift: str, work: str, tmp: Path,
                   root: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(user, args) of each command that writes to a register."""
    source = tmp / "gifts.csv"
    source.write_text("received_on,donor,description,value_gbp,outcome\n"
                      f"{TODAY},Acme,Pens,5,kept\n")
    many = tmp / "many-gifts.csv"   # enough rows for the bulk commit (registers.git.BULK_FROM)
    many.write_text("received_on,donor,description,value_gbp,outcome\n" + "".join(
        f"{TODAY},Acme {n},Pens,5,kept\n" for n in range(BULK_FROM + 20)))
    return [("jsmith", ("declare", "gift", *GIFT_FLAGS)),
            ("mjones", ("approve", gift)), ("mjones", ("reject", gift, "--reason", "No")),
            ("jsmith", ("amend", gift, "--value-gbp", "13")),
            ("jsmith", ("withdraw", gift, "--reason", "Twice")),
            ("jsmith", ("end", work, "--on", TODAY)),
            ("jsmith", ("declare", "gift", *GIFT_FLAGS, "--branch")),
            ("mjones", ("approve", work, "--branch")),
            ("jsmith", ("import", str(source), "--kind", "gift")),
            ("jsmith", ("import", str(many), "--kind", "gift")),
            ("jsmith", ("hooks", "install", "--force")),
            ("jsmith", ("codeowners",)),
            ("jsmith", ("register", "--kind", "gift", "--format", "csv", "-o",
                        str(root / "out.csv")))]


# 13: a full disk and a read-only register ---------------------------------------------------------

@pytest.mark.parametrize("leave", [0, 4096, 12288, 24576, 49152])
def test_a_full_disk_leaves_the_register_as_it_was(small_disk, make_register, coc, tmp_path,
                                                   leave):
    """Before: exit 3, and records left staged but uncommitted, or staged and deleted, because
    the rollback itself (git reset) needed space. Now every write either commits or puts the
    index, the files and the branch back byte for byte, and says why in one line."""
    root = make_register("luton", name="disk/register")
    gift, work = declared(coc, root), outside_work(coc, root)
    for user, args in write_commands(gift, work, tmp_path, root):
        git(root, "status", "--porcelain")   # refresh the index, so its bytes can be compared
        before = state(root)
        filler = fill(small_disk, leave)
        result = coc(root, *args, user=user)
        filler.unlink()
        assert result.exit_code in (0, 1), (args, result.output)
        if result.exit_code == 1:
            assert result.output.startswith("coc: error: "), (args, result.output)
            assert len(result.output.strip().splitlines()) == 1, (args, result.output)
            unchanged(root, before, (args, result.output))
        elif args[0] in ("declare", "approve", "reject", "amend", "withdraw", "end", "import"):
            assert git(root, "rev-parse", "HEAD~1").strip() == before["head"] or \
                "--branch" in args, args
            assert git(root, "status", "--porcelain") == ""
        (root / "out.csv").unlink(missing_ok=True)
        if git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() != "main":
            git(root, "switch", "-q", "main")
        git(root, "reset", "-q", "--hard", before["head"]) if args[0] != "hooks" else None


def test_a_read_only_register_refuses_every_write_in_one_line(make_register, coc, tmp_path):
    """Before: 17 write commands exit 3 with a crash log. Root ignores permission bits, so the
    register is bind-mounted read-only: each write says so, exit 1, and nothing changes."""
    root = make_register("luton")
    gift, work = declared(coc, root), outside_work(coc, root)
    git(root, "status", "--porcelain")
    before = state(root)
    undo = read_only(root)
    try:
        for user, args in write_commands(gift, work, tmp_path, root):
            result = coc(root, *args, user=user)
            assert result.exit_code == 1, (args, result.output)
            assert "Read-only file system" in result.output, (args, result.output)
            assert len(result.output.strip().splitlines()) == 1, result.output
        assert coc(root, "list").exit_code == 0   # reading still works
    finally:
        undo()
    unchanged(root, before)


def test_a_read_only_records_folder_is_rolled_back_to_exactly_before(make_register, coc,
                                                                     tmp_path):
    """git can write but the record cannot: coc had already taken its lock and journal, and puts
    the index and branch back (including a declare/<id> branch it had just made)."""
    root = make_register("milton-keynes")
    gift = declared(coc, root)
    git(root, "status", "--porcelain")
    before = state(root)
    undo = read_only(root / "registers")
    try:
        for user, args in [("mjones", ("approve", gift)), ("mjones", ("approve", gift, "--branch")),
                           ("jsmith", ("declare", "gift", *GIFT_FLAGS, "--branch"))]:
            result = coc(root, *args, user=user)
            assert result.exit_code == 1, result.output
            assert "Read-only file system" in result.output
            unchanged(root, before, (args, result.output))
    finally:
        undo()


# 14: kill -9 in the middle of a commit -----------------------------------------------------------

def sleeping_hook(root: Path, seconds: int = 60) -> Path:
    """A pre-commit hook that says it started, then sleeps: the commit is mid-way while it runs."""
    started = root / ".git" / "hook-started"
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch '{started}'\nsleep {seconds}\n")
    hook.chmod(0o755)
    return started


def start_coc(root: Path, *args: str, user: str = "jsmith") -> subprocess.Popen[str]:
    env = {**os.environ, "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS[user]}
    exe = Path(sys.executable).parent / "coc"
    return subprocess.Popen([str(exe), *args], cwd=root, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.parametrize("branch", [False, True])
def test_kill_9_mid_commit_is_explained_and_recovered(make_register, coc, coc_subprocess, branch):
    """Before: a stale .git/index.lock and git's "remove the file manually" without its name,
    the record staged but not committed, and (with --branch) the user left on declare/<id>,
    where the next declaration landed. Now the next command names each state, whether a git
    process holds the lock, and offers `coc recover`, which puts everything back."""
    root = make_register("luton")
    git(root, "status", "--porcelain")
    before = state(root)
    started = sleeping_hook(root)
    proc = start_coc(root, "declare", "gift", *GIFT_FLAGS, *(["--branch"] if branch else []))
    wait_for(started)
    os.killpg(proc.pid, signal.SIGKILL)   # coc, git commit and the hook: a power cut
    proc.wait()
    lock = root / ".git" / "index.lock"
    assert lock.exists(), "the fault happened: git's lock is left behind"
    assert git(root, "diff", "--cached", "--name-only").startswith("registers/")

    result = coc_subprocess(root, "declare", "gift", *GIFT_FLAGS)
    assert result.returncode == 1, result.stderr
    (message,) = [line for line in result.stderr.splitlines() if line.startswith("coc: error:")]
    assert str(lock) in message and "no git process is running" in message
    assert "is staged but not committed" in message and "coc recover" in message
    if branch:
        assert "you are on branch declare/" in message and "(it started on main)" in message
    assert "Traceback" not in result.stderr
    shown = coc_subprocess(root, "list")
    assert shown.returncode == 0
    assert "coc: warning:" in shown.stderr and "coc recover" in shown.stderr

    result = coc_subprocess(root, "recover")
    assert result.returncode == 0, result.stderr
    assert "undid the interrupted `coc declare gift`" in result.stdout
    (root / ".git" / "hook-started").unlink()
    (root / ".git" / "hooks" / "pre-commit").unlink()
    unchanged(root, {**before, "index": state(root)["index"]})
    assert git(root, "ls-files", "-s") == git(root, "ls-tree", "-r", "--format=%(objectmode) "
                                             "%(objectname) 0\t%(path)", "HEAD")
    assert coc_subprocess(root, "declare", "gift", *GIFT_FLAGS).returncode == 0
    assert coc_subprocess(root, "recover").stdout.startswith("Nothing to recover")


def test_after_a_kill_and_a_hand_made_commit_recover_undoes_nothing(make_register, coc,
                                                                    coc_subprocess):
    """Someone cleaned up by hand and committed: undoing the old journal now would undo that."""
    root = make_register("luton")
    started = sleeping_hook(root)
    proc = start_coc(root, "declare", "gift", *GIFT_FLAGS)
    wait_for(started)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    (root / ".git" / "index.lock").unlink()
    (root / ".git" / "hooks" / "pre-commit").unlink()
    git(root, "commit", "-qm", "finished by hand")
    files = sorted(p.name for p in root.glob("registers/*/*/*/*.yaml"))
    result = coc_subprocess(root, "recover")
    assert result.returncode == 0 and "nothing undone" in result.stdout
    assert sorted(p.name for p in root.glob("registers/*/*/*/*.yaml")) == files
    assert git(root, "status", "--porcelain") == "" and git(root, "log", "-1", "--format=%s") \
        == "finished by hand\n"


def test_a_killed_coc_whose_git_still_runs_is_waited_for_not_undone(make_register, coc_subprocess):
    """Only coc is killed; its git commit (in its hook) runs on and holds index.lock. The next
    command says a git process still holds the lock; once it finishes, the commit stands."""
    root = make_register("luton")
    started = sleeping_hook(root, seconds=3)
    proc = start_coc(root, "declare", "gift", *GIFT_FLAGS)
    wait_for(started)
    os.kill(proc.pid, signal.SIGKILL)   # coc alone
    proc.wait()
    env_short = {"COC_LOCK_TIMEOUT": "0.2"}
    result = subprocess.run([str(Path(sys.executable).parent / "coc"), "declare", "gift",
                             *GIFT_FLAGS], cwd=root, capture_output=True, text=True,
                            env={**os.environ, **env_short,
                                 "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["jsmith"]})
    assert result.returncode == 1
    assert "index.lock is held by a git command still running" in result.stderr
    assert "git commit" in result.stderr
    deadline = time.monotonic() + 30
    while (root / ".git" / "index.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    (root / ".git" / "hooks" / "pre-commit").unlink()
    result = coc_subprocess(root, "declare", "gift", *GIFT_FLAGS)
    assert result.returncode == 0, result.stderr   # the finished commit needs no recovery
    subjects = git(root, "log", "--format=%s", "-3").splitlines()
    assert [s.split(":")[0] for s in subjects[:2]] == ["declare(gift)", "declare(gift)"]
    assert not (root / ".git" / "coc" / "pending").exists()


def test_a_stale_git_lock_without_coc_is_named_with_the_command_that_removes_it(make_register,
                                                                                coc):
    root = make_register("luton")
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    result = coc(root, "declare", "gift", *GIFT_FLAGS)
    assert result.exit_code == 1
    assert f"rm {lock}" in result.output and "no git process is running" in result.output
    assert coc(root, "recover").exit_code == 0 and not lock.exists()
    assert coc(root, "declare", "gift", *GIFT_FLAGS).exit_code == 0


def test_left_on_a_declare_branch_the_next_declaration_does_not_land_there(make_register, coc):
    root = make_register("luton")
    first = declared(coc, root, "--branch")
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == f"declare/{first}"
    head = git(root, "rev-parse", "HEAD")
    result = coc(root, "declare", "gift", *GIFT_FLAGS)
    assert result.exit_code == 1
    assert f"you are on branch declare/{first}" in result.output
    assert "Run `git switch main` first" in result.output
    assert git(root, "rev-parse", "HEAD") == head and git(root, "status", "--porcelain") == ""
    result = coc(root, "withdraw", first, "--reason", "Twice")   # its own branch: fine
    assert result.exit_code == 0, result.output
    second = declared(coc, root, "--branch")   # its own branch, from main, is fine too
    assert git(root, "rev-parse", f"declare/{second}~1").strip() == git(root, "rev-parse",
                                                                         "main").strip()


# 15: parallel commands in one clone -------------------------------------------------------------

def test_parallel_declarations_in_one_clone_all_land(make_register):
    """Before: 47 of 60 parallel commands failed on git's index.lock. Now they take turns."""
    root = make_register("luton")
    procs = [start_coc(root, "declare", "gift", *GIFT_FLAGS) for _ in range(6)]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    assert git(root, "log", "--format=%s").count("declare(gift)") == 6
    assert git(root, "status", "--porcelain") == ""


def test_a_waiting_coc_gives_up_saying_which_coc_runs(make_register, coc):
    from coc.registers.writing import Lock

    root = make_register("luton")
    lock = Lock(root / ".git")
    lock.acquire()
    try:
        proc = subprocess.run([str(Path(sys.executable).parent / "coc"), "declare", "gift",
                               *GIFT_FLAGS], cwd=root, capture_output=True, text=True,
                              env={**os.environ, "COC_LOCK_TIMEOUT": "0.3",
                                   "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["jsmith"]})
    finally:
        lock.release()
    assert proc.returncode == 1
    assert f"(pid {os.getpid()}) is running in this register" in proc.stderr
    assert "waited 0.3 s" in proc.stderr


def test_concurrent_approve_and_amend_without_the_hook_lose_nothing(make_register, coc):
    """Before: without the hook, approve and amend at once both exited 0 and the approval was
    not in HEAD. Now the second reads after the first commits (lock), or is refused."""
    root = make_register("luton")
    (root / ".git" / "hooks" / "pre-commit").unlink()
    for _ in range(3):
        gift = declared(coc, root)
        approve = start_coc(root, "approve", gift, user="mjones")
        amend = start_coc(root, "amend", gift, "--value-gbp", "14", "--note", "receipt")
        codes = {"approve": approve.wait(timeout=120), "amend": amend.wait(timeout=120)}
        text = (root / git(root, "ls-files", f"*{gift}.yaml").strip()).read_text()
        head = git(root, "show", f"HEAD:{git(root, 'ls-files', f'*{gift}.yaml').strip()}")
        assert head == text
        if codes["approve"] == 0:
            assert "decision: approved" in head, "an approval that exited 0 is in HEAD"
        if codes["amend"] == 0:
            assert "value_gbp: '14.00'" in head or 'value_gbp: "14.00"' in head
        assert git(root, "status", "--porcelain") == ""


def test_a_record_changed_under_a_command_is_not_overwritten(make_register, coc):
    """Compare-and-commit: a plain git commit lands between coc reading a record and writing
    it (a writer that takes no coc lock); coc refuses instead of dropping that change."""
    from coc.cli.decide import amend_record, change
    from coc.registers.errors import RefusedError
    from coc.registers.store import Register

    root = make_register("luton")
    gift = declared(coc, root)
    register = Register(root)
    jane = register.people.require("jsmith")
    path = next(root.glob(f"registers/*/*/*/{gift}.yaml"))

    def meanwhile(edit: Any) -> str:
        path.write_text(path.read_text() + "late_reason: added by hand meanwhile\n")
        git(root, "commit", "-qam", "hand edit", "--no-verify")
        edit.data["details"]["value_gbp"] = "13.00"
        return "value_gbp: 12.50 -> 13.00"

    with pytest.raises(RefusedError, match="changed in HEAD since coc read it"):
        change(register, gift, jane, "amend", meanwhile)
    assert "added by hand meanwhile" in path.read_text()
    assert git(root, "status", "--porcelain") == ""
    assert amend_record(register, gift, jane, {"value_gbp": "13"}).status == "submitted"


# 20: end dates, and what show says about amendments, endings and withdrawals --------------------

def test_end_on_refuses_dates_that_cannot_be_an_ending(make_register, coc):
    """Before: `coc end --on` took any date; one in 2099 read "ended" at once."""
    from freezegun import freeze_time

    root = make_register("luton")
    with freeze_time("2026-03-10"):
        interest = coc(root, "declare", "interest", "--nature", "financial", "--organisation",
                       "Acme Ltd", "--description", "Shares", "--arose-on", "2026-03-01",
                       "--no-input", "--json")
        assert interest.exit_code == 0, interest.output
        record = json.loads(interest.output)["id"]
    with freeze_time("2026-04-01"):
        for on, reason in [("2099-01-01", "2099-01-01 is more than a year away"),
                           ("2027-04-03", "2027-04-03 is more than a year away"),
                           ("2026-02-28", "is before it started (arose_on 2026-03-01)"),
                           ("2026-03-05", "is before " + record + " was declared (2026-03-10)")]:
            head = git(root, "rev-parse", "HEAD")
            result = coc(root, "end", record, "--on", on)
            assert result.exit_code == 1, result.output
            assert reason in result.output and "--on" in result.output
            assert len(result.output.strip().splitlines()) == 1
            assert git(root, "rev-parse", "HEAD") == head
        assert coc(root, "end", record, "--on", "2026-03-31").exit_code == 0


def test_show_says_what_was_amended_and_who_ended_or_withdrew(make_register, coc):
    """Before: `coc show` listed decisions only, so an approver asked to decide again after an
    amendment could not see what changed, nor who ended or withdrew a record and why."""
    from freezegun import freeze_time

    root = make_register("luton")
    with freeze_time("2026-03-10 09:00:00"):
        work = coc(root, "declare", "outside-work", "--organisation", "Luton Town FC", "--role",
                   "Steward", "--paid", "yes", "--start-date", "2026-03-10", "--hours-per-week",
                   "10", "--no-input", "--json")
        work_id = json.loads(work.output)["id"]
        flags = list(GIFT_FLAGS)
        flags[flags.index("--received-on") + 1] = "2026-03-09"
        gift = json.loads(coc(root, "declare", "gift", *flags, "--json").output)["id"]
    with freeze_time("2026-03-12 10:30:00"):
        assert coc(root, "amend", work_id, "--hours-per-week", "16", "--note",
                   "Extra match days").exit_code == 0
        assert coc(root, "withdraw", gift, "--reason", "Declared twice").exit_code == 0
    with freeze_time("2026-04-01 08:00:00"):
        assert coc(root, "end", work_id, "--on", "2026-03-31", "--reason",
                   "Season over").exit_code == 0
        text = coc(root, "show", work_id).output
        assert ("  - amended by jsmith at 2026-03-12T10:30:00+00:00: hours_per_week: 10 -> 16; "
                "note: Extra match days") in text
        assert ("  - ended on 2026-03-31 (recorded by jsmith at 2026-04-01T08:00:00+00:00); "
                "reason: Season over") in text
        shown = json.loads(coc(root, "show", work_id, "--json").output)["changes"]
        assert shown["amendments"] == [{"by": "jsmith", "at": "2026-03-12T10:30:00+00:00",
                                        "fields": {"hours_per_week": {"from": 10, "to": 16}},
                                        "note": "Extra match days"}]
        assert shown["ended"] == {"by": "jsmith", "at": "2026-04-01T08:00:00+00:00",
                                  "on": "2026-03-31", "reason": "Season over"}
        assert shown["withdrawn"] is None
        text = coc(root, "show", gift).output
        assert "  - withdrawn by jsmith at 2026-03-12T10:30:00+00:00; reason: Declared twice" \
            in text
        assert json.loads(coc(root, "show", gift, "--json").output)["changes"]["withdrawn"] == {
            "by": "jsmith", "at": "2026-03-12T10:30:00+00:00", "reason": "Declared twice"}


# 19: coc import: duplicate JSON keys, and re-importing a file ------------------------------------

def test_reimporting_a_file_whose_text_has_runs_of_spaces_adds_nothing(make_register, coc,
                                                                       tmp_path):
    """Before: free text with a run of spaces where the YAML writer wrapped the line was saved
    differently from the source, so a second import of the same file added every such row."""
    root = make_register("luton")
    long = ("Hamper of Bedfordshire cheeses, chutneys and a bottle of wine from the supplier of "
            "the  new   depot,    delivered to the office on a Friday afternoon")
    source = tmp_path / "gifts.csv"
    with open(source, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["received_on", "donor", "description", "value_gbp", "outcome"])
        for n in range(0, 120, 8):   # the runs of spaces move across the wrap column
            writer.writerow([TODAY, "Acme", ("x" * n) + long, "20", "shared-with-team"])
    first = coc(root, "import", str(source), "--kind", "gift", "--json")
    assert first.exit_code == 0, first.output
    ids = [row["id"] for row in json.loads(first.output)["imported"]]
    for record_id, n in zip(ids, range(0, 120, 8)):
        shown = json.loads(coc(root, "show", record_id, "--json").output)
        assert shown["record"]["details"]["description"] == ("x" * n) + long, n
    head = git(root, "rev-parse", "HEAD")
    again = coc(root, "import", str(source), "--kind", "gift", "--json")
    assert again.exit_code == 1
    bad = json.loads(again.output)["bad"]
    assert len(bad) == 15 and all("is already GIF-" in b["message"] for b in bad)
    assert git(root, "rev-parse", "HEAD") == head


def test_a_json_row_with_a_key_twice_is_refused_naming_file_line_and_key(make_register, coc,
                                                                         tmp_path):
    """Before: json keeps the last of two values silently, so a row imported £5 where its
    source also said £500."""
    root = make_register("luton")
    source = tmp_path / "gifts.json"
    source.write_text('[\n  {"received_on": "%s", "donor": "Acme", "description": "Pens",\n'
                      '   "value_gbp": "500", "outcome": "kept",\n'
                      '   "value_gbp": "5"}\n]\n' % TODAY)
    head = git(root, "rev-parse", "HEAD")
    result = coc(root, "import", str(source), "--kind", "gift")
    assert result.exit_code == 1
    assert f"{source}:4: value_gbp: duplicate key 'value_gbp'" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert git(root, "rev-parse", "HEAD") == head
    source.write_text('{"gifts": [], "gifts": [{"donor": "Acme"}]}')
    result = coc(root, "import", str(source), "--kind", "gift")
    assert result.exit_code == 1 and f"{source}:1: gifts: duplicate key 'gifts'" in result.output


def test_the_same_file_imported_twice_at_once_is_imported_once(make_register, tmp_path):
    """The check against existing records and the write share one lock (item 15)."""
    root = make_register("luton")
    source = tmp_path / "gifts.csv"
    source.write_text("received_on,donor,description,value_gbp,outcome\n"
                      + "".join(f"{TODAY},Acme,Pens {n},5,kept\n" for n in range(20)))
    procs = [start_coc(root, "import", str(source), "--kind", "gift") for _ in range(2)]
    codes = sorted(p.wait(timeout=120) for p in procs)
    assert codes == [0, 1]
    assert git(root, "log", "--format=%s").count("import(gift)") == 1
    assert len(list(root.glob("registers/*/gift/*/*.yaml"))) == 20
