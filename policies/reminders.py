"""The digests `coc remind` sends: one per person who must act, each item with its deadline,
why, and the exact command; and escalation, the organisation's practice (coc.yaml
`reminders:`), never the code's: a decision or acknowledgement waiting more than
`escalate_to_manager_after_working_days` is copied to the approver's own line manager, and
more than `escalate_to_monitoring_officer_after_working_days` to the Monitoring Officer too.

Data only: the items come from policies.inbox; sending is registers.mail's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from coc.registers.config import Reminders
from coc.registers.people import People, Person

from .inbox import APPROVER, Item

MANAGER = Reminders.cite("escalate_to_manager_after_working_days")
OFFICER = Reminders.cite("escalate_to_monitoring_officer_after_working_days")
INTERVAL = Reminders.cite("interval_working_days")


@dataclass(frozen=True)
class Copy:
    person: Person
    why: str


@dataclass(frozen=True)
class Digest:
    person: Person
    items: tuple[Item, ...]
    cc: tuple[Copy, ...]
    subject: str
    body: str


def escalations(person: Person, items: Iterable[Item], people: People,
                settings: Reminders) -> list[Copy]:
    """Who is copied on `person`'s digest, and why: their manager for what has waited past the
    first period, the Monitoring Officer for what has waited past the second."""
    manager_after = settings.escalate_to_manager_after_working_days
    officer_after = settings.escalate_to_monitoring_officer_after_working_days
    waiting = [i for i in items if i.role == APPROVER and i.waited is not None]
    copies: dict[str, Copy] = {}
    late = [i for i in waiting if manager_after is not None and i.waited > manager_after]
    manager = people.get(person.manager) if person.manager else None
    if late and manager is not None and manager.id != person.id:
        copies[manager.id] = Copy(manager, f"{manager.name} (your line manager) is copied: "
                                  f"{_ids(late)} waited more than {manager_after} working days "
                                  f"({MANAGER}: the organisation's practice, not the code's)")
    later = [i for i in waiting if officer_after is not None and i.waited > officer_after]
    if later:
        for officer in people.with_role("monitoring-officer"):
            if officer.id != person.id and officer.id not in copies:
                copies[officer.id] = Copy(officer, f"{officer.name} (Monitoring Officer) is "
                                          f"copied: {_ids(later)} waited more than "
                                          f"{officer_after} working days ({OFFICER}: the "
                                          "organisation's practice, not the code's)")
    return list(copies.values())


def _ids(items: list[Item]) -> str:
    return ", ".join(i.record_id or i.kind for i in items)


def digest(person: Person, items: list[Item], people: People, settings: Reminders,
           sensitive: frozenset[str] = frozenset()) -> Digest:
    """`person`'s digest. Sensitive kinds (criminal matters...) are named by id only: an e-mail
    is no place for special-category data, and `coc show ID` has the rest."""
    cc = tuple(escalations(person, items, people, settings))
    overdue = sum(1 for i in items if i.overdue)
    subject = f"[coc] {len(items)} waiting for you" + (f", {overdue} overdue" if overdue else "")
    lines = [f"Dear {person.name},", "",
             "These wait for you in the Code of Conduct register, oldest first:", ""]
    for n, item in enumerate(items, 1):
        what = item.record_id or item.kind
        if item.kind in sensitive and item.role == APPROVER:
            lines.append(f"{n}. {what}: {item.action} (a sensitive declaration: see "
                         f"`coc show {item.record_id}`)")
        else:
            declarant = people.get(item.declarant)
            of = f" of {declarant.name}" if declarant and item.role == APPROVER else ""
            lines.append(f"{n}. {what}: {item.action}, {item.kind}{of}")
            lines.append(f"   why: {item.why}")
        if item.waited is not None:
            lines.append(f"   waiting {item.waited} working day(s) since {item.since}")
        if item.deadline is None:
            lines.append(f"   no deadline: {item.basis}")
        else:
            state = "OVERDUE: was due" if item.overdue else "due"
            lines.append(f"   {state} {item.deadline} ({item.basis}) [{item.section}]")
        lines.append(f"   run: {item.command}" + (f"   (or: {item.also})" if item.also else ""))
        lines.append("")
    for copy in cc:
        lines.append(copy.why + ".")
    if cc:
        lines.append("")
    lines += [f"`coc inbox` lists these at any time. You are reminded at most once every "
              f"{settings.interval_working_days} working day(s) ({INTERVAL}).",
              "This message was sent automatically by coc remind."]
    return Digest(person, tuple(items), cc, subject, "\n".join(lines) + "\n")


def digests(items: Iterable[Item], people: People, settings: Reminders,
            sensitive: frozenset[str] = frozenset()) -> list[Digest]:
    """One digest per person with something waiting, in people.yaml order."""
    mine: dict[str, list[Item]] = {}
    for item in items:
        mine.setdefault(item.person, []).append(item)
    return [digest(person, mine[person.id], people, settings, sensitive)
            for person in people if person.id in mine]
