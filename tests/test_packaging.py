"""The installed package: one `coc.*` namespace, the C YAML parsers in use, lazy imports,
and a version that agrees everywhere (SPEC §7)."""
from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata, resources
from pathlib import Path

import pytest
import yaml

from coc.cli import __version__
from coc.cli.main import COMMANDS

REPO = Path(__file__).resolve().parent.parent


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter started away from the source tree, so only installed names resolve."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)


def test_the_package_is_one_coc_namespace_and_no_top_level_modules_leak(tmp_path):
    code = """
import importlib, importlib.util, json
found = {n: importlib.util.find_spec(n) is not None
         for n in ("cli", "registers", "policies", "hooks", "templates")}
for n in ("coc.cli.main", "coc.registers.store", "coc.policies.base", "coc.hooks", "coc.templates"):
    importlib.import_module(n)
print(json.dumps(found))
"""
    proc = run_python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == dict.fromkeys(
        ["cli", "registers", "policies", "hooks", "templates"], False)


def test_version_agrees_in_pyproject_metadata_and_the_cli(tmp_path):
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == declared == metadata.version("coc-register")
    exe = Path(sys.executable).parent / "coc"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "coc.cli.main"]
    proc = subprocess.run([*command, "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"coc, version {declared}"


def test_the_coc_executable_is_installed_as_a_console_script():
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")
               if ep.dist is not None and ep.dist.name == "coc-register"}
    assert scripts == {"coc": "coc.cli.main:main"}


def test_bulk_reads_use_libyaml():
    """SPEC §7: PyYAML's CSafeLoader reads 10,000 records 3x faster than anything else here."""
    from coc.registers.yamlio import _Loader

    assert yaml.__with_libyaml__
    assert issubclass(_Loader, yaml.CSafeLoader)
    assert yaml.CSafeLoader.__module__ == "yaml.cyaml"


def test_ruamel_uses_its_c_parser():
    """SPEC §7: without ruamel.yaml.clib, `typ='safe'` silently falls back to pure Python (4x slower)."""
    from ruamel.yaml import YAML

    assert "ruamel.yaml.clib" in {r.split(";")[0].split(">")[0].split("=")[0].strip()
                                  for r in metadata.requires("coc-register") or []}
    parser = YAML(typ="safe", pure=False).Parser
    assert parser.__module__.endswith("_ruamel_yaml"), parser


def test_the_register_templates_ship_with_the_package():
    register = resources.files("coc.templates") / "register"
    names = {p.name for p in register.iterdir()}
    assert {"coc.yaml.j2", "people.example.yaml", "README.md.j2"} <= names


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_no_heavy_library(tmp_path, args):
    """SPEC §7: `coc --help` under 150 ms means importing only click; the rest load lazily."""
    code = f"""
import sys
from coc.cli.main import cli
try:
    cli({args!r}, prog_name="coc")
except SystemExit:
    pass
heavy = ["jinja2", "tabulate", "holidays", "git", "ruamel.yaml", "yaml", "dateutil",
         "coc.policies.base", "coc.registers.store"]
print(",".join(m for m in heavy if m in sys.modules), file=sys.stderr)
"""
    proc = run_python(code, tmp_path)
    assert proc.stderr.strip().splitlines()[-1:] in ([], [""]), proc.stderr


def test_every_command_module_imports_no_heavy_library_at_module_top(tmp_path):
    """Each command module may import its heavy libraries only inside the command function."""
    modules = sorted({module for module, _, _ in COMMANDS.values()})
    code = f"""
import importlib, sys
lazy = ["jinja2", "tabulate", "holidays", "git"]
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except ImportError:
        continue
loaded = [m for m in lazy if m in sys.modules]
print(",".join(loaded))
"""
    proc = run_python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


# the toolkit as users install it: a wheel in a fresh venv, and pipx --------------------------

REAL_HOME = os.environ.get("HOME", "")   # read before conftest gives each test its own HOME


def _pip_env() -> dict[str, str]:
    """pip's download cache is only a cache: reuse the user's, so the installs stay fast."""
    cache = os.environ.get("PIP_CACHE_DIR") or str(Path(REAL_HOME or Path.home()) / ".cache/pip")
    return {**os.environ, "PIP_CACHE_DIR": cache}


def _source_copy(target: Path) -> Path:
    """The toolkit's files as they stand on disk (tracked ones, uncommitted edits included),
    away from the checkout, so building leaves nothing in it."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if listed.returncode != 0:
        shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(
            ".venv", ".git", "*.egg-info", "build", "dist", "__pycache__"))
        return target
    for rel in filter(None, listed.stdout.decode().split("\0")):
        if (REPO / rel).is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, target / rel)
    return target


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = _source_copy(base / "src")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(base / "dist"), str(source)], capture_output=True, text=True,
                          env=_pip_env(), timeout=600)
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no build backend?): {proc.stderr[-300:]}")
    (built,) = (base / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="session")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its dependencies, pip-installed as a user would."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                           "install", "-q", str(wheel)], capture_output=True, text=True,
                          env=_pip_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return venv


def test_the_wheel_is_coc_register_with_the_coc_command(wheel, wheel_venv, tmp_path):
    assert wheel.name.startswith("coc_register-")
    python = wheel_venv / "bin" / "python"
    code = ("from importlib import metadata; d = metadata.distribution('coc-register'); "
            "print(d.metadata['Name'], [e.name for e in d.entry_points "
            "if e.group == 'console_scripts'])")
    proc = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.stdout.strip() == "coc-register ['coc']", proc.stderr
    proc = subprocess.run([str(wheel_venv / "bin" / "coc"), "--version"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.stdout.strip() == f"coc, version {__version__}", proc.stderr


def test_a_wheel_install_hook_runs_no_code_from_the_register(wheel_venv, tmp_path):
    """The same attack as tests/test_hook_isolation.py, on a wheel install (no editable finder)."""
    from test_hook_isolation import (assert_refused, broken_commit, declare_and_approve, plant,
                                     run)

    coc = wheel_venv / "bin" / "coc"
    proc = run(tmp_path, str(coc), "init", str(tmp_path / "register"), "--policy", "milton-keynes")
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "register"
    hook = (root / ".git" / "hooks" / "pre-commit").read_text()
    assert f"exec {wheel_venv / 'bin' / 'python'} -I -c " in hook, hook
    marker = tmp_path / "planted-code-ran"
    for rel in ("coc/cli/main.py", "coc/__init__.py", "click.py", "tempfile.py", "yaml.py"):
        plant(root, rel, marker)
    assert_refused(root, broken_commit(root))
    declare_and_approve(root, coc)
    assert_refused(root, broken_commit(root, PYTHONPATH=str(root)))
    assert not marker.exists()


def _pipx() -> list[str] | None:
    if shutil.which("pipx"):
        return [shutil.which("pipx") or "pipx"]
    probe = subprocess.run([sys.executable, "-m", "pipx", "--version"], capture_output=True)
    return [sys.executable, "-m", "pipx"] if probe.returncode == 0 else None


@pytest.mark.parametrize("what", ["checkout", "wheel"])
def test_pipx_installs_coc_from_a_checkout_and_from_a_wheel(what, wheel, tmp_path):
    """The README's `pipx install /path/to/checkout` (or a wheel): the `coc` command works."""
    pipx = _pipx()
    if pipx is None:
        pytest.skip("pipx is not installed (it is in the test extra: pip install -e '.[test]')")
    source = wheel if what == "wheel" else _source_copy(tmp_path / "src")
    env = {**_pip_env(), "PIPX_HOME": str(tmp_path / "pipx"),
           "PIPX_BIN_DIR": str(tmp_path / "bin"), "PIPX_MAN_DIR": str(tmp_path / "man")}
    proc = subprocess.run([*pipx, "install", str(source)], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([str(tmp_path / "bin" / "coc"), "--version"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.stdout.strip() == f"coc, version {__version__}", proc.stderr


PYPI_COC = re.compile(r"\b(?:pipx?|uv pip)\s+(?:install|inject)\s+(?:-\S+\s+)*[\"']?coc(?![-\w])")


def test_nothing_tells_anyone_to_install_the_unrelated_coc_from_pypi(tmp_path):
    """`coc` on PyPI is an unrelated project: no text we ship or write names it to install."""
    from coc.cli.init import init_register
    from coc.hooks.install import script

    assert PYPI_COC.search("pip install coc") and PYPI_COC.search("pipx install 'coc==1'")
    assert not PYPI_COC.search("pipx install coc-register")
    root = init_register(tmp_path / "register", "milton-keynes")
    shipped = [REPO / "README.md", REPO / ".pre-commit-hooks.yaml",
               *[p for d in ("cli", "hooks", "templates") for p in (REPO / d).rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts]]
    written = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    texts = {str(p): p.read_text("utf-8", errors="replace") for p in shipped + written}
    texts["the hook"] = script()
    offenders = {name: m.group(0) for name, text in texts.items()
                 if (m := PYPI_COC.search(text))}
    assert offenders == {}
