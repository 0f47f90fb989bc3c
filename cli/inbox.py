"""`coc inbox [--for PERSON] [--json]`: what waits for one person, as approver and as declarant.

The items come from coc.policies.inbox (the same function `coc list --awaiting` and `coc remind`
read); this module only loads the register and prints.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import click

from coc.policies.registry import context_for, policy_for
from coc.registers.store import Register

from .common import acting_person, echo_json, echo_line, open_register, said_duplicates


def gather(register: Register, today: date | None = None, person: str | None = None) -> list[Any]:
    """The inbox items of `person` (or everyone) in this register and, for those who have it,
    its restricted register, judged as `coc overdue` judges them."""
    from coc.policies.inbox import inbox

    from .overdue import _first_commit

    records = {}
    for prefix, one in register.readers():
        for loaded in one.load_all():   # through the index of parsed records
            if loaded.record is not None and loaded.record.id:
                record = loaded.record   # by path: a duplicate id hides neither copy
                records[prefix + loaded.path] = \
                    replace(record, path=prefix + record.path) if prefix else record
    wanted = policy_for(register).context_kinds
    ctx = context_for(register, {r.id: r for r in records.values() if r.kind in wanted})
    from coc.registers.campaigns import open_campaigns

    day = today or date.today()
    return inbox(list(records.values()), ctx, day, started=_first_commit(register.root),
                 person=person, campaigns=open_campaigns(register.root, day))


def person_named(register: Register, given: str | None) -> str:
    """`--for` as a people.yaml id, name or email; without it, the person git's user.email names."""
    if given is None:
        return acting_person(register).id
    from .show import _known_person

    found = _known_person(register, given)
    assert found is not None
    return found


def waited(item: Any) -> str:
    if item.waited is None:
        return ""
    return f"waiting {item.waited} working day{'s' if item.waited != 1 else ''}"


def deadline_text(item: Any) -> str:
    if item.deadline is None:
        return f"no deadline ({item.basis})"
    state = "OVERDUE, was due" if item.overdue else "due"
    return f"{state} {item.deadline} ({item.basis})"


@click.command()
@click.option("--for", "for_person", metavar="PERSON",
              help="Whose inbox (people.yaml id, name or email); default: you (git user.email).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of items.")
def inbox(for_person: str | None, as_json: bool) -> None:
    """What waits for you: decisions and acknowledgements to make (oldest first, with their
    deadline and how long they have waited, in working days), conditions to accept,
    follow-ups owed after an arrest, yearly attestations and reviews overdue.

    Prints nothing and exits 0 when nothing waits.
    """
    register = open_register()
    person = person_named(register, for_person)
    items = gather(register, person=person)
    if as_json:
        echo_json([i.to_json() for i in items])
    else:
        show_items(register, items)
    if said_duplicates(register):
        raise SystemExit(1)


def show_items(register: Register, items: list[Any]) -> None:
    """The inbox as text: approver's items, then declarant's."""
    names = {p.id: p.name for p in register.people}
    for role, title in (("approver", "To decide, as approver"),
                        ("declarant", "To do, as declarant")):
        mine = [i for i in items if i.role == role]
        if not mine:
            continue
        echo_line(f"{title} ({len(mine)}):")
        for item in mine:
            what = item.record_id or item.kind
            who = "" if role == "declarant" else f" of {names.get(item.declarant, item.declarant)}"
            echo_line(f"  {what}  {item.action}: {item.kind}{who}; {waited(item)}".rstrip("; "))
            echo_line(f"      {deadline_text(item)} [{item.section}]")
            echo_line(f"      why: {item.why}")
            echo_line(f"      run: {item.command}" + (f"  (or: {item.also})" if item.also else ""))
