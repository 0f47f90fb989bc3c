"""`coc hooks install` and `coc hooks run`: the checks every commit to a register passes (SPEC §6).

`run` is what the hooks call, from a plain git hook or from the pre-commit framework
(`.pre-commit-hooks.yaml`); it imports only what checking a few staged records needs.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from .common import echo_line, open_register   # echo_line: staged text, escaped


@click.group()
def hooks() -> None:
    """Git hooks that check each commit's staged declarations.

    A commit may add declarations, decisions and amendments; it may not delete a record,
    rewrite a decision, change a decided record's details without an amendment, or record a
    decision by someone the policy does not allow.
    """


@hooks.command()
@click.option("--force", is_flag=True,
              help="Replace a pre-commit hook coc did not write (it is kept as pre-commit.before-coc).")
def install(force: bool) -> None:
    """Install the plain git pre-commit hook in this register (coc init already did)."""
    from coc.hooks.install import install as install_hooks

    register = open_register()
    results = install_hooks(register.root, force=force)
    for result in results:
        click.echo(result.describe(), err=result.action == "kept-foreign")
    if any(r.action == "kept-foreign" for r in results):
        raise SystemExit(1)


@hooks.command("run")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), required=False)
def run(files: tuple[Path, ...]) -> None:
    """Check the staged records (what the hooks call); exit 1 to refuse the commit.

    FILES, if given (pre-commit passes them), are ignored: the check always reads what git
    has staged, including deletions, which pre-commit does not pass. COC_REGISTER is ignored
    too: git runs hooks in the repository being committed to, and that is the one checked.
    """
    from click.core import ParameterSource

    from coc.hooks.install import unsafe
    from coc.hooks.pre_commit import check_staged

    root = click.get_current_context().find_root()
    if root.get_parameter_source("register_dir") is ParameterSource.ENVIRONMENT and root.obj:
        root.obj["register_dir"] = None
    os.environ.pop("COC_REGISTER", None)     # Register.find reads it too
    register = open_register()
    for path in unsafe(register.root):
        click.echo(f"coc: warning: {path} was written by an older coc and can run code "
                   "committed to this repository: replace it with `coc hooks install`", err=True)
    outcome = check_staged(register)
    for f in outcome.flagged:
        echo_line(f"{f.render()}  (recorded; no approval resolves a breach: amend its cause away, or it is rejected or withdrawn)",
                  err=True)
    if outcome.blocking:
        click.echo("coc: this commit changes the register in a way the code or its history "
                   "rules do not allow:", err=True)
        for f in outcome.blocking:
            echo_line(f.render(), err=True)
        raise SystemExit(1)
