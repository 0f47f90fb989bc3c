"""Who may decide a declaration, and the cross-record rules of SPEC §4 (both policies).

Nobody decides their own declaration; HR recording on someone's behalf cannot decide it; a
person with a declared relationship with the declarant is passed over for the next person up
(MK §11, Luton §13); with no one above, the Monitoring Officer decides.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from coc.policies.base import Context, Policy
from coc.policies.engine import authority_findings, check_record
from coc.policies.registry import get_policy
from coc.registers.config import DEFAULT_GRADES
from coc.registers.people import People, Person, load_people
from coc.registers.record import Record

D = date.fromisoformat
MK, LUTON = get_policy("milton-keynes"), get_policy("luton")
EXAMPLE = Path(__file__).resolve().parents[1] / "templates" / "register" / "people.example.yaml"
PEOPLE = load_people(EXAMPLE, DEFAULT_GRADES)
AT = "2026-11-25T10:00:00+00:00"


def ctx(policy: Policy, *records: Record, people: People = PEOPLE) -> Context:
    return Context(people=people, parameters=policy.resolve_parameters({}),
                   records={r.id: r for r in records}, policy=policy)


def rec(policy: Policy, kind: str, declarant: str = "jsmith", *, suffix: str = "AAAAAA",
        recorded_by: str | None = None, **extra: Any) -> Record:
    details = extra.pop("details", None) or {
        "gift": {"received_on": D("2026-11-20"), "donor": "X", "description": "Pen",
                 "value_gbp": "5.00", "outcome": "kept"},
        "criminal-matter": {"event": "caution", "event_date": D("2026-11-23"), "subject": "self"},
    }[kind]
    data = {"id": f"{policy.kinds[kind].prefix}-2026-{suffix}", "kind": kind,
            "declarant": declarant, "recorded_by": recorded_by or declarant,
            "declared_on": D("2026-11-24"), "details": details, **extra}
    return Record(data=data)


def related(policy: Policy, declarant: str, other: str, suffix: str = "RELATE", **extra: Any
            ) -> Record:
    return rec(policy, "relationship", declarant, suffix=suffix, details={
        "other_person": other, "relationship": "partner", "context": "line-management",
        "arrangements": "Hana Hughes decides instead"}, **extra)


def ids(policy: Policy, record: Record, context: Context) -> list[str]:
    return [a.person.id for a in policy.who_may_decide(record, context).eligible]


# --- the ordinary case --------------------------------------------------------------------------

@pytest.mark.parametrize("policy", [MK, LUTON], ids=["mk", "luton"])
def test_the_line_manager_decides_by_default(policy):
    deciders = policy.who_may_decide(rec(policy, "gift"), ctx(policy))
    assert [(a.person.id, a.capacity) for a in deciders.eligible] == [("mjones", "line manager")]
    assert deciders.describe() == "Max Jones (line manager)"


# --- nobody decides their own -------------------------------------------------------------------

@pytest.mark.parametrize("policy", [MK, LUTON], ids=["mk", "luton"])
def test_a_manager_never_decides_their_own_declaration(policy):
    record = rec(policy, "gift", "mjones")
    assert ids(policy, record, ctx(policy)) == ["hhughes"]
    decided = rec(policy, "gift", "mjones", decisions=[{"decision": "approved", "by": "mjones",
                                                        "at": AT}])
    assert [f.severity for f in check_record(decided, ctx(policy))
            if f.rule == "self-decision"] == ["breach"]


def test_mk_s7_a_very_senior_manager_does_not_approve_their_own_consultancy():
    record = rec(MK, "outside-work", "hhughes", details={
        "organisation": "Acme", "role": "Adviser", "paid": True, "consultancy": True,
        "start_date": D("2026-12-01"), "hours_per_week": 2})
    assert ids(MK, record, ctx(MK)) == ["sshah", "ddavies", "ccarter"]


def test_the_chief_executive_with_no_one_above_goes_to_the_monitoring_officer():
    deciders = MK.who_may_decide(rec(MK, "gift", "ccarter"), ctx(MK))
    assert [a.person.id for a in deciders.eligible] == ["mokafor"]
    assert "no one above" in deciders.eligible[0].capacity


# --- HR recording on someone's behalf ------------------------------------------------------------

def _with_report_to_hr() -> People:
    """The example organisation plus someone whose line manager is the HR business partner."""
    extra = Person(id="tnew", name="Toni New", email="toni.new@example.gov.uk", department="hr",
                   grade="C", manager="hreed")
    return People([*PEOPLE, extra], DEFAULT_GRADES)


@pytest.mark.parametrize("policy", [MK, LUTON], ids=["mk", "luton"])
def test_hr_who_recorded_it_cannot_decide_it_the_next_manager_up_does(policy):
    people = _with_report_to_hr()
    by_hr = rec(policy, "gift", "tnew", recorded_by="hreed")
    deciders = policy.who_may_decide(by_hr, ctx(policy, people=people))
    assert [a.person.id for a in deciders.eligible] == ["ccarter"]
    assert dict(deciders.excluded) == {"hreed": "recorded it on the declarant's behalf"}
    assert ids(policy, rec(policy, "gift", "tnew"), ctx(policy, people=people)) == ["hreed"]


def test_hr_deciding_what_they_recorded_is_refused_with_the_reason():
    people = _with_report_to_hr()
    record = rec(LUTON, "gift", "tnew", recorded_by="hreed",
                 decisions=[{"decision": "approved", "by": "hreed", "at": AT}])
    [finding] = authority_findings(record, ctx(LUTON, people=people), [0])
    assert "recorded it on the declarant's behalf" in finding.message
    assert "who may: Chris Carter" in finding.message


# --- a declared relationship --------------------------------------------------------------------

@pytest.mark.parametrize("policy", [MK, LUTON], ids=["mk", "luton"])
def test_a_relationship_blocks_the_line_manager_and_the_next_one_up_decides(policy):
    partner = related(policy, "jsmith", "mjones")
    context = ctx(policy, partner)
    deciders = policy.who_may_decide(rec(policy, "gift"), context)
    assert [a.person.id for a in deciders.eligible] == ["hhughes"]
    assert "in place of the line manager Max Jones" in deciders.eligible[0].capacity
    assert dict(deciders.excluded)["mjones"].startswith("has a declared relationship")


@pytest.mark.parametrize("policy", [MK, LUTON], ids=["mk", "luton"])
def test_a_relationship_declared_by_the_manager_blocks_them_too(policy):
    context = ctx(policy, related(policy, "mjones", "jsmith"))
    assert ids(policy, rec(policy, "gift"), context) == ["hhughes"]


def test_an_ended_or_withdrawn_relationship_no_longer_blocks():
    ended = related(LUTON, "jsmith", "mjones", ended={"by": "jsmith", "at": AT, "reason": "over"})
    assert ids(LUTON, rec(LUTON, "gift"), ctx(LUTON, ended)) == ["mjones"]


def test_luton_s10_1_a_relationship_with_the_service_manager_leaves_the_service_director():
    interest = rec(LUTON, "interest", details={
        "nature": "financial", "organisation": "Acme", "description": "Shares",
        "arose_on": D("2026-11-20"), "public_knowledge_test": "yes"})
    assert ids(LUTON, interest, ctx(LUTON, related(LUTON, "jsmith", "mjones"))) == ["sshah"]


def test_a_blocked_manager_deciding_is_refused_naming_the_relationship():
    partner = related(MK, "jsmith", "mjones")
    record = rec(MK, "gift", decisions=[{"decision": "approved", "by": "mjones", "at": AT}])
    [finding] = authority_findings(record, ctx(MK, partner, record), [0])
    assert finding.rule == "decision-authority"
    assert f"has a declared relationship with the declarant ({partner.id})" in finding.message
    assert "who may: Hana Hughes" in finding.message


# --- organisation-wide roles --------------------------------------------------------------------

def test_luton_s21_a_chief_officer_goes_to_the_monitoring_officer_not_their_manager():
    record = rec(LUTON, "outside-work", "ddavies", details={
        "organisation": "Uni", "role": "Visiting lecturer", "paid": True,
        "start_date": D("2026-12-01"), "hours_per_week": 2, "working_pattern": "Evenings"})
    assert ids(LUTON, record, ctx(LUTON)) == ["mokafor"]


def test_luton_s16_4_a_relationship_with_the_monitoring_officer_sends_an_appeal_up():
    appeal = rec(LUTON, "political-restriction-appeal", "sshah", details={
        "post_title": "Service Director", "post_designation": "sensitive",
        "job_description": "JD", "reasons": "Reasons"})
    blocked = ctx(LUTON, related(LUTON, "sshah", "mokafor"))
    assert ids(LUTON, appeal, blocked) == ["ccarter"]


# --- through the real CLI -----------------------------------------------------------------------

@freeze_time("2026-11-24")
def test_cli_show_names_who_is_awaited_and_the_relationship_sends_it_up(make_register, coc):
    root = make_register("milton-keynes")
    gift = ["declare", "gift", "--received-on", "2026-11-20", "--donor", "X", "--description",
            "Pen", "--value-gbp", "5", "--outcome", "kept", "--no-input", "--json"]
    first = json.loads(coc(root, *gift).stdout)["id"]
    assert "awaiting:    Max Jones (line manager) (approve)" in coc(root, "show", first).output
    out = coc(root, "declare", "relationship", "--other-person", "mjones", "--relationship",
              "partner", "--context", "line-management", "--arrangements", "HH line-manages",
              "--no-input", "--json")
    assert out.exit_code == 0, out.output
    shown = json.loads(coc(root, "show", first, "--json").stdout)
    assert [p["id"] for p in shown["awaiting"]["people"]] == ["hhughes"]
    assert "Hana Hughes (next manager up, in place of the line manager Max Jones)" in \
        coc(root, "show", first).output
