"""Every command is documented, and the README's set-up is what CI runs (STYLE §8)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from coc.cli.main import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SPEC_COMMANDS = ("init", "declare", "check", "show", "list", "approve", "reject", "accept",
                 "amend", "end", "withdraw", "validate", "overdue", "audit", "log", "register",
                 "import", "schema", "hooks", "codeowners")


def test_every_command_in_the_spec_is_a_command():
    assert set(SPEC_COMMANDS) <= set(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {name}" in result.output or f"Usage: coc {name}" in result.output
    assert len(result.output.splitlines()) > 3


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_a_readme_section(name):
    headings = re.findall(r"^#{2,4} .*$", README, flags=re.M)
    assert any(re.search(rf"`coc {name}\b", h) or re.search(rf"\bcoc {name}\b", h)
               for h in headings), f"no README heading names `coc {name}`"


def test_the_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    assert len(blocks) >= 2
    try_it, run_tests = blocks[0], blocks[1]
    assert "coc demo" in try_it
    assert "pytest" in run_tests
    assert run_tests.strip() in ci


# errors as JSON (issue 10) ---------------------------------------------------------------------

# One failing call of each command that has --json (or --format json); `overdue` fails on a
# people.yaml broken by the test. A new command with JSON output must be added here.
JSON_ERRORS = [
    ("declare", "gift", "--json"), ("declare", "gift", "--value-gbp", "-1", "--json"),
    ("check", "--json"), ("show", "GIF-2026-ZZZZZZ", "--json"), ("show", "--json"),
    ("list", "--json", "--status", "nonsense"), ("list", "--json", "--kind", "gifts"),
    ("approve", "GIF-2026-ZZZZZZ", "--json"), ("reject", "GIF-2026-ZZZZZZ", "--reason", "x",
                                               "--json"),
    ("accept", "GIF-2026-ZZZZZZ", "--json"), ("amend", "GIF-2026-ZZZZZZ", "--donor", "x", "--json"),
    ("end", "GIF-2026-ZZZZZZ", "--on", "2026-12-01", "--json"),
    ("withdraw", "GIF-2026-ZZZZZZ", "--reason", "x", "--json"),
    ("validate", "--format", "json", "missing.yaml"), ("audit", "--format=json", "--since", "x"),
    ("log", "GIF-2026-ZZZZZZ", "--json"), ("register", "--format", "json", "--kind", "gifts"),
    ("import", "missing.csv", "--kind", "gift", "--json"), ("overdue", "--format=json"),
    ("inbox", "--json", "--for", "nobody"), ("remind", "--send", "--json"),
    ("approve", "GIF-2026-ZZZZZZ", "GIF-2026-YYYYYY", "--json"),
    ("people", "import", "missing.csv", "--mapping", "missing.yaml", "--json"),
    ("campaign", "open", "2027", "--json"), ("campaign", "progress", "2027", "--format", "json"),
    ("campaign", "non-declarers", "2027", "--format", "json"),
]


@pytest.mark.parametrize("args", JSON_ERRORS, ids=[" ".join(a) for a in JSON_ERRORS])
def test_with_json_every_error_is_a_json_object_on_stderr(tmp_path, args):
    import json

    from coc.cli.init import init_register

    init_register(tmp_path / "r", "luton", None)
    if args[0] == "overdue":
        (tmp_path / "r" / "people.yaml").write_text("people: [\n")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path / "r"), *args],
                                env={"GIT_AUTHOR_EMAIL": "jane.smith@example.gov.uk"})
    assert result.exit_code in (1, 2), result.output
    error = json.loads(result.stderr)
    assert set(error) >= {"error", "field", "path", "line"} and error["error"]
    assert result.stdout == ""


def test_every_command_with_json_output_is_in_the_json_errors_test():
    def helps(name: str) -> str:
        return CliRunner().invoke(cli, [name, "--help"]).output

    with_json = {name for name in COMMANDS
                 if re.search(r"--json|--format \[[a-z|]*json", helps(name))}
    assert with_json <= {args[0] for args in JSON_ERRORS} | {"declare"}, with_json


def test_without_json_errors_stay_one_line_of_text(tmp_path):
    from coc.cli.init import init_register

    init_register(tmp_path / "r", "luton", None)
    result = CliRunner().invoke(cli, ["-C", str(tmp_path / "r"), "show", "GIF-2026-ZZZZZZ"])
    assert result.exit_code == 1 and result.stderr.startswith("coc: error: ")


def test_the_readme_says_what_git_dates_can_and_cannot_prove():
    """Issue 9 item 6: the audit holds dates to each other and to the history; what it cannot
    prove, signing and the forge's push log add."""
    start = README.index("### What git's dates prove, and what they do not")
    section = README[start:README.index("\n### ", start + 1)]
    for words in ("author date", "committer date", "GIT_COMMITTER_DATE", "backdated",
                  "commit-date", "cannot prove", "signed commits", "push log"):
        assert words in section, words


def test_the_seed_texts_the_tests_quote_are_the_codes_verbatim():
    """tests/data/seeds is what the quote tests read; it must be the shared codes byte for byte,
    and hold both of them."""
    here = Path(__file__).resolve().parent / "data" / "seeds"
    assert sorted(p.name for p in here.glob("*.txt")) == [
        "luton-employee-code-of-conduct.txt", "milton-keynes-officer-code-of-conduct-2025.txt"]
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    for seed in shared.glob("*.txt"):
        assert (here / seed.name).read_bytes() == seed.read_bytes(), seed.name
