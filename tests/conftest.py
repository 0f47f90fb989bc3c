"""Shared fixtures: real git register repositories in tmp dirs, and the real CLI (STYLE §6).

`coc(register, *args, user="jsmith")` runs the CLI through click's CliRunner as the person
whose people.yaml email is used; `coc_subprocess` runs the installed `coc` executable.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner, Result

from coc.cli.init import init_register
from coc.cli.main import cli

EXAMPLE_EMAILS = {
    "ccarter": "chris.carter@example.gov.uk", "mokafor": "morgan.okafor@example.gov.uk",
    "hreed": "harper.reed@example.gov.uk", "ddavies": "dana.davies@example.gov.uk",
    "sshah": "sam.shah@example.gov.uk", "hhughes": "hana.hughes@example.gov.uk",
    "mjones": "max.jones@example.gov.uk", "jsmith": "jane.smith@example.gov.uk",
    "pbrown": "pat.brown@example.gov.uk", "agreen": "alex.green@example.gov.uk",
    "kpatel": "kiran.patel@example.gov.uk",
}


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config leaks in; a fixed identity for commits tests make directly."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL", "COC_REGISTER", "GIT_DIR", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")


@pytest.fixture
def make_register(tmp_path: Path) -> Callable[..., Path]:
    """`make_register("luton")` -> path of a fresh register with the example organisation."""
    counter = {"n": 0}

    def make(policy: str = "luton", people: str | None = None, config: dict[str, Any] | None = None,
             name: str | None = None) -> Path:
        counter["n"] += 1
        root = tmp_path / (name or f"register{counter['n']}")
        people_file = None
        if people is not None:
            people_file = tmp_path / f"people{counter['n']}.yaml"
            people_file.write_text(people)
        init_register(root, policy, people_file)
        if config:
            text = (root / "coc.yaml").read_text()
            for key, value in config.items():
                text += f"{key}: {value}\n" if key != "parameters" else ""
            if "parameters" in config:
                text = text.replace("parameters:\n", "parameters:\n" + "".join(
                    f"  {k}: {v}\n" for k, v in config["parameters"].items()), 1)
            (root / "coc.yaml").write_text(text)
            git(root, "commit", "-qam", "configure", email=EXAMPLE_EMAILS["mokafor"])  # the MO's
        return root

    return make


def git(root: Path, *args: str, email: str = "tester@example.gov.uk") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Tester", "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": "Tester", "GIT_COMMITTER_EMAIL": email}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def coc() -> Callable[..., Result]:
    """Run `coc -C REGISTER ARGS...` in-process as `user` (a people.yaml id or an email)."""

    def run(register: Path, *args: str, user: str = "jsmith", input: str | None = None) -> Result:
        email = EXAMPLE_EMAILS.get(user, user)
        runner = CliRunner()
        return runner.invoke(cli, ["-C", str(register), *args], input=input,
                             env={"GIT_AUTHOR_EMAIL": email}, catch_exceptions=False)

    return run


@pytest.fixture
def coc_subprocess() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `coc` executable as a real process, in `register`, as `user`."""

    def run(register: Path, *args: str, user: str = "jsmith",
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user)}
        exe = Path(sys.executable).parent / "coc"
        command = [str(exe)] if exe.exists() else [sys.executable, "-m", "coc.cli.main"]
        return subprocess.run([*command, *args], cwd=register, env=env, input=input,
                              capture_output=True, text=True)

    return run


GIFT_FLAGS = ("--received-on", "2026-11-20", "--donor", "A. Supplier", "--description",
              "Box of chocolates", "--value-gbp", "12.50", "--outcome", "shared-with-team",
              "--no-input")


def same_life_both_ways(root: Path) -> list[str]:
    """Every record id in `root`'s history, after checking that `coc log`'s walk of the record's
    own paths (policies/audit.record_life) tells exactly what the walk of the whole history
    (life) tells: the same commits, events, anomalies and people, in the same order."""
    from coc.policies.audit import life, record_ids, record_life
    from coc.registers.history import History

    def told(entries: list[Any]) -> list[Any]:
        return [(e.commit.sha, e.path, e.events, [f.to_json() for f in e.anomalies], e.person)
                for e in entries]

    history = History.read(root)
    ids = record_ids(history)
    for record_id in ids:
        whole = told(life(History.read(root), record_id))
        assert whole, record_id
        assert told(record_life(root, record_id)) == whole, record_id
    return ids
