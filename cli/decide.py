"""`coc approve|reject|accept|amend|end|withdraw ID`: state changes, one commit each, by the actor.

Each change appends to the record (a decision, an amendment, an ending, a withdrawal) and is
judged by the same rules as the pre-commit hook (coc.policies.history) before anything is
written: who may decide comes from the policy, only the declarant accepts conditions, and a
refusal leaves no file changed and no commit. With `--branch` the commit goes on the
record's pull-request branch `declare/<id>` (SPEC §5).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from coc.policies.registry import context_for, policy_for
from coc.registers.errors import CocError, RefusedError
from coc.registers.findings import Finding
from coc.registers.people import Person
from coc.registers.record import Record
from coc.registers.store import Register, check_id
from coc.registers.yamlio import dump_edit

from .common import acting_person, echo_json, open_register


@dataclass(frozen=True)
class Changed:
    id: str
    path: str
    action: str                    # approve | note | reject | accept | amend | end | withdraw
    status: str                    # the record's derived status afterwards
    commit: str
    branch: str | None             # the branch committed on, when it is a pull-request branch
    next_step: str
    flagged: tuple[Finding, ...]   # recorded, but a breach to resolve


@dataclass
class Edit:
    """One record open for a change: as committed (`before`) and as being edited (`data`)."""

    register: Register
    actor: Person
    path: Path
    data: Any            # ruamel round-trip mapping: comments, order and quoting survive
    before: Record
    ctx: Any

    @property
    def kind(self) -> Any:
        return policy_for(self.register).kind(self.before.kind)

    def append(self, key: str, entry: dict[str, Any]) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        entries = self.data.get(key)
        if not isinstance(entries, list):
            entries = CommentedSeq()
            self.data[key] = entries
        if not entries:
            entries.fa.set_block_style()
        entries.append(CommentedMap(entry))

    def stamp(self, **fields: Any) -> dict[str, Any]:
        """`by` and `at` first, then the rest, leaving out what was not given."""
        from coc.registers.record import now_utc

        return {"by": self.actor.id, "at": now_utc(),
                **{k: v for k, v in fields.items() if v is not None}}


def _text(name: str, value: str | None) -> str | None:
    """Free text (conditions, reasons) checked like a long text field."""
    from coc.policies.base import Field

    return None if value is None else Field(name, "longtext").parse(value)


def change(register: Register, record_id: str, actor: Person, action: str,
           apply: Callable[[Edit], str], *, branch: bool = False, dry_run: bool = False) -> Changed:
    """Open the record (on its branch if asked), let `apply` edit it and return the commit
    message body, judge the result as the hook will, then write and commit it as `actor`.
    With `dry_run`, stop after judging: every refusal is raised, nothing is written."""
    record_id = check_id(record_id.strip().upper())
    # Locked from the read to the commit, and the commit refused if the record changed in HEAD
    # meanwhile: a concurrent approve and amend cannot drop each other's entry (issue 9, 15).
    name = f"declare/{record_id}"
    try:
        return _change(register, record_id, actor, action, apply, branch, dry_run, name)
    except _Judged as judged:   # a dry run: the change undid its branch switch, if any
        return judged.changed


class _Judged(Exception):
    """Raised out of a dry run's change, so that it puts back whatever it switched."""

    def __init__(self, changed: Changed) -> None:
        super().__init__("dry run")
        self.changed = changed


def _change(register: Register, record_id: str, actor: Person, action: str,
            apply: Callable[[Edit], str], branch: bool, dry_run: bool, name: str) -> Changed:
    with register.changing(record_id, name if branch else None) as change_:
        _branch_ready(register, record_id, branch, change_)
        edit = _open(register, record_id, actor)
        committed = edit.path.read_bytes()
        body = apply(edit)
        after, flagged = _judge(edit)
        verb = "note" if action == "approve" and after.verdict() and \
            after.verdict().get("decision") == "noted" else action
        if dry_run:
            raise _Judged(Changed(record_id, after.path, verb, after.status, "", change_.branch,
                                  "", tuple(flagged)))
        message = f"{verb}({after.kind}): {record_id} by {actor.id}" + \
            (f"\n\n{body}" if body else "")
        text = dump_edit(committed.decode("utf-8-sig"), edit.data)   # untouched lines kept
        commit = change_.commit([(edit.path, text)], message, actor.name, actor.email,
                                expect={edit.path: committed})
        branch_name = change_.branch
    return Changed(record_id, after.path, verb, after.status, commit, branch_name,
                   next_step(register, after, edit.ctx, branch_name), tuple(flagged))


def _branch_ready(register: Register, record_id: str, wanted: bool, change_: Any) -> None:
    """Already on `declare/<id>`: brought up to its fetched remote copy. Not on it, and the
    record is only there: say to add --branch."""
    from coc.registers.git import catch_up

    name = f"declare/{record_id}"
    if change_.branch == name and not change_.switched:
        catch_up(register.root, name)
    elif not wanted and register.path_of(record_id, missing_ok=True) is None \
            and register.find_on_branch(record_id) is not None:
        raise CocError(f"{record_id} is only on its pull-request branch {name}: add --branch "
                       "to decide it there", field="id")


def _open(register: Register, record_id: str, actor: Person) -> Edit:
    from coc.policies.validate import load_context
    from coc.registers.git import read_blobs

    path, data = register.load_for_edit(record_id)
    rel = register.rel(path)
    committed = read_blobs(register.root, [f"HEAD:{rel}"])[0]
    if committed is None:
        raise RefusedError(f"{record_id} is not committed yet: commit it first", path=rel)
    if committed != path.read_bytes():
        raise RefusedError("has changes that are not committed: commit or undo them first "
                           f"(`git diff -- {rel}`)", path=rel)
    before = register.read(path)
    ending = f"is ending on {before.ending_on}" if before.ending_on else "has ended"
    for key, verb in (("withdrawn", "was withdrawn"), ("ended", ending)):
        entry = before.data.get(key)
        if entry:
            who = f" by {entry.get('by')}" if isinstance(entry, dict) else ""
            raise RefusedError(f"{record_id} {verb}{who}: it can no longer change", path=rel,
                               field=key)
    return Edit(register, actor, path, data, before, context_for(register, load_context(register)))


def _judge(edit: Edit) -> tuple[Record, list[Finding]]:
    """The edited record as it will be committed, refused on anything the hook would refuse."""
    from coc.policies.engine import check_record
    from coc.policies.history import Committer, review
    from coc.registers.yamlio import dump_roundtrip, load_fast

    rel = edit.before.path
    after = Record(data=load_fast(dump_roundtrip(edit.data).encode("utf-8"), rel), path=rel)
    blocking, flagged = review(edit.before, after, check_record(edit.before, edit.ctx),
                               check_record(after, edit.ctx), edit.ctx,
                               Committer(edit.actor.email, edit.actor))
    if blocking:
        first = blocking[0]
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        section = f" [{first.section}]" if first.section else ""
        raise RefusedError(f"{first.message}{section}{more}", path=rel, field=first.field)
    return after, flagged


def next_step(register: Register, record: Record, ctx: Any, branch: str | None) -> str:
    """Who acts next, and how; on a pull-request branch, what to push."""
    status = record.status
    if status == "submitted":
        from coc.policies.engine import who_must_act

        deciders = who_must_act(record, ctx)
        step = (f"Awaiting {deciders.describe()} to {deciders.action} it "
                f"(`coc approve {record.id}`).") if deciders else \
            f"{record.id} is recorded: nobody has to approve or acknowledge it."
    elif status == "approved" and record.conditions():
        person = register.people.get(record.declarant)
        step = (f"Next: {person.name if person else record.declarant} accepts the conditions "
                f"(`coc accept {record.id}`).")
    else:
        step = f"{record.id} is {status}."
    if branch:
        step += (f"\nOn branch {branch}: push it (`git push -u origin {branch}`) and open or "
                 "update its pull request; once it is decided, the approver merges it.")
    return step


# the commands ---------------------------------------------------------------------------------

def decide(register: Register, record_id: str, actor: Person, verdict: str, *,
           conditions: str | None = None, reason: str | None = None,
           branch: bool = False, dry_run: bool = False) -> Changed:
    """Approve (or, for a notification, note) or reject, as the policy's decider."""

    def apply(edit: Edit) -> str:
        current = edit.before.verdict()
        if current is not None:
            raise RefusedError(f"{edit.before.id} is already {current.get('decision')} (by "
                               f"{current.get('by')} at {current.get('at')}); a new decision "
                               f"follows a change of details (`coc amend {edit.before.id}`)")
        from coc.policies.engine import duty_of, open_breaches, who_must_act
        from coc.policies.history import breach_refusal

        duty = duty_of(edit.before, edit.ctx)
        breaches = open_breaches(edit.before, edit.ctx)
        if verdict == "rejected" and breaches:
            duty = None       # rejecting is a way out of a breach, whatever the duty
        if duty is not None and duty.action is None:
            raise RefusedError(f"{edit.before.id} needs no one's decision: {duty.section} asks "
                               f"only that it is recorded (\"{duty.words}\")")
        notification = duty is not None and duty.action == "acknowledge"
        if notification and conditions:
            raise CocError(f"under {duty.section} a {edit.kind.name} is acknowledged, not "
                           "approved: conditions do not apply", field="--conditions")
        if breaches and verdict == "approved":
            raise RefusedError(breach_refusal(edit.before, breaches).replace(
                "cannot approve", "cannot acknowledge" if notification else "cannot approve", 1))
        deciders = who_must_act(edit.before, edit.ctx) or \
            policy_for(edit.register).who_may_decide(edit.before, edit.ctx)
        authority = deciders.allows(edit.actor.id)
        decision = "noted" if verdict == "approved" and notification else verdict
        edit.append("decisions", {"decision": decision, **edit.stamp(**{
            "as": authority.capacity if authority else "", "details_version": edit.before.version,
            "details_digest": edit.before.details_digest, "conditions": conditions, "reason": reason})})
        lines = [f"As {authority.capacity}." if authority else ""]
        lines += [f"Conditions: {conditions}"] if conditions else []
        lines += [f"Reason: {reason}"] if reason else []
        return "\n".join(line for line in lines if line)

    action = "approve" if verdict == "approved" else "reject"
    return change(register, record_id, actor, action, apply, branch=branch, dry_run=dry_run)


def accept_conditions(register: Register, record_id: str, actor: Person, *,
                      branch: bool = False) -> Changed:
    """The declarant signs the conditions set on the approval (Luton §19.7, §20.6)."""

    def apply(edit: Edit) -> str:
        edit.append("decisions", {"decision": "conditions-accepted", **edit.stamp(**{
            "as": "declarant", "details_version": edit.before.version,
            "details_digest": edit.before.details_digest})})
        return f"Conditions accepted: {edit.before.conditions()}" if edit.before.conditions() \
            else ""

    return change(register, record_id, actor, "accept", apply, branch=branch)


def amend_record(register: Register, record_id: str, actor: Person, values: dict[str, str], *,
                 note: str | None = None, branch: bool = False) -> Changed:
    """A change of hours or circumstances (Luton §19.4): details updated, the change appended
    as an amendment, so a decided record needs a fresh decision."""

    def apply(edit: Edit) -> str:
        kind = edit.kind
        changes: dict[str, Any] = {}
        for name, text in values.items():
            spec = kind.field(name)
            flag = "--" + name.replace("_", "-")
            if spec is None:
                raise CocError(f"a {kind.name} has no field {name} (fields: "
                               f"{', '.join(f.flag for f in kind.fields)})", field=flag)
            try:
                value = spec.parse(text)
            except CocError as exc:
                raise CocError(str(exc).split(": ", 1)[-1], field=flag) from None
            if edit.before.details.get(name) != value:
                changes[name] = value
        if not changes:
            raise CocError("nothing to amend: give a field with a new value, like "
                           f"`coc amend {edit.before.id} --FIELD VALUE`")
        previous = {name: edit.before.details.get(name) for name in changes}
        from coc.registers.yamlio import unambiguous

        details = edit.data["details"]
        for name, value in changes.items():
            details[name] = unambiguous(value)
        edit.append("amendments", edit.stamp(changes=changes, previous=previous,
                                             reason=_text("note", note)))
        from coc.registers.display import plain_value

        lines = [f"{name}: {plain_value(previous[name])} -> {plain_value(value)}"
                 for name, value in changes.items()]
        return "\n".join(lines + ([f"Note: {note}"] if note else []))

    return change(register, record_id, actor, "amend", apply, branch=branch)


def end_record(register: Register, record_id: str, actor: Person, on: str, *,
               reason: str | None = None, branch: bool = False) -> Changed:
    """An interest, outside work or other continuing matter has ended."""
    from coc.policies.base import Field

    ended_on = Field("on", "date").parse(on)

    def apply(edit: Edit) -> str:
        if not edit.kind.has_end:
            raise CocError(f"a {edit.kind.name} does not end; if it should not have been "
                           f"declared, withdraw it (`coc withdraw {edit.before.id} --reason TEXT`)")
        _check_end(edit.before, ended_on)
        edit.data["ended"] = edit.stamp(on=ended_on, reason=_text("reason", reason))
        return f"Ended on {ended_on}." + (f"\nReason: {reason}" if reason else "")

    return change(register, record_id, actor, "end", apply, branch=branch)


START_FIELDS = ("start_date", "arose_on", "appointed_on", "from_date")
MAX_END_AHEAD_DAYS = 366   # a planned end (the season's last match) may be given ahead, not 2099


def _check_end(record: Record, ended_on: Any) -> None:
    """An ending is not before the thing started or was declared, nor years ahead (the record
    would read "ended" at once) (issue 9, item 20)."""
    from datetime import date

    from coc.registers.record import as_date

    from datetime import timedelta

    today = date.today()
    if ended_on > today + timedelta(days=MAX_END_AHEAD_DAYS):
        raise CocError(f"{ended_on} is more than a year away: record the ending when it is "
                       f"known, at most {MAX_END_AHEAD_DAYS} days ahead (today is {today})",
                       field="--on")
    start = next(((name, as_date(record.details.get(name))) for name in START_FIELDS
                  if as_date(record.details.get(name))), None)
    if start and ended_on < start[1]:   # type: ignore[operator]
        raise CocError(f"{ended_on} is before it started ({start[0]} {start[1]})", field="--on")
    declared = record.declared_on
    if declared and ended_on < declared:
        raise CocError(f"{ended_on} is before {record.id} was declared ({declared}): an ending "
                       "follows its declaration", field="--on")


def withdraw_record(register: Register, record_id: str, actor: Person, reason: str, *,
                    branch: bool = False) -> Changed:
    """Withdraw a declaration: recorded with who, when and why, never deleted (SPEC §3)."""
    reason = _text("reason", reason) or ""

    def apply(edit: Edit) -> str:
        edit.data["withdrawn"] = edit.stamp(reason=reason)
        return f"Reason: {reason}"

    return change(register, record_id, actor, "withdraw", apply, branch=branch)


# click wrappers ------------------------------------------------------------------------------

BRANCH = click.option("--branch", is_flag=True,
                      help="Commit on the record's pull-request branch declare/<id>.")
JSON = click.option("--json", "as_json", is_flag=True,
                    help="Print {id, path, status, commit, branch} as JSON.")


def _run(fn: Callable[..., Changed], record_id: str, as_json: bool, **kwargs: Any) -> None:
    main = open_register()
    # A record of the restricted register is decided and committed there (for those who have it)
    register = main.holding(check_id(record_id.strip().upper()))
    actor = acting_person(main)
    if register is not main:
        actor = register.people.require(actor.id)
    result = fn(register, record_id, actor, **kwargs)
    if as_json:
        where = "" if register is main else main.readers()[1][0]   # the restricted register's
        echo_json({"id": result.id, "path": where + result.path, "status": result.status,
                   "commit": result.commit, "branch": result.branch})
        return
    for f in result.flagged:
        click.echo(f"{f.severity}: {f.message}" + (f" [{f.section}]" if f.section else ""),
                   err=True)
    done = {"approve": "Approved", "note": "Acknowledged (noted)", "reject": "Rejected",
            "accept": "Accepted the conditions on", "amend": "Amended", "end": "Ended",
            "withdraw": "Withdrew"}[result.action]
    click.echo(f"{done} {result.id} (commit {result.commit[:8]})")
    click.echo(result.next_step)


@click.command()
@click.argument("record_ids", metavar="ID...", nargs=-1)
@click.option("--conditions", metavar="TEXT", help="Conditions the declarant must accept.")
@click.option("--all-from-inbox", is_flag=True,
              help="Every decision and acknowledgement in your inbox (`coc inbox`).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deciding --all-from-inbox.")
@BRANCH
@JSON
def approve(record_ids: tuple[str, ...], conditions: str | None, all_from_inbox: bool, yes: bool,
            branch: bool, as_json: bool) -> None:
    """Approve a declaration, or acknowledge a notification (criminal matter, ...).

    Only someone the policy allows may: never the declarant, nor HR who recorded it, nor a
    manager with a declared relationship with the declarant. Several IDs (or
    --all-from-inbox) are each checked exactly as one is, all before any is decided: one
    refused, none decided. Each decision is then its own commit.
    """
    conditions = _text("conditions", conditions)
    if len(record_ids) == 1 and not all_from_inbox:
        _run(decide, record_ids[0], as_json, verdict="approved", conditions=conditions,
             branch=branch)
        return
    if not record_ids and not all_from_inbox:
        raise click.UsageError("give the ID of a declaration (or several, or --all-from-inbox)")
    from .bulk import approve_many

    approve_many(list(record_ids), all_from_inbox=all_from_inbox, yes=yes,
                 conditions=conditions, branch=branch, as_json=as_json)


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--reason", metavar="TEXT", required=True, help="Why it is rejected.")
@BRANCH
@JSON
def reject(record_id: str, reason: str, branch: bool, as_json: bool) -> None:
    """Reject a declaration, saying why."""
    _run(decide, record_id, as_json, verdict="rejected", reason=_text("reason", reason),
         branch=branch)


@click.command()
@click.argument("record_id", metavar="ID")
@BRANCH
@JSON
def accept(record_id: str, branch: bool, as_json: bool) -> None:
    """Accept the conditions set on your approved declaration (Luton §19.7, §20.6)."""
    _run(accept_conditions, record_id, as_json, branch=branch)


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--on", "on", metavar="DATE", required=True, help="The date it ended (YYYY-MM-DD).")
@click.option("--reason", metavar="TEXT", help="Why, if worth saying.")
@BRANCH
@JSON
def end(record_id: str, on: str, reason: str | None, branch: bool, as_json: bool) -> None:
    """Record that an interest, outside work or similar has ended."""
    _run(end_record, record_id, as_json, on=on, reason=reason, branch=branch)


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--reason", metavar="TEXT", required=True, help="Why it is withdrawn.")
@BRANCH
@JSON
def withdraw(record_id: str, reason: str, branch: bool, as_json: bool) -> None:
    """Withdraw a declaration (it stays in the register, marked withdrawn)."""
    _run(withdraw_record, record_id, as_json, reason=reason, branch=branch)


def _amend_fields() -> tuple[Any, ...]:
    """Every field of every kind (the register's policy, else the shared table), one flag each."""
    from coc.policies.base import Field
    from coc.policies.kinds import FIELDS

    try:
        by_kind = {k.name: k.fields for k in policy_for(open_register()).kinds.values()}
    except CocError:
        by_kind = dict(FIELDS)
    specs: dict[str, list[Any]] = {}
    kinds: dict[str, list[str]] = {}
    for kind_name, fields in by_kind.items():
        for spec in fields:
            specs.setdefault(spec.name, []).append(spec)
            kinds.setdefault(spec.name, []).append(kind_name)
    return tuple(
        Field(name, same[0].type if len({s.type for s in same}) == 1 else "text",
              help=f"new value (of a {', '.join(kinds[name])})")
        for name, same in specs.items())


class AmendCommand(click.Command):
    """`coc amend ID --FIELD VALUE`: the field flags are built like `coc declare`'s."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        from .declare import field_options

        return field_options(_amend_fields()) + super().get_params(ctx)


@click.command(cls=AmendCommand)
@click.argument("record_id", metavar="ID")
@click.option("--note", metavar="TEXT", help="Why the details changed.")
@BRANCH
@JSON
def amend(record_id: str, note: str | None, branch: bool, as_json: bool,
          **fields: str | None) -> None:
    """Amend a declaration's details: a change of hours or circumstances (Luton §19.4).

    The change is appended as an amendment; a decided declaration then needs a fresh decision.
    """
    values = {k.removeprefix("field__"): v for k, v in fields.items() if v is not None}
    _run(amend_record, record_id, as_json, values=values, note=note, branch=branch)
