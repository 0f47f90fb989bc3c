"""Progress of long work on a terminal (issue 10): `audit`, `import`, `validate --all`,
`register`.

The real `coc` runs in a subprocess with its stdin, stdout and stderr on a pseudo-terminal, as
a person at a terminal runs it, and again with them on pipes, as a script or CI does. On the
terminal the progress line appears and is wiped; everything else the command prints is
byte for byte what it prints to a pipe. In a pipe, with `--quiet`/`-q`, with `CI` set and on
a `TERM=dumb` terminal there is none. The records hold terminal escapes, and the import file's
name does too: none of them reaches the terminal raw, in the progress line or elsewhere.
"""
from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from coc.registers.history import History

from conftest import EXAMPLE_EMAILS, git
from test_hostile_corpus import RAW

# "\r<text>\x1b[K": the progress line drawn; "\r\x1b[K": wiped. Its text can hold no escape.
LINE = re.compile(rb"\r([^\r\n\x1b]*)\x1b\[K")
SHOWN = re.compile(r"^(coc [a-z]+: [^:]+): ([\d,]+) of ([\d,]+)$")
EVIL = "\x1b]0;owned\x07\x1b[2J\u202e"   # retitle the window, clear the screen, flip the text
RECORD = """\
id: {id}
kind: gift
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-11-21
details:
  received_on: 2026-11-20
  donor: "{donor}"
  description: Box of chocolates
  value_gbp: "12.50"
  outcome: shared-with-team
decisions: []
amendments: []
"""
EXE = Path(sys.executable).parent / "coc"
COMMAND = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "coc.cli.main"]


def environment(**extra: str) -> dict[str, str]:
    """As jsmith, outside CI (CI services set CI=true, and this test must pass there too)."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["jsmith"], "TERM": "xterm", **extra})
    return env


def on_terminal(root: Path, *args: str, **env: str) -> tuple[int, bytes]:
    """Run coc with stdin, stdout and stderr on one pseudo-terminal; (exit code, all it wrote)."""
    leader, follower = os.openpty()
    process = subprocess.Popen([*COMMAND, *args], cwd=root, env=environment(**env),
                               stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 120)
            assert ready, f"coc {args} wrote nothing for two minutes: {out[-500:]!r}"
            try:
                data = os.read(leader, 65536)
            except OSError:   # EIO: every copy of the follower is closed
                break
            if not data:
                break
            out += data
    finally:
        os.close(leader)
        code = process.wait()
    return code, out


def piped(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*COMMAND, *args], cwd=root, env=environment(**env),
                          stdin=subprocess.DEVNULL, capture_output=True)


def progress_of(raw: bytes) -> tuple[list[str], bytes]:
    """The progress lines drawn (the wipes left out), and the rest of the output as a pipe
    would have it (the terminal's CRLF back to LF)."""
    drawn = [m.decode() for m in LINE.findall(raw) if m]
    return drawn, LINE.sub(b"", raw).replace(b"\r\n", b"\n")


@pytest.fixture
def register(make_register: Callable[..., Path]) -> Path:
    """A register of 30 gifts, one with terminal escapes in its donor, in three commits, and
    beside it a CSV of ten more to import, whose file name holds escapes too."""
    root = make_register("luton")
    folder = root / "registers/housing/gift/2026"
    folder.mkdir(parents=True)
    for n in range(30):
        record_id = f"GIF-2026-PRGA{chr(65 + n // 26)}{chr(65 + n % 26)}"   # base32
        donor = EVIL.encode("unicode_escape").decode() if n == 7 else f"Supplier {n}"
        (folder / f"{record_id}.yaml").write_text(RECORD.format(id=record_id, donor=donor))
        if n % 10 == 9:
            git(root, "add", "-A")
            git(root, "commit", "-qm", f"declare(gift): {n}", "--no-verify",
                email=EXAMPLE_EMAILS["jsmith"])
    rows = "".join(f"jsmith,2026-11-{10 + n},Donor {n},Pen {n},5,kept\n" for n in range(10))
    (root.parent / f"gifts{EVIL}.csv").write_text(
        "declarant,received_on,donor,description,value_gbp,outcome\n" + rows)
    return root


def command(root: Path, args: list[str]) -> list[str]:
    return [str(next(root.parent.glob("gifts*.csv"))) if a == "{source}" else a for a in args]


# (label, args): each long command, reading only, so that two runs print the same
READING = [
    ("coc validate: checking records", ["validate", "--all", "--no-cache"]),
    ("coc validate: checking records", ["validate", "--no-cache", "--format", "junit"]),
    ("coc audit: checking changes", ["audit", "--no-cache"]),
    ("coc register: reading records", ["register"]),
    ("coc register: reading records", ["register", "--kind", "gift", "--format", "csv"]),
    ("coc import: checking rows of gifts", ["import", "{source}", "--kind", "gift", "--dry-run"]),
    ("coc import: checking rows of gifts", ["import", "{source}", "--kind", "gift", "--dry-run",
                                            "--json"]),
]


@pytest.mark.parametrize("label, args", READING, ids=[" ".join(a) for _, a in READING])
def test_progress_on_a_terminal_and_the_output_otherwise_the_same(label: str, args: list[str],
                                                                   register: Path) -> None:
    args = command(register, args)
    code, raw = on_terminal(register, *args)
    plain = piped(register, *args)
    drawn, rest = progress_of(raw)
    assert drawn, f"no progress shown on the terminal: {raw[:500]!r}"
    assert all(SHOWN.match(text) and text.startswith(label) for text in drawn), drawn
    done, total = SHOWN.match(drawn[-1]).group(2, 3)   # type: ignore[union-attr]
    assert done == total and int(total) >= 10, drawn   # it ends at all of it
    assert raw.endswith(b"\r\x1b[K") or raw.index(b"\r\x1b[K") < raw.index(b"\n"), raw[:300]
    assert raw.count(b"\r\x1b[K") == 1   # wiped once, before the command's own output
    assert code == plain.returncode
    assert plain.stderr == b""   # no line, no escape in a pipe
    new_ids = re.compile(rb"GIF-2026-[A-Z2-7]{12}")   # a dry run's ids are made afresh each run
    assert new_ids.sub(b"ID", rest) == new_ids.sub(b"ID", plain.stdout)   # the same otherwise
    assert RAW.search(rest.decode()) is None   # nothing of the records raw on the terminal


def test_an_import_that_writes_shows_progress_and_what_it_did(register: Path) -> None:
    code, raw = on_terminal(register, *command(register, ["import", "{source}", "--kind", "gift"]))
    drawn, rest = progress_of(raw)
    assert code == 0 and drawn[-1].endswith(": 10 of 10"), raw
    assert re.fullmatch(r"Imported 10 gift record\(s\) from \S+ in commit [0-9a-f]{10}\.\n",
                        rest.decode()), rest
    assert RAW.search(rest.decode()) is None


@pytest.mark.parametrize("args", [
    ["validate", "--all", "--no-cache"], ["audit", "--no-cache"], ["register"],
    ["import", "{source}", "--kind", "gift", "--dry-run"]])
@pytest.mark.parametrize("how", ["--quiet", "-q", "CI=true", "CI=1", "TERM=dumb"])
def test_silent_on_a_terminal_with_quiet_in_ci_or_on_a_dumb_one(args: list[str], how: str,
                                                               register: Path) -> None:
    args = command(register, args)
    env = dict([how.split("=")]) if "=" in how else {}
    flags = [] if env else [how]
    code, raw = on_terminal(register, *args, *flags, **env)
    plain = piped(register, *args)
    assert b"\x1b[K" not in raw and not LINE.search(raw), raw[:300]
    assert code == plain.returncode and raw.replace(b"\r\n", b"\n") == plain.stdout


def test_ci_false_is_not_ci(register: Path) -> None:
    """`CI=false` (how one turns it off) leaves the progress line on."""
    _, raw = on_terminal(register, "audit", "--no-cache", CI="false")
    assert progress_of(raw)[0]


def test_silent_when_only_stdout_is_a_terminal_and_stderr_a_file(register: Path,
                                                                  tmp_path: Path) -> None:
    """`coc validate --all 2> log` on a terminal: the log holds no progress."""
    leader, follower = os.openpty()
    with open(tmp_path / "log", "wb") as log:
        subprocess.run([*COMMAND, "validate", "--all", "--no-cache"], cwd=register,
                       env=environment(), stdin=follower, stdout=follower, stderr=log)
    os.close(follower)
    os.close(leader)
    assert (tmp_path / "log").read_bytes() == b""


def test_an_escape_in_the_file_name_is_spelled_out_in_the_progress_line(register: Path) -> None:
    _, raw = on_terminal(register, *command(register, ["import", "{source}", "--kind", "gift",
                                                       "--dry-run"]))
    drawn, _ = progress_of(raw)
    assert drawn and all(RAW.search(text) is None for text in drawn), drawn
    assert drawn[-1].startswith(r"coc import: checking rows of gifts\x1b]0;owned\x07\x1b[2J")


# The parallel paths (a large register, on more than one core), through the functions the
# CLI calls, with the threshold lowered so a small register takes them.

needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2 or sys.platform == "win32",
                                     reason="the parallel path needs two cores and fork")


@needs_two_cores
def test_parallel_validate_tells_progress_and_finds_the_same(
        register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coc.policies import validate as validating
    from coc.registers import bulk
    from coc.registers.store import Register

    reg = Register(register)
    alone = validating.validate(reg, use_cache=False)
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 2)
    told: list[tuple[int, int]] = []
    together = validating.validate(reg, use_cache=False,
                                   on_progress=lambda d, t: told.append((d, t)))
    assert together == alone and alone
    assert told == [(30, 30)]   # one chunk of 30, from the workers (alone, it would be 30 calls)


@needs_two_cores
def test_parallel_audit_tells_progress_and_finds_the_same(
        register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coc.policies import audit as auditing

    git(register, "mv", "registers/housing/gift/2026/GIF-2026-PRGAAD.yaml",
        "registers/housing/gift/2026/GIF-2026-PRGZZD.yaml")   # an anomaly to find
    git(register, "commit", "-qm", "moved", "--no-verify", email=EXAMPLE_EMAILS["jsmith"])
    alone = auditing.audit(History.read(register), use_cache=False)
    monkeypatch.setattr(auditing, "PARALLEL_FROM", 2)
    told: list[tuple[int, int]] = []
    together = auditing.audit(History.read(register), use_cache=False,
                              on_progress=lambda d, t: told.append((d, t)))
    assert together == alone and alone
    total = told[-1][1]
    assert told[-1] == (total, total) and total >= 31, told
    assert [d for d, _ in told] == sorted(d for d, _ in told), told


def test_parallel_map_tells_progress_chunk_by_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    from coc.registers import bulk

    monkeypatch.setattr(bulk, "PARALLEL_FROM", 2)
    told: list[tuple[int, int]] = []
    items = list(range(-500, 500))
    assert bulk.parallel_map(abs, items, on_progress=lambda d, t: told.append((d, t))) == \
        [abs(i) for i in items]
    assert told[-1] == (1000, 1000) and all(t == 1000 for _, t in told), told


@pytest.mark.parametrize("name", ["audit", "import", "validate", "register"])
def test_each_long_command_has_quiet(name: str) -> None:
    from click.testing import CliRunner

    from coc.cli.main import cli

    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "-q, --quiet" in result.output, result.output
