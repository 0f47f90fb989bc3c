"""`coc overdue`: work past its deadline and who must act; exit 1 when there is any, for CI."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from coc.policies.registry import context_for, policy_for

from coc.registers.store import Register

from .common import FORMATS, Answer, answered, open_register, render_findings


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def overdue(fmt: str) -> None:
    """List what is overdue, and who must act.

    Notifications not acknowledged after their deadline; outside work past its start date and
    not approved. And, where coc.yaml's practice: switches them on (the organisation's own
    practice, not the code's): decisions waiting longer than decision_period_working_days,
    conditions not accepted within it, yearly attestations (due_by, or as long after the
    register's first commit) and yearly reviews of continuing declarations. Prints nothing
    and exits 0 when nothing is overdue; exits 1 otherwise, so that CI goes red.
    """
    register = open_register()
    started = _first_commit(register.root)
    answered(register, "overdue", [fmt, started],
             lambda answer: _overdue(answer, register, fmt, started)).play(duplicates_of=register)


def _overdue(answer: Answer, register: Register, fmt: str, started: date | None) -> None:
    from dataclasses import replace

    from coc.policies.overdue import overdue as find

    records = {}
    # One list with the restricted register's records (for those who have it), so each person's
    # yearly return and reviews are counted once; its paths are shown from this register.
    for prefix, one in register.readers():
        for loaded in one.load_all():
            if loaded.record is not None and loaded.record.id:   # by path: a duplicate id
                records[prefix + loaded.path] = replace(loaded.record,   # hides neither copy
                                                        path=prefix + loaded.record.path)
    # rules look only at the kinds other records are judged against (declared relationships)
    wanted = policy_for(register).context_kinds
    ctx = context_for(register, {r.id: r for r in records.values() if r.kind in wanted})
    found = find(list(records.values()), ctx, date.today(), started=started)
    if found or fmt != "text":
        answer.write(render_findings(found, fmt, suite="coc overdue"))
    if found:
        answer.code = 1


def _first_commit(root: Path) -> date | None:
    """The day the register began (its earliest root commit), or None outside git."""
    from coc.registers.git import git

    days = git(root, "log", "--max-parents=0", "--format=%cs", "HEAD", check=False).split()
    try:
        return min(date.fromisoformat(d) for d in days) if days else None
    except ValueError:
        return None
