"""Benchmark for issue 12: `coc inbox` and `coc remind --out DIR` on 10,000 records, 2,000 people.

Run: python bench/bench_inbox.py [--records 10000] [--people 2000] [--runs 5]
The register (luton) has 2,000 people in 20 departments (director, service director, four
service managers, staff under each); of its records 85% are approved gifts, 10% outside work
waiting for a decision, 3% criminal-matter notices (some arrests, waiting to be
acknowledged), 2% outside work approved with conditions not yet accepted. Floors measured in
the same run: `coc --version` (start-up) and a Python process that reads the bytes of every
record file (what any reader must at least do). One warm-up run first builds the record index
(.git/coc/records.json), as the first command after a change does; the medians are of the
unchanged register. Also prints the CPU time (user + system) of one run, which a busy machine
inflates less than the wall time. Nothing here asserts; it reports.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import GIFT, GIT_ENV, coc_command, time_command  # noqa: E402

from coc.cli.init import init_register  # noqa: E402
from coc.registers.store import new_id  # noqa: E402

WORK = """\
id: {id}
kind: outside-work
declarant: {who}
recorded_by: {who}
declared_on: {day}
details:
  organisation: Evening classes {n}
  role: Tutor
  paid: true
  start_date: 2099-01-01
  hours_per_week: 3
  working_pattern: Tuesday evenings
decisions: []
amendments: []
"""
CONDITIONS = WORK.replace("decisions: []\n", """\
decisions:
  - decision: approved
    by: {manager}
    at: {day}T10:00:00+00:00
    as: line manager
    details_version: 0
    conditions: Not in working hours.
""")
NOTICE = """\
id: {id}
kind: criminal-matter
declarant: {who}
recorded_by: {who}
declared_on: {day}
details:
  event: {event}
  event_date: {day}
  subject: self
decisions: []
amendments: []
"""


def people_yaml(count: int) -> tuple[str, list[tuple[str, str, str]]]:
    """people.yaml text, and (id, department, manager) of everyone who is not at the top."""
    lines = ["people:"]

    def person(pid: str, dept: str, manager: str | None, roles: str = "[]") -> None:
        lines.extend([f"  - id: {pid}", f"    name: Person {pid.upper()}",
                      f"    email: {pid}@example.gov.uk", f"    department: {dept}",
                      "    grade: F", f"    roles: {roles}"]
                     + ([f"    manager: {manager}"] if manager else []))

    person("ceo", "corporate", None, "[chief-executive]")
    person("mo", "legal", "ceo", "[monitoring-officer]")
    person("hr1", "hr", "ceo", "[hr]")
    staff: list[tuple[str, str, str]] = []
    made, departments = 3, 20
    per_dept = (count - made) // departments
    for d in range(departments):
        dept = f"dept-{d:02d}"
        person(f"dir{d}", dept, "ceo", "[director]")
        person(f"sd{d}", dept, f"dir{d}", "[service-director]")
        managers = [f"sm{d}-{m}" for m in range(4)]
        for m in managers:
            person(m, dept, f"sd{d}", "[service-manager]")
        made += 6
        for n in range(per_dept - 6):
            manager = managers[n % 4]
            pid = f"e{d}-{n}"
            person(pid, dept, manager)
            staff.append((pid, dept, manager))
            made += 1
    return "\n".join(lines) + "\n", staff


def build(root: Path, records: int, people: int) -> None:
    work = root.parent / "people.yaml"
    text, staff = people_yaml(people)
    work.write_text(text)
    init_register(root, "luton", work)
    rng = random.Random(records)
    for n in range(records):
        who, dept, manager = staff[rng.randrange(len(staff))]
        share = n % 100
        year = 2026
        day = f"{year}-{1 + n % 11:02d}-{1 + n % 28:02d}"
        if share < 85:
            kind, prefix = "gift", "GIF"
            body = GIFT.format(id="{id}", who=who, year=year, month=1 + n % 11, day=1 + n % 28,
                               n=n, pounds=rng.randint(1, 24), pence=rng.randint(0, 99))
            body = body.replace("by: mjones", f"by: {manager}")
        elif share < 95:
            kind, prefix = "outside-work", "OUT"
            body = WORK.format(id="{id}", who=who, day=day, n=n)
        elif share < 98:
            kind, prefix = "criminal-matter", "CRM"
            body = NOTICE.format(id="{id}", who=who, day=day,
                                 event="arrest" if n % 2 else "caution")
        else:
            kind, prefix = "outside-work", "OUT"
            body = CONDITIONS.format(id="{id}", who=who, day=day, n=n, manager=manager)
        record_id = new_id(prefix, year)
        folder = root / "registers" / dept / kind / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{record_id}.yaml").write_text(body.replace("{id}", record_id))
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "--no-verify", "-m", f"{records} records"], cwd=root,
                   check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    coc = coc_command()
    work = Path(tempfile.mkdtemp(prefix="coc-bench-inbox-"))
    try:
        root = work / "register"
        build(root, args.records, args.people)
        as_manager = {"GIT_AUTHOR_EMAIL": "sm0-0@example.gov.uk"}
        start, _ = time_command([*coc, "--version"], runs=args.runs)
        read = [sys.executable, "-c", "import pathlib\nfor p in pathlib.Path('registers')"
                ".rglob('*.yaml'): p.read_bytes()"]
        listed, _ = time_command(read, cwd=root, runs=args.runs)
        print(f"floor: coc --version                        {start:6.2f} s")
        print(f"floor: read the bytes of {args.records} records     {listed:6.2f} s")
        subprocess.run([*coc, "inbox"], cwd=root, env={**os.environ, **as_manager},
                       stdout=subprocess.DEVNULL, check=True)   # builds the record index
        took, _ = time_command([*coc, "list", "--json"], cwd=root, runs=args.runs)
        print(f"coc list --json (same index)                {took:6.2f} s")
        for label, command, env in (
                ("coc inbox (a service manager)", [*coc, "inbox"], as_manager),
                ("coc inbox --json (a service manager)", [*coc, "inbox", "--json"], as_manager),
                ("coc remind --out DIR (everyone)", [*coc, "remind", "--out", str(work / "mail")],
                 None)):
            took, code = time_command(command, cwd=root, runs=args.runs, env=env,
                                      before=lambda: shutil.rmtree(work / "mail",
                                                                   ignore_errors=True))
            usage = os.wait4(subprocess.Popen(command, cwd=root, env={**os.environ, **(env or {})},
                                              stdout=subprocess.DEVNULL).pid, 0)[2]
            cpu = usage.ru_utime + usage.ru_stime
            print(f"{label:<44}{took:6.2f} s  (cpu {cpu:.2f} s; {took / start:.1f}x start-up, "
                  f"{took / listed:.1f}x reading the bytes; exit {code})"
                  + ("  (aim: under 1 s)" if "inbox" in label else ""))
        mails = len(list((work / "mail").glob("*.eml"))) if (work / "mail").is_dir() else 0
        print(f"digests written by coc remind --out: {mails}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
