"""Every command over the hostile-input corpus in tests/hostile/ (issue 9, "Done when").

Each case is a small register holding one good record and one hostile thing: a record file,
a coc.yaml, a people.yaml, an import file, an argument list, or something a repository
cannot hold (a FIFO, a symbolic link, a folder named like a record). Every command then runs
over it. None may exit 3, print a traceback, hang, write a raw control or bidi character to
the terminal, or produce JUnit XML that does not parse; and the good record is still listed
and unchanged.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coc.cli.init import init_register
from coc.cli.main import cli

from conftest import EXAMPLE_EMAILS, git

CORPUS = Path(__file__).parent / "hostile"
ROSTER = Path(__file__).resolve().parents[1] / "templates" / "roster"
GOOD_ID, HOSTILE_ID = "GIF-2026-GOODAA", "GIF-2026-HSTAAA"
GOOD_PATH = f"registers/housing/gift/2026/{GOOD_ID}.yaml"
GOOD = f"""\
id: {GOOD_ID}
kind: gift
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-11-21
details:
  received_on: 2026-11-20
  donor: A. Supplier
  description: Box of chocolates
  value_gbp: "12.50"
  outcome: shared-with-team
decisions: []
amendments: []
"""
# A raw ESC, BEL, C1 control or bidi/line-separator character on a terminal is an attack.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                 "\u2066-\u2069]")
DECLARE = ("declare", "gift", "--received-on", "2026-11-20", "--donor", "B. Supplier",
           "--description", "Pen", "--value-gbp", "5", "--outcome", "kept", "--no-input")
# (user, args): every command, reading and writing, on the good and the hostile record
COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("jsmith", ("list",)), ("jsmith", ("list", "--json")),
    ("jsmith", ("show", GOOD_ID)), ("jsmith", ("show", HOSTILE_ID, "--json")),
    ("jsmith", ("show", HOSTILE_ID)),
    ("jsmith", ("validate", "--all")), ("jsmith", ("validate", "--all", "--format", "json")),
    ("jsmith", ("validate", "--all", "--format", "junit")),
    ("jsmith", ("overdue", "--format", "junit")),
    ("jsmith", ("audit", "--format", "junit")), ("jsmith", ("audit",)),
    ("jsmith", ("log", HOSTILE_ID)), ("jsmith", ("log", GOOD_ID)),
    ("jsmith", ("register", "--format", "csv")), ("jsmith", ("register", "--format", "html")),
    ("jsmith", ("codeowners", "--output", "-")), ("jsmith", ("schema", "gift")),
    ("jsmith", ("audit", "--format", "json")), ("jsmith", ("overdue",)),
    ("jsmith", ("register", "--format", "markdown")), ("jsmith", ("register", "--format", "json")),
    ("jsmith", ("check", "--answer", "topic=gift", "--no-input")),
    ("jsmith", ("policy", "show", "luton")), ("jsmith", ("policy", "list")),
    ("jsmith", ("review", "--base", "HEAD~1")), ("jsmith", ("review", "--format", "github")),
    ("hreed", ("import", str(CORPUS / "imports" / "escapes.gift.csv"), "--kind", "gift",
               "--dry-run")),
    ("mjones", ("inbox",)), ("mjones", ("inbox", "--json")),
    ("jsmith", ("inbox", "--for", "mjones")), ("jsmith", ("list", "--awaiting", "mjones")),
    ("mjones", ("remind",)), ("mjones", ("remind", "--out", "reminders-preview")),
    ("jsmith", ("recover",)), ("jsmith", ("hooks", "install")),
    ("mjones", ("reject", HOSTILE_ID, "--reason", "no")), ("jsmith", ("accept", HOSTILE_ID)),
    ("mjones", ("approve", HOSTILE_ID, HOSTILE_ID.lower())),   # the bulk form
    ("mjones", ("approve", HOSTILE_ID)), ("jsmith", ("amend", HOSTILE_ID, "--donor", "C")),
    ("jsmith", ("end", HOSTILE_ID, "--on", "2026-11-25")),
    ("jsmith", ("withdraw", HOSTILE_ID, "--reason", "test")),
    ("jsmith", DECLARE),
    ("hreed", ("people", "import", str(ROSTER / "example-hr-export.csv"), "--mapping",
               str(ROSTER / "hr-export.mapping.yaml"), "--dry-run")),
    ("hreed", ("campaign", "open", "2027")), ("jsmith", ("campaign", "progress", "2027")),
    ("jsmith", ("campaign", "non-declarers", "2027", "--format", "csv")),
]
# Commands that make a register of their own rather than read this one (tested in
# test_hostile_arguments: init with hostile names; demo in test_readme and test_schema).
NOT_OVER_THE_CORPUS = {"init", "demo"}


def test_every_command_runs_over_the_corpus() -> None:
    """A command added to coc is added here too, or the corpus no longer covers it."""
    from coc.cli.main import COMMANDS as ALL

    assert set(ALL) - NOT_OVER_THE_CORPUS == {args[0] for _, args in COMMANDS}


class Hang(BaseException):
    """Raised by the alarm: a command that does not finish (BaseException, so coc's own
    error handler cannot turn it into an exit code)."""


@pytest.fixture
def alarm() -> Iterator[None]:
    def ring(signum: int, frame: Any) -> None:
        raise Hang("a command hung")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register with the example organisation and the good record, made once per module."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        root = tmp_path_factory.mktemp("template") / "register"
        init_register(root, "luton", None)
        (root / GOOD_PATH).parent.mkdir(parents=True)
        (root / GOOD_PATH).write_text(GOOD)
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"declare(gift): {GOOD_ID} by jsmith", "--no-verify",
            email=EXAMPLE_EMAILS["jsmith"])
    return root


def run(root: Path, user: str, *args: str) -> tuple[int, str, str]:
    """One command through the real CLI, checked for the things no input may cause."""
    result = CliRunner().invoke(cli, ["-C", str(root), *args],
                                env={"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS[user],
                                     "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS[user]},
                                catch_exceptions=False)
    out, err = result.stdout, result.stderr
    shown = f"coc {' '.join(a[:60] for a in args)[:300]!r} -> {result.exit_code}\n{err[-2000:]}"
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in out + err and "internal error" not in err, shown
    raw = RAW.search(out + err)
    assert raw is None, f"raw {raw.group()!r} on the terminal: {shown}"
    if "junit" in args and result.exit_code in (0, 1) and out.strip():
        ET.fromstring(out)   # parses, whatever the records held
    return result.exit_code, out, err


def every_command(root: Path) -> dict[tuple[str, ...], tuple[int, str, str]]:
    """Run every command; then the good record is still there, listed and unchanged.
    Returns each command's (exit code, stdout, stderr)."""
    results = {args: run(root, user, *args) for user, args in COMMANDS}
    code, out, err = run(root, "jsmith", "list", "--json")   # exit 1 only for an id twice
    assert code == (1 if "exists twice" in err else 0), err
    assert GOOD_ID in {r["id"] for r in json.loads(out)}, out
    assert (root / GOOD_PATH).read_text() == GOOD
    return results


# Hostile to exports and browsers, not to validate: formulas and markup are plain free text.
VALID = {"formula-and-script"}


def fresh(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "register"
    shutil.copytree(template, root, symlinks=True)
    return root


def commit_all(root: Path) -> None:
    """Commit whatever the case put there, past the hook, so audit and log read it too."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "hostile", "--no-verify", "--allow-empty",
        email=EXAMPLE_EMAILS["jsmith"])


def hooked_commit(root: Path) -> subprocess.CompletedProcess[str]:
    """A plain `git commit` of everything, through the register's pre-commit hook."""
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    email = EXAMPLE_EMAILS["jsmith"]
    return subprocess.run(["git", "-c", f"user.email={email}", "-c", "user.name=Jane Smith",
                           "commit", "-qm", "hostile, hooked"], cwd=root, capture_output=True,
                          text=True, timeout=120)


def _cases(folder: str) -> list[Path]:
    return sorted(p for p in (CORPUS / folder).iterdir() if p.is_file())


@pytest.mark.parametrize("case", _cases("records"), ids=lambda p: p.stem)
def test_hostile_record_files(case: Path, template: Path, tmp_path: Path, alarm: None) -> None:
    data = case.read_bytes()
    at = re.match(rb"# at: (\S+)\n", data)
    assert at, f"{case.name} must start with '# at: PATH'"
    root = fresh(template, tmp_path)
    target = root / "registers" / at[1].decode()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data[at.end():] if case.suffix == ".bin" else data)
    hooked = hooked_commit(root)   # the hook agrees with validate (issue 9 item 8)
    assert (hooked.returncode == 0) == (case.stem in VALID), hooked.stderr
    assert "Traceback" not in hooked.stderr and not RAW.search(hooked.stderr), hooked.stderr
    commit_all(root)
    results = every_command(root)
    code, out, _ = results[("validate", "--all")]   # run before the commands that write
    if case.stem not in VALID:
        assert code == 1 and target.relative_to(root).as_posix() in out, out


def _special(root: Path, what: str) -> None:
    gifts = root / "registers/housing/gift/2026"
    if what == "fifo":
        os.mkfifo(gifts / f"{HOSTILE_ID}.yaml")
    elif what == "folder-named-like-a-record":
        (gifts / f"{HOSTILE_ID}.yaml").mkdir()
        (gifts / f"{HOSTILE_ID}.yaml" / "inside.yaml").write_text(GOOD)
    elif what == "huge-file":
        (gifts / f"{HOSTILE_ID}.yaml").write_text(GOOD + "# " + "x" * 300_000 + "\n")
    elif what == "long-file-name":
        (gifts / ("GIF-2026-" + "A" * 240 + ".yaml")).write_text(GOOD)
    elif what == "escape-file-name":   # file and folder names reach printers too (item 10)
        (gifts / "GIF-2026-\x1b]52;c;aGk=\x07\u202e.yaml").write_text(GOOD)
        folder = root / "registers/\x1b[2Jlegal\u2066/gift/2026"
        folder.mkdir(parents=True)
        (folder / f"{HOSTILE_ID}.yaml").write_text(GOOD.replace(GOOD_ID, HOSTILE_ID))
    elif what == "symlinked-record":
        (gifts / f"{HOSTILE_ID}.yaml").symlink_to(gifts / f"{GOOD_ID}.yaml")
    elif what == "symlinked-year":
        outside = root.parent / "outside-year"
        outside.mkdir()
        (outside / f"{HOSTILE_ID}.yaml").write_text(GOOD.replace(GOOD_ID, HOSTILE_ID))
        (root / "registers/housing/gift/2027").symlink_to(outside)
    elif what == "symlinked-department":
        outside = root.parent / "outside-department"
        (outside / "gift/2026").mkdir(parents=True)
        (outside / f"gift/2026/{HOSTILE_ID}.yaml").write_text(GOOD.replace(GOOD_ID, HOSTILE_ID))
        (root / "registers/legal").symlink_to(outside)
    elif what == "symlinked-registers":
        outside = root.parent / "outside-registers"
        shutil.move(str(root / "registers"), outside)
        (root / "registers").symlink_to(outside)
    else:  # pragma: no cover
        raise AssertionError(what)


SPECIAL = ("fifo", "folder-named-like-a-record", "huge-file", "long-file-name", "escape-file-name",
           "symlinked-record", "symlinked-year", "symlinked-department", "symlinked-registers")


@pytest.mark.parametrize("what", SPECIAL)
def test_hostile_files_a_repository_cannot_hold(what: str, template: Path, tmp_path: Path,
                                                alarm: None) -> None:
    root = fresh(template, tmp_path)
    _special(root, what)
    if what == "symlinked-registers":
        for user, args in COMMANDS:
            run(root, user, *args)
        assert "could not be read" in run(root, "jsmith", "list")[2]
        assert run(root, "jsmith", "validate", "--all")[0] == 1
    else:
        results = every_command(root)
        assert results[("validate", "--all")][0] == 1
    if what == "escape-file-name":   # named, escaped, not dropped
        out = results[("validate", "--all")][1]
        assert "GIF-2026-\\x1b]52" in out and "\\x1b[2Jlegal" in out, out


@pytest.mark.parametrize("case", _cases("config") + _cases("people"),
                         ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_hostile_configuration(case: Path, template: Path, tmp_path: Path, alarm: None) -> None:
    root = fresh(template, tmp_path)
    name = "coc.yaml" if case.parent.name == "config" else "people.yaml"
    shutil.copyfile(case, root / name)
    commit_all(root)
    for user, args in COMMANDS:
        run(root, user, *args)
    code, _, err = run(root, "jsmith", "list")
    named = "people.yaml" if case.stem == "many-grades" else name   # its grades fit no one
    assert code == 1 and err, err
    for line in err.strip().splitlines():   # one line per mistake, each naming the file
        assert line.startswith(f"coc: error: {named}:"), err
    assert (root / GOOD_PATH).read_text() == GOOD


@pytest.mark.parametrize("case", _cases("imports"), ids=lambda p: p.name)
def test_hostile_import_files(case: Path, template: Path, tmp_path: Path, alarm: None) -> None:
    root = fresh(template, tmp_path)
    kind = case.name.split(".")[-2]
    for extra in (("--dry-run",), (), ("--skip-bad",)):
        run(root, "hreed", "import", str(case), "--kind", kind, *extra)
    every_command(root)


def _arguments() -> list[list[str]]:
    return json.loads((CORPUS / "arguments.json").read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("args", _arguments(), ids=lambda a: re.sub(r"[^\w-]", "?", "-".join(a))[:60])
def test_hostile_arguments(args: list[str], template: Path, tmp_path: Path, alarm: None,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = fresh(template, tmp_path)
    monkeypatch.chdir(tmp_path)   # a relative --output lands here, never in the checkout
    filled = [a.replace("{good}", GOOD_ID).replace("{tmp}", str(tmp_path)) for a in args]
    user = "mjones" if filled[0] in ("approve", "reject") else "jsmith"
    run(root, user, *filled)
    code, out, _ = run(root, "jsmith", "list", "--json")
    assert code == 0 and GOOD_ID in {r["id"] for r in json.loads(out)}
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    assert "registers/" not in status, status   # nothing half-written or left staged
