"""The yearly campaign (issue 12): coc.yaml practice.campaign, `coc campaign open YEAR`,
`coc campaign progress YEAR`, `coc campaign non-declarers YEAR [--format csv|md]`.

Neither code has a yearly return (issue 8, contract 5): every line cites `coc.yaml
practice.campaign`, never a section. Through the real CLI on real git registers.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from freezegun import freeze_time

from conftest import EXAMPLE_EMAILS, git

OPEN_DAY = "2027-02-01"


def set_who(root: Path, who: str) -> None:
    if who == "everyone":
        return   # as coc init writes it
    text = (root / "coc.yaml").read_text()
    assert "    who: everyone" in text
    (root / "coc.yaml").write_text(text.replace("    who: everyone", f"    who: {who}", 1))
    git(root, "commit", "-qam", "campaign: who", email=EXAMPLE_EMAILS["mokafor"])


def open_campaign(coc, root: Path, year: str = "2027", user: str = "hreed") -> dict:
    with freeze_time(OPEN_DAY):
        result = coc(root, "campaign", "open", year, "--json", user=user)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def declare(coc, root: Path, kind: str, *flags: str, user: str) -> str:
    result = coc(root, "declare", kind, *flags, "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def attest(coc, root: Path, user: str, nil: bool) -> str:
    return declare(coc, root, "attestation", "--year", "2027", "--read-code", "yes",
                   "--nil-return", "yes" if nil else "no", user=user)


@pytest.fixture(params=["luton", "milton-keynes"])
def root(request, make_register) -> Path:
    return make_register(request.param)


def test_coc_init_writes_the_campaign_as_the_organisations_practice(root):
    text = (root / "coc.yaml").read_text()
    assert "  campaign:" in text and 'opens: "02-01"' in text and "who: everyone" in text
    assert "The organisation's own practice, not the code's" in text


@pytest.mark.parametrize("who, expected", [
    ("everyone", set(EXAMPLE_EMAILS)),
    ("{grade_at_least: K}", {"ccarter", "mokafor", "ddavies", "sshah", "hhughes"}),
    ("decision-makers", {"sshah", "kpatel"}),
])
def test_open_records_who_is_asked_in_one_commit_by_hr(make_register, coc, who, expected):
    root = make_register("luton")
    text = (root / "people.yaml").read_text()
    for old in ("[senior-manager, politically-restricted]", "[works-with-children]"):
        assert text.count(old) == 1
        text = text.replace(old, old[:-1] + ", decision-maker]")
    (root / "people.yaml").write_text(text)
    git(root, "commit", "-qam", "flags", email=EXAMPLE_EMAILS["hreed"])
    set_who(root, who)
    before = git(root, "rev-parse", "HEAD").strip()
    out = open_campaign(coc, root)
    assert set(out["people"]) == expected
    assert out["opens"] == "2027-02-01" and out["closes"] == "2027-03-31"
    assert out["kinds"] == ["interest", "outside-work", "voluntary-work", "directorship", "gift",
                            "hospitality"]
    assert git(root, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(root, "show", "--name-only", "--format=%ae%n%s", "HEAD").split("\n")[:3] == [
        "harper.reed@example.gov.uk",
        f"campaign: open 2027 by hreed ({len(expected)} asked for a return by 2027-03-31; "
        "coc.yaml practice.campaign)", ""]
    recorded = (root / "campaigns" / "2027.yaml").read_text()
    assert "(coc.yaml practice.campaign: the organisation's practice, not the\n# code's)" \
        in recorded
    assert "§" not in recorded
    # the hook and the audit accept it
    assert coc(root, "audit").exit_code == 0


def test_open_twice_or_by_someone_not_in_hr_is_refused(root, coc):
    open_campaign(coc, root)
    with freeze_time(OPEN_DAY):
        again = coc(root, "campaign", "open", "2027", user="hreed")
        assert again.exit_code == 1 and "was opened on 2027-02-01 by hreed" in again.output
        other = coc(root, "campaign", "open", "2028", user="mjones")
        assert other.exit_code == 1 and "only HR or the Monitoring Officer" in other.output
    assert not (root / "campaigns" / "2028.yaml").exists()
    closed = coc(root, "campaign", "open", "2025", user="hreed")
    assert closed.exit_code == 1 and "window closed on 2025-03-31" in closed.output


def test_a_campaign_file_changed_by_hand_is_refused_by_the_hook_and_reported_by_audit(root, coc):
    open_campaign(coc, root)
    path = root / "campaigns" / "2027.yaml"
    path.write_text(path.read_text().replace("  - id: mjones\n    department: housing\n", ""))
    env = {**os.environ, "GIT_AUTHOR_NAME": "Max Jones",
           "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["mjones"],
           "GIT_COMMITTER_NAME": "Max Jones", "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS["mjones"]}
    hooked = subprocess.run(["git", "commit", "-qam", "not me"], cwd=root, env=env,
                            capture_output=True, text=True)
    assert hooked.returncode != 0
    assert "campaigns/2027.yaml" in hooked.stdout + hooked.stderr
    forced = subprocess.run(["git", "commit", "-qam", "not me", "--no-verify"], cwd=root,
                            env=env, capture_output=True, text=True)
    assert forced.returncode == 0
    audit = coc(root, "audit", "--format", "json")
    assert any(f["rule"] == "file-authority" and "campaigns/2027.yaml" in f["message"]
               for f in json.loads(audit.stdout)), audit.output


@pytest.fixture
def running(root, coc) -> Path:
    """The 2027 campaign, with a return of each sort by 1 March 2027."""
    open_campaign(coc, root)
    with freeze_time("2027-02-10"):
        attest(coc, root, "jsmith", nil=True)                  # nil return
        attest(coc, root, "pbrown", nil=False)                 # returned
        declare(coc, root, "interest", "--nature", "membership", "--organisation",
                "Allotment society", "--description", "Treasurer", "--arose-on", "2027-02-09",
                user="agreen")                                 # a covered declaration
        text = (root / "people.yaml").read_text().replace(
            "  - id: kpatel\n", "  - id: kpatel\n    left: 2027-02-28\n")
        (root / "people.yaml").write_text(text)
        git(root, "commit", "-qam", "kpatel left", email=EXAMPLE_EMAILS["hreed"])
    return root


def test_progress_per_department(running, coc):
    with freeze_time("2027-03-01"):
        result = coc(running, "campaign", "progress", "2027", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["department"]: r for r in json.loads(result.stdout)["departments"]}
    assert rows["housing"] == {"department": "housing", "returned": 2, "nil return": 1,
                               "outstanding": 4, "left": 0, "asked": 7}
    assert rows["childrens-services"]["left"] == 1
    assert rows["childrens-services"]["outstanding"] == 0
    assert rows["all"]["asked"] == 11 and rows["all"]["outstanding"] == 7
    with freeze_time("2027-03-01"):
        text = coc(running, "campaign", "progress", "2027")
    assert "[coc.yaml practice.campaign]" in text.output and "§" not in text.output
    assert "housing" in text.output and "nil return" in text.output
    with freeze_time("2027-03-01"):
        md = coc(running, "campaign", "progress", "2027", "--format", "md")
    assert "| housing " in md.output and "| department " in md.output


def test_non_declarers_as_csv_and_markdown(running, coc):
    text = (running / "people.yaml").read_text().replace(
        "name: Max Jones", "name: \"=HYPERLINK(\\\"http://x\\\")\"")
    (running / "people.yaml").write_text(text)
    git(running, "commit", "-qam", "name", email=EXAMPLE_EMAILS["hreed"])
    with freeze_time("2027-04-01"):
        result = coc(running, "campaign", "non-declarers", "2027", "--format", "csv")
        md = coc(running, "campaign", "non-declarers", "2027", "--format", "md")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["id"] for r in rows} == {"ccarter", "mokafor", "hreed", "ddavies", "sshah",
                                       "hhughes", "mjones"}
    formula = next(r for r in rows if r["id"] == "mjones")
    assert formula["name"] == "'=HYPERLINK(\"http://x\")"      # neutralised
    assert not any(c.startswith(("=", "+", "-", "@")) for r in rows for c in r.values())
    assert md.exit_code == 0 and md.output.startswith("# 2027: no declarations return")
    assert "| Jane Smith" not in md.output and "Hana Hughes" in md.output


def test_a_campaign_not_opened_and_a_practice_not_switched_on(make_register, coc):
    root = make_register("luton")
    result = coc(root, "campaign", "progress", "2027")
    assert result.exit_code == 1 and "no 2027 campaign has been opened" in result.output
    text = (root / "coc.yaml").read_text()
    start = text.index("  campaign:")
    end = text.index("require_signed_commits")
    (root / "coc.yaml").write_text(text[:start] + text[end:])
    git(root, "commit", "-qam", "no campaign", email=EXAMPLE_EMAILS["mokafor"])
    refused = coc(root, "campaign", "open", "2027", user="hreed")
    assert refused.exit_code == 1
    assert "coc.yaml: practice.campaign: coc.yaml has no practice.campaign" in refused.output


@pytest.mark.parametrize("block, expected", [
    ("who: somebody", "practice.campaign.who: must be everyone, decision-makers"),
    ("who: {grade_at_least: Z}", "practice.campaign.who.grade_at_least: grade 'Z' is not on"),
    ('opens: "04-01"', "practice.campaign.closes: closes (03-31) is before opens (04-01)"),
    ('opens: "02-30"', "practice.campaign.opens: must be a day every year has"),
    ("kinds: wrong\n    who: everyone", "practice.campaign.kinds: must be a list of kinds"),
    ("colour: red", "practice.campaign.colour: unknown key"),
])
def test_bad_campaign_settings_are_one_line_errors(make_register, coc, block, expected):
    root = make_register("luton")
    line = '    opens: "02-01"' if block.startswith("opens") else "    who: everyone"
    text = (root / "coc.yaml").read_text()
    if block.startswith("kinds"):
        text = re.sub(r"\n    kinds: .*", "", text)
    text = text.replace(line, f"    {block}", 1)
    (root / "coc.yaml").write_text(text)
    result = coc(root, "list")
    assert result.exit_code == 1 and expected in result.output, result.output
    assert result.output.startswith("coc: error: coc.yaml:")


def test_a_kind_the_policy_does_not_offer_is_named_when_opening(make_register, coc):
    root = make_register("milton-keynes")
    text = (root / "coc.yaml").read_text().replace(
        "kinds: [interest,", "kinds: [driving-disqualification, interest,", 1)
    (root / "coc.yaml").write_text(text)
    git(root, "commit", "-qam", "kinds", email=EXAMPLE_EMAILS["mokafor"])
    with freeze_time(OPEN_DAY):
        result = coc(root, "campaign", "open", "2027", user="hreed")
    assert result.exit_code == 1
    assert "practice.campaign.kinds: milton-keynes has no kind 'driving-disqualification'" \
        in result.output


def test_overdue_chases_only_those_the_campaign_asks(make_register, coc):
    root = make_register("luton")
    set_who(root, "{grade_at_least: K}")
    with freeze_time("2027-04-05"):
        result = coc(root, "overdue", "--format", "json")
    chased = {f["field"] for f in json.loads(result.stdout) if f["rule"] == "attestation-due"}
    assert chased == {f"people.{p}" for p in ("ccarter", "mokafor", "ddavies", "sshah",
                                              "hhughes")}


@pytest.mark.parametrize("text, expected", [
    ("year: 2026\n", "campaigns/2027.yaml: year: must be 2027"),
    ("- 1\n", "campaigns/2027.yaml: expected a mapping"),
    ("year: 2027\nopened_on: 2027-02-01\nopened_by: hreed\nopens: 2027-02-01\n"
     "closes: 2027-03-31\nwho: everyone\nkinds: [gift]\npeople: [{id: ../x, department: a}]\n",
     "campaigns/2027.yaml: people[0]: must be {id: PERSON, department: DEPARTMENT}"),
    ("a: &a [*a]\n", "campaigns/2027.yaml"),
])
def test_a_broken_campaign_file_is_one_line_naming_it(make_register, coc, text, expected):
    root = make_register("luton")
    (root / "campaigns").mkdir()
    (root / "campaigns" / "2027.yaml").write_text(text)
    for command in ("progress", "non-declarers"):
        result = coc(root, "campaign", command, "2027")
        assert result.exit_code == 1 and result.output.startswith("coc: error: campaigns/2027.yaml")
        assert expected.split(": ", 1)[-1] in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


# -- campaign returns in `coc inbox` and `coc remind` ---------------------------------------------
def inbox_of(coc, root: Path, person: str, day: str) -> list[dict]:
    with freeze_time(day):
        result = coc(root, "inbox", "--for", person, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_inbox_shows_a_campaign_return_to_those_outstanding(running, coc):
    items = inbox_of(coc, running, "hhughes", "2027-03-01")
    returns = [i for i in items if i["source"] == "campaigns"]
    assert len(returns) == 1
    item = returns[0]
    assert item["action"] == "campaign return" and item["deadline"] == "2027-03-31"
    assert item["section"] == "coc.yaml practice.campaign" and not item["overdue"]
    assert "campaign return due" in item["why"] and "§" not in json.dumps(item)
    assert item["command"] == "coc declare attestation --year 2027 --read-code yes --nil-return yes"
    for done in ("jsmith", "pbrown", "agreen"):      # returned, nil return, declared
        assert not [i for i in inbox_of(coc, running, done, "2027-03-01")
                    if i["source"] == "campaigns"], done
    assert inbox_of(coc, running, "kpatel", "2027-03-01") == []     # left: nothing, ever
    # after the window: overdue, and the same return is not also chased as an attestation
    late = inbox_of(coc, running, "hhughes", "2027-04-05")
    assert [i["source"] for i in late if i["kind"] == "attestation"] == ["campaigns"]
    assert [i for i in late if i["source"] == "campaigns"][0]["overdue"]
    # before the window opens, nothing
    assert not [i for i in inbox_of(coc, running, "hhughes", "2027-01-29")
                if i["source"] == "campaigns"]


def test_remind_sends_the_campaign_return_to_those_outstanding_only(make_register, coc):
    from test_remind import REAL_CLOCK, Server, configure, free_port, reminders_block
    from test_remind import start as start_smtp

    root = make_register("luton")
    open_campaign(coc, root)
    with freeze_time("2027-02-10"):
        attest(coc, root, "jsmith", nil=True)
        text = (root / "people.yaml").read_text().replace(
            "  - id: kpatel\n", "  - id: kpatel\n    left: 2027-02-28\n")
        (root / "people.yaml").write_text(text)
        git(root, "commit", "-qam", "kpatel left", email=EXAMPLE_EMAILS["hreed"])
    server = Server(free_port())   # a real SMTP server (aiosmtpd), as tests/test_remind.py
    controller = start_smtp(server)
    try:
        configure(root, reminders_block(server.port))
        with freeze_time("2027-03-01", ignore=REAL_CLOCK):
            result = coc(root, "remind", "--send", user="hreed")
            assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    got = {r.message["To"].addresses[0].addr_spec: r.message.get_content() for r in server.got}
    outstanding = {"ccarter", "mokafor", "hreed", "ddavies", "sshah", "hhughes", "mjones",
                   "pbrown", "agreen"}
    assert set(got) == {EXAMPLE_EMAILS[p] for p in outstanding}
    for person in outstanding:
        body = got[EXAMPLE_EMAILS[person]]
        assert "campaign return due: the 2027 declarations campaign" in body
        assert "coc declare attestation --year 2027 --read-code yes --nil-return yes" in body
        assert "2027-03-31" in body and "coc.yaml practice.campaign" in body
    assert EXAMPLE_EMAILS["jsmith"] not in got        # returned
    assert EXAMPLE_EMAILS["kpatel"] not in got        # left: never reminded
