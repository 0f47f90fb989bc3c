"""Faults a red team found (issue 9, items 13-15, 18-20): disk full, read-only registers, kill -9,
parallel commands, hostile export cells, import re-runs and odd end dates.

Each test first makes the fault happen for real (a full tmpfs, a read-only bind mount, a coc
process killed while its commit's hook sleeps, two coc processes at once) and then shows coc
leaving the register exactly as it was, or saying precisely what to run.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import GIFT_FLAGS


# 18: CSV cells a spreadsheet would still run as a formula ---------------------------------------

HIDDEN_FORMULAS = ["＝HYPERLINK(\"http://evil.example\",\"refund\")", "＋1+1", "－2+3", "＠SUM(A1)",
                   "\u200b=HYPERLINK(\"http://evil.example\")", "\u2060=1+1", "\ufeff=1+1",
                   "﹦1+1"]


def test_csv_neutralises_fullwidth_and_hidden_formula_starts(make_register, coc):
    """Before: `＝HYPERLINK(...)` and a zero-width space before `=` went out as they were."""
    root = make_register("luton")
    for donor in HIDDEN_FORMULAS:
        flags = list(GIFT_FLAGS)
        flags[flags.index("--donor") + 1] = donor
        result = coc(root, "declare", "gift", *flags)
        assert result.exit_code == 0, result.output
    result = coc(root, "register", "--kind", "gift", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    donors = sorted(row["Donor"] for row in rows)
    assert donors == sorted("'" + d for d in HIDDEN_FORMULAS)
    assert {row["Description"] for row in rows} == {"Box of chocolates"}   # plain text untouched
