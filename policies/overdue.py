"""`coc overdue`: what is waiting past its time, and who must act (SPEC §1: CI, nightly).

Every finding is an error, so that `coc overdue` exits 1 and the nightly pipeline goes red.
Two of them come from the codes' own deadlines:

- overdue-notification: a notification (criminal matter, driving disqualification,
  overpayment) not yet acknowledged after its deadline (the policy's `deadline`), or, when it
  was declared late, after the next working day after it was declared.
- outside-work-not-approved: outside work that needs approval, not approved, on or after the
  day it was to start (MK §7 "before"; Luton §19.4 "first").

The rest are the organisation's own practice: neither code has a yearly attestation, a nil
return, a 31 March date, a yearly review or a time to decide (issue 8, contract 5). Each is
off until coc.yaml's `practice:` switches it on (the coc.yaml `coc init` writes does), and
each finding cites `coc.yaml practice.X`, never a section of the code:

- overdue-decision (practice.decision_period_working_days): a record waiting for a decision
  (approve, reject, acknowledge) for more than that many working days since it was declared or
  last amended; a notification with no deadline waits the same. Attestations are not chased.
- conditions-not-accepted (the same period): conditions set on an approval and not accepted
  by the declarant within it (Luton §19.7, §20.6 give no time).
- attestation-due (practice.yearly_attestation, `due_by: "MM-DD"`): someone with no
  attestation for the current year after that day; a register started later in a year gets as
  long from its first commit. Only people with a continuing declaration in force are chased,
  unless practice.nil_return asks everyone, nothing to declare or not.
- review-due (practice.yearly_review): a continuing declaration (outside work, an interest, a
  directorship...) in force and neither changed, decided nor covered by an attestation of its
  declarant for a year: the yearly attestation is the review that says it still stands.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from coc.registers.config import Practice
from coc.registers.findings import Finding
from coc.registers.people import Person
from coc.registers.record import Record, as_datetime

from .base import Context, Kind, Policy
from .engine import open_breaches, schema_findings, who_must_act

ATTESTATION = Practice.cite("yearly_attestation")
REVIEW = Practice.cite("yearly_review")
DECISION_PERIOD = Practice.cite("decision_period_working_days")
FINISHED = ("withdrawn", "ended", "rejected")
IN_FORCE = ("approved", "accepted", "noted")


def overdue(records: Iterable[Record], ctx: Context, today: date,
            started: date | None = None) -> list[Finding]:
    """Everything overdue on `today`, sorted by file; malformed records are left to validate.

    `started` is the day the register began (its first commit), for the first attestations.
    """
    policy = ctx.policy
    assert policy is not None
    usable = [r for r in records if r.kind in policy.kinds
              and not any(f.failing for f in schema_findings(r, policy, ctx))]
    found: list[Finding] = []
    for record in usable:
        found += _record_findings(record, policy.kinds[record.kind], policy, ctx, today)
    found += attestations_due(usable, ctx, today, started)
    found += reviews_due(usable, ctx, today)
    return sorted(found, key=lambda f: (f.path or "", f.record_id or "", f.rule, f.message))


def _record_findings(record: Record, kind: Kind, policy: Policy, ctx: Context,
                     today: date) -> list[Finding]:
    status = record.status
    if status == "submitted":
        return waiting_for_decision(record, kind, policy, ctx, today)
    if status == "approved" and record.conditions() and not record.conditions_accepted():
        return conditions_not_accepted(record, kind, ctx, today)
    return []


def waiting_for_decision(record: Record, kind: Kind, policy: Policy, ctx: Context,
                         today: date) -> list[Finding]:
    """A submitted record: a late acknowledgement, unapproved work under way, or a slow decision."""
    deciders = who_must_act(record, ctx)
    if deciders is None:     # recorded, as the code asks: nobody has to act (issue 8)
        return []
    who = f"who must act: {deciders.describe()}, to {deciders.action} it " \
          f"(`coc approve {record.id}`)"
    if open_breaches(record, ctx):   # an approval never resolves a breach (issue 8, contract 2)
        who = f"who must act: {deciders.describe()}, to reject it (`coc reject {record.id} " \
              "--reason TEXT`): an approval never resolves a breach; or the declarant amends " \
              f"its cause (`coc amend {record.id}`) or withdraws it"
    since = waiting_since(record)
    deadline = policy.deadline(record, ctx)
    if deciders.action == "acknowledge" and deadline is not None and since is not None:
        declared_late = since > deadline.due
        due = max(deadline.due, ctx.calendar.next_working_day(since))
        if today > due:
            late = f", the next working day after it was declared late on {since}" \
                if declared_late else ""
            return [_at(record, "overdue-notification",
                        f"{kind.title.lower()} not acknowledged: due by {due} ({deadline.basis}"
                        f"{late}); {who}", deadline.section)]
        return []
    start = kind.value(record, "start_date") if record.kind == "outside-work" else None
    if isinstance(start, date) and start <= today and deciders.action == "approve":
        return [_at(record, "outside-work-not-approved",
                    f"the work was to start on {start} and is not approved: it may not start "
                    f"before it is; {who}", deciders.section or kind.section,
                    "details.start_date")]
    decide_by = decision_due(since, ctx) if since is not None else None
    if decide_by is None or record.kind == "attestation":
        return []
    if today > decide_by:
        return [_at(record, "overdue-decision",
                    f"waiting for a decision since {since}: due by {decide_by} "
                    f"({decision_basis(ctx)}); {who}", DECISION_PERIOD)]
    return []


def conditions_not_accepted(record: Record, kind: Kind, ctx: Context, today: date) -> list[Finding]:
    verdict = record.verdict() or {}
    approved = as_datetime(verdict.get("at"))
    due = decision_due(approved.date(), ctx) if approved is not None else None
    if approved is None or due is None or today <= due:
        return []
    person = ctx.people.get(record.declarant)
    name = person.name if person else record.declarant
    return [_at(record, "conditions-not-accepted",
                f"conditions set on {approved.date()} by {verdict.get('by')} not accepted: due by "
                f"{due} ({decision_basis(ctx)}; {kind.section} gives no time); who must act: "
                f"{name} (declarant), to accept them (`coc accept {record.id}`)",
                DECISION_PERIOD, "decisions")]


def attestations_due(records: list[Record], ctx: Context, today: date,
                     started: date | None = None) -> list[Finding]:
    """The organisation's yearly attestation (coc.yaml practice.yearly_attestation): missing
    after the due date is overdue. Without practice.nil_return only people with a continuing
    declaration in force attest (that it still stands); with it, everyone in people.yaml."""
    owed = attestations_owed(records, ctx, today, started)
    if owed is None:
        return []
    due, people = owed
    why = "a nil return if there is nothing to declare" if ctx.practice.nil_return else \
        "that your declarations in force still stand"
    return [Finding("attestation-due",
                    f"{person.name} ({person.id}) has no attestation for {today.year}: due by "
                    f"{due} ({ATTESTATION}: the organisation's practice, not the code's; "
                    f"{why}); who must act: {person.name} (`coc declare attestation --year "
                    f"{today.year}`)", "error", ATTESTATION, field=f"people.{person.id}",
                    path="people.yaml")
            for person in people]


def attestations_owed(records: list[Record], ctx: Context, today: date,
                      started: date | None = None) -> tuple[date, list[Person]] | None:
    """The due date and the people whose attestation for this year is overdue (`coc overdue`
    and `coc inbox` both ask), or None when none is overdue yet or none is asked for. Never a
    leaver; with practice.campaign, only those the campaign asks for a return."""
    policy = ctx.policy
    assert policy is not None
    kind = policy.kinds.get("attestation")
    due = attestation_due(ctx, today.year, started)
    if kind is None or due is None or today <= due:
        return None
    done = {r.declarant for r in records if r.kind == "attestation"
            and r.details.get("year") == today.year and r.status not in ("withdrawn", "rejected")}
    standing = {r.declarant for r in records if r.kind in policy.kinds
                and policy.kinds[r.kind].has_end and r.status in IN_FORCE}
    nil = ctx.practice.nil_return
    campaign = ctx.practice.campaign

    def asked(person: Person) -> bool:
        if campaign is None:
            return not person.has_left(today)
        from .campaigns import must_return

        return must_return(person, campaign, ctx.people, today)

    return due, [person for person in ctx.people
                 if person.id not in done and asked(person) and (nil or person.id in standing)]


def attestation_due(ctx: Context, year: int, started: date | None = None) -> date | None:
    """The due date in `year`, or None when coc.yaml has no practice.yearly_attestation; a
    register started after 1 January gets as long from its start."""
    text = ctx.practice.attestation_due_by
    if text is None:
        return None
    try:
        due = date.fromisoformat(f"{year:04d}-{text}")
    except ValueError:
        return None
    new_year = date(year, 1, 1)
    if started is not None and started > new_year:
        due = max(due, started + (due - new_year))
    return due


def reviews_due(records: list[Record], ctx: Context, today: date) -> list[Finding]:
    """Continuing declarations in force that no one has looked at for a year (coc.yaml
    practice.yearly_review)."""
    policy = ctx.policy
    assert policy is not None
    out = []
    for record, last, due in reviews_owed(records, ctx, today):
        kind = policy.kinds[record.kind]
        person: Person | None = ctx.people.get(record.declarant)
        name = person.name if person else record.declarant
        out.append(_at(record, "review-due",
                       f"in force and not reviewed since {last}: due for review by {due} "
                       f"({REVIEW}: the organisation's practice; {kind.section} gives no "
                       f"review); "
                       f"who must act: {name} (declarant), to confirm it still stands in "
                       f"this year's attestation (`coc declare attestation`), amend it "
                       f"(`coc amend {record.id}`) or end it (`coc end {record.id} --on "
                       "DATE`)", REVIEW))
    return out


def reviews_owed(records: list[Record], ctx: Context, today: date
                 ) -> list[tuple[Record, date, date]]:
    """(record, last looked at, due) for each continuing declaration overdue for its yearly
    review (`coc overdue` and `coc inbox` both ask)."""
    policy = ctx.policy
    assert policy is not None
    if not ctx.practice.yearly_review:
        return []
    attested: dict[str, date] = {}
    for r in records:
        if r.kind == "attestation" and r.declared_on and r.status not in ("withdrawn", "rejected"):
            attested[r.declarant] = max(r.declared_on, attested.get(r.declarant, r.declared_on))
    out = []
    for record in records:
        kind = policy.kinds[record.kind]
        if not kind.has_end or record.status not in IN_FORCE:
            continue
        last, seen = last_activity(record), attested.get(record.declarant)
        if last is None:
            continue
        last = max(last, seen) if seen else last
        due = _a_year_after(last)
        if today > due:
            out.append((record, last, due))
    return out


# --- dates ------------------------------------------------------------------------------------

def waiting_since(record: Record) -> date | None:
    """When the current details were put forward: declared, or last amended (a fresh decision)."""
    days = [record.declared_on] + [_day(a.get("at")) for a in record.amendments]
    known = [d for d in days if d]
    return max(known) if known else None


def last_activity(record: Record) -> date | None:
    days = [record.declared_on] + [_day(e.get("at")) for e in record.amendments + record.decisions]
    known = [d for d in days if d]
    return max(known) if known else None


def decision_due(since: date, ctx: Context) -> date | None:
    """When a decision is chased, or None when coc.yaml sets no decision period."""
    period = ctx.practice.decision_period_working_days
    return None if period is None else ctx.calendar.add_working_days(since, period)


def decision_basis(ctx: Context) -> str:
    return f"{ctx.practice.decision_period_working_days} working days, {DECISION_PERIOD}: the " \
        "organisation's practice (the code gives no time to decide)"


def _day(value: Any) -> date | None:
    moment = as_datetime(value)
    return moment.date() if moment else None


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:      # 29 February
        return day.replace(year=day.year + 1, day=28)


def _at(record: Record, rule: str, message: str, section: str, field: str | None = None) -> Finding:
    return Finding(rule, message, "error", section, field=field, path=record.path or None,
                   record_id=record.id or None)
