"""The Milton Keynes policy, rule by rule, against the code's text (MK §1-§11).

Each test is named after the section it checks. Rules are run directly through the engine
(`check_record`) on records built here, with the example organisation of
templates/register/people.example.yaml; a few go through the real CLI to prove the wiring.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from freezegun import freeze_time

from coc.policies.base import Context
from coc.registers.errors import CocError
from coc.registers.people import People
from coc.registers.record import Record
from policy_kit import D, PEOPLE, PolicyKit

KIT = PolicyKit("milton-keynes")
POLICY, ctx, rec, found, rule, severities = (KIT.policy, KIT.ctx, KIT.rec, KIT.found, KIT.rule,
                                             KIT.severities)


def gift(value: str, outcome: str = "kept", **more: Any) -> Record:
    return rec("gift", received_on="2026-11-20", donor="A. Supplier", description="A pen set",
               value_gbp=value, outcome=outcome, **more)


def due(record: Record, context: Context | None = None) -> date | None:
    deadline = POLICY.deadline(record, context or ctx(record))
    return deadline.due if deadline else None


def eligible(record: Record, context: Context | None = None) -> list[str]:
    return [a.person.id for a in POLICY.who_may_decide(record, context or ctx(record)).eligible]


# --- every record a well-formed one --------------------------------------------------------------

def test_mk_findings_carry_rule_section_severity_message():
    finding = rule(gift("30.00"), "gift-value-limit")[0]
    assert (finding.rule, finding.section, finding.severity) == ("gift-value-limit", "MK §6",
                                                                 "breach")
    assert finding.message and finding.field == "details.value_gbp"


# --- §1 Follow the law --------------------------------------------------------------------------

def criminal(event: str, event_date: str = "2026-11-20", declarant: str = "jsmith",
             declared_on: str = "2026-11-23", **more: Any) -> Record:
    return rec("criminal-matter", declarant, declared_on, event=event, event_date=event_date,
               subject=more.pop("subject", "self"), **more)


def test_mk_s1_caution_as_soon_as_possible_is_one_working_day_by_default():
    deadline = POLICY.deadline(criminal("caution"), ctx())
    assert deadline is not None and deadline.due == D("2026-11-23")   # Friday -> Monday
    assert deadline.section == "MK §1"
    assert "asap_working_days = 1, the policy's default" in deadline.basis


def test_mk_s1_as_soon_as_possible_is_a_coc_yaml_parameter():
    assert due(criminal("conviction"), ctx(asap_working_days=3)) == D("2026-11-25")


@pytest.mark.parametrize("event", ["caution", "charge", "conviction"])
def test_mk_s1_cautioned_charged_or_convicted_late_needs_late_reason(event):
    late = criminal(event, declared_on="2026-11-24")
    assert severities(late, "deadline") == ["error"]
    excused = criminal(event, declared_on="2026-11-24", late_reason="I was abroad")
    assert severities(excused, "deadline") == ["info"]


def test_mk_s1_dbs_barring_in_childrens_services_is_straight_away():
    barred = criminal("dbs-barring", "2026-11-24", "kpatel", "2026-11-24")
    deadline = POLICY.deadline(barred, ctx())
    assert deadline is not None and deadline.due == D("2026-11-24")
    assert "straight away" in deadline.basis
    assert severities(criminal("dbs-barring", "2026-11-24", "kpatel", "2026-11-25"),
                      "deadline") == ["error"]


def test_mk_s1_dbs_barring_on_christmas_eve_2027_is_due_the_next_working_day():
    assert due(criminal("dbs-barring", "2027-12-25", "kpatel", "2027-12-29")) == D("2027-12-29")


def test_mk_s1_dbs_barring_outside_children_or_adult_services_has_no_deadline():
    barred = criminal("dbs-barring", declarant="jsmith")
    assert due(barred) is None
    assert severities(barred, "criminal-matter-scope") == ["info"]


@pytest.mark.parametrize("event", ["reprimand", "warning", "investigation", "arrest"])
def test_mk_s1_other_events_are_recorded_without_a_deadline(event):
    record = criminal(event, declared_on="2026-12-20")
    assert due(record) is None
    assert severities(record, "criminal-matter-scope") == ["info"]
    assert not [f for f in found(record) if f.failing]


def test_mk_s1_household_member_is_not_asked_for():
    record = criminal("conviction", subject="household-member", declared_on="2026-12-20")
    assert due(record) is None
    assert "not members of your household" in rule(record, "criminal-matter-scope")[0].message


def test_mk_s1_event_after_the_declaration_is_an_error():
    assert severities(criminal("caution", "2026-11-25", declared_on="2026-11-24"),
                      "criminal-matter-date") == ["error"]


def test_mk_s1_criminal_matter_is_acknowledged_by_the_line_manager():
    deciders = POLICY.who_may_decide(criminal("caution"), ctx())
    assert deciders.action == "acknowledge"
    assert [a.person.id for a in deciders.eligible] == ["mjones"]


# --- §4 / §11 relationships ----------------------------------------------------------------------

def relationship(other: str = "mjones", kind: str = "partner", context: str = "line-management",
                 **more: Any) -> Record:
    return rec("relationship", other_person=other, relationship=kind, context=context, **more)


def test_mk_s11_directly_managing_a_partner_without_other_arrangements_is_a_breach():
    assert severities(relationship(), "manage-partner-or-family") == ["breach"]
    arranged = relationship(arrangements="Hana Hughes line-manages Jane from 1 December")
    assert severities(arranged, "manage-partner-or-family") == []


def test_mk_s11_managing_family_found_from_people_yaml_even_in_another_context():
    record = relationship("mjones", "family", "councillor")
    assert severities(record, "manage-partner-or-family") == ["breach"]
    assert severities(relationship("mjones", "friend"), "manage-partner-or-family") == []


def test_mk_s11_a_breach_stays_open_when_noted_and_is_handled_when_rejected():
    """An approval or acknowledgement never resolves a breach; a rejection handles it (issue 8)."""
    noted = relationship(decisions=[{"decision": "noted", "by": "hhughes",
                                     "at": "2026-11-25T10:00:00+00:00"}])
    [finding] = rule(noted, "manage-partner-or-family")
    assert finding.severity == "breach"
    rejected = relationship(decisions=[{"decision": "rejected", "by": "hhughes",
                                        "at": "2026-11-25T10:00:00+00:00"}])
    [finding] = rule(rejected, "manage-partner-or-family")
    assert finding.severity == "info"
    assert "handled: rejected by hhughes on 2026-11-25" in finding.message


def test_mk_s11_significant_decisions_about_a_relative_say_who_decides_instead():
    assert severities(relationship("Sam Friend", "friend", "decision"),
                      "decisions-involving-relative") == ["warning"]


def test_mk_s4_relationship_with_a_councillor_names_an_outsider_freely():
    record = relationship("Cllr Pat Doe", "councillor", "councillor")
    assert not [f for f in found(record) if f.failing]
    assert severities(record, "relationship-person") == []


def test_mk_s11_other_person_should_be_a_people_id_when_it_matters():
    assert severities(relationship("Max", "friend", "decision"), "relationship-person") == ["info"]


# --- §5 Be honest -------------------------------------------------------------------------------

def property_use(from_date: str, declared_on: str = "2026-11-24", **more: Any) -> Record:
    return rec("property-use", declared_on=declared_on, item="Laptop", purpose="Home study",
               from_date=from_date, **more)


def test_mk_s5_property_use_asked_for_on_the_day_it_starts_is_on_time():
    record = property_use("2026-11-24")
    assert due(record) == D("2026-11-24")
    assert not [f for f in found(record) if f.failing]


def test_mk_s5_property_use_without_approval_in_advance_is_a_breach_not_refused():
    record = property_use("2026-11-20")
    assert severities(record, "property-use-in-advance") == ["breach"]
    assert severities(record, "deadline") == ["error"]      # and late: late_reason needed
    assert not [f for f in found(property_use("2026-11-20", late_reason="forgot"))
                if f.severity == "error"]


def test_mk_s5_property_use_end_before_start_is_an_error():
    assert severities(property_use("2026-12-01", to_date="2026-11-30"),
                      "property-use-dates") == ["error"]


def overpayment(**more: Any) -> Record:
    values = {"amount_gbp": "150.00", "paid_on": "2026-11-20", "noticed_on": "2026-11-23"}
    values.update(more)
    return rec("overpayment", **values)


def test_mk_s5_overpayment_is_told_as_soon_as_possible_after_noticing_it():
    deadline = POLICY.deadline(overpayment(), ctx())
    assert deadline is not None and deadline.due == D("2026-11-24")
    assert deadline.section == "MK §5" and "asap_working_days" in deadline.basis


def test_mk_s5_overpayment_is_put_right_by_payroll():
    assert list(POLICY.side_effects(overpayment(), ctx())) == [
        "payroll: put right the overpayment of £150 paid on 2026-11-20 (MK §5)"]


def test_mk_s5_overpayment_noticed_before_it_was_paid_is_an_error():
    assert severities(overpayment(noticed_on="2026-11-19"), "overpayment-dates") == ["error"]


# --- §6 Gifts and hospitality ----------------------------------------------------------------

def test_mk_s6_gift_of_exactly_25_may_not_be_kept():
    [finding] = rule(gift("25.00"), "gift-value-limit")
    assert finding.severity == "breach"
    assert "£25 may not be kept" in finding.message
    assert "gift_limit_gbp = £25, the code's own figure (MK §6: 'a small personal gift (under " \
        "£25)')" in finding.message


def test_mk_s6_gift_of_24_99_may_be_kept_with_the_line_managers_approval():
    record = gift("24.99")
    assert rule(record, "gift-value-limit") == []
    deciders = POLICY.who_may_decide(record, ctx())
    assert deciders.action == "approve" and eligible(record) == ["mjones"]


def test_mk_s6_gift_of_25_shared_with_the_team_is_still_kept():
    assert severities(gift("25.00", "shared-with-team"), "gift-value-limit") == ["breach"]


@pytest.mark.parametrize("outcome", ["declined", "returned", "donated"])
def test_mk_s6_gift_of_25_or_more_declined_returned_or_donated_is_fine(outcome):
    record = gift("250.00", outcome)
    assert rule(record, "gift-value-limit") == []
    assert due(record) is None


def test_mk_s6_a_breach_describing_a_kept_gift_is_flagged_not_an_error():
    assert not [f for f in found(gift("80.00")) if f.severity == "error"]


def test_mk_s6_kept_gift_is_recorded_within_a_parameter_of_working_days():
    deadline = POLICY.deadline(gift("10.00"), ctx())
    assert deadline is not None and deadline.due == D("2026-12-18")   # 20 working days
    assert "record_within_working_days = 20, the policy's default" in deadline.basis


def test_mk_s6_received_after_the_declaration_is_an_error():
    record = rec("gift", received_on="2026-11-25", donor="X", description="Pen",
                 value_gbp="5.00", outcome="kept")
    assert severities(record, "gift-date") == ["error"]


def hospitality(purpose: str = "work", supplier: bool = True, outcome: str = "accepted") -> Record:
    return rec("hospitality", date="2026-11-20", host="Acme Lifts Ltd", host_is_supplier=supplier,
               event="Trade conference", purpose=purpose, value_gbp="60.00", outcome=outcome)


def test_mk_s6_hospitality_for_social_purposes_is_a_breach():
    assert severities(hospitality("social"), "hospitality-social") == ["breach"]
    assert severities(hospitality("social", outcome="declined"), "hospitality-social") == []
    assert severities(hospitality("work"), "hospitality-social") == []


def test_mk_s6_hospitality_accepted_from_a_supplier_must_be_recorded():
    assert due(hospitality(supplier=True)) == D("2026-12-18")
    assert due(hospitality(supplier=False)) is None
    assert severities(hospitality(supplier=False), "hospitality-supplier") == ["info"]


# --- §7 Other work and private interests ---------------------------------------------------------

def outside(declarant: str = "jsmith", start: str = "2026-12-01", declared_on: str = "2026-11-24",
            **more: Any) -> Record:
    values = {"organisation": "Acme", "role": "Bookkeeper", "paid": True, "start_date": start,
              "hours_per_week": 6}
    values.update(more)
    return rec("outside-work", declarant, declared_on, **values)


def test_mk_s7_full_time_grade_h_needs_written_permission_before_starting():
    record = outside("agreen")
    deciders = POLICY.who_may_decide(record, ctx())
    # "the council's written permission": the line manager, or anyone above in the line
    assert (deciders.action, eligible(record)[:2], deciders.section) == \
        ("approve", ["mjones", "hhughes"], "MK §7")
    assert eligible(record)[-1] == "ccarter"
    assert due(record) == D("2026-12-01")
    assert "full-time staff at Grade H" in rule(record, "outside-work-route")[0].message


def test_mk_s7_part_time_grade_h_tells_the_line_manager():
    record = outside("pbrown")
    deciders = POLICY.who_may_decide(record, ctx())
    assert (deciders.action, eligible(record)) == ("acknowledge", ["mjones"])
    assert "part-time staff at Grade H" in rule(record, "outside-work-route")[0].message
    started = outside("pbrown", start="2026-11-01")
    assert rule(started, "outside-work-permission") == []   # "tell", not "permission"


def test_mk_s7_other_grades_complete_the_private_interests_form_before_private_work():
    record = outside("jsmith")   # Grade F
    assert POLICY.who_may_decide(record, ctx()).action == "acknowledge"
    assert "Private Interests Form" in rule(record, "outside-work-route")[0].message
    assert due(record) == D("2026-12-01")


def test_mk_s7_declaring_other_work_on_its_start_date_is_on_time():
    assert severities(outside("agreen", "2026-11-24", "2026-11-24"), "deadline") == []
    assert severities(outside("agreen", "2026-11-24", "2026-11-25"), "deadline") == ["error"]


def test_mk_s7_consultancy_by_a_low_grade_needs_a_very_senior_manager():
    record = outside("jsmith", consultancy=True)
    deciders = POLICY.who_may_decide(record, ctx())
    assert deciders.action == "approve"
    assert eligible(record) == ["hhughes", "sshah", "ddavies", "ccarter"]
    assert "mjones" not in eligible(record)   # a service manager is not a very senior manager
    assert "whatever your grade" in rule(record, "outside-work-route")[0].message


def test_mk_s7_consultancy_by_the_chief_executive_goes_to_the_monitoring_officer():
    record = outside("ccarter", consultancy=True)
    assert eligible(record) == ["mokafor"]


def test_mk_s7_work_started_before_permission_is_a_breach():
    assert severities(outside("agreen", "2026-11-01"), "outside-work-permission") == ["breach"]
    assert severities(outside("jsmith", "2026-11-01", consultancy=True),
                      "outside-work-permission") == ["breach"]


def test_mk_s7_permission_grade_is_a_parameter():
    # kpatel is full-time Grade G: no permission needed at H, needed at G.
    assert POLICY.who_may_decide(outside("kpatel"), ctx()).action == "acknowledge"
    assert POLICY.who_may_decide(outside("kpatel"), ctx(permission_grade="G")).action == "approve"
    [route] = rule(outside("kpatel"), "outside-work-route", ctx(permission_grade="G"))
    assert "Grade G and above" in route.message
    assert "parameters.permission_grade = Grade G, set in coc.yaml: tighter than the code's " \
        "Grade H, MK §7" in route.message
    assert "parameters." not in rule(outside("kpatel"), "outside-work-route")[0].message


def test_mk_s7_a_grade_off_the_scale_asks_for_permission_and_warns():
    people = People(list(PEOPLE), tuple("ABCDEFG"))   # Grade H is not on this scale
    context = Context(people=people, parameters=POLICY.resolve_parameters({}), policy=POLICY)
    record = outside("pbrown")
    assert POLICY.who_may_decide(record, context).action == "approve"
    assert severities(record, "outside-work-route", context) == ["warning"]


def test_mk_s7_private_interest_and_directorship_are_recorded_within_the_parameter():
    interest = rec("interest", nature="family", organisation="Smith Builders",
                   description="My brother owns it", arose_on="2026-11-20")
    directorship = rec("directorship", company_name="Acme Ltd", appointed_on="2026-11-20",
                       council_nominated=False, company_number="01234567")
    assert due(interest) == due(directorship) == D("2026-12-18")
    assert POLICY.who_may_decide(interest, ctx()).section == "MK §7"


def test_mk_s7_company_number_is_kept_as_text():
    bad = rec("directorship", company_name="Acme Ltd", appointed_on="2026-11-20",
              council_nominated=False, company_number="1234")
    assert severities(bad, "company-number") == ["warning"]
    good = rec("directorship", company_name="Acme Ltd", appointed_on="2026-11-20",
               council_nominated=False, company_number="SC123456")
    assert severities(good, "company-number") == []


def test_mk_s7_outside_work_ending_before_it_starts_is_an_error():
    assert severities(outside(end_date="2026-11-30"), "outside-work-dates") == ["error"]


# --- §11 The team knows the code ----------------------------------------------------------------

def test_practice_attestation_without_reading_the_code_warns():
    unread = rec("attestation", year=2026, read_code=False, nil_return=True)
    assert severities(unread, "attestation-read") == ["warning"]
    assert severities(rec("attestation", year=2026, read_code=True, nil_return=True),
                      "attestation-read") == []


# --- kinds the code lacks -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["driving-disqualification", "political-restriction-appeal",
                                  "sponsorship", "service-user-exception"])
def test_mk_kinds_the_code_lacks_are_not_offered_with_a_reason(kind):
    assert kind not in POLICY.kinds
    with pytest.raises(CocError, match=f"no '{kind}' declarations: the Milton Keynes code"):
        POLICY.kind(kind)


def test_mk_parameters_are_named_with_defaults_and_sections():
    assert POLICY.resolve_parameters({})["gift_limit_gbp"] == 25
    with pytest.raises(CocError, match="no parameter 'low_value_limit_gbp'"):
        POLICY.resolve_parameters({"low_value_limit_gbp": "25"})
    assert all(p.section.startswith("MK §") and p.help for p in POLICY.parameters.values())


# --- through the real CLI -----------------------------------------------------------------------

@freeze_time("2026-11-24")
def test_mk_s6_cli_a_kept_gift_of_25_is_recorded_and_flagged_as_a_breach(make_register, coc):
    root = make_register("milton-keynes")
    out = coc(root, "declare", "gift", "--received-on", "2026-11-20", "--donor", "A. Supplier",
              "--description", "Hamper", "--value-gbp", "25", "--outcome", "kept", "--no-input",
              "--json")
    assert out.exit_code == 0, out.output
    record_id = json.loads(out.stdout)["id"]
    shown = json.loads(coc(root, "show", record_id, "--json").stdout)
    assert [(f["rule"], f["severity"], f["section"]) for f in shown["findings"]
            if f["severity"] == "breach"] == [("gift-value-limit", "breach", "MK §6")]
    assert shown["deadline"] == "2026-12-18"
    assert shown["awaiting"]["people"][0]["id"] == "mjones"
    text = coc(root, "show", record_id).output
    assert "awaiting:    Max Jones (line manager) (approve)" in text
    assert "breach: a gift worth £25 may not be kept" in text


@freeze_time("2026-11-24")
def test_mk_s7_cli_consultancy_awaits_a_very_senior_manager(make_register, coc):
    root = make_register("milton-keynes")
    out = coc(root, "declare", "outside-work", "--organisation", "Acme", "--role", "Adviser",
              "--paid", "yes", "--consultancy", "yes", "--start-date", "2026-11-24",
              "--hours-per-week", "4", "--no-input", "--json")
    assert out.exit_code == 0, out.output
    shown = json.loads(coc(root, "show", json.loads(out.stdout)["id"], "--json").stdout)
    assert shown["deadline"] == "2026-11-24"
    assert [p["id"] for p in shown["awaiting"]["people"]] == ["hhughes", "sshah", "ddavies",
                                                              "ccarter"]
