"""No code from a register runs when its commits are checked (issue 9 item 1, SPEC §2).

git runs hooks in the register's working tree, where a pull request can commit a `coc/`
package, a `click.py` or a `sitecustomize.py`. Each such file is planted here as a merged
pull request would leave it: on import it writes a marker file and exits 0, which would both
run someone's code and switch the check off. Then a real `git commit` of a broken record, and
`coc declare` and `coc approve` (whose commits go through the same hook), must show the check
still refusing and the marker never written.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from coc.cli.init import init_register
from coc.hooks.install import install_hint, isolated_coc
from conftest import EXAMPLE_EMAILS

PLANTS = ["coc/cli/main.py", "coc/__init__.py", "click.py", "tempfile.py", "yaml.py", "git.py",
          "sitecustomize.py", "usercustomize.py"]
BROKEN = "registers/housing/gift/2026/GIF-2026-BBBBBB.yaml"
COC = Path(sys.executable).parent / "coc"


def plant_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'a').write('ran\\n')\nraise SystemExit(0)\n"


def env_for(user: str = "jsmith", **extra: str) -> dict[str, str]:
    """The environment of someone committing: their identity, nothing of the test's git."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER", "PYTHON", "COC_"))}
    email = EXAMPLE_EMAILS[user]
    env.update(GIT_AUTHOR_NAME=user, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=user,
               GIT_COMMITTER_EMAIL=email, **extra)
    return env


def run(root: Path, *args: str, user: str = "jsmith", **extra: str
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=root, env=env_for(user, **extra), capture_output=True,
                          text=True, timeout=120)


def plant(root: Path, rel: str, marker: Path) -> None:
    """`rel` committed to the register (as a merged pull request would leave it)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(plant_code(marker))
    assert run(root, "git", "add", "-A").returncode == 0
    assert run(root, "git", "commit", "-q", "--no-verify", "-m", f"add {rel}").returncode == 0


def broken_commit(root: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Stage a record that is not even YAML and try to `git commit` it (the hook runs)."""
    path = root / BROKEN
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id: [unclosed\n")
    assert run(root, "git", "add", BROKEN).returncode == 0
    return run(root, "git", "commit", "-q", "-m", "broken", **extra)


def assert_refused(root: Path, proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "coc: this commit changes the register" in proc.stderr, proc.stderr
    assert f"{BROKEN}:" in proc.stderr
    assert run(root, "git", "cat-file", "-e", f"HEAD:{BROKEN}").returncode != 0, "committed"
    assert run(root, "git", "reset", "-q", "HEAD", "--", BROKEN).returncode == 0
    (root / BROKEN).unlink()


def declare_and_approve(root: Path, coc: Path = COC) -> str:
    """`coc declare gift` as jsmith and `coc approve` as her line manager, each committed
    through the hook; returns the new record's id."""
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    proc = run(root, str(coc), "declare", "gift", "--received-on", yesterday, "--donor",
               "A. Supplier", "--description", "Box of chocolates", "--value-gbp", "12.50",
               "--outcome", "shared-with-team", "--no-input", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record_id = json.loads(proc.stdout)["id"]
    proc = run(root, str(coc), "approve", record_id, user="mjones")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = run(root, "git", "log", "-2", "--format=%s").stdout
    assert f"approve(gift): {record_id} by mjones" in log and f"{record_id} by jsmith" in log
    return record_id


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One register made by `coc init` (with its hook), copied for each test."""
    home = tmp_path_factory.mktemp("iso-home")
    (home / ".gitconfig").write_text(
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        return init_register(tmp_path_factory.mktemp("iso") / "register", "milton-keynes")


@pytest.fixture
def register(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "register"
    shutil.copytree(template, root, symlinks=True)
    return root


def test_the_hook_runs_the_installed_interpreter_isolated(register):
    hook = (register / ".git" / "hooks" / "pre-commit").read_text()
    assert f"exec {shlex.quote(sys.executable)} -I -c " in hook
    assert " -m " not in hook and "command -v" not in hook, "nothing looked up on PATH or cwd"
    assert ".pre-commit-config" in hook  # says so: it reads no file of the repository


@pytest.mark.parametrize("rel", PLANTS)
def test_a_file_planted_in_the_register_never_runs(register, tmp_path, rel):
    marker = tmp_path / "planted-code-ran"
    plant(register, rel, marker)
    module = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    # the plant is live code: an interpreter with the register on its path runs it
    naive = run(register, sys.executable, "-c", f"import {module}")
    assert naive.returncode == 0 and marker.exists(), naive.stderr
    marker.unlink()

    assert_refused(register, broken_commit(register))
    declare_and_approve(register)
    assert_refused(register, broken_commit(register))
    assert not marker.exists(), f"{rel} from the register ran"


def test_python_variables_in_the_committers_environment_do_not_leak_in(register, tmp_path):
    """PYTHONPATH naming the register (or empty entries: the working directory), a
    PYTHONSTARTUP, a PYTHONHOME: the hook reads none of them."""
    marker = tmp_path / "planted-code-ran"
    for rel in ("sitecustomize.py", "click.py", "startup.py"):
        plant(register, rel, marker)
    extra = {"PYTHONPATH": f"{register}{os.pathsep}{os.pathsep}", "PYTHONSTARTUP":
             str(register / "startup.py"), "PYTHONHOME": str(register), "PYTHONINSPECT": "1"}
    assert_refused(register, broken_commit(register, **extra))
    assert not marker.exists()


def test_coc_register_in_the_environment_does_not_point_the_check_elsewhere(
        register, template, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(template, other, symlinks=True)
    assert_refused(register, broken_commit(register, COC_REGISTER=str(other)))


def test_the_hook_is_isolated_in_a_linked_worktree_and_from_a_subdirectory(register, tmp_path):
    marker = tmp_path / "planted-code-ran"
    plant(register, "click.py", marker)
    (register / "registers" / "housing").mkdir(parents=True, exist_ok=True)
    path = register / BROKEN
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id: [unclosed\n")
    assert run(register, "git", "add", BROKEN).returncode == 0
    proc = run(register / "registers" / "housing", "git", "commit", "-q", "-m", "from below")
    assert_refused(register, proc)
    worktree = tmp_path / "linked"
    assert run(register, "git", "worktree", "add", "-q", str(worktree)).returncode == 0
    assert_refused(worktree, broken_commit(worktree))
    assert not marker.exists()


def test_without_the_toolkit_the_hook_refuses_and_names_the_real_install(register, tmp_path):
    hook = register / ".git" / "hooks" / "pre-commit"
    python = shlex.quote(sys.executable)
    text = hook.read_text()
    gone = text.replace(f"[ -x {python} ]", "[ -x /nonexistent/python3 ]")
    hook.write_text(gone)
    proc = broken_commit(register)
    assert proc.returncode == 1 and "cannot check this commit" in proc.stderr, proc.stderr
    assert "pipx install" in proc.stderr and "coc hooks install" in proc.stderr
    assert "pip install coc" not in proc.stderr and "pipx install coc " not in proc.stderr
    assert run(register, "git", "cat-file", "-e", f"HEAD:{BROKEN}").returncode != 0

    base = getattr(sys, "_base_executable", "")
    if not base or subprocess.run([base, "-I", "-c", "import coc.cli.main"],
                                  capture_output=True).returncode == 0:
        pytest.skip("no interpreter without coc to try the hook with")
    hook.write_text(text.replace(python, shlex.quote(base)))
    proc = run(register, "git", "commit", "-q", "-m", "broken")
    assert proc.returncode == 1, proc.stderr
    assert "cannot check this commit: No module named 'coc'" in proc.stderr, proc.stderr
    assert "pipx install" in proc.stderr and "Traceback" not in proc.stderr


def test_the_install_hint_names_where_this_toolkit_came_from():
    """An editable or path install names the checkout; never `pip install coc` (PyPI's coc
    is an unrelated project)."""
    hint = install_hint()
    assert "pipx install " in hint and "pip install coc" not in hint
    assert str(Path(__file__).resolve().parents[1]) in hint or "coc-register" in hint


def test_the_demo_and_other_subprocesses_run_coc_isolated(register, tmp_path):
    marker = tmp_path / "planted-code-ran"
    plant(register, "coc/__init__.py", marker)
    command = isolated_coc()
    assert command[0] == sys.executable and command[1] == "-I"
    proc = subprocess.run([*command, "--version"], cwd=register, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(register)})
    assert proc.returncode == 0 and proc.stdout.startswith("coc, version"), proc.stderr
    assert not marker.exists()


# the repository's .pre-commit-config.yaml ------------------------------------------------------

def test_the_plain_hook_reads_no_pre_commit_config(register, tmp_path):
    """A pull request that points .pre-commit-config.yaml at its own code changes nothing for
    someone using `coc hooks install`."""
    marker = tmp_path / "planted-code-ran"
    (register / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: local\n    hooks:\n      - id: coc\n        name: coc\n"
        f"        entry: {sys.executable} -c \"open({str(marker)!r}, 'w')\"\n"
        "        language: system\n        always_run: true\n        pass_filenames: false\n")
    assert run(register, "git", "commit", "-qam", "a PR's config", "--no-verify").returncode == 0
    assert_refused(register, broken_commit(register))
    assert not marker.exists()


def test_the_pre_commit_template_pins_the_installed_coc(register):
    config = yaml.safe_load((register / ".pre-commit-config.yaml").read_text())
    assert config == {"repos": [{"repo": "local", "hooks": [{
        "id": "coc", "name": "coc (check staged declarations)", "entry": "coc hooks run",
        "language": "system", "always_run": True, "pass_filenames": False,
        "require_serial": True}]}]}
    text = (register / ".pre-commit-config.yaml").read_text()
    assert "coc hooks install" in text and "reads no file of this" in text
    assert "pip install coc" not in text


def pre_commit_installed(register: Path, tmp_path: Path) -> dict[str, str]:
    """`pre-commit install -f` with the register's own config (before anything is planted:
    pre-commit's own hook runs `python -m pre_commit` in the working tree)."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed")
    extra = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never",
             "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = run(register, sys.executable, "-I", "-m", "pre_commit", "install", "-f", **extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pre-commit" in (register / ".git" / "hooks" / "pre-commit").read_text()
    return extra


def test_through_the_pre_commit_framework_our_entry_runs_no_planted_coc(register, tmp_path):
    extra = pre_commit_installed(register, tmp_path)
    marker = tmp_path / "planted-code-ran"
    for rel in ("coc/__init__.py", "coc/cli/main.py"):
        plant(register, rel, marker)
    proc = broken_commit(register, **extra)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "coc (check staged declarations)" in out, out
    assert f"{BROKEN}:" in out and "Failed" in out
    assert not marker.exists()


def test_pre_commits_own_hook_imports_the_working_tree_so_the_plain_hook_is_recommended(
        register, tmp_path):
    """Why README and the template recommend `coc hooks install`: pre-commit's own hook runs
    `python -m pre_commit` in the working tree, so a committed `yaml.py` (pre-commit reads
    its config with PyYAML) runs on every commit and can switch every check off. If this ever
    fails, pre-commit has fixed it: relax the warning in README.md and the template."""
    extra = pre_commit_installed(register, tmp_path)
    marker = tmp_path / "planted-code-ran"
    plant(register, "yaml.py", marker)
    proc = broken_commit(register, **extra)
    assert proc.returncode == 0 and marker.exists(), proc.stdout + proc.stderr
    assert run(register, "git", "reset", "-q", "--hard", "HEAD~1").returncode == 0
    marker.unlink()
    assert run(register, str(COC), "hooks", "install", "--force").returncode == 0
    assert_refused(register, broken_commit(register))
    assert not marker.exists()


class _Dist:
    def __init__(self, direct_url: str | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


@pytest.mark.parametrize(("direct_url", "expected"), [
    ('{"url": "https://git.example.gov.uk/tools/coc", "vcs_info": {"vcs": "git", '
     '"requested_revision": "v0.1.0", "commit_id": "abc"}}',
     'pipx install "coc-register @ git+https://git.example.gov.uk/tools/coc@v0.1.0"'),
    ('{"url": "file:///opt/tools/coc_register-0.1.0-py3-none-any.whl", "archive_info": {}}',
     "pipx install /opt/tools/coc_register-0.1.0-py3-none-any.whl"),
    ('{"url": "file:///home/jo/my%20tools/coc", "dir_info": {"editable": true}}',
     'pipx install "/home/jo/my tools/coc"'),
    (None, "pipx install coc-register (from your organisation's package index)"),
    ("not json", "pipx install coc-register (from your organisation's package index)"),
    ('["a list"]', "pipx install coc-register (from your organisation's package index)"),
])
def test_the_install_hint_follows_pips_record_of_where_coc_came_from(
        monkeypatch, direct_url, expected):
    from coc.hooks import install

    monkeypatch.setattr(install.metadata, "distribution", lambda name: _Dist(direct_url))
    assert f"`{expected}`" in install.install_hint()


def test_a_user_site_install_keeps_the_user_site_but_not_the_working_tree(monkeypatch):
    """`python -I` would hide a `pip install --user` toolkit; `-E -P` still drops the working
    directory from sys.path and ignores PYTHON* variables."""
    from coc.hooks import install

    assert install.isolation_flags() == ["-I"]
    monkeypatch.setattr(install.site, "ENABLE_USER_SITE", True)
    monkeypatch.setattr(install.site, "getusersitepackages",
                        lambda: str(Path(install.__file__).resolve().parents[1]))
    assert install.isolation_flags() == ["-E", "-P"]
    proc = subprocess.run([sys.executable, "-E", "-P", "-c", "import sys; print(sys.path[0])"],
                          capture_output=True, text=True, cwd=Path(install.__file__).parent)
    assert proc.stdout.strip() not in ("", ".", str(Path(install.__file__).parent))


def test_through_pre_commit_coc_register_does_not_point_the_check_elsewhere(
        register, template, tmp_path):
    extra = pre_commit_installed(register, tmp_path)
    other = tmp_path / "other"
    shutil.copytree(template, other, symlinks=True)
    proc = broken_commit(register, COC_REGISTER=str(other), **extra)
    assert proc.returncode == 1 and f"{BROKEN}:" in proc.stdout + proc.stderr


OLD_HOOK = """#!/bin/sh
# installed by coc (`coc hooks install`): checks the staged declarations before each commit.
if [ -x {python} ]; then
    exec {python} -m coc.cli.main hooks run
elif command -v coc >/dev/null 2>&1; then
    exec coc hooks run
fi
exit 1
"""


def test_an_older_coc_hook_is_flagged_and_replaced(register, tmp_path):
    """Clones keep the hook an earlier coc wrote: every check says to replace it, and
    `coc hooks install` does, after which a planted file no longer runs."""
    hook = register / ".git" / "hooks" / "pre-commit"
    hook.write_text(OLD_HOOK.format(python=shlex.quote(sys.executable)))
    proc = broken_commit(register)
    assert proc.returncode == 1 and "written by an older coc" in proc.stderr, proc.stderr
    assert "coc hooks install" in proc.stderr
    assert_refused(register, proc)
    marker = tmp_path / "planted-code-ran"
    plant(register, "click.py", marker)
    assert broken_commit(register).returncode == 0 and marker.exists()   # the old hook: owned
    assert run(register, "git", "reset", "-q", "--hard", "HEAD~1").returncode == 0
    marker.unlink()
    proc = run(register, str(COC), "hooks", "install")
    assert proc.returncode == 0 and proc.stdout.startswith("updated "), proc.stderr
    proc = broken_commit(register)
    assert_refused(register, proc)
    assert "older coc" not in proc.stderr and not marker.exists()
