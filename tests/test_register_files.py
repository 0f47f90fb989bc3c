"""`coc init`, and `coc.yaml` / `people.yaml` checked on every command (issue 2, SPEC §2b).

Each broken file is reported through the real CLI as one line naming file, line and field,
exit 1, and nothing is written.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import GIFT_FLAGS, git

PERSON = """\
  - id: {id}
    name: {name}
    email: {email}
    department: housing
    grade: F
    manager: {manager}
"""


def people_file(*entries: tuple[str, str, str, str]) -> str:
    return "people:\n" + "".join(
        PERSON.format(id=i, name=n, email=e, manager=m) for i, n, e, m in entries)


BOSS = ("boss", "Bo Boss", "bo.boss@example.gov.uk", "null")


def test_init_makes_a_committed_register_with_its_files(make_register):
    root = make_register("milton-keynes")
    for name in ("coc.yaml", "people.yaml", "README.md", ".pre-commit-config.yaml",
                 "registers/.gitkeep"):
        assert (root / name).is_file(), name
    assert "policy: milton-keynes" in (root / "coc.yaml").read_text()
    assert "EXAMPLE" in (root / "people.yaml").read_text().upper()
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "--format=%s").strip().startswith("init: milton-keynes register")


def test_init_with_a_people_file_uses_it(make_register, coc):
    root = make_register("luton", people=people_file(
        BOSS, ("ann", "Ann Lee", "ann.lee@example.gov.uk", "boss")))
    assert "ann.lee@example.gov.uk" in (root / "people.yaml").read_text()
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--json", user="ann.lee@example.gov.uk")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, message", [
    (["--policy", "camelot"], "unknown policy 'camelot'"),
])
def test_init_refuses_an_unknown_policy(tmp_path, coc, args, message):
    result = coc(tmp_path, "init", str(tmp_path / "new"), *args)
    assert result.exit_code == 1 and message in result.stderr
    assert not (tmp_path / "new").exists()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, coc):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    result = coc(tmp_path, "init", str(tmp_path / "full"), "--policy", "luton")
    assert result.exit_code == 1 and "not empty" in result.stderr
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]


def test_init_refuses_a_broken_people_file_and_writes_nothing(tmp_path, coc):
    bad = tmp_path / "people.yaml"
    bad.write_text(people_file(BOSS, ("ann", "Ann Lee", "ann.lee@example.gov.uk", "nobody")))
    result = coc(tmp_path, "init", str(tmp_path / "new"), "--policy", "luton", "--people",
                 str(bad))
    assert result.exit_code == 1 and "'nobody'" in result.stderr
    assert not (tmp_path / "new").exists()


CONFIG_CASES = {
    "unknown policy": ("policy: luton", "policy: camelot", r"coc\.yaml:\d+: policy: unknown "
                       r"policy 'camelot'"),
    "unknown parameter": ("parameters:", "parameters:\n  gift_limit: '50'",
                          r"coc\.yaml:\d+: parameters\.gift_limit: the luton policy has no "
                          r"parameter 'gift_limit'"),
    "parameter of the wrong type": ("parameters:", "parameters:\n  low_value_limit_gbp: 25.5",
                                    r"coc\.yaml:\d+: parameters\.low_value_limit_gbp: must be "
                                    r"an amount"),
    "unknown calendar": ("calendar: england-and-wales", "calendar: wales",
                         r"coc\.yaml:\d+: calendar: unknown calendar 'wales'"),
    "unknown key": ("policy: luton", "policy: luton\nplugin_path: ./evil.py",
                    r"coc\.yaml:\d+: plugin_path: unknown key"),
}


@pytest.mark.parametrize("old, new, message", CONFIG_CASES.values(), ids=CONFIG_CASES.keys())
def test_a_broken_coc_yaml_stops_every_command(make_register, coc, old, new, message):
    root = make_register("luton")
    text = (root / "coc.yaml").read_text()
    assert old in text, text
    (root / "coc.yaml").write_text(text.replace(old, new, 1))
    for args in (["list"], ["validate", "--all"], ["declare", "gift", *GIFT_FLAGS]):
        result = coc(root, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert re.search(message, result.stderr), result.stderr
    assert git(root, "log", "--format=%s").count("\n") == 1   # only the initial commit


PEOPLE_CASES = {
    "a manager who does not exist": (
        people_file(BOSS, ("ann", "Ann Lee", "ann@example.gov.uk", "ghost")),
        r"people\.yaml:\d+: people\[1\]\.manager: manager 'ghost' of 'ann' is not in people\.yaml"),
    "a cycle in line management": (
        people_file(("ann", "Ann Lee", "ann@example.gov.uk", "bob"),
                    ("bob", "Bob Ray", "bob@example.gov.uk", "cat"),
                    ("cat", "Cat Fox", "cat@example.gov.uk", "ann")),
        r"people\.yaml:\d+: people\[0\]\.manager: line management goes round in a circle: "
        r"ann -> bob -> cat -> ann"),
    "a duplicate email": (
        people_file(BOSS, ("ann", "Ann Lee", "BO.BOSS@example.gov.uk", "boss")),
        r"people\.yaml:\d+: people\[1\]\.email: duplicate email"),
    "a duplicate id": (
        people_file(BOSS, ("boss", "Ann Lee", "ann@example.gov.uk", "null")),
        r"people\.yaml:\d+: people\[1\]\.id: duplicate id 'boss'"),
    "an id that could leave a folder": (
        people_file(BOSS, ("../ann", "Ann Lee", "ann@example.gov.uk", "boss")),
        r"people\.yaml:\d+: people\[1\]\.id: id '\.\./ann' must match"),
    "an unknown role": (
        people_file(BOSS).replace("grade: F", "grade: F\n    roles: [king]"),
        r"people\.yaml:\d+: people\[0\]\.roles: unknown role 'king'"),
    "a grade off the scale": (
        people_file(BOSS).replace("grade: F", "grade: Z9"),
        r"people\.yaml:\d+: people\[0\]\.grade: grade 'Z9' is not on the register's scale"),
}


@pytest.mark.parametrize("text, message", PEOPLE_CASES.values(), ids=PEOPLE_CASES.keys())
def test_a_broken_people_yaml_stops_every_command(make_register, coc, text, message):
    root = make_register("luton")
    (root / "people.yaml").write_text(text)
    for args in (["list"], ["validate", "--all"], ["declare", "gift", *GIFT_FLAGS]):
        result = coc(root, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert re.search(message, result.stderr), result.stderr


def test_the_line_named_is_the_line_of_the_field(make_register, coc):
    root = make_register("luton")
    text = people_file(BOSS, ("ann", "Ann Lee", "ann@example.gov.uk", "ghost"))
    (root / "people.yaml").write_text(text)
    result = coc(root, "list")
    line = int(re.search(r"people\.yaml:(\d+):", result.stderr)[1])
    assert text.splitlines()[line - 1].strip() == "manager: ghost"


def test_parameters_set_in_coc_yaml_reach_the_policy(make_register, coc):
    """Luton's low-value limit is a parameter (the code gives no figure): raising it turns a
    breach into an accepted gift."""
    root = make_register("luton", config={"parameters": {"low_value_limit_gbp": '"100"'}})
    args = [a if a != "12.50" else "60" for a in GIFT_FLAGS]
    result = coc(root, "declare", "gift", *args, "--json")
    assert result.exit_code == 0, result.output
    assert coc(root, "validate", "--all").exit_code == 0


def test_commands_outside_the_register_never_read_its_code(make_register, coc):
    """A register names a policy; a Python file beside it is never imported (SPEC §2)."""
    root = make_register("luton")
    (root / "luton.py").write_text("raise SystemExit('register code ran')\n")
    (root / "coc_policy.py").write_text("raise SystemExit('register code ran')\n")
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--json")
    assert result.exit_code == 0, result.output
    assert "register code ran" not in result.output


def test_a_path_given_to_validate_outside_the_register_is_refused(make_register, coc,
                                                                  tmp_path: Path):
    root = make_register("luton")
    stray = tmp_path / "elsewhere.yaml"
    stray.write_text("id: GIF-2026-ABCDEF\n")
    result = coc(root, "validate", str(stray))
    assert result.exit_code == 1 and "Traceback" not in result.stderr


def test_init_people_reports_every_mistake_at_once_with_lines(tmp_path):
    """`coc init --people FILE`: all the mistakes in one run, each `file:line: field: ...`."""
    from click.testing import CliRunner

    from coc.cli.main import cli

    people = tmp_path / "hr-people.yaml"
    people.write_text(
        "people:\n"
        "  - id: ann\n    name: Ann\n    email: ann@example.gov.uk\n    department: housing\n"
        "    manager: ghost\n"
        "  - id: Bad Id\n    name: Bob\n    email: bob@example.gov.uk\n    department: housing\n"
        "  - id: cat\n    name: Cat\n    email: not-an-email\n    department: housing\n"
        "  - id: dan\n    name: Dan\n    email: ann@example.gov.uk\n    department: housing\n")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "r"), "--policy", "luton",
                                      "--people", str(people)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, result.stderr
    assert all(line.startswith(f"coc: error: {people}:") for line in lines)
    assert ":6: people[0].manager: manager 'ghost'" in lines[-1]
    assert any(":7: people[1].id:" in line for line in lines)
    assert any(":13: people[2].email: 'not-an-email'" in line for line in lines)
    assert any("people[3].email: duplicate email" in line for line in lines)
    assert not (tmp_path / "r").exists()
