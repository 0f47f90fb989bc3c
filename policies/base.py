"""The declared interface of a policy: kinds, fields, parameters, rules, deadlines, deciders.

A policy is a module exposing `POLICY = Policy(...)`. Adding a council is adding one module
(and its tests); nothing in the CLI changes. Rules are plain functions
`rule(record, ctx) -> Iterable[Finding]`, each tied to a section of the code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from coc.registers.config import DEFAULT_GRADES, PRACTICE_KEYS, Practice
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.people import People, Person
from coc.registers.record import FIRST_YEAR, ID_RE, LAST_YEAR, Record, as_date
from coc.registers.text import control_character

if TYPE_CHECKING:
    from pathlib import Path

    from .calendar import WorkingCalendar

FIELD_TYPES = ("text", "longtext", "bool", "date", "money", "hours", "int", "choice", "record-id")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
MONEY_RE = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")   # ASCII digits: \d matches "１２"
MAX_TEXT = 4000
HOURS_IN_A_WEEK = 168


@dataclass(frozen=True)
class Field:
    """One field of a kind's `details:`. `parse` takes CLI/prompt text; `check` takes YAML values."""

    name: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    default: Any = None
    positive: bool = False   # a number where zero makes no sense (an overpayment of £0)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def parse(self, text: str) -> Any:
        """Turn what a person typed into the value stored in YAML; `CocError` naming the field."""
        text = text.strip()
        kind = self.type
        if kind == "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise CocError(f"{text!r} is not yes/no (true/false)", field=self.name)
        if kind == "date":
            try:
                parsed = date.fromisoformat(text)
            except ValueError:
                raise CocError(f"{text!r} is not a date (YYYY-MM-DD)", field=self.name) from None
            if as_date(parsed) is None:
                raise CocError(f"{text!r}: the year must be between {FIRST_YEAR} and "
                               f"{LAST_YEAR}", field=self.name)
            return parsed
        if kind == "money":
            cleaned = text.replace("£", "").replace(",", "")
            if cleaned.lstrip().startswith("-"):
                raise CocError(f"{text!r}: an amount must not be negative", field=self.name)
            if not MONEY_RE.match(cleaned):
                raise CocError(f"{text!r} is not an amount in pounds like 24.99", field=self.name)
            if self.positive and not Decimal(cleaned):
                raise CocError(f"{text!r}: {self.help or 'the amount'} must be more than £0",
                               field=self.name)
            return str(Decimal(cleaned).quantize(Decimal("0.01")))
        if kind in ("hours", "int"):
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise CocError(f"{text!r} is not a number", field=self.name) from None
            if not number.is_finite():
                raise CocError(f"{text!r} is not a number", field=self.name)
            if kind == "hours" and not 0 <= number <= HOURS_IN_A_WEEK:
                raise CocError(f"{text!r} is not a number of hours in a week (0 to "
                               f"{HOURS_IN_A_WEEK})", field=self.name)
            if number < 0:
                raise CocError(f"{text!r} must not be negative", field=self.name)
            if number > 10000 or (kind == "int" and number != number.to_integral()):
                raise CocError(f"{text!r} is out of range", field=self.name)
            if self.positive and not number:
                raise CocError(f"{text!r}: {self.help or 'it'} must be more than 0",
                               field=self.name)
            return int(number) if number == number.to_integral() else float(number)
        if kind == "choice":
            folded = {choice.casefold(): choice for choice in self.choices}
            if text.casefold() in folded:
                return folded[text.casefold()]
            import difflib

            near = difflib.get_close_matches(text.casefold(), list(folded), n=1, cutoff=0.6)
            hint = f" (did you mean {folded[near[0]]}?)" if near else ""
            raise CocError(f"{text!r} is not one of: {', '.join(self.choices)}{hint}",
                           field=self.name)
        if kind == "record-id":
            if not ID_RE.match(text):
                raise CocError(f"{text!r} is not a record id like CRM-2026-K3FZQ2", field=self.name)
            return text
        if not text:
            raise CocError("must not be empty", field=self.name)
        problem = control_character(text)
        if problem:
            raise CocError(problem, field=self.name)
        if kind == "text" and ("\n" in text or len(text) > 300):
            raise CocError("must be one line of at most 300 characters", field=self.name)
        if len(text) > MAX_TEXT:
            raise CocError(f"must be at most {MAX_TEXT} characters", field=self.name)
        return text

    def check(self, value: Any) -> str | None:
        """Why a stored value is wrong for this field, or None when it is fine."""
        kind = self.type
        if kind == "bool":
            return None if isinstance(value, bool) else "must be true or false"
        if kind == "date":
            return None if as_date(value) and not isinstance(value, str) else \
                "must be a date (YYYY-MM-DD)"
        if kind == "money":
            if isinstance(value, float):
                return "money must be quoted text like \"24.99\", never a float"
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                return "must be an amount in pounds like \"24.99\""
            if not MONEY_RE.match(str(value)):
                return "must be an amount in pounds like \"24.99\""
            return "must be more than 0" if self.positive and not Decimal(str(value)) else None
        if kind in ("hours", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "must be a number"
            if kind == "int" and not isinstance(value, int):
                return "must be a whole number"
            if self.positive and value == 0:
                return "must be more than 0"
            if kind == "hours":
                return None if 0 <= value <= HOURS_IN_A_WEEK else \
                    f"must be a number of hours in a week (0 to {HOURS_IN_A_WEEK})"
            return None if 0 <= value <= 10000 else "is out of range"
        if kind == "choice":
            return None if value in self.choices else f"must be one of: {', '.join(self.choices)}"
        if kind == "record-id":
            return None if isinstance(value, str) and ID_RE.match(value) else \
                "must be a record id like CRM-2026-K3FZQ2"
        if not isinstance(value, str) or not value.strip():
            return "must be text"
        if kind == "text" and ("\n" in value.strip() or len(value) > 300):
            return "must be one line of at most 300 characters"
        if len(value) > MAX_TEXT:
            return f"must be at most {MAX_TEXT} characters"
        return control_character(value)

    def as_python(self, value: Any) -> Any:
        """The value for rules: Decimal for money, date for dates."""
        if self.type == "money" and value is not None and self.check(value) is None:
            return Decimal(str(value))
        if self.type == "date":
            return as_date(value)
        return value


@dataclass(frozen=True)
class Kind:
    name: str
    prefix: str
    title: str
    fields: tuple[Field, ...]
    section: str = ""
    help: str = ""
    notification: bool = False   # acknowledged ("noted"), not approved
    sensitive: bool = False      # UK GDPR art. 9/10: never in a public export
    has_end: bool = False        # an interest or outside work that can end

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def value(self, record: Record, name: str) -> Any:
        """A detail as a Python value (Decimal, date), None when absent or malformed."""
        spec = self.field(name)
        value = record.details.get(name)
        return spec.as_python(value) if spec else value


@dataclass(frozen=True)
class Parameter:
    """A number the code does not give, with the default we chose and why (SPEC §4); or, with
    `fixed_by_code`, a number the code does give, which a register may tighten but never relax."""

    name: str
    default: Any
    help: str
    section: str = ""
    type: str = "text"   # money | int | text | grade (a name on coc.yaml's `grades:` scale)
    # An int parameter counts working days or weekly hours: a year's worth is the most any
    # code could mean, and 99999999999 working days takes minutes to count (issue 9 item 9).
    maximum: int = 366
    # The code's own words for the default ("a small personal gift (under £25)"): the default
    # is a ceiling, and coc.yaml may only lower it (a lower amount; a lower grade, which
    # brings more people under the rule). Raising it would relax the code (issue 8, contract 4).
    fixed_by_code: str = ""

    def relaxes(self, value: Any, grades: tuple[str, ...]) -> bool:
        """Whether `value` (already coerced) is above the code's own figure."""
        if not self.fixed_by_code:
            return False
        default = self.coerce(self.default, "policy default")
        if self.type == "grade":
            # "Grade H (or equivalent)": on a scale without the code's grade the register
            # names its equivalent, and there is nothing to compare it with
            return default in grades and grades.index(value) > grades.index(default)
        return bool(value > default)

    def shown(self, value: Any) -> str:
        return {"money": f"£{value}", "grade": f"Grade {value}"}.get(self.type, str(value))

    def coerce(self, value: Any, path: str = "coc.yaml",
               grades: tuple[str, ...] | None = None) -> Any:
        """The value as rules use it; `grades` (coc.yaml's scale) checks a grade that was set."""
        where = f"parameters.{self.name}"
        if self.type == "grade":
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise CocError("must be a grade name", path=path, field=where)
            if grades is not None and str(value) not in grades:
                raise CocError(f"{value!r} is not on coc.yaml's grades scale "
                               f"({', '.join(grades)})", path=path, field=where)
            return str(value)
        if self.type == "money":
            if isinstance(value, float) or isinstance(value, bool) or not MONEY_RE.match(str(value)):
                raise CocError("must be an amount in pounds as quoted text, like \"25\"", path=path,
                               field=where)
            return Decimal(str(value))
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CocError("must be a whole number of 0 or more", path=path, field=where)
            if value > self.maximum:
                raise CocError(f"must be at most {self.maximum}", path=path, field=where)
            return value
        if self.type == "bool":
            if not isinstance(value, bool):
                raise CocError("must be true or false", path=path, field=where)
            return value
        return value


@dataclass(frozen=True)
class Deadline:
    due: date
    basis: str        # "next working day after the event (2026-03-06)"
    section: str


@dataclass(frozen=True)
class Authority:
    """Someone who may decide a record, and in what capacity ("line manager")."""

    person: Person
    capacity: str


@dataclass(frozen=True)
class Deciders:
    """`who_may_decide`: the eligible people (nearest first), and who was passed over and why."""

    eligible: tuple[Authority, ...]
    action: str                   # "approve" | "acknowledge"
    section: str = ""
    excluded: tuple[tuple[str, str], ...] = ()   # (person id, reason)

    def allows(self, person_id: str) -> Authority | None:
        return next((a for a in self.eligible if a.person.id == person_id), None)

    def describe(self) -> str:
        if not self.eligible:
            return "no one in people.yaml may decide this: " + (
                "; ".join(f"{p} {why}" for p, why in self.excluded) or "no eligible role")
        named = [f"{a.person.name} ({a.capacity})" for a in self.eligible[:4]]
        more = len(self.eligible) - len(named)
        if more:
            named.append(f"{more} more")
        return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


DUTY_TYPES = ("permission", "notification", "record", "forbidden", "not-a-declaration")
# what the code's verb asks of the decider: "written permission" is approved or rejected,
# "tell" / "inform" / "disclose" is acknowledged, "declared and recorded" needs no one
ACTIONS = {"permission": "approve", "notification": "acknowledge"}


@dataclass(frozen=True)
class Duty:
    """One duty of the code, next to its own words (issue 8, contract 1).

    A policy lists its duties for `coc policy show`, and routes each record to one of them,
    so the verdict the register gives is the row a Monitoring Officer signed off.
    """

    section: str
    words: str                    # a short verbatim quote from the code
    type: str                     # one of DUTY_TYPES
    kind: str = ""                # the record kind, "" when nothing is declared
    route: str = ""               # which case of the kind ("consultancy"), "" for all of it
    deadline: str = ""            # the deadline rule, in words
    decider: str = ""             # who approves or is told, and who stands in when there is none
    parameters: tuple[str, ...] = ()

    @property
    def action(self) -> str | None:
        """What the decider does: approve, acknowledge, or None when nobody has to act."""
        return ACTIONS.get(self.type)


@dataclass
class Context:
    """What rules may look at besides the record: the organisation, parameters, other records."""

    people: People
    parameters: Mapping[str, Any]
    calendar_name: str = "england-and-wales"
    cache_dir: "Path | None" = None   # the register's .git/coc/, for the bank-holiday cache
    records: Mapping[str, Record] = field(default_factory=dict)   # id -> record, for cross-record rules
    policy: "Policy | None" = None
    register_role: str = "single"   # coc.yaml: main | restricted | single (Config.role)
    practice: Practice = field(default_factory=Practice)   # coc.yaml's own practice (contract 5)
    today: date | None = None     # the day decisions are judged on (None: today); a past
    # decision is judged on its own day, so that someone who left since still decided it
    _calendar: "WorkingCalendar | None" = None

    @property
    def calendar(self) -> "WorkingCalendar":
        if self._calendar is None:
            from .calendar import WorkingCalendar

            self._calendar = WorkingCalendar(self.calendar_name, self.cache_dir)
        return self._calendar

    def param(self, name: str) -> Any:
        return self.parameters[name]

    @property
    def day(self) -> date:
        return self.today or date.today()


Rule = Callable[[Record, Context], Iterable[Finding]]


def rule(name: str, section: str, kinds: tuple[str, ...] = ()
         ) -> Callable[[Callable[..., Iterable[Finding]]], Rule]:
    """Tie a rule function to its name and section; findings it yields get both filled in.

    With `kinds`, the rule runs only on records of those kinds.
    """

    def wrap(fn: Callable[..., Iterable[Finding]]) -> Rule:
        def run(record: Record, ctx: Context) -> Iterable[Finding]:
            if kinds and record.kind not in kinds:
                return
            for finding in fn(record, ctx) or ():
                yield finding.at(rule=finding.rule or name, section=finding.section or section)

        run.rule_name = name  # type: ignore[attr-defined]
        run.section = section  # type: ignore[attr-defined]
        run.kinds = kinds  # type: ignore[attr-defined]
        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        return run

    return wrap


def finding(message: str, severity: str = "error", field: str | None = None) -> Finding:
    """A finding for use inside a `@rule`; the decorator fills in rule name and section."""
    return Finding(rule="", message=message, severity=severity, field=field)


@dataclass(frozen=True)
class Policy:
    name: str
    title: str                       # "Milton Keynes City Council Officer Code of Conduct (Feb 2025)"
    short: str                       # section prefix: "MK", "Luton"
    kinds: Mapping[str, Kind]
    parameters: Mapping[str, Parameter]
    rules: tuple[Rule, ...]
    deadline: Callable[[Record, Context], Deadline | None]
    who_may_decide: Callable[[Record, Context], Deciders]
    version: str = "1"
    not_offered: Mapping[str, str] = field(default_factory=dict)   # kind -> why this code lacks it
    # what a record sets in motion outside the register (Luton §18.1: payroll stops a lump sum)
    side_effects: Callable[[Record, Context], Iterable[str]] = lambda record, ctx: ()
    # kinds whose records other records are checked against (declared relationships, earlier notices)
    context_kinds: tuple[str, ...] = ("relationship", "criminal-matter")
    # `coc check`'s questions and answers (a policies.guide.Guide), loaded only by that command
    guide: Callable[[], Any] | None = None
    # every duty of the code (`coc policy show`), and the one a record falls under
    duties: tuple[Duty, ...] = ()
    duty_of: Callable[[Record, Context], Duty | None] | None = None

    def kind(self, name: str) -> Kind:
        if name in self.kinds:
            return self.kinds[name]
        if name in self.not_offered:
            raise CocError(f"the {self.name} policy has no {name!r} declarations: "
                           f"{self.not_offered[name]}")
        raise CocError(f"unknown kind {name!r} for the {self.name} policy "
                       f"(kinds: {', '.join(self.kinds)})")

    def kind_for_prefix(self, prefix: str) -> Kind | None:
        return next((k for k in self.kinds.values() if k.prefix == prefix), None)

    def resolve_parameters(self, given: Mapping[str, Any], path: str = "coc.yaml",
                           grades: tuple[str, ...] = DEFAULT_GRADES) -> dict[str, Any]:
        """Defaults overlaid with coc.yaml's values; an undeclared name is an error (SPEC §2b),
        and so is a value that relaxes a number the code itself gives (issue 8, contract 4)."""
        unknown = sorted(str(n) for n in given if n not in self.parameters)
        if unknown and unknown[0] in PRACTICE_KEYS:
            raise CocError(f"{unknown[0]} is the organisation's practice, not the {self.name} "
                           f"code's: set it under practice:, not parameters:", path=path,
                           field=f"parameters.{unknown[0]}")
        if unknown:
            raise CocError(f"the {self.name} policy has no parameter {unknown[0]!r} "
                           f"(it has: {', '.join(self.parameters) or 'none'})", path=path,
                           field=f"parameters.{unknown[0]}")
        resolved = {name: p.coerce(p.default, "policy default") for name, p in self.parameters.items()}
        for name, value in given.items():
            spec = self.parameters[name]
            resolved[name] = spec.coerce(value, path, grades)
            if spec.relaxes(resolved[name], grades):
                raise CocError(f"{spec.shown(value)} would relax the code: {spec.section} fixes "
                               f"{spec.shown(spec.default)} ({spec.fixed_by_code}); {path} may "
                               "lower it, never raise it", path=path, field=f"parameters.{name}")
        return resolved
