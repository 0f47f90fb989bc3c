"""`coc declare KIND`: ask for (or take flags for) each field, check, write, commit as the declarant.

One subcommand per kind, built from the shared field table (plus the register's policy's own
fields), so `coc declare gift --help` lists exactly the gift fields.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import click

from coc.policies.registry import context_for, policy_for
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.people import Person
from coc.registers.store import Register

from .common import acting_person, echo_json, on_behalf, open_register


@dataclass(frozen=True)
class Declared:
    id: str
    path: str
    commit: str
    findings: tuple[Finding, ...]
    branch: str | None
    register: Register | None = None   # where it was written (the restricted one, for some)


def build_record(record_id: str, kind: str, declarant: Person, recorder: Person,
                 details: dict[str, Any], late_reason: str | None, today: date) -> Any:
    """The record as a ruamel mapping, keys in the order people read them."""
    from ruamel.yaml.comments import CommentedMap

    from coc.registers.yamlio import unambiguous

    record = CommentedMap()
    # Editors with yaml-language-server check the file against its kind's schema as it is typed
    # (`coc init` writes the schemas to .coc/schemas/; the record sits four folders down).
    record.yaml_set_start_comment(f"yaml-language-server: $schema=../../../../.coc/schemas/"
                                  f"{kind}.json")
    record["id"] = record_id
    record["kind"] = kind
    record["declarant"] = declarant.id
    record["recorded_by"] = recorder.id
    record["declared_on"] = today
    record["details"] = CommentedMap({name: unambiguous(value) for name, value in details.items()})
    if late_reason:
        record["late_reason"] = late_reason
    record["decisions"] = []
    record["amendments"] = []
    return record


def declare(register: Register, kind_name: str, values: dict[str, str], *, actor: Person,
            for_person: str | None = None, late_reason: str | None = None,
            branch: bool = False, ask: Any = None) -> Declared:
    """Make one declaration. `values` are typed text by field name; `ask(field)` prompts for
    a missing one (None: fail naming every missing required field). Nothing is written
    unless the record passes; a breach of something already done is recorded and flagged."""
    from coc.policies.engine import check_record
    from coc.registers.record import Record

    from .common import destination

    policy = policy_for(register)
    kind = policy.kind(kind_name)
    target = destination(register, kind.name)
    if target is not register:   # a sensitive kind: written to the restricted register only
        register, actor = target, target.people.require(actor.id)
        policy = policy_for(register)
        kind = policy.kind(kind_name)
    declarant = on_behalf(register, actor, for_person)
    if late_reason is not None:
        from coc.policies.base import Field

        late_reason = Field("--late-reason", "longtext").parse(late_reason)
    # Flags given on the command line mean the person chose what to say: ask only for what is
    # still required, not for every optional field they left out.
    ask_optional = not values
    details: dict[str, Any] = {}
    for spec in kind.fields:
        text = values.get(spec.name)
        asked = text is None and ask is not None and (spec.required or ask_optional)
        if asked:
            text = ask(spec)
        while text is not None and text.strip() != "":
            try:
                value = spec.parse(text)
            except CocError as exc:
                raise CocError(str(exc).split(": ", 1)[-1], field=spec.flag) from None
            problem = out_of_order(context_for(register), kind, {**details, spec.name: value},
                                   spec.name) if asked else None
            if problem is None:
                details[spec.name] = value
                break
            text = ask(spec, problem)   # re-ask this one; every earlier answer is kept
    missing = [s.flag for s in kind.fields if s.required and s.name not in details]
    if missing:
        raise CocError(f"missing required field(s) for a {kind.name}: {', '.join(missing)}",
                       field=missing[0])
    today = date.today()
    record_id = register.allocate_id(kind.prefix, today.year)
    data = build_record(record_id, kind.name, declarant, actor, details, late_reason, today)
    path = register.record_path(declarant.department, kind.name, record_id)
    rel = register.rel(path)
    from coc.policies.validate import load_context

    ctx = context_for(register, load_context(register))
    record = Record(data=dict(data), path=rel)
    findings = check_record(record, ctx)
    late = next((f for f in findings if f.rule == "deadline" and f.failing), None)
    if ask is not None and late is not None:
        late_reason = ask(None, late.message)
        if late_reason:
            data.insert(len(data) - 2, "late_reason", late_reason)
            record = Record(data=dict(data), path=rel)
            findings = check_record(record, ctx)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CocError(f"{first.message}{more}" + (f" [{first.section}]" if first.section else ""),
                       field=first.field)
    if ask is not None and ask.asked and not ask.confirmed and not confirm(kind, details, rel):
        raise CocError("nothing recorded: you did not confirm the declaration")
    message = f"declare({kind.name}): {record_id} by {declarant.id}"
    if actor.id != declarant.id:   # the subject names who made the commit, as every other does
        message = f"declare({kind.name}): {record_id} for {declarant.id} by {actor.id}"
        message += f"\n\nRecorded by {actor.id} on behalf of {declarant.id}."
    branch_name = f"declare/{record_id}" if branch else None
    commit = register.write_and_commit(path, data, message, actor, branch=branch_name)
    return Declared(record_id, rel, commit, tuple(findings), branch_name, register)


def out_of_order(ctx: Any, kind: Any, details: dict[str, Any], just: str) -> str | None:
    """The policy's own date-order rules (end before start, noticed before paid) on what has
    been answered so far, checked once both dates are known, never after every prompt."""
    from coc.registers.record import Record

    for check in ctx.policy.rules:
        pair = getattr(check, "order_fields", None)
        if not pair or just not in pair or not all(name in details for name in pair) \
                or kind.name not in getattr(check, "kinds", ()):
            continue
        record = Record(data={"kind": kind.name, "details": details}, path="")
        for f in check(record, ctx):
            return f"{f.message} [{f.section}]" if f.section else f.message
    return None


def _label(spec: Any) -> str:
    """`Date the gift was offered or received [YYYY-MM-DD, Enter for today]`: the field's help,
    what form the answer takes, and its default."""
    text = spec.help[:1].upper() + spec.help[1:] if spec.help else spec.name.replace("_", " ")
    hints = []
    if spec.choices:
        hints.append("/".join(spec.choices))
    elif spec.type == "bool":
        hints.append("yes/no")
    elif spec.type == "date":
        hints.append("YYYY-MM-DD" + (", Enter for today" if spec.required else ""))
    if not spec.required:
        hints.append("optional, Enter to skip")
    return f"{text} ({spec.name})" + (f" [{'; '.join(hints)}]" if hints else "")


class Prompter:
    """Asks for one field at a time on the terminal. At the end of input (`< /dev/null`, a
    script that ran out of answers) it stops asking, so the missing fields are named (exit 1)
    instead of an "aborted"."""

    def __init__(self, kind_title: str) -> None:
        self.title = kind_title
        self.asked = False       # a question was put: the person gets a last look
        self.confirmed = False   # --yes: no last look
        self.ended = False

    def _prompt(self, text: str) -> str | None:
        import sys

        if self.ended:
            return None
        if not self.asked:
            click.echo(f"Declaring: {self.title}. Answer each question (Ctrl-C to stop; nothing "
                       "is saved until you confirm).", err=True)
        self.asked = True
        try:
            return str(click.prompt(text, default="", show_default=False, err=True))
        except click.Abort:
            if sys.stdin.isatty():
                raise          # Ctrl-C at a terminal
            self.ended = True  # no more input
            return None

    def __call__(self, spec: Any, problem: str | None = None) -> str | None:
        if problem:
            click.echo(f"  {problem}", err=True)
        if spec is None:
            return self._prompt("Why is it late?")
        while True:
            text = self._prompt(_label(spec))
            if text is None:
                return None
            if not text.strip():
                if spec.type == "date" and spec.required:
                    return date.today().isoformat()
                if spec.required:
                    click.echo(f"  {spec.name} is required: give a value", err=True)
                    continue
                return ""
            try:
                spec.parse(text)
                return text
            except CocError as exc:
                click.echo(f"  {exc}", err=True)


def confirm(kind: Any, details: dict[str, Any], rel: str) -> bool:
    """What is about to be recorded, for a last look; Enter records it."""
    import sys

    from coc.registers.display import plain_value

    click.echo(f"\nAbout to record this {kind.title.lower()} in {rel}:", err=True)
    for spec in kind.fields:
        if spec.name in details:
            click.echo(f"  {spec.name}: {plain_value(details[spec.name])}", err=True)
    try:
        return bool(click.confirm("Record it?", default=True, err=True))
    except click.Abort:
        if sys.stdin.isatty():
            raise
        return False


def _fields_for(kind_name: str) -> tuple[Any, ...]:
    """The kind's fields under the register's policy when one is found, else the shared table."""
    from coc.policies import kinds

    try:
        register = open_register()
        kind = policy_for(register).kinds.get(kind_name)
        if kind is not None:
            return kind.fields
    except CocError:
        pass
    return kinds.kind(kind_name, "").fields


def _offered() -> list[str]:
    """The kinds to offer: the register's policy's own, or every kind outside a register."""
    from coc.policies.kinds import FIELDS

    try:
        return [name for name in FIELDS if name in policy_for(open_register()).kinds]
    except CocError:
        return list(FIELDS)


class DeclareGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return _offered()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from coc.policies.kinds import FIELDS, TITLES

        if name not in FIELDS:
            return None
        return _kind_command(name, TITLES[name], _fields_for(name))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        """An unknown kind suggests the nearest one (`did you mean gift?`)."""
        import difflib

        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            near = difflib.get_close_matches(name.lower(), _offered(), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]}?" if near else \
                f"; the kinds are: {', '.join(_offered())}"
            raise click.UsageError(f"No such command '{name}'{hint}", ctx)
        return super().resolve_command(ctx, args)


def field_options(fields: tuple[Any, ...]) -> list[click.Parameter]:
    """One `--FIELD VALUE` option per field, passed to the callback as `field__<name>`
    (shared with `coc amend`)."""
    return [
        click.Option([spec.flag, "field__" + spec.name], metavar=spec.type.upper(),
                     help=(spec.help or spec.name) + (f" ({'|'.join(spec.choices)})" if spec.choices
                                                      else "") + (" [required]" if spec.required
                                                                  else ""))
        for spec in fields
    ]


def _kind_command(kind_name: str, title: str, fields: tuple[Any, ...]) -> click.Command:
    params = field_options(fields)
    params += [
        click.Option(["--for", "for_person"], metavar="PERSON",
                     help="Record on someone's behalf (HR role only)."),
        click.Option(["--late-reason"], metavar="TEXT", help="Why this is past its deadline."),
        click.Option(["--no-input"], is_flag=True,
                     help="Never prompt: fail naming each missing required field."),
        click.Option(["--branch"], is_flag=True,
                     help="Commit on a new branch declare/<id> for a pull request."),
        click.Option(["--json", "as_json"], is_flag=True, help="Print {id, path} as JSON."),
        click.Option(["--yes", "-y"], is_flag=True,
                     help="Record it without the last look at what was answered."),
    ]

    def run(for_person: str | None, late_reason: str | None, no_input: bool, branch: bool,
            as_json: bool, yes: bool, **fields: str | None) -> None:
        register = open_register()
        policy_for(register).kind(kind_name)   # a kind this code lacks is refused before any prompt
        actor = acting_person(register)
        values = {k.removeprefix("field__"): v for k, v in fields.items() if v is not None}
        interactive = not no_input and not as_json
        ask = Prompter(title) if interactive else None
        if ask is not None and yes:
            ask.confirmed = True
        result = declare(register, kind_name, values, actor=actor, for_person=for_person,
                         late_reason=late_reason, branch=branch, ask=ask)
        _report(register, result, as_json)

    return click.Command(kind_name, params=params, callback=run,
                         help=f"Declare: {title}.", short_help=title)


def _report(register: Register, result: Declared, as_json: bool) -> None:
    register = result.register or register
    if as_json:
        echo_json({"id": result.id, "path": result.path})
        return
    for f in result.findings:
        if f.severity != "info":
            click.echo(f"{f.severity}: {f.message}" + (f" [{f.section}]" if f.section else ""),
                       err=True)
    click.echo(f"Declared {result.id} ({result.path})")
    try:
        record = register.read(register.root / result.path)
        from coc.policies.engine import who_must_act
        from coc.policies.validate import load_context

        # the declared relationships too: the decider named is the one approve accepts
        deciders = who_must_act(record, context_for(register, load_context(register)))
        click.echo(f"Awaiting: {deciders.describe()} to {deciders.action} it "
                   f"(`coc approve {result.id}`)" if deciders else
                   "Recorded: nobody has to approve or acknowledge it.")
    except CocError:
        pass
    if result.branch:
        click.echo(f"On branch {result.branch}. Push it and open a pull request:\n"
                   f"  git push -u origin {result.branch}")


@click.group(cls=DeclareGroup, invoke_without_command=False)
def declare_group() -> None:
    """Declare something the code of conduct asks you to declare.

    Run `coc declare KIND --help` for a kind's fields. Without flags, coc asks for each field;
    with `--no-input` it fails, naming every missing required field, instead of asking.
    """

