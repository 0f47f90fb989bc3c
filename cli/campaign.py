"""`coc campaign open|progress|non-declarers YEAR`: the yearly declarations campaign HR runs.

Neither code asks for a yearly return: it is the organisation's practice, switched on by
coc.yaml practice.campaign, and everything here cites that (policies/campaigns.py). Opening a
campaign commits `campaigns/YEAR.yaml`: who was asked (as people.yaml stood that day), the
window and the kinds a return covers.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import click

from coc.policies.registry import context_for
from coc.registers.campaigns import OpenCampaign, campaign_path, dump_campaign, read_campaign
from coc.registers.errors import CocError
from coc.registers.record import Record
from coc.registers.store import Register

from .common import acting_person, echo_json, echo_line, open_register

YEAR = click.argument("year", type=click.IntRange(1900, 9999))


@click.group()
def campaign() -> None:
    """The yearly declarations campaign (coc.yaml practice.campaign, the organisation's own
    practice): open it, follow its progress per department, list who has made no return."""


def all_records(register: Register) -> list[Record]:
    """Every readable record of the register (and of its restricted register, where it is)."""
    records: dict[str, Record] = {}
    for _, one in register.readers():
        for loaded in one.load_all():
            if loaded.record is not None and loaded.record.id:
                records[loaded.record.id] = loaded.record
    return list(records.values())


def opened(register: Register, year: int) -> OpenCampaign:
    found = read_campaign(register.root, year)
    if found is None:
        raise CocError(f"no {year} campaign has been opened: HR opens it with `coc campaign "
                       f"open {year}`", field="YEAR")
    return found


@campaign.command("open")
@YEAR
@click.option("--json", "as_json", is_flag=True, help="Print what was recorded as JSON.")
def open_command(year: int, as_json: bool) -> None:
    """Open the YEAR campaign: record, in one commit, who must make a return.

    Who is asked comes from coc.yaml practice.campaign (everyone, people flagged
    decision-maker, or a grade and above) applied to people.yaml as it stands today; leavers
    are never asked. HR or the Monitoring Officer opens it, once a year.
    """
    from coc.policies.campaigns import CAMPAIGN, open_campaign
    from coc.policies.history import file_authority

    register = open_register()
    actor = acting_person(register)
    path = campaign_path(register.root, year)
    rel = register.rel(path)
    refused = file_authority(rel, [(actor.email, actor)])
    if refused is not None:
        raise CocError(f"only HR or the Monitoring Officer opens a campaign: {refused.message}")
    ctx = context_for(register, {})
    with register.changing() as change:
        earlier = read_campaign(register.root, year)
        if earlier is not None:
            raise CocError(f"the {year} campaign was opened on {earlier.opened_on} by "
                           f"{earlier.opened_by}: see `coc campaign progress {year}`", path=rel)
        new = open_campaign(ctx, year, actor, date.today())
        message = (f"campaign: open {year} by {actor.id} ({len(new.people)} asked for a return "
                   f"by {new.closes}; {CAMPAIGN})")
        commit = change.commit([(path, dump_campaign(new, CAMPAIGN))], message, actor.name,
                               actor.email, new=True)
    if as_json:
        echo_json({"year": year, "commit": commit, "path": rel, "opens": new.opens,
                   "closes": new.closes, "who": new.who, "kinds": list(new.kinds),
                   "people": [p for p, _ in new.people]})
        return
    echo_line(f"Opened the {year} campaign in commit {commit[:10]} ({rel}): {len(new.people)} "
              f"people ({new.who}) asked for a return between {new.opens} and {new.closes}, "
              f"covering {', '.join(new.kinds)} [{CAMPAIGN}].")


@campaign.command("progress")
@YEAR
@click.option("--format", "fmt", type=click.Choice(("text", "json", "md")), default="text",
              show_default=True)
def progress_command(year: int, fmt: str) -> None:
    """Per department: returned, nil return, outstanding (and left since it opened)."""
    from coc.policies.campaigns import CAMPAIGN, STATUSES, progress, returns

    register = open_register()
    found = opened(register, year)
    rows = progress(returns(found, all_records(register), register.people, date.today()))
    if fmt == "json":
        echo_json({"year": year, "opens": found.opens, "closes": found.closes,
                   "who": found.who, "section": CAMPAIGN,
                   "departments": [{"department": r.department, **r.counts, "asked": r.asked}
                                   for r in rows]})
        return
    from tabulate import tabulate

    from .export import md_cell

    headers = ["department", *STATUSES, "asked"]
    table = [[r.department, *(r.counts[s] for s in STATUSES), r.asked] for r in rows]
    if fmt == "md":
        table = [[md_cell(c) for c in row] for row in table]
    echo_line(f"{year} campaign ({found.who}; {found.opens} to {found.closes}) [{CAMPAIGN}]")
    click.echo(tabulate(table, headers=headers, tablefmt="github" if fmt == "md" else "simple"))


@campaign.command("non-declarers")
@YEAR
@click.option("--format", "fmt", type=click.Choice(("text", "csv", "md", "json")), default="text",
              show_default=True)
def non_declarers_command(year: int, fmt: str) -> None:
    """The people asked in the YEAR campaign who have made no return (nor left).

    `--format csv` for a spreadsheet (cells a spreadsheet would run as formulas are
    neutralised), `--format md` for publishing.
    """
    from coc.policies.campaigns import non_declarers, returns

    from .export import csv_cell, md_cell

    register = open_register()
    found = opened(register, year)
    rows = non_declarers(returns(found, all_records(register), register.people, date.today()))
    columns: list[tuple[str, Any]] = [("name", lambda r: r.name), ("id", lambda r: r.person),
                                      ("job_title", lambda r: r.job_title),
                                      ("department", lambda r: r.department)]
    if fmt == "json":
        echo_json([{name: get(r) for name, get in columns} for r in rows])
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([name for name, _ in columns])
        writer.writerows([[csv_cell(get(r)) for _, get in columns] for r in rows])
        click.echo(out.getvalue(), nl=False)
    elif fmt == "md":
        click.echo(f"# {year}: no declarations return\n")
        click.echo("| " + " | ".join(name for name, _ in columns) + " |")
        click.echo("|" + "---|" * len(columns))
        for r in rows:
            echo_line("| " + " | ".join(md_cell(get(r)) for _, get in columns) + " |")
    else:
        for r in rows:
            echo_line(f"{r.name} ({r.person}), {r.job_title or 'no job title'}, {r.department}")
        if not rows:
            click.echo(f"Everyone asked in {year} has made a return.")
