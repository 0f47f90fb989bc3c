"""Integrity gaps left after issue 9's red-team pass (notes/audit9.md "noticed but not fixed"):
each attack done through the real CLI on a real git register, then shown found or refused.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result

from conftest import EXAMPLE_EMAILS, GIFT_FLAGS, git

Coc = Callable[..., Result]


def declare(coc: Coc, root: Path, user: str = "jsmith") -> tuple[str, str]:
    """A gift declared through the CLI: (id, path)."""
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--json", user=user)
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    return made["id"], made["path"]


# -- item 16: one id at two paths is said by every reading command --------------------------------

def test_every_reading_command_names_a_duplicate_id(make_register: Callable[..., Path],
                                                     coc: Coc) -> None:
    """A cross-department collision merges cleanly (or is committed past the hook): `list`,
    `register`, `overdue` and `inbox` each say so, naming both paths, and exit 1 as `validate`
    does; the output itself still shows what it shows (both copies are listed, none hidden)."""
    root = make_register("milton-keynes")
    record_id, rel = declare(coc, root)
    commands = [("list",), ("list", "--json"), ("register", "--format", "json"),
                ("register", "--format", "md"), ("overdue",), ("inbox", "--for", "mjones")]
    for args in commands:   # a clean register: all quiet, exit 0
        result = coc(root, *args)
        assert result.exit_code == 0 and not result.stderr, (args, result.output)
    copy = root / "registers/legal/gift" / rel.split("/")[3] / f"{record_id}.yaml"
    copy.parent.mkdir(parents=True)
    copy.write_bytes((root / rel).read_bytes())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a colliding id, past the hook", "--no-verify")
    for args in commands:
        result = coc(root, *args)
        assert result.exit_code == 1, (args, result.output)
        (line,) = [x for x in result.stderr.splitlines() if "exists twice" in x]
        assert record_id in line and rel in line and str(copy.relative_to(root)) in line, line
    listed = json.loads(coc(root, "list", "--json").stdout)
    assert sorted(r["path"] for r in listed) == sorted([rel, str(copy.relative_to(root))])
    assert coc(root, "show", record_id).exit_code == 1   # as before: refused, both named
