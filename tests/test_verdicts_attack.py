"""Issue 8, attacked: ways round contracts 2 and 3 that a first pass left open.

Each test tries the way round first, through the real CLI, the real hook and `coc audit` on
a real register of the example organisation (jsmith reports to mjones, mjones to hhughes).
"""
from __future__ import annotations

import subprocess
from datetime import date, timedelta

from freezegun import freeze_time
from ruamel.yaml import YAML

from conftest import EXAMPLE_EMAILS, git
from test_verdicts import approve, declare, gift, head, iso, show

TODAY = date.today()


def record_path(root, record_id):
    (path,) = root.glob(f"registers/*/*/*/{record_id}.yaml")
    return path


def hand_approve(root, record_id, *, verify: bool) -> str:
    """mjones appends an approval by hand and commits it: the hook runs unless told not to."""
    path = record_path(root, record_id)
    yaml = YAML()
    data = yaml.load(path.read_text())
    data["decisions"].append({"decision": "approved", "by": "mjones",
                              "at": f"{iso(TODAY)}T12:00:00+00:00", "as": "line manager",
                              "details_version": 0})
    with path.open("w") as out:
        yaml.dump(data, out)
    args = ["commit", "-qam", f"approve(gift): {record_id} by mjones"]
    return git(root, *args, *([] if verify else ["--no-verify"]), email=EXAMPLE_EMAILS["mjones"])


# --- contract 2 -------------------------------------------------------------------------------

def test_mk_s6_an_approval_appended_after_a_rejection_does_not_reopen_the_gift(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "gift", *gift("300", "kept"))
    rejected = coc(root, "reject", record_id, "--reason", "over £25", user="mjones")
    assert rejected.exit_code == 0, rejected.output
    assert coc(root, "validate", "--all").exit_code == 0      # the breach is handled
    assert approve(coc, root, record_id, "mjones").exit_code == 1   # the CLI refuses
    hand_approve(root, record_id, verify=False)
    assert show(coc, root, record_id)["status"] == "approved"
    validated = coc(root, "validate", "--all")
    assert validated.exit_code == 1 and "MK §6" in validated.output, validated.output
    audited = coc(root, "audit")
    assert audited.exit_code == 1, audited.output
    assert "decision-sequence" in audited.output and "approves-breach" in audited.output


def test_mk_s6_the_hook_refuses_an_approval_appended_after_a_rejection(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "gift", *gift("300", "kept"))
    assert coc(root, "reject", record_id, "--reason", "no", user="mjones").exit_code == 0
    before = head(root)
    try:
        hand_approve(root, record_id, verify=True)
    except subprocess.CalledProcessError as refused:     # git's non-zero exit, from the hook
        assert "already rejected" in refused.stderr, refused.stderr
    else:
        raise AssertionError("the hook let an approval after a rejection through")
    assert head(root) == before


def test_mk_s6_a_hand_edited_value_the_rules_cannot_read_is_never_approved(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "gift", *gift("300", "kept"))
    path = record_path(root, record_id)
    path.write_text(path.read_text().replace("value_gbp: '300.00'", "value_gbp: lots"))
    git(root, "commit", "-qam", "edit", "--no-verify")
    assert approve(coc, root, record_id, "mjones").exit_code == 1
    hand_approve(root, record_id, verify=False)
    audited = coc(root, "audit")
    assert audited.exit_code == 1 and "approves-breach" in audited.output, audited.output


# --- contract 3 -------------------------------------------------------------------------------

def test_mk_s11_a_relationship_ending_next_week_protects_until_then(make_register, coc):
    root = make_register("milton-keynes")
    rel = declare(coc, root, "relationship", "--other-person", "mjones", "--relationship",
                  "partner", "--context", "line-management", "--arrangements",
                  "Hana decides for Jane")
    ends = TODAY + timedelta(days=7)
    ended = coc(root, "end", rel, "--on", iso(ends), "--reason", "moving team", user="jsmith")
    assert ended.exit_code == 0, ended.output
    record_id = declare(coc, root, "gift", *gift())
    named = [p["id"] for p in show(coc, root, record_id)["awaiting"]["people"]]
    assert "mjones" not in named and named == ["hhughes"]
    refused = approve(coc, root, record_id, "mjones")
    assert refused.exit_code == 1 and "relationship" in refused.output, refused.output
    with freeze_time(ends + timedelta(days=1)):
        named = [p["id"] for p in show(coc, root, record_id)["awaiting"]["people"]]
        assert named[0] == "mjones"


def test_mk_s11_a_relationship_naming_the_manager_in_another_case_or_by_email_protects(
        make_register, coc):
    for spelled in ("MJones", EXAMPLE_EMAILS["mjones"].upper()):
        root = make_register("milton-keynes")
        declare(coc, root, "relationship", "--other-person", spelled, "--relationship",
                "partner", "--context", "line-management", "--arrangements",
                "Hana decides for Jane")
        record_id = declare(coc, root, "gift", *gift())
        named = [p["id"] for p in show(coc, root, record_id)["awaiting"]["people"]]
        assert named == ["hhughes"], (spelled, named)
        refused = approve(coc, root, record_id, "mjones")
        assert refused.exit_code == 1 and "relationship" in refused.output, (spelled, refused.output)
        declared = coc(root, "declare", "gift", *gift("5"), "--no-input")
        assert "Awaiting: Hana Hughes" in declared.output, declared.output


def test_mk_s11_a_partner_named_by_email_who_manages_is_a_breach_without_arrangements(
        make_register, coc):
    root = make_register("milton-keynes")
    rel = declare(coc, root, "relationship", "--other-person", EXAMPLE_EMAILS["jsmith"],
                  "--relationship", "partner", "--context", "decision", user="mjones")
    validated = coc(root, "validate", "--all")
    assert validated.exit_code == 1 and "MK §11" in validated.output, validated.output
    assert approve(coc, root, rel, "hhughes").exit_code == 1
