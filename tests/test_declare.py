"""`coc declare` through the real CLI on real git repositories (issue 2, "Done when").

Every kind each policy offers is declared with realistic values and lands as a valid file in
its place with one proper commit; every kind a policy lacks is refused; and whatever goes
wrong, a failed declaration leaves no file and no commit. The kinds come from the policy
objects, so a kind added to a policy is covered here without editing this file.
"""
from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from coc.cli.main import cli
from coc.policies.base import Field, Kind
from coc.policies.kinds import FIELDS
from coc.policies.registry import get_policy
from coc.registers.yamlio import load_fast
from conftest import EXAMPLE_EMAILS, GIFT_FLAGS, git

TODAY = "2026-11-24"          # a Tuesday, not a bank holiday: nothing is late
POLICIES = ("milton-keynes", "luton")


def sample(spec: Field) -> str | None:
    """A realistic value, as a person would type it, for a field of each type."""
    if spec.choices:
        return spec.choices[0]
    return {
        "text": "Acme Lifts Ltd", "longtext": "Described in plain words, with a comma.",
        "bool": "yes", "date": TODAY, "money": "12.50", "hours": "6", "int": TODAY[:4],
        "record-id": None,     # refers to an earlier record; none exists in a fresh register
    }[spec.type]


def flags(kind: Kind, *, required_only: bool = False) -> list[str]:
    out = []
    for spec in kind.fields:
        value = sample(spec)
        if value is not None and (spec.required or not required_only):
            out += [spec.flag, value]
    return out


OFFERED = [(p, k) for p in POLICIES for k in get_policy(p).kinds]
NOT_OFFERED = [(p, k) for p in POLICIES for k in FIELDS if k not in get_policy(p).kinds]


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def assert_nothing_written(root: Path, before: str) -> None:
    """No commit, no file, nothing staged, no stray branch: the register is as it was."""
    assert head(root) == before
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert [p for p in (root / "registers").rglob("*") if p.is_file()] == \
        [root / "registers" / ".gitkeep"]
    assert git(root, "branch", "--format=%(refname:short)").split() == ["main"]


@freeze_time(TODAY)
@pytest.mark.parametrize("policy, kind_name", OFFERED)
def test_each_offered_kind_lands_as_a_valid_file_with_one_commit(make_register, coc, policy,
                                                                  kind_name):
    root = make_register(policy)
    kind = get_policy(policy).kinds[kind_name]
    before = head(root)

    result = coc(root, "declare", kind_name, *flags(kind), "--no-input", "--json")

    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"id", "path"}
    assert re.fullmatch(rf"{kind.prefix}-2026-[A-Z2-7]{{12}}", out["id"])
    assert out["path"] == f"registers/housing/{kind_name}/2026/{out['id']}.yaml"
    data = load_fast((root / out["path"]).read_bytes(), out["path"])
    assert {k: data[k] for k in ("id", "kind", "declarant", "recorded_by", "declared_on")} == {
        "id": out["id"], "kind": kind_name, "declarant": "jsmith", "recorded_by": "jsmith",
        "declared_on": date(2026, 11, 24)}
    expected = {s.name: s.parse(sample(s)) for s in kind.fields if sample(s) is not None}
    assert {k: str(v) for k, v in data["details"].items()} == \
        {k: str(v) for k, v in expected.items()}
    assert data["decisions"] == [] and data["amendments"] == []

    assert git(root, "rev-parse", "HEAD~1").strip() == before
    log = git(root, "log", "-1", "--format=%an <%ae>%n%cn%n%s", "--name-only").split("\n")
    assert log[:3] == ["Jane Smith <jane.smith@example.gov.uk>", "Jane Smith",
                       f"declare({kind_name}): {out['id']} by jsmith"]
    assert [line for line in log[3:] if line] == [out["path"]]
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""

    checked = coc(root, "validate", out["path"], "--format", "json")
    assert [f for f in json.loads(checked.stdout) if f["severity"] == "error"] == []
    shown = json.loads(coc(root, "show", out["id"], "--json").stdout)
    assert (shown["status"], shown["path"], shown["kind"]) == ("submitted", out["path"], kind_name)


@pytest.mark.parametrize("policy, kind_name", NOT_OFFERED)
def test_a_kind_the_policy_lacks_is_refused_clearly(make_register, coc, policy, kind_name):
    root = make_register(policy)
    before = head(root)
    kind = get_policy("luton" if policy == "milton-keynes" else "milton-keynes").kinds.get(
        kind_name) or next(get_policy(p).kinds[kind_name] for p in POLICIES
                           if kind_name in get_policy(p).kinds)
    result = coc(root, "declare", kind_name, *flags(kind), "--no-input")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("coc: error:")
    assert policy in result.stderr and repr(kind_name) in result.stderr
    assert_nothing_written(root, before)


def test_every_shared_kind_is_offered_by_some_policy():
    assert {k for _, k in OFFERED} == set(FIELDS)


@pytest.mark.parametrize("policy, kind_name", OFFERED)
def test_no_input_names_every_missing_required_field(make_register, coc, policy, kind_name):
    root = make_register(policy)
    before = head(root)
    kind = get_policy(policy).kinds[kind_name]
    result = coc(root, "declare", kind_name, "--no-input")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    for spec in kind.fields:
        assert (spec.flag in result.stderr) == spec.required, spec.flag
    assert_nothing_written(root, before)


@freeze_time(TODAY)
@pytest.mark.parametrize("policy", POLICIES)
def test_only_the_required_fields_are_needed(make_register, coc, policy):
    root = make_register(policy)
    kind = get_policy(policy).kinds["outside-work"]
    result = coc(root, "declare", "outside-work", *flags(kind, required_only=True), "--no-input",
                 "--json")
    assert result.exit_code == 0, result.output
    details = load_fast((root / json.loads(result.stdout)["path"]).read_bytes(), "r")["details"]
    assert set(details) == {s.name for s in kind.fields if s.required}


BAD_VALUES = {
    "date not ISO": ("--received-on", "20/11/2026", "is not a date"),
    "impossible date": ("--received-on", "2026-02-30", "is not a date"),
    "money with three decimals": ("--value-gbp", "12.345", "is not an amount"),
    "negative money": ("--value-gbp", "-5", "must not be negative"),
    "money in words": ("--value-gbp", "twelve", "is not an amount"),
    "money as a float literal": ("--value-gbp", "1e3", "is not an amount"),
    "not yes or no": ("--donor-is-supplier", "maybe", "is not yes/no"),
    "not a choice": ("--outcome", "eaten", "is not one of"),
    "one-line text with a newline": ("--donor", "Ann\nOther", "one line"),
    "very long text": ("--description", "x" * 5000, "at most"),
}


@pytest.mark.parametrize("flag, value, message", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_a_bad_value_is_refused_naming_its_flag(make_register, coc, flag, value, message):
    root = make_register("luton")
    before = head(root)
    args = list(GIFT_FLAGS)
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    result = coc(root, "declare", "gift", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"coc: error: {flag}: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert_nothing_written(root, before)


NUMBERS = {"nan": "nan", "NaN": "NaN", "sNaN": "sNaN", "infinity": "Infinity",
           "more hours than a week has": "200", "negative": "-3", "words": "lots"}


@pytest.mark.parametrize("value", NUMBERS.values(), ids=NUMBERS.keys())
def test_bad_hours_are_refused_naming_the_flag(make_register, coc, value):
    root = make_register("luton")
    before = head(root)
    result = coc(root, "declare", "outside-work", "--organisation", "Bedford College", "--role",
                 "Tutor", "--paid", "yes", "--start-date", "2027-01-11", "--hours-per-week",
                 value, "--no-input")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("coc: error: --hours-per-week: ")
    assert_nothing_written(root, before)


@pytest.mark.parametrize("args, message", [
    (["--colour", "red"], "--colour"),
    (["--donor"], "requires an argument"),
    (["--no-input=yes"], "does not take a value"),
], ids=["unknown flag", "flag without value", "value for a switch"])
def test_usage_errors_exit_2(make_register, coc, args, message):
    root = make_register("luton")
    before = head(root)
    result = coc(root, "declare", "gift", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert_nothing_written(root, before)


def test_an_unknown_kind_is_a_usage_error(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "bribe", "--no-input")
    assert result.exit_code == 2 and "No such command 'bribe'" in result.stderr


@freeze_time(TODAY)
def test_prompts_ask_for_each_field_and_ask_again_after_a_bad_answer(make_register, coc):
    root = make_register("luton")
    answers = ["2026-11-20",        # received_on
               "Ann Other",         # donor
               "",                  # donor_organisation (optional: skipped)
               "perhaps", "yes",    # donor_is_supplier: a bad answer, then a good one
               "Flowers",           # description
               "£1,000", "12",      # value_gbp: over-precise thousands fine? no: see below
               "eaten", "kept",     # outcome
               "",                  # reason (optional)
               "y"]                 # the last look: record it
    result = coc(root, "declare", "gift", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "'perhaps' is not yes/no" in result.stderr
    assert "'eaten' is not one of" in result.stderr
    assert "Date the gift was offered or received (received_on) [YYYY-MM-DD, Enter for today]" \
        in result.stderr
    assert "[optional, Enter to skip]" in result.stderr
    assert "About to record this gift" in result.stderr and "donor_is_supplier: yes" in result.stderr
    record_id = re.search(r"Declared (GIF-2026-[A-Z2-7]{12})", result.stdout)[1]
    path = next((root / "registers").rglob(f"{record_id}.yaml"))
    details = load_fast(path.read_bytes(), "r")["details"]
    assert details == {"received_on": date(2026, 11, 20), "donor": "Ann Other",
                       "donor_is_supplier": True, "description": "Flowers",
                       "value_gbp": "1000.00", "outcome": "kept"}


def test_prompting_stops_cleanly_when_input_runs_out(make_register, coc):
    """`coc declare gift < /dev/null`, or a script that ran out of answers: the missing fields
    are named (exit 1), not "aborted" (130)."""
    root = make_register("luton")
    before = head(root)
    result = coc(root, "declare", "gift", input="2026-11-20\n")
    assert result.exit_code == 1, result.output
    assert "missing required field(s) for a gift: --donor, --description, --value-gbp, " \
        "--outcome" in result.stderr
    assert_nothing_written(root, before)
    empty = coc(root, "declare", "gift", input="")
    assert empty.exit_code == 1 and "--received-on, --donor" in empty.stderr


@freeze_time(TODAY)
def test_a_declaration_not_confirmed_is_not_recorded(make_register, coc):
    root = make_register("luton")
    before = head(root)
    answers = ["", "Ann Other", "", "", "Flowers", "12", "kept", "", "n"]
    result = coc(root, "declare", "gift", input="\n".join(answers) + "\n")
    assert result.exit_code == 1 and "nothing recorded" in result.stderr
    assert "received_on: 2026-11-24" in result.stderr, "Enter is today for a required date"
    assert_nothing_written(root, before)
    answers[-1] = ""   # Enter: record it
    assert coc(root, "declare", "gift", input="\n".join(answers) + "\n").exit_code == 0
    assert coc(root, "declare", "gift", "--yes", input="\n".join(answers[:-1]) + "\n"
               ).exit_code == 0


@freeze_time(TODAY)
def test_an_empty_required_answer_is_asked_again(make_register, coc):
    root = make_register("luton")
    answers = ["", "", "Ann Other", "", "", "Flowers", "12", "kept", "", "y"]
    result = coc(root, "declare", "gift", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "donor is required: give a value" in result.stderr


@freeze_time(TODAY)
def test_dates_out_of_order_are_asked_again_as_soon_as_both_are_known(make_register, coc):
    """MK §5: noticed on or after paid. The second date is asked again; nothing typed is lost."""
    root = make_register("milton-keynes")
    answers = ["120.00", "2026-11-20", "2026-11-10", "2026-11-23", "Paid twice for October",
               "y"]
    result = coc(root, "declare", "overpayment", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("(noticed_on)") == 2
    assert "noticed_on 2026-11-10 is before paid_on 2026-11-20" in result.stderr
    path = next((root / "registers").rglob("OVP-*.yaml"))
    details = load_fast(path.read_bytes(), "r")["details"]
    assert details["paid_on"] == date(2026, 11, 20) and details["noticed_on"] == date(2026, 11, 23)


def test_a_kind_the_code_lacks_is_refused_before_any_prompt(make_register, coc):
    root = make_register("milton-keynes")
    result = coc(root, "declare", "driving-disqualification", input="2026-11-20\n")
    assert result.exit_code == 1 and "Milton Keynes code has no section" in result.stderr
    assert "Declaring:" not in result.stderr
    listed = coc(root, "declare", "--help").output
    assert "driving-disqualification" not in listed and "gift" in listed


def test_json_never_prompts(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "gift", "--json", input="2026-11-20\n")
    assert result.exit_code == 1 and "missing required field" in result.stderr


@freeze_time(TODAY)
def test_hr_records_on_someones_behalf(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--for", "kpatel", "--json", user="hreed")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["path"].startswith("registers/childrens-services/gift/2026/")
    data = load_fast((root / out["path"]).read_bytes(), "r")
    assert (data["declarant"], data["recorded_by"]) == ("kpatel", "hreed")
    log = git(root, "log", "-1", "--format=%an <%ae>|%cn|%s|%b").strip()
    assert log == (f"Harper Reed <harper.reed@example.gov.uk>|Harper Reed|declare(gift): "
                   f"{out['id']} for kpatel by hreed|Recorded by hreed on behalf of kpatel.")
    assert coc(root, "validate", "--all").exit_code == 0


@pytest.mark.parametrize("user, for_person, message", [
    ("jsmith", "pbrown", "--for: --for is for HR: jsmith does not have the hr role"),
    ("mjones", "jsmith", "--for: --for is for HR: mjones does not have the hr role"),
    ("hreed", "nobody", "unknown person 'nobody'"),
    ("hreed", "kpatle", "unknown person 'kpatle': not in people.yaml; did you mean kpatel?"),
    ("hreed", "../../etc", "unknown person '../../etc'"),
])
def test_for_is_refused_unless_hr_and_a_known_person(make_register, coc, user, for_person,
                                                      message):
    root = make_register("luton")
    before = head(root)
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--for", for_person, user=user)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert_nothing_written(root, before)


def test_for_yourself_needs_no_hr_role(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--for", "jsmith", "--json")
    assert result.exit_code == 0, result.output


def test_an_unknown_git_email_is_named(make_register, coc):
    root = make_register("luton")
    before = head(root)
    result = coc(root, "declare", "gift", *GIFT_FLAGS, user="stranger@example.org")
    assert result.exit_code == 1
    assert "'stranger@example.org'" in result.stderr and "people.yaml" in result.stderr
    assert_nothing_written(root, before)


def test_no_git_email_at_all_is_a_clear_error(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "gift", *GIFT_FLAGS, user="")
    assert result.exit_code == 1 and "git config user.email" in result.stderr


def invoke_plain(args: list[str]) -> object:
    """The CLI with no -C and no GIT_AUTHOR_EMAIL: identity from git config, register from cwd."""
    return CliRunner().invoke(cli, args, env={"GIT_AUTHOR_EMAIL": None, "COC_REGISTER": None})


def test_identity_comes_from_the_registers_git_config(make_register, monkeypatch):
    root = make_register("luton")
    git(root, "config", "user.email", "PAT.BROWN@example.gov.uk")   # case does not matter
    monkeypatch.chdir(root)
    result = invoke_plain(["declare", "gift", *GIFT_FLAGS, "--json"])
    assert result.exit_code == 0, result.output
    assert "by pbrown" in git(root, "log", "-1", "--format=%s")
    assert git(root, "log", "-1", "--format=%ae").strip() == "pat.brown@example.gov.uk"


def test_declare_works_from_a_subfolder_of_the_register(make_register, monkeypatch):
    root = make_register("luton")
    git(root, "config", "user.email", EXAMPLE_EMAILS["jsmith"])
    (root / "registers" / "housing").mkdir()
    monkeypatch.chdir(root / "registers" / "housing")
    result = invoke_plain(["declare", "gift", *GIFT_FLAGS, "--json"])
    assert result.exit_code == 0, result.output
    assert (root / json.loads(result.stdout)["path"]).is_file()


def test_dash_c_chooses_the_register(make_register, tmp_path, monkeypatch):
    root = make_register("luton")
    git(root, "config", "user.email", EXAMPLE_EMAILS["jsmith"])
    monkeypatch.chdir(tmp_path)
    result = invoke_plain(["-C", str(root), "declare", "gift", *GIFT_FLAGS, "--json"])
    assert result.exit_code == 0, result.output
    missing = invoke_plain(["-C", str(tmp_path), "declare", "gift", *GIFT_FLAGS])
    assert missing.exit_code == 1 and "is not a coc register" in missing.stderr


def test_outside_any_register_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke_plain(["declare", "gift", *GIFT_FLAGS])
    assert result.exit_code == 1 and "coc init" in result.stderr


def test_a_declaration_commits_only_its_own_file(make_register, coc):
    """Whatever else the person has staged stays staged and out of the declaration's commit."""
    root = make_register("luton")
    (root / "README.md").write_text("my edit\n")
    git(root, "add", "README.md")
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--json")
    assert result.exit_code == 0, result.output
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == \
        [json.loads(result.stdout)["path"]]
    assert git(root, "diff", "--cached", "--name-only").split() == ["README.md"]


def test_branch_commits_on_a_pull_request_branch(make_register, coc):
    root = make_register("luton")
    main_before = head(root)
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--branch", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    branch = f"declare/{out['id']}"
    assert git(root, "rev-parse", "main").strip() == main_before
    assert git(root, "show", "--name-only", "--format=%s", branch).split("\n")[:3] == \
        [f"declare(gift): {out['id']} by jsmith", "", out["path"]]
    text = coc(root, "declare", "gift", *GIFT_FLAGS, "--branch")
    assert "git push -u origin declare/" in text.stdout


def test_late_reason_is_kept(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--late-reason", "I was on leave",
                 "--json")
    assert result.exit_code == 0, result.output
    data = load_fast((root / json.loads(result.stdout)["path"]).read_bytes(), "r")
    assert data["late_reason"] == "I was on leave"


@freeze_time(TODAY)
def test_a_late_notice_needs_a_reason_and_is_then_accepted(make_register, coc):
    """Luton §17: a criminal matter is notified by the next working day; late is accepted with
    a reason (SPEC §6), asked for when prompting, required with --no-input."""
    root = make_register("luton")
    before = head(root)
    args = ["declare", "criminal-matter", "--event", "caution", "--event-date", "2026-10-01",
            "--subject", "self", "--summary", "Caution for a minor offence"]
    refused = coc(root, *args, "--no-input")
    assert refused.exit_code == 1 and "late_reason" in refused.stderr
    assert_nothing_written(root, before)

    prompted = coc(root, *args, input="I was in hospital\ny\n")
    assert prompted.exit_code == 0, prompted.output
    assert "Why is it late?" in prompted.stderr and "after the deadline 2026-10-02" in prompted.stderr
    flagged = coc(root, *args, "--late-reason", "I was in hospital", "--no-input", "--json")
    assert flagged.exit_code == 0, flagged.output
    data = load_fast((root / json.loads(flagged.stdout)["path"]).read_bytes(), "r")
    assert data["late_reason"] == "I was in hospital"


def test_a_commit_refused_by_git_leaves_nothing_behind(make_register, coc):
    root = make_register("luton")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused by a hook' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = head(root)
    for extra in ([], ["--branch"]):
        result = coc(root, "declare", "gift", *GIFT_FLAGS, *extra)
        assert result.exit_code == 1, result.output
        assert "refused by a hook" in result.stderr
        assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
        assert_nothing_written(root, before)


def test_free_text_is_stored_as_inert_text(make_register, coc):
    """HTML and formula-looking text is kept verbatim as text; exports escape it (SPEC §8)."""
    root = make_register("luton")
    script = "<script>alert('x')</script> & =HYPERLINK(\"http://evil\")"
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--description", script, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert load_fast((root / out["path"]).read_bytes(), "r")["details"]["description"] == script
    shown = json.loads(coc(root, "show", out["id"], "--json").stdout)
    assert shown["record"]["details"]["description"] == script


@pytest.mark.parametrize("value", ["\x1b[2J\x1b[31mAPPROVED", "bell\x07", "a\rb",
                                   "surrogate \udcff"],
                         ids=["terminal escape", "bell", "carriage return", "non-UTF-8 argv"])
def test_control_characters_are_refused_naming_the_flag(make_register, coc, value):
    """Escape sequences would repaint an approver's terminal in `coc show`; bytes that are not
    UTF-8 (argv decoded with surrogateescape) used to be committed as an unreadable record."""
    root = make_register("luton")
    before = head(root)
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--donor", value)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("coc: error: --donor: ")
    assert_nothing_written(root, before)


def test_declare_help_lists_the_kinds_fields(make_register, coc):
    root = make_register("milton-keynes")
    result = coc(root, "declare", "gift", "--help")
    assert result.exit_code == 0
    for spec in get_policy("milton-keynes").kinds["gift"].fields:
        assert spec.flag in result.stdout
    for option in ("--for", "--late-reason", "--no-input", "--branch", "--json"):
        assert option in result.stdout


def test_the_installed_executable_declares_and_reports_a_user_error(make_register,
                                                                     coc_subprocess):
    root = make_register("luton")
    ok = coc_subprocess(root, "declare", "gift", *GIFT_FLAGS, "--json")
    assert ok.returncode == 0, ok.stderr
    assert (root / json.loads(ok.stdout)["path"]).is_file()

    before = head(root)
    bad = coc_subprocess(root, "declare", "gift", "--donor", "Ann", "--no-input")
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("coc: error: ")
    assert "Traceback" not in bad.stderr
    assert head(root) == before


def test_a_typo_in_a_kind_suggests_the_nearest(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "gifts", "--no-input")
    assert result.exit_code == 2 and "did you mean gift?" in result.stderr
    other = coc(root, "declare", "zzzz", "--no-input")
    assert other.exit_code == 2 and "the kinds are: gift, hospitality" in other.stderr


@freeze_time(TODAY)
@pytest.mark.parametrize("flag, value, message", [
    ("--value-gbp", "-5", "an amount must not be negative"),
    ("--outcome", "kepT", None),
    ("--outcome", "donatd", "did you mean donated?"),
])
def test_bad_values_say_what_is_wrong(make_register, coc, flag, value, message):
    root = make_register("luton")
    flags = dict(zip(GIFT_FLAGS[::2], GIFT_FLAGS[1::2]))
    flags[flag] = value
    args = [a for pair in flags.items() for a in pair if a != "--no-input"]
    result = coc(root, "declare", "gift", *args, "--no-input", "--json")
    if message is None:
        assert result.exit_code == 0, result.output
        path = root / json.loads(result.stdout)["path"]
        assert load_fast(path.read_bytes(), "r")["details"]["outcome"] == "kept"
    else:
        assert result.exit_code == 1 and message in result.stderr


@pytest.mark.parametrize("args, message", [
    (["overpayment", "--amount-gbp", "0", "--paid-on", TODAY, "--noticed-on", TODAY],
     "--amount-gbp: '0': the amount paid in error must be more than £0"),
    (["overpayment", "--amount-gbp", "£0.00", "--paid-on", TODAY, "--noticed-on", TODAY],
     "must be more than £0"),
    (["attestation", "--year", "0", "--read-code", "yes", "--nil-return", "yes"],
     "--year: '0': the year attested must be more than 0"),
], ids=["overpayment of 0", "overpayment of £0.00", "the year 0"])
@freeze_time(TODAY)
def test_zero_where_zero_makes_no_sense_is_refused(make_register, coc, args, message):
    root = make_register("milton-keynes")
    before = head(root)
    result = coc(root, "declare", *args, "--no-input")
    assert result.exit_code == 1 and message in result.stderr, result.output
    assert_nothing_written(root, before)
    ok = [a if a not in ("0", "£0.00") else ("0.01" if "--year" not in args else TODAY[:4])
          for a in args]
    assert coc(root, "declare", *ok, "--no-input").exit_code == 0


def test_declare_with_stdin_from_dev_null_names_the_missing_fields(make_register):
    """`coc declare gift < /dev/null`, the real executable: exit 1 naming the fields, not 130."""
    import subprocess
    import sys

    root = make_register("luton")
    before = head(root)
    done = subprocess.run([str(Path(sys.executable).parent / "coc"), "declare", "gift"], cwd=root,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env={**os.environ,
                               "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["jsmith"]})
    assert done.returncode == 1, done.stderr
    assert "missing required field(s) for a gift: --received-on, --donor" in done.stderr
    assert "Aborted" not in done.stderr and "Traceback" not in done.stderr
    assert_nothing_written(root, before)
