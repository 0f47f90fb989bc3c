"""Issue 8: every duty as its code says, and no breach approved away.

Through the real CLI on real register repositories (the example organisation): each test is
named after the section it checks, and asks the same question of declare, show, check,
approve, overdue, validate, the hook and audit, so they cannot disagree.

The example organisation: jsmith (Grade F, full-time) reports to mjones (service manager),
who reports to hhughes (head of service), sshah (service director), ddavies (director),
ccarter (chief executive); pbrown is Grade H part-time; mokafor is the Monitoring Officer.
"""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from coc.policies.duties import duty_rows
from coc.policies.registry import get_policy
from conftest import EXAMPLE_EMAILS, git

TODAY = date.today()
# the two codes, verbatim: a copy of ../shared/seeds kept with the tests, so a clone alone
# runs them (tests/test_docs.py checks the copy still matches where ../shared is present)
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"


def iso(day: date) -> str:
    return day.isoformat()


def declare(coc, root: Path, kind: str, *flags: str, user: str = "jsmith") -> str:
    result = coc(root, "declare", kind, *flags, "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def show(coc, root: Path, record_id: str) -> dict:
    result = coc(root, "show", record_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def gift(value: str = "12.50", outcome: str = "shared-with-team",
         received: date = TODAY) -> tuple[str, ...]:
    return ("--received-on", iso(received), "--donor", "A. Supplier", "--description",
            "Box of chocolates", "--value-gbp", value, "--outcome", outcome)


def hospitality(value: str, purpose: str = "work", outcome: str = "accepted",
                supplier: str = "yes", when: date = TODAY) -> tuple[str, ...]:
    return ("--date", iso(when), "--host", "Acme Lifts", "--host-is-supplier", supplier,
            "--event", "Dinner and hotel", "--purpose", purpose, "--value-gbp", value,
            "--outcome", outcome)


def outside_work(start: date, consultancy: str = "no") -> tuple[str, ...]:
    return ("--organisation", "Acme Ltd", "--role", "Adviser", "--paid", "yes",
            "--consultancy", consultancy, "--start-date", iso(start), "--hours-per-week", "5")


def approve(coc, root: Path, record_id: str, user: str, *more: str):
    return coc(root, "approve", record_id, *more, user=user)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


# --- contract 1: three kinds of duty ---------------------------------------------------------------

def test_luton_s14_3_a_gift_is_declared_and_recorded_and_nobody_approves_it(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "gift", *gift())
    shown = show(coc, root, record_id)
    assert shown["awaiting"] is None
    before = head(root)
    refused = approve(coc, root, record_id, "mjones")
    assert refused.exit_code == 1
    assert "needs no one's decision" in refused.output and "Luton §14.3" in refused.output
    assert head(root) == before
    assert coc(root, "validate", "--all").exit_code == 0
    with freeze_time(TODAY + timedelta(days=90)):
        overdue = coc(root, "overdue")
    assert record_id not in overdue.output, overdue.output


def test_luton_s14_3_the_hook_refuses_a_hand_written_approval_of_a_recorded_gift(make_register,
                                                                                  coc):
    root = make_register("luton")
    record_id = declare(coc, root, "gift", *gift())
    (path,) = root.glob(f"registers/*/*/*/{record_id}.yaml")
    text = path.read_text() + (
        "decisions:\n- decision: approved\n  by: mjones\n  at: 2026-01-01T10:00:00+00:00\n"
        "  details_version: 0\n")
    path.write_text(text.replace("decisions: []\n", ""))
    git(root, "add", "-A")
    with pytest.raises(Exception):
        git(root, "commit", "-qm", "approve by hand", email=EXAMPLE_EMAILS["mjones"])


def test_mk_s6_a_kept_gift_is_a_permission_the_line_manager_approves(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "gift", *gift())
    shown = show(coc, root, record_id)
    assert shown["awaiting"]["action"] == "approve"
    assert [p["id"] for p in shown["awaiting"]["people"]] == ["mjones"]
    assert approve(coc, root, record_id, "mjones").exit_code == 0
    assert show(coc, root, record_id)["status"] == "approved"


def test_mk_s6_supplier_hospitality_is_written_down_and_acknowledged(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "hospitality", *hospitality("40"))
    shown = show(coc, root, record_id)
    assert shown["awaiting"]["action"] == "acknowledge"
    result = approve(coc, root, record_id, "mjones")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Acknowledged (noted) {record_id}")
    assert show(coc, root, record_id)["status"] == "noted"


@pytest.mark.parametrize("outcome", ["declined", "returned", "donated"])
def test_mk_s6_a_gift_not_kept_waits_for_nobody_and_is_never_chased(make_register, coc, outcome):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "gift", *gift("80", outcome, TODAY - timedelta(days=120)))
    assert show(coc, root, record_id)["awaiting"] is None
    assert show(coc, root, record_id)["deadline"] is None
    with freeze_time(TODAY + timedelta(days=90)):
        assert record_id not in coc(root, "overdue").output


def test_mk_s4_a_councillor_relationship_is_disclosed_and_acknowledged(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "relationship", "--other-person", "Cllr Bloggs",
                        "--relationship", "councillor", "--context", "councillor")
    assert show(coc, root, record_id)["awaiting"]["action"] == "acknowledge"


def test_mk_s7_private_interests_are_told_not_approved(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "interest", "--nature", "financial", "--organisation",
                        "Acme Lifts", "--description", "Shares in a supplier", "--arose-on",
                        iso(TODAY))
    assert show(coc, root, record_id)["awaiting"]["action"] == "acknowledge"
    refused = approve(coc, root, record_id, "mjones", "--conditions", "sell them")
    assert refused.exit_code == 1 and "acknowledged, not approved" in refused.output


# --- contract 2: an approval never resolves a breach -------------------------------------------------

def test_mk_s6_a_kept_gift_of_25_or_more_cannot_be_approved_until_returned(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "gift", *gift("25", "kept"))
    assert coc(root, "validate", "--all").exit_code == 1
    before = head(root)
    refused = approve(coc, root, record_id, "mjones")
    assert refused.exit_code == 1, refused.output
    assert "an approval never resolves a breach" in refused.output and "MK §6" in refused.output
    assert "coc amend" in refused.output and "coc reject" in refused.output
    assert head(root) == before and git(root, "status", "--porcelain") == ""
    # the way out: the gift is returned, by amendment
    amended = coc(root, "amend", record_id, "--outcome", "returned", "--note", "sent back")
    assert amended.exit_code == 0, amended.output
    assert coc(root, "validate", "--all").exit_code == 0


def test_mk_s6_social_hospitality_rejected_shows_as_handled(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "hospitality", *hospitality("30", purpose="social"))
    assert coc(root, "validate", "--all").exit_code == 1
    assert approve(coc, root, record_id, "mjones").exit_code == 1
    rejected = coc(root, "reject", record_id, "--reason", "social hospitality", user="mjones")
    assert rejected.exit_code == 0, rejected.output
    assert coc(root, "validate", "--all").exit_code == 0
    [handled] = [f for f in show(coc, root, record_id)["findings"]
                 if f["rule"] == "hospitality-social"]
    assert handled["severity"] == "info" and "handled: rejected by mjones on" in handled["message"]


def test_luton_s14_3_a_gift_over_the_low_value_limit_is_open_until_withdrawn(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "gift", *gift("60", "kept"))
    assert coc(root, "validate", "--all").exit_code == 1
    withdrawn = coc(root, "withdraw", record_id, "--reason", "declared in error")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert coc(root, "validate", "--all").exit_code == 0
    [handled] = [f for f in show(coc, root, record_id)["findings"] if f["rule"] == "gift-low-value"]
    assert "handled: withdrawn by jsmith" in handled["message"]


def test_luton_s15_1_family_benefit_from_a_sponsorship_is_a_breach_nobody_approves(make_register,
                                                                                    coc):
    root = make_register("luton")
    record_id = declare(coc, root, "sponsorship", "--event", "Fun run", "--sponsor", "Council",
                        "--involvement", "organiser", "--family-benefit", "yes")
    assert coc(root, "validate", "--all").exit_code == 1
    assert show(coc, root, record_id)["awaiting"] is None      # §15.1: seek guidance, no approver


def test_luton_s16_4_a_specified_post_cannot_appeal_and_the_mo_cannot_note_it(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "political-restriction-appeal", "--post-title", "Officer",
                        "--post-designation", "specified", "--job-description", "Duties",
                        "--reasons", "not sensitive", user="mokafor")
    refused = approve(coc, root, record_id, "ccarter")
    assert refused.exit_code == 1 and "never resolves a breach" in refused.output


def test_luton_s16_4_a_sensitive_post_appeals_by_contacting_the_monitoring_officer(make_register,
                                                                                    coc):
    root = make_register("luton")
    record_id = declare(coc, root, "political-restriction-appeal", "--post-title", "Officer",
                        "--post-designation", "sensitive", "--job-description", "Duties",
                        "--reasons", "not sensitive", user="sshah")
    awaiting = show(coc, root, record_id)["awaiting"]
    assert awaiting["action"] == "acknowledge"
    assert [p["id"] for p in awaiting["people"]] == ["mokafor"]


def test_mk_s11_managing_a_partner_without_arrangements_stays_a_breach_after_approval(
        make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "relationship", "--other-person", "pbrown", "--relationship",
                        "partner", "--context", "line-management", user="mjones")
    refused = approve(coc, root, record_id, "hhughes")
    assert refused.exit_code == 1 and "MK §11" in refused.output
    amended = coc(root, "amend", record_id, "--arrangements", "Pat reports to Hana instead",
                  user="mjones")
    assert amended.exit_code == 0, amended.output
    assert approve(coc, root, record_id, "hhughes").exit_code == 0
    assert coc(root, "validate", "--all").exit_code == 0


def test_a_breach_approved_in_a_no_verify_commit_fails_validate_and_audit(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "gift", *gift("300", "kept"))
    (path,) = root.glob(f"registers/*/*/*/{record_id}.yaml")
    record = show(coc, root, record_id)["record"]
    text = path.read_text().replace("decisions: []\n", "")
    text += ("decisions:\n- decision: approved\n  by: mjones\n"
             "  at: " + TODAY.isoformat() + "T12:00:00+00:00\n  as: line manager\n"
             "  details_version: 0\n")
    path.write_text(text)
    git(root, "commit", "-qam", f"approve(gift): {record_id} by mjones", "--no-verify",
        email=EXAMPLE_EMAILS["mjones"])
    assert record["id"] == record_id
    validated = coc(root, "validate", "--all")
    assert validated.exit_code == 1 and "MK §6" in validated.output
    audited = coc(root, "audit")
    assert audited.exit_code == 1 and "approves-breach" in audited.output, audited.output


# --- contract 3: a declared relationship protects whatever became of its record ----------------------

def test_luton_s10_3_a_rejected_relationship_still_keeps_the_partner_from_deciding(
        make_register, coc):
    root = make_register("luton")
    rel = declare(coc, root, "relationship", "--other-person", "mjones", "--relationship",
                  "partner", "--context", "line-management")
    assert coc(root, "reject", rel, "--reason", "no", user="mjones").exit_code == 1  # excluded
    rejected = coc(root, "reject", rel, "--reason", "form incomplete", user="sshah")
    assert rejected.exit_code == 0, rejected.output
    work = declare(coc, root, "outside-work", *outside_work(TODAY + timedelta(days=30)),
                   "--working-pattern", "Saturdays")
    named = [p["id"] for p in show(coc, root, work)["awaiting"]["people"]]
    assert "mjones" not in named and named
    refused = approve(coc, root, work, "mjones")
    assert refused.exit_code == 1 and "relationship" in refused.output
    declared = coc(root, "declare", "outside-work", *outside_work(TODAY + timedelta(days=31)),
                   "--working-pattern", "Sundays", "--no-input")
    assert declared.exit_code == 0, declared.output
    awaiting = declared.output.split("Awaiting:")[1]
    assert "Max Jones" not in awaiting and "Sam Shah" in awaiting
    assert approve(coc, root, work, named[0]).exit_code == 0


def test_mk_s11_an_undecided_relationship_already_protects(make_register, coc):
    root = make_register("milton-keynes")
    declare(coc, root, "relationship", "--other-person", "mjones", "--relationship", "partner",
            "--context", "line-management", "--arrangements", "Hana decides for Jane")
    record_id = declare(coc, root, "gift", *gift())
    named = [p["id"] for p in show(coc, root, record_id)["awaiting"]["people"]]
    assert named == ["hhughes"]
    assert approve(coc, root, record_id, "mjones").exit_code == 1
    assert approve(coc, root, record_id, "hhughes").exit_code == 0


# --- routing --------------------------------------------------------------------------------------

def test_mk_s7_full_time_grade_h_permission_may_come_from_above_in_the_line(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "outside-work", *outside_work(TODAY + timedelta(days=30)),
                        user="agreen")
    ids = [p["id"] for p in show(coc, root, record_id)["awaiting"]["people"]]
    assert ids[0] == "mjones" and "hhughes" in ids and "ccarter" in ids
    assert approve(coc, root, record_id, "sshah").exit_code == 0


def test_mk_s7_consultancy_any_very_senior_manager(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "outside-work",
                        *outside_work(TODAY + timedelta(days=30), consultancy="yes"),
                        user="kpatel")
    ids = [p["id"] for p in show(coc, root, record_id)["awaiting"]["people"]]
    # kpatel's line is ddavies -> ccarter; a Head of Service in housing may also give it
    assert ids[0] == "ddavies" and "hhughes" in ids and "sshah" in ids


def test_mk_s7_starting_private_work_before_the_form_is_a_breach(make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "outside-work", *outside_work(TODAY - timedelta(days=10)),
                        "--late-reason", "forgot")
    shown = show(coc, root, record_id)
    assert any(f["severity"] == "breach" and f["section"] == "MK §7" for f in shown["findings"])


def test_mk_s7_a_part_time_grade_h_notice_after_the_start_is_not_started_before_approval(
        make_register, coc):
    root = make_register("milton-keynes")
    record_id = declare(coc, root, "outside-work", *outside_work(TODAY - timedelta(days=3)),
                        user="pbrown")
    assert show(coc, root, record_id)["awaiting"]["action"] == "acknowledge"
    assert approve(coc, root, record_id, "mjones").exit_code == 0
    audited = coc(root, "audit")
    assert "started-before-approval" not in audited.output, audited.output


def test_luton_s14_4_modest_work_hospitality_needs_nothing_and_is_never_late(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "hospitality",
                        *hospitality("20", when=TODAY - timedelta(days=200)))
    shown = show(coc, root, record_id)
    assert shown["deadline"] is None and shown["awaiting"] is None
    assert not [f for f in shown["findings"] if f["severity"] in ("error", "breach")]


def test_luton_s14_4_a_600_pound_supplier_dinner_is_not_modest(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "hospitality", *hospitality("600"))
    shown = show(coc, root, record_id)
    assert shown["deadline"] is not None and shown["awaiting"] is None
    assert not any("need not be declared" in f["message"] for f in shown["findings"])


def test_luton_s14_4_the_modest_limit_is_a_labelled_parameter(make_register, coc):
    root = make_register("luton", config={"parameters": {"modest_hospitality_limit_gbp": '"10"'}})
    record_id = declare(coc, root, "hospitality", *hospitality("20"))
    assert show(coc, root, record_id)["deadline"] is not None
    rows = {r["section"]: r for r in duty_rows(get_policy("luton")) if r["route"] == "modest"}
    assert rows["Luton §14.4"]["parameters"][0]["name"] == "modest_hospitality_limit_gbp"


def test_luton_s17_3_a_household_member_has_no_deadline_and_is_not_refused_late(make_register,
                                                                                 coc):
    root = make_register("luton")
    record_id = declare(coc, root, "criminal-matter", "--event", "arrest", "--event-date",
                        iso(TODAY - timedelta(days=40)), "--subject", "household-member")
    shown = show(coc, root, record_id)
    assert shown["deadline"] is None and shown["awaiting"]["action"] == "acknowledge"
    with freeze_time(TODAY + timedelta(days=30)):
        assert "overdue-notification" not in coc(root, "overdue").output


def test_luton_s17_3_a_dbs_barring_has_no_s17_2_deadline(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "criminal-matter", "--event", "dbs-barring", "--event-date",
                        iso(TODAY - timedelta(days=40)), "--subject", "self", user="kpatel")
    shown = show(coc, root, record_id)
    assert shown["deadline"] is None and shown["awaiting"]["section"].startswith("Luton §17.3")


def test_luton_s17_2_a_development_follows_an_arrest_only(make_register, coc):
    root = make_register("luton")
    caution = declare(coc, root, "criminal-matter", "--event", "caution", "--event-date",
                      iso(TODAY), "--subject", "self")
    result = coc(root, "declare", "criminal-matter", "--event", "development", "--event-date",
                 iso(TODAY), "--subject", "self", "--follows", caution, "--no-input")
    assert result.exit_code == 1 and "arrest" in result.output


def test_luton_s18_1_a_job_that_requires_a_driving_licence(make_register, coc):
    people = (Path(__file__).resolve().parents[1] / "templates" / "register" /
              "people.example.yaml").read_text().replace(
        "    flags: [works-with-children]", "    flags: [works-with-children, requires-driving-licence]")
    root = make_register("luton", people=people)
    record_id = declare(coc, root, "driving-disqualification", "--reason", "medical",
                        "--start-date", iso(TODAY), user="kpatel")
    shown = show(coc, root, record_id)
    assert shown["deadline"] is not None and shown["awaiting"]["action"] == "acknowledge"


def test_luton_s19_2_the_48_hour_look_adds_every_declared_job(make_register, coc):
    root = make_register("luton")
    first = ("--organisation", "Shop", "--role", "Assistant", "--paid", "yes", "--start-date",
             iso(TODAY + timedelta(days=30)), "--hours-per-week", "8", "--working-pattern", "Sat")
    declare(coc, root, "outside-work", *first)
    second = ("--organisation", "Bar", "--role", "Staff", "--paid", "yes", "--start-date",
              iso(TODAY + timedelta(days=30)), "--hours-per-week", "6", "--working-pattern", "Sun")
    record_id = declare(coc, root, "outside-work", *second)
    findings = show(coc, root, record_id)["findings"]
    [hours] = [f for f in findings if f["rule"] == "working-time"]
    assert "51" in hours["message"]           # 37 contracted + 8 + 6


def test_luton_s20_5_an_activity_started_before_approval_is_a_breach(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "voluntary-work", "--organisation", "Town school",
                        "--role", "Governor", "--category", "school-governor", "--start-date",
                        iso(TODAY - timedelta(days=5)), "--late-reason", "forgot")
    assert any(f["severity"] == "breach" for f in show(coc, root, record_id)["findings"])


def test_luton_s28_1_property_taken_before_permission_is_a_breach(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "property-use", "--item", "Laptop", "--purpose", "homework",
                        "--from-date", iso(TODAY - timedelta(days=2)), "--late-reason", "forgot")
    assert any(f["severity"] == "breach" for f in show(coc, root, record_id)["findings"])


def test_luton_s22_2_a_council_nominated_director_declares_to_the_line_manager(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "directorship", "--company-name", "Luton Homes Ltd",
                        "--company-number", "01234567", "--appointed-on", iso(TODAY),
                        "--council-nominated", "yes")
    awaiting = show(coc, root, record_id)["awaiting"]
    ids = [p["id"] for p in awaiting["people"]]
    assert awaiting["action"] == "acknowledge" and ids[0] == "mjones" and "mokafor" in ids


def test_luton_s13_1_a_recruitment_relationship_is_recorded_not_approved(make_register, coc):
    root = make_register("luton")
    record_id = declare(coc, root, "relationship", "--other-person", "Sam Applicant",
                        "--relationship", "family", "--context", "recruitment")
    assert show(coc, root, record_id)["awaiting"] is None


# --- coc check speaks with one voice --------------------------------------------------------------

def test_check_no_declaration_needed_names_no_decider(make_register, coc):
    root = make_register("luton")
    result = coc(root, "check", "--json", "--answer", "topic=gift", "--answer", "from=other",
                 "--answer", "fee=no", "--answer", "value_gbp=60", "--answer", "outcome=declined")
    out = json.loads(result.output)
    assert out["verdict"] == "not-needed" and out["decided_by"] is None and out["deadline"] is None


def test_check_not_allowed_names_no_approver_and_says_it_once(make_register, coc):
    root = make_register("luton")
    result = coc(root, "check", "--json", "--answer", "topic=gift", "--answer", "from=other",
                 "--answer", "fee=no", "--answer", "value_gbp=60", "--answer", "outcome=kept",
                 "--answer", "small=yes", "--answer", f"received_on={iso(TODAY)}")
    out = json.loads(result.output)
    assert out["verdict"] == "not-allowed" and out["decided_by"] is None
    assert "this declaration does that" not in out["message"]
    assert "nobody can approve it" in out["message"]


def test_overdue_never_calls_an_on_time_notice_declared_late(make_register, coc):
    root = make_register("luton")
    event = TODAY - timedelta(days=1)
    record_id = declare(coc, root, "criminal-matter", "--event", "caution", "--event-date",
                        iso(event), "--subject", "self")
    with freeze_time(TODAY + timedelta(days=20)):
        out = coc(root, "overdue").output
    assert record_id in out and "declared late" not in out


# --- coc policy show ------------------------------------------------------------------------------

def _normal(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)     # MK's "[Private Interests Form](#)"
    return " ".join(text.split())


@pytest.mark.parametrize("name, seed", [("milton-keynes",
                                         "milton-keynes-officer-code-of-conduct-2025.txt"),
                                        ("luton", "luton-employee-code-of-conduct.txt")])
def test_every_quote_is_verbatim_in_the_code(name, seed):
    code = _normal((SEEDS / seed).read_text())
    for row in duty_rows(get_policy(name)):
        assert _normal(row["words"]) in code, (row["section"], row["words"])


MK_SECTIONS = [f"MK §{n}" for n in range(1, 12)]
LUTON_SECTIONS = ["Luton §7.2", "Luton §9.1", "Luton §10.1", "Luton §10.3", "Luton §11.1",
                  "Luton §12.1", "Luton §13.1", "Luton §14.1", "Luton §14.2", "Luton §14.3",
                  "Luton §14.4", "Luton §14.5", "Luton §15.1", "Luton §16.3", "Luton §16.4",
                  "Luton §17.1", "Luton §17.2", "Luton §17.3", "Luton §18.1", "Luton §19.4",
                  "Luton §19.9", "Luton §20.4", "Luton §20.5", "Luton §21.1", "Luton §22.1",
                  "Luton §22.2", "Luton §23.2", "Luton §23.5", "Luton §24.1", "Luton §25.6",
                  "Luton §26.1", "Luton §26.2", "Luton §27.1", "Luton §28.1", "Luton §29.1"]


@pytest.mark.parametrize("name, sections", [("milton-keynes", MK_SECTIONS),
                                            ("luton", LUTON_SECTIONS)])
def test_every_section_that_places_a_duty_appears(name, sections):
    listed = {row["section"] for row in duty_rows(get_policy(name))}
    assert set(sections) <= listed, sorted(set(sections) - listed)


@pytest.mark.parametrize("name", ["milton-keynes", "luton"])
def test_every_kind_and_route_of_the_policy_has_a_duty(name):
    policy = get_policy(name)
    routed = {row["kind"] for row in duty_rows(policy) if row["kind"]}
    assert set(policy.kinds) - {"attestation"} <= routed


def test_policy_show_through_the_cli(coc, tmp_path):
    listed = coc(tmp_path, "policy", "list")
    assert listed.exit_code == 0 and "luton" in listed.output and "milton-keynes" in listed.output
    md = coc(tmp_path, "policy", "show", "luton")
    assert md.exit_code == 0 and "| Luton §14.4 |" in md.output and "modest_hospitality_limit_gbp" \
        in md.output and "coc's fallback" in md.output
    as_json = json.loads(coc(tmp_path, "policy", "show", "milton-keynes", "--format", "json").output)
    assert {d["duty"] for d in as_json["duties"]} == {"permission", "notification", "record",
                                                      "forbidden", "not-a-declaration"}
    unknown = coc(tmp_path, "policy", "show", "nowhere")
    assert unknown.exit_code == 1 and "unknown policy" in unknown.output
