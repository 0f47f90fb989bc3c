"""The restricted register (issue 9 item 12): sensitive kinds live in a second repository that
only those who handle them clone, never in the main register that every employee clones.

Real repositories made by `coc init MAIN --restricted RDIR` (hooks installed by init), the real
CLI, real `git commit`s; each rule next to the attempt to get round it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from coc.cli.init import init_register
from conftest import EXAMPLE_EMAILS, GIFT_FLAGS, git, same_life_both_ways
from freezegun import freeze_time

TODAY = "2026-11-20"


def notice() -> tuple[str, ...]:
    """A criminal matter of today (real or frozen), so it is in time whenever the test runs
    (audit compares with the real commit dates, so tests that audit are not frozen)."""
    return ("--event", "caution", "--event-date", date.today().isoformat(), "--subject", "self",
            "--summary", "Caution for a public order offence", "--no-input")


def gift() -> tuple[str, ...]:
    return ("--received-on", date.today().isoformat(), *GIFT_FLAGS[2:])

CRIMINAL_MATTER = """\
id: {id}
kind: criminal-matter
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-11-20
details:
  event: caution
  event_date: 2026-11-19
  subject: self
decisions: []
amendments: []
"""


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """A luton register and its restricted register, side by side."""
    main, restricted = tmp_path / "main", tmp_path / "restricted"
    init_register(main, "luton", restricted=restricted)
    return main, restricted


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "registers").rglob("*.yaml"))


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def declare_notice(coc, main: Path) -> str:
    out = coc(main, "declare", "criminal-matter", *notice(), "--json")
    assert out.exit_code == 0, out.output
    return str(json.loads(out.stdout)["id"])


def commit_by_hand(root: Path, rel: str, text: str, *flags: str) -> subprocess.CompletedProcess:
    """`git commit` of one record file as Jane Smith, through the installed hook (or not)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(root, "add", rel)
    email = EXAMPLE_EMAILS["jsmith"]
    env = {**os.environ, "GIT_AUTHOR_NAME": "Jane Smith", "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": "Jane Smith", "GIT_COMMITTER_EMAIL": email}
    return subprocess.run(["git", "commit", "-q", *flags, "-m", f"add {rel}"], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


# coc init --restricted --------------------------------------------------------------------------

def test_init_makes_two_repositories_the_main_naming_the_restricted(pair):
    main, restricted = pair
    assert 'restricted_register: "../restricted"' in (main / "coc.yaml").read_text()
    assert "restricted: true" in (restricted / "coc.yaml").read_text()
    assert "restricted: true" not in (main / "coc.yaml").read_text()
    assert (restricted / ".git").is_dir() and (restricted / ".git" / "hooks" / "pre-commit").exists()
    assert (main / ".git" / "hooks" / "pre-commit").exists()
    assert (restricted / "people.yaml").read_text() == (main / "people.yaml").read_text()


@pytest.mark.parametrize("where", ["same", "inside", "around", "file"])
def test_init_refuses_a_restricted_folder_that_is_not_separate(tmp_path, coc, where):
    main = tmp_path / "reg"
    target = {"same": main, "inside": main / "r", "around": tmp_path, "file": tmp_path / "f"}[where]
    (tmp_path / "f").write_text("x")
    out = coc(tmp_path, "init", str(main), "--policy", "luton", "--restricted", str(target))
    if where == "file":   # click's own check of the option: a usage error
        assert out.exit_code == 2 and "'--restricted'" in out.output and "is a file" in out.output
    else:
        assert out.exit_code == 1
        lines = out.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("coc: error: ")
        assert "--restricted" in lines[0] or "not empty" in lines[0]
    assert not (main / "coc.yaml").exists()


# declaring --------------------------------------------------------------------------------------

@freeze_time(TODAY)
def test_a_criminal_matter_is_written_and_committed_in_the_restricted_register_only(pair, coc):
    main, restricted = pair
    before = head(main)
    record_id = declare_notice(coc, main)
    assert files(main) == []
    assert [p for p in files(restricted) if record_id in p] == [
        f"registers/housing/criminal-matter/2026/{record_id}.yaml"]
    assert head(main) == before
    subject = git(restricted, "log", "-1", "--format=%s")
    assert subject.strip() == f"declare(criminal-matter): {record_id} by jsmith"
    assert git(restricted, "status", "--porcelain").strip() == ""
    # and nothing of it reaches the main register's history
    assert record_id not in git(main, "log", "--all", "--format=%B", "--name-only")


@freeze_time(TODAY)
def test_a_gift_still_goes_in_the_main_register(pair, coc):
    main, restricted = pair
    out = coc(main, "declare", "gift", *gift(), "--json")
    assert out.exit_code == 0, out.output
    assert len(files(main)) == 1 and files(restricted) == []


@freeze_time(TODAY)
def test_without_the_restricted_register_on_this_machine_a_criminal_matter_is_refused(pair, coc):
    main, restricted = pair
    shutil.rmtree(restricted)
    before = head(main)
    out = coc(main, "declare", "criminal-matter", *notice())
    assert out.exit_code == 1
    lines = out.output.strip().splitlines()
    assert len(lines) == 1, out.output
    assert "coc.yaml:" in lines[0] and ": restricted_register:" in lines[0] and "not on this machine" in lines[0]
    assert "nothing was recorded" in lines[0]
    assert files(main) == [] and head(main) == before
    assert git(main, "status", "--porcelain").strip() == ""


@freeze_time(TODAY)
def test_without_restricted_register_configured_criminal_matters_stay_in_the_one_register(
        make_register, coc):
    root = make_register("luton")
    record_id = declare_notice(coc, root)
    assert files(root) == [f"registers/housing/criminal-matter/2026/{record_id}.yaml"]
    assert coc(root, "validate", "--all").exit_code == 0


@freeze_time(TODAY)
def test_a_gift_typed_into_the_restricted_register_is_refused_there(pair, coc):
    """A gift hidden in the restricted register would escape the public register."""
    _, restricted = pair
    out = coc(restricted, "declare", "gift", *gift())
    assert out.exit_code == 1
    assert "not a sensitive kind" in out.output
    assert files(restricted) == []


# the hook and validate in the main register -------------------------------------------------------

def test_the_hook_refuses_a_plain_git_commit_of_a_criminal_matter_into_main(pair):
    main, _ = pair
    rel = "registers/housing/criminal-matter/2026/CRM-2026-AAAAAAAAAAAA.yaml"
    before = head(main)
    done = commit_by_hand(main, rel, CRIMINAL_MATTER.format(id="CRM-2026-AAAAAAAAAAAA"))
    assert done.returncode != 0
    assert rel in done.stdout + done.stderr and "restricted-register" in done.stdout + done.stderr
    assert head(main) == before


def test_a_no_verify_commit_of_a_criminal_matter_into_main_is_found_by_validate_and_audit(
        pair, coc):
    main, restricted = pair
    rel = "registers/housing/criminal-matter/2026/CRM-2026-AAAAAAAAAAAA.yaml"
    done = commit_by_hand(main, rel, CRIMINAL_MATTER.format(id="CRM-2026-AAAAAAAAAAAA"),
                          "--no-verify")
    assert done.returncode == 0, done.stderr
    for both in (True, False):   # the Monitoring Officer's checkout, and everyone else's
        if not both:
            shutil.rmtree(restricted)
        found = coc(main, "validate", "--all")
        assert found.exit_code == 1
        assert f"{rel}:2: kind: error: criminal-matter is a sensitive kind" in found.output
        audit = coc(main, "audit")
        assert audit.exit_code == 1
        assert "CRM-2026-AAAAAAAAAAAA: kind: error:" in audit.output
        assert "criminal-matter is a sensitive kind" in audit.output
        assert "(restricted-register)" in audit.output
    # and it stays found after it is deleted: the history every clone holds still has it
    git(main, "rm", "-q", rel)
    git(main, "commit", "-q", "--no-verify", "-m", "hide it", email=EXAMPLE_EMAILS["jsmith"])
    assert "(restricted-register)" in coc(main, "audit").output


def test_validate_in_a_register_with_no_restricted_register_accepts_criminal_matters(
        make_register):
    root = make_register("luton")
    rel = "registers/housing/criminal-matter/2026/CRM-2026-AAAAAAAAAAAA.yaml"
    done = commit_by_hand(root, rel, CRIMINAL_MATTER.format(id="CRM-2026-AAAAAAAAAAAA"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_restricted_registers_own_hook_accepts_a_criminal_matter(pair):
    _, restricted = pair
    rel = "registers/housing/criminal-matter/2026/CRM-2026-AAAAAAAAAAAA.yaml"
    done = commit_by_hand(restricted, rel, CRIMINAL_MATTER.format(id="CRM-2026-AAAAAAAAAAAA"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_removing_restricted_register_in_the_same_commit_does_not_let_a_criminal_matter_in(pair):
    """The hook judges by coc.yaml as committed before the commit, not as staged."""
    main, _ = pair
    config = main / "coc.yaml"
    config.write_text(config.read_text().replace('restricted_register: "../restricted"\n', ""))
    git(main, "add", "coc.yaml")
    rel = "registers/housing/criminal-matter/2026/CRM-2026-AAAAAAAAAAAA.yaml"
    done = commit_by_hand(main, rel, CRIMINAL_MATTER.format(id="CRM-2026-AAAAAAAAAAAA"))
    assert done.returncode != 0 and "restricted-register" in done.stdout + done.stderr


# reading across both ------------------------------------------------------------------------------

def test_show_list_approve_log_work_across_both_for_those_who_have_both(pair, coc):
    main, restricted = pair
    record_id = declare_notice(coc, main)
    gift_id = json.loads(coc(main, "declare", "gift", *gift(), "--json").stdout)["id"]
    shown = coc(main, "show", record_id, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["path"] == \
        f"../restricted/registers/housing/criminal-matter/2026/{record_id}.yaml"
    listed = {r["id"]: r["path"] for r in json.loads(coc(main, "list", "--json").stdout)}
    assert set(listed) == {record_id, gift_id}
    assert listed[record_id].startswith("../restricted/")
    main_head = head(main)
    noted = coc(main, "approve", record_id, "--json", user="mjones")
    assert noted.exit_code == 0, noted.output
    assert json.loads(noted.stdout)["path"].startswith("../restricted/registers/")
    assert head(main) == main_head
    assert git(restricted, "log", "-1", "--format=%s").strip() == \
        f"note(criminal-matter): {record_id} by mjones"
    assert json.loads(coc(main, "show", record_id, "--json").stdout)["status"] == "noted"
    log = coc(main, "log", record_id)
    assert log.exit_code == 0 and "declared criminal-matter" in log.output
    assert log.output.startswith(f"{record_id}  ../restricted/registers/housing/")
    assert coc(main, "validate", "--all").exit_code == 0
    assert coc(main, "audit").exit_code == 0, coc(main, "audit").output
    assert same_life_both_ways(main) == [gift_id]
    assert same_life_both_ways(restricted) == [record_id]


def test_everyone_else_sees_the_main_register_alone_and_nothing_sensitive(pair, coc):
    main, _ = pair
    record_id = declare_notice(coc, main)
    coc(main, "declare", "gift", *gift())
    clone = main.parent / "elsewhere" / "clone"
    clone.parent.mkdir()
    git(main.parent, "clone", "-q", str(main), str(clone))   # an employee's clone
    # the restricted register is not beside the clone: "../restricted" is absent from it
    for args in (("list", "--json"), ("validate", "--all"), ("audit",), ("overdue",),
                 ("register", "--format", "json")):
        out = coc(clone, *args)
        assert out.exit_code in (0, 1), out.output
        assert record_id not in out.output and "criminal" not in out.output, args
    listed = json.loads(coc(clone, "list", "--json").stdout)
    assert [r["kind"] for r in listed] == ["gift"]
    shown = coc(clone, "show", record_id)
    assert shown.exit_code == 1 and "no record" in shown.output
    assert "restricted" not in shown.output


@freeze_time("2026-11-25")
def test_overdue_reports_an_unacknowledged_criminal_matter_from_the_restricted_register(pair, coc):
    main, restricted = pair
    with freeze_time(TODAY):
        record_id = declare_notice(coc, main)
    out = coc(main, "overdue")
    assert out.exit_code == 1
    assert f"../restricted/registers/housing/criminal-matter/2026/{record_id}.yaml" in out.output
    shutil.rmtree(restricted)
    assert record_id not in coc(main, "overdue").output


def test_audit_reads_the_restricted_registers_history_too(pair, coc):
    main, restricted = pair
    record_id = declare_notice(coc, main)
    rel = f"registers/housing/criminal-matter/2026/{record_id}.yaml"
    git(restricted, "rm", "-q", rel)
    git(restricted, "commit", "-q", "--no-verify", "-m", "gone", email=EXAMPLE_EMAILS["jsmith"])
    out = coc(main, "audit")
    assert out.exit_code == 1
    assert "in ../restricted: commit" in out.output and "record-deleted" in out.output
    assert rel in out.output


@freeze_time(TODAY)
def test_exports_never_include_the_restricted_registers_records(pair, coc):
    main, _ = pair
    record_id = declare_notice(coc, main)
    for args in (("json",), ("md",), ("html",), ("csv", "--kind", "gift")):
        out = coc(main, "register", "--format", *args)
        assert out.exit_code == 0, out.output
        assert record_id not in out.output and "caution" not in out.output.lower()
    asked = coc(main, "register", "--format", "csv", "--kind", "criminal-matter")
    assert asked.exit_code != 0 and record_id not in asked.output


# a hostile restricted_register ------------------------------------------------------------------

def _point_at(main: Path, value: str) -> None:
    config = main / "coc.yaml"
    config.write_text(config.read_text().replace('"../restricted"', json.dumps(value)))


@pytest.mark.parametrize("hostile", ["file", "symlink", "itself", "inside", "around",
                                     "no-git", "not-restricted", "other-policy"])
def test_a_hostile_restricted_path_is_a_one_line_error(pair, coc, hostile, tmp_path):
    main, restricted = pair
    if hostile == "file":
        (tmp_path / "afile").write_text("policy: luton\n")
        _point_at(main, "../afile")
    elif hostile == "symlink":
        (tmp_path / "link").symlink_to(restricted)
        _point_at(main, "../link")
    elif hostile == "itself":
        _point_at(main, ".")
    elif hostile == "inside":
        _point_at(main, "registers")
    elif hostile == "around":
        _point_at(main, "..")
    elif hostile == "no-git":
        shutil.rmtree(restricted / ".git")
    elif hostile == "not-restricted":
        config = restricted / "coc.yaml"
        config.write_text(config.read_text().replace("restricted: true", "restricted: false"))
    elif hostile == "other-policy":
        config = restricted / "coc.yaml"
        config.write_text(config.read_text().replace("policy: luton", "policy: milton-keynes"))
    for args in (("list",), ("validate", "--all"), ("show", "CRM-2026-AAAAAAAAAAAA"),
                 ("declare", "criminal-matter", *notice())):
        out = coc(main, *args)
        assert out.exit_code == 1, (args, out.output)
        lines = out.output.strip().splitlines()
        assert len(lines) == 1, (args, out.output)
        assert lines[0].startswith("coc: error: coc.yaml:") and "restricted_register" in lines[0]
    assert files(main) == []


@pytest.mark.parametrize("value", ['""', "1", "[a]", '"a\\u0007b"', "true"])
def test_a_restricted_register_value_that_is_not_a_path_is_refused(pair, coc, value):
    main, _ = pair
    config = main / "coc.yaml"
    config.write_text(config.read_text().replace('"../restricted"', value))
    out = coc(main, "list")
    assert out.exit_code == 1 and "restricted_register" in out.output
    assert len(out.output.strip().splitlines()) == 1


def test_a_restricted_register_cannot_route_further(pair, coc):
    _, restricted = pair
    config = restricted / "coc.yaml"
    config.write_text(config.read_text() + 'restricted_register: "../main"\n')
    out = coc(restricted, "list")
    assert out.exit_code == 1 and "restricted_register" in out.output


# a register that adopts a restricted register ----------------------------------------------------

def _adopt(make_register, coc) -> tuple[Path, Path, str, str]:
    """A register with a criminal matter in it (no restricted register yet), then its restricted
    register made by `coc init MAIN --restricted RDIR` and named in coc.yaml by the MO."""
    main = make_register("luton")
    record_id = declare_notice(coc, main)
    rel = files(main)[0]
    restricted = main.parent / "restricted"
    out = coc(main.parent, "init", str(main), "--policy", "luton", "--restricted", str(restricted))
    assert out.exit_code == 0, out.output
    assert 'restricted_register: "../restricted"' in out.output
    assert (restricted / "people.yaml").read_bytes() == (main / "people.yaml").read_bytes()
    assert "restricted_register" not in (main / "coc.yaml").read_text()   # the MO's to commit
    config = main / "coc.yaml"
    config.write_text(config.read_text() + 'restricted_register: "../restricted"\n')
    git(main, "commit", "-qam", "route sensitive kinds to the restricted register",
        email=EXAMPLE_EMAILS["mokafor"])
    return main, restricted, record_id, rel


def test_an_existing_register_moves_its_criminal_matters_to_a_new_restricted_register(
        make_register, coc):
    main, restricted, record_id, rel = _adopt(make_register, coc)
    found = coc(main, "validate", "--all")
    assert found.exit_code == 1 and f"{rel}:3: kind: error:" in found.output
    # the move: HR commits the file in the restricted register, then removes it from main,
    # each through its repository's hook
    (restricted / rel).parent.mkdir(parents=True)
    shutil.copy(main / rel, restricted / rel)
    git(restricted, "add", rel)
    git(restricted, "commit", "-qm", f"move {record_id} from the main register",
        email=EXAMPLE_EMAILS["hreed"])
    git(main, "rm", "-q", rel)
    git(main, "commit", "-qm", f"move {record_id} to the restricted register",
        email=EXAMPLE_EMAILS["hreed"])
    assert files(main) == []
    assert coc(main, "validate", "--all").exit_code == 0
    audit = coc(main, "audit")
    assert audit.exit_code == 0, audit.output
    assert coc(restricted, "audit").exit_code == 0
    assert json.loads(coc(main, "show", record_id, "--json").stdout)["path"] == \
        f"../restricted/{rel}"
    # `coc log` from the record's own paths: the one that left main (not in its HEAD) too
    assert record_id in same_life_both_ways(main) and same_life_both_ways(restricted)


def test_a_criminal_matter_dropped_from_main_and_not_moved_is_found_by_audit(make_register, coc):
    main, _, record_id, rel = _adopt(make_register, coc)
    git(main, "rm", "-q", rel)
    git(main, "commit", "-qm", "tidy up", email=EXAMPLE_EMAILS["hreed"])   # the hook allows it
    audit = coc(main, "audit")
    assert audit.exit_code == 1
    assert f"{record_id}: error:" in audit.output and "not in the restricted register" in \
        audit.output


def test_a_gift_is_still_never_deleted_from_a_main_register(pair, coc):
    main, _ = pair
    gift_id = json.loads(coc(main, "declare", "gift", *gift(), "--json").stdout)["id"]
    rel = files(main)[0]
    git(main, "rm", "-q", rel)
    email = EXAMPLE_EMAILS["jsmith"]
    env = {**os.environ, "GIT_AUTHOR_NAME": "Jane Smith", "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": "Jane Smith", "GIT_COMMITTER_EMAIL": email}
    done = subprocess.run(["git", "commit", "-qm", "drop"], cwd=main, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "record-deleted" in done.stdout + done.stderr
    assert rel in git(main, "ls-tree", "-r", "--name-only", "HEAD") and gift_id in rel


def test_adopting_refuses_another_policy(make_register, coc):
    main = make_register("luton")
    out = coc(main.parent, "init", str(main), "--policy", "milton-keynes", "--restricted",
              str(main.parent / "r"))
    assert out.exit_code == 1 and "--policy" in out.output
    assert not (main.parent / "r").exists()


def test_hr_cannot_make_up_a_record_as_a_move_into_the_restricted_register(pair, coc):
    """Bringing a record in as a move skips only who-wrote-each-entry, so the main register's
    audit checks that the main register once held it exactly as it arrived."""
    main, restricted = pair
    rel = "registers/housing/criminal-matter/2026/CRM-2026-AAAAAAAAAAAA.yaml"
    (restricted / rel).parent.mkdir(parents=True)
    (restricted / rel).write_text(CRIMINAL_MATTER.format(id="CRM-2026-AAAAAAAAAAAA").replace(
        "declared_on: 2026-11-20", f"declared_on: {date.today()}").replace(
        "event_date: 2026-11-19", f"event_date: {date.today()}"))
    git(restricted, "add", rel)
    git(restricted, "commit", "-qm", "a move, it says", email=EXAMPLE_EMAILS["hreed"])
    audit = coc(main, "audit")
    assert audit.exit_code == 1
    assert "in ../restricted: commit" in audit.output and "never held it" in audit.output
    # and anyone else still may not bring a record in under another's name
    rel2 = rel.replace("AAAA", "BBBB")
    (restricted / rel2).write_text((restricted / rel).read_text().replace("AAAA", "BBBB"))
    git(restricted, "add", rel2)
    with pytest.raises(subprocess.CalledProcessError) as refused:
        git(restricted, "commit", "-qm", "a move too", email=EXAMPLE_EMAILS["mjones"])
    assert "committer-identity" in refused.value.stdout + refused.value.stderr


def test_validate_warns_when_the_restricted_registers_people_yaml_has_drifted(pair, coc):
    main, restricted = pair
    assert coc(main, "validate", "--all").output == ""
    people = main / "people.yaml"
    people.write_text(people.read_text().replace("Jane Smith", "Jane Smith-Jones"))
    git(main, "commit", "-qam", "a new surname", email=EXAMPLE_EMAILS["hreed"])
    out = coc(main, "validate", "--all")
    assert out.exit_code == 0
    assert out.output.strip() == ("../restricted/people.yaml: warning: differs from the main "
                                  "register's people.yaml: the restricted register's decisions "
                                  "are judged by its own copy; copy it across "
                                  "(restricted-register)")
    shutil.copy(people, restricted / "people.yaml")
    assert coc(main, "validate", "--all").output == ""


@pytest.mark.parametrize("bad", ["colour: blue\n", "parameters: {nonsense: 1}\n",
                                 "grades: " + "9" * 5000 + "\n"])
def test_a_broken_restricted_coc_yaml_is_named_from_the_main_register(pair, coc, bad):
    main, restricted = pair
    config = restricted / "coc.yaml"
    config.write_text(config.read_text() + bad)
    out = coc(main, "list")
    assert out.exit_code == 1
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coc: error: ../restricted/coc.yaml:"), lines


def test_a_relationship_in_the_restricted_register_still_passes_the_manager_over(tmp_path, coc):
    """Declared relationships live in the restricted register; where it is checked out, show,
    approve and the main register's hook see them (Milton Keynes §11)."""
    main, restricted = tmp_path / "main", tmp_path / "restricted"
    init_register(main, "milton-keynes", restricted=restricted)
    out = coc(main, "declare", "relationship", "--other-person", "mjones", "--relationship",
              "partner", "--context", "line-management", "--arrangements", "HH line-manages",
              "--no-input", "--json")
    assert out.exit_code == 0, out.output
    assert files(main) == [] and len(files(restricted)) == 1
    out = coc(main, "declare", "gift", "--received-on", date.today().isoformat(), "--donor", "X",
              "--description", "Pen", "--value-gbp", "5", "--outcome", "kept", "--no-input",
              "--json")
    gift_id = json.loads(out.stdout)["id"]
    shown = json.loads(coc(main, "show", gift_id, "--json").stdout)
    assert [p["id"] for p in shown["awaiting"]["people"]] == ["hhughes"]
    refused = coc(main, "approve", gift_id, user="mjones")
    assert refused.exit_code == 1 and "mjones" in refused.output
    # a decision typed in by hand and committed with plain git: the hook sees it too
    rel = files(main)[0]
    path = main / rel
    path.write_text(path.read_text().replace("decisions: []\n", (
        "decisions:\n  - decision: approved\n    by: mjones\n    at: "
        f"{date.today()}T10:00:00+00:00\n    as: line manager\n    details_version: 0\n")))
    git(main, "add", rel)
    with pytest.raises(subprocess.CalledProcessError) as hook:
        git(main, "commit", "-qm", "approve", email=EXAMPLE_EMAILS["mjones"])
    assert "mjones may not decide" in hook.value.stdout + hook.value.stderr
    git(main, "reset", "-q", "--hard")
    approved = coc(main, "approve", gift_id, user="hhughes")
    assert approved.exit_code == 0, approved.output


def test_dropping_restricted_register_from_coc_yaml_then_adding_a_criminal_matter_is_audited(
        pair, coc):
    """Two commits past the hook: coc.yaml loses its restricted_register (not Jane's file to
    change), then a criminal matter goes into main. validate, reading today's coc.yaml, sees a
    one-register organisation; audit judges each commit by the files before it."""
    main, _ = pair
    config = main / "coc.yaml"
    config.write_text(config.read_text().replace('restricted_register: "../restricted"\n', ""))
    git(main, "commit", "-qam", "simplify", "--no-verify", email=EXAMPLE_EMAILS["jsmith"])
    rel = "registers/housing/criminal-matter/2026/CRM-2026-AAAAAAAAAAAA.yaml"
    commit_by_hand(main, rel, CRIMINAL_MATTER.format(id="CRM-2026-AAAAAAAAAAAA").replace(
        "declared_on: 2026-11-20", f"declared_on: {date.today()}").replace(
        "event_date: 2026-11-19", f"event_date: {date.today()}"), "--no-verify")
    assert coc(main, "validate", "--all").exit_code == 0
    audit = coc(main, "audit")
    assert audit.exit_code == 1
    assert "coc.yaml was changed by Jane Smith (jsmith)" in audit.output
    assert "(file-authority)" in audit.output
