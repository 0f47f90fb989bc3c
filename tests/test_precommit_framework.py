"""coc through the real pre-commit framework (https://pre-commit.com).

The toolkit's own `.pre-commit-hooks.yaml` is used as a register would use it: `pre-commit
try-repo` on a git repository of the toolkit, and a register whose `.pre-commit-config.yaml`
pins that repository, committed to with plain `git commit` after `pre-commit install`.
pre-commit builds a virtualenv and pip-installs the toolkit into it (it needs the package
index): that happens once per test session, in a PRE_COMMIT_HOME shared under tmp. The
register's own config from `coc init` (`repo: local`, the installed coc) is run too.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install 'coc[test]'): "
                    "the pre-commit framework tests need it")

from coc.cli.init import init_register  # noqa: E402
from coc.registers.store import new_id  # noqa: E402
from test_hooks import GIFT, NOTICE, add_decision, commit, git, write  # noqa: E402

TOOLKIT = Path(__file__).resolve().parents[1]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture(scope="session")
def framework(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A git repository of the toolkit as it stands on disk (a clone of HEAD with uncommitted
    changes to tracked files laid over it, as try-repo does) and the environment for
    pre-commit: its own HOME, git config and PRE_COMMIT_HOME, shared by every test."""
    if not (TOOLKIT / ".git").exists():
        pytest.skip(f"{TOOLKIT} is not a git checkout of the toolkit: try-repo needs one")
    base = tmp_path_factory.mktemp("pre-commit")
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    # pip's download cache is only a cache: reuse the user's, so later sessions install fast
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PIP_CACHE_DIR"] = pip_cache
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
               PRE_COMMIT_HOME=str(base / "store"), PRE_COMMIT_COLOR="never",
               GIT_AUTHOR_NAME="Tester", GIT_AUTHOR_EMAIL="tester@example.gov.uk",
               GIT_COMMITTER_NAME="Tester", GIT_COMMITTER_EMAIL="tester@example.gov.uk")
    clone = base / "toolkit"
    subprocess.run(["git", "clone", "-q", str(TOOLKIT), str(clone)], check=True, env=env)
    changed = subprocess.run(["git", "diff", "--name-only", "-z", "HEAD"], cwd=TOOLKIT, env=env,
                             check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, changed):
        if (TOOLKIT / rel).is_file():
            shutil.copyfile(TOOLKIT / rel, clone / rel)
        else:
            (clone / rel).unlink(missing_ok=True)
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "as on disk"], cwd=clone,
                   check=True, env=env)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, check=True, env=env,
                         capture_output=True, text=True).stdout.strip()
    yield {**env, "COC_TOOLKIT": str(clone), "COC_TOOLKIT_REV": rev}


@pytest.fixture(autouse=True)
def pre_commit_env(framework: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared store (and pip cache) for the hooks git runs in these tests."""
    for key in ("HOME", "PRE_COMMIT_HOME", "PRE_COMMIT_COLOR"):
        monkeypatch.setenv(key, framework[key])


PINNED = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: coc
"""


@pytest.fixture(scope="module")
def pinned(framework: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register whose .pre-commit-config.yaml pins the toolkit repository, installed with
    `pre-commit install -f --install-hooks` (replacing the plain hook `coc init` wrote)."""
    root = tmp_path_factory.mktemp("pinned") / "register"
    with pytest.MonkeyPatch.context() as mp:
        for key in ("HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL"):
            mp.setenv(key, framework[key])
        init_register(root, "milton-keynes")
    (root / ".pre-commit-config.yaml").write_text(PINNED.format(
        repo=framework["COC_TOOLKIT"], rev=framework["COC_TOOLKIT_REV"]))
    subprocess.run(["git", "commit", "-qam", "pin coc"], cwd=root, env=framework, check=True)
    proc = run([*PRE_COMMIT, "install", "-f", "--install-hooks"], root, framework)
    assert proc.returncode == 0, f"pre-commit could not install coc's hook:\n{proc.stdout}{proc.stderr}"
    assert "pre-commit" in (root / ".git" / "hooks" / "pre-commit").read_text()
    assert not (root / ".git" / "hooks" / "pre-commit.legacy").exists()
    return root


@pytest.fixture(autouse=True)
def clean(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "pinned" in request.fixturenames:
        root = request.getfixturevalue("pinned")
        subprocess.run(["git", "reset", "-q", "--hard", "HEAD"], cwd=root, check=True)
        subprocess.run(["git", "clean", "-qfd", "registers"], cwd=root, check=True)


def hook_refused(proc: subprocess.CompletedProcess[str], *expected: str) -> None:
    """pre-commit reports our hook failed, with our message."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "coc (check staged declarations)" in out and "Failed" in out, out
    for text in expected:
        assert text in out, out


def gift(root: Path, declarant: str = "jsmith") -> tuple[str, Path]:
    record_id = new_id("GIF", 2026)
    return record_id, write(root, GIFT.format(id=record_id, declarant=declarant), record_id)


# the files themselves --------------------------------------------------------------------------

def test_our_manifest_and_the_register_config_are_valid(framework, tmp_path):
    proc = run([*PRE_COMMIT, "validate-manifest", str(TOOLKIT / ".pre-commit-hooks.yaml")],
               TOOLKIT, framework)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = init_register(tmp_path / "register", "milton-keynes")
    proc = run([*PRE_COMMIT, "validate-config", ".pre-commit-config.yaml"], root, framework)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "entry: coc hooks run" in (root / ".pre-commit-config.yaml").read_text()


# try-repo: the toolkit's .pre-commit-hooks.yaml, installed by pre-commit ------------------------

def test_try_repo_runs_coc_on_what_is_staged(framework, tmp_path):
    root = init_register(tmp_path / "register", "milton-keynes")
    good_id, _ = gift(root)
    bad_id = new_id("GIF", 2026)
    write(root, GIFT.format(id=bad_id, declarant="jsmith").replace("  donor: A. Supplier\n", ""),
          bad_id)
    git(root, "add", "-A", "registers")
    env = {**framework, "GIT_AUTHOR_EMAIL": "jane.smith@example.gov.uk",
           "GIT_COMMITTER_EMAIL": "jane.smith@example.gov.uk"}
    proc = run([*PRE_COMMIT, "try-repo", framework["COC_TOOLKIT"], "coc"], root, env)
    hook_refused(proc, f"{bad_id}.yaml:", "details.donor", "(required-fields)")
    assert good_id not in proc.stdout


# a register pinning the toolkit, plain `git commit` ---------------------------------------------

def test_pinned_a_good_declaration_and_decision_are_committed(pinned):
    _, path = gift(pinned)
    proc = commit(pinned)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    add_decision(path, "mjones")
    proc = commit(pinned, user="mjones")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pinned_missing_field_refused(pinned):
    record_id, path = gift(pinned)
    path.write_text(path.read_text().replace("  donor: A. Supplier\n", ""))
    hook_refused(commit(pinned), f"{record_id}.yaml:", "details.donor", "(required-fields)")


def test_pinned_deleted_record_refused(pinned):
    record_id, path = gift(pinned)
    assert commit(pinned).returncode == 0
    path.unlink()
    hook_refused(commit(pinned), f"{record_id}.yaml", "(record-deleted)")


def test_pinned_decisions_rewritten_or_by_someone_not_allowed_refused(pinned):
    _, path = gift(pinned)
    assert commit(pinned).returncode == 0
    add_decision(path, "jsmith")
    hook_refused(commit(pinned, user="jsmith"), "decisions.0.by", "(decision-authority)")
    git(pinned, "reset", "-q", "--hard")
    add_decision(path, "mjones")
    assert commit(pinned, user="mjones").returncode == 0
    path.write_text(path.read_text().replace("decision: approved", "decision: rejected"))
    hook_refused(commit(pinned, user="mjones"), "decisions.0", "(append-only)")
    git(pinned, "reset", "-q", "--hard")
    path.write_text(path.read_text().replace("Box of chocolates", "Crate of wine"))
    hook_refused(commit(pinned), "details.description", "(amendment-required)")


def test_pinned_late_needs_a_reason(pinned):
    record_id = new_id("CRM", 2026)
    path = write(pinned, NOTICE.format(id=record_id, declared_on="2026-11-10", late=""),
                 record_id, kind="criminal-matter")
    hook_refused(commit(pinned), "late_reason", "(deadline)")
    path.write_text(NOTICE.format(id=record_id, declared_on="2026-11-10",
                                  late="late_reason: I was in hospital\n"))
    assert commit(pinned).returncode == 0


# the config `coc init` writes: repo: local, the coc on PATH ------------------------------------

def test_the_register_config_from_coc_init(framework, tmp_path, monkeypatch):
    root = init_register(tmp_path / "register", "milton-keynes")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = run([*PRE_COMMIT, "install", "-f"], root, {**framework, "PATH": os.environ["PATH"]})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _, path = gift(root)
    proc = commit(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "coc (check staged declarations)" in proc.stdout + proc.stderr
    path.unlink()
    hook_refused(commit(root), "(record-deleted)")
