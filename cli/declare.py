"""`coc declare KIND`: ask for (or take flags for) each field, check, write, commit as the declarant.

One subcommand per kind, built from the shared field table (plus the register's policy's own
fields), so `coc declare gift --help` lists exactly the gift fields.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import click

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


def build_record(record_id: str, kind: str, declarant: Person, recorder: Person,
                 details: dict[str, Any], late_reason: str | None, today: date) -> Any:
    """The record as a ruamel mapping, keys in the order people read them."""
    from ruamel.yaml.comments import CommentedMap

    record = CommentedMap()
    record["id"] = record_id
    record["kind"] = kind
    record["declarant"] = declarant.id
    record["recorded_by"] = recorder.id
    record["declared_on"] = today
    record["details"] = CommentedMap(details)
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

    policy = register.policy
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
        if text is None and ask is not None and (spec.required or ask_optional):
            text = ask(spec)
        if text is None or text.strip() == "":
            continue
        try:
            details[spec.name] = spec.parse(text)
        except CocError as exc:
            raise CocError(str(exc).split(": ", 1)[-1], field=spec.flag) from None
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

    ctx = register.context(load_context(register))
    record = Record(data=dict(data), path=rel)
    findings = check_record(record, ctx)
    if ask is not None and any(f.rule == "deadline" and f.failing for f in findings):
        late_reason = ask(None)
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
    message = f"declare({kind.name}): {record_id} by {declarant.id}"
    if actor.id != declarant.id:
        message += f"\n\nRecorded by {actor.id} on behalf of {declarant.id}."
    branch_name = f"declare/{record_id}" if branch else None
    commit = register.write_and_commit(path, data, message, actor, branch=branch_name)
    return Declared(record_id, rel, commit, tuple(findings), branch_name)


def _prompter(kind_title: str) -> Any:
    def ask(spec: Any) -> str | None:
        if spec is None:
            return click.prompt("This declaration is past its deadline. Why is it late?",
                                err=True)
        label = spec.help or spec.name
        if spec.choices:
            label += f" [{'/'.join(spec.choices)}]"
        elif spec.type == "bool":
            label += " [yes/no]"
        elif spec.type == "date":
            label += " [YYYY-MM-DD]"
        if not spec.required:
            label += " (optional, Enter to skip)"
        while True:
            text = click.prompt(f"{spec.name}: {label}", default="" if not spec.required else None,
                                show_default=False, err=True)
            try:
                if text.strip() or spec.required:
                    spec.parse(text)
                return str(text)
            except CocError as exc:
                click.echo(f"  {exc}", err=True)

    click.echo(f"Declaring: {kind_title}. Answer each question (Ctrl-C to stop; nothing is saved "
               "until the end).", err=True)
    return ask


def _fields_for(kind_name: str) -> tuple[Any, ...]:
    """The kind's fields under the register's policy when one is found, else the shared table."""
    from coc.policies import kinds

    try:
        register = open_register()
        kind = register.policy.kinds.get(kind_name)
        if kind is not None:
            return kind.fields
    except CocError:
        pass
    return kinds.kind(kind_name, "").fields


class DeclareGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        from coc.policies.kinds import FIELDS

        return list(FIELDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from coc.policies.kinds import FIELDS, TITLES

        if name not in FIELDS:
            return None
        return _kind_command(name, TITLES[name], _fields_for(name))


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
    ]

    def run(for_person: str | None, late_reason: str | None, no_input: bool, branch: bool,
            as_json: bool, **fields: str | None) -> None:
        register = open_register()
        actor = acting_person(register)
        values = {k.removeprefix("field__"): v for k, v in fields.items() if v is not None}
        interactive = not no_input and not as_json
        ask = _prompter(title) if interactive else None
        result = declare(register, kind_name, values, actor=actor, for_person=for_person,
                         late_reason=late_reason, branch=branch, ask=ask)
        _report(register, result, as_json)

    return click.Command(kind_name, params=params, callback=run,
                         help=f"Declare: {title}.", short_help=title)


def _report(register: Register, result: Declared, as_json: bool) -> None:
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
        deciders = register.policy.who_may_decide(record, register.context())
        click.echo(f"Awaiting: {deciders.describe()} to {deciders.action} it "
                   f"(`coc approve {result.id}`)")
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

