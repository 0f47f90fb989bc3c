"""The README, run as a newcomer runs it: every shell block, in order, on the real clock.

No freezegun here, on purpose (issue 10): a README whose first command fails on today's date
must fail this test on today's date. Each ```sh block is preceded by a marker,
`<!-- readme-test {...} -->`, a JSON object that says where the block runs and what it needs:

- `skip`: why the block is not run here (it talks to a forge, or installs another package);
- `in`: the folder of the sandbox the block runs in (`checkout` is a copy of this toolkit);
- `setup`: commands run first in the sandbox, playing what the README leaves to the reader's
  world (a remote to push to, an approver's clone, a tag);
- `input`: the answers typed at the prompts, `{today}` and `{in_four_weeks}` filled in.

Lines run one at a time (`cd` carries over within a block); each must exit 0 unless its own
comment says `exit N`. A record id of the README's form (`GIF-2026-K3F9Q2`) stands for the
newest record of that prefix declared so far.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MARKER = re.compile(r"<!-- readme-test (\{.*?\}) -->\n```sh\n(.*?)\n```", re.S)
PLACEHOLDER = re.compile(r"\b([A-Z]{3})-2026-K3F9Q2\b")
SANDBOX_LIMIT_S = 300


@dataclass
class Block:
    marker: dict
    text: str
    heading: str
    lines: list[str] = field(default_factory=list)


def blocks() -> list[Block]:
    found = []
    for match in MARKER.finditer(README):
        headings = re.findall(r"^#{1,4} (.*)$", README[:match.start()], flags=re.M)
        block = Block(json.loads(match.group(1)), match.group(2), headings[-1] if headings else "")
        block.lines = commands(block.text)
        found.append(block)
    return found


def commands(text: str) -> list[str]:
    """Shell lines: continuations joined, comment-only lines dropped."""
    lines, current = [], ""
    for raw in text.splitlines():
        current += raw.rstrip("\\") if raw.endswith("\\") else raw
        if raw.endswith("\\"):
            continue
        if current.strip() and not current.strip().startswith("#"):
            lines.append(current)
        current = ""
    return lines


def test_every_shell_block_of_the_readme_is_run_or_says_why_not():
    every = re.findall(r"^```sh$", README, flags=re.M)
    marked = blocks()
    assert len(marked) == len(every), "a ```sh block has no <!-- readme-test {...} --> marker"
    for block in marked:
        assert set(block.marker) <= {"skip", "in", "setup", "input"}, block.marker
        assert "skip" not in block.marker or block.marker["skip"].strip()
    assert blocks()[0].marker == {"in": "checkout"} and "coc demo" in blocks()[0].text


def expected_exit(line: str) -> int:
    comment = line.split("#", 1)[1] if "#" in line else ""
    found = re.search(r"\bexits? (\d)\b(?! when)", comment)   # "exit 1 when ..." is a condition
    return int(found.group(1)) if found else 0


class Sandbox:
    """A temporary folder where the README's commands run, with the coc its "Try it" made."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "COC_REGISTER", "VIRTUAL_ENV"):
            self.env.pop(name, None)
        today = date.today()
        self.fill = {"{today}": today.isoformat(),
                     "{in_four_weeks}": (today + timedelta(weeks=4)).isoformat()}

    def use_checkout_venv(self) -> None:
        venv = self.root / "checkout" / ".venv" / "bin"
        self.env["PATH"] = f"{venv}{os.pathsep}{self.env['PATH']}"

    def newest_ids(self) -> dict[str, str]:
        """Prefix -> the newest record id in any repository of the sandbox (all branches)."""
        newest: dict[str, tuple[int, str]] = {}
        for git_dir in self.root.glob("*/.git"):
            out = subprocess.run(["git", "log", "--all", "--format=%ct", "--name-only",
                                  "--diff-filter=A", "--", "registers/"], cwd=git_dir.parent,
                                 capture_output=True, text=True, env=self.env).stdout
            stamp = 0
            for line in out.splitlines():
                if line.isdigit():
                    stamp = int(line)
                    continue
                found = re.search(r"([A-Z]{3})-\d{4}-[A-Z2-7]+(?=\.yaml$)", line)
                if found and stamp >= newest.get(found.group(1), (-1, ""))[0]:
                    newest[found.group(1)] = (stamp, found.group(0))
        return {prefix: record_id for prefix, (_, record_id) in newest.items()}

    def run(self, line: str, cwd: Path, stdin: str | None) -> subprocess.CompletedProcess[str]:
        ids = self.newest_ids() if PLACEHOLDER.search(line) else {}
        line = PLACEHOLDER.sub(lambda m: ids.get(m.group(1), m.group(0)), line)
        return subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=cwd, env=self.env,
                              input=stdin, capture_output=True, text=True,
                              timeout=SANDBOX_LIMIT_S)


def copy_checkout(target: Path) -> None:
    """This toolkit as a newcomer's clone has it: the files git tracks or would track."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_the_readme_runs_as_written_on_todays_date(tmp_path):
    sandbox = Sandbox(tmp_path)
    (tmp_path / "checkout").mkdir()
    copy_checkout(tmp_path / "checkout")
    for number, block in enumerate(blocks()):
        if "skip" in block.marker:
            continue
        for command in block.marker.get("setup", []):
            done = sandbox.run(command, tmp_path, None)
            assert done.returncode == 0, f"setup {command!r}: {done.stderr}"
        cwd = tmp_path / block.marker.get("in", ".")
        answers = [sandbox.fill.get(a, a) for a in block.marker.get("input", [])]
        stdin = "\n".join(answers) + "\n" if answers else ""
        for line in block.lines:
            if line.startswith("cd "):
                cwd = (cwd / line.split("#")[0].split(None, 1)[1].strip()).resolve()
                continue
            done = sandbox.run(line, cwd, stdin)
            where = f"README block {number} (under '{block.heading}'): {line}"
            assert done.returncode == expected_exit(line), \
                f"{where}\nexit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            assert "Traceback" not in done.stderr, where
        if block.marker.get("in") == "checkout":
            sandbox.use_checkout_venv()


@pytest.mark.parametrize("policy", ["luton", "milton-keynes"])
def test_coc_demo_passes_on_todays_date(policy, tmp_path):
    """The README's first command, for both policies, on the real clock, twice in a row."""
    exe = Path(sys.executable).parent / "coc"
    command = [str(exe)] if exe.exists() else [sys.executable, "-c",
                                               "from coc.cli.main import main; main()"]
    target = tmp_path / "demo"
    first = subprocess.run([*command, "demo", str(target), "--policy", policy],
                           capture_output=True, text=True, timeout=SANDBOX_LIMIT_S)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert f"Demo register: {target}" in first.stdout
    again = subprocess.run([*command, "demo", str(target), "--policy", policy],
                           capture_output=True, text=True, timeout=SANDBOX_LIMIT_S)
    assert again.returncode == 1 and again.stderr.startswith("coc: error: ")
    assert "--force" in again.stderr
    forced = subprocess.run([*command, "demo", str(target), "--policy", policy, "--force"],
                            capture_output=True, text=True, timeout=SANDBOX_LIMIT_S)
    assert forced.returncode == 0, forced.stderr[-3000:]


def test_demo_force_never_deletes_a_folder_that_is_not_a_demo(tmp_path):
    exe = Path(sys.executable).parent / "coc"
    keep = tmp_path / "precious"
    keep.mkdir()
    (keep / "notes.txt").write_text("keep me")
    result = subprocess.run([str(exe), "demo", str(keep), "--force"], capture_output=True,
                            text=True, timeout=SANDBOX_LIMIT_S)
    assert result.returncode == 1 and "not an earlier coc demo" in result.stderr
    assert (keep / "notes.txt").read_text() == "keep me"


def test_this_module_runs_on_the_real_clock():
    """Nothing here may freeze time: the README must pass on the day it is run."""
    assert type(date.today()) is date
    assert abs(date.today() - date.fromtimestamp(__import__("time").time())).days == 0
