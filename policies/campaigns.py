"""The yearly declarations campaign: the organisation's practice (coc.yaml practice.campaign),
not the code's. Neither code has a yearly return (issue 8, contract 5), so everything here
cites `coc.yaml practice.campaign`, never a section.

A campaign asks the people coc.yaml names (everyone, people flagged decision-maker, or a grade
and above) for a return within a window. A return is the yearly attestation of that year: a
nil return (`nil_return: true`) or one confirming what is declared; declaring one of the kinds
the return covers within the window counts as a return too. Pure functions over people and
records; `coc campaign` prints what they return.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from coc.registers.campaigns import OpenCampaign
from coc.registers.config import Campaign, Practice
from coc.registers.errors import CocError
from coc.registers.people import People, Person
from coc.registers.record import Record

from .base import Context, Policy

CAMPAIGN = Practice.cite("campaign")
STATUSES = ("returned", "nil return", "outstanding", "left")
NOT_A_RETURN = ("withdrawn", "rejected")


def configured(ctx: Context) -> Campaign:
    campaign = ctx.practice.campaign
    if campaign is None:
        raise CocError("coc.yaml has no practice.campaign (who must make a yearly return, the "
                       "window, the kinds it covers): neither code asks for one, so it is the "
                       "organisation's to switch on", path="coc.yaml", field="practice.campaign")
    return campaign


def must_return(person: Person, campaign: Campaign, people: People, today: date) -> bool:
    """Whether coc.yaml practice.campaign asks this person for a return (never a leaver)."""
    if person.has_left(today):
        return False
    if campaign.who == "decision-makers":
        return person.has_flag("decision-maker")
    if campaign.who == "grade":
        return campaign.grade is not None and people.grade_at_least(person, campaign.grade)
    return True


def covered_kinds(campaign: Campaign, policy: Policy) -> tuple[str, ...]:
    """The kinds a return covers: coc.yaml's list (each one the policy offers), or them all."""
    unknown = [k for k in campaign.kinds if k not in policy.kinds]
    if unknown:
        raise CocError(f"{policy.name} has no kind {unknown[0]!r} (kinds: "
                       f"{', '.join(policy.kinds)})", path="coc.yaml",
                       field="practice.campaign.kinds")
    return campaign.kinds or tuple(k for k in policy.kinds if k != "attestation")


def open_campaign(ctx: Context, year: int, by: Person, today: date) -> OpenCampaign:
    """What opening the `year` campaign records: who is asked, as people.yaml stands today."""
    from .common import return_years

    campaign = configured(ctx)
    assert ctx.policy is not None
    years = return_years(today)
    if year not in years:
        raise CocError(f"{year} is not a year a campaign opened on {today} can be for: it must "
                       f"be {years[0]} to {years[-1]}", field="YEAR")
    opens = date.fromisoformat(f"{year:04d}-{campaign.opens}")
    closes = date.fromisoformat(f"{year:04d}-{campaign.closes}")
    if closes < today:
        raise CocError(f"the {year} window closed on {closes} ({CAMPAIGN}.closes): a campaign "
                       "is opened before its window closes", field="YEAR")
    asked = tuple((p.id, p.department) for p in ctx.people
                  if must_return(p, campaign, ctx.people, today))
    return OpenCampaign(year, today, by.id, opens, closes, campaign.describe(),
                        covered_kinds(campaign, ctx.policy), asked)


@dataclass(frozen=True)
class Return:
    """One person asked for a return, and what they have made of it."""

    person: str
    name: str
    job_title: str
    department: str            # as it was when the campaign opened
    status: str                # one of STATUSES
    by: str = ""               # the record that counts as the return


def returns(opened: OpenCampaign, records: Iterable[Record], people: People,
            today: date) -> list[Return]:
    """Each person asked, in the order they were asked: returned (an attestation for the year,
    or a covered declaration within the window), nil return, outstanding, or left since."""
    asked = dict(opened.people)
    made: dict[str, Record] = {}
    nil: dict[str, Record] = {}
    kinds = set(opened.kinds)
    for record in records:
        if record.declarant not in asked or record.status in NOT_A_RETURN:
            continue
        if record.kind == "attestation" and record.details.get("year") == opened.year:
            (nil if record.details.get("nil_return") is True else made).setdefault(
                record.declarant, record)
        elif record.kind in kinds and record.declared_on and \
                opened.opens <= record.declared_on <= opened.closes:
            made.setdefault(record.declarant, record)
    out = []
    for person_id, department in opened.people:
        person = people.get(person_id)
        name = person.name if person else person_id
        title = person.job_title if person else ""
        if person_id in made:
            status, by = "returned", made[person_id].id
        elif person_id in nil:
            status, by = "nil return", nil[person_id].id
        elif person is None or person.has_left(today):
            status, by = "left", ""
        else:
            status, by = "outstanding", ""
        out.append(Return(person_id, name, title, department, status, by))
    return out


@dataclass(frozen=True)
class Progress:
    department: str
    counts: dict[str, int]

    @property
    def asked(self) -> int:
        return sum(self.counts.values())


def progress(found: list[Return]) -> list[Progress]:
    """Per department (as at opening), how many returned, made a nil return, are outstanding
    or have left; sorted by department, with the organisation's total last."""
    by: dict[str, dict[str, int]] = {}
    for r in found:
        counts = by.setdefault(r.department, dict.fromkeys(STATUSES, 0))
        counts[r.status] += 1
    rows = [Progress(d, c) for d, c in sorted(by.items())]
    total = dict.fromkeys(STATUSES, 0)
    for row in rows:
        for status, n in row.counts.items():
            total[status] += n
    return rows + [Progress("all", total)]


def non_declarers(found: list[Return]) -> list[Return]:
    """The people asked who have made no return (nor left): the list NHS bodies publish."""
    return [r for r in found if r.status == "outstanding"]
