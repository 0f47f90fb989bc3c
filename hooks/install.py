"""`coc hooks install`: a plain git pre-commit hook, for registers that do not use pre-commit.

The hook is a few lines of shell that run the installed toolkit (`coc hooks run`) by the
absolute path of the interpreter it is installed in, isolated (`python -I`): git runs hooks in
the register's working tree, and `python -m` or `-c` there would import a committed `coc/`,
`click.py` or `tempfile.py` before the toolkit (SPEC §2: no code from a register ever runs).
It reads no file of the repository, `.pre-commit-config.yaml` included, to decide what to run.
A hook someone else put there is never overwritten silently.
"""
from __future__ import annotations

import json
import shlex
import site
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from coc.registers.errors import CocError
from coc.registers.git import git

MARKER = "# installed by coc (`coc hooks install`)"
HOOKS = ("pre-commit",)
DISTRIBUTION = "coc-register"   # what pip and pipx call the toolkit; `coc` on PyPI is unrelated

# The entry point, as the `coc` console script calls it, but with no sys.path entry for the
# working directory and no PYTHON* variable read; `-C .` pins the repository git runs us in
# (a COC_REGISTER in the environment must not point the check at another register).
ENTRY = ("import sys\n"
         "try:\n"
         "    from coc.cli.main import main\n"
         "except ImportError as exc:\n"
         "    sys.exit(f\"coc: cannot check this commit: {exc}. {sys.argv[1]}\")\n"
         "sys.argv[1:2] = [\"-C\", \".\"]\n"
         "main()")

SCRIPT = """#!/bin/sh
{marker}: checks the staged declarations before each commit.
# It runs the coc toolkit that installed it, isolated (python -I): nothing in this repository
# (a committed coc/, click.py, sitecustomize.py...) and no PYTHON* variable changes what runs,
# and no file of the repository (.pre-commit-config.yaml included) is read to decide it.
# Reinstall with `coc hooks install --force`.
if [ -x {python} ]; then
    exec {python} {flags} -c {entry} {missing} hooks run
fi
echo {gone} >&2
exit 1
"""


@dataclass(frozen=True)
class Installed:
    path: Path
    action: str          # "installed" | "updated" | "kept-foreign" | "replaced-foreign"
    backup: Path | None = None

    def describe(self) -> str:
        if self.action == "kept-foreign":
            return (f"{self.path} already exists and was not written by coc: left as it is. "
                    "Add `coc hooks run` to it, or rerun with --force to replace it "
                    "(the old hook is kept beside it)")
        if self.action == "replaced-foreign":
            return f"replaced {self.path} (the previous hook is kept as {self.backup})"
        return f"{self.action} {self.path}"


def hooks_dir(root: Path) -> Path:
    """Where git looks for hooks here (honours core.hooksPath and worktrees)."""
    out = git(root, "rev-parse", "--git-path", "hooks").strip()
    path = Path(out)
    return path if path.is_absolute() else root / path


def script() -> str:
    python = shlex.quote(sys.executable)
    missing = (f"{python} no longer has the coc toolkit. {install_hint()}, then run "
               "`coc hooks install --force` here; or commit with --no-verify")
    gone = (f"coc: cannot check this commit: {sys.executable} (the Python coc was installed in "
            f"when this hook was written) is gone. {install_hint()}, then run "
            "`coc hooks install --force` here; or commit with --no-verify")
    return SCRIPT.format(marker=MARKER, python=python, flags=" ".join(isolation_flags()),
                         entry=shlex.quote(ENTRY), missing=shlex.quote(missing),
                         gone=shlex.quote(gone))


def isolated_coc() -> list[str]:
    """The command that runs this toolkit's `coc` in another process, inside a register, with
    nothing resolved from the working tree or PYTHON* variables (coc demo uses it)."""
    return [sys.executable, *isolation_flags(), "-c", "from coc.cli.main import main; main()"]


def isolation_flags() -> list[str]:
    """`-I`, unless the toolkit lives in the user's site-packages (`pip install --user`), which
    `-I` leaves out: then `-E -P`, the same isolation from the working tree and PYTHON* vars."""
    here = Path(__file__).resolve()
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and here.is_relative_to(Path(user_site).resolve()):
        return ["-E", "-P"]
    return ["-I"]


def install_hint() -> str:
    """How to install this toolkit again, from where it was installed (pip's direct_url.json),
    never the `coc` on PyPI (an unrelated project)."""
    try:
        origin = json.loads(metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
                            or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        origin = {}
    url = origin.get("url", "") if isinstance(origin, dict) else ""
    vcs = origin.get("vcs_info") if isinstance(origin, dict) else None
    if url.startswith("file://"):
        source = _quoted(unquote(urlparse(url).path))
    elif isinstance(vcs, dict) and url:
        rev = vcs.get("requested_revision") or vcs.get("commit_id") or ""
        source = _quoted(f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{url}"
                         + (f"@{rev}" if rev else ""))
    elif url:
        source = _quoted(f"{DISTRIBUTION} @ {url}")
    else:
        source = f"{DISTRIBUTION} (from your organisation's package index)"
    return f"Install coc again with `pipx install {source}` (see README.md in the register)"


def _quoted(text: str) -> str:
    """A shell word for a message: double quotes read better inside the hook's own quoting."""
    if text and all(c.isalnum() or c in "@+:/._-=~" for c in text):
        return text
    return f'"{text}"' if not any(c in text for c in '"$`\\\'!') else shlex.quote(text)


def unsafe(root: Path) -> list[Path]:
    """Hooks an older coc wrote here that run `python -m coc.cli.main` (which imports from the
    working tree) or whatever `coc` is first on PATH: `coc hooks install` replaces them."""
    folder = hooks_dir(root)
    found = []
    for name in HOOKS:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            text = path.read_text("utf-8", errors="replace")
            if MARKER in text and ("-m coc.cli.main" in text or "command -v coc" in text):
                found.append(path)
    return found


def install(root: Path, *, force: bool = False) -> list[Installed]:
    """Write our hook(s) into the repository at `root`; never clobber a foreign hook unasked."""
    if not (root / ".git").exists():
        raise CocError(f"{root} is not a git repository (no .git)")
    folder = hooks_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for name in HOOKS:
        path = folder / name
        backup = None
        if path.exists() or path.is_symlink():
            ours = not path.is_symlink() and MARKER in path.read_text("utf-8", errors="replace")
            if not ours and not force:
                results.append(Installed(path, "kept-foreign"))
                continue
            if not ours:
                backup = path.with_name(f"{name}.before-coc")
                path.replace(backup)
            action = "updated" if ours else "replaced-foreign"
        else:
            action = "installed"
        tmp = path.with_name(f".{name}.coc-tmp")
        tmp.write_text(script(), encoding="utf-8")
        tmp.chmod(0o755)
        tmp.replace(path)
        results.append(Installed(path, action, backup))
    return results
