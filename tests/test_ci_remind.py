"""The generated CI files run `coc remind --send --since-last` nightly when the SMTP secrets
are set, and skip it with a notice when they are not: their own scripts, run here by bash as
the forge runs them, against a real SMTP server (aiosmtpd) that asks for a login."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

from conftest import EXAMPLE_EMAILS, git
from test_ci_templates import GITHUB, GITLAB, load
from test_remind import Server, free_port, reminders_block, start

SECRETS = {"COC_SMTP_USER": "coc-bot", "COC_SMTP_PASSWORD": "s3cret"}


@pytest.fixture
def smtp() -> Iterator[Server]:
    server = Server(free_port())

    def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        server.logins.append((auth.login.decode(), auth.password.decode()))
        return AuthResult(success=(auth.login, auth.password) == (b"coc-bot", b"s3cret"),
                          handled=False)   # False: the server answers 535 itself

    controller = start(server, authenticator=authenticate, auth_required=True,
                       auth_require_tls=False)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def register(make_register, coc, smtp) -> Path:
    root = make_register("milton-keynes")
    (root / "coc.yaml").write_text((root / "coc.yaml").read_text() + reminders_block(smtp.port))
    git(root, "commit", "-qam", "reminders", email=EXAMPLE_EMAILS["mokafor"])
    declared = coc(root, "declare", "property-use", "--item", "Laptop", "--purpose", "Training",
                   "--from-date", "2099-06-01", "--no-input")
    assert declared.exit_code == 0, declared.output
    return root


def shell(root: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=root,
                          env={**clean, "PATH": path, **env}, capture_output=True, text=True)


def github_step(root: Path) -> dict[str, Any]:
    job = load(root, GITHUB)["jobs"]["remind"]
    return next(s for s in job["steps"] if s.get("name") == "coc remind")


def test_github_runs_remind_nightly_only_with_the_secrets_and_keeps_its_state(register):
    flow = load(register, GITHUB)
    job = flow["jobs"]["remind"]
    assert job["if"] == "github.event_name == 'schedule'"
    step = github_step(register)
    assert step["env"] == {"COC_SMTP_USER": "${{ secrets.COC_SMTP_USER }}",
                           "COC_SMTP_PASSWORD": "${{ secrets.COC_SMTP_PASSWORD }}"}
    assert "coc remind --send --since-last" in step["run"]
    cache = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".git/coc/reminders.json"
    text = (register / GITHUB).read_text()
    assert "coc remind --send --since-last" in text.split("name: coc")[0]   # the comment says so
    assert "COC_SMTP_USER and COC_SMTP_PASSWORD" in text.split("name: coc")[0]


def test_github_step_without_secrets_is_skipped_with_a_notice(register, smtp):
    done = shell(register, github_step(register)["run"])
    assert done.returncode == 0
    assert done.stdout.startswith("::notice::coc remind skipped")
    assert smtp.got == []


def test_github_step_with_secrets_sends_once(register, smtp):
    done = shell(register, github_step(register)["run"], **SECRETS)
    assert done.returncode == 0, done.stderr
    assert [r.rcpt for r in smtp.got] == [[EXAMPLE_EMAILS["mjones"]]]
    assert smtp.logins == [("coc-bot", "s3cret")]
    again = shell(register, github_step(register)["run"], **SECRETS)   # the same night, re-run
    assert again.returncode == 0 and len(smtp.got) == 1


def test_github_step_fails_when_the_secrets_are_wrong(register, smtp):
    done = shell(register, github_step(register)["run"], COC_SMTP_USER="coc-bot",
                 COC_SMTP_PASSWORD="wrong")
    assert done.returncode == 1
    assert done.stderr.startswith("coc: error: localhost:") and "refused the login" in done.stderr
    assert "wrong" not in done.stderr
    assert smtp.got == []


def test_gitlab_job_nightly_with_the_variables_and_its_cache(register, smtp, tmp_path):
    ci = load(register, GITLAB)
    job = ci["coc-remind"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert job["cache"]["paths"] == [".coc-reminders/"]
    text = (register / GITLAB).read_text()
    assert "coc remind --send --since-last" in text.split("workflow:")[0]
    (script,) = job["script"]
    skipped = shell(register, script)
    assert skipped.returncode == 0 and "coc remind skipped" in skipped.stdout
    assert smtp.got == []
    sent = shell(register, script, **SECRETS)
    assert sent.returncode == 0, sent.stderr
    assert len(smtp.got) == 1
    # the next pipeline: a fresh clone, with only the job cache carried over
    fresh = tmp_path / "next-pipeline"
    subprocess.run(["git", "clone", "-q", str(register), str(fresh)], check=True)
    shutil.copytree(register / ".coc-reminders", fresh / ".coc-reminders")
    again = shell(fresh, script, **SECRETS)
    assert again.returncode == 0, again.stderr
    assert len(smtp.got) == 1 and "Skipped 1 reminded" in again.stdout
    assert ".coc-reminders/" in (register / ".gitignore").read_text()
