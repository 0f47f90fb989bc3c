"""Issue 8, contract 5: nothing is cited to a section that does not say it.

Neither code has a yearly attestation, a nil return, a 31 March date, a yearly review or a
decision period (grep the seeds: no "annual", "yearly", "March", "nil", "review" or
"working days" in either). They are the organisation's own practice: coc.yaml's `practice:`
switches each on (the file `coc init` writes does, saying so), and every finding they make
cites `coc.yaml practice.X`.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from freezegun import freeze_time

from conftest import EXAMPLE_EMAILS, git

DAY0 = "2027-01-04"   # a Monday
PRACTICE_BLOCK = re.compile(r"^practice:\n(?:  .*\n)+", re.M)
# the two codes, verbatim: a copy of ../shared/seeds kept with the tests, so a clone alone
# runs them (tests/test_docs.py checks the copy still matches where ../shared is present)
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"


def declare(coc, root: Path, kind: str, *flags: str, user: str) -> str:
    result = coc(root, "declare", kind, *flags, "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def write_config(root: Path, text: str) -> None:
    (root / "coc.yaml").write_text(text)
    git(root, "commit", "-qam", "coc.yaml", email=EXAMPLE_EMAILS["mokafor"])


def overdue_on(coc, root: Path, day: str) -> list[dict[str, object]]:
    with freeze_time(day):
        result = coc(root, "overdue", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.fixture(params=["luton", "milton-keynes"])
def busy(request, make_register, coc) -> dict[str, object]:
    """A register with something for each practice to find on 3 April 2028."""
    root = make_register(request.param)
    with freeze_time(DAY0):
        # a permission in both codes (MK §5, Luton §28), asked for well before it starts
        asked = declare(coc, root, "property-use", "--item", "Projector", "--purpose",
                        "Church fete", "--from-date", "2029-06-01", user="jsmith")
        work = declare(coc, root, "outside-work", "--organisation", "Evening classes", "--role",
                       "Tutor", "--paid", "yes", "--start-date", "2027-03-01",
                       "--hours-per-week", "3", "--working-pattern", "Tuesdays", user="agreen")
        approved = coc(root, "approve", work, "--conditions", "Not in working hours",
                       user="mjones")
        assert approved.exit_code == 0, approved.output
    return {"root": root, "policy": request.param, "asked": asked, "work": work}


PRACTICE_RULES = ("overdue-decision", "conditions-not-accepted", "attestation-due", "review-due")


def test_the_seeds_really_have_none_of_these():
    for seed in SEEDS.glob("*.txt"):
        text = seed.read_text().lower()
        for word in ("annual", "yearly", "31 march", "nil return", "review", "working days"):
            assert word not in text, (seed.name, word)


def test_coc_init_switches_the_practice_on_and_says_whose_it_is(make_register):
    text = (make_register("luton") / "coc.yaml").read_text()
    block = PRACTICE_BLOCK.search(text)
    assert block is not None
    assert "# The organisation's own practice, not the code's" in text
    assert 'due_by: "03-31"' in block[0] and "nil_return: true" in block[0]
    assert "yearly_review: true" in block[0] and "decision_period_working_days: 10" in block[0]


def test_every_finding_of_the_practice_cites_coc_yaml(busy, coc):
    findings = overdue_on(coc, busy["root"], "2028-04-03")
    rules = {f["rule"] for f in findings}
    assert set(PRACTICE_RULES) <= rules, rules
    for f in findings:
        if f["rule"] in PRACTICE_RULES:
            assert str(f["section"]).startswith("coc.yaml practice."), f
            assert "§" not in str(f["section"]) and "Responsibilities" not in str(f["section"])
    by_rule = {f["rule"]: f for f in findings}
    assert by_rule["attestation-due"]["section"] == "coc.yaml practice.yearly_attestation"
    assert "the organisation's practice, not the code's" in by_rule["attestation-due"]["message"]
    assert by_rule["review-due"]["section"] == "coc.yaml practice.yearly_review"
    assert by_rule["overdue-decision"]["section"] == \
        "coc.yaml practice.decision_period_working_days"


def test_without_the_practice_block_none_of_it_is_chased(busy, coc):
    root = busy["root"]
    write_config(root, PRACTICE_BLOCK.sub("", (root / "coc.yaml").read_text()))
    assert coc(root, "validate", "--all").exit_code == 0
    findings = overdue_on(coc, root, "2028-04-03")
    assert not {f["rule"] for f in findings} & set(PRACTICE_RULES), findings


def test_each_practice_switches_on_alone(busy, coc):
    root = busy["root"]
    bare = PRACTICE_BLOCK.sub("", (root / "coc.yaml").read_text())
    write_config(root, bare + "practice:\n  decision_period_working_days: 5\n")
    rules = {f["rule"] for f in overdue_on(coc, root, "2028-04-03")}
    assert rules & set(PRACTICE_RULES) == {"overdue-decision", "conditions-not-accepted"}
    write_config(root, bare + 'practice:\n  yearly_attestation: {due_by: "06-30"}\n')
    assert not [f for f in overdue_on(coc, root, "2028-06-30") if f["rule"] == "attestation-due"]
    due = [f for f in overdue_on(coc, root, "2028-07-03") if f["rule"] == "attestation-due"]
    # without nil_return only people with a continuing declaration in force attest
    assert [f["field"] for f in due] == ["people.agreen"]
    assert "that your declarations in force still stand" in str(due[0]["message"])


def test_nil_return_asks_everyone(busy, coc):
    due = [f for f in overdue_on(coc, busy["root"], "2028-04-03") if f["rule"] == "attestation-due"]
    assert len(due) == 11 and "a nil return if there is nothing to declare" in str(due[0]["message"])


def test_an_attestation_filed_without_the_practice_says_nobody_asks_for_it(busy, coc):
    root = busy["root"]
    write_config(root, PRACTICE_BLOCK.sub("", (root / "coc.yaml").read_text()))
    record = declare(coc, root, "attestation", "--year", "2026", "--read-code", "no",
                     "--nil-return", "yes", user="jsmith")
    shown = json.loads(coc(root, "show", record, "--json").stdout)
    notes = [f for f in shown["findings"] if f["rule"] == "attestation-read"]
    assert {f["section"] for f in notes} == {"coc.yaml practice.yearly_attestation"}
    assert any("does not switch on practice.yearly_attestation" in f["message"] for f in notes)


@pytest.mark.parametrize("block, field, message", [
    ("practice:\n  nil_return: true\n", "practice.nil_return", "needs practice.yearly_attestation"),
    ("practice:\n  yearly_review: true\n", "practice.yearly_review",
     "needs practice.yearly_attestation"),
    ('practice:\n  yearly_attestation: {due_by: "02-29"}\n', "practice.yearly_attestation.due_by",
     "a day every year has"),
    ("practice:\n  yearly_attestation: true\n", "practice.yearly_attestation", "due_by"),
    ("practice:\n  decision_period_working_days: 0\n", "practice.decision_period_working_days",
     "from 1 to 366"),
    ("practice:\n  monthly_attestation: true\n", "practice.monthly_attestation", "unknown key"),
    ("parameters:\n  decision_period_working_days: 10\n", "parameters.decision_period_working_days",
     "the organisation's practice, not the"),
])
def test_a_wrong_practice_block_is_an_error_naming_coc_yaml(make_register, coc, block, field,
                                                             message):
    root = make_register("milton-keynes")
    text = PRACTICE_BLOCK.sub("", (root / "coc.yaml").read_text())
    text = text.replace("parameters:\n", "") + block
    (root / "coc.yaml").write_text(text)
    for args in (["validate", "--all"], ["overdue"], ["list"]):
        result = coc(root, *args)
        assert result.exit_code == 1, (args, result.output)
        assert re.search(rf"^coc: error: coc\.yaml:\d+: {re.escape(field)}: .*{re.escape(message)}",
                         result.stderr), (args, result.stderr)


def test_no_policy_cites_a_code_section_for_the_attestation():
    from coc.policies.registry import get_policy

    for name in ("luton", "milton-keynes"):
        policy = get_policy(name)
        assert policy.kinds["attestation"].section == "coc.yaml practice.yearly_attestation"
        assert "decision_period_working_days" not in policy.parameters
        assert not [r for r in policy.rules if "attestation" in getattr(r, "kinds", ())
                    and "§" in r.section]
