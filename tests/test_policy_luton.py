"""The Luton policy, rule by rule, against the code's text (Luton §10-§28).

Each test is named after the section it checks. Rules are run directly through the engine
(`check_record`) on records built here, with the example organisation of
templates/register/people.example.yaml; a few go through the real CLI to prove the wiring
(deadline in `show --json`, awaiting in `show`, the §18.1 payroll action).
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from freezegun import freeze_time

from coc.policies.base import Context
from coc.registers.errors import CocError
from coc.registers.record import Record
from policy_kit import D, PolicyKit

KIT = PolicyKit("luton")
POLICY, ctx, rec, found, rule, severities = (KIT.policy, KIT.ctx, KIT.rec, KIT.found, KIT.rule,
                                             KIT.severities)


def due(record: Record, context: Context | None = None) -> date | None:
    deadline = POLICY.deadline(record, context or ctx(record))
    return deadline.due if deadline else None


def decide(record: Record, context: Context | None = None) -> tuple[str, list[str], str]:
    deciders = POLICY.who_may_decide(record, context or ctx(record))
    return deciders.action, [a.person.id for a in deciders.eligible], deciders.section


# --- §10 Conflicts of interest ------------------------------------------------------------------

def interest(**more: Any) -> Record:
    values = {"nature": "financial", "organisation": "Acme Lifts", "description": "Shares",
              "arose_on": "2026-11-20"}
    values.update(more)
    return rec("interest", **values)


def test_luton_s10_1_line_manager_seeks_a_decision_from_the_service_director_or_manager():
    assert decide(interest()) == ("approve", ["mjones", "sshah"], "Luton §10.1")


def test_luton_s10_2_public_knowledge_test_unanswered_warns():
    assert severities(interest(), "public-knowledge-test") == ["warning"]
    assert severities(interest(public_knowledge_test="possibly"), "public-knowledge-test") == []


def test_luton_s10_3_no_to_the_public_knowledge_test_is_recorded_anyway():
    assert severities(interest(public_knowledge_test="no"), "public-knowledge-test") == ["info"]


def test_luton_s10_1_interest_deadline_is_the_record_within_parameter():
    deadline = POLICY.deadline(interest(), ctx())
    assert deadline is not None and deadline.due == D("2026-12-18")
    assert "record_within_working_days = 20, the policy's default" in deadline.basis
    assert due(interest(), ctx(record_within_working_days=5)) == D("2026-11-27")


# --- §13 Recruitment of friends or relatives ----------------------------------------------------

def test_luton_s13_1_a_relative_applying_means_no_part_in_the_selection():
    record = rec("relationship", other_person="Sam Smith", relationship="family",
                 context="recruitment")
    assert severities(record, "recruitment-no-part") == ["info"]
    assert "take no part in the selection" in rule(record, "recruitment-no-part")[0].message


# --- §14 Gifts and hospitality ------------------------------------------------------------------

def gift(value: str, outcome: str = "shared-with-team", **more: Any) -> Record:
    return rec("gift", received_on="2026-11-20", donor="A. Resident", description="Chocolates",
               value_gbp=value, outcome=outcome, **more)


def test_luton_s14_3_gift_at_the_low_value_limit_is_not_low_value():
    [finding] = rule(gift("25.00"), "gift-low-value")
    assert finding.severity == "breach" and finding.section == "Luton §14.3"
    assert "low_value_limit_gbp = £25, the policy's default" in finding.message
    assert "the code gives no figure" in finding.message
    assert "Mayor's charity" in finding.message


def test_luton_s14_3_small_low_value_gift_may_be_accepted_if_declared():
    record = gift("24.99")
    assert rule(record, "gift-low-value") == []
    assert due(record) == D("2026-12-18")


def test_luton_s14_3_low_value_limit_set_in_coc_yaml_is_named():
    [finding] = rule(gift("12.50"), "gift-low-value", ctx(low_value_limit_gbp="10"))
    assert "low_value_limit_gbp = £10, set in coc.yaml" in finding.message


@pytest.mark.parametrize("outcome", ["declined", "returned", "donated"])
def test_luton_s14_2_a_gift_not_kept_needs_no_deadline(outcome):
    record = gift("100.00", outcome)
    assert rule(record, "gift-low-value") == [] and due(record) is None


def test_luton_s14_5_gift_from_a_supplier_points_to_the_monitoring_officer():
    assert severities(gift("5.00", donor_is_supplier=True), "gift-from-supplier") == ["info"]
    assert severities(gift("5.00"), "gift-from-supplier") == []


def hospitality(purpose: str = "work", outcome: str = "accepted") -> Record:
    return rec("hospitality", date="2026-11-20", host="Acme Lifts Ltd", event="Dinner",
               purpose=purpose, value_gbp="60.00", outcome=outcome)


def test_luton_s14_4_social_hospitality_needs_a_human_look():
    [finding] = rule(hospitality("social"), "hospitality-social")
    assert finding.severity == "warning" and "Monitoring Officer" in finding.message


def test_luton_s14_4_modest_working_hospitality_need_not_be_declared():
    assert severities(hospitality("work"), "hospitality-modest") == ["info"]
    assert due(hospitality("work")) == D("2026-12-18")
    assert due(hospitality("work", "declined")) is None


# --- §15 Sponsorship ----------------------------------------------------------------------------

def test_luton_s15_1_employee_or_family_benefiting_from_sponsorship_is_a_breach():
    record = rec("sponsorship", event="Fun run", sponsor="Luton BC", involvement="Organiser",
                 family_benefit=True)
    assert severities(record, "sponsorship-benefit") == ["breach"]


# --- §16 Political restrictions -----------------------------------------------------------------

def appeal(designation: str, declarant: str = "sshah") -> Record:
    return rec("political-restriction-appeal", declarant, post_title="Service Director",
               post_designation=designation, job_description="Full JD attached",
               reasons="No policy advice to members")


def test_luton_s16_2_a_specified_post_cannot_appeal():
    [finding] = rule(appeal("specified"), "specified-post")
    assert finding.severity == "breach" and finding.section == "Luton §16.2"


def test_luton_s16_4_a_sensitive_post_appeals_to_the_monitoring_officer():
    record = appeal("sensitive")
    assert rule(record, "specified-post") == []
    # "by contacting the Monitoring Officer": a notice to the MO, not an approval (issue 8)
    assert decide(record) == ("acknowledge", ["mokafor"], "Luton §16.4")


def test_luton_s16_3_appellant_not_politically_restricted_in_people_yaml_warns():
    assert severities(appeal("sensitive", "jsmith"), "politically-restricted") == ["warning"]
    assert severities(appeal("sensitive", "sshah"), "politically-restricted") == []


def test_luton_s16_4_the_monitoring_officers_own_appeal_goes_up():
    assert decide(appeal("sensitive", "mokafor"))[1] == ["ccarter"]


# --- §17 Criminal charges and convictions -------------------------------------------------------

def criminal(event: str, event_date: str = "2026-11-27", declared_on: str = "2026-11-30",
             suffix: str = "AAAAAA", **more: Any) -> Record:
    return rec("criminal-matter", declared_on=declared_on, suffix=suffix, event=event,
               event_date=event_date, subject=more.pop("subject", "self"), **more)


@pytest.mark.parametrize("event", ["reprimand", "warning", "caution", "investigation", "arrest",
                                   "charge", "conviction"])
def test_luton_s17_2_every_event_is_notified_on_the_next_working_day(event):
    deadline = POLICY.deadline(criminal(event), ctx())
    assert deadline is not None and deadline.due == D("2026-11-30")     # Friday -> Monday
    assert deadline.section == "Luton §17.2"
    assert severities(criminal(event, declared_on="2026-12-01"), "deadline") == ["error"]


def test_luton_s17_2_next_working_day_skips_christmas_2027_substitute_days():
    assert due(criminal("arrest", "2027-12-24")) == D("2027-12-29")


def test_luton_s17_2_each_development_after_an_arrest_is_a_follow_up_with_its_own_deadline():
    arrest = criminal("arrest", suffix="ARREST")
    development = criminal("development", "2026-12-09", "2026-12-10", suffix="DEVELP",
                           follows=arrest.id)
    outcome = criminal("outcome", "2027-02-05", "2027-02-08", suffix="OUTCOM",
                       follows=development.id)
    context = ctx(arrest, development, outcome)
    assert due(development, context) == D("2026-12-10")
    assert due(outcome, context) == D("2027-02-08")
    assert not [f for r in (arrest, development, outcome) for f in found(r, context) if f.failing]
    [note] = rule(arrest, "criminal-follow-up", context)
    assert note.severity == "info" and "--follows CRM-2026-ARREST" in note.message
    assert "CRM-2026-DEVELP (development, 2026-12-09)" in note.message
    late = criminal("development", "2026-12-09", "2026-12-11", suffix="DEVELP", follows=arrest.id)
    assert severities(late, "deadline", ctx(arrest, late)) == ["error"]


def test_luton_s17_2_a_development_without_follows_is_an_error():
    assert severities(criminal("development"), "criminal-follow-up") == ["error"]


def test_luton_s17_2_a_development_dated_before_the_arrest_is_an_error():
    arrest = criminal("arrest", "2026-11-27", suffix="ARREST")
    early = criminal("outcome", "2026-11-26", suffix="OUTCOM", follows=arrest.id)
    assert severities(early, "criminal-follow-up", ctx(arrest, early)) == ["error"]


def test_luton_s17_2_follows_must_name_an_earlier_notice_of_the_same_person():
    other = rec("criminal-matter", "pbrown", "2026-11-30", suffix="PBROWN", event="arrest",
                event_date="2026-11-27", subject="self")
    wrong = criminal("development", follows=other.id, suffix="DEVELP")
    assert severities(wrong, "follows", ctx(other, wrong)) == ["error"]
    missing = criminal("development", follows="CRM-2026-ZZZZZZ", suffix="DEVELP")
    assert severities(missing, "follows", ctx(missing)) == ["error"]


def test_luton_s17_3_household_member_has_no_time_of_its_own():
    """§17.3 "should notify their line manager" gives no time, unlike §17.2 (issue 8)."""
    assert POLICY.deadline(criminal("charge", subject="household-member"), ctx()) is None


def test_luton_s17_criminal_matter_is_acknowledged_by_the_line_manager():
    assert decide(criminal("arrest"))[:2] == ("acknowledge", ["mjones"])


# --- §18 Driving disqualification ---------------------------------------------------------------

PAYROLL = ("payroll: stop the essential car user lump sum from 2026-11-27, for the duration of "
           "the disqualification (Luton §18.1)")


def driving(declarant: str = "agreen", declared_on: str = "2026-11-30", **more: Any) -> Record:
    values = {"reason": "criminal", "start_date": "2026-11-27"}
    values.update(more)
    return rec("driving-disqualification", declarant, declared_on, **values)


def test_luton_s18_1_a_driver_tells_the_manager_on_the_next_working_day():
    assert due(driving()) == D("2026-11-30")
    assert severities(driving(declared_on="2026-12-01"), "deadline") == ["error"]
    assert decide(driving())[:2] == ("acknowledge", ["mjones"])


def test_luton_s18_1_essential_car_user_lump_sum_stops_from_the_disqualification_date():
    assert list(POLICY.side_effects(driving(), ctx())) == [PAYROLL]
    ended = driving(end_date="2027-05-26")
    assert "until 2027-05-26" in next(iter(POLICY.side_effects(ended, ctx())))


def test_luton_s18_1_no_payroll_action_for_someone_without_the_allowance():
    record = driving("jsmith", drives_on_council_business=True)
    assert list(POLICY.side_effects(record, ctx())) == []
    assert due(record) == D("2026-11-30")


def test_luton_s18_1_someone_who_does_not_drive_for_work_has_no_deadline():
    record = driving("jsmith", declared_on="2026-12-20")
    assert due(record) is None
    assert severities(record, "driving-duty") == ["info"]


def test_luton_s18_1_saying_not_an_essential_car_user_against_people_yaml_warns():
    record = driving(essential_car_user=False)
    assert severities(record, "driving-duty") == ["warning"]
    assert list(POLICY.side_effects(record, ctx()))    # payroll still stops it


# --- §19 Paid or unpaid work outside the council ------------------------------------------------

def outside(declarant: str = "jsmith", start: str = "2026-12-01", declared_on: str = "2026-11-24",
            hours: float = 6, **more: Any) -> Record:
    values = {"organisation": "Acme", "role": "Bookkeeper", "paid": True, "start_date": start,
              "hours_per_week": hours, "working_pattern": "Saturdays 9-3"}
    values.update(more)
    return rec("outside-work", declarant, declared_on, **values)


def test_luton_s19_4_approval_is_sought_first_declaring_on_the_start_date_is_on_time():
    assert due(outside()) == D("2026-12-01")
    assert severities(outside(start="2026-11-24"), "deadline") == []
    assert severities(outside(start="2026-11-23"), "deadline") == ["error"]


def test_luton_s19_4_work_started_before_approval_was_sought_is_a_breach():
    assert severities(outside(start="2026-11-01"), "secondary-employment-first") == ["breach"]
    assert severities(outside(start="2026-11-24"), "secondary-employment-first") == []


def test_luton_s19_4_working_pattern_is_asked_for():
    record = outside()
    details = dict(record.details)
    del details["working_pattern"]
    bare = Record(data={**record.data, "details": details})
    assert severities(bare, "working-pattern") == ["warning"]
    assert severities(record, "working-pattern") == []


def test_luton_s19_2_s19_5_over_48_hours_with_contracted_hours_warns():
    [finding] = rule(outside(hours=12), "working-time")       # 37 + 12 = 49
    assert finding.severity == "warning" and finding.section == "Luton §19.2, §19.5"
    assert "49 a week, over the 48-hour average" in finding.message
    assert "working_time_limit_hours = 48, the policy's default" in finding.message
    assert rule(outside(hours=11), "working-time") == []       # exactly 48 is not over


def test_luton_s19_2_working_time_limit_is_a_parameter():
    [finding] = rule(outside(hours=4), "working-time", ctx(working_time_limit_hours=40))
    assert "set in coc.yaml" in finding.message


def test_luton_s19_7_line_manager_service_manager_or_service_director_approves():
    assert decide(outside()) == ("approve", ["mjones", "sshah"], "Luton §19.7")


def test_luton_s19_end_before_start_is_an_error():
    assert severities(outside(end_date="2026-11-30"), "outside-work-dates") == ["error"]


# --- §20 Voluntary work -------------------------------------------------------------------------

def voluntary(category: str, start: str = "2026-12-01", declared_on: str = "2026-11-24") -> Record:
    return rec("voluntary-work", declared_on=declared_on, organisation="Stopsley Scouts",
               role="Leader", category=category, start_date=start)


def test_luton_s20_4_other_voluntary_work_is_advised_to_the_line_manager():
    assert decide(voluntary("other")) == ("acknowledge", ["mjones"], "Luton §20.4")
    assert due(voluntary("other")) == D("2026-12-31")    # 20 working days, skipping 25, 28 Dec


@pytest.mark.parametrize("category", ["management-committee", "tenants-committee",
                                      "school-governor", "youth-group", "play-scheme",
                                      "sports-club-committee", "grant-aided-organisation",
                                      "freemasons-rotary-round-table", "committee-nomination"])
def test_luton_s20_5_the_nine_listed_activities_need_approval_first(category):
    assert due(voluntary(category)) == D("2026-12-01")
    assert severities(voluntary(category, "2026-11-24"), "deadline") == []


def test_luton_s20_5_activity_started_before_approval_was_sought_is_a_breach():
    assert severities(voluntary("youth-group", "2026-11-01"), "voluntary-approval-first") == \
        ["breach"]


def test_luton_s20_6_service_director_or_service_manager_approves():
    assert decide(voluntary("school-governor")) == ("approve", ["mjones", "sshah"], "Luton §20.6")


# --- §21 Senior managers and chief officers -----------------------------------------------------

def test_luton_s21_1_a_chief_officer_declares_professional_commitments_to_the_monitoring_officer():
    record = outside("ddavies")
    assert decide(record) == ("approve", ["mokafor"], "Luton §21.1")
    assert severities(record, "whole-time-service") == ["warning"]


def test_luton_s21_1_a_senior_managers_directorship_goes_to_the_monitoring_officer():
    record = rec("directorship", "hhughes", company_name="Acme Ltd", appointed_on="2026-11-20",
                 council_nominated=False)
    assert decide(record) == ("acknowledge", ["mokafor"], "Luton §21.1")


def test_luton_s21_1_the_monitoring_officers_own_commitments_go_to_the_chief_executive():
    assert decide(outside("mokafor"))[1] == ["ccarter"]


# --- §22 Directorships --------------------------------------------------------------------------

def directorship(nominated: bool, number: str = "01234567") -> Record:
    return rec("directorship", company_name="Luton Homes Ltd", appointed_on="2026-11-20",
               council_nominated=nominated, company_number=number)


def test_luton_s22_1_directorship_is_declared_to_the_line_manager():
    assert decide(directorship(False)) == ("acknowledge", ["mjones"], "Luton §22.1")
    assert due(directorship(False)) == D("2026-12-18")


def test_luton_s22_1_company_number_looks_like_companies_house():
    assert severities(directorship(False, "OC301234"), "company-number") == []
    assert severities(directorship(False, "12-34"), "company-number") == ["warning"]


def test_luton_s22_2_council_nominated_director_monitoring_officer_informed():
    record = directorship(True)
    # declared to the line manager as §22.1, "and the Monitoring Officer informed"
    assert decide(record) == ("acknowledge", ["mjones", "mokafor"], "Luton §22.2")
    assert severities(record, "council-nominated-director") == ["info"]


# --- §26 Service users --------------------------------------------------------------------------

def exception(kind: str = "home-visit", decisions: list[dict[str, Any]] | None = None) -> Record:
    return rec("service-user-exception", case_reference="SC/123", exception=kind,
               reason="Respite care", decisions=decisions)


def test_luton_s26_1_exception_needs_the_line_managers_express_approval():
    assert decide(exception())[:2] == ("approve", ["mjones"])


def test_luton_s26_1_an_approved_exception_is_recorded_on_the_case_papers():
    assert list(POLICY.side_effects(exception(), ctx())) == []
    approved = exception(decisions=[{"decision": "approved", "by": "mjones",
                                     "at": "2026-11-25T10:00:00+00:00"}])
    assert list(POLICY.side_effects(approved, ctx())) == [
        "record the decision on the service case papers for case SC/123 (Luton §26.1)"]


def test_luton_s26_2_other_exceptions_are_checked_against_what_is_never_allowed():
    assert severities(exception("other"), "never-allowed") == ["warning"]
    assert severities(exception("home-visit"), "never-allowed") == []


# --- §28 Council facilities ---------------------------------------------------------------------

def property_use(from_date: str, declared_on: str = "2026-11-24") -> Record:
    return rec("property-use", declared_on=declared_on, item="Pressure washer",
               purpose="Weekend", from_date=from_date)


def test_luton_s28_1_prior_permission_declaring_on_the_day_is_on_time():
    assert due(property_use("2026-11-24")) == D("2026-11-24")
    assert severities(property_use("2026-11-24"), "deadline") == []


def test_luton_s28_1_taken_before_permission_was_asked_is_a_breach():
    """"unless prior permission has been given": taking it first is a breach (issue 8)."""
    assert severities(property_use("2026-11-20"), "property-prior-permission") == ["breach"]


# --- Responsibilities, kinds and parameters -----------------------------------------------------

def test_practice_attestation_without_reading_the_code_warns():
    record = rec("attestation", year=2026, read_code=False, nil_return=True)
    assert severities(record, "attestation-read") == ["warning"]


def test_luton_overpayment_is_not_offered_with_a_reason():
    with pytest.raises(CocError, match="no 'overpayment' declarations: the Luton code"):
        POLICY.kind("overpayment")


def test_luton_parameters_refuse_unknown_names_and_bad_values():
    with pytest.raises(CocError, match="no parameter 'gift_limit_gbp'"):
        POLICY.resolve_parameters({"gift_limit_gbp": "25"})
    with pytest.raises(CocError, match="parameters.low_value_limit_gbp"):
        POLICY.resolve_parameters({"low_value_limit_gbp": 25.5})


# --- through the real CLI -----------------------------------------------------------------------

@freeze_time("2026-11-30")
def test_luton_s18_1_cli_show_carries_the_payroll_action_and_who_acknowledges(make_register,
                                                                              coc):
    root = make_register("luton")
    out = coc(root, "declare", "driving-disqualification", "--reason", "criminal",
              "--start-date", "2026-11-27", "--no-input", "--json", user="agreen")
    assert out.exit_code == 0, out.output
    record_id = json.loads(out.stdout)["id"]
    shown = json.loads(coc(root, "show", record_id, "--json").stdout)
    assert shown["deadline"] == "2026-11-30"
    assert shown["actions"] == [PAYROLL]
    text = coc(root, "show", record_id).output
    assert "awaiting:    Max Jones (line manager) (acknowledge)" in text
    assert "action:      payroll: stop the essential car user lump sum" in text


@freeze_time("2026-12-10")
def test_luton_s17_2_cli_follow_up_declared_with_follows(make_register, coc):
    root = make_register("luton")
    first = coc(root, "declare", "criminal-matter", "--event", "arrest", "--event-date",
                "2026-11-27", "--subject", "self", "--late-reason", "in custody", "--no-input",
                "--json")
    assert first.exit_code == 0, first.output
    arrest_id = json.loads(first.stdout)["id"]
    second = coc(root, "declare", "criminal-matter", "--event", "development", "--event-date",
                 "2026-12-09", "--subject", "self", "--follows", arrest_id, "--no-input", "--json")
    assert second.exit_code == 0, second.output
    shown = json.loads(coc(root, "show", json.loads(second.stdout)["id"], "--json").stdout)
    assert shown["deadline"] == "2026-12-10"
    assert shown["record"]["details"]["follows"] == arrest_id
    arrest = json.loads(coc(root, "show", arrest_id, "--json").stdout)
    assert any("so far: " + json.loads(second.stdout)["id"] in f["message"]
               for f in arrest["findings"])
