"""`coc people import HR.csv --mapping FILE [--dry-run]`: people.yaml from the HR system's export.

Joiners are added, leavers get `left: DATE` (never removed: their records keep their owner),
and changes of name, email, department, post, grade, hours or manager are applied, all in ONE
commit by the HR person running it, after printing what changes. Every row is checked first:
one bad row (FILE:line: column: why) changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from coc.registers.errors import CocError, raise_all
from coc.registers.people import People, Person
from coc.registers.roster import (RosterPlan, parse_roster_mapping, people_text, plan,
                                  read_roster)
from coc.registers.store import Register

from .common import acting_person, echo_json, echo_line, open_register, user_path


@dataclass(frozen=True)
class RosterImport:
    plan: RosterPlan
    commit: str | None


@click.group()
def people() -> None:
    """The organisation in people.yaml, kept up to date from HR's roster."""


def import_roster(register: Register, source: Path, mapping_file: Path, actor: Person, *,
                  dry_run: bool, today: date, before_commit: Any = None) -> RosterImport:
    """Check every row, plan the changes and (unless `dry_run`) commit them as `actor`.
    `before_commit(plan)` is called with the plan before anything is written."""
    from coc.policies.history import file_authority, self_serving
    from coc.registers.people import parse_people
    from coc.registers.yamlio import load_fast, read_fast, read_regular

    refused = file_authority("people.yaml", [(actor.email, actor)])
    if refused is not None:
        raise CocError(f"{refused.message}: nothing changed", path="people.yaml")
    shown_mapping = str(mapping_file)
    mapping = parse_roster_mapping(read_fast(mapping_file, shown_mapping), shown_mapping)
    shown = str(source)
    entries, problems = read_roster(source, shown, mapping, today)
    if problems:    # before the lock: nothing of the register is needed to refuse bad rows
        raise_all([CocError(p.message, path=p.path, line=p.line, field=p.field or None)
                   for p in problems])
    with register.changing() as change:
        path = register.root / "people.yaml"
        current = register.people
        original = read_regular(path, "people.yaml").decode("utf-8-sig")
        data = load_fast(original.encode("utf-8"), "people.yaml")
        result = plan(current, data, entries, [], mapping, shown, today)
        raise_all([CocError(p.message, path=p.path, line=p.line, field=p.field or None)
                   for p in result.problems])
        text, written = people_text(original, result.data, {c.person_id for c in result.changes})
        try:
            after: People = parse_people(written, "people.yaml", register.config.grades)
        except CocError as exc:
            raise CocError(f"the export would make people.yaml invalid ({exc}): nothing "
                           "changed") from None
        own = self_serving(current, after, [(actor.email, actor)])
        if own:
            raise CocError(f"{own[0].message}; the export changes your own entry: ask another "
                           "HR person or the Monitoring Officer to run this import; nothing "
                           "changed", path=shown)
        if before_commit is not None:
            before_commit(result)
        if dry_run or not result.changes:
            return RosterImport(result, None)
        counts = result.counts()
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
        message = (f"people: import {source.name[:200]} by {actor.id} ({summary})\n\n"
                   + "\n".join(c.describe() for c in result.changes))
        commit = change.commit([(path, text)], message, actor.name, actor.email,
                               expect={path: path.read_bytes()})
        return RosterImport(result, commit)


@people.command("import")
@click.argument("source", metavar="HR.csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--mapping", "mapping_file", required=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="YAML: which column of the export feeds which people.yaml field "
                   "(templates/roster/hr-export.mapping.yaml is a typical one).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def import_people(source: Path, mapping_file: Path, dry_run: bool, as_json: bool) -> None:
    """Update people.yaml from an HR export, in one commit (HR or the Monitoring Officer).

    Prints what changes first: `+` joiners, `-` leavers (marked `left: DATE`, never removed),
    `~` changes of post, grade, hours, department or manager. Any bad row (FILE:line: column:
    why), duplicate employee number, unknown manager or circle of managers changes nothing.
    """
    register = open_register()
    actor = acting_person(register)

    def show(result: RosterPlan) -> None:
        if as_json:
            return
        for change in result.changes:
            echo_line(change.describe())
        if result.absent:
            echo_line(f"  not in the export, left as they are: {', '.join(result.absent)}")

    outcome = import_roster(register, user_path(source), user_path(mapping_file), actor,
                            dry_run=dry_run, today=date.today(), before_commit=show)
    result = outcome.plan
    if as_json:
        echo_json({"dry_run": dry_run, "commit": outcome.commit,
                   "changes": [{"id": c.person_id, "what": c.what, "line": c.line,
                                "changes": {k: [old, new] for k, (old, new) in c.changes.items()}}
                               for c in result.changes],
                   "absent": result.absent})
        return
    counts = ", ".join(f"{n} {what}" for what, n in sorted(result.counts().items()))
    if not result.changes:
        click.echo("people.yaml already matches the export: nothing to change.")
    elif dry_run:
        click.echo(f"Would change people.yaml ({counts}); nothing written (--dry-run).")
    else:
        click.echo(f"Changed people.yaml ({counts}) in commit {(outcome.commit or '')[:10]}.")


@people.command("mapping")
def mapping_command() -> None:
    """Print the mapping for a typical HR export, to save and adjust to your system's columns.

    `coc people mapping > hr.mapping.yaml`: employee number, name, email, department, job
    title, grade, FTE, manager's employee number, leaving date and the decision-maker flag.
    """
    from importlib.resources import files

    click.echo(files("coc.templates").joinpath("roster/hr-export.mapping.yaml").read_text(
        encoding="utf-8"), nl=False)
