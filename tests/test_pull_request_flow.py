"""The README's pull-request flow with a bare origin and two clones, as the declarant and the
approver really use it: declare on a branch, push, review, approve with conditions on the
branch, accept on the branch after fetching, merge (issue 10)."""
from __future__ import annotations

import json
from datetime import date, timedelta

from conftest import EXAMPLE_EMAILS, git


def work_flags(organisation: str = "Bedford College") -> tuple[str, ...]:
    starts = (date.today() + timedelta(weeks=4)).isoformat()
    return ("--organisation", organisation, "--role", "Evening tutor", "--paid", "yes",
            "--start-date", starts, "--hours-per-week", "6", "--no-input")


def head(root) -> str:
    return git(root, "rev-parse", "--abbrev-ref", "HEAD").strip()


def files_on(root, ref: str) -> list[str]:
    return [p for p in git(root, "ls-tree", "-r", "--name-only", ref, "--",
                           "registers/").splitlines()]


def setup_origin(make_register, tmp_path):
    declarant = make_register("luton", name="declarant")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(declarant), str(origin))
    git(declarant, "remote", "add", "origin", str(origin))
    git(declarant, "fetch", "-q", "origin")
    git(declarant, "branch", "-q", "--set-upstream-to=origin/main", "main")
    approver = tmp_path / "approver"
    git(tmp_path, "clone", "-q", str(origin), str(approver))
    return declarant, origin, approver


def test_the_readme_pull_request_flow_end_to_end(make_register, coc, tmp_path):
    declarant, origin, approver = setup_origin(make_register, tmp_path)
    result = coc(declarant, "declare", "outside-work", *work_flags(), "--branch", "--json",
                 user="pbrown")
    assert result.exit_code == 0, result.output
    record_id = json.loads(result.output)["id"]
    branch = f"declare/{record_id}"
    git(declarant, "push", "-q", "-u", "origin", branch)

    # The approver fetches and reviews a record that exists only on its branch.
    git(approver, "fetch", "-q", "origin")
    shown = coc(approver, "show", record_id, "--json", user="mjones")
    assert shown.exit_code == 0, shown.output
    info = json.loads(shown.output)
    assert info["branch"] == f"origin/{branch}" and info["status"] == "submitted"
    assert "Max Jones" in info["awaiting"]["who"]
    text = coc(approver, "show", record_id, user="mjones").output
    assert f"on branch:   origin/{branch}" in text

    # Without --branch, approving a record that is only on its branch says what to add.
    refused = coc(approver, "approve", record_id, user="mjones")
    assert refused.exit_code == 1 and "add --branch" in refused.output
    approved = coc(approver, "approve", record_id, "--branch", "--conditions",
                   "Not during council hours", user="mjones")
    assert approved.exit_code == 0, approved.output
    git(approver, "push", "-q", "origin", branch)

    # The declarant's local branch is behind: accept --branch fast-forwards it first, never a
    # false "there are no conditions waiting".
    git(declarant, "switch", "-q", "main")
    git(declarant, "fetch", "-q", "origin")
    accepted = coc(declarant, "accept", record_id, "--branch", user="pbrown")
    assert accepted.exit_code == 0, accepted.output
    assert head(declarant) == branch
    git(declarant, "push", "-q", "origin", branch)

    # The approver merges with a merge commit; main then holds the whole story.
    git(approver, "fetch", "-q", "origin")
    git(approver, "switch", "-q", "main")
    git(approver, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", f"origin/{branch}",
        email=EXAMPLE_EMAILS["mjones"])
    status = json.loads(coc(approver, "show", record_id, "--json", user="mjones").output)
    assert status["status"] == "accepted" and "branch" not in status
    assert coc(approver, "validate", "--all", user="mjones").exit_code == 0
    assert coc(approver, "audit", user="mjones").exit_code == 0


def test_a_second_declaration_branch_holds_only_its_own_record(make_register, coc, tmp_path):
    declarant, _, _ = setup_origin(make_register, tmp_path)
    first = json.loads(coc(declarant, "declare", "outside-work", *work_flags(), "--branch",
                           "--json", user="pbrown").output)["id"]
    assert head(declarant) == f"declare/{first}"
    second = json.loads(coc(declarant, "declare", "outside-work", *work_flags("Open University"),
                            "--branch", "--json", user="pbrown").output)["id"]
    on_second = files_on(declarant, f"declare/{second}")
    assert [p for p in on_second if second in p] and not [p for p in on_second if first in p]
    assert [p for p in files_on(declarant, f"declare/{first}") if first in p]


def test_a_branch_that_moved_on_both_sides_says_what_to_run(make_register, coc, tmp_path):
    declarant, origin, approver = setup_origin(make_register, tmp_path)
    record_id = json.loads(coc(declarant, "declare", "outside-work", *work_flags(), "--branch",
                               "--json", user="pbrown").output)["id"]
    branch = f"declare/{record_id}"
    git(declarant, "push", "-q", "-u", "origin", branch)
    git(approver, "fetch", "-q", "origin")
    assert coc(approver, "approve", record_id, "--branch", "--conditions", "Evenings only",
               user="mjones").exit_code == 0
    git(approver, "push", "-q", "origin", branch)
    # Meanwhile the declarant amends on the local branch, then fetches the approval.
    assert coc(declarant, "amend", record_id, "--hours-per-week", "5", "--note", "Fewer hours",
               user="pbrown").exit_code == 0
    git(declarant, "fetch", "-q", "origin")
    result = coc(declarant, "accept", record_id, "--branch", user="pbrown")
    assert result.exit_code == 1
    assert f"branch {branch} and origin/{branch} have both moved on" in result.output
    assert "git pull --no-rebase origin" in result.output


def test_show_on_a_branch_behind_its_remote_shows_the_newer_copy(make_register, coc, tmp_path):
    """The declarant, still on declare/<id>, fetches the approval: `coc show` reads the fetched
    copy (approved, awaiting their acceptance), never the stale "awaiting approval"."""
    declarant, origin, approver = setup_origin(make_register, tmp_path)
    record_id = json.loads(coc(declarant, "declare", "outside-work", *work_flags(), "--branch",
                               "--json", user="pbrown").output)["id"]
    branch = f"declare/{record_id}"
    git(declarant, "push", "-q", "-u", "origin", branch)
    git(approver, "fetch", "-q", "origin")
    assert coc(approver, "approve", record_id, "--branch", "--conditions", "Evenings only",
               user="mjones").exit_code == 0
    git(approver, "push", "-q", "origin", branch)
    git(declarant, "fetch", "-q", "origin")
    assert head(declarant) == branch
    shown = json.loads(coc(declarant, "show", record_id, "--json", user="pbrown").output)
    assert shown["status"] == "approved" and shown["branch"] == f"origin/{branch}"
    assert shown["awaiting"]["action"] == "accept conditions"
    text = coc(declarant, "show", record_id, user="pbrown").output
    assert f"newer than your branch {branch}: `git pull`" in text and "[approved]" in text
    assert coc(declarant, "accept", record_id, user="pbrown").exit_code == 0   # fast-forwards
    caught_up = json.loads(coc(declarant, "show", record_id, "--json", user="pbrown").output)
    assert caught_up["status"] == "accepted" and "branch" not in caught_up


def test_show_of_an_unknown_record_says_to_fetch(make_register, coc):
    root = make_register("luton")
    result = coc(root, "show", "GIF-2026-AAAAAA")
    assert result.exit_code == 1
    assert "nor on a branch declare/GIF-2026-AAAAAA" in result.output
    assert "git fetch origin" in result.output


# coc review: the reviewer's summary ----------------------------------------------------------

def gift_flags(value: str, donor: str, what: str = "Bottle of wine") -> tuple[str, ...]:
    return ("--received-on", date.today().isoformat(), "--donor", donor, "--description",
            what, "--value-gbp", value, "--outcome", "kept", "--no-input")


def test_review_summarises_only_what_the_branch_adds(make_register, coc, tmp_path):
    root = make_register("milton-keynes")
    on_main = json.loads(coc(root, "declare", "gift", *gift_flags("5.00", "Old friend"),
                             "--json").output)["id"]
    result = coc(root, "declare", "gift", *gift_flags("30.00", "Acme <script>|x"), "--branch",
                 "--json")
    assert result.exit_code == 0, result.output
    gift = json.loads(result.output)["id"]
    md = coc(root, "review")
    assert md.exit_code == 0, md.output
    assert "1 record(s) in this pull request" in md.output and on_main not in md.output
    row = next(line for line in md.output.splitlines() if line.startswith(f"| {gift}"))
    assert "Jane Smith" in row and "added" in row and "gift: Bottle of wine" in row
    assert "MK §6" in md.output and "breach" in md.output
    github = coc(root, "review", "--format", "github")
    assert github.exit_code == 0
    errors = [line for line in github.output.splitlines() if line.startswith("::error ")]
    assert errors and all(f"file=registers/" in line and ",line=" in line for line in errors)
    assert coc(root, "review", "--base", "main").output == md.output


def test_review_escapes_what_a_record_contains(make_register, coc, tmp_path):
    root = make_register("milton-keynes")
    coc(root, "declare", "gift", *gift_flags("5.00", "Acme", "Pen <img src=x> | `code` [link](x)"),
        "--branch")
    md = coc(root, "review").output
    assert "<img" not in md and "&lt;img src=x&gt;" in md
    assert "\\| 'code' \\[link\\](x)" in md


def test_review_reports_a_deleted_record_and_refuses_a_bad_base(make_register, coc):
    root = make_register("luton")
    work = json.loads(coc(root, "declare", "outside-work", *work_flags(), "--json",
                          user="pbrown").output)
    git(root, "switch", "-q", "-c", "sneaky")
    git(root, "rm", "-q", work["path"])
    git(root, "commit", "-q", "--no-verify", "-m", "tidy")
    github = coc(root, "review", "--format", "github")
    assert f"::error file={work['path']},title=record-deleted::" in github.output
    bad = coc(root, "review", "--base", "--upload-pack=touch /tmp/x")
    assert bad.exit_code == 1 and "not a revision" in bad.output
    missing = coc(root, "review", "--base", "no-such-branch")
    assert missing.exit_code == 1 and "names no commit" in missing.output


def test_review_of_a_branch_with_no_declarations(make_register, coc):
    root = make_register("luton")
    result = coc(root, "review")
    assert result.exit_code == 0 and "changes no declaration" in result.output
    assert coc(root, "review", "--format", "github").output == ""
