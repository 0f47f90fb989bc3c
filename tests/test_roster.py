"""`coc people import HR.csv --mapping FILE`: people.yaml from an HR export (issue 12).

Through the real CLI on real registers, with the mapping that ships in templates/roster/ and a
roster CSV written here: a first import adopts the example organisation (matched by email), a
second brings a joiner, a leaver and a changed manager. Hostile rows change nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from coc.registers.yamlio import load_fast
from conftest import EXAMPLE_EMAILS, git

MAPPING = Path(__file__).resolve().parents[1] / "templates" / "roster" / "hr-export.mapping.yaml"
HEADER = ("Employee Number,Forename,Surname,Work Email,Department,Job Title,Grade,FTE,"
          "Manager Employee Number,Leaving Date,Decision Maker\n")
# the example organisation (templates/register/people.example.yaml) as an HR system exports it
ROWS = {
    "E001": "E001,Chris,Carter,chris.carter@example.gov.uk,Corporate,Chief Executive,M,1,,,yes",
    "E002": "E002,Morgan,Okafor,morgan.okafor@example.gov.uk,Legal,Monitoring Officer,L,1,"
            "E001,,yes",
    "E003": "E003,Harper,Reed,harper.reed@example.gov.uk,HR,HR Business Partner,G,1,E001,,no",
    "E004": "E004,Dana,Davies,dana.davies@example.gov.uk,Housing,Director of Housing,M,1,E001,,yes",
    "E005": "E005,Sam,Shah,sam.shah@example.gov.uk,Housing,"
            "\"Service Director, Housing Services\",L,1,E004,,yes",
    "E006": "E006,Hana,Hughes,hana.hughes@example.gov.uk,Housing,Head of Housing Needs,K,1,E005,,",
    "E007": "E007,Max,Jones,max.jones@example.gov.uk,Housing,Housing Service Manager,J,1,E006,,",
    "E008": "E008,Jane,Smith,jane.smith@example.gov.uk,Housing,Housing Officer,F,1,E007,,",
    "E009": "E009,Pat,Brown,pat.brown@example.gov.uk,Housing,Senior Housing Officer,H,0.5,E007,,",
    "E010": "E010,Alex,Green,alex.green@example.gov.uk,Housing,Tenancy Enforcement Officer,H,1,"
            "E007,,",
    "E011": "E011,Kiran,Patel,kiran.patel@example.gov.uk,Childrens Services,Social Worker,G,1,"
            "E004,,",
}


def roster(tmp_path: Path, rows: dict[str, str], name: str = "hr.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows.values()) + "\n")
    return path


def people(root: Path) -> dict[str, dict]:
    data = load_fast((root / "people.yaml").read_bytes(), "people.yaml")
    return {p["id"]: p for p in data["people"]}


def run(coc, root: Path, source: Path, *extra: str, user: str = "hreed"):
    return coc(root, "people", "import", str(source), "--mapping", str(MAPPING), *extra, user=user)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def adopted(make_register, coc, tmp_path) -> Path:
    """A register whose people.yaml has been matched once to the HR export."""
    root = make_register("luton")
    with freeze_time("2027-01-04"):
        result = run(coc, root, roster(tmp_path, ROWS, "first.csv"))
    assert result.exit_code == 0, result.output
    assert people(root)["jsmith"]["employee_number"] == "E008"
    return root


def test_the_first_import_adopts_people_by_email_and_changes_nothing_else(adopted):
    now = people(adopted)
    assert now["pbrown"]["contracted_hours"] == 18.5 and now["pbrown"]["hours"] == "part-time"
    assert now["ccarter"]["flags"] == ["chief-officer", "decision-maker"]   # its own flag kept
    assert now["hreed"]["roles"] == ["hr"]          # roles are coc's own
    assert set(now) == set(EXAMPLE_EMAILS)
    # comments at the top of people.yaml are kept
    assert (adopted / "people.yaml").read_text().startswith("# EXAMPLE ORGANISATION")


def test_joiner_leaver_and_changed_manager_in_one_commit_with_a_readable_diff(
        adopted, coc, tmp_path):
    rows = dict(ROWS)
    rows["E009"] = ROWS["E009"].replace(",E007,,", ",E007,26/02/2027,")           # leaver
    rows["E010"] = ROWS["E010"].replace(",E007,,", ",E006,,")                     # new manager
    rows["E012"] = "E012,Toni,New,toni.new@example.gov.uk,Housing,Housing Officer,E,1,E007,,"
    source = roster(tmp_path, rows)
    before = head(adopted)
    with freeze_time("2027-02-01"):
        dry = run(coc, adopted, source, "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert head(adopted) == before and git(adopted, "status", "--porcelain") == ""
        result = run(coc, adopted, source)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "- pbrown leaves: left: (none) -> 2027-02-26" in lines
    assert "~ agreen changes: manager: mjones -> hhughes" in lines
    assert any(line.startswith("+ toni.new joins: Toni New (") and "manager: mjones" in line
               for line in lines), result.output
    assert dry.output.splitlines()[:3] == lines[:3]             # the dry run showed the same
    assert int(git(adopted, "rev-list", "--count", f"{before}..HEAD")) == 1
    assert git(adopted, "show", "--name-only", "--format=", "HEAD").split() == ["people.yaml"]
    assert git(adopted, "log", "-1", "--format=%ae %s").startswith(
        "harper.reed@example.gov.uk people: import hr.csv by hreed")
    # only the entries that change are rewritten: every other line stays as it was
    diff = git(adopted, "diff", "--unified=0", "HEAD~1", "--", "people.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-"
               and not line.startswith(("+++", "---"))]
    assert [line for line in changed if line.startswith("-")] == ["-    manager: mjones"], diff
    added = [line for line in changed if line.startswith("+")]
    assert added[:3] == ["+    left: 2027-02-26", "+    manager: hhughes", "+  - id: toni.new"]
    assert len(added) == 12, diff       # the joiner's ten lines
    now = people(adopted)
    assert str(now["pbrown"]["left"]) == "2027-02-26"        # marked left, never removed
    assert now["agreen"]["manager"] == "hhughes"
    assert now["toni.new"] == {"id": "toni.new", "employee_number": "E012", "name": "Toni New",
                               "email": "toni.new@example.gov.uk", "department": "housing",
                               "job_title": "Housing Officer", "grade": "E",
                               "manager": "mjones", "hours": "full-time",
                               "contracted_hours": 37}
    # the register is still valid, and the audit finds nothing wrong with the import
    assert coc(adopted, "validate", "--all").exit_code == 0
    audit = coc(adopted, "audit", "--format", "json")
    assert not [f for f in json.loads(audit.stdout) if "people.yaml" in json.dumps(f)], audit.output
    # the same export again changes nothing
    again = run(coc, adopted, source)
    assert again.exit_code == 0 and "nothing to change" in again.output
    assert int(git(adopted, "rev-list", "--count", f"{before}..HEAD")) == 1


def test_only_hr_or_the_monitoring_officer_may_import(adopted, coc, tmp_path):
    rows = {**ROWS, "E012": "E012,Toni,New,toni.new@example.gov.uk,Housing,Officer,E,1,E007,,"}
    source = roster(tmp_path, rows)
    before = head(adopted)
    refused = run(coc, adopted, source, user="mjones")
    assert refused.exit_code == 1
    assert "does not hold the role that owns it (hr or monitoring-officer)" in refused.output
    assert head(adopted) == before and "toni.new" not in people(adopted)
    # the hook refuses the same change committed by hand by someone else
    run(coc, adopted, source, "--dry-run")
    text = (adopted / "people.yaml").read_text() + (
        "  - id: toni.new\n    name: Toni New\n    email: toni.new@example.gov.uk\n"
        "    department: housing\n")
    (adopted / "people.yaml").write_text(text)
    import subprocess
    import os
    env = {**os.environ, "GIT_AUTHOR_NAME": "Max Jones",
           "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["mjones"],
           "GIT_COMMITTER_NAME": "Max Jones", "GIT_COMMITTER_EMAIL": EXAMPLE_EMAILS["mjones"]}
    hooked = subprocess.run(["git", "commit", "-qam", "add toni"], cwd=adopted, env=env,
                            capture_output=True, text=True)
    assert hooked.returncode != 0 and "hr or monitoring-officer" in hooked.stdout + hooked.stderr
    git(adopted, "checkout", "--", "people.yaml")
    # the Monitoring Officer may
    assert run(coc, adopted, source, user="mokafor").exit_code == 0
    assert "toni.new" in people(adopted)


def test_an_hr_person_cannot_change_their_own_entry(adopted, coc, tmp_path):
    rows = {**ROWS, "E003": ROWS["E003"].replace(",G,1,", ",K,1,")}
    before = head(adopted)
    refused = run(coc, adopted, roster(tmp_path, rows))
    assert refused.exit_code == 1 and "changed their own grade" in refused.output
    assert head(adopted) == before


HOSTILE = {
    "formula": ("E012,=HYPERLINK(\"http://x\"),New,t@example.gov.uk,Housing,Officer,E,1,E007,,",
                "hr.csv:13: Forename: '=HYPERLINK(\"http://x\")' looks like a spreadsheet formula"),
    "fullwidth formula": ("E012,Toni,＋SUM(A1),t@example.gov.uk,Housing,Officer,E,1,E007,,",
                          "hr.csv:13: Surname:"),
    "control character": ("E012,Toni\x1b[31m,New,t@example.gov.uk,Housing,Officer,E,1,E007,,",
                          "hr.csv:13: Forename: contains the control character \\x1b"),
    "duplicate number": ("E008,Toni,New,t@example.gov.uk,Housing,Officer,E,1,E007,,",
                         "hr.csv:13: column 'Employee Number': employee number 'E008' is also "
                         "on line 9"),
    "unknown manager": ("E012,Toni,New,t@example.gov.uk,Housing,Officer,E,1,E999,,",
                        "hr.csv:13: column 'Manager Employee Number': manager 'E999' is not an "
                        "employee number"),
    "own manager": ("E012,Toni,New,t@example.gov.uk,Housing,Officer,E,1,E012,,",
                    "cannot be their own manager"),
    "bad grade": ("E012,Toni,New,t@example.gov.uk,Housing,Officer,Z,1,E007,,",
                  "hr.csv:13: column 'Grade': grade 'Z' is not on coc.yaml's scale"),
    "bad date": ("E012,Toni,New,t@example.gov.uk,Housing,Officer,E,1,E007,31/31/2027,",
                 "hr.csv:13: Leaving Date:"),
    "bad fte": ("E012,Toni,New,t@example.gov.uk,Housing,Officer,E,3,E007,,",
                "hr.csv:13: FTE: '3' is not between 0 and 1"),
    "no email": ("E012,Toni,New,,Housing,Officer,E,1,E007,,", "hr.csv:13: email: required"),
    "duplicate email": ("E012,Toni,New,jane.smith@example.gov.uk,Housing,Officer,E,1,E007,,",
                        "is also on line 9"),
    "path in department": ("E012,Toni,New,t@example.gov.uk,../../etc,Officer,E,1,E007,,", None),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_row_is_named_by_file_line_and_column_and_changes_nothing(adopted, coc, tmp_path,
                                                                          case):
    row, expected = HOSTILE[case]
    source = roster(tmp_path, {**ROWS, "E012": row})
    before, text = head(adopted), (adopted / "people.yaml").read_bytes()
    result = run(coc, adopted, source)
    assert "Traceback" not in result.output
    if expected is None:   # refused or made harmless: never a path outside registers/
        assert result.exit_code == 0, result.output
        assert people(adopted)["t"]["department"] == "etc"
        return
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert result.output.startswith("coc: error: ")
    assert head(adopted) == before and (adopted / "people.yaml").read_bytes() == text


def test_a_circle_of_managers_is_refused(adopted, coc, tmp_path):
    rows = {**ROWS, "E001": ROWS["E001"].replace(",1,,,yes", ",1,E008,,yes")}   # CE under Jane
    before = head(adopted)
    result = run(coc, adopted, roster(tmp_path, rows))
    assert result.exit_code == 1
    assert "line management goes round in a circle: E001 -> E008 -> E007" in result.output
    assert "hr.csv:2: column 'Manager Employee Number'" in result.output
    assert head(adopted) == before


def test_absent_people_are_kept_and_said_so(adopted, coc, tmp_path):
    rows = {k: v for k, v in ROWS.items() if k != "E011"}
    result = run(coc, adopted, roster(tmp_path, rows))
    assert result.exit_code == 0
    assert "not in the export, left as they are: kpatel" in result.output
    assert "left" not in people(adopted)["kpatel"]


def test_bad_mapping_files_are_one_line_errors(adopted, coc, tmp_path):
    for text, expected in (("fields: {roles: Roles}\n", "fields.roles: not a field"),
                           ("fields: {name: Name}\n", "required: a column for employee_number"),
                           ("[1, 2]\n", "must be a YAML mapping"),
                           ("absent: delete\nfields: {employee_number: A, name: B, email: C, "
                            "department: D}\n",
                            "absent: must be keep")):
        mapping = tmp_path / "bad.mapping.yaml"
        mapping.write_text(text)
        result = coc(adopted, "people", "import", str(roster(tmp_path, ROWS)), "--mapping",
                     str(mapping), user="hreed")
        assert result.exit_code == 1 and expected in result.output, (text, result.output)
        assert len(result.output.strip().splitlines()) == 1


def test_the_shipped_mapping_is_printed_by_coc_people_mapping(coc, make_register):
    root = make_register("luton")
    result = coc(root, "people", "mapping")
    assert result.exit_code == 0
    assert result.output == MAPPING.read_text()


def test_the_example_export_that_ships_with_the_mapping(make_register, coc):
    """templates/roster/example-hr-export.csv: the example organisation a month on, as the
    README imports it: a joiner, a leaver and a changed manager."""
    root = make_register("luton")
    source = MAPPING.parent / "example-hr-export.csv"
    with freeze_time("2026-12-03"):
        result = run(coc, root, source)
    assert result.exit_code == 0, result.output
    assert "- pbrown leaves: employee_number: (none) -> E009; left: (none) -> 2026-11-30" \
        in result.output.splitlines()
    now = people(root)
    assert now["agreen"]["manager"] == "hhughes" and "toni.new" in now
    assert "decision-maker" in now["sshah"]["flags"]


def test_a_people_yaml_of_another_layout_is_written_whole_and_still_reads_back(
        make_register, coc, tmp_path):
    import yaml

    root = make_register("luton")
    data = load_fast((root / "people.yaml").read_bytes(), "people.yaml")
    (root / "people.yaml").write_text("# flow style\n" + yaml.safe_dump(data,
                                                                       default_flow_style=True))
    git(root, "commit", "-qam", "flow", email=EXAMPLE_EMAILS["hreed"])
    result = run(coc, root, roster(tmp_path, ROWS))
    assert result.exit_code == 0, result.output
    assert (root / "people.yaml").read_text().startswith("# flow style\n")
    assert people(root)["jsmith"]["employee_number"] == "E008"
    assert coc(root, "validate", "--all").exit_code == 0


def test_a_move_of_department_says_where_the_records_stay(adopted, coc, tmp_path):
    rows = {**ROWS, "E008": ROWS["E008"].replace(",Housing,", ",Legal,")}
    result = run(coc, adopted, roster(tmp_path, rows), "--dry-run")
    assert result.exit_code == 0
    assert ("~ jsmith changes: department: housing -> legal; their records stay in "
            "registers/housing/ until HR moves them") in result.output.splitlines()
