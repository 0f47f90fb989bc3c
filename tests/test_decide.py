"""approve / reject / accept / amend / end / withdraw through the real CLI on real register repos.

Each state change is one commit authored by the acting person; each refusal exits 1 and leaves
no commit and no changed file. The register's pre-commit hook (installed by `coc init`) runs
on every one of these commits too.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from coc.registers.yamlio import load_fast
from conftest import EXAMPLE_EMAILS, git

TODAY = date.today().isoformat()
SOON = (date.today() + timedelta(days=60)).isoformat()


def gift_flags(value: str = "12.50", outcome: str = "shared-with-team") -> tuple[str, ...]:
    return ("--received-on", TODAY, "--donor", "A. Supplier", "--description", "Box of chocolates",
            "--value-gbp", value, "--outcome", outcome)


OUTSIDE_WORK = ("--organisation", "Luton Town FC", "--role", "Steward", "--paid", "yes",
                "--start-date", SOON, "--hours-per-week", "10")


def declare(coc, root: Path, kind: str, *flags: str, user: str = "jsmith") -> str:
    result = coc(root, "declare", kind, *flags, "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def record_file(root: Path, record_id: str) -> Path:
    (path,) = root.glob(f"registers/*/*/*/{record_id}.yaml")
    return path


def load(root: Path, record_id: str) -> dict:
    """The record as coc reads it (YAML 1.2 core schema: `on:` is a key, not `true`)."""
    return load_fast(record_file(root, record_id).read_bytes(), record_id)


def status(coc, root: Path, record_id: str) -> str:
    return json.loads(coc(root, "show", record_id, "--json").output)["status"]


def last_commit(root: Path) -> tuple[str, str, str]:
    """(author name <email>, subject, body) of HEAD."""
    out = git(root, "log", "-1", "--format=%an <%ae>%x00%ce%x00%s%x00%b")
    author, committer, subject, body = out.split("\0")
    assert committer == author.split("<")[1].rstrip(">"), "the actor is also the committer"
    return author, subject, body.strip()


def assert_refused(coc, root: Path, args: tuple[str, ...], user: str, *expected: str) -> str:
    """Exit 1 naming the problem, with no commit made and no file changed."""
    head = git(root, "rev-parse", "HEAD")
    result = coc(root, *args, user=user)
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.output
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""
    return result.output


# approve / accept ------------------------------------------------------------------------------

def test_line_manager_approves_with_conditions_and_the_declarant_accepts(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())

    result = coc(root, "approve", gift, "--conditions", "Share them with the team", user="mjones")
    assert result.exit_code == 0, result.output
    assert "Jane Smith accepts the conditions" in result.output
    author, subject, body = last_commit(root)
    assert author == f"Max Jones <{EXAMPLE_EMAILS['mjones']}>"
    assert subject == f"approve(gift): {gift} by mjones"
    assert "Conditions: Share them with the team" in body
    decision = load(root, gift)["decisions"][0]
    assert {k: decision[k] for k in ("decision", "by", "as", "details_version", "conditions")} == {
        "decision": "approved", "by": "mjones", "as": "line manager", "details_version": 0,
        "conditions": "Share them with the team"}
    assert decision["at"].tzinfo is not None
    assert status(coc, root, gift) == "approved"

    result = coc(root, "accept", gift, user="jsmith")
    assert result.exit_code == 0, result.output
    author, subject, _ = last_commit(root)
    assert (author.split(" <")[0], subject) == ("Jane Smith", f"accept(gift): {gift} by jsmith")
    assert load(root, gift)["decisions"][1]["decision"] == "conditions-accepted"
    assert status(coc, root, gift) == "accepted"
    assert git(root, "log", "--format=%an", "--", str(record_file(root, gift).relative_to(root))) \
        .split("\n")[:3] == ["Jane Smith", "Max Jones", "Jane Smith"]


def test_approve_json_and_validate_clean_afterwards(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    result = coc(root, "approve", gift, "--json", user="mjones")
    out = json.loads(result.output)
    assert out["id"] == gift and out["status"] == "approved" and out["branch"] is None
    assert out["commit"] == git(root, "rev-parse", "HEAD").strip()
    assert coc(root, "validate", "--all").exit_code == 0


def test_reject_needs_a_reason_and_records_it(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert coc(root, "reject", gift, user="mjones").exit_code == 2
    result = coc(root, "reject", gift, "--reason", "From a bidder in a live tender", user="mjones")
    assert result.exit_code == 0, result.output
    _, subject, body = last_commit(root)
    assert subject == f"reject(gift): {gift} by mjones" and "Reason: From a bidder" in body
    assert load(root, gift)["decisions"][-1]["reason"] == "From a bidder in a live tender"
    assert status(coc, root, gift) == "rejected"


def test_a_notification_is_noted_not_approved(make_register, coc):
    root = make_register("luton")
    notice = declare(coc, root, "criminal-matter", "--event", "caution", "--event-date", TODAY,
                     "--subject", "self")
    assert_refused(coc, root, ("reject", notice, "--reason", "no"), "mjones",
                   "noted (acknowledged), not rejected")
    assert_refused(coc, root, ("approve", notice, "--conditions", "x"), "mjones",
                   "acknowledged, not approved")
    result = coc(root, "approve", notice, user="mjones")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Acknowledged (noted) {notice}")
    assert last_commit(root)[1] == f"note(criminal-matter): {notice} by mjones"
    assert load(root, notice)["decisions"][0]["decision"] == "noted"
    assert status(coc, root, notice) == "noted"


# who may decide --------------------------------------------------------------------------------

def test_the_declarant_cannot_approve_their_own(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert_refused(coc, root, ("approve", gift), "jsmith", "jsmith is the declarant",
                   "who may: Max Jones (line manager)")


def test_hr_who_recorded_it_cannot_approve_it(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags(), "--for", "jsmith", user="hreed")
    assert load(root, gift)["recorded_by"] == "hreed"
    assert_refused(coc, root, ("approve", gift), "hreed",
                   "hreed recorded it on the declarant's behalf", "who may: Max Jones")


def test_a_manager_from_another_line_cannot_approve(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags(), user="kpatel")
    assert_refused(coc, root, ("approve", gift), "mjones", "mjones may not decide this gift",
                   "who may: Dana Davies (line manager)")
    assert coc(root, "approve", gift, user="ddavies").exit_code == 0


def test_a_related_manager_is_passed_over_for_the_next_one_up(make_register, coc):
    root = make_register("milton-keynes")
    relationship = declare(coc, root, "relationship", "--other-person", "jsmith", "--relationship",
                           "partner", "--context", "line-management", user="mjones")
    gift = declare(coc, root, "gift", *gift_flags())
    assert_refused(coc, root, ("approve", gift), "mjones", "mjones may not decide",
                   relationship, "who may: Hana Hughes")
    result = coc(root, "approve", gift, user="hhughes")
    assert result.exit_code == 0, result.output
    decision = load(root, gift)["decisions"][0]
    assert decision["by"] == "hhughes" and decision["as"].startswith("next manager up")


def test_only_the_declarant_accepts_conditions(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert coc(root, "approve", gift, "--conditions", "Share them", user="mjones").exit_code == 0
    assert_refused(coc, root, ("accept", gift), "mjones", "only the declarant accepts")
    assert_refused(coc, root, ("accept", gift), "hreed", "only the declarant accepts")


def test_nothing_to_accept_without_conditions(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert_refused(coc, root, ("accept", gift), "jsmith", "no conditions waiting")
    assert coc(root, "approve", gift, user="mjones").exit_code == 0
    assert_refused(coc, root, ("accept", gift), "jsmith", "no conditions waiting")


def test_a_decided_record_is_not_decided_again(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert coc(root, "approve", gift, user="mjones").exit_code == 0
    assert_refused(coc, root, ("reject", gift, "--reason", "changed my mind"), "mjones",
                   "already approved", "coc amend")


def test_someone_not_in_people_yaml_is_refused(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert_refused(coc, root, ("approve", gift), "stranger@example.org", "stranger@example.org")


def test_bad_ids_and_unknown_records(make_register, coc):
    root = make_register("luton")
    assert coc(root, "approve", "../../etc/passwd", user="mjones").exit_code == 1
    result = coc(root, "approve", "GIF-2026-AAAAAA", user="mjones")
    assert result.exit_code == 1 and "no record GIF-2026-AAAAAA" in result.output


def test_uncommitted_edits_to_the_record_are_not_swept_into_a_decision(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    path = record_file(root, gift)
    path.write_text(path.read_text().replace("Box of chocolates", "Crate of wine"))
    result = coc(root, "approve", gift, user="mjones")
    assert result.exit_code == 1 and "not committed" in result.output
    assert "Crate of wine" in path.read_text() and not load(root, gift)["decisions"]


# amend / end / withdraw ------------------------------------------------------------------------

def test_amending_hours_needs_a_fresh_decision(make_register, coc):
    root = make_register("luton")
    work = declare(coc, root, "outside-work", *OUTSIDE_WORK)
    assert coc(root, "approve", work, "--conditions", "Not on duty days", user="mjones").exit_code == 0
    assert coc(root, "accept", work).exit_code == 0
    assert status(coc, root, work) == "accepted"

    result = coc(root, "amend", work, "--hours-per-week", "16", "--note", "Extra match days")
    assert result.exit_code == 0, result.output
    assert "Awaiting Max Jones" in result.output
    author, subject, body = last_commit(root)
    assert subject == f"amend(outside-work): {work} by jsmith" and "hours_per_week: 10 -> 16" in body
    data = load(root, work)
    assert data["details"]["hours_per_week"] == 16
    amendment = data["amendments"][0]
    assert {k: amendment[k] for k in ("by", "changes", "previous", "reason")} == {
        "by": "jsmith", "changes": {"hours_per_week": 16}, "previous": {"hours_per_week": 10},
        "reason": "Extra match days"}
    assert status(coc, root, work) == "submitted"

    assert coc(root, "approve", work, user="mjones").exit_code == 0
    assert load(root, work)["decisions"][-1]["details_version"] == 1
    assert status(coc, root, work) == "approved"


def test_amending_a_date_writes_it_twice_never_as_an_alias(make_register, coc):
    """The new date is in `details` and in the amendment's `changes`: one value in two places,
    which the writer once wrote as an anchor and alias, then refused as a register file."""
    root = make_register("luton")
    work = declare(coc, root, "outside-work", *OUTSIDE_WORK)
    ends = (date.fromisoformat(SOON) + timedelta(days=90)).isoformat()
    result = coc(root, "amend", work, "--end-date", ends, "--start-date", TODAY, "--note", "Dates")
    assert result.exit_code == 0, result.output
    text = record_file(root, work).read_text()
    assert "&" not in text and "*id" not in text, text
    data = load(root, work)
    assert data["details"]["end_date"] == data["amendments"][0]["changes"]["end_date"] == \
        date.fromisoformat(ends)
    assert coc(root, "amend", work, "--hours-per-week", "8").exit_code == 0   # still editable


def test_amend_refusals(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert_refused(coc, root, ("amend", gift, "--hours-per-week", "3"), "jsmith",
                   "--hours-per-week", "a gift has no field hours_per_week")
    assert_refused(coc, root, ("amend", gift, "--value-gbp", "12.50"), "jsmith", "nothing to amend")
    assert_refused(coc, root, ("amend", gift, "--value-gbp", "lots"), "jsmith", "--value-gbp",
                   "not an amount")
    assert_refused(coc, root, ("amend", gift, "--value-gbp", "14"), "mjones",
                   "neither the declarant (jsmith) nor HR")
    result = coc(root, "amend", gift, "--value-gbp", "14", user="hreed")
    assert result.exit_code == 0, result.output
    assert load(root, gift)["amendments"][0]["by"] == "hreed"


def test_amend_help_lists_field_flags(make_register, coc):
    root = make_register("luton")
    result = coc(root, "amend", "--help")
    assert result.exit_code == 0
    for flag in ("--hours-per-week", "--value-gbp", "--note", "--branch"):
        assert flag in result.output


def test_end_an_interest(make_register, coc):
    root = make_register("luton")
    work = declare(coc, root, "outside-work", *OUTSIDE_WORK)
    assert coc(root, "end", work, user="jsmith").exit_code == 2
    result = coc(root, "end", work, "--on", SOON, "--reason", "Season over")
    assert result.exit_code == 0, result.output
    assert last_commit(root)[1] == f"end(outside-work): {work} by jsmith"
    ended = load(root, work)["ended"]
    assert (ended["by"], ended["on"], ended["reason"]) == ("jsmith", date.fromisoformat(SOON),
                                                           "Season over")
    assert status(coc, root, work) == "submitted"   # until SOON: it has not ended yet
    assert_refused(coc, root, ("end", work, "--on", SOON), "jsmith", f"is ending on {SOON}")
    assert_refused(coc, root, ("approve", work), "mjones", f"is ending on {SOON}")
    with freeze_time(SOON):
        assert status(coc, root, work) == "ended"
        assert_refused(coc, root, ("approve", work), "mjones", "has ended")


def test_a_gift_does_not_end_and_dates_are_checked(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert_refused(coc, root, ("end", gift, "--on", TODAY), "jsmith", "does not end", "withdraw")
    work = declare(coc, root, "outside-work", *OUTSIDE_WORK)
    assert_refused(coc, root, ("end", work, "--on", "31/12/2026"), "jsmith", "not a date")


def test_withdraw_then_nothing_more_changes(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert coc(root, "withdraw", gift).exit_code == 2
    assert_refused(coc, root, ("withdraw", gift, "--reason", "x"), "mjones", "neither the declarant")
    result = coc(root, "withdraw", gift, "--reason", "Declared twice by mistake")
    assert result.exit_code == 0, result.output
    assert last_commit(root)[1] == f"withdraw(gift): {gift} by jsmith"
    assert load(root, gift)["withdrawn"]["reason"] == "Declared twice by mistake"
    assert status(coc, root, gift) == "withdrawn"
    assert record_file(root, gift).exists()
    for args, user in ((("approve", gift), "mjones"), (("withdraw", gift, "--reason", "y"), "jsmith"),
                       (("amend", gift, "--value-gbp", "3"), "jsmith")):
        assert_refused(coc, root, args, user, "was withdrawn")


# round trip ------------------------------------------------------------------------------------

HAND_WRITTEN = """\
# Declared on paper and typed in by Jane; keep this note.
id: {id}
kind: gift   # a small one
declarant: jsmith
declared_on: {today}
details:
  # what Jane wrote on the form
  donor: 'A. Supplier'
  received_on: {today}
  description: "Box of chocolates"
  value_gbp: "12.50"
  outcome: shared-with-team   # shared at the team meeting
amendments: []
decisions: []
"""


def test_a_decision_keeps_comments_order_and_quoting(make_register, coc):
    root = make_register("milton-keynes")
    record_id = "GIF-2026-ABCDEF"
    path = root / "registers/housing/gift/2026" / f"{record_id}.yaml"
    path.parent.mkdir(parents=True)
    original = HAND_WRITTEN.format(id=record_id, today=TODAY)
    path.write_text(original)
    git(root, "add", ".")
    git(root, "commit", "-qm", "typed in", email=EXAMPLE_EMAILS["jsmith"])

    assert coc(root, "approve", record_id, "--conditions", "Share", user="mjones").exit_code == 0
    text = path.read_text()
    assert text.startswith(original.removesuffix("decisions: []\n") + "decisions:\n  - decision: approved\n")
    diff = git(root, "diff", "HEAD~1", "--", str(path.relative_to(root))).splitlines()
    removed = [line for line in diff if line.startswith("-") and not line.startswith("---")]
    assert removed == ["-decisions: []"]

    assert coc(root, "amend", record_id, "--value-gbp", "14", user="jsmith").exit_code == 0
    text = path.read_text()
    assert "# Declared on paper and typed in by Jane; keep this note." in text
    assert "kind: gift   # a small one" in text and "  # what Jane wrote on the form" in text
    assert "donor: 'A. Supplier'" in text and 'description: "Box of chocolates"' in text
    assert "outcome: shared-with-team   # shared at the team meeting" in text
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == ["id", "kind", "declarant", "declared_on", "details", "amendments", "decisions"]


@pytest.mark.parametrize("command", ["approve", "reject", "accept", "amend", "end", "withdraw"])
def test_every_state_change_has_help(coc, tmp_path, command):
    result = coc(tmp_path, command, "--help")
    assert result.exit_code == 0 and "--branch" in result.output and "--json" in result.output


# pull requests ---------------------------------------------------------------------------------

def test_the_pull_request_flow_on_declare_branches(make_register, coc, tmp_path):
    """Jane declares on declare/<id> and pushes; Max, in his own clone, approves on that branch
    (fetched from the remote), is told what to push; the approved branch merges into main."""
    root = make_register("milton-keynes")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(origin))
    git(root, "remote", "add", "origin", str(origin))
    result = coc(root, "declare", "gift", *gift_flags(), "--no-input", "--branch", "--json")
    assert result.exit_code == 0, result.output
    gift = json.loads(result.output)["id"]
    branch = f"declare/{gift}"
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == branch
    git(root, "push", "-q", "origin", branch)

    approver = tmp_path / "approver"
    git(tmp_path, "clone", "-q", str(origin), str(approver))
    assert coc(approver, "hooks", "install", user="mjones").exit_code == 0
    assert_refused(coc, approver, ("approve", gift, "--branch"), "jsmith", "jsmith is the declarant")
    result = coc(approver, "approve", gift, "--branch", user="mjones")
    assert result.exit_code == 0, result.output
    assert f"On branch {branch}: push it (`git push -u origin {branch}`)" in result.output
    assert "the approver merges it" in result.output
    assert git(approver, "rev-parse", "--abbrev-ref", "HEAD").strip() == branch
    assert git(approver, "rev-parse", "--abbrev-ref", "@{upstream}").strip() == f"origin/{branch}"
    assert last_commit(approver)[1] == f"approve(gift): {gift} by mjones"
    assert git(approver, "log", "--format=%s", "main").count(gift) == 0, "main is untouched"

    result = coc(approver, "approve", gift, "--branch", "--json", user="mjones")
    assert result.exit_code == 1 and "already approved" in result.output
    git(approver, "switch", "-q", "main")
    git(approver, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch,
        email=EXAMPLE_EMAILS["mjones"])
    assert status(coc, approver, gift) == "approved"
    assert coc(approver, "validate", "--all").exit_code == 0


def test_a_refused_change_on_a_branch_leaves_you_where_you_were(make_register, coc):
    root = make_register("milton-keynes")
    gift = declare(coc, root, "gift", *gift_flags())
    assert_refused(coc, root, ("approve", gift, "--branch"), "jsmith", "jsmith is the declarant")
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    result = coc(root, "withdraw", gift, "--reason", "Twice", "--branch")
    assert result.exit_code == 0, result.output
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == f"declare/{gift}"
    assert "git push -u origin declare/" in result.output
