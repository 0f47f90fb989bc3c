"""Luton Borough Council Employee Code of Conduct.

Sections are the code's numbered paragraphs: §10 conflicts of interest, §13 recruitment of
friends or relatives, §14 gifts and hospitality, §15 sponsorship, §16 political restrictions,
§17 criminal charges and convictions, §18 driving disqualification, §19 paid or unpaid work
outside the council, §20 voluntary work, §21 senior managers and chief officers, §22
directorships, §26 service users, §28 council facilities. The paragraphs before §6 are unnumbered
in the text and are cited by heading ("Luton Responsibilities").

Read each rule next to its paragraph. Where the code gives no number (a "low value" gift, no
time to record a gift), a parameter below says so, and coc.yaml may set it.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from coc.registers.findings import Finding
from coc.registers.record import Record

from . import common
from .base import Authority, Context, Deadline, Deciders, Field, Parameter, Policy, finding, rule
from .kinds import FIELDS, kind

# §17.2: "if arrested, must notify the manager of the development and outcome of the case":
# each is a follow-up record whose `follows` names the first notice.
_EVENT = next(f for f in FIELDS["criminal-matter"] if f.name == "event")
EVENT = Field("event", "choice", True, _EVENT.choices + ("development", "outcome"),
              help="what happened ('conviction' includes a finding of guilt, §17.5; "
                   "development / outcome: after an arrest, with --follows)")

KINDS = {k.name: k for k in (
    kind("gift", "Luton §14", "A gift offered because of your job."),
    kind("hospitality", "Luton §14.4", "Hospitality beyond the modest and normal."),
    kind("outside-work", "Luton §19", "Paid or unpaid secondary employment."),
    kind("voluntary-work", "Luton §20", "Voluntary work and community activities."),
    kind("interest", "Luton §10", "Outside activities or interests that may conflict."),
    kind("directorship", "Luton §22", "Directorships and associations with limited companies."),
    kind("criminal-matter", "Luton §17", "Reprimand, warning, caution, investigation, arrest, "
         "charge or conviction.", notification=True, overrides={"event": EVENT}),
    kind("driving-disqualification", "Luton §18", "Disqualification from driving.",
         notification=True),
    kind("relationship", "Luton §13, §27", "A relative or close acquaintance (recruitment)."),
    kind("political-restriction-appeal", "Luton §16.4", "Appeal against a politically restricted post."),
    kind("sponsorship", "Luton §15", "Involvement with an event or service the council sponsors."),
    kind("property-use", "Luton §28", "Council property taken home or away from work."),
    kind("service-user-exception", "Luton §26.1", "An exception to the rules on service users."),
    # not in the code (line management "ensure that employees are fully aware of its
    # contents"): the organisation's own practice, cited to coc.yaml (issue 8, contract 5)
    kind("attestation", common.PRACTICE_ATTESTATION, "Yearly acknowledgement of the code: the "
         "organisation's practice, not the code's."),
)}

PARAMETERS = {p.name: p for p in (
    Parameter("low_value_limit_gbp", "25", "a gift at or above this value is not 'low value' "
              "(the code gives no figure)", "Luton §14.3", "money"),
    Parameter("working_time_limit_hours", 48, "average weekly hours, all jobs together, above "
              "which secondary work needs a closer look: the Working Time Regulations 1998's "
              "48 (the code names the Directive, not the number)", "Luton §19.2, §19.5", "int"),
    Parameter("record_within_working_days", 20, "working days to declare a gift, hospitality, "
              "an interest, a directorship or voluntary work (the code gives no time)",
              "Luton §10.1, §14.3, §20.4, §22.1", "int"),
)}

ACCEPTED = ("kept", "shared-with-team")
# §20.5 (1)-(9): "Examples of activities that require employees to seek approval"
NEEDS_APPROVAL = ("management-committee", "tenants-committee", "school-governor", "youth-group",
                  "play-scheme", "sports-club-committee", "grant-aided-organisation",
                  "freemasons-rotary-round-table", "committee-nomination")
SERVICE_MANAGEMENT = ("service-manager", "service-director")      # §19.6, §19.7, §20.6, §10.1
SENIOR = ("chief-officer", "senior-manager")                        # §21
DRIVERS = ("drives-on-council-business", "essential-car-user")      # §18.1


def _v(record: Record, name: str) -> Any:
    """A detail as a Python value (Decimal for money, date for dates), None when absent."""
    spec = KINDS.get(record.kind)
    return spec.value(record, name) if spec else None


def essential_car_user(record: Record, ctx: Context) -> bool:
    return record.details.get("essential_car_user") is True or \
        common.has_flag(record, ctx, "essential-car-user")


def must_report_driving(record: Record, ctx: Context) -> bool:
    """§18.1: those who drive on council business, get the essential car user allowance, or
    whose job requires a driving licence."""
    return record.details.get("drives_on_council_business") is True or \
        essential_car_user(record, ctx) or common.has_flag(record, ctx, *DRIVERS)


# --- deadlines ----------------------------------------------------------------------------------

def _accepted_within(field: str, what: str, section: str, accepted: tuple[str, ...]
                     ) -> Callable[[Record, Context], Deadline | None]:
    """§14.3/§14.4: what is accepted is declared; what is declined needs no declaration."""
    def deadline_(record: Record, ctx: Context) -> Deadline | None:
        when = _v(record, field)
        if when and record.details.get("outcome") in accepted:
            return common.record_within(ctx, when, what, section)
        return None
    return deadline_


def _outside_work_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§19.4: "must first seek approval from their line manager"."""
    start = _v(record, "start_date")
    return common.before(start, "the work starts", "Luton §19.4") if start else None


def _voluntary_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§20.5: the listed activities need approval first; others are advised in writing (§20.4)."""
    start = _v(record, "start_date")
    if not start:
        return None
    if record.details.get("category") in NEEDS_APPROVAL:
        return common.before(start, "the activity starts", "Luton §20.5")
    return common.record_within(ctx, start, "the activity starting", "Luton §20.4")


def _criminal_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§17.2: "(on the next working day)", for the first notice and for each development and
    the outcome after an arrest; §17.3 gives household members no time of its own."""
    when = _v(record, "event_date")
    if not when:
        return None
    event = record.details.get("event")
    section = "Luton §17.3" if record.details.get("subject") == "household-member" else "Luton §17.2"
    return common.next_working_day(ctx, when, f"the {event}", section)


def _driving_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§18.1: "must inform their manager immediately (on the next working day)"."""
    start = _v(record, "start_date")
    if not start or not must_report_driving(record, ctx):
        return None
    return common.next_working_day(ctx, start, "the disqualification", "Luton §18.1")


def _property_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§28.1: "unless prior permission has been given"."""
    start = _v(record, "from_date")
    return common.before(start, "the property is taken", "Luton §28.1") if start else None


DEADLINES: dict[str, Callable[[Record, Context], Deadline | None]] = {
    "gift": _accepted_within("received_on", "receiving the gift", "Luton §14.3", ACCEPTED),
    "hospitality": _accepted_within("date", "the hospitality", "Luton §14.4", ("accepted",)),
    "outside-work": _outside_work_deadline,
    "voluntary-work": _voluntary_deadline,
    "interest": common.record_within_after(
        KINDS, "arose_on", "the interest arising", "Luton §10.1"),
    "directorship": common.record_within_after(
        KINDS, "appointed_on", "the appointment", "Luton §22.1"),
    "criminal-matter": _criminal_deadline,
    "driving-disqualification": _driving_deadline,
    "property-use": _property_deadline,
}


def deadline(record: Record, ctx: Context) -> Deadline | None:
    """When this record was due, from the event's date on the register's calendar."""
    compute = DEADLINES.get(record.kind)
    return compute(record, ctx) if compute else None


# --- who decides --------------------------------------------------------------------------------

def _service_management(record: Record, ctx: Context) -> list[Authority]:
    return common.up_the_chain(record, ctx, SERVICE_MANAGEMENT) or common.line_manager(record, ctx)


def _monitoring_officer(ctx: Context) -> list[Authority]:
    return common.holders(ctx, "monitoring-officer")


def who_may_decide(record: Record, ctx: Context) -> Deciders:
    """The line manager by default; the paragraphs below name someone else."""
    spec = KINDS.get(record.kind)
    action = "acknowledge" if spec and spec.notification else "approve"
    section = spec.section if spec else ""
    candidates = common.line_manager(record, ctx)
    senior = common.has_flag(record, ctx, *SENIOR)
    if record.kind == "outside-work" and senior:
        # §21.1: chief officers and senior managers "declare all their professional commitments
        # to the Monitoring Officer"
        candidates, section = _monitoring_officer(ctx), "Luton §21.1"
    elif record.kind == "outside-work":
        # §19.7: "written approval from their line manager, Service Manager or Service Director"
        candidates = candidates + common.up_the_chain(record, ctx, SERVICE_MANAGEMENT)
        section = "Luton §19.7"
    elif record.kind == "voluntary-work" and record.details.get("category") in NEEDS_APPROVAL:
        # §20.6: "written approval from their Service Director or the Service Manager"
        candidates, section = _service_management(record, ctx), "Luton §20.6"
    elif record.kind == "voluntary-work":
        # §20.4: "advise their line manager in writing"
        action, section = "acknowledge", "Luton §20.4"
    elif record.kind == "interest":
        # §10.1: the line manager "will seek a decision from their Service Director or Service Manager"
        candidates, section = _service_management(record, ctx), "Luton §10.1"
    elif record.kind == "directorship" and record.details.get("council_nominated") is True:
        # §22.2: "the Monitoring Officer informed"
        candidates, action, section = _monitoring_officer(ctx), "acknowledge", "Luton §22.2"
    elif record.kind == "directorship" and senior:
        candidates, action, section = _monitoring_officer(ctx), "acknowledge", "Luton §21.1"
    elif record.kind == "directorship":
        # §22.1: "declare their directorship ... to their line manager"
        action, section = "acknowledge", "Luton §22.1"
    elif record.kind == "political-restriction-appeal":
        # §16.4: "appeal for exemption ... by contacting the Monitoring Officer"
        candidates = _monitoring_officer(ctx)
    return common.deciders(record, ctx, candidates, action=action, section=section)


# --- rules, in the code's order -----------------------------------------------------------------

@rule("public-knowledge-test", "Luton §10.2, §10.3", ("interest",))
def public_knowledge_test(record: Record, ctx: Context) -> Iterable[Finding]:
    """§10.2: "If this issue became public knowledge could it raise questions about my
    integrity ...?"; §10.3: yes, possibly or not sure obliges you to raise it."""
    answer = record.details.get("public_knowledge_test")
    if answer is None:
        yield finding("answer the public knowledge test (yes, possibly, not-sure or no)",
                      "warning", "details.public_knowledge_test")
    elif answer == "no":
        yield finding("with 'no' to the public knowledge test you were not obliged to raise it: "
                      "recorded anyway", "info", "details.public_knowledge_test")


@rule("recruitment-no-part", "Luton §13.1", ("relationship",))
def recruitment_no_part(record: Record, ctx: Context) -> Iterable[Finding]:
    """§13.1: take no part in, nor try to influence, the selection for that post."""
    if record.details.get("context") == "recruitment":
        yield finding("take no part in the selection for that post, and do not try to influence "
                      "it; the applicant records the relationship on the application form", "info",
                      "details.context")


@rule("gift-low-value", "Luton §14.3", ("gift",))
def gift_low_value(record: Record, ctx: Context) -> Iterable[Finding]:
    """§14.3: only "small low value gifts such as flowers, pens, a box of chocolates, diaries
    or similar that can be shared with colleagues may be accepted"."""
    value, limit = _v(record, "value_gbp"), ctx.param("low_value_limit_gbp")
    if record.details.get("outcome") in ACCEPTED and value is not None and value >= limit:
        yield common.breach(record, f"a gift worth {common.money(value)} is not a small low-value "
                            f"gift (limit {common.money(limit)}: "
                            f"{common.param_note(ctx, 'low_value_limit_gbp')}); return it, or "
                            "consider donating it to the Mayor's charity (§14.2)",
                            "details.value_gbp")


@rule("gift-from-supplier", "Luton §14.5", ("gift",))
def gift_from_supplier(record: Record, ctx: Context) -> Iterable[Finding]:
    """§14.1: no fee or reward beyond proper pay; §14.5: if in doubt, ask the Monitoring Officer."""
    if record.details.get("donor_is_supplier") is True and record.details.get("outcome") in ACCEPTED:
        yield finding("a gift from a supplier: if there is any doubt, check with the Monitoring "
                      "Officer", "info", "details.donor_is_supplier")


@rule("hospitality-social", "Luton §14.4, §14.5", ("hospitality",))
def hospitality_social(record: Record, ctx: Context) -> Iterable[Finding]:
    """§14.4 accepts modest hospitality at working visits, conferences and professional
    gatherings; anything else is declared, and in doubt checked with the Monitoring Officer."""
    if record.details.get("purpose") == "social" and record.details.get("outcome") == "accepted":
        yield finding("social hospitality is not the modest working hospitality §14.4 allows: "
                      "check with the Monitoring Officer", "warning", "details.purpose")


@rule("hospitality-modest", "Luton §14.4", ("hospitality",))
def hospitality_modest(record: Record, ctx: Context) -> Iterable[Finding]:
    """§14.4: modest, normal and reasonable working hospitality "does not need to be declared"."""
    if record.details.get("purpose") == "work" and record.details.get("outcome") == "accepted":
        yield finding("modest, normal and reasonable hospitality at a working visit, conference "
                      "or professional gathering need not be declared: recorded anyway", "info",
                      "details.purpose")


@rule("sponsorship-benefit", "Luton §15.1", ("sponsorship",))
def sponsorship_benefit(record: Record, ctx: Context) -> Iterable[Finding]:
    """§15.1: "an employee or immediate family member must not benefit from the sponsorship"."""
    if record.details.get("family_benefit") is True:
        yield common.breach(record, "you or your immediate family may not benefit from a "
                            "sponsorship by the council", "details.family_benefit")


@rule("specified-post", "Luton §16.2", ("political-restriction-appeal",))
def specified_post(record: Record, ctx: Context) -> Iterable[Finding]:
    """§16.4: only a post identified as "sensitive" may appeal; a "specified" post (LGHA 1989 s.2)
    cannot."""
    if record.details.get("post_designation") == "specified":
        yield common.breach(record, "a 'specified' post cannot appeal against political "
                            "restriction: only a 'sensitive' post can (§16.4)",
                            "details.post_designation")


@rule("politically-restricted", "Luton §16.3", ("political-restriction-appeal",))
def politically_restricted(record: Record, ctx: Context) -> Iterable[Finding]:
    """§16.3: the appeal is by someone whose post is politically restricted."""
    if record.declarant in ctx.people and not common.has_flag(record, ctx, "politically-restricted"):
        yield finding("people.yaml does not list the declarant as politically restricted",
                      "warning", "declarant")


@rule("criminal-follow-up", "Luton §17.2", ("criminal-matter",))
def criminal_follow_up(record: Record, ctx: Context) -> Iterable[Finding]:
    """§17.2: after an arrest, each development and the outcome is notified on the next working
    day: a follow-up record whose `follows` names the first notice."""
    event, follows = record.details.get("event"), record.details.get("follows")
    if event in ("development", "outcome") and not follows:
        yield finding(f"a{'n' if event == 'outcome' else ''} {event} follows an earlier notice: "
                      "give its id (follows)", "error", "details.follows")
    earlier = ctx.records.get(follows) if isinstance(follows, str) else None
    when = _v(record, "event_date")
    if earlier is not None and when:
        before = KINDS["criminal-matter"].value(earlier, "event_date")
        if before and when < before:
            yield finding(f"{when} is before the {earlier.details.get('event')} it follows "
                          f"({follows}, {before})", "error", "details.event_date")
    if event == "arrest" and record.id:
        later = sorted(f"{r.id} ({r.details.get('event')}, {r.details.get('event_date')})"
                       for r in ctx.records.values() if r.details.get("follows") == record.id)
        yield finding("after an arrest, notify each development and the outcome by the next "
                      f"working day: `coc declare criminal-matter --follows {record.id}`"
                      + (f"; so far: {', '.join(later)}" if later else ""), "info")


@rule("driving-duty", "Luton §18.1", ("driving-disqualification",))
def driving_duty(record: Record, ctx: Context) -> Iterable[Finding]:
    """§18.1 applies to those who drive on council business, receive the essential car user
    allowance, or whose job requires a driving licence."""
    if not must_report_driving(record, ctx):
        yield finding("the declarant does not drive on council business or receive the essential "
                      "car user allowance: recorded, with no deadline", "info")
    said = record.details.get("essential_car_user")
    if said is False and common.has_flag(record, ctx, "essential-car-user"):
        yield finding("says not an essential car user, but people.yaml lists the declarant as "
                      "one: payroll will stop the lump sum anyway; check with HR", "warning",
                      "details.essential_car_user")


@rule("secondary-employment-first", "Luton §19.4", ("outside-work",))
def secondary_employment_first(record: Record, ctx: Context) -> Iterable[Finding]:
    """§19.4: "Anyone wishing to take secondary employment must first seek approval from their
    line manager"."""
    start, declared = _v(record, "start_date"), record.declared_on
    if start and declared and start < declared:
        yield common.breach(record, f"the work started on {start}, before approval was sought on "
                            f"{declared}", "details.start_date")


@rule("working-pattern", "Luton §19.4", ("outside-work",))
def working_pattern(record: Record, ctx: Context) -> Iterable[Finding]:
    """§19.4: advise "the hours / working patterns that they are likely to be working"."""
    if not record.details.get("working_pattern"):
        yield finding("say the working pattern (days and times) as well as the hours",
                      "warning", "details.working_pattern")


@rule("working-time", "Luton §19.2, §19.5", ("outside-work",))
def working_time(record: Record, ctx: Context) -> Iterable[Finding]:
    """§19.2, §19.5: managers weigh the Working Time Directive: a 48-hour weekly average."""
    who, hours = common.person(record, ctx), _v(record, "hours_per_week")
    limit = ctx.param("working_time_limit_hours")
    if who is not None and isinstance(hours, (int, float)) and who.contracted_hours + hours > limit:
        yield finding(f"{who.contracted_hours:g} contracted hours plus {hours:g} here is "
                      f"{who.contracted_hours + hours:g} a week, over the {limit}-hour average "
                      f"({common.param_note(ctx, 'working_time_limit_hours')}): the manager "
                      "must look at working time and health and safety", "warning",
                      "details.hours_per_week")


@rule("voluntary-approval-first", "Luton §20.5", ("voluntary-work",))
def voluntary_approval_first(record: Record, ctx: Context) -> Iterable[Finding]:
    """§20.5: the nine listed activities "require employees to seek approval"."""
    start, declared = _v(record, "start_date"), record.declared_on
    if record.details.get("category") in NEEDS_APPROVAL and start and declared and start < declared:
        yield finding(f"the activity started on {start}, before approval was sought on "
                      f"{declared}", "warning", "details.start_date")


@rule("whole-time-service", "Luton §21.1", ("outside-work",))
def whole_time_service(record: Record, ctx: Context) -> Iterable[Finding]:
    """§21.1: chief officers "devote their Whole Time Service to Luton Borough Council"."""
    if common.has_flag(record, ctx, "chief-officer"):
        yield finding("a chief officer devotes their whole time service to the council: the "
                      "Monitoring Officer decides whether this is allowed", "warning")


@rule("council-nominated-director", "Luton §22.2", ("directorship",))
def council_nominated_director(record: Record, ctx: Context) -> Iterable[Finding]:
    """§22.2: a council-nominated director takes no part in council decisions that could
    benefit the company; with "the slightest doubt", legal advice and the Monitoring Officer."""
    if record.details.get("council_nominated") is True:
        yield finding("take no part in council decisions that could benefit the company; at the "
                      "slightest doubt about a conflict, take legal advice", "info",
                      "details.council_nominated")


@rule("never-allowed", "Luton §26.2", ("service-user-exception",))
def never_allowed(record: Record, ctx: Context) -> Iterable[Finding]:
    """§26.2: behaviour never allowed, whatever the reason."""
    if record.details.get("exception") == "other":
        yield finding("check it is none of what §26.2 never allows: sexual contact, lending or "
                      "borrowing money or property, witnessing wills or acting as executor, "
                      "arranging extra help for a fee, giving or receiving gifts", "warning",
                      "details.exception")


@rule("property-prior-permission", "Luton §28.1", ("property-use",))
def property_prior_permission(record: Record, ctx: Context) -> Iterable[Finding]:
    """§28.1: property "should not be taken home ... unless prior permission has been given"."""
    start, declared = _v(record, "from_date"), record.declared_on
    if start and declared and start < declared:
        yield finding(f"taken on {start}, before permission was asked for on {declared}",
                      "warning", "details.from_date")


RULES = (
    public_knowledge_test,
    recruitment_no_part,
    common.other_person_known("Luton §13"),
    gift_low_value,
    gift_from_supplier,
    common.not_after_declaring("gift-date", "Luton §14.3", ("gift",), "received_on"),
    hospitality_social,
    hospitality_modest,
    sponsorship_benefit,
    specified_post,
    politically_restricted,
    criminal_follow_up,
    common.not_after_declaring("criminal-matter-date", "Luton §17.2", ("criminal-matter",),
                               "event_date"),
    driving_duty,
    common.date_order("driving-dates", "Luton §18.1", ("driving-disqualification",), "start_date",
                      "end_date"),
    secondary_employment_first,
    working_pattern,
    working_time,
    common.date_order("outside-work-dates", "Luton §19", ("outside-work",), "start_date", "end_date"),
    voluntary_approval_first,
    whole_time_service,
    common.company_number("Luton §22.1"),
    council_nominated_director,
    never_allowed,
    property_prior_permission,
    common.date_order("property-use-dates", "Luton §28.1", ("property-use",), "from_date", "to_date"),
    common.read_code(),
)


def side_effects(record: Record, ctx: Context) -> Iterable[str]:
    """What the record sets in motion outside the register."""
    if record.kind == "driving-disqualification" and essential_car_user(record, ctx):
        start, end = _v(record, "start_date"), _v(record, "end_date")
        until = f"until {end}" if end else "for the duration of the disqualification"
        yield (f"payroll: stop the essential car user lump sum from {start}, {until} "
               "(Luton §18.1)")
    if record.kind == "service-user-exception" and record.status in ("approved", "accepted"):
        yield (f"record the decision on the service case papers for case "
               f"{record.details.get('case_reference')} (Luton §26.1)")


def _guide() -> Any:
    from .check_luton import GUIDE

    return GUIDE


POLICY = Policy(
    name="luton",
    title="Luton Borough Council Employee Code of Conduct",
    short="Luton",
    kinds=KINDS,
    parameters=PARAMETERS,
    rules=RULES,
    deadline=deadline,
    who_may_decide=who_may_decide,
    side_effects=side_effects,
    guide=_guide,
    not_offered={
        "overpayment": "the Luton code has no overpayment section (tell payroll and your "
                       "line manager)",
    },
)
