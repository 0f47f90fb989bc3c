"""`coc hooks install`: a plain git pre-commit hook, for registers that do not use pre-commit.

The hook is a few lines of shell that run the installed toolkit (`coc hooks run`); it never
runs anything from the register repository itself (SPEC §2). A hook someone else put there is
never overwritten silently.
"""
from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from coc.registers.errors import CocError
from coc.registers.git import git

MARKER = "# installed by coc (`coc hooks install`)"
HOOKS = ("pre-commit",)

SCRIPT = """#!/bin/sh
{marker}: checks the staged declarations before each commit.
# It runs the coc toolkit that installed it; reinstall with `coc hooks install --force`.
if [ -x {python} ]; then
    exec {python} -m coc.cli.main hooks run
elif command -v coc >/dev/null 2>&1; then
    exec coc hooks run
fi
echo "coc: cannot check this commit: coc is not installed (pip install coc), or commit with --no-verify" >&2
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
    return SCRIPT.format(marker=MARKER, python=shlex.quote(sys.executable))


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
