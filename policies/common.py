"""Deciders shared by both codes: the line manager, roles up the chain, organisation-wide roles,
and the cross-record exclusions of SPEC §4 (self, the recorder, a declared relationship)."""
from __future__ import annotations

from typing import Iterable

from coc.registers.people import Person
from coc.registers.record import Record

from .base import Authority, Context, Deciders

ORG_WIDE_ROLES = frozenset({"monitoring-officer", "chief-executive", "hr"})


def related_people(record: Record, ctx: Context) -> dict[str, str]:
    """People who declared a relationship with the declarant, or with whom the declarant did."""
    related: dict[str, str] = {}
    for other in ctx.records.values():
        if other.kind != "relationship" or other.status in ("withdrawn", "ended", "rejected"):
            continue
        named = str(other.details.get("other_person", ""))
        if other.declarant == record.declarant and named in ctx.people:
            related[named] = f"declared a relationship ({other.id})"
        elif named == record.declarant:
            related[other.declarant] = f"declared a relationship ({other.id})"
    return related


def line_manager(record: Record, ctx: Context) -> list[Authority]:
    person = ctx.people.get(record.declarant)
    manager = ctx.people.get(person.manager) if person and person.manager else None
    return [Authority(manager, "line manager")] if manager else []


def up_the_chain(record: Record, ctx: Context, roles: Iterable[str], capacity: str = "") -> list[Authority]:
    """People above the declarant in line management holding one of `roles`, nearest first."""
    roles = tuple(roles)
    out = []
    for person in ctx.people.chain(record.declarant):
        held = [r for r in roles if person.has_role(r)]
        if held:
            out.append(Authority(person, capacity or held[0].replace("-", " ")))
    return out


def holders(ctx: Context, role: str) -> list[Authority]:
    return [Authority(p, role.replace("-", " ")) for p in ctx.people.with_role(role)]


def deciders(record: Record, ctx: Context, candidates: list[Authority], *, action: str = "approve",
             section: str = "", fall_back_up_chain: bool = True) -> Deciders:
    """Drop those who may not decide (self, recorder, related), then fall back up the line."""
    excluded: list[tuple[str, str]] = []
    related = related_people(record, ctx)

    def why_not(person: Person) -> str | None:
        if person.id == record.declarant:
            return "is the declarant"
        if person.id == record.recorded_by and record.recorded_by != record.declarant:
            return "recorded it on the declarant's behalf"
        if person.id in related:
            return related[person.id]
        return None

    eligible: list[Authority] = []
    seen: set[str] = set()
    pool = list(candidates)
    if fall_back_up_chain and candidates:
        # the next person up replaces anyone excluded (MK §11; Luton §13)
        pool += [Authority(p, "next manager up") for p in ctx.people.chain(record.declarant)]
    for authority in pool:
        person = authority.person
        if person.id in seen:
            continue
        seen.add(person.id)
        reason = why_not(person)
        if reason:
            excluded.append((person.id, reason))
            continue
        if authority in candidates or not eligible:
            eligible.append(authority)
    return Deciders(tuple(eligible), action, section, tuple(excluded))
