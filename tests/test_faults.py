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
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from conftest import GIFT_FLAGS, git

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
    return [("jsmith", ("declare", "gift", *GIFT_FLAGS)),
            ("mjones", ("approve", gift)), ("mjones", ("reject", gift, "--reason", "No")),
            ("jsmith", ("amend", gift, "--value-gbp", "13")),
            ("jsmith", ("withdraw", gift, "--reason", "Twice")),
            ("jsmith", ("end", work, "--on", TODAY)),
            ("jsmith", ("declare", "gift", *GIFT_FLAGS, "--branch")),
            ("mjones", ("approve", work, "--branch")),
            ("jsmith", ("import", str(source), "--kind", "gift")),
            ("jsmith", ("hooks", "install", "--force")), ("jsmith", ("codeowners",)),
            ("jsmith", ("register", "--kind", "gift", "--format", "csv", "-o", str(root / "out.csv")))]


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
    root = make_register("luton")
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
            unchanged(root, before)
    finally:
        undo()
