"""`coc demo` on other days than today (issue 10: "passes on any day of any year").

tests/test_readme.py runs the demo on the real clock, today. Here the clock of the whole demo,
coc and git alike, is set to days where date code goes wrong: Christmas Eve (deadlines across
the bank holidays), New Year's Day (received yesterday, last year), a leap day, Good Friday.
libfaketime does it from outside the process (LD_PRELOAD); freezegun, which patches Python
inside one process, cannot reach the demo's subprocesses.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

libfaketime = pytest.importorskip("libfaketime", reason="libfaketime is in the test extra")

# (day, policy): each policy on two of them, to keep the suite quick
DAYS = [("2026-12-24", "luton"), ("2028-01-01", "milton-keynes"), ("2028-02-29", "luton"),
        ("2029-03-30", "milton-keynes")]
EXE = Path(sys.executable).parent / "coc"


def on(day: str) -> dict[str, str]:
    """The environment that makes every process started with it believe it is `day`, 09:30."""
    _, preload = libfaketime.get_reload_information()
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_AUTHOR_EMAIL", "COC_REGISTER")}
    return {**env, **preload, "FAKETIME": f"@{day} 09:30:00"}


@pytest.mark.parametrize("day, policy", DAYS)
def test_coc_demo_passes_on_any_day(day: str, policy: str, tmp_path: Path) -> None:
    target = tmp_path / "demo"
    done = subprocess.run([str(EXE), "demo", str(target), "--policy", policy], env=on(day),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # the clock really was that day, for coc (the records) and for git (the commits)
    commit_day = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=target,
                                capture_output=True, text=True).stdout.strip()
    assert commit_day == day and f"declared_on: {day}" in done.stdout + "".join(
        p.read_text() for p in (target / "registers").rglob("*.yaml"))
