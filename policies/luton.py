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
from .base import (Authority, Context, Deadline, Deciders, Duty, Field, Parameter, Policy,
                   finding, rule)
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
    Parameter("modest_hospitality_limit_gbp", "25", "work hospitality above this value is not "
              "the 'modest' hospitality that need not be declared (the code gives no figure)",
              "Luton §14.4", "money"),
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
DRIVERS = ("drives-on-council-business", "essential-car-user",     # §18.1
           "requires-driving-licence")
SELF_EVENTS = ("reprimand", "warning", "caution", "investigation", "arrest", "charge",
               "conviction")                                         # §17.2
HOUSEHOLD_EVENTS = ("investigation", "arrest", "charge", "conviction")  # §17.3


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
        record.details.get("job_requires_driving_licence") is True or \
        essential_car_user(record, ctx) or common.has_flag(record, ctx, *DRIVERS)


def modest_hospitality(record: Record, ctx: Context) -> bool:
    """§14.4: modest, normal and reasonable hospitality in the course of working visits,
    conferences or professional gatherings: work hospitality up to the modest limit."""
    value = _v(record, "value_gbp")
    return record.details.get("purpose") == "work" and value is not None and \
        value <= ctx.param("modest_hospitality_limit_gbp")


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


def _hospitality_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§14.4: modest working hospitality "does not need to be declared", so is never late."""
    if modest_hospitality(record, ctx):
        return None
    return _accepted_within("date", "the hospitality", "Luton §14.4", ("accepted",))(record, ctx)


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
    """§17.2: "(on the next working day)", for what it lists and, after an arrest, each
    development and the outcome; §17.3 (household members, and "any doubt", such as a DBS
    barring §17 does not list) gives no time."""
    when, event = _v(record, "event_date"), record.details.get("event")
    if not when or record.details.get("subject") != "self":
        return None
    if event in SELF_EVENTS or event in ("development", "outcome"):
        return common.next_working_day(ctx, when, f"the {event}", "Luton §17.2")
    return None


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
    "hospitality": _hospitality_deadline,
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


# --- the duties, in the code's words (issue 8, contract 1) -----------------------------------------

LINE = "line manager (no one above: the Monitoring Officer)"
SERVICE = ("Service Director or Service Manager above in the line; where the line has neither, "
           "the line manager (coc's fallback: the code names no one else)")
MO = "the Monitoring Officer"
NOBODY = "nobody; in doubt, ask the Monitoring Officer (§14.5)"
DUTIES = (
    Duty("Luton Responsibilities", "Any queries in respect of this Code should be raised with "
         "your line manager", "not-a-declaration", decider="your line manager"),
    Duty("Luton §7.2", "must ensure that they treat no individual less favourably than they "
         "treat any other", "forbidden"),
    Duty("Luton §9.1", "you are required to wear your identification badge", "not-a-declaration"),
    Duty("Luton §10.1", "They are advised to tell the council through their line manager who "
         "will seek a decision from their Service Director or Service Manager", "permission",
         "interest", "", "record_within_working_days working days after it arises (the code "
         "gives no time)", SERVICE, ("record_within_working_days",)),
    Duty("Luton §10.3", "you are obliged to raise it with your line manager", "permission",
         "relationship", "conflict", "none the code sets", SERVICE + "; the related person "
         "is kept from deciding anything of the declarant's while the relationship stands"),
    Duty("Luton §11.1", "Employees must not make public, without the express agreement of their "
         "manager", "forbidden"),
    Duty("Luton §12.1", "Only employees who are authorised to do so may award contracts",
         "forbidden"),
    Duty("Luton §13.1", "the applicant must record their relationship as part of the application "
         "form", "record", "relationship", "recruitment", "none the code sets",
         "nobody decides: the declarant takes no part in the selection, and the related person "
         "is kept from deciding the declarant's records"),
    Duty("Luton §13.1", "they do not take part in, or attempt to influence in any way, the "
         "selection recruitment process", "forbidden", "relationship", "recruitment"),
    Duty("Luton §14.1", "shall not use his or her office or employment to accept any fee or "
         "reward other than their proper remuneration", "forbidden"),
    Duty("Luton §14.3", "may be accepted providing they are declared and recorded in the "
         "Registers of Gifts & Hospitality", "record", "gift", "accepted",
         "record_within_working_days working days after receiving it (the code gives no time)",
         NOBODY, ("record_within_working_days",)),
    Duty("Luton §14.3", "Small low value gifts such as flowers, pens, a box of chocolates, "
         "diaries or similar that can be shared with colleagues may be accepted", "forbidden",
         "gift", "accepted", decider="a breach until the gift is returned or donated, or the "
         "declaration rejected", parameters=("low_value_limit_gbp",)),
    Duty("Luton §14.2", "It is suggested that consideration be given to donating the gift to the "
         "Mayor", "record", "gift", "not-accepted", "none: a gift declined, returned or donated "
         "need not be declared; it may be recorded, and is never late", "nobody"),
    Duty("Luton §14.4", "is acceptable and does not need to be declared and recorded", "record",
         "hospitality", "modest", "none: modest working hospitality (up to "
         "modest_hospitality_limit_gbp) need not be declared; it may be recorded, and is never "
         "late", "nobody", ("modest_hospitality_limit_gbp",)),
    Duty("Luton §14.4", "Modest hospitality provided it is normal and reasonable in the "
         "circumstances", "record", "hospitality", "beyond-modest",
         "record_within_working_days working days after the hospitality (the code gives no "
         "time)", NOBODY, ("modest_hospitality_limit_gbp", "record_within_working_days")),
    Duty("Luton §14.4", "does not need to be declared and recorded", "record", "hospitality",
         "declined", "none: declined hospitality need not be declared; it may be recorded",
         "nobody"),
    Duty("Luton §14.5", "If there is any doubt you must check with the Monitoring Officer before "
         "accepting gifts or hospitality", "not-a-declaration", decider=MO),
    Duty("Luton §15.1", "Employees must seek guidance if they are involved with any event or "
         "service that the council proposes to sponsor", "record", "sponsorship", "",
         "none the code sets", "nobody decides (the code names no one): ask your line manager "
         "or the Monitoring Officer for guidance"),
    Duty("Luton §15.1", "an employee or immediate family member must not benefit from the "
         "sponsorship", "forbidden", "sponsorship", "", decider="a breach until the benefit "
         "is removed by amendment, or the declaration rejected or withdrawn"),
    Duty("Luton §16.3", "the employee is restricted from participating in political activities",
         "forbidden"),
    Duty("Luton §16.4", "may appeal for exemption from political restriction by contacting the "
         "Monitoring Officer", "notification", "political-restriction-appeal", "",
         "none the code sets", MO + ", who receives the appeal"),
    Duty("Luton §16.4", "Employees, whose post has been identified as “sensitive”", "forbidden",
         "political-restriction-appeal", "", decider="a 'specified' post cannot appeal: a "
         "breach until the declaration is rejected or withdrawn"),
    Duty("Luton §17.1", "The council requires all applicants for jobs to disclose",
         "not-a-declaration", decider="the application form"),
    Duty("Luton §17.2", "they must inform their manager as soon as they receive a reprimand, "
         "warning, caution or are investigated, or arrested, or charged, or convicted of such "
         "crimes (on the next working day)", "notification", "criminal-matter", "self",
         "the next working day after the event", LINE),
    Duty("Luton §17.2", "if arrested, must notify the manager of the development and outcome of "
         "the case immediately e.g. on the next working day", "notification", "criminal-matter",
         "follow-up", "the next working day after the development or outcome",
         LINE + "; it follows an earlier notice of an arrest"),
    Duty("Luton §17.3", "employees should notify their line manager if an immediate family member "
         "who resides at the same address is also investigated, arrested, charged or convicted",
         "notification", "criminal-matter", "household", "none: the code gives no time", LINE),
    Duty("Luton §17.3", "employees should always notify their manager if there is any doubt as "
         "to whether or not they fall into such a category", "notification", "criminal-matter",
         "doubt", "none: the code gives no time (a DBS barring is not in §17.2's list)", LINE),
    Duty("Luton §17.3", "is also investigated, arrested, charged or convicted", "record",
         "criminal-matter", "not-asked", "none: §17.3 lists only an investigation, arrest, "
         "charge or conviction of a household member", "nobody"),
    Duty("Luton §18.1", "must inform their manager immediately (on the next working day) if "
         "they are disqualified from driving", "notification", "driving-disqualification",
         "drives", "the next working day after the disqualification starts", LINE),
    Duty("Luton §18.1", "Employees who drive on council business or are in receipt of the "
         "essential car user allowance or whose job requires a driving licence", "record",
         "driving-disqualification", "not-asked", "none: the duty is for those who drive on "
         "council business, get the essential car user allowance, or whose job requires a "
         "driving licence", "nobody"),
    Duty("Luton §19.4", "Anyone wishing to take secondary employment must first seek approval "
         "from their line manager", "permission", "outside-work", "",
         "before the work starts: starting first is a breach",
         "line manager, Service Manager or Service Director (§19.7)"),
    Duty("Luton §19.9", "If this is the case, the line manager must be informed",
         "not-a-declaration", decider="the line manager, told at the time of the sickness "
         "absence: a fact of one absence, for the sickness record, not a declaration"),
    Duty("Luton §20.4", "must therefore advise their line manager in writing of their additional "
         "commitments outside work", "notification", "voluntary-work", "advise",
         "record_within_working_days working days after it starts (the code gives no time)",
         LINE, ("record_within_working_days",)),
    Duty("Luton §20.5", "Examples of activities that require employees to seek approval are",
         "permission", "voluntary-work", "approval", "before the activity starts: starting "
         "first is a breach", "Service Director or Service Manager above in the line (§20.6); "
         "where the line has neither, the line manager (coc's fallback)"),
    Duty("Luton §21.1", "Chief Officers and Senior Managers must obtain permission to undertake "
         "any additional professional activities outside of work and must declare all their "
         "professional commitments to the Monitoring Officer", "permission", "outside-work",
         "senior", "before the work starts", MO),
    Duty("Luton §21.1", "must declare all their professional commitments to the Monitoring "
         "Officer", "notification", "directorship", "senior", "record_within_working_days "
         "working days after the appointment", MO, ("record_within_working_days",)),
    Duty("Luton §22.1", "must declare their directorship and other professional associations "
         "with limited companies to their line manager", "notification", "directorship", "",
         "record_within_working_days working days after the appointment", LINE,
         ("record_within_working_days",)),
    Duty("Luton §22.2", "legal advice must be sought and the Monitoring Officer informed",
         "notification", "directorship", "council-nominated", "record_within_working_days "
         "working days after the appointment", "line manager (as §22.1), and the Monitoring "
         "Officer, who is informed", ("record_within_working_days",)),
    Duty("Luton §23.2", "must not attend meetings of political groups unless specifically "
         "authorised to do so", "forbidden", decider="whoever sends the employee authorises "
         "it, for that meeting, as part of the work: not a declaration"),
    Duty("Luton §23.5", "they must desist from their trade union involvement in the issue at "
         "once", "forbidden"),
    Duty("Luton §24.1", "you should if possible obtain advice from your manager",
         "not-a-declaration", decider="your manager, or the Monitoring Officer"),
    Duty("Luton §25.6", "must always record it and always share it with their manager or the "
         "appropriate authority", "not-a-declaration", decider="your manager or the "
         "appropriate authority (safeguarding procedures)"),
    Duty("Luton §26.1", "the action is taken with the express knowledge and approval of a line "
         "manager, and the decision is recorded on the service case papers", "permission",
         "service-user-exception", "", "none the code sets", LINE),
    Duty("Luton §26.2", "Some examples of specific behaviour that will not be allowed",
         "forbidden"),
    Duty("Luton §27.1", "Employees are required to comply with the Protocol for Member/Officer "
         "Relations", "record", "relationship", "other", "none the code sets",
         "nobody; the related person is still kept from deciding the declarant's records"),
    Duty("Luton §28.1", "unless prior permission has been given by an employee’s immediate "
         "supervisor/manager", "permission", "property-use", "",
         "before the property is taken: taking it first is a breach", LINE),
    Duty("Luton §28.1", "must not be used, or abused by employees for their own private benefit "
         "or gain", "forbidden"),
    Duty("Luton §29.1", "Any breach of this Code will therefore be dealt with under the "
         "council’s agreed disciplinary procedures", "not-a-declaration"),
)
DUTY = {(d.kind, d.route): d for d in DUTIES if d.kind and d.type != "forbidden"}


def duty_of(record: Record, ctx: Context) -> Duty | None:
    """Which of the code's duties this record is: its kind, and the case the code sets apart."""
    details, kind = record.details, record.kind
    senior = common.has_flag(record, ctx, *SENIOR)
    if kind == "gift":
        route = "accepted" if details.get("outcome") in ACCEPTED else "not-accepted"
    elif kind == "hospitality":
        route = "declined" if details.get("outcome") != "accepted" else \
            "modest" if modest_hospitality(record, ctx) else "beyond-modest"
    elif kind == "outside-work":
        route = "senior" if senior else ""
    elif kind == "voluntary-work":
        route = "approval" if details.get("category") in NEEDS_APPROVAL else "advise"
    elif kind == "directorship":
        route = "council-nominated" if details.get("council_nominated") is True else \
            "senior" if senior else ""
    elif kind == "criminal-matter":
        event = details.get("event")
        if details.get("subject") == "household-member":
            route = "household" if event in HOUSEHOLD_EVENTS else "not-asked"
        else:
            route = "self" if event in SELF_EVENTS else \
                "follow-up" if event in ("development", "outcome") else "doubt"
    elif kind == "driving-disqualification":
        route = "drives" if must_report_driving(record, ctx) else "not-asked"
    elif kind == "relationship":
        context = details.get("context")
        route = "recruitment" if context == "recruitment" else \
            "conflict" if context in ("line-management", "decision") else "other"
    elif kind == "attestation":
        return Duty(KINDS["attestation"].section, "", "record", "attestation")
    else:
        route = ""
    return DUTY.get((kind, route))


# --- who decides --------------------------------------------------------------------------------

def _service_management(record: Record, ctx: Context) -> list[Authority]:
    """§10.1, §20.6 "Service Director or Service Manager"; where the line has neither, the
    line manager, and it says so (the code names no one else)."""
    return common.up_the_chain(record, ctx, SERVICE_MANAGEMENT) or [
        Authority(a.person, "line manager: no Service Director or Service Manager in the line, "
                  "so coc falls back to the line manager")
        for a in common.line_manager(record, ctx)]


def _monitoring_officer(ctx: Context) -> list[Authority]:
    return common.holders(ctx, "monitoring-officer")


def who_may_decide(record: Record, ctx: Context) -> Deciders:
    """The line manager by default; the paragraphs below name someone else. Whether they
    approve or acknowledge is the duty's (`duty_of`), so the two never disagree."""
    spec = KINDS.get(record.kind)
    duty = duty_of(record, ctx)
    action = (duty.action if duty else None) or "approve"
    section = duty.section if duty else spec.section if spec else ""
    candidates = common.line_manager(record, ctx)
    senior = common.has_flag(record, ctx, *SENIOR)
    if record.kind == "outside-work" and senior:
        # §21.1: chief officers and senior managers "declare all their professional commitments
        # to the Monitoring Officer"
        candidates = _monitoring_officer(ctx)
    elif record.kind == "outside-work":
        # §19.7: "written approval from their line manager, Service Manager or Service Director"
        candidates = candidates + common.up_the_chain(record, ctx, SERVICE_MANAGEMENT)
        section = "Luton §19.7"
    elif record.kind == "voluntary-work" and record.details.get("category") in NEEDS_APPROVAL:
        # §20.6: "written approval from their Service Director or the Service Manager"
        candidates, section = _service_management(record, ctx), "Luton §20.6"
    elif record.kind in ("interest", "relationship") and duty and duty.type == "permission":
        # §10.1: the line manager "will seek a decision from their Service Director or Service Manager"
        candidates, section = _service_management(record, ctx), "Luton §10.1"
    elif record.kind == "directorship" and record.details.get("council_nominated") is True:
        # §22.2: declared to the line manager as §22.1, and "the Monitoring Officer informed"
        candidates = candidates + _monitoring_officer(ctx)
    elif record.kind == "directorship" and senior:
        candidates = _monitoring_officer(ctx)
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
    if record.details.get("outcome") == "accepted" and modest_hospitality(record, ctx):
        yield finding("modest, normal and reasonable hospitality at a working visit, conference "
                      "or professional gathering need not be declared: recorded anyway "
                      f"({common.param_note(ctx, 'modest_hospitality_limit_gbp')})", "info",
                      "details.purpose")
    elif record.details.get("outcome") == "accepted":
        yield finding("hospitality beyond the modest is declared and recorded; if there is any "
                      "doubt, check with the Monitoring Officer before accepting (§14.5)", "info",
                      "details.value_gbp")


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
    if event in ("development", "outcome") and earlier is not None and \
            earlier.details.get("event") not in ("arrest", "development"):
        yield finding(f"§17.2 asks for the development and outcome of a case after an arrest; "
                      f"{follows} is a {earlier.details.get('event')}: name the arrest notice",
                      "error", "details.follows")
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
    if who is None or not isinstance(hours, (int, float)):
        return
    others = [(r.id, h) for r in ctx.records.values()
              if r.kind == "outside-work" and r.declarant == record.declarant and r.id != record.id
              and r.status not in ("withdrawn", "ended", "rejected")
              and isinstance(h := _v(r, "hours_per_week"), (int, float))]
    total = who.contracted_hours + hours + sum(h for _, h in others)
    if total > limit:
        elsewhere = "".join(f" plus {h:g} in {i}" for i, h in others)
        yield finding(f"{who.contracted_hours:g} contracted hours plus {hours:g} here{elsewhere} "
                      f"is {total:g} a week, over the {limit}-hour average "
                      f"({common.param_note(ctx, 'working_time_limit_hours')}): the manager "
                      "must look at working time and health and safety", "warning",
                      "details.hours_per_week")


@rule("voluntary-approval-first", "Luton §20.5", ("voluntary-work",))
def voluntary_approval_first(record: Record, ctx: Context) -> Iterable[Finding]:
    """§20.5: the nine listed activities "require employees to seek approval"."""
    start, declared = _v(record, "start_date"), record.declared_on
    if record.details.get("category") in NEEDS_APPROVAL and start and declared and start < declared:
        yield common.breach(record, f"the activity started on {start}, before approval was "
                            f"sought on {declared}", "details.start_date")


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
        yield common.breach(record, f"taken on {start}, before permission was asked for on "
                            f"{declared}", "details.from_date")


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
    common.attestation_year(),
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
    duties=DUTIES,
    duty_of=duty_of,
    # §19.2/§19.5: the working-time look adds every outside job the declarant has declared
    context_kinds=("relationship", "criminal-matter", "outside-work"),
    not_offered={
        "overpayment": "the Luton code has no overpayment section (tell payroll and your "
                       "line manager)",
    },
)
