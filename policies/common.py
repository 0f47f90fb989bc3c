"""What both codes share: who may decide (the line manager, roles up the chain, organisation-wide
roles, and the cross-record exclusions of SPEC §4), deadlines on the working-day calendar, and
a few rules whose wording is the same in both codes (dates in order, company numbers).

Each council module reads as its code does; the arithmetic lives here, once.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from coc.registers.config import Practice
from coc.registers.findings import Finding
from coc.registers.people import Person
from coc.registers.record import Record, as_date

from .base import Authority, Context, Deadline, Deciders, Kind, Rule, finding, rule

ORG_WIDE_ROLES = frozenset({"monitoring-officer", "chief-executive", "hr"})
ENDED = ("withdrawn", "ended", "rejected")


# --- the organisation -------------------------------------------------------------------------

def person(record: Record, ctx: Context) -> Person | None:
    return ctx.people.get(record.declarant)


def has_flag(record: Record, ctx: Context, *flags: str) -> bool:
    who = person(record, ctx)
    return who is not None and any(who.has_flag(f) for f in flags)


def related_people(record: Record, ctx: Context) -> dict[str, str]:
    """People who declared a relationship with the declarant, or with whom the declarant did.

    Rejecting, or not yet deciding, the declaration does not end the relationship: only its
    withdrawal does, or its ending once the day it ends has come (issue 8, contract 3). The
    other person is matched by id in any case or by email, as people write them."""
    return dict(_relationships(ctx).get(record.declarant, {}))


def _relationships(ctx: Context) -> dict[str, dict[str, str]]:
    """person -> {related person: why}, from the context's relationship records: worked out
    once per context, day and set of records, not once per record decided (`coc inbox` asks
    for thousands)."""
    today = ctx.day   # the day decisions are judged on (a past decision: its own day)
    # the very record objects it was made from (held, so that none is freed and its id
    # reused): audit replaces a record in ctx.records as it walks the history
    key = (ctx.people, today, tuple(ctx.records.values()))
    cached = ctx.__dict__.get("_related")
    if cached is not None and cached[0][0] is key[0] and cached[0][1] == today \
            and cached[0][2] == key[2]:   # tuples compare by identity first
        return cached[1]  # type: ignore[no-any-return]
    index: dict[str, dict[str, str]] = {}
    for other in ctx.records.values():
        if other.kind != "relationship" or other.data.get("withdrawn") or \
                other.ended_by(today):
            continue
        named = ctx.people.named(other.details.get("other_person"))
        if named is None:
            continue
        why = f"has a declared relationship with the declarant ({other.id})"
        index.setdefault(other.declarant, {})[named.id] = why
        if named.id != other.declarant and other.declarant in ctx.people:
            index.setdefault(named.id, {})[other.declarant] = why
    ctx.__dict__["_related"] = (key, index)
    return index


# --- who may decide ---------------------------------------------------------------------------

def line_manager(record: Record, ctx: Context) -> list[Authority]:
    who = person(record, ctx)
    manager = ctx.people.get(who.manager) if who and who.manager else None
    return [Authority(manager, "line manager")] if manager else []


def up_the_chain(record: Record, ctx: Context, roles: Iterable[str], capacity: str = "") -> list[Authority]:
    """People above the declarant in line management holding one of `roles`, nearest first."""
    roles = tuple(roles)
    out = []
    for above in ctx.people.chain(record.declarant):
        held = [r for r in roles if above.has_role(r)]
        if held:
            out.append(Authority(above, capacity or _title(held[0])))
    return out


def holders(ctx: Context, role: str) -> list[Authority]:
    """Everyone holding an organisation-wide role (the Monitoring Officer, the Chief Executive)."""
    return [Authority(p, _title(role)) for p in ctx.people.with_role(role)]


def _title(role: str) -> str:
    return role.replace("-", " ").title() if role in ORG_WIDE_ROLES else role.replace("-", " ")


def deciders(record: Record, ctx: Context, candidates: list[Authority], *, action: str = "approve",
             section: str = "") -> Deciders:
    """The candidates who may decide, nearest first, after the cross-record rules of SPEC §4.

    Nobody decides their own declaration, nor one they recorded for someone else, nor one of
    a person with whom they have a declared relationship (MK §11; Luton §13), nor anyone whose
    people.yaml `left` date is on or before the day (`ctx.day`). When that leaves
    no one, the decision goes to the next person up from the first one passed over, and when
    there is no one up, to the Monitoring Officer. When the declarant has no one above them,
    the Monitoring Officer decides.
    """
    related = related_people(record, ctx)
    today = ctx.day

    def why_not(who: Person) -> str | None:
        if who.id == record.declarant:
            return "is the declarant"
        if who.id == record.recorded_by and record.recorded_by != record.declarant:
            return "recorded it on the declarant's behalf"
        if who.has_left(today):
            return f"left on {who.left}"
        return related.get(who.id)

    if not candidates:
        candidates = [a for a in holders(ctx, "monitoring-officer") if a.person.id != record.declarant
                      and not a.person.has_left(today)]
        candidates = [Authority(a.person, "Monitoring Officer (no one above the declarant)")
                      for a in candidates]
    eligible: list[Authority] = []
    excluded: list[tuple[str, str]] = []
    seen: set[str] = set()
    for authority in candidates:
        if authority.person.id in seen:
            continue
        seen.add(authority.person.id)
        reason = why_not(authority.person)
        if reason:
            excluded.append((authority.person.id, reason))
        else:
            eligible.append(authority)
    passed_over = [a for a in candidates if a.person.id in dict(excluded)]
    if not eligible and passed_over:
        first = passed_over[0].person
        for above in ctx.people.chain(first.id):
            reason = why_not(above)
            if reason:
                if above.id not in seen:
                    excluded.append((above.id, reason))
                    seen.add(above.id)
                continue
            eligible.append(Authority(above, f"next manager up, in place of the "
                                             f"{passed_over[0].capacity} {first.name}"))
            break
    if not eligible and passed_over:
        # no one above (the Chief Executive's own consultancy, MK §7): the Monitoring Officer
        for officer in holders(ctx, "monitoring-officer"):
            if officer.person.id not in seen and not why_not(officer.person):
                eligible.append(Authority(officer.person, "Monitoring Officer (no one above "
                                          f"the {passed_over[0].capacity} {first.name})"))
    return Deciders(tuple(eligible), action, section, tuple(excluded))


# --- deadlines --------------------------------------------------------------------------------

def _skipping(ctx: Context, start: date, due: date) -> str:
    days = ctx.calendar.holidays_between(start, due)
    if not days:
        return ""
    return " (skipping " + ", ".join(f"{name} {day.isoformat()}" for day, name in days) + ")"


def next_working_day(ctx: Context, event: date, what: str, section: str) -> Deadline:
    """Luton's "(on the next working day)": the first working day after the event."""
    due = ctx.calendar.next_working_day(event)
    return Deadline(due, f"next working day after {what} on {event}{_skipping(ctx, event, due)}",
                    section)


def same_day(ctx: Context, event: date, what: str, section: str) -> Deadline:
    """"Straight away": the day itself, or the first working day after it when it is not one."""
    due = ctx.calendar.add_working_days(event, 0)
    basis = f"straight away: the day of {what} ({event})"
    if due != event:
        basis += f", which is not a working day, so the next working day{_skipping(ctx, event, due)}"
    return Deadline(due, basis, section)


def within_working_days(ctx: Context, event: date, parameter: str, what: str,
                        section: str) -> Deadline:
    """A time the code does not give, read from a named parameter (SPEC §4)."""
    days = int(ctx.param(parameter))
    due = ctx.calendar.add_working_days(event, days)
    return Deadline(due, f"{days} working day(s) after {what} on {event}{_skipping(ctx, event, due)}"
                         f"; {param_note(ctx, parameter)}", section)


def record_within(ctx: Context, event: date, what: str, section: str) -> Deadline:
    """The code gives no time to record something: `record_within_working_days` after it."""
    return within_working_days(ctx, event, "record_within_working_days", what, section)


def record_within_after(kinds: Mapping[str, Kind], field: str, what: str, section: str
                        ) -> Callable[[Record, Context], Deadline | None]:
    """A kind's deadline: `record_within` after the date in `field` (none when it is absent)."""
    def deadline(record: Record, ctx: Context) -> Deadline | None:
        spec = kinds.get(record.kind)
        when = spec.value(record, field) if spec else None
        return record_within(ctx, when, what, section) if when else None
    return deadline


def before(start: date, what: str, section: str) -> Deadline:
    """"Before" / "first": declared on or before the day it starts (declaring on the start date,
    before starting, is on time; whether the work began before approval is a rule of its own)."""
    return Deadline(start, f"before {what} on {start}: declared on or before that day", section)


def param_note(ctx: Context, name: str) -> str:
    """Where a number came from: the policy's default (and why), or the register's coc.yaml."""
    policy = ctx.policy
    spec = policy.parameters.get(name) if policy else None
    value = ctx.param(name)
    if spec is None:
        return f"parameters.{name} = {value}"
    default = spec.coerce(spec.default, "policy default")
    shown = _shown(value, spec.type)
    if spec.fixed_by_code:   # the code's own number, which coc.yaml may only tighten
        if value == default:
            return f"parameters.{name} = {shown}, the code's own figure ({spec.section}: " \
                   f"{spec.fixed_by_code})"
        return f"parameters.{name} = {shown}, set in coc.yaml: tighter than the code's " \
               f"{_shown(default, spec.type)}, {spec.section}"
    if value == default:
        return f"parameters.{name} = {shown}, the policy's default: {spec.help}"
    return f"parameters.{name} = {shown}, set in coc.yaml"


def _shown(value: Any, type_: str) -> str:
    if type_ == "grade":
        return f"Grade {value}"
    if type_ == "money":
        amount = Decimal(value)
        return f"£{amount:,.2f}".replace(".00", "")
    return str(value)


def money(value: Decimal) -> str:
    return _shown(value, "money")


# --- findings ---------------------------------------------------------------------------------

def breach(record: Record, message: str, field: str | None = None) -> Finding:
    """A breach of the code. Recorded, never refused (SPEC §5), and open until it is handled:
    an amendment that removes its cause (the rule then stops firing), a rejection, or a
    withdrawal (issue 8, contract 2). An approval or acknowledgement handles nothing."""
    withdrawn = record.data.get("withdrawn")
    if isinstance(withdrawn, dict):
        return finding(f"{message} (handled: withdrawn by {withdrawn.get('by')} on "
                       f"{_day(withdrawn.get('at') or withdrawn.get('on'))})", "info", field)
    verdict = record.verdict()
    if verdict is not None and verdict.get("decision") == "rejected":
        return finding(f"{message} (handled: rejected by {verdict.get('by')} on "
                       f"{_day(verdict.get('at'))})", "info", field)
    return finding(message, "breach", field)


def _day(value: Any) -> str:
    when = as_date(value) if value is not None else None
    return when.isoformat() if when else str(value)


def date_order(name: str, section: str, kinds: tuple[str, ...], first: str, then: str) -> Rule:
    """A rule: the `then` date may not come before the `first` date."""

    @rule(name, section, kinds)
    def check(record: Record, ctx: Context) -> Iterable[Finding]:
        kind = _kind(record, ctx)
        start, end = kind.value(record, first), kind.value(record, then)
        if isinstance(start, date) and isinstance(end, date) and end < start:
            yield finding(f"{then} {end} is before {first} {start}", "error", f"details.{then}")

    check.__doc__ = f"{then} comes on or after {first}."
    check.order_fields = (first, then)  # type: ignore[attr-defined]  # `coc declare` asks again
    return check


COMPANY_NUMBER = re.compile(r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6}|R[0-9]{7})$")


def company_number(section: str) -> Rule:
    """A rule: a Companies House number is eight characters, kept as text (01234567, SC123456)."""

    @rule("company-number", section, ("directorship",))
    def check(record: Record, ctx: Context) -> Iterable[Finding]:
        number = record.details.get("company_number")
        if isinstance(number, str) and not COMPANY_NUMBER.match(number.strip().upper()):
            yield finding(f"{number!r} does not look like a Companies House number (eight "
                          "characters, like 01234567, SC123456 or OC301234)", "warning",
                          "details.company_number")

    return check


def other_person_known(section: str) -> Rule:
    """A rule: a relationship names the other person by their people.yaml id when they have one,
    so that coc can keep them from deciding the declarant's records."""

    @rule("relationship-person", section, ("relationship",))
    def check(record: Record, ctx: Context) -> Iterable[Finding]:
        other = record.details.get("other_person")
        if isinstance(other, str) and other and ctx.people.named(other) is None and \
                record.details.get("context") in ("line-management", "decision"):
            yield finding(f"{other!r} is not a people.yaml id: if they work for the council, use "
                          "their id so that they are kept from deciding your declarations",
                          "info", "details.other_person")

    return check


PRACTICE_ATTESTATION = Practice.cite("yearly_attestation")


def return_years(day: date) -> range:
    """The years a yearly return (attestation) made on `day` can be for, and a campaign opened
    on `day` can ask for: that year, the one before (a late return) or the one after (made, or
    opened, ahead of January). Never 1850 or 9999, which satisfy no campaign and chase no one."""
    return range(day.year - 1, day.year + 2)


def attestation_year(section: str = PRACTICE_ATTESTATION) -> Rule:
    """A rule: the year attested is one a return declared that day can be for."""

    @rule("attestation-year", section, ("attestation",))
    def check(record: Record, ctx: Context) -> Iterable[Finding]:
        year = record.details.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            return   # the field's own check says what it must be
        day = record.declared_on or ctx.day
        years = return_years(day)
        if year not in years:
            yield finding(f"{year} is not a year a return declared on {day} can be for: it "
                          f"must be {years[0]} to {years[-1]}", "error", "details.year")

    return check


def read_code(section: str = PRACTICE_ATTESTATION) -> Rule:
    """A rule: the yearly acknowledgement says the code has been read. Neither code asks for
    one: it is the organisation's practice, and says so when coc.yaml does not switch it on."""

    @rule("attestation-read", section, ("attestation",))
    def check(record: Record, ctx: Context) -> Iterable[Finding]:
        if ctx.practice.attestation_due_by is None:
            yield finding("coc.yaml does not switch on practice.yearly_attestation (the code "
                          "asks for none): recorded, and nobody is chased for one", "info")
        if record.details.get("read_code") is False:
            yield finding("the code has not been read: read it, and ask your line manager to "
                          "explain anything unclear", "warning", "details.read_code")

    return check


def _kind(record: Record, ctx: Context) -> Kind:
    assert ctx.policy is not None
    return ctx.policy.kinds[record.kind]


def not_after_declaring(name: str, section: str, kinds: tuple[str, ...], field: str) -> Rule:
    """A rule: something that has happened (a gift received, an arrest) is not dated after the
    day it was declared."""

    @rule(name, section, kinds)
    def check(record: Record, ctx: Context) -> Iterable[Finding]:
        when, declared = _kind(record, ctx).value(record, field), record.declared_on
        if isinstance(when, date) and declared and when > declared:
            yield finding(f"{when} is after the day it was declared ({declared})", "error",
                          f"details.{field}")

    check.__doc__ = f"{field} is not after declared_on."
    return check
