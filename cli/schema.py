"""`coc schema KIND`: the JSON Schema of a record kind, so editors check YAML as it is typed.

Inside a register the schema is the register's policy's (its own fields included); elsewhere
it is the shared kinds', or `--policy NAME`'s. `coc init` writes every kind's schema to
`.coc/schemas/<kind>.json`, so a record's modeline can point at a relative path:
`# yaml-language-server: $schema=../../../../.coc/schemas/gift.json`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coc.policies.registry import policy_for
from coc.registers.errors import CocError

from .common import open_register

if TYPE_CHECKING:
    from coc.policies.base import Policy

SCHEMA_DIR = ".coc/schemas"
MODELINE = "# yaml-language-server: $schema=../../../../" + SCHEMA_DIR + "/{kind}.json"


def schema_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path, policy: "Policy | None") -> list[Path]:
    """Write `<kind>.json` for every kind of `policy` (None: the shared kinds) into `directory`."""
    from coc.policies.schema import schemas
    from coc.registers.yamlio import write_atomic

    written = []
    for name, document in schemas(policy).items():
        write_atomic(directory / f"{name}.json", schema_text(document))
        written.append(directory / f"{name}.json")
    return written


def _policy(policy_name: str | None) -> "Policy | None":
    """--policy NAME, else the register's policy, else None (the shared kinds)."""
    from coc.policies.registry import get_policy

    if policy_name:
        return get_policy(policy_name)
    try:
        register = open_register()
    except CocError:
        return None
    return policy_for(register)


@click.command()
@click.argument("kind_name", metavar="KIND", required=False)
@click.option("--policy", "policy_name", metavar="NAME",
              help="Use this policy's kinds instead of the register's.")
@click.option("--write", "write_dir", metavar="DIR", type=click.Path(path_type=Path, file_okay=False),
              help="Write every kind's schema to DIR/<kind>.json instead of printing one.")
def schema(kind_name: str | None, policy_name: str | None, write_dir: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of records of KIND.

    Point your editor at it with a first line in the record such as
    `# yaml-language-server: $schema=../../../../.coc/schemas/gift.json`
    (`coc init` writes the schemas there; `coc schema --write .coc/schemas` refreshes them).
    """
    from coc.policies.schema import kind_schema, kinds_of

    policy = _policy(policy_name)
    if write_dir is not None:
        if kind_name:
            raise click.UsageError("--write writes every kind; give no KIND with it")
        for path in write_schemas(write_dir, policy):
            click.echo(path)
        return
    if not kind_name:
        raise click.UsageError("which kind? e.g. `coc schema gift` (or --write DIR for all)")
    if policy is not None:
        kind = policy.kind(kind_name)
    else:
        kind = next((k for k in kinds_of(None) if k.name == kind_name), None)
        if kind is None:
            raise CocError(f"unknown kind {kind_name!r} (kinds: "
                           f"{', '.join(k.name for k in kinds_of(None))})")
    click.echo(schema_text(kind_schema(kind, policy.name if policy else None)), nl=False)
