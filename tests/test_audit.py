"""`coc audit` on histories built with real git: the real CLI for what people do properly, and
`git commit --no-verify` (skipping the hook) or the wrong GIT_AUTHOR_EMAIL for what they
should not. Each anomaly must be reported naming its record, its commit and its rule; a clean
history must print nothing and exit 0.

Two registers per module (one with every anomaly, one clean), built once: the audit reads the
whole history, so one history can carry many independent stories.
"""
from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from coc.cli.init import init_register
from coc.cli.main import cli
from coc.registers.store import new_id
from conftest import EXAMPLE_EMAILS

TODAY = date.today()
PRIVATE_EMAIL = "max.jones@home.example.org"   # not in people.yaml until the very end


@pytest.fixture(scope="module")
def git_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """conftest's isolation, for module-scoped registers (built before its autouse fixture)."""
    home = tmp_path_factory.mktemp("audit-home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                    "GIT_COMMITTER_EMAIL", "COC_REGISTER", "GIT_DIR", "GIT_INDEX_FILE"):
            mp.delenv(var, raising=False)
        yield


def run(root: Path, *args: str, user: str = "jsmith") -> Result:
    env = {"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user)}
    return CliRunner().invoke(cli, ["-C", str(root), *args], env=env, catch_exceptions=False)


def ok(root: Path, *args: str, user: str = "jsmith") -> Result:
    result = run(root, *args, user=user)
    assert result.exit_code == 0, result.output
    return result


def git(root: Path, *args: str, user: str = "jsmith") -> str:
    email = EXAMPLE_EMAILS.get(user, user)
    env = {**os.environ, "GIT_AUTHOR_NAME": user, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": user, "GIT_COMMITTER_EMAIL": email}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def declare_gift(root: Path, user: str = "jsmith") -> str:
    result = ok(root, "declare", "gift", "--received-on", TODAY.isoformat(), "--donor",
                "A. Supplier", "--description", "Box of chocolates", "--value-gbp", "12.50",
                "--outcome", "shared-with-team", "--no-input", "--json", user=user)
    return json.loads(result.output)["id"]


def path_of(root: Path, record_id: str) -> Path:
    (path,) = root.glob(f"registers/*/*/*/{record_id}.yaml")
    return path


def edit(root: Path, record_id: str, old: str, new: str) -> None:
    path = path_of(root, record_id)
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new, 1))


def sneak(root: Path, user: str, message: str, *paths: str) -> str:
    """Commit as `user` past the pre-commit hook, as `git commit --no-verify` allows anyone to."""
    git(root, "add", "-A", "--", *paths, user=user)
    git(root, "commit", "-q", "--no-verify", "-m", message, user=user)
    return git(root, "rev-parse", "HEAD")


DECISION = """decisions:
  - decision: approved
    by: {by}
    at: {at}
    as: line manager
    details_version: 0
amendments: []"""


def add_decision(root: Path, record_id: str, by: str) -> None:
    edit(root, record_id, "decisions: []\namendments: []",
         DECISION.format(by=by, at=f"{TODAY.isoformat()} 10:00:00+00:00"))


@pytest.fixture(scope="module")
def bad(git_env: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple]]:
    """A register with one story per anomaly: name -> (record id, commit, rule, field)."""
    root = tmp_path_factory.mktemp("audit") / "bad"
    init_register(root, "milton-keynes")
    expect: dict[str, tuple] = {}

    # A decision committed by someone other than the person it names.
    rid = declare_gift(root)
    add_decision(root, rid, "mjones")
    expect["wrong-author"] = (rid, sneak(root, "jsmith", "approve it myself", "registers"),
                              "committer-identity", "decisions.0.by")

    # A decision by someone the policy does not allow (a colleague, not the line manager).
    rid = declare_gift(root)
    add_decision(root, rid, "pbrown")
    expect["not-allowed"] = (rid, sneak(root, "pbrown", "approve", "registers"),
                             "decision-authority", "decisions.0.by")

    # A decision from an email people.yaml did not know at the time (it does by the end).
    rid = declare_gift(root)
    add_decision(root, rid, "mjones")
    expect["unknown-author"] = (rid, sneak(root, PRIVATE_EMAIL, "approve", "registers"),
                                "committer-identity", None)

    # Details changed after approval without an amendment.
    rid = declare_gift(root)
    ok(root, "approve", rid, user="mjones")
    edit(root, rid, "value_gbp: '12.50'", "value_gbp: '120.00'")
    expect["details-changed"] = (rid, sneak(root, "jsmith", "fix value", "registers"),
                                 "amendment-required", "details.value_gbp")

    # A record deleted.
    rid = declare_gift(root)
    git(root, "rm", "-q", str(path_of(root, rid).relative_to(root)))
    expect["deleted"] = (rid, sneak(root, "jsmith", "tidy up", "registers"), "record-deleted",
                         None)

    # A decision rewritten (its conditions softened), and one removed.
    rid = declare_gift(root)
    ok(root, "approve", rid, "--conditions", "Share them with the team", user="mjones")
    edit(root, rid, "conditions: Share them with the team", "conditions: Keep them")
    expect["rewritten"] = (rid, sneak(root, "mjones", "reword", "registers"), "append-only",
                           "decisions.0")
    rid = declare_gift(root)
    ok(root, "reject", rid, "--reason", "Not allowed", user="mjones")
    text = path_of(root, rid).read_text()
    path_of(root, rid).write_text(text.split("decisions:")[0] + "decisions: []\namendments: []\n")
    expect["removed"] = (rid, sneak(root, "mjones", "undo", "registers"), "append-only",
                         "decisions.0")

    # Consultancy that started before it was approved (declared late, then approved past the
    # hook: `coc approve` refuses, as the start before permission is a breach, MK §7).
    started = (TODAY - timedelta(days=20)).isoformat()
    result = ok(root, "declare", "outside-work", "--organisation", "Luton Town FC", "--role",
                "Adviser", "--paid", "yes", "--consultancy", "yes", "--start-date", started,
                "--hours-per-week", "10", "--late-reason", "Forgot", "--no-input", "--json")
    rid = json.loads(result.output)["id"]
    assert run(root, "approve", rid, user="hhughes").exit_code == 1
    add_decision(root, rid, "hhughes")
    expect["started-early"] = (rid, sneak(root, "hhughes", "approve", "registers"),
                               "started-before-approval", "decisions.0")
    # ... and so that approval "approves" a breach, which no approval resolves (issue 8)
    expect["approves-breach"] = (rid, expect["started-early"][1], "approves-breach",
                                 "decisions.0.decision")

    # A record whose declared_on is a month before the commit that added it.
    model = path_of(root, declare_gift(root))
    rid = new_id("GIF", TODAY.year)
    back = (TODAY - timedelta(days=30)).isoformat()
    model.with_name(f"{rid}.yaml").write_text(model.read_text().replace(
        model.stem, rid).replace(f"declared_on: {TODAY}", f"declared_on: {back}"))
    expect["backdated"] = (rid, sneak(root, "jsmith", "declare", "registers"), "backdated",
                           "declared_on")

    # A decision whose `at` is a week before the commit that recorded it.
    rid = declare_gift(root)
    edit(root, rid, "decisions: []\namendments: []", DECISION.format(
        by="mjones", at=f"{TODAY - timedelta(days=7)} 10:00:00+00:00"))
    expect["backdated-decision"] = (rid, sneak(root, "mjones", "approve", "registers"),
                                    "backdated", "decisions.0.at")

    # A record file that is not YAML, and one that is a symbolic link.
    folder = root / "registers" / "housing" / "gift" / str(TODAY.year)
    broken, link = new_id("GIF", TODAY.year), new_id("GIF", TODAY.year)
    (folder / f"{broken}.yaml").write_text("id: [unclosed\n")
    (folder / f"{link}.yaml").symlink_to("/etc/passwd")
    sha = sneak(root, "jsmith", "odd files", "registers")
    expect["unreadable"] = (broken, sha, "unreadable-record", None)
    expect["symlink"] = (link, sha, "unreadable-record", None)

    # A decision by a manager who has declared a relationship with the declarant (Luton §13):
    # judged with the relationship records of the day.
    rid = declare_gift(root, user="agreen")
    ok(root, "declare", "relationship", "--other-person", "agreen", "--relationship", "friend",
       "--context", "line-management", "--no-input", user="mjones")
    add_decision(root, rid, "mjones")
    expect["related"] = (rid, sneak(root, "mjones", "approve", "registers"),
                         "decision-authority", "decisions.0.by")

    # A record moved by its declarant into another department, whose approvers review it.
    rid = declare_gift(root, user="pbrown")
    folder = root / "registers" / "legal" / "gift" / str(TODAY.year)
    folder.mkdir(parents=True)
    git(root, "mv", str(path_of(root, rid)), str(folder))
    expect["moved"] = (rid, sneak(root, "pbrown", "move", "registers"), "record-moved", None)

    # Only now does people.yaml learn the private email: the earlier decision is still judged
    # by the people file in force when it was made.
    people = root / "people.yaml"
    people.write_text(people.read_text().replace("max.jones@example.gov.uk", PRIVATE_EMAIL))
    git(root, "commit", "-qam", "mjones's new email", user="hreed")
    return root, expect


@pytest.fixture(scope="module")
def bad_json(bad: tuple[Path, dict]) -> list[dict]:
    result = run(bad[0], "audit", "--format", "json")
    assert result.exit_code == 1, result.output
    return json.loads(result.output)


def test_every_anomaly_is_found_naming_record_commit_and_rule(bad, bad_json):
    _, expect = bad
    found = {(f["record_id"], f["commit"], f["rule"], f["field"]) for f in bad_json}
    assert found == set(expect.values())
    assert all(f["severity"] == "error" and f["message"] for f in bad_json)


def test_both_cores_find_the_same_as_one(bad, bad_json, monkeypatch):
    from coc.policies import audit as auditing
    from coc.registers.history import History

    monkeypatch.setattr(auditing, "PARALLEL_FROM", 0)
    monkeypatch.setattr(auditing.os, "cpu_count", lambda: 3)
    found = auditing.audit(History.read(bad[0]), use_cache=False)
    assert [f.to_json() for f in found] == bad_json


@pytest.mark.parametrize("cores", [1, 3])
def test_reading_ahead_while_git_log_runs_finds_the_same(bad, bad_json, monkeypatch, cores):
    """Cold, audit parses each record version while git log still prints (History.read's
    read_ahead): with every version read that way, the unreadable and linked files included,
    on one core or forked workers, it finds exactly what reading each when judged finds."""
    from coc.policies import audit as auditing
    from coc.registers import history as histories

    class GitStillRunning(histories._drained):
        running = property(lambda self: True, lambda self, value: None)

    monkeypatch.setattr(histories, "_drained", GitStillRunning)
    monkeypatch.setattr(histories, "READ_AHEAD", 1)
    monkeypatch.setattr(auditing, "PARALLEL_FROM", 0)
    monkeypatch.setattr(auditing.os, "cpu_count", lambda: cores)
    history = histories.History.read(bad[0], read_ahead=True)
    assert len(history._records) > 10      # read ahead, before any step was judged
    found = auditing.audit(history, use_cache=False)
    assert [f.to_json() for f in found] == bad_json


def test_the_cold_audit_reads_ahead_and_a_cached_one_does_not(bad, monkeypatch):
    from coc.policies import audit as auditing

    cache = bad[0] / ".git" / "coc" / "audit.json"
    run(bad[0], "audit")
    assert cache.is_file()
    asked = []
    monkeypatch.setattr(auditing.History, "read",
                        classmethod(lambda cls, root, read_ahead=False: asked.append(read_ahead)))
    auditing.read_history(bad[0])
    auditing.read_history(bad[0], use_cache=False)
    kept = cache.read_bytes()
    cache.unlink()
    auditing.read_history(bad[0])
    cache.write_bytes(kept)          # as the module's other tests expect it
    assert asked == [False, True, True]


def test_remembered_decision_findings_change_nothing(bad, bad_json, monkeypatch):
    """Audit remembers the decision findings of each record version (a merge judges it
    again); judging every step afresh finds exactly the same."""
    from coc.policies import audit as auditing
    from coc.policies.history import Verdicts, _decision_findings
    from coc.registers.history import History

    monkeypatch.setattr(Verdicts, "decisions",
                        lambda self, after, new: _decision_findings(after, self.ctx, new))
    found = auditing.audit(History.read(bad[0]), use_cache=False)
    assert [f.to_json() for f in found] == bad_json


def test_a_remembered_decision_is_judged_again_when_relationships_change(git_env, tmp_path):
    """The one input besides the record and the context: the context records (
    relationships, MK §11). The audit clears what it remembers whenever one of them changes."""
    from coc.policies.history import Verdicts
    from coc.policies.registry import context_for
    from coc.registers.record import Record
    from coc.registers.store import Register
    from coc.registers.yamlio import load_fast

    root = init_register(tmp_path / "register", "milton-keynes")
    rid = declare_gift(root, user="agreen")
    add_decision(root, rid, "mjones")
    approved = Record(data=load_fast(path_of(root, rid).read_bytes(), "r.yaml"),
                      path=str(path_of(root, rid).relative_to(root)))
    result = ok(root, "declare", "relationship", "--other-person", "agreen", "--relationship",
                "partner", "--context", "line-management", "--no-input", "--json", user="mjones")
    relationship = json.loads(result.output)
    ctx = context_for(Register(root))
    records: dict[str, Record] = {}
    ctx.records = records
    memo = Verdicts(ctx)
    before = [f.rule for f in memo.decisions(approved, range(0, 1))]
    assert "decision-authority" not in before
    records[relationship["id"]] = Record(data=load_fast(
        (root / relationship["path"]).read_bytes(), "r.yaml"), path=relationship["path"])
    assert [f.rule for f in memo.decisions(approved, range(0, 1))] == before   # remembered
    memo.clear()
    assert "decision-authority" in [f.rule for f in memo.decisions(approved, range(0, 1))]


def cached(cache: Path) -> dict:
    """The cache's findings (its first line is the HMAC that signs the rest)."""
    return json.loads(cache.read_text().split("\n", 1)[1])


def test_a_cached_audit_says_the_same_and_a_spoilt_cache_is_ignored(bad, bad_json):
    root, _ = bad
    cache = root / ".git" / "coc" / "audit.json"
    assert cached(cache)["commits"]
    assert json.loads(run(root, "audit", "--format", "json").output) == bad_json
    for spoilt in ('{"key": 1, "commits": []}', "[", '{"commits": {"abc": [{"x": 1}]}}'):
        cache.write_text(spoilt)
        assert json.loads(run(root, "audit", "--format", "json").output) == bad_json


def test_an_edited_cache_hides_nothing(bad, bad_json):
    """Emptying each commit's findings in .git/coc/audit.json, keeping or recomputing its
    first line without the user's key (~/.config/coc/audit.key), does not hide them."""
    import hashlib

    root, _ = bad
    cache = root / ".git" / "coc" / "audit.json"
    run(root, "audit")
    mac, body = cache.read_text().split("\n", 1)
    data = json.loads(body)
    hidden = json.dumps({**data, "commits": {sha: [] for sha in data["commits"]}})
    for forged in (mac, hashlib.sha256(hidden.encode()).hexdigest()):
        cache.write_text(f"{forged}\n{hidden}")
        result = run(root, "audit", "--format", "json")
        assert (result.exit_code, json.loads(result.output)) == (1, bad_json)
    assert cached(cache)["commits"] != {sha: [] for sha in data["commits"]}   # written afresh


def test_no_cache_checks_again_and_writes_nothing(bad, bad_json):
    root, _ = bad
    cache = root / ".git" / "coc" / "audit.json"
    cache.unlink(missing_ok=True)
    result = run(root, "audit", "--no-cache", "--format", "json")
    assert (result.exit_code, json.loads(result.output)) == (1, bad_json)
    assert not cache.exists()


def test_the_text_report_has_one_line_per_anomaly(bad):
    root, expect = bad
    result = run(root, "audit")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == len(expect)
    for record_id, commit, rule, _ in expect.values():
        line = next(line for line in lines
                    if line.startswith(record_id + ":") and f"({rule})" in line)
        assert commit[:10] in line
    started = next(line for line in lines if "(started-before-approval)" in line)
    assert "[MK §7]" in started and "the work started on" in started


def test_decisions_are_judged_by_the_people_file_of_their_day(bad, bad_json):
    _, expect = bad
    record_id = expect["unknown-author"][0]
    (finding,) = [f for f in bad_json if f["record_id"] == record_id]
    assert PRIVATE_EMAIL in finding["message"] and "not in people.yaml" in finding["message"]


def test_junit_parses_with_one_failing_case_per_record(bad):
    root, expect = bad
    result = run(root, "audit", "--format", "junit")
    assert result.exit_code == 1
    suite = ET.fromstring(result.output)
    failing = {case.get("name") for case in suite.iter("testcase")
               if case.find("failure") is not None}
    assert failing == {record_id for record_id, *_ in expect.values()}
    assert int(suite.get("failures")) == len(failing)
    assert int(suite.get("tests")) > len(failing)   # the records that passed are cases too


def test_since_reports_only_later_commits(bad):
    root, expect = bad
    since = expect["started-early"][1]
    result = run(root, "audit", "--since", since, "--format", "json")
    assert result.exit_code == 1
    assert {(f["record_id"], f["rule"]) for f in json.loads(result.output)} == {
        (expect[name][0], expect[name][2])
        for name in ("backdated", "backdated-decision", "unreadable", "symlink", "related",
                     "moved")}
    head = git(root, "rev-parse", "HEAD")
    result = run(root, "audit", "--since", head)
    assert (result.exit_code, result.output) == (0, "")


def test_since_must_name_a_commit(bad):
    result = run(bad[0], "audit", "--since", "--output=/tmp/x")
    assert result.exit_code == 1
    assert "is not a commit" in result.output and "Traceback" not in result.output


def test_coc_log_marks_the_anomaly_in_the_timeline(bad):
    root, expect = bad
    record_id, commit, rule, _ = expect["details-changed"]
    result = run(root, "log", record_id)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "edited without an appended entry: details.value_gbp" in text
    assert f"({rule})" in text and text.index(commit[:10]) < text.index("! ")


# a clean history ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clean(git_env: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Declared, approved, accepted, amended, re-approved, ended, withdrawn, moved: all properly."""
    root = tmp_path_factory.mktemp("audit") / "clean"
    init_register(root, "milton-keynes")
    gift = declare_gift(root)
    ok(root, "approve", gift, "--conditions", "Share them with the team", user="mjones")
    ok(root, "accept", gift)
    soon = (TODAY + timedelta(days=30)).isoformat()
    result = ok(root, "declare", "outside-work", "--organisation", "Luton Town FC", "--role",
                "Steward", "--paid", "yes", "--start-date", soon, "--hours-per-week", "10",
                "--no-input", "--json")
    work = json.loads(result.output)["id"]
    ok(root, "approve", work, user="mjones")
    ok(root, "amend", work, "--hours-per-week", "12", "--note", "More matches")
    ok(root, "approve", work, user="mjones")
    ok(root, "end", work, "--on", soon)
    other = declare_gift(root, user="pbrown")
    ok(root, "withdraw", other, "--reason", "Returned the gift", user="pbrown")
    # Jane moves to planning, and HR moves her records with her, content unchanged: not a
    # deletion. (The hook refuses moves, so this one skips it.)
    people = root / "people.yaml"
    people.write_text(people.read_text().replace(
        "email: jane.smith@example.gov.uk\n    department: housing",
        "email: jane.smith@example.gov.uk\n    department: planning"))
    for record_id in (gift, work):
        moved = root / "registers" / "planning" / path_of(root, record_id).parent.relative_to(
            root / "registers" / "housing")
        moved.mkdir(parents=True, exist_ok=True)
        git(root, "mv", str(path_of(root, record_id)), str(moved))
    sneak(root, "hreed", "jsmith moves to planning, her records with her", "registers",
          "people.yaml")
    # mjones's email changes after his decisions: they stay his, judged by the file of the day.
    people.write_text(people.read_text().replace("max.jones@example.gov.uk", PRIVATE_EMAIL))
    git(root, "commit", "-qam", "mjones's new email", user="hreed")
    return root


def test_a_clean_history_prints_nothing_and_exits_0(clean):
    result = run(clean, "audit")
    assert (result.exit_code, result.output) == (0, "")
    assert len(git(clean, "log", "--format=%H").split()) == 13


def test_a_clean_history_in_json_and_junit(clean):
    result = run(clean, "audit", "--format", "json")
    assert (result.exit_code, json.loads(result.output)) == (0, [])
    result = run(clean, "audit", "--format", "junit")
    assert result.exit_code == 0
    suite = ET.fromstring(result.output)
    assert (suite.get("tests"), suite.get("failures")) == ("3", "0")


def test_the_installed_executable_audits_from_inside_the_register(clean, coc_subprocess):
    proc = coc_subprocess(clean / "registers", "audit")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_shallow_clone_is_refused_not_misjudged(clean, tmp_path):
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{clean}", str(shallow)],
                   check=True, capture_output=True)
    result = run(shallow, "audit")
    assert result.exit_code == 1
    assert "shallow" in result.output and "--unshallow" in result.output


def test_mk_s7_a_part_time_notice_given_after_the_start_is_no_anomaly(make_register, coc):
    """MK §7: part-time Grade H+ staff "should tell their manager": a notice, acknowledged,
    which may come once the work has begun; it is not "started before approval" (issue 8)."""
    root = make_register("milton-keynes")
    result = coc(root, "declare", "outside-work", "--organisation", "MK Dons", "--role",
                 "Steward", "--paid", "yes", "--start-date",
                 (TODAY - timedelta(days=3)).isoformat(), "--hours-per-week", "5",
                 "--late-reason", "Forgot", "--no-input", "--json", user="pbrown")
    assert result.exit_code == 0, result.output
    record_id = json.loads(result.output)["id"]
    noted = coc(root, "approve", record_id, user="mjones")
    assert noted.exit_code == 0 and noted.output.startswith("Acknowledged (noted)")
    result = coc(root, "audit")
    assert result.exit_code == 0, result.output


# signatures -----------------------------------------------------------------------------------

def test_unsigned_commits_when_signatures_are_required(make_register, tmp_path):
    root = make_register("milton-keynes")
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jsmith", "-f",
                    str(key)], check=True, capture_output=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"morgan.okafor@example.gov.uk {key.with_suffix('.pub').read_text()}")
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                        ("gpg.ssh.allowedSignersFile", str(allowed))):
        git(root, "config", name, value)
    config = root / "coc.yaml"
    config.write_text(config.read_text().replace("require_signed_commits: false",
                                                 "require_signed_commits: true"))
    git(root, "commit", "-q", "-S", "-am", "require signed commits", user="mokafor")
    (root / "agenda.txt").write_text("agenda\n")
    git(root, "add", "agenda.txt", user="mokafor")
    git(root, "commit", "-q", "-S", "-m", "agenda", user="mokafor")   # required from here
    assert git(root, "log", "-1", "--format=%G?") == "G"
    clean = run(root, "audit")
    assert (clean.exit_code, clean.output) == (0, "")

    (root / "notes.txt").write_text("minutes\n")
    git(root, "add", "notes.txt")
    git(root, "commit", "-q", "--no-verify", "-m", "unsigned")
    unsigned = git(root, "rev-parse", "HEAD")
    result = run(root, "audit", "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)
    assert (finding["commit"], finding["rule"]) == (unsigned, "unsigned-commit")
    assert "is not signed" in finding["message"]

    # Signed with a key git does not trust for that signer: the signature is not good.
    allowed.write_text("")
    result = run(root, "audit", "--format", "json")
    found = {f["commit"]: f for f in json.loads(result.output)}
    assert {f["rule"] for f in found.values()} == {"unsigned-commit"}
    assert len(found) == 2 and "does not trust" in found[git(root, "rev-parse", "HEAD~1")][
        "message"]


def test_a_cache_written_by_other_code_is_not_used(bad, bad_json, monkeypatch):
    """The audit cache is bound to a digest of the toolkit's code (as the record index is), so
    a changed rule judges every commit again without anyone bumping a version by hand."""
    from coc.policies import audit as auditing
    from coc.registers import index
    from coc.registers.history import History

    root, _ = bad
    run(root, "audit")
    history = History.read(root)
    history.fetch_settings()
    path = auditing._cache_path(history)
    assert auditing._read_cache(path, auditing._cache_key(history))
    monkeypatch.setattr(index, "toolkit_digest", lambda: "another toolkit")
    assert auditing._read_cache(path, auditing._cache_key(history)) == {}
    assert json.loads(run(root, "audit", "--format", "json").output) == bad_json
