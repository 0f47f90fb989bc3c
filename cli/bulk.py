"""`coc approve ID ID ...` and `coc approve --all-from-inbox`: many decisions, each judged as one.

Every decision is first judged exactly as a single `coc approve` judges it (the same
`decide`, stopped before it writes): the breach refusal, the deciders the policy excludes,
the restricted register. One refused, none is made. Then each is committed on its own, one
commit per record (README, "Bulk decisions", says why).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import click

from coc.registers.errors import CocError
from coc.registers.store import Register, check_id

from .common import acting_person, echo_json, echo_line, open_register


def _where(main: Register, record_id: str) -> tuple[Register, Any]:
    """The register holding the record (the restricted one, for those who have it) and the
    actor as that register's people.yaml knows them."""
    register = main.holding(record_id)
    actor = acting_person(main)
    return register, (actor if register is main else register.people.require(actor.id))


def approve_many(given: list[str], *, all_from_inbox: bool, yes: bool, conditions: str | None,
                 branch: bool, as_json: bool) -> None:
    from .decide import decide

    main = open_register()
    ids = [check_id(i.strip().upper()) for i in given]
    if all_from_inbox:
        from .inbox import gather

        actor = acting_person(main)
        waiting = [i for i in gather(main, person=actor.id) if i.role == "approver"]
        if not waiting:
            if as_json:
                echo_json([])
            else:
                echo_line("Nothing waits for your decision.")
            return
        if not yes:
            if as_json:
                raise CocError("--all-from-inbox with --json needs --yes (there is no one to ask)",
                               field="--yes")
            names = {p.id: p.name for p in main.people}
            echo_line(f"{len(waiting)} to decide:")
            for item in waiting:
                echo_line(f"  {item.record_id}  {item.action}: {item.kind} of "
                          f"{names.get(item.declarant, item.declarant)}")
            if not click.confirm("Approve (or acknowledge) all of them?", default=False):
                echo_line("Nothing was decided.")
                return
        ids += [i.record_id for i in waiting if i.record_id]
    ids = list(dict.fromkeys(ids))   # each once, in the order given
    refused = []
    for record_id in ids:            # judged, all of them, before any is written
        register, actor = _where(main, record_id)
        try:
            decide(register, record_id, actor, "approved", conditions=conditions, branch=branch,
                   dry_run=True)
        except CocError as exc:
            refused.append((record_id, exc))
    if refused:
        lines = [f"{record_id}: {str(exc).splitlines()[0]}" for record_id, exc in refused]
        raise CocError(f"{len(refused)} of {len(ids)} cannot be decided, so none was: "
                       + "; ".join(lines))
    done = []
    for record_id in ids:
        register, actor = _where(main, record_id)
        try:
            changed = decide(register, record_id, actor, "approved", conditions=conditions,
                             branch=branch)
            prefix = "" if register is main else main.readers()[1][0]   # the restricted one's
            done.append(replace(changed, path=prefix + changed.path))
        except CocError as exc:   # something changed since it was judged: stop here
            made = ", ".join(f"{c.id} ({c.commit[:8]})" for c in done) or "none"
            raise CocError(f"{record_id}: {exc}; decided before it, each in its own commit: "
                           f"{made}; not decided: {', '.join(ids[len(done):])}") from None
    if as_json:
        echo_json([{"id": c.id, "path": c.path, "status": c.status, "commit": c.commit,
                    "branch": c.branch} for c in done])
        return
    for c in done:
        verb = "Acknowledged (noted)" if c.action == "note" else "Approved"
        echo_line(f"{verb} {c.id} (commit {c.commit[:8]})")
        for f in c.flagged:
            click.echo(f"{f.severity}: {f.message}" + (f" [{f.section}]" if f.section else ""),
                       err=True)
