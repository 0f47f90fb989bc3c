"""Benchmark for SPEC §7: `coc audit` against the plain `git log --name-status` of the same history.

Builds a register whose history has N commits (default 20,000) in a second or two with
`git fast-import`: half declarations, half decisions, each authored by the right person, so
the history is clean and `coc audit` must read all of it and report nothing.

Run: python bench/bench_audit.py [--commits 20000] [--runs 5] [--keep DIR]
Prints one line per measurement (audit cold, without .git/coc/audit.json, and warm), each
as the median of its ratios to the plain log timed just before it (wall, and cpu time of
the processes), and the load average; nothing here asserts.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from coc.cli.init import init_register
from coc.registers.store import new_id
from common import coc_command, time_command

# declarant -> (department, their line manager); emails as in the example people.yaml
STAFF = {"jsmith": ("housing", "mjones"), "pbrown": ("housing", "mjones"),
         "agreen": ("housing", "mjones"), "kpatel": ("childrens-services", "ddavies")}
NAMES = {"jsmith": ("Jane Smith", "jane.smith"), "pbrown": ("Pat Brown", "pat.brown"),
         "agreen": ("Alex Green", "alex.green"), "kpatel": ("Kiran Patel", "kiran.patel"),
         "mjones": ("Max Jones", "max.jones"), "ddavies": ("Dana Davies", "dana.davies")}

RECORD = """\
id: {id}
kind: gift
declarant: {who}
recorded_by: {who}
declared_on: {day}
details:
  received_on: {day}
  donor: Ann Other {n}
  donor_organisation: Acme Lifts Ltd
  donor_is_supplier: true
  description: >-
    A box of chocolates given after a site visit to the lift refurbishment at Block {n};
    shared with the team in the office the following morning.
  value_gbp: "{n2}.50"
  outcome: shared-with-team
decisions: []
amendments: []
"""
DECISION = """\
decisions:
  - decision: approved
    by: {by}
    at: {at}
    as: line manager
    details_version: 0
amendments: []
"""


def _commit(out: list[bytes], who: str, when: datetime, message: str, path: str,
            text: str) -> None:
    name, local = NAMES[who]
    stamp = f"{int(when.timestamp())} +0000"
    body = text.encode()
    msg = message.encode()
    out.append(b"commit refs/heads/main\n")
    out.append(f"author {name} <{local}@example.gov.uk> {stamp}\n".encode())
    out.append(f"committer {name} <{local}@example.gov.uk> {stamp}\n".encode())
    out.append(b"data %d\n%s\n" % (len(msg), msg))
    out.append(f"M 100644 inline {path}\n".encode())
    out.append(b"data %d\n%s\n" % (len(body), body))


@contextmanager
def _dated(when: str) -> Iterator[None]:
    """Commits made inside carry this date (author and committer)."""
    saved = {k: os.environ.get(k) for k in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")}
    os.environ.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    try:
        yield
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def generate_history(root: Path, commits: int) -> Path:
    """A register (milton-keynes, example people) plus `commits` clean commits: declare, then approve."""
    # ending an hour ago, after the register's first commit (audit holds dates to both)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=150 * commits + 60)
    founded = (start - timedelta(days=1)).isoformat()
    with _dated(founded):
        init_register(root, "milton-keynes")
    out: list[bytes] = [b"reset refs/heads/main\nfrom refs/heads/main^0\n\n"]
    staff = list(STAFF)
    pending: list[tuple[str, str, str, datetime]] = []
    for n in range(commits):
        when = start + timedelta(minutes=150 * n)  # 20,000 commits span ~6 years, up to now
        if n % 2 == 0:
            who = staff[(n // 2) % len(staff)]
            record_id = new_id("GIF", when.year)
            path = f"registers/{STAFF[who][0]}/gift/{when.year}/{record_id}.yaml"
            text = RECORD.format(id=record_id, who=who, day=when.date(), n=n, n2=n % 20 + 1)
            _commit(out, who, when, f"declare(gift): {record_id} by {who}", path, text)
            pending.append((record_id, who, text, when))
        else:
            record_id, who, text, _ = pending.pop(0)
            path = f"registers/{STAFF[who][0]}/gift/{record_id[4:8]}/{record_id}.yaml"
            manager = STAFF[who][1]
            approved = text.replace("decisions: []\namendments: []\n", DECISION.format(
                by=manager, at=when.isoformat()))
            _commit(out, manager, when, f"approve(gift): {record_id} by {manager}", path, approved)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(out), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)
    return root


def _timed(args: list[str], cwd: Path, codes: dict[str, int] | None = None,
           name: str = "") -> tuple[float, float]:
    """(wall seconds, cpu seconds of the command and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if codes is not None:
        codes[name] = code
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _last_record(root: Path) -> str:
    return subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, capture_output=True,
                          text=True, check=True).stdout.split()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build the history here and keep it.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="coc-bench-audit-"))
    root = args.keep or work / "register"
    try:
        if not (root / ".git").exists():
            start = time.perf_counter()
            generate_history(root, args.commits)
            print(f"generated {args.commits} commits with git fast-import  "
                  f"{time.perf_counter() - start:6.2f} s")
        coc = coc_command()
        cache = root / ".git" / "coc" / "audit.json"
        print(f"load before: {os.getloadavg()[0]:.2f}")
        plain_log = ["git", "log", "--name-status", "--format=%H %an %s"]
        # interleaved, so that the machine's load (shared cores) falls alike on each ratio
        rows: dict[str, list[tuple[float, float]]] = {"plain": [], "cold": [], "warm": []}
        codes = {}
        for _ in range(args.runs):
            rows["plain"].append(_timed(plain_log, root))
            cache.unlink(missing_ok=True)
            rows["cold"].append(_timed([*coc, "audit"], root, codes, "cold"))
            rows["warm"].append(_timed([*coc, "audit"], root, codes, "warm"))
        wall, cpu = (statistics.median(t for t, _ in rows["plain"]),
                     statistics.median(c for _, c in rows["plain"]))
        print(f"git log --name-status, {args.commits} commits  {wall:6.2f} s  (cpu {cpu:.2f} s)")
        for name, label in (("cold", "cold (no cache)            "),
                            ("warm", "warm (.git/coc/audit.json) ")):
            ratios = [t / p for (t, _), (p, _) in zip(rows[name], rows["plain"])]
            cpu_ratios = [c / q for (_, c), (_, q) in zip(rows[name], rows["plain"])]
            took = statistics.median(t for t, _ in rows[name])
            print(f"coc audit, {label}{took:6.2f} s   ({statistics.median(ratios):.1f}x, "
                  f"cpu {statistics.median(cpu_ratios):.1f}x; budget 2x; exit {codes[name]})")
        took, code = time_command([*coc, "log", _last_record(root)], cwd=root, runs=args.runs)
        print(f"coc log ID                              {took:6.2f} s   "
              f"({took / wall:.1f}x the whole log; exit {code})")
        print(f"load after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
