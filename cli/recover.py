"""`coc recover`: put the register back as it was before an interrupted coc command.

A coc command killed midway (kill -9, a power cut, a full disk) leaves its journal in
`.git/coc/pending/`; the next coc command names what it left and offers this one command.
"""
from __future__ import annotations

import click

from .common import open_register


@click.command()
def recover() -> None:
    """Undo what an interrupted coc command left half-done (a git lock, staged records, a
    pull-request branch) and remove a git lock no git process holds."""
    from coc.registers.writing import recover as recover_register

    register = open_register()
    done = recover_register(register.root)
    for line in done:
        click.echo(line)
    if not done:
        click.echo("Nothing to recover: no interrupted coc command and no stale git lock here.")
