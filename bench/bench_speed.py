"""Issue 11: every reading command on a whole register, each beside its floor in the same run.

Run: python bench/bench_speed.py [--records 10000 100000] [--runs 5] [--commits 20000 100000]
     python bench/bench_speed.py --records --history DIR...   (`coc log` on registers built before)

For each register size it builds a register of approved gifts (bench/common.py), then times,
as real processes, each command warm (the index of parsed records, .git/coc/index.sqlite,
already built) and cold (the index deleted first), beside its floor measured in the same run:

  read      a bare Python that reads every record file's bytes
  parse     a bare Python that parses every record file with libyaml (PyYAML CSafeLoader)
  python    a bare interpreter start (for --help, --version, show)
  git log   `git log -- PATH` of one record (for `coc log ID`), on a history of --commits,
            without and then with a commit-graph with Bloom filters
  create    a bare Python creating as many files as `coc import` writes, then one sync

`coc import` of 10,000 rows is timed into a register that already holds the records (the
register's own pre-commit hook installed, so it runs on the import commit, as it must), and
then again with the same file, when every row is a duplicate and nothing is added.

The toolkit's bytecode is compiled first (`python -m compileall`, what installing a wheel
does): a shell with PYTHONDONTWRITEBYTECODE=1 and an editable install would otherwise compile
every module of coc on every run (~0.1 s a command, measured here).

"warm" answers may come from the answers the index keeps (nothing changed since the last
run); "one changed" edits one record (not committed) before each run, so the answer is
worked out again from the index of parsed records plus that one file; "cold" deletes the
index first.

Each line: median wall time, min-max, median CPU (user+sys of the process and its workers),
peak memory of the largest process, and the ratio of the median to the floor named.
`uptime` is printed first and last: the machine's load while it ran. Nothing here asserts.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).parent))
from common import build_register, coc_command  # noqa: E402

READ = """
import os, sys
total = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), 'rb') as handle:
            total += len(handle.read())
"""
PARSE = """
import os, sys, yaml
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), 'rb') as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
"""


CREATE = """
import os, sys
folder, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(folder)
for n in range(count):
    fd = os.open(os.path.join(folder, f"{n}.yaml"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, b"x" * size)
    os.close(fd)
os.sync()
"""
IMPORT_ROWS = 10_000   # the most one import takes (registers/importing.MAX_ROWS)
# what one imported row's record file holds, about (for the floor's file sizes)
GIFT_TEXT = "x" * 365


class Timing:
    def __init__(self, walls: list[float], cpus: list[float], memory: float, code: int) -> None:
        self.walls, self.cpus, self.memory, self.code = walls, cpus, memory, code

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def measure(args: list[str], cwd: Path | None = None, runs: int = 5,
            before: Callable[[], object] | None = None, env: dict[str, str] | None = None
            ) -> Timing:
    """Wall and CPU time (the process and every child it waited for) and peak memory."""
    walls, cpus, memory, code = [], [], 0.0, 0
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        # /usr/bin/time reports the command's own peak memory (wait4's would count the copy
        # of this process that forked it); its own CPU is negligible
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", *args], cwd=cwd,
                                env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["0"]
        memory = max(memory, int(last[0]) / 1024 if last[0].isdigit() else 0.0)
        code = os.waitstatus_to_exitcode(status)
    return Timing(walls, cpus, memory, code)


def report(name: str, timing: Timing, floor: Timing | None = None, floor_name: str = "",
           budget: str = "") -> None:
    ratio = f"{timing.median / floor.median:5.1f}x {floor_name:<7}" if floor else " " * 14
    print(f"  {name:<34} {timing.median:7.3f} s  [{min(timing.walls):.3f}-{max(timing.walls):.3f}]"
          f"  cpu {timing.cpu:6.2f} s  {timing.memory:6.0f} MB  {ratio} {budget}"
          f"{'' if timing.code in (0, 1) else f'  (exit {timing.code})'}", flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def import_rows(path: Path, count: int) -> None:
    lines = ["declarant,declared_on,received_on,donor,description,value_gbp,outcome"]
    for n in range(count):
        day = f"2026-{1 + n % 9:02d}-{10 + n % 18:02d}"
        lines.append(f"jsmith,{day},{day},Donor {n},Pen number {n},{1 + n % 20}.50,kept")
    path.write_text("\n".join(lines) + "\n")


def bench_size(records: int, runs: int, work: Path, only_import: bool = False) -> None:
    coc = coc_command()
    root = work / f"register-{records}"
    start = time.perf_counter()
    build_register(root, records)
    subprocess.run(["git", "config", "user.email", "harper.reed@example.gov.uk"], cwd=root,
                   check=True)
    print(f"\n{records} records (built in {time.perf_counter() - start:.0f} s); {uptime()}")
    index = root / ".git" / "coc"
    cold = lambda: shutil.rmtree(index, ignore_errors=True)   # noqa: E731
    python = [sys.executable, "-c", "pass"]
    floors = {"read": measure([sys.executable, "-c", READ, str(root / "registers")], runs=runs),
              "parse": measure([sys.executable, "-c", PARSE, str(root / "registers")],
                               runs=runs),
              "python": measure(python, runs=runs)}
    report("floor: read every file's bytes", floors["read"])
    report("floor: parse every file (libyaml)", floors["parse"])
    report("floor: bare python start", floors["python"])
    if only_import:
        measure([*coc, "list"], cwd=root, runs=1)   # builds the index, as the others do
        bench_import(root, records, runs, work)
        return
    warm_budget = "(budget 0.5 s)" if records <= 10_000 else ""
    some_file = next((root / "registers").glob("*/gift/*/*.yaml"))
    original = some_file.read_bytes()
    edits = iter(range(1_000_000))

    def one_changed() -> None:
        some_file.write_bytes(original.replace(b"Acme Lifts Ltd", b"Acme Lifts %d" % next(edits)))

    for command in (["list"], ["list", "--json"], ["overdue"],
                    ["register", "--format", "csv", "--kind", "gift"],
                    ["register", "--format", "html"]):
        name = " ".join(command)
        measure([*coc, *command], cwd=root, runs=1)   # builds the index
        report(f"{name} (warm)", measure([*coc, *command], cwd=root, runs=runs),
               floors["parse"], "parse", warm_budget)
        report(f"{name} (one changed)", measure([*coc, *command], cwd=root, runs=runs,
                                                before=one_changed), floors["parse"], "parse")
        some_file.write_bytes(original)
        subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root)   # as git status
        report(f"{name} (cold)", measure([*coc, *command], cwd=root, runs=max(1, runs // 2),
                                         before=cold), floors["parse"], "parse")
    timing = measure([*coc, "validate", "--all"], cwd=root, runs=runs, before=cold)
    report("validate --all (cold)", timing, floors["parse"], "parse",
           "(budget 2 s)" if records <= 10_000 else "")
    print(f"    wall/CPU on {os.cpu_count()} cores: {timing.median / timing.cpu:.2f} "
          f"(CPU {timing.cpu / floors['parse'].cpu:.1f}x the parse floor's)")
    report("validate --all (warm)", measure([*coc, "validate", "--all"], cwd=root, runs=runs),
           floors["read"], "read", "(budget 0.3 s)" if records <= 10_000 else "")
    report("--help", measure([*coc, "--help"], runs=runs), floors["python"], "python",
           "(budget 150 ms)")
    report("--version", measure([*coc, "--version"], runs=runs), floors["python"], "python",
           "(budget 150 ms)")
    some = next((root / "registers").glob("*/gift/*/*.yaml")).stem
    report("show ID", measure([*coc, "show", some], cwd=root, runs=runs), floors["python"],
           "python", "(budget 200 ms)")
    bench_import(root, records, runs, work)


def bench_import(root: Path, records: int, runs: int, work: Path) -> None:
    """`coc import` of IMPORT_ROWS rows into `root`, beside creating as many files, then the
    same file again (nothing added)."""
    coc = coc_command()
    rows = work / "rows.csv"
    import_rows(rows, IMPORT_ROWS)
    made = work / "created"
    sizes = str(len(GIFT_TEXT))
    create = measure([sys.executable, "-c", CREATE, str(made), str(IMPORT_ROWS), sizes],
                     runs=runs, before=lambda: shutil.rmtree(made, ignore_errors=True))
    shutil.rmtree(made, ignore_errors=True)
    report(f"floor: create {IMPORT_ROWS:,} files", create)
    hook = root / ".git" / "hooks" / "pre-commit"
    print("    the register's pre-commit hook is " + ("installed: it runs on the import commit"
                                                  if hook.is_file() else "MISSING"))

    def undo_import() -> None:
        head = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, capture_output=True,
                              text=True).stdout
        if head.startswith("import("):
            subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=root, check=True)

    timing = measure([*coc, "import", str(rows), "--kind", "gift"], cwd=root, runs=runs,
                     before=undo_import)
    report(f"import {IMPORT_ROWS:,} rows", timing, create, "create")
    print(f"    {IMPORT_ROWS / timing.median:.0f} rows/s [{IMPORT_ROWS / max(timing.walls):.0f}-"
          f"{IMPORT_ROWS / min(timing.walls):.0f}] (budget 1,000 rows/s); CPU "
          f"{IMPORT_ROWS / timing.cpu:.0f} rows/s")
    undo_import()
    again = measure([*coc, "import", str(rows), "--kind", "gift"], cwd=root, runs=1)
    timing = measure([*coc, "import", str(rows), "--kind", "gift"], cwd=root, runs=runs)
    report(f"import the same {IMPORT_ROWS:,} again", timing)
    print(f"    adds nothing (exit {timing.code}, every row a duplicate; {again.code} the first "
          "time)")
    undo_import()


def bench_log(commits: int, runs: int, work: Path, root: Path | None = None) -> None:
    """`coc log ID` of the last record beside `git log -- PATH` of that record's file, then the
    same again once a commit-graph with Bloom filters (--changed-paths) is written."""
    from bench_audit import generate_history

    coc = coc_command()
    if root is None:
        root = work / f"history-{commits}"
        start = time.perf_counter()
        generate_history(root, commits)
        print(f"\nhistory of {commits} commits (built in {time.perf_counter() - start:.0f} s); "
              f"{uptime()}")
    else:
        print(f"\nhistory of {commits} commits ({root}); {uptime()}")
    record = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, capture_output=True,
                            text=True, check=True).stdout.split()[1]
    path = next((root / "registers").glob(f"*/*/*/{record}.yaml")).relative_to(root).as_posix()
    graph = root / ".git" / "objects" / "info" / "commit-graph"
    graph.unlink(missing_ok=True)
    whole = measure(["git", "log", "--name-status", "--format=%H %an %s"], cwd=root, runs=runs)
    report("floor: git log --name-status", whole)
    for label in ("no commit-graph", "commit-graph with Bloom filters"):
        if label.startswith("commit-graph"):
            subprocess.run(["git", "commit-graph", "write", "--reachable", "--changed-paths"],
                           cwd=root, check=True, capture_output=True)
        print(f"  {label}; {uptime()}")
        one = measure(["git", "log", "--format=%H %an %s", "--", path], cwd=root, runs=runs)
        log = measure([*coc, "log", record], cwd=root, runs=runs)
        report("floor: git log -- PATH", one)
        report("coc log ID", log, one, "log PATH", "(budget 2x)")
        print(f"    CPU {log.cpu / one.cpu:.1f}x the floor's")
    graph.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--commits", type=int, nargs="*", default=[20_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only-import", action="store_true",
                        help="time only `coc import` at each --records (skips --commits)")
    parser.add_argument("--history", type=Path, nargs="*", default=[],
                        help="time `coc log` on these registers (built by bench_audit.py) "
                             "instead of building a history of each --commits")
    args = parser.parse_args()
    print(f"start: {uptime()}; {os.cpu_count()} cores")
    import coc.cli

    package = Path(coc.cli.__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    *(str(package / folder) for folder in ("cli", "registers", "policies"))],
                   check=True, stdout=subprocess.DEVNULL)
    work = Path(tempfile.mkdtemp(prefix="coc-bench-speed-"))
    try:
        for records in args.records:
            bench_size(records, args.runs, work, args.only_import)
            shutil.rmtree(work / f"register-{records}", ignore_errors=True)
        for root in [] if args.only_import else args.history:
            bench_log(int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root,
                                         capture_output=True, text=True).stdout), args.runs,
                      work, root.resolve())
        for commits in [] if args.only_import or args.history else args.commits:
            bench_log(commits, args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nend: {uptime()}")


if __name__ == "__main__":
    main()
