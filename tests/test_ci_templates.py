"""The CI files `coc init` writes: valid YAML with the expected triggers and steps, and the
commands they run (taken from the files themselves, run as real processes) failing the jobs
exactly when the register has a problem of that kind: a clean register passes every job; an
invalid record fails validation (and its JUnit report is still written and published); an
anomaly in the history fails the audit; a stale CODEOWNERS fails its check; overdue work
fails the overdue job.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from coc.cli import __version__
from coc.cli.init import init_register
from coc.cli.main import cli
from coc.registers.yamlio import load_fast
from conftest import EXAMPLE_EMAILS, git

GITHUB = ".github/workflows/coc.yml"
GITLAB = ".gitlab-ci.yml"
JANE = EXAMPLE_EMAILS["jsmith"]
ENV_KEYS = ("HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL")


def load(root: Path, name: str) -> Any:
    """YAML 1.2, as the forges read it (`on:` is a key, not true)."""
    return load_fast((root / name).read_bytes(), name)


def run_coc(root: Path, *args: str, user: str = "jsmith") -> None:
    result = CliRunner().invoke(cli, ["-C", str(root), *args],
                                env={"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS[user]},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A clean register, and copies of it each with one kind of problem committed."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
                                     f"[user]\n\tname = Jane Smith\n\temail = {JANE}\n")
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1",
                      GIT_CONFIG_GLOBAL=str(home / ".gitconfig"))
    try:
        base = tmp_path_factory.mktemp("ci")
        clean = base / "clean"
        init_register(clean, "milton-keynes")
        run_coc(clean, "declare", "gift", "--received-on", date.today().isoformat(), "--donor",
                "A. Supplier", "--description", "Pen", "--value-gbp", "5", "--outcome", "kept",
                "--no-input")
        gift = next(clean.glob("registers/*/gift/*/*.yaml"))
        run_coc(clean, "approve", gift.stem, user="mjones")
        out = {"clean": clean}
        for name in ("invalid", "audit", "codeowners"):
            out[name] = base / name
            shutil.copytree(clean, out[name], symlinks=True)

        bad = out["invalid"] / "registers/housing/gift/2026/GIF-2026-AAAAAA.yaml"
        bad.parent.mkdir(parents=True, exist_ok=True)
        bad.write_text(f"id: GIF-2026-AAAAAA\nkind: gift\ndeclarant: jsmith\nrecorded_by: jsmith\n"
                       f"declared_on: {date.today()}\ndetails:\n  donor: X\n")
        git(out["invalid"], "add", "-A")
        git(out["invalid"], "commit", "-qm", "a record missing its fields", "--no-verify",
            email=JANE)

        # a gift declared 40 days ago (and committed then) that no one has decided, in a
        # register founded before it: audit holds commit dates to their parents' (commit-date)
        out["overdue"] = base / "overdue"
        founded, declared = date.today() - timedelta(days=60), date.today() - timedelta(days=40)
        os.environ.update(GIT_AUTHOR_DATE=f"{founded}T10:00:00Z",
                          GIT_COMMITTER_DATE=f"{founded}T10:00:00Z")
        init_register(out["overdue"], "milton-keynes")
        os.environ.update(GIT_AUTHOR_DATE=f"{declared}T10:00:00Z",
                          GIT_COMMITTER_DATE=f"{declared}T10:00:00Z")
        with freeze_time(declared.isoformat()):
            run_coc(out["overdue"], "declare", "gift", "--received-on", declared.isoformat(),
                    "--donor", "B. Supplier", "--description", "Mug", "--value-gbp", "4",
                    "--outcome", "kept", "--no-input")
        del os.environ["GIT_AUTHOR_DATE"], os.environ["GIT_COMMITTER_DATE"]

        git(out["audit"], "rm", "-q", str(gift.relative_to(clean)))
        git(out["audit"], "commit", "-qm", "delete a record", "--no-verify", email=JANE)

        people = out["codeowners"] / "people.yaml"
        people.write_text(people.read_text() + (
            "  - id: ttaylor\n    name: Toni Taylor\n    email: toni.taylor@example.gov.uk\n"
            "    department: planning\n    grade: F\n    manager: sshah\n"))
        git(out["codeowners"], "commit", "-qam", "a new department", "--no-verify",
            email=EXAMPLE_EMAILS["hreed"])   # HR's to change: only CODEOWNERS is out of date
        yield out
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# the files ----------------------------------------------------------------------------------

def test_github_workflow_triggers_permissions_and_pinned_actions(registers):
    flow = load(registers["clean"], GITHUB)
    assert set(flow["on"]) == {"pull_request", "schedule", "workflow_dispatch"}
    (cron,) = [s["cron"] for s in flow["on"]["schedule"]]
    minute, hour, *rest = cron.split()
    assert rest == ["*", "*", "*"] and minute not in ("0", "00", "*") and hour != "*"  # nightly
    assert flow["permissions"] == {"contents": "read"}
    assert flow["env"]["COC_VERSION"] == __version__
    assert flow["env"]["COC_REQUIREMENT"].endswith(f"@v{__version__}")
    assert set(flow["jobs"]) == {"check", "overdue", "remind"}
    assert flow["jobs"]["check"]["name"] == "coc check"    # the check that branch protection requires
    for job in flow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]
        checkout = job["steps"][0]
        assert checkout["uses"] == "actions/checkout@v4" and checkout["with"]["fetch-depth"] == 0


def test_github_check_job_publishes_the_report_even_when_validate_fails(registers):
    steps = load(registers["clean"], GITHUB)["jobs"]["check"]["steps"]
    runs = [s.get("run", "").strip() for s in steps]
    assert "coc validate --all --format junit > coc-junit.xml" in runs
    assert "coc codeowners --check" in runs
    assert any("coc audit" in r for r in runs)
    validate = runs.index("coc validate --all --format junit > coc-junit.xml")
    later = steps[validate + 1:]
    assert all(s.get("if") in ("always()", "!cancelled()") for s in later)
    upload = next(s for s in later if s.get("uses", "").startswith("actions/upload-artifact@"))
    report = next(s for s in later if s.get("uses", "").startswith("dorny/test-reporter@"))
    assert upload["if"] == report["if"] == "always()"
    assert upload["with"]["path"] == report["with"]["path"] == "coc-junit.xml"
    assert report["with"]["reporter"] == "java-junit"


def test_github_overdue_job_fails_nightly_but_only_warns_on_a_pull_request(registers):
    job = load(registers["clean"], GITHUB)["jobs"]["overdue"]
    assert job["continue-on-error"] == "${{ github.event_name == 'pull_request' }}"
    assert job["steps"][-1]["run"].strip() == "coc overdue"


def test_gitlab_ci_rules_report_and_overdue(registers):
    ci = load(registers["clean"], GITLAB)
    sources = [r["if"] for r in ci["workflow"]["rules"]]
    assert '$CI_PIPELINE_SOURCE == "merge_request_event"' in sources
    assert '$CI_PIPELINE_SOURCE == "schedule"' in sources
    assert ci["variables"]["COC_VERSION"] == __version__ and ci["variables"]["GIT_DEPTH"] == "0"
    assert ci["variables"]["COC_REQUIREMENT"].endswith(f"@v{__version__}")
    validate = ci["coc-validate"]
    assert validate["script"] == ["coc validate --all --format junit > coc-junit.xml"]
    assert validate["artifacts"]["when"] == "always"
    assert validate["artifacts"]["reports"]["junit"] == "coc-junit.xml"
    assert ci["coc-codeowners"]["script"] == ["coc codeowners --check"]
    assert ci["coc-overdue"]["script"] == ["coc overdue"]
    assert ci["coc-overdue"]["rules"][0] == {
        "if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "allow_failure": True}


def test_install_refuses_the_placeholder_until_told_where_coc_lives(registers, tmp_path):
    for name in (GITHUB, GITLAB):
        text = (registers["clean"] / name).read_text()
        assert "git.example.gov.uk" in text and "unrelated project" in text
    install = next(s for s in load(registers["clean"], GITHUB)["jobs"]["check"]["steps"]
                   if s.get("name") == "Install coc")
    env = {**os.environ, **load(registers["clean"], GITHUB)["env"]}
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", install["run"]], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1 and "set COC_REQUIREMENT" in proc.stdout

    root = tmp_path / "chosen"
    requirement = "coc-register @ git+https://github.com/example-council/coc@v" + __version__
    result = CliRunner().invoke(cli, ["init", str(root), "--policy", "milton-keynes",
                                      "--ci-install", requirement])
    assert result.exit_code == 0, result.output
    assert load(root, GITHUB)["env"]["COC_REQUIREMENT"] == requirement
    assert load(root, GITLAB)["variables"]["COC_REQUIREMENT"] == requirement
    for bad in ('coc" ; curl evil', "coc $(id)", "coc\nx"):
        result = CliRunner().invoke(cli, ["init", str(tmp_path / "bad"), "--policy", "luton",
                                          "--ci-install", bad])
        assert result.exit_code == 1 and "--ci-install" in result.output
        assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize("requirement", [
    "coc", "COC", "coc==0.1.0", "coc>=0.1", "coc[test]", "coc [test]", "Coc~=0.1",
    "coc @ git+https://github.com/example-council/coc@v0.1.0", "Coc@file:///opt/coc"])
def test_init_refuses_the_unrelated_coc_on_pypi_as_the_ci_install(tmp_path, requirement):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "r"), "--policy", "luton",
                                      "--ci-install", requirement])
    assert result.exit_code == 1, result.output
    assert "--ci-install" in result.output and "unrelated project" in result.output
    assert "coc-register" in result.output
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("requirement", [
    "coc-register==0.1.0", "coc_register @ git+https://github.com/example-council/coc@v0.1.0",
    "git+https://github.com/example-council/coc@v0.1.0",
    "https://example.gov.uk/coc_register-0.1.0-py3-none-any.whl", "cocregister"])
def test_init_accepts_the_toolkit_by_its_own_name_a_path_or_a_url(tmp_path, requirement):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "r"), "--policy", "luton",
                                      "--ci-install", requirement])
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "r", GITHUB)["env"]["COC_REQUIREMENT"] == requirement


def test_the_default_ci_install_names_the_toolkit_not_the_pypi_coc(registers):
    for name in (GITHUB, GITLAB):
        data = load(registers["clean"], name)
        requirement = (data.get("env") or data["variables"])["COC_REQUIREMENT"]
        assert requirement.startswith("coc-register @ git+"), requirement


# the jobs, run -------------------------------------------------------------------------------

def shell(root: Path, script: str, **env: str) -> int:
    """One script as the forge runs it: bash, stopping at the first failing command."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=root,
                          env={**os.environ, "PATH": path, **env}, capture_output=True, text=True)
    return proc.returncode


def github_job(root: Path, job: str, **env: str) -> tuple[bool, list[str]]:
    """(failed, steps that ran) for one job, with GitHub's rules for `if:` after a failure.
    The checkout/setup/install steps are this test's environment; `uses` steps only count."""
    failed, ran = False, []
    event = env.get("GITHUB_EVENT_NAME", "schedule")
    for step in load(root, GITHUB)["jobs"][job]["steps"]:
        condition = step.get("if")
        if failed and condition not in ("always()", "!cancelled()"):
            continue
        if condition == "github.event_name == 'pull_request'" and event != "pull_request":
            continue
        if "uses" in step or step.get("name") == "Install coc":
            ran.append(step.get("name") or step["uses"])
            continue
        ran.append(step["name"])
        failed = shell(root, step["run"], **{"GITHUB_EVENT_NAME": "schedule",
                                             "GITHUB_STEP_SUMMARY": os.devnull, **env}) != 0 \
            or failed
    return failed, ran


def gitlab_job(root: Path, job: str, **env: str) -> bool:
    """True when the job fails: its script entries in order, stopping at the first failure."""
    return any(shell(root, line, **env) != 0 for line in load(root, GITLAB)[job]["script"])


EXPECTED = {            # what fails, per register: validate, audit, codeowners, overdue
    "clean": set(),
    "invalid": {"validate"},
    "audit": {"audit"},
    "codeowners": {"codeowners"},
    "overdue": {"overdue"},
}


@pytest.mark.parametrize("state", EXPECTED)
def test_jobs_fail_exactly_when_they_should(registers, state):
    root = registers[state]
    failing = EXPECTED[state]
    check_failed, ran = github_job(root, "check")
    assert check_failed == bool(failing - {"overdue"})
    assert {"Upload the validation report", "Publish the validation report"} <= set(ran)
    assert github_job(root, "overdue")[0] == ("overdue" in failing)
    for command in ("validate", "audit", "codeowners", "overdue"):
        assert gitlab_job(root, f"coc-{command}") == (command in failing), command

    report = (root / "coc-junit.xml").read_text()
    assert report.startswith('<?xml version="1.0" encoding="UTF-8"?>\n'
                             '<testsuite name="coc validate"')
    assert ('failures="0"' not in report) == ("validate" in failing)


def test_on_a_pull_request_audit_reads_only_its_commits(registers):
    root = registers["audit"]
    parent = git(root, "rev-parse", "HEAD~1").strip()
    head = git(root, "rev-parse", "HEAD").strip()
    # the deletion is in the pull request: it fails
    git(root, "update-ref", "refs/remotes/origin/main", parent)
    pr = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"}
    assert github_job(root, "check", **pr)[0] is True
    assert gitlab_job(root, "coc-audit", CI_MERGE_REQUEST_DIFF_BASE_SHA=parent) is True
    # the deletion is already on main: a new pull request is not blamed for it; nightly still is
    git(root, "update-ref", "refs/remotes/origin/main", head)
    assert github_job(root, "check", **pr)[0] is False
    assert gitlab_job(root, "coc-audit", CI_MERGE_REQUEST_DIFF_BASE_SHA=head) is False
    assert gitlab_job(root, "coc-audit") is True
    git(root, "update-ref", "-d", "refs/remotes/origin/main")


def test_the_overdue_job_says_who_must_act(registers):
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    proc = subprocess.run(["coc", "overdue", "--format", "json"], cwd=registers["overdue"],
                          env={**os.environ, "PATH": path}, capture_output=True, text=True)
    assert proc.returncode == 1
    (finding,) = json.loads(proc.stdout)
    assert finding["rule"] == "overdue-decision"
    assert "who must act: Max Jones (line manager)" in finding["message"]


def test_the_review_step_writes_the_job_summary_on_a_pull_request(registers, tmp_path):
    root = registers["invalid"]
    summary = tmp_path / "summary.md"
    base = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=root,
                          capture_output=True, text=True).stdout.split()[0]
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", base], cwd=root, check=True)
    step = next(s for s in load(root, GITHUB)["jobs"]["check"]["steps"]
                if s.get("name") == "coc review")
    assert shell(root, step["run"], GITHUB_EVENT_NAME="pull_request", GITHUB_BASE_REF="main",
                 GITHUB_STEP_SUMMARY=str(summary)) == 0
    assert "## coc review:" in summary.read_text()
    _, ran = github_job(root, "check")
    assert "coc review" not in ran, "a nightly run has no pull request to review"
