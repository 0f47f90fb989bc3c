"""`coc overdue` through the real CLI on a real register, with the clock frozen (freezegun).

One Luton register is built once for the module (declarations made on Monday 4 January 2027,
decisions on the same day); each test then asks what is overdue on a later day. Each category
is found on the first day it is overdue and not the day before, naming who must act.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from coc.cli.init import init_register
from coc.cli.main import cli
from conftest import EXAMPLE_EMAILS, git

DAY0 = "2027-01-04"        # a Monday; Friday 1 January 2027 was a bank holiday
GIT_ENV = ("HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "GIT_COMMITTER_DATE",
           "GIT_AUTHOR_DATE")


def run(root: Path, *args: str, user: str = "jsmith") -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args],
                              env={"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS[user]},
                              catch_exceptions=False)


def declare(root: Path, kind: str, *flags: str, user: str) -> str:
    result = run(root, "declare", kind, *flags, "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.output)["id"])


def ok(result: Result) -> None:
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The register and the ids of its records, one per category of overdue work."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n"
                                     "[commit]\n\tgpgsign = false\n")
    saved = {k: os.environ.get(k) for k in GIT_ENV}
    os.environ.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1",
                      GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
                      # the register began before 2027, so its 2027 attestations are due 31 March
                      GIT_COMMITTER_DATE="2026-06-01T09:00:00Z",
                      GIT_AUTHOR_DATE="2026-06-01T09:00:00Z")
    try:
        root = tmp_path_factory.mktemp("overdue") / "register"
        init_register(root, "luton")
        del os.environ["GIT_COMMITTER_DATE"], os.environ["GIT_AUTHOR_DATE"]
        ids: dict[str, object] = {"root": root}
        with freeze_time(DAY0):
            ids["crm"] = declare(root, "criminal-matter", "--event", "arrest", "--event-date",
                                 DAY0, "--subject", "self", user="jsmith")
            ids["out"] = declare(root, "outside-work", "--organisation", "Luton Town FC",
                                 "--role", "Steward", "--paid", "yes", "--start-date",
                                 "2027-01-11", "--hours-per-week", "6", "--working-pattern",
                                 "Saturdays", user="pbrown")
            # a permission (Luton §28.1): a Luton gift is recorded, and waits for nobody
            ids["gift"] = declare(root, "property-use", "--item", "Laptop", "--purpose",
                                  "Training", "--from-date", "2027-06-01", user="agreen")
            ids["cond"] = declare(root, "outside-work", "--organisation", "Evening classes",
                                  "--role", "Tutor", "--paid", "yes", "--start-date",
                                  "2027-03-01", "--hours-per-week", "3", "--working-pattern",
                                  "Tuesday evenings", user="jsmith")
            ok(run(root, "approve", str(ids["cond"]), "--conditions",
                   "Not in working hours", user="mjones"))
            ids["int"] = declare(root, "interest", "--nature", "membership", "--organisation",
                                 "Tenants' Federation", "--description", "Member",
                                 "--arose-on", DAY0, "--public-knowledge-test", "possibly",
                                 user="kpatel")
            ok(run(root, "approve", str(ids["int"]), user="ddavies"))
            for person in ("jsmith", "mjones"):
                declare(root, "attestation", "--year", "2027", "--read-code", "yes",
                        "--nil-return", "no", user=person)
            declare(root, "attestation", "--year", "2026", "--read-code", "yes",
                    "--nil-return", "yes", user="pbrown")
        yield ids
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def overdue_on(day: str, root: Path) -> tuple[int, list[dict[str, object]]]:
    with freeze_time(day):
        result = run(root, "overdue", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def set_practice(root: Path, old: str, new: str) -> None:
    """Change a line of the practice block `coc init` wrote, committed by its owner (the MO)."""
    text = (root / "coc.yaml").read_text()
    assert old in text
    (root / "coc.yaml").write_text(text.replace(old, new, 1))
    git(root, "commit", "-qam", "practice", email=EXAMPLE_EMAILS["mokafor"])


def found(findings: list[dict[str, object]], rule: str) -> list[dict[str, object]]:
    return [f for f in findings if f["rule"] == rule]


def test_nothing_overdue_prints_nothing_and_exits_0(register):
    with freeze_time("2027-01-05"):
        result = run(register["root"], "overdue")
    assert (result.exit_code, result.output) == (0, "")


def test_a_fresh_register_has_nothing_overdue(make_register, coc):
    root = make_register("milton-keynes")
    result = coc(root, "overdue")
    assert (result.exit_code, result.output) == (0, "")
    assert coc(root, "overdue", "--format", "json").output.strip() == "[]"


def test_notification_not_acknowledged_after_its_deadline(register):
    # arrest on Monday 4th: Luton §17.2 "next working day", so acknowledged by Tuesday 5th
    assert overdue_on("2027-01-05", register["root"]) == (0, [])
    code, findings = overdue_on("2027-01-06", register["root"])
    assert code == 1
    (notice,) = found(findings, "overdue-notification")
    assert notice["record_id"] == register["crm"]
    assert notice["severity"] == "error" and notice["section"] == "Luton §17.2"
    assert "due by 2027-01-05" in notice["message"]
    assert "who must act: Max Jones (line manager), to acknowledge it" in notice["message"]
    assert [f["rule"] for f in findings] == ["overdue-notification"]


def test_outside_work_past_its_start_date_unapproved(register):
    code, findings = overdue_on("2027-01-08", register["root"])
    assert found(findings, "outside-work-not-approved") == []
    code, findings = overdue_on("2027-01-11", register["root"])
    (work,) = found(findings, "outside-work-not-approved")
    assert code == 1 and work["record_id"] == register["out"]
    assert work["field"] == "details.start_date"
    assert "start on 2027-01-11 and is not approved" in work["message"]
    assert "who must act: Max Jones (line manager) or Sam Shah (service director), to approve " \
        "it" in work["message"]


def test_decision_waiting_longer_than_the_decision_period(register):
    # 10 working days (decision_period_working_days) from Monday 4th: Monday 18th
    assert found(overdue_on("2027-01-18", register["root"])[1], "overdue-decision") == []
    code, findings = overdue_on("2027-01-19", register["root"])
    (waiting,) = found(findings, "overdue-decision")
    assert code == 1 and waiting["record_id"] == register["gift"]
    assert "waiting for a decision since 2027-01-04: due by 2027-01-18" in waiting["message"]
    assert "10 working days, coc.yaml practice.decision_period_working_days: the " \
        "organisation's practice" in waiting["message"]
    assert waiting["section"] == "coc.yaml practice.decision_period_working_days"
    assert "who must act: Max Jones (line manager), to approve it" in waiting["message"]


def test_conditions_not_accepted(register):
    assert found(overdue_on("2027-01-18", register["root"])[1], "conditions-not-accepted") == []
    code, findings = overdue_on("2027-01-19", register["root"])
    (cond,) = found(findings, "conditions-not-accepted")
    assert code == 1 and cond["record_id"] == register["cond"]
    assert "conditions set on 2027-01-04 by mjones not accepted" in cond["message"]
    assert "who must act: Jane Smith (declarant), to accept them " \
        f"(`coc accept {register['cond']}`)" in cond["message"]


def test_yearly_attestations_due_after_31_march(register):
    assert found(overdue_on("2027-03-31", register["root"])[1], "attestation-due") == []
    code, findings = overdue_on("2027-04-01", register["root"])
    assert code == 1
    due = found(findings, "attestation-due")
    people = sorted(str(f["field"]).removeprefix("people.") for f in due)
    # jsmith and mjones attested for 2027; pbrown's attestation is for 2026, so it does not count
    assert people == ["agreen", "ccarter", "ddavies", "hhughes", "hreed", "kpatel", "mokafor",
                      "pbrown", "sshah"]
    pat = next(f for f in due if f["field"] == "people.pbrown")
    assert pat["path"] == "people.yaml" and "due by 2027-03-31" in pat["message"]
    assert "who must act: Pat Brown (`coc declare attestation --year 2027`)" in pat["message"]


def test_continuing_declaration_due_for_yearly_review(register):
    # kpatel's interest was approved on 4 January 2027 and nothing has happened to it since
    assert found(overdue_on("2028-01-04", register["root"])[1], "review-due") == []
    code, findings = overdue_on("2028-01-05", register["root"])
    reviews = {f["record_id"]: f["message"] for f in found(findings, "review-due")}
    # and jsmith's outside work, approved on 4 January 2027 (her attestation was the same day)
    assert code == 1 and set(reviews) == {register["int"], register["cond"]}
    assert "not reviewed since 2027-01-04: due for review by 2028-01-04" in reviews[register["int"]]
    assert "who must act: Kiran Patel (declarant)" in reviews[register["int"]]
    # outside work not yet approved is chased for its approval, not for a review
    assert register["out"] not in reviews


def test_text_and_junit_output(register):
    with freeze_time("2027-01-19"):
        text = run(register["root"], "overdue")
        junit = run(register["root"], "overdue", "--format", "junit")
    assert text.exit_code == 1 and junit.exit_code == 1
    lines = text.output.splitlines()
    assert len(lines) == 4
    assert all(": error: " in line and "who must act: " in line for line in lines)
    assert any(line.startswith(f"registers/housing/criminal-matter/2027/{register['crm']}.yaml: ")
               for line in lines)
    assert '<testsuite name="coc overdue" tests="4" failures="4">' in junit.output


def test_acting_clears_what_was_overdue(make_register, coc):
    root = make_register("luton")
    set_practice(root, "decision_period_working_days: 10", "decision_period_working_days: 2")
    with freeze_time(DAY0):
        gift = declare(root, "property-use", "--item", "Laptop", "--purpose", "Training",
                       "--from-date", "2027-06-01", user="jsmith")
        work = declare(root, "outside-work", "--organisation", "Evening classes", "--role",
                       "Tutor", "--paid", "yes", "--start-date", "2027-03-01",
                       "--hours-per-week", "3", "--working-pattern", "Tuesdays", user="jsmith")
        ok(coc(root, "approve", work, "--conditions", "Not in working hours", user="mjones"))
    # the period set in coc.yaml: two working days after Monday is Wednesday
    assert overdue_on("2027-01-06", root)[0] == 0
    code, findings = overdue_on("2027-01-07", root)
    assert code == 1 and {(f["rule"], f["record_id"]) for f in findings} == {
        ("overdue-decision", gift), ("conditions-not-accepted", work)}
    assert "2 working days, coc.yaml practice.decision_period_working_days" in \
        str(findings[0]["message"])
    with freeze_time("2027-01-07"):
        ok(coc(root, "approve", gift, user="mjones"))
        ok(coc(root, "accept", work, user="jsmith"))
        result = coc(root, "overdue")
    assert (result.exit_code, result.output) == (0, "")


def test_a_late_notification_is_acknowledged_by_the_next_working_day_after_it(make_register):
    root = make_register("luton")
    with freeze_time("2027-01-08"):   # Friday; the caution was on Monday, due Tuesday
        crm = declare(root, "criminal-matter", "--event", "caution", "--event-date", DAY0,
                      "--subject", "self", "--late-reason", "I was away", user="agreen")
    assert overdue_on("2027-01-11", root) == (0, [])     # Monday: the next working day
    code, findings = overdue_on("2027-01-12", root)
    assert code == 1 and [f["record_id"] for f in findings] == [crm]
    assert "declared late on 2027-01-08" in str(findings[0]["message"])


def test_a_broken_record_is_left_to_validate(make_register, coc):
    root = make_register("luton")
    bad = root / "registers/housing/gift/2026/GIF-2026-AAAAAA.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("id: GIF-2026-AAAAAA\nkind: gift\ndeclarant: jsmith\ndeclared_on: 2020-01-06\n")
    (root / "registers/housing/gift/2026/GIF-2026-BBBBBB.yaml").write_text("[[[")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "broken", "--no-verify")
    result = coc(root, "overdue")
    assert (result.exit_code, result.output) == (0, "")
    assert coc(root, "validate", "--all").exit_code == 1
