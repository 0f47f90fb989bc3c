"""What waits for each person: the items of `coc inbox`, `coc list --awaiting` and `coc remind`.

Data only: nothing here prints, sends or reads files. Who must approve or acknowledge a
record comes from `engine.who_must_act`, the one answer `coc approve`, `show`, `overdue` and
the hook give, never recomputed here; deadlines come from the policy (`Policy.deadline`) and,
where the code gives no time, from coc.yaml's practice, cited as such.

Extension point: an item source is a function `source(inputs: Inputs) -> Iterable[Item]`
that makes its items with `new_item(inputs, ...)` (which fills in the working days waited
   and whether it is overdue). `SOURCES` lists them in order; another part of coc (yearly
   campaign returns, say) adds its own with `add_source(fn)`, and every reader of the inbox
(`coc inbox`, `coc list --awaiting`, `coc remind`, `coc approve --all-from-inbox`) shows it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Sequence

from coc.registers.campaigns import OpenCampaign
from coc.registers.record import Record, as_date, as_datetime

from .base import Context
from . import engine
from .overdue import (ATTESTATION, DECISION_PERIOD, REVIEW, attestations_owed, decision_basis,
                      decision_due, reviews_owed, waiting_since)

APPROVER, DECLARANT = "approver", "declarant"


@dataclass(frozen=True)
class Item:
    """One thing one person must do. `deadline` is None when neither the code nor coc.yaml
    gives a time; `section` cites the code, or `coc.yaml practice.X` for the organisation's
    own practice; `command` is the exact command that does it."""

    person: str                  # people.yaml id of who must act
    role: str                    # APPROVER or DECLARANT
    action: str                  # approve | acknowledge | accept conditions | follow up | ...
    record_id: str | None        # None for what is not yet declared (a yearly attestation)
    kind: str
    declarant: str
    since: date | None           # waiting since (declared, amended, approved, the event)
    waited: int | None           # working days since then, on the register's calendar
    deadline: date | None
    basis: str                   # how the deadline is worked out, or why there is none
    section: str
    why: str
    command: str
    capacity: str = ""           # the approver's capacity ("line manager"), from who_must_act
    also: str = ""               # the other command that settles it (`coc reject ID --reason TEXT`)
    path: str = ""
    source: str = ""             # the source that made it (approvals, conditions, ...)

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self._today > self.deadline

    _today: date = field(default=date.min, repr=False, compare=False)

    def to_json(self) -> dict[str, object]:
        return {"person": self.person, "role": self.role, "action": self.action,
                "id": self.record_id, "kind": self.kind, "declarant": self.declarant,
                "since": self.since.isoformat() if self.since else None,
                "waited_working_days": self.waited,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "overdue": self.overdue, "basis": self.basis, "section": self.section,
                "why": self.why, "command": self.command, "also": self.also, "as": self.capacity,
                "path": self.path, "source": self.source}


@dataclass
class Inputs:
    """What every source reads: the register's records of the policy's kinds, the rule
    context, today, and the day the register began. A source asks `ok(record)` before using
    a record (malformed ones are validate's) and `status(record)`: both computed once."""

    records: list[Record]
    ctx: Context
    today: date
    started: date | None = None
    campaigns: Sequence[OpenCampaign] = ()   # this year's campaign, once its window opened
    _ok: dict[int, bool] = field(default_factory=dict, repr=False)
    _status: dict[int, str] = field(default_factory=dict, repr=False)
    _continuing: list[Record] | None = field(default=None, repr=False)

    def ok(self, record: Record) -> bool:
        key = id(record)
        if key not in self._ok:
            assert self.ctx.policy is not None
            self._ok[key] = not any(f.failing for f in
                                    engine.schema_findings(record, self.ctx.policy, self.ctx))
        return self._ok[key]

    def status(self, record: Record) -> str:
        key = id(record)
        if key not in self._status:
            self._status[key] = record.status
        return self._status[key]

    def continuing(self) -> list[Record]:
        """Well-formed attestations and declarations that stay in force (reviews, returns)."""
        if self._continuing is None:
            policy = self.ctx.policy
            assert policy is not None
            kinds = {k.name for k in policy.kinds.values() if k.has_end} | {"attestation"}
            self._continuing = [r for r in self.records if r.kind in kinds and self.ok(r)]
        return self._continuing

    def waited(self, since: date | None) -> int | None:
        return None if since is None else self.ctx.calendar.working_days_between(since, self.today)

    def name(self, person_id: str) -> str:
        person = self.ctx.people.get(person_id)
        return person.name if person else person_id


Source = Callable[[Inputs], Iterable[Item]]


def new_item(inputs: Inputs, **values: Any) -> Item:
    """An item, with the working days it has waited and today (for `overdue`) filled in."""
    since = values.get("since")
    return Item(**values, waited=inputs.waited(since if isinstance(since, date) else None),
                _today=inputs.today)


# --- sources ----------------------------------------------------------------------------------

def approvals(inputs: Inputs) -> Iterable[Item]:
    """Decisions and acknowledgements: each submitted record, for each person who_must_act names."""
    ctx, policy = inputs.ctx, inputs.ctx.policy
    assert policy is not None
    for record in inputs.records:
        if inputs.status(record) != "submitted" or not inputs.ok(record):
            continue
        deciders = engine.who_must_act(record, ctx)   # the one answer, never redone
        if deciders is None or not deciders.eligible:
            continue   # recorded as the code asks; or no one may decide (coc overdue says so)
        kind = policy.kinds[record.kind]
        since = waiting_since(record)
        deadline, basis, section = _decision_deadline(record, deciders.action, since, inputs)
        verb = "acknowledge" if deciders.action == "acknowledge" else "approve or reject"
        also = "" if deciders.action == "acknowledge" else f"coc reject {record.id} --reason TEXT"
        for authority in deciders.eligible:
            yield new_item(inputs, person=authority.person.id, role=APPROVER,
                           action=deciders.action,
                           record_id=record.id, kind=record.kind, declarant=record.declarant,
                           since=since, deadline=deadline, basis=basis, section=section,
                           why=f"{kind.title} declared by {inputs.name(record.declarant)} on "
                               f"{record.declared_on}: {verb} it as {authority.capacity} "
                               f"({deciders.section or kind.section})",
                           command=f"coc approve {record.id}", also=also,
                           capacity=authority.capacity, path=record.path,
                           source="approvals")


def _decision_deadline(record: Record, action: str, since: date | None,
                       inputs: Inputs) -> tuple[date | None, str, str]:
    """As `coc overdue` judges it: a notification by the policy's deadline (or the next working
    day after it was declared late); anything else within coc.yaml's
    practice.decision_period_working_days, when set, or outside work before it starts when
    that comes first."""
    ctx, policy = inputs.ctx, inputs.ctx.policy
    assert policy is not None
    deadline = policy.deadline(record, ctx)
    if action == "acknowledge" and deadline is not None and since is not None:
        due = max(deadline.due, ctx.calendar.next_working_day(since))
        late = f"; declared late on {since}, so the next working day after" \
            if since > deadline.due else ""
        return due, deadline.basis + late, deadline.section
    kind = policy.kinds[record.kind]
    start = kind.value(record, "start_date") if record.kind == "outside-work" else None
    decide_by = decision_due(since, ctx) if since is not None else None
    if isinstance(start, date) and action == "approve" and (decide_by is None or start < decide_by):
        return start, f"the work starts on {start} and may not start before it is approved", \
            kind.section
    if decide_by is None:
        return None, ("no time set: neither the code nor coc.yaml "
                      f"({DECISION_PERIOD}) gives one"), DECISION_PERIOD
    return decide_by, decision_basis(ctx), DECISION_PERIOD


def conditions(inputs: Inputs) -> Iterable[Item]:
    """Conditions set on an approval that the declarant has not yet accepted (Luton §19.7)."""
    ctx, policy = inputs.ctx, inputs.ctx.policy
    assert policy is not None
    for record in inputs.records:
        if inputs.status(record) != "approved" or not record.conditions() or \
                record.conditions_accepted() or not inputs.ok(record):
            continue
        verdict = record.verdict() or {}
        approved = as_datetime(verdict.get("at"))
        since = approved.date() if approved else None
        due = decision_due(since, ctx) if since else None
        yield new_item(inputs, person=record.declarant, role=DECLARANT, action="accept conditions",
                       record_id=record.id, kind=record.kind, declarant=record.declarant,
                       since=since, deadline=due,
                       basis=decision_basis(ctx) if due else "no time set: the code gives none",
                       section=DECISION_PERIOD if due else policy.kinds[record.kind].section,
                       why=f"{inputs.name(str(verdict.get('by')))} approved it on {since} with "
                           f"conditions: {record.conditions()}",
                       command=f"coc accept {record.id}", path=record.path, source="conditions")


def follow_ups(inputs: Inputs) -> Iterable[Item]:
    """After an arrest, each development and the outcome, where the policy has that duty (Luton
    §17.2): owed by the declarant until a notice in the case's chain is its outcome."""
    policy = inputs.ctx.policy
    assert policy is not None
    duty = next((d for d in policy.duties if d.kind == "criminal-matter"
                 and d.route == "follow-up"), None)
    if duty is None:
        return
    cases = [r for r in inputs.records if r.kind == "criminal-matter" and inputs.ok(r)]
    by_id = {r.id: r for r in cases}
    closed: set[str] = set()
    for record in cases:
        if record.details.get("event") == "outcome" and inputs.status(record) != "withdrawn":
            closed.add(_first_notice(record, by_id))
    for record in cases:
        if record.details.get("event") != "arrest" or record.id in closed or \
                inputs.status(record) in ("withdrawn", "rejected"):
            continue
        since = as_date(record.details.get("event_date"))
        yield new_item(inputs, person=record.declarant, role=DECLARANT, action="follow up",
                       record_id=record.id, kind=record.kind, declarant=record.declarant,
                       since=since, deadline=None, basis=duty.deadline, section=duty.section,
                       why=f"after the arrest of {since}, notify each development and the outcome "
                           f"of the case (\"{duty.words}\")",
                       command=f"coc declare criminal-matter --follows {record.id}",
                       path=record.path, source="follow-ups")


def _first_notice(record: Record, by_id: Mapping[str, Record]) -> str:
    seen, current = {record.id}, record
    while isinstance(current.details.get("follows"), str) and \
            current.details["follows"] in by_id and current.details["follows"] not in seen:
        current = by_id[current.details["follows"]]
        seen.add(current.id)
    return current.id


def attestations(inputs: Inputs) -> Iterable[Item]:
    """A yearly attestation overdue (coc.yaml practice.yearly_attestation), as `coc overdue`."""
    owed = attestations_owed(inputs.continuing(), inputs.ctx, inputs.today, inputs.started)
    if owed is None:
        return
    due, people = owed
    year = inputs.today.year
    for person in people:
        yield new_item(inputs, person=person.id, role=DECLARANT, action="attest", record_id=None,
                       kind="attestation", declarant=person.id, since=due, deadline=due,
                       basis=f"{ATTESTATION}: the organisation's practice, not the code's",
                       section=ATTESTATION, why=f"no attestation for {year}",
                       command=f"coc declare attestation --year {year}", source="attestations")


def reviews(inputs: Inputs) -> Iterable[Item]:
    """Continuing declarations due for their yearly review (coc.yaml practice.yearly_review)."""
    for record, last, due in reviews_owed(inputs.continuing(), inputs.ctx, inputs.today):
        yield new_item(inputs, person=record.declarant, role=DECLARANT, action="review",
                       record_id=record.id, kind=record.kind, declarant=record.declarant,
                       since=last, deadline=due,
                       basis=f"{REVIEW}: the organisation's practice, a year after {last}",
                       section=REVIEW, why=f"in force and not reviewed since {last}: confirm it "
                       "still stands, amend it or end it",
                       command=f"coc declare attestation --year {inputs.today.year}",
                       also=f"coc amend {record.id} --FIELD VALUE; coc end {record.id} --on DATE",
                       path=record.path, source="reviews")


def campaign_returns(inputs: Inputs) -> Iterable[Item]:
    """A yearly campaign return owed (coc.yaml practice.campaign): each person the campaign
    asked who has made none, as `coc campaign progress` counts them."""
    from .campaigns import CAMPAIGN, returns

    for opened in inputs.campaigns:
        usable = [r for r in inputs.records if inputs.ok(r)]
        for one in returns(opened, usable, inputs.ctx.people, inputs.today):
            if one.status != "outstanding":
                continue
            year = opened.year
            yield new_item(
                inputs, person=one.person, role=DECLARANT, action="campaign return",
                record_id=None, kind="attestation", declarant=one.person, since=opened.opens,
                deadline=opened.closes,
                basis=f"the {year} campaign's window, {opened.opens} to {opened.closes} "
                      f"({CAMPAIGN}: the organisation's practice, not the code's)",
                section=CAMPAIGN,
                why=f"campaign return due: the {year} declarations campaign asks {opened.who} "
                    f"for a return; declare what you have to ({', '.join(opened.kinds)}) and "
                    "confirm it, or make a nil return if there is nothing",
                command=f"coc declare attestation --year {year} --read-code yes --nil-return yes",
                also=f"coc declare attestation --year {year} --read-code yes --nil-return no",
                source="campaigns")


SOURCES: list[Source] = [approvals, conditions, follow_ups, attestations, reviews,
                         campaign_returns]


def add_source(source: Source) -> Source:
    """Add an item source (usable as a decorator); every inbox reader then shows its items."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


# --- the inbox --------------------------------------------------------------------------------

def inbox(records: Iterable[Record], ctx: Context, today: date, *, started: date | None = None,
          person: str | None = None, campaigns: Sequence[OpenCampaign] = ()) -> list[Item]:
    """Everything waiting on `today`, for `person` (a people.yaml id) or for everyone: oldest
    first (undated last), then by record id. Nothing for anyone who has left (people.yaml
    `left`); a campaign return stands for the yearly attestation it is."""
    assert ctx.policy is not None
    inputs = Inputs([r for r in records if r.kind in ctx.policy.kinds], ctx, today, started,
                    campaigns)
    items = [item for source in SOURCES for item in source(inputs)
             if (person is None or item.person == person) and not _gone(item, ctx, today)]
    returning = {i.person for i in items if i.source == "campaigns"}
    items = [i for i in items if not (i.source == "attestations" and i.person in returning)]
    return sorted(items, key=lambda i: (i.since is None, i.since or date.min, i.record_id or "",
                                        i.person, i.action))


def _gone(item: Item, ctx: Context, today: date) -> bool:
    who = ctx.people.get(item.person)
    return who is not None and who.has_left(today)


def by_person(items: Iterable[Item]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {}
    for item in items:
        out.setdefault(item.person, []).append(item)
    return out
