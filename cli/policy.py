"""`coc policy list` and `coc policy show NAME`: the duties each policy implements, in the
code's own words, for the Monitoring Officer who signs them off (issue 8)."""
from __future__ import annotations

import click

from .common import echo, echo_json


@click.group()
def policy() -> None:
    """The policies coc knows, and what each asks of whom."""


@policy.command("list")
def list_policies() -> None:
    """Every policy coc can run: the built-in codes and installed plugins."""
    from coc.policies.registry import get_policy, names

    for name in names():
        echo(f"{name}\t{get_policy(name).title}")


@policy.command("show")
@click.argument("name", metavar="NAME")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True, help="Markdown table, or JSON.")
def show_policy(name: str, fmt: str) -> None:
    """One row per duty of the code: section, the code's words, kind and case, duty type
    (permission, notification, record, forbidden, not-a-declaration), deadline, decider and
    fallback, severity and parameters."""
    from coc.policies.duties import as_json, as_markdown
    from coc.policies.registry import get_policy

    chosen = get_policy(name)
    if fmt == "json":
        echo_json(as_json(chosen))
    else:
        echo(as_markdown(chosen), nl=False)
