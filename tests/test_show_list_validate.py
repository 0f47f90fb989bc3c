"""`coc show`, `coc list` and `coc validate` through the real CLI on one shared register
(issue 2): filters, JSON, and hand-edited or broken files reported with file, line and field
while the rest are still checked."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import GIFT_FLAGS, git


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """Jane's gift (approved by Max), Pat's outside work (waiting), Kiran's gift (by HR)."""
    from click.testing import CliRunner

    from coc.cli.init import init_register
    from coc.cli.main import cli
    from conftest import EXAMPLE_EMAILS

    root = tmp_path_factory.mktemp("reg") / "register"
    init_register(root, "milton-keynes")

    def run(user: str, *args: str) -> str:
        result = CliRunner().invoke(cli, ["-C", str(root), *args],
                                    env={"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS[user]})
        assert result.exit_code == 0, result.output
        return result.stdout

    gift = json.loads(run("jsmith", "declare", "gift", *GIFT_FLAGS, "--json"))["id"]
    work = json.loads(run("pbrown", "declare", "outside-work", "--organisation", "Bedford College",
                          "--role", "Tutor", "--paid", "yes", "--start-date", "2031-01-13",
                          "--hours-per-week", "6", "--working-pattern", "Tuesday evenings",
                          "--no-input", "--json"))["id"]
    other = json.loads(run("hreed", "declare", "gift", *GIFT_FLAGS, "--for", "kpatel",
                           "--json"))["id"]
    run("mjones", "approve", gift)
    return root, {"gift": gift, "work": work, "other": other}


def listed(coc, root: Path, *args: str) -> list[str]:
    result = coc(root, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return sorted(r["id"] for r in json.loads(result.stdout))


def test_list_filters_by_kind_status_and_person(register, coc):
    root, ids = register
    assert listed(coc, root) == sorted(ids.values())
    assert listed(coc, root, "--kind", "gift") == sorted([ids["gift"], ids["other"]])
    assert listed(coc, root, "--status", "approved") == [ids["gift"]]
    assert listed(coc, root, "--status", "submitted", "--kind", "gift") == [ids["other"]]
    assert listed(coc, root, "--person", "kpatel") == [ids["other"]]
    table = coc(root, "list").stdout
    assert ids["work"] in table and "Bedford College" in table and "submitted" in table


def test_list_shows_names_and_takes_a_name_or_email_for_person(register, coc):
    root, ids = register
    table = coc(root, "list").stdout
    assert "Pat Brown" in table and "Kiran Patel" in table
    assert listed(coc, root, "--person", "Kiran Patel") == [ids["other"]]
    assert listed(coc, root, "--person", "kiran.patel@example.gov.uk") == [ids["other"]]
    assert listed(coc, root, "--status", "APPROVED") == [ids["gift"]]


@pytest.mark.parametrize("args, message", [
    (("--kind", "gifts"), "no kind 'gifts' in the milton-keynes policy; did you mean gift?"),
    (("--person", "Keir Starmer"), "no one 'Keir Starmer' in people.yaml"),
    (("--person", "kpatle"), "did you mean kpatel?"),
])
def test_an_unknown_filter_is_an_error_not_an_empty_list(register, coc, args, message):
    root, _ = register
    result = coc(root, "list", *args)
    assert result.exit_code == 1 and message in result.stderr and result.stdout == ""


def test_list_refuses_an_unknown_status_as_a_usage_error(register, coc):
    root, _ = register
    assert coc(root, "list", "--status", "pending").exit_code == 2


def test_show_gives_status_deadline_and_who_must_act(register, coc):
    root, ids = register
    text = coc(root, "show", ids["work"]).stdout
    assert "[submitted]" in text and "awaiting:" in text and "Max Jones (line manager)" in text
    shown = json.loads(coc(root, "show", ids["work"], "--json").stdout)
    assert set(shown) >= {"id", "kind", "declarant", "status", "deadline", "findings", "path",
                          "record"}
    assert shown["deadline"] == "2031-02-10"   # MK §7 part-time Grade H: tell, 20 working days
    assert shown["record"]["details"]["organisation"] == "Bedford College"
    approved = json.loads(coc(root, "show", ids["gift"], "--json").stdout)
    assert approved["status"] == "approved"
    assert approved["record"]["decisions"][0]["by"] == "mjones"


@pytest.mark.parametrize("bad", ["GIF-2026-ABC", "../../etc/passwd", "GIF-2026-ABCDE1"])
def test_show_refuses_a_malformed_id(register, coc, bad):
    root, _ = register
    result = coc(root, "show", bad)
    assert result.exit_code == 1 and "is not a record id" in result.stderr


def test_show_of_a_record_that_does_not_exist(register, coc):
    root, _ = register
    result = coc(root, "show", "GIF-2026-AAAAAA")
    assert result.exit_code == 1 and "no record GIF-2026-AAAAAA" in result.stderr


def test_a_clean_register_validates_silently(register, coc):
    root, _ = register
    for fmt in ("text", "json"):
        result = coc(root, "validate", "--all", "--format", fmt)
        assert result.exit_code == 0, result.output
    assert coc(root, "validate", "--all").stdout == ""


def test_broken_and_hand_edited_files_are_reported_and_the_rest_still_checked(
        register, coc, tmp_path):
    root, ids = register
    work_path = next((root / "registers").rglob(f"{ids['work']}.yaml"))
    original = work_path.read_text()
    broken = root / "registers" / "housing" / "gift" / "2026" / "GIF-2026-BBBBBB.yaml"
    misplaced = root / "registers" / "housing" / "gift" / "GIF-2026-CCCCCC.yaml"
    try:
        # a hand edit: hours as text, and a float where money must be quoted
        work_path.write_text(original.replace("hours_per_week: 6", "hours_per_week: six"))
        broken.write_text("id: GIF-2026-BBBBBB\nkind: gift\n  details: [oops\n")
        misplaced.write_text("id: GIF-2026-CCCCCC\n")
        result = coc(root, "validate", "--all")
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        rel_work = work_path.relative_to(root).as_posix()
        hours_line = original.splitlines().index("  hours_per_week: 6") + 1
        assert any(line.startswith(f"{rel_work}:{hours_line}: details.hours_per_week: error:")
                   for line in lines), lines
        assert any(line.startswith("registers/housing/gift/2026/GIF-2026-BBBBBB.yaml:")
                   and "invalid YAML" in line for line in lines), lines
        assert any("GIF-2026-CCCCCC.yaml" in line for line in lines), lines
        # the other records were still checked: a breach planted in one is found too
        found = json.loads(coc(root, "validate", "--all", "--format", "json").stdout)
        assert {f["path"] for f in found} >= {rel_work,
                                               "registers/housing/gift/2026/GIF-2026-BBBBBB.yaml"}
        assert all({"rule", "section", "severity", "message", "line", "field"} <= set(f)
                   for f in found)
        report = ET.fromstring(coc(root, "validate", "--all", "--format", "junit").stdout)
        assert report.tag == "testsuite" and int(report.get("failures")) >= 3
        # one file alone, by path relative to the register (as `git -C`)
        single = coc(root, "validate", rel_work)
        assert single.exit_code == 1 and "GIF-2026-BBBBBB" not in single.stdout
    finally:
        work_path.write_text(original)
        broken.unlink()
        misplaced.unlink()
    assert coc(root, "validate", "--all").exit_code == 0
    assert git(root, "status", "--porcelain") == ""


def test_junit_lists_every_file_checked_passing_ones_too(register, coc):
    root, ids = register
    result = coc(root, "validate", "--all", "--format", "junit")
    assert result.exit_code == 0
    report = ET.fromstring(result.stdout)
    cases = {case.get("name") for case in report.iter("testcase")}
    assert len(cases) == 3 and all(any(i in name for name in cases) for i in ids.values())
    assert report.get("tests") == "3" and report.get("failures") == "0"


def test_validate_people_yaml_checks_it_as_the_people_file(register, coc, tmp_path):
    root, _ = register
    assert coc(root, "validate", "people.yaml").exit_code == 0
    assert coc(root, "validate", "coc.yaml").exit_code == 0
    draft = tmp_path / "people.yaml"
    draft.write_text((root / "people.yaml").read_text().replace("manager: mjones",
                                                                "manager: ghost", 1))
    result = coc(root, "validate", str(draft))
    assert result.exit_code == 1
    assert "manager 'ghost'" in result.stdout and "(register-files)" in result.stdout
    assert "not a record" not in result.stdout


def test_show_prints_yes_no_and_iso_dates_never_python_values(make_register, coc):
    """Booleans as yes/no, dates as ISO, in the details and in what an amendment changed
    (issue 10: no `True`, `None`, `datetime.date(...)` in what a person reads)."""
    root = make_register("luton")
    work = json.loads(coc(root, "declare", "outside-work", "--organisation", "Bedford College",
                          "--role", "Tutor", "--paid", "yes", "--consultancy", "no",
                          "--start-date", "2031-01-13", "--hours-per-week", "6",
                          "--no-input", "--json", user="pbrown").stdout)["id"]
    amended = coc(root, "amend", work, "--paid", "no", "--end-date", "2031-06-30", "--note",
                  "Unpaid now", user="pbrown")
    assert amended.exit_code == 0, amended.output
    text = coc(root, "show", work, user="pbrown").stdout
    lines = [line.split() for line in text.splitlines()]
    assert ["paid:", "no"] in lines and ["consultancy:", "no"] in lines, text
    assert ["end_date:", "2031-06-30"] in lines, text
    assert "paid: yes -> no" in text and "end_date: none -> 2031-06-30" in text, text
    for python in ("True", "False", "None", "datetime", "Decimal("):
        assert python not in text, text
