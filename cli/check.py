"""`coc check`: "do I need to declare this, and by when?", from the register's policy's guide.

The questions, answers and sections are the policy's (policies/guide.py); the deadline, who
decides and any breach come from the policy's own rules on a draft record, so check and declare
agree. It ends by offering to start the declaration, through `coc declare`'s own code.
"""
from __future__ import annotations

import sys
from datetime import date
from typing import Any, Callable

import click

from coc.policies.registry import context_for, policy_for
from coc.registers.errors import CocError

from .common import acting_person, echo, echo_json, open_register


def _answers(given: tuple[str, ...], keys: set[str]) -> dict[str, str]:
    """`--answer KEY=VALUE ...` as a dict; a malformed pair or an unknown key is a usage error."""
    out: dict[str, str] = {}
    for pair in given:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--answer")
        if key not in keys:
            raise click.BadParameter(f"no question is called {key!r} (questions: "
                                     f"{', '.join(sorted(keys))})", param_hint="--answer")
        out[key] = value
    return out


def _asker(shown: dict[str, str], today: date) -> Callable[[Any], str]:
    """Ask one question on the terminal: numbered options, or a value (a date defaults to today).

    Input that runs out (a pipe, a script) fails like `--no-input` does, naming `--answer`."""
    from coc.policies.guide import parse_answer

    def ask(question: Any) -> str:
        text = question.text.format_map(shown)
        if question.options:
            echo(text, err=True)
            for number, option in enumerate(question.options, 1):
                echo(f"  {number:>2}. {option.label.format_map(shown)}", err=True)
        while True:
            try:
                reply = click.prompt("Choose a number" if question.options else text,
                                     default=today.isoformat() if question.type == "date" else None,
                                     err=True)
            except click.Abort:
                if sys.stdin is not None and not sys.stdin.isatty():
                    raise CocError(f"unanswered: {text}; pass --answer {question.key}=VALUE",
                                   field=question.key) from None
                raise
            try:
                return parse_answer(question, reply)
            except CocError as exc:
                echo(f"  {exc}", err=True)

    return ask


def _print(outcome: Any, policy: Any) -> None:
    from coc.policies.guide import VERDICTS

    echo(f"{VERDICTS[outcome.verdict]} ({outcome.answer.section}, {policy.title})")
    echo(f"  {outcome.text}")
    if outcome.deadline:
        late = "  LATE: it is past this date; say why when you declare" if outcome.late else ""
        echo(f"Deadline: {outcome.deadline.due} ({outcome.deadline.basis}) "
                   f"[{outcome.deadline.section}]{late}")
    elif outcome.answer.kind and outcome.verdict in ("declare", "not-allowed"):
        echo("Deadline: none the code sets for this case")
    if outcome.deciders is not None:
        echo(f"Decided by: {outcome.deciders.describe()}, to {outcome.deciders.action} it"
                   + (f" [{outcome.deciders.section}]" if outcome.deciders.section else ""))
    for f in outcome.findings:
        echo(f"{f.severity}: {f.message}" + (f" [{f.section}]" if f.section else ""))
    if outcome.advice:
        echo(f"In doubt: {outcome.advice}")


@click.command()
@click.option("--answer", "answer_pairs", multiple=True, metavar="KEY=VALUE",
              help="Answer a question without being asked (repeatable), e.g. --answer topic=gift.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON; never prompt.")
@click.option("--no-input", is_flag=True,
              help="Never prompt: fail naming the first unanswered question.")
@click.option("--policy", "policy_name", metavar="NAME",
              help="Use this policy's guide outside a register (no people.yaml; default "
                   "parameters).")
def check(answer_pairs: tuple[str, ...], as_json: bool, no_input: bool,
          policy_name: str | None) -> None:
    """Do I need to declare this, and by when?

    Asks the policy's questions (numbered options; Enter for today's date), says what the code
    says with its section, the deadline and who decides, and offers to start the declaration.
    With --json or --no-input it never asks: give every answer with --answer KEY=VALUE.
    """
    from coc.policies.base import Context
    from coc.policies.guide import evaluate, shown_parameters, walk
    from coc.policies.registry import get_policy
    from coc.registers.people import People

    register = None
    try:
        register = open_register()
    except CocError:
        if not policy_name:
            raise
    if register is not None and policy_name and register.config.policy != policy_name:
        register = None      # another policy's people and parameters would not fit
    policy = policy_for(register) if register is not None else get_policy(str(policy_name))
    if policy.guide is None:
        raise CocError(f"the {policy.name} policy has no `coc check` guide")
    guide = policy.guide()
    from coc.policies.validate import load_context

    # with the declared relationships: the decider named is the one `coc approve` accepts
    ctx = context_for(register, load_context(register)) if register is not None else Context(
        people=People([]), parameters=policy.resolve_parameters({}), policy=policy)
    person = None
    if register is not None:
        try:
            person = acting_person(register)
        except CocError as exc:
            if not as_json:
                echo(f"note: {exc}; answering without your details", err=True)
    keys = {n.key for n in guide.nodes.values() if hasattr(n, "key")}
    given = _answers(answer_pairs, keys)
    today = date.today()
    interactive = not (as_json or no_input)
    ask = _asker(shown_parameters(policy, ctx.parameters), today) if interactive else None
    answer, steps = walk(guide, given, ask=ask, person=person, people=ctx.people,
                         parameters=ctx.parameters, today=today)
    outcome = evaluate(policy, ctx, person, answer, steps, today)
    if as_json:
        echo_json(outcome.to_json())
        return
    unused = sorted(set(given) - {s.key for s in steps})
    if unused:
        echo(f"note: not asked on this path, so ignored: {', '.join(unused)}", err=True)
    _print(outcome, policy)
    command = outcome.declare_command()
    if command is None:
        return
    if interactive and register is not None and person is not None and _confirm():
        from .declare import Prompter, _report, declare

        kind = policy.kind(str(answer.kind))
        result = declare(register, kind.name, dict(outcome.prefill), actor=person,
                         ask=Prompter(kind.title))
        _report(register, result, False)
        return
    echo("To declare it:" if outcome.verdict == "declare" else "To record it:")
    echo(f"  {command}")


def _confirm() -> bool:
    """"Start this declaration now? [y/N]"; input that runs out is a no."""
    try:
        return click.confirm("Start this declaration now?", default=False, err=True)
    except click.Abort:
        if sys.stdin is not None and not sys.stdin.isatty():
            return False
        raise
