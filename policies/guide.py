"""`coc check`: a policy's guided questions, "do I need to declare this, and by when?".

A guide is data: questions whose options lead to further questions or to an answer, each
answer citing the code. The deadline, who decides and any breach come from the policy itself
(its `deadline`, `who_may_decide` and rules run on a draft of the declaration), so `coc check`
and `coc declare` cannot disagree. Nothing here prints or prompts: the CLI passes `ask`.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping, Union

from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.people import People, Person
from coc.registers.record import Record

from .base import Context, Deadline, Deciders, Field, Policy
from .engine import who_must_act

VERDICTS = {
    "declare": "Yes: declare it",
    "not-needed": "No declaration is needed",
    "not-allowed": "The code does not allow this",
    "not-a-declaration": "This is never a declaration: do this instead",
    "not-in-code": "The code does not cover this",
}
VALUE_TYPES = ("money", "date", "hours", "record-id")

Known = Callable[[Person, People, Mapping[str, Any]], Union[str, None]]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    then: str                      # the next node's id


@dataclass(frozen=True)
class Question:
    key: str                       # `--answer KEY=VALUE`; a field name pre-fills `coc declare`
    text: str                      # may name parameters: "under {gift_limit_gbp}"
    options: tuple[Option, ...] = ()
    type: str = "choice"           # choice | money | date | hours | record-id
    then: str = ""                 # the next node after a value question
    known: Known | None = None     # answered from people.yaml when the person is known


@dataclass(frozen=True)
class Answer:
    verdict: str                   # a key of VERDICTS
    text: str
    section: str
    kind: str | None = None        # the declaration to offer, if any
    details: Mapping[str, str] = field(default_factory=dict)   # pre-filled fields, as typed


Node = Union[Question, Answer]


@dataclass(frozen=True)
class Guide:
    start: str
    nodes: Mapping[str, Node]
    sections: tuple[str, ...]      # every section of the code: each is answered somewhere
    advice: str                    # whom to ask when in doubt


@dataclass(frozen=True)
class Step:
    key: str
    question: str
    answer: str
    source: str                    # given | asked | people.yaml | today


@dataclass(frozen=True)
class Outcome:
    policy: str
    answer: Answer
    verdict: str
    text: str
    steps: tuple[Step, ...]
    prefill: Mapping[str, str]
    deadline: Deadline | None
    late: bool
    deciders: Deciders | None
    findings: tuple[Finding, ...]
    advice: str

    def declare_args(self) -> list[str]:
        return [arg for name, value in self.prefill.items()
                for arg in ("--" + name.replace("_", "-"), value)]

    def declare_command(self) -> str | None:
        if not self.answer.kind:
            return None
        return " ".join(["coc", "declare", self.answer.kind,
                         *map(shlex.quote, self.declare_args())])

    def to_json(self) -> dict[str, Any]:
        deciders = self.deciders
        return {
            "policy": self.policy, "verdict": self.verdict, "summary": VERDICTS[self.verdict],
            "message": self.text, "section": self.answer.section, "kind": self.answer.kind,
            "answers": {s.key: s.answer for s in self.steps},
            "steps": [vars(s) for s in self.steps],
            "deadline": self.deadline.due.isoformat() if self.deadline else None,
            "deadline_basis": self.deadline.basis if self.deadline else None,
            "deadline_section": self.deadline.section if self.deadline else None,
            "late": self.late,
            "decided_by": None if deciders is None else {
                "who": deciders.describe(), "action": deciders.action, "section": deciders.section,
                "people": [{"id": a.person.id, "name": a.person.name, "as": a.capacity}
                           for a in deciders.eligible]},
            "findings": [{"rule": f.rule, "section": f.section, "severity": f.severity,
                          "message": f.message} for f in self.findings],
            "declare": None if not self.answer.kind else {
                "kind": self.answer.kind, "args": self.declare_args(),
                "command": self.declare_command()},
            "advice": self.advice,
        }


def shown_parameters(policy: Policy, parameters: Mapping[str, Any]) -> dict[str, str]:
    """Parameter values as a question's text shows them ("£25", "H")."""
    out = {}
    for name, value in parameters.items():
        spec = policy.parameters.get(name)
        money = spec is not None and spec.type == "money"
        out[name] = f"£{value:,.2f}".replace(".00", "") if money else str(value)
    return out


def parse_answer(question: Question, text: str) -> str:
    """The canonical answer text, or a `CocError` naming the question and what it accepts."""
    text = text.strip()
    if question.type == "choice":
        values = [o.value for o in question.options]
        if text.isascii() and text.isdigit():
            if 1 <= int(text) <= len(values):
                return values[int(text) - 1]
            raise CocError(f"there is no option {text}: choose 1–{len(values)}",
                           field=question.key)
        folded = {value.casefold(): value for value in values}
        if text.casefold() not in folded:
            raise CocError(f"{text!r} is not one of: {', '.join(values)} (or choose "
                           f"1–{len(values)})", field=question.key)
        return folded[text.casefold()]
    value = Field(question.key, question.type).parse(text)
    return value.isoformat() if isinstance(value, date) else str(value)


def walk(guide: Guide, answers: Mapping[str, str], *, ask: Callable[[Question], str] | None,
         person: Person | None, people: People, parameters: Mapping[str, Any],
         today: date) -> tuple[Answer, list[Step]]:
    """Follow the guide from its start: given answers first, then people.yaml, then `ask`.

    Without `ask`, an unanswered question is a `CocError` saying how to answer it; a date
    nobody gave is today.
    """
    steps: list[Step] = []
    node_id = guide.start
    for _ in range(len(guide.nodes) + 1):
        node = guide.nodes[node_id]
        if isinstance(node, Answer):
            return node, steps
        if node.key in answers:
            value, source = parse_answer(node, answers[node.key]), "given"
        elif person is not None and node.known and node.known(person, people, parameters):
            value, source = str(node.known(person, people, parameters)), "people.yaml"
        elif ask is not None:
            value, source = parse_answer(node, ask(node)), "asked"
        elif node.type == "date":
            value, source = today.isoformat(), "today"
        else:
            accepts = ", ".join(o.value for o in node.options) or f"a {node.type}"
            raise CocError(f"unanswered: {node.text} ({accepts}); pass --answer {node.key}=VALUE",
                           field=node.key)
        steps.append(Step(node.key, node.text, value, source))
        node_id = next(o.then for o in node.options if o.value == value) if node.options \
            else node.then
    raise CocError("the guide goes round in a circle")  # pragma: no cover - checked by tests


def evaluate(policy: Policy, ctx: Context, person: Person | None, answer: Answer,
             steps: list[Step], today: date) -> Outcome:
    """The answer, with the deadline, deciders and findings the policy gives a draft record."""
    guide = policy.guide() if policy.guide else None
    shown = shown_parameters(policy, ctx.parameters)
    prefill: dict[str, str] = {}
    deadline, deciders = None, None
    findings: tuple[Finding, ...] = ()
    verdict = answer.verdict
    text = answer.text.format_map(shown)
    if answer.kind:
        kind = policy.kinds[answer.kind]
        given = {**{s.key: s.answer for s in steps}, **answer.details}
        details = {}
        for spec in kind.fields:
            if spec.name in given:
                try:
                    details[spec.name] = spec.parse(given[spec.name])
                except CocError:
                    continue     # the guide's own word ("not-sure"), not a value of the field
                prefill[spec.name] = given[spec.name]
        who = person.id if person else ""
        draft = Record({"id": "", "kind": kind.name, "declarant": who, "recorded_by": who,
                        "declared_on": today, "details": details, "decisions": []})
        deadline = policy.deadline(draft, ctx)
        findings = tuple(f for rule_fn in policy.rules for f in rule_fn(draft, ctx)
                         if f.severity in ("breach", "warning"))
        breaches = [x for x in findings if x.severity == "breach"]
        if verdict == "declare" and breaches:
            # one voice: "not allowed", never followed by "this declaration does that"
            verdict = "not-allowed"
            text = ("; ".join(b.message for b in breaches) + ". Declare it all the same, so "
                    "that it is on the record: the breach stays open until it is put right, "
                    "or the declaration is rejected or withdrawn; nobody can approve it.")
        if verdict == "declare" and person is not None:
            deciders = who_must_act(draft, ctx)     # None: recorded, nobody decides
        if verdict != "declare":
            deadline = deadline if verdict == "not-allowed" else None
    return Outcome(policy=policy.name, answer=answer, verdict=verdict,
                   text=text, steps=tuple(steps), prefill=prefill,
                   deadline=deadline, late=bool(deadline and today > deadline.due),
                   deciders=deciders, findings=findings, advice=guide.advice if guide else "")


# --- answered from people.yaml ------------------------------------------------------------------

def flagged(*flags: str) -> Known:
    """"yes" when people.yaml gives the person one of `flags`; otherwise ask."""
    return lambda who, people, params: "yes" if any(who.has_flag(f) for f in flags) else None


def flagged_or_not(*flags: str) -> Known:
    """"yes" or "no" from people.yaml's flags (for flags HR keeps complete, like chief-officer)."""
    return lambda who, people, params: "yes" if any(who.has_flag(f) for f in flags) else "no"


def hours(who: Person, people: People, params: Mapping[str, Any]) -> str | None:
    return who.hours


def grade_at_least(parameter: str) -> Known:
    """"yes"/"no" from the person's grade and the grade a parameter names; ask if unknown."""

    def known(who: Person, people: People, params: Mapping[str, Any]) -> str | None:
        grade = str(params.get(parameter))
        if who.grade not in people.grades or grade not in people.grades:
            return None
        return "yes" if people.grade_at_least(who, grade) else "no"

    return known


# --- checking a guide (its tests, and anyone adding a council) --------------------------------

def cited(section: str) -> set[str]:
    """"MK §1, §4" -> {"MK §1", "MK §4"}; "Luton §14.3" also cites "Luton §14"."""
    parts = [p.strip() for p in section.split(",") if p.strip()]
    if not parts:
        return set()
    prefix = parts[0].split(" ", 1)[0] + " "
    out: set[str] = set()
    for part in parts:
        name = part if part.startswith(prefix) else prefix + part
        out.add(name)
        if "§" in name and "." in name:
            out.add(name.split(".", 1)[0])
    return out


def uncovered(guide: Guide) -> list[str]:
    """Sections of the code that no answer cites."""
    seen = set().union(*(cited(n.section) for n in guide.nodes.values() if isinstance(n, Answer)))
    return [s for s in guide.sections if s not in seen]


def problems(guide: Guide, policy: Policy | None = None) -> list[str]:
    """Everything wrong with a guide's graph: a missing start or target, a node nobody reaches,
    a cycle, a question without a way on, an answer offering a kind the policy lacks."""
    out: list[str] = []
    nodes = guide.nodes
    if guide.start not in nodes:
        return [f"start {guide.start!r} is not a node"]

    def targets(node: Node) -> list[str]:
        if isinstance(node, Answer):
            return []
        return [o.then for o in node.options] if node.options else [node.then]

    for node_id, node in nodes.items():
        if isinstance(node, Question):
            if node.type == "choice" and not node.options:
                out.append(f"{node_id}: a choice question without options")
            if node.type != "choice" and (node.options or node.type not in VALUE_TYPES):
                out.append(f"{node_id}: a {node.type!r} question must have a type from "
                           f"{VALUE_TYPES} and no options")
            values = [o.value for o in node.options]
            if len(set(values)) != len(values):
                out.append(f"{node_id}: two options share a value")
        else:
            if node.verdict not in VERDICTS:
                out.append(f"{node_id}: unknown verdict {node.verdict!r}")
            if node.kind and policy is not None and node.kind not in policy.kinds:
                out.append(f"{node_id}: offers {node.kind!r}, which the policy lacks")
            if not node.section:
                out.append(f"{node_id}: cites no section")
        for target in targets(node):
            if target not in nodes:
                out.append(f"{node_id}: leads to {target!r}, which is not a node")
    # reachability and cycles, by depth-first search from the start
    state: dict[str, int] = {}       # 1 on the path, 2 done

    def visit(node_id: str, path: list[str]) -> None:
        state[node_id] = 1
        for target in targets(nodes[node_id]):
            if target not in nodes:
                continue
            if state.get(target) == 1:
                out.append("cycle: " + " -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node_id] = 2

    visit(guide.start, [guide.start])
    out += [f"{node_id}: unreachable from {guide.start!r}" for node_id in nodes
            if node_id not in state]
    return out


# --- shorthands for writing a guide -------------------------------------------------------------

def yes_no(key: str, text: str, yes: str, no: str, **kw: Any) -> Question:
    """A yes/no question: "yes" leads to node `yes`, "no" to node `no`."""
    return Question(key, text, (Option("yes", "Yes", yes), Option("no", "No", no)), **kw)


def when(key: str, text: str, then: str) -> Question:
    """A date question (Enter for today)."""
    return Question(key, text + " (YYYY-MM-DD; Enter for today)", type="date", then=then)

