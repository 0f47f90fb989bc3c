"""Benchmarks for SPEC §7: `coc --help`/`--version` start-up and `coc validate --all` on 10,000 records.

Run: python bench/bench_cli.py [--records 10000] [--runs 5]
Prints one line per measurement with the budget beside it. Nothing here asserts; it reports.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import build_register, coc_command, peak_memory_mb, time_command  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    coc = coc_command()
    bare, _ = time_command([sys.executable, "-c", "pass"], runs=args.runs)
    print(f"python bare start-up            {bare * 1000:7.0f} ms")
    for flag in ("--help", "--version"):
        took, _ = time_command([*coc, flag], runs=args.runs)
        print(f"coc {flag:<28} {took * 1000:7.0f} ms   (budget 150 ms)")
    work = Path(tempfile.mkdtemp(prefix="coc-bench-"))
    try:
        root = build_register(work / "register", args.records)
        cache = root / ".git" / "coc"
        cold, code = time_command([*coc, "validate", "--all"], cwd=root, runs=args.runs,
                                  before=lambda: shutil.rmtree(cache, ignore_errors=True))
        print(f"validate --all, {args.records} records, cold  {cold:6.2f} s    (budget 2 s; exit {code})")
        warm, code = time_command([*coc, "validate", "--all"], cwd=root, runs=args.runs)
        print(f"validate --all, {args.records} records, cached {warm:6.2f} s    (budget 0.3 s; exit {code})")
        shutil.rmtree(cache, ignore_errors=True)
        memory = peak_memory_mb([*coc, "validate", "--all"], cwd=root)
        print(f"validate --all, {args.records} records, peak memory {memory:5.0f} MB (largest process)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
