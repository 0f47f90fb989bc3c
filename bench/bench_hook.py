"""Benchmark for SPEC §7: the pre-commit hook on one staged record, in registers of 100 and 50,000.

Run: python bench/bench_hook.py [--sizes 100 50000] [--runs 7]
Each register holds approved gifts plus one relationship per 100 records (the records a
decision is checked against). Three staged changes are timed, each as `coc hooks run` (what
both hooks call) with the committer's identity set as git sets it for hooks:
  new      a new declaration
  decision a decision added to a committed declaration (who may decide: reads relationships)
  cold     the same decision with the context cache (.git/coc/context.json) removed first
Prints medians with the budget beside them. Nothing here asserts; it reports.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import GIT_ENV, build_register, coc_command, time_command  # noqa: E402

from coc.registers.store import new_id  # noqa: E402

EMAILS = {"jsmith": "jane.smith@example.gov.uk", "mjones": "max.jones@example.gov.uk"}

RELATIONSHIP = """\
id: {id}
kind: relationship
declarant: pbrown
recorded_by: pbrown
declared_on: 2024-03-01
details:
  other_person: Someone Else {n}
  relationship: friend
  context: recruitment
decisions: []
amendments: []
"""

NEW_GIFT = """\
id: {id}
kind: gift
declarant: jsmith
recorded_by: jsmith
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

DECISION = """\
decisions:
  - decision: approved
    by: mjones
    at: 2026-11-04T10:00:00+00:00
    as: line manager
    details_version: 0
"""


def git(root: Path, *args: str, email: str | None = None) -> None:
    env = {**os.environ, **GIT_ENV}
    if email:
        env.update(GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_EMAIL=email)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def build(root: Path, count: int) -> tuple[Path, Path]:
    """The register, and (a new gift file, an undecided committed gift) to stage."""
    start = time.perf_counter()
    build_register(root, count, commit=False)
    folder = root / "registers" / "housing" / "relationship" / "2024"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(max(1, count // 100)):
        record_id = new_id("REL", 2024)
        (folder / f"{record_id}.yaml").write_text(RELATIONSHIP.format(id=record_id, n=n))
    pending_id = new_id("GIF", 2026)
    pending = root / "registers" / "housing" / "gift" / "2026" / f"{pending_id}.yaml"
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.write_text(NEW_GIFT.format(id=pending_id))
    git(root, "config", "gc.auto", "0")        # no background gc while timing; pack once here
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", f"{count} records")
    git(root, "gc", "-q")
    new_id_ = new_id("GIF", 2026)
    fresh = pending.with_name(f"{new_id_}.yaml")
    fresh.write_text(NEW_GIFT.format(id=new_id_))
    took = time.perf_counter() - start
    print(f"  built {count} records in {took:.1f} s")
    return fresh, pending


def measure(root: Path, fresh: Path, pending: Path, runs: int) -> dict[str, tuple[float, int]]:
    coc = [*coc_command(), "hooks", "run"]
    out = {}
    git(root, "add", "--", str(fresh))
    out["new"] = time_command(coc, cwd=root, runs=runs, env={
        "GIT_AUTHOR_EMAIL": EMAILS["jsmith"], "GIT_COMMITTER_EMAIL": EMAILS["jsmith"]})
    git(root, "reset", "-q", "--", str(fresh))
    pending.write_text(pending.read_text().replace("decisions: []\n", DECISION))
    git(root, "add", "--", str(pending))
    as_mjones = {"GIT_AUTHOR_EMAIL": EMAILS["mjones"], "GIT_COMMITTER_EMAIL": EMAILS["mjones"]}
    cache = root / ".git" / "coc" / "context.json"
    time_command(coc, cwd=root, runs=1, env=as_mjones)          # fill the context cache
    out["decision"] = time_command(coc, cwd=root, runs=runs, env=as_mjones)
    out["cold"] = time_command(coc, cwd=root, runs=max(3, runs // 2), env=as_mjones,
                               before=lambda: cache.unlink(missing_ok=True))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 50_000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    bare, _ = time_command([*coc_command(), "--version"], runs=args.runs)
    print(f"coc --version (start-up)                  {bare * 1000:6.0f} ms")
    work = Path(tempfile.mkdtemp(prefix="coc-bench-hook-"))
    try:
        for size in args.sizes:
            root = work / f"register-{size}"
            fresh, pending = build(root, size)
            results = measure(root, fresh, pending, args.runs)
            for label, (took, code) in results.items():
                print(f"hook, one staged record ({label:<8}), {size:>6} records "
                      f"{took * 1000:6.0f} ms   (budget 300 ms; exit {code})")
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
