"""`coc validate`: schema and policy findings for some, staged, or all records."""
from __future__ import annotations

from pathlib import Path

import click

from coc.registers.errors import CocError

from .common import FORMATS, open_register, render_findings, user_path


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "all_", is_flag=True, help="Every record in the register (the default).")
@click.option("--staged", is_flag=True, help="The staged version of each staged record.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--no-cache", is_flag=True, help="Ignore cached results in .git/coc/.")
def validate(paths: tuple[Path, ...], all_: bool, staged: bool, fmt: str, no_cache: bool) -> None:
    """Check records; print nothing and exit 0 when all is well, exit 1 on an error or breach."""
    from coc.policies.validate import validate as run, validate_staged

    register = open_register()
    if staged:
        findings = validate_staged(register)
    else:
        chosen = None
        if paths and not all_:
            chosen = []
            for path in paths:
                full = user_path(path)
                if not full.exists():
                    raise CocError("no such file", path=str(path))
                chosen += sorted(full.rglob("*.yaml")) if full.is_dir() else [full]
        findings = run(register, chosen, use_cache=not no_cache)
    shown = [f for f in findings if f.severity != "info"]
    if fmt == "junit" or shown or fmt == "json":
        output = render_findings(shown, fmt, suite="coc validate")
        if output:
            click.echo(output)
    if any(f.failing for f in findings):
        raise SystemExit(1)
