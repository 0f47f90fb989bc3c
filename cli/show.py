"""`coc show ID` and `coc list`: one record in full, or a table of many."""
from __future__ import annotations

from typing import Any

import click

from coc.policies.registry import context_for, policy_for
from coc.registers.record import STATUSES, Record
from coc.registers.store import Register, check_id
from coc.registers.display import plain_value
from coc.registers.text import printable

from .common import (Answer, answered, dumps_json, echo, echo_json, echo_line, open_register,
                     text_table, to_jsonable)

SUMMARY_FIELDS = ("description", "event", "organisation", "company_name", "item", "other_person",
                  "post_title", "case_reference", "donor", "host")


def summary(record: Record) -> str:
    for name in SUMMARY_FIELDS:
        value = record.details.get(name)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= 50 else text[:49] + "…"
    return ""


def describe(register: Register, record: Record) -> dict[str, Any]:
    """Everything `coc show --json` prints (SPEC §5), plus who must act next."""
    from coc.policies.validate import load_context, record_findings

    ctx = context_for(register, load_context(register))
    policy = policy_for(register)
    deadline = policy.deadline(record, ctx) if record.kind in policy.kinds else None
    findings = record_findings(record, ctx)
    awaiting = None
    from coc.policies.engine import who_must_act

    deciders = who_must_act(record, ctx) if record.kind in policy.kinds else None
    if deciders is not None:
        awaiting = {"action": deciders.action, "who": deciders.describe(),
                    "people": [{"id": a.person.id, "name": a.person.name, "as": a.capacity}
                               for a in deciders.eligible],
                    "passed_over": [{"id": who, "why": why} for who, why in deciders.excluded],
                    "section": deciders.section}
    elif record.conditions() and not record.conditions_accepted() and record.status == "approved":
        person = register.people.get(record.declarant)
        awaiting = {"action": "accept conditions", "who": person.name if person else record.declarant,
                    "people": [{"id": record.declarant, "as": "declarant"}], "section": ""}
    return {
        "id": record.id, "kind": record.kind, "declarant": record.declarant,
        "status": record.status,
        "ending_on": record.ending_on.isoformat() if record.ending_on else None,
        "deadline": deadline.due.isoformat() if deadline else None,
        "deadline_basis": deadline.basis if deadline else None,
        "awaiting": awaiting,
        "actions": list(policy.side_effects(record, ctx)) if record.kind in policy.kinds else [],
        "findings": [{"rule": f.rule, "section": f.section, "severity": f.severity,
                      "message": f.message, "field": f.field} for f in findings],
        "path": record.path,
        "changes": changes(record),
        "record": to_jsonable(dict(record.data)),
    }


def load_here_or_on_branch(register: Register, record_id: str) -> tuple[Record, str | None]:
    """The record in the working tree, else on its fetched pull-request branch (the reviewer's
    `git fetch origin` then `coc show ID`), with that branch's name."""
    if register.path_of(record_id, missing_ok=True) is not None and \
            not behind_its_remote(register, record_id):
        return register.load(record_id), None
    found = register.find_on_branch(record_id)   # the newest copy: local, else a fetched one
    if found is None:
        from coc.registers.errors import CocError

        raise CocError(f"no record {record_id} in this register, nor on a branch "
                       f"declare/{record_id}; if it is in a pull request, run `git fetch origin` "
                       "first", field="id")
    branch, record = found
    return record, branch


def behind_its_remote(register: Register, record_id: str) -> bool:
    """Checked out on `declare/<id>`, and a fetched copy of it has moved on (the approver
    decided and pushed): the working tree's record is out of date, and showing it would say
    "awaiting approval" of a record already approved (issue 10)."""
    from coc.registers.git import current_branch, newest_first, remote_branches

    branch = f"declare/{record_id}"
    if current_branch(register.root) != branch:
        return False
    return newest_first(register.root, [branch, *remote_branches(register.root, branch)])[0] \
        != branch


def changes(record: Record) -> dict[str, Any]:
    """What happened after the declaration, so an approver asked to decide again sees what
    changed: each amendment (field from -> to, by, when, the note), the ending and the
    withdrawal (who, when, why) (issue 9, item 20)."""
    def entry(value: Any, *keys: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            return None
        return to_jsonable({k: value.get(k) for k in ("by", "at", *keys)})

    amendments = []
    for amendment in record.amendments:
        new = amendment.get("changes")
        old = amendment.get("previous")
        new = new if isinstance(new, dict) else {}
        old = old if isinstance(old, dict) else {}
        amendments.append(to_jsonable({
            "by": amendment.get("by"), "at": amendment.get("at"),
            "fields": {name: {"from": old.get(name), "to": value} for name, value in new.items()},
            "note": amendment.get("reason")}))
    return {"amendments": amendments,
            "ended": entry(record.data.get("ended"), "on", "reason"),
            "withdrawn": entry(record.data.get("withdrawn"), "reason")}


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (SPEC §5).")
def show(record_id: str, as_json: bool) -> None:
    """Show one record: details, status, deadline, who must act, findings."""
    main = open_register()
    record_id = check_id(record_id.strip().upper())
    register = main.holding(record_id)   # the restricted register's, for those who have it
    _warn_if_diverged(register, record_id)
    record, branch = load_here_or_on_branch(register, record_id)
    info = describe(register, record)
    if register is not main:
        info["path"] = shown_path(main, record.path)
    if branch:
        info["branch"] = branch
    if as_json:
        echo_json(info)
        return
    echo_line(f"{record.id}  {record.kind}  [{record.status_text}]")
    if branch and register.path_of(record_id, missing_ok=True) is not None:
        local = f"declare/{record_id}"
        echo_line(f"  on branch:   {branch} (newer than your branch {local}: `git pull` brings "
                  f"it here; `coc accept --branch` and the like fast-forward it themselves)")
    elif branch:
        echo_line(f"  on branch:   {branch} (a pull request; not on this branch yet)")
    echo_line(f"  file:        {info['path']}")
    person = register.people.get(record.declarant)
    echo_line(f"  declarant:   {person.label() if person else record.declarant}")
    if record.recorded_by != record.declarant:
        echo_line(f"  recorded by: {record.recorded_by}")
    echo_line(f"  declared on: {record.data.get('declared_on')}")
    if info["deadline"]:
        echo_line(f"  deadline:    {info['deadline']} ({info['deadline_basis']})")
    width = max([13, *(len(str(k)) + 2 for k in record.details)])
    for key, value in record.details.items():
        echo_line(f"  {printable(key, one_line=True) + ':':<{width}}{plain_value(value)}")
    for decision in record.decisions:
        line = f"  - {decision.get('decision')} by {decision.get('by')} at {decision.get('at')}"
        note = decision.get("imported")
        if isinstance(note, dict) and record.is_imported(decision):
            row = f"line {note.get('line')}" if note.get("line") else f"item {note.get('item')}"
            said = f" (the source says {note['verdict']})" if note.get("verdict") else ""
            line = (f"  - {decision.get('decision')}{said} by {note.get('decided_by')} on "
                    f"{note.get('decided_on')}: imported from {note.get('file')} {row} by "
                    f"{decision.get('by')} at {decision.get('at')}")
        for extra in ("conditions", "reason"):
            if decision.get(extra):
                line += f"; {extra}: {decision[extra]}"
        echo_line(line)
    for amendment in info["changes"]["amendments"]:
        fields = "; ".join(f"{name}: {plain_value(change['from'])} -> "
                           f"{plain_value(change['to'])}"
                           for name, change in amendment["fields"].items())
        note = f"; note: {amendment['note']}" if amendment["note"] else ""
        echo_line(f"  - amended by {amendment['by']} at {amendment['at']}: {fields}{note}")
    ended, withdrawn = info["changes"]["ended"], info["changes"]["withdrawn"]
    if ended:
        reason = f"; reason: {ended['reason']}" if ended["reason"] else ""
        echo_line(f"  - ended on {ended['on']} (recorded by {ended['by']} at {ended['at']})"
                   f"{reason}")
    if withdrawn:
        echo_line(f"  - withdrawn by {withdrawn['by']} at {withdrawn['at']}; reason: "
                   f"{withdrawn['reason']}")
    if info["awaiting"]:
        echo_line(f"  awaiting:    {info['awaiting']['who']} ({info['awaiting']['action']})")
        for passed in info["awaiting"].get("passed_over", []):
            echo_line(f"  passed over: {passed['id']} ({passed['why']})")
    for action in info["actions"]:
        echo_line(f"  action:      {action}")
    for f in info["findings"]:
        section = f" [{f['section']}]" if f["section"] else ""
        echo_line(f"  {f['severity']}: {f['message']}{section}")


def _warn_if_diverged(register: Register, record_id: str) -> None:
    """Its branch `declare/<id>` and the copy fetched of it both moved on: `approve`, `accept`
    and the rest refuse, saying what to run; show still shows the local copy, saying the same,
    so that what it shows is not taken for the whole story (issue 9 item 14)."""
    from coc.registers.git import diverged

    problem = diverged(register.root, f"declare/{record_id}")
    if problem:
        echo_line(f"coc: warning: {problem}; shown here: your branch's copy", err=True)


def shown_path(main: Register, rel: str) -> str:
    """A restricted register's file as seen from the main register (its configured path)."""
    return (main.config.restricted_register or "").rstrip("/") + "/" + rel


def _nearest(given: str, choices: list[str]) -> str:
    import difflib

    near = difflib.get_close_matches(given, choices, n=1, cutoff=0.5)
    return f"; did you mean {near[0]}?" if near else ""


def _known_kind(register: Register, kind: str | None) -> str | None:
    """A `--kind` filter the policy has, else an error with the nearest: never an empty list
    that looks like "no records"."""
    from coc.registers.errors import CocError

    policy = policy_for(register)
    if kind is None or kind in policy.kinds:
        return kind
    raise CocError(f"no kind {kind!r} in the {policy.name} policy"
                   + _nearest(kind, list(policy.kinds)), field="--kind")


def _known_person(register: Register, person: str | None) -> str | None:
    """`--person` as a people.yaml id, or a name or email that names exactly one person."""
    from coc.registers.errors import CocError

    if person is None or person in register.people:
        return person
    wanted = " ".join(person.split()).casefold()
    found = [p.id for p in register.people
             if wanted in (p.name.casefold(), p.email.casefold())]
    if len(found) == 1:
        return found[0]
    names = [p.id for p in register.people] + [p.name for p in register.people]
    raise CocError(f"no one {person!r} in people.yaml" + _nearest(person, names),
                   field="--person")


@click.command("list")
@click.option("--kind", help="Only this kind (gift, interest, ...).")
@click.option("--status", type=click.Choice(STATUSES, case_sensitive=False),
              help="Only records with this status.")
@click.option("--person", help="Only this declarant (people.yaml id, name or email).")
@click.option("--awaiting", metavar="PERSON",
              help="Only records waiting for this person to act (as `coc inbox --for PERSON`).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_records(kind: str | None, status: str | None, person: str | None, awaiting: str | None,
                 as_json: bool) -> None:
    """List records with their derived status, newest first."""
    register = open_register()
    kind, person = _known_kind(register, kind), _known_person(register, person)
    # --awaiting reads the inbox (the history of decisions): never answered from the index
    answered(register, "list", [kind, status, person, as_json],
             lambda answer: _list(answer, register, kind, status, person, awaiting, as_json),
             use=awaiting is None).play(duplicates_of=register)


def _list(answer: Answer, register: Register, kind: str | None, status: str | None,
          person: str | None, awaiting: str | None, as_json: bool) -> None:
    waiting: set[str] | None = None
    if awaiting is not None:
        from .inbox import gather

        who = _known_person(register, awaiting)
        waiting = {i.record_id for i in gather(register, person=who) if i.record_id}
    rows = []
    broken = 0
    for prefix, one in register.readers():   # and the restricted register, for those who have it
        for loaded in one.load_all():
            record = loaded.record
            if record is None:
                broken += 1
                continue
            if (kind and record.kind != kind) or (person and record.declarant != person) or \
                    (status and record.status != status) or \
                    (waiting is not None and record.id not in waiting):
                continue
            who = one.people.get(record.declarant)
            rows.append({"id": record.id, "kind": record.kind, "declarant": record.declarant,
                         "name": who.name if who else record.declarant,
                         "declared_on": record.data.get("declared_on"), "status": record.status,
                         "ending_on": record.ending_on, "status_text": record.status_text,
                         "summary": summary(record), "path": prefix + record.path})
    rows.sort(key=lambda r: (str(r["declared_on"]), r["id"]), reverse=True)
    if as_json:
        answer.write(dumps_json([{k: v for k, v in r.items() if k != "status_text"}
                                 for r in rows]))
    elif rows:
        cells = [[printable(r[k], one_line=True) for k in
                  ("id", "kind", "name", "declared_on", "status_text", "summary")] for r in rows]
        answer.echo(text_table(cells, ["id", "kind", "declarant", "declared", "status", "summary"]))
    if broken:
        answer.echo(f"coc: {broken} record file(s) could not be read; run `coc validate --all`",
                    err=True)
