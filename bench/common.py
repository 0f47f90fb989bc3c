"""Shared by the benchmarks: build a register with N generated records quickly, time commands."""
from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from coc.cli.init import init_register
from coc.registers.store import new_id

PEOPLE = ["jsmith", "pbrown", "agreen", "mjones", "kpatel"]
DEPARTMENTS = {"jsmith": "housing", "pbrown": "housing", "agreen": "housing",
               "mjones": "housing", "kpatel": "childrens-services"}
GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.gov.uk",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.gov.uk"}

GIFT = """\
# Generated for benchmarking; shaped like a real declaration (~1.5 KB with its comments).
id: {id}
kind: gift
declarant: {who}
recorded_by: {who}
declared_on: {year}-{month:02d}-{day:02d}
details:
  received_on: {year}-{month:02d}-{day:02d}
  donor: Ann Other {n}
  donor_organisation: Acme Lifts Ltd
  donor_is_supplier: true
  description: >-
    A box of chocolates given after a site visit to the lift refurbishment at Block {n};
    shared with the team in the office the following morning and noted in the team meeting.
  value_gbp: "{pounds}.{pence:02d}"
  outcome: shared-with-team
  reason: Shared with colleagues as the code suggests for small perishable gifts.
decisions:
  - decision: approved
    by: mjones
    at: {year}-{month:02d}-{day:02d}T10:15:00+00:00
    as: line manager
    details_version: 0
    conditions: Share with the team; do not accept further gifts from this supplier this year.
  - decision: conditions-accepted
    by: {who}
    at: {year}-{month:02d}-{day:02d}T11:00:00+00:00
    details_version: 0
amendments: []
"""


def build_register(root: Path, count: int, policy: str = "luton", commit: bool = True) -> Path:
    """A register with `count` approved gift records, committed in one commit."""
    if not (root / "coc.yaml").exists():
        init_register(root, policy)
    rng = random.Random(count)
    for n in range(count):
        who = PEOPLE[n % 4 if n % 4 != 3 else 0]
        year = 2020 + n % 7
        record_id = new_id("GIF", year)
        folder = root / "registers" / DEPARTMENTS[who] / "gift" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{record_id}.yaml").write_text(GIFT.format(
            id=record_id, who=who, year=year, month=1 + n % 12, day=1 + n % 28, n=n,
            pounds=rng.randint(1, 24), pence=rng.randint(0, 99)))
    if commit:
        env = {**os.environ, **GIT_ENV}
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
        subprocess.run(["git", "commit", "-q", "--no-verify", "-m", f"{count} records"], cwd=root,
                       check=True, env=env)
    return root


def coc_command() -> list[str]:
    exe = Path(sys.executable).parent / "coc"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "coc.cli.main"]


def time_command(args: list[str], cwd: Path | None = None, runs: int = 5,
                 env: dict[str, str] | None = None, before: object = None) -> tuple[float, int]:
    """Median wall time of a command in seconds over `runs`, and its last exit code."""
    times, code = [], 0
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        code = subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def peak_memory_mb(args: list[str], cwd: Path | None = None) -> float:
    """Peak resident memory of one run of a command (its largest process), in MB."""
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024
