"""Milton Keynes City Council Officer Code of Conduct (February 2025).

Sections are the code's numbered headings: §1 Follow the law, §2 Respect each other, §3 Help
protect other people, §4 Behave professionally, §5 Be honest, §6 Be very careful if offered a
gift, §7 Tell us about any other work, §8 Send journalists to the Communications Team, §9 Treat
our information carefully, §10 Follow our detailed policies, §11 Ensure your team knows the code.

Read each rule next to its paragraph. Where the code gives no number ("as soon as possible",
no time to record a gift), a parameter below says so, and coc.yaml may set it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable

from coc.registers.findings import Finding
from coc.registers.record import Record

from . import common
from .base import Context, Deadline, Deciders, Duty, Parameter, Policy, finding, rule
from .kinds import kind

KINDS = {k.name: k for k in (
    kind("gift", "MK §6", "A gift offered to you because of your job."),
    kind("hospitality", "MK §6", "Hospitality offered because of your job (tickets, meals, events)."),
    kind("outside-work", "MK §7", "Any other work, paid or unpaid, outside the council."),
    kind("voluntary-work", "MK §7", "An influential or decision-making role in a club or society "
         "the council works with or funds."),
    kind("interest", "MK §7", "A private interest that may affect your decisions at work."),
    kind("directorship", "MK §7", "A directorship (a private interest)."),
    kind("criminal-matter", "MK §1", "Cautioned, charged, convicted or DBS-barred.", notification=True),
    kind("relationship", "MK §4, §11", "A close personal relationship with a councillor, or with "
         "someone you manage or make decisions about."),
    kind("property-use", "MK §5", "Personal use of council equipment or services."),
    kind("overpayment", "MK §5", "A payment received in error.", notification=True),
    # not in the code (§11 only has managers make sure their team knows it): the organisation's
    # own practice, switched on in coc.yaml and cited to it (issue 8, contract 5)
    kind("attestation", common.PRACTICE_ATTESTATION, "Yearly acknowledgement of the code, with "
         "a nil return: the organisation's practice, not the code's."),
)}

PARAMETERS = {p.name: p for p in (
    Parameter("gift_limit_gbp", "25", "the code's own figure: only a gift 'under £25' may be kept "
              "(coc.yaml may lower it, never raise it)", "MK §6", "money",
              fixed_by_code="'a small personal gift (under £25)'"),
    Parameter("asap_working_days", 1, "the code's 'as soon as possible' read as this many working "
              "days (the code gives no number)", "MK §1, §5", "int"),
    Parameter("permission_grade", "H", "the code's 'Grade H and above (or equivalent)': full-time "
              "staff from this grade need written permission for other work (coc.yaml may lower "
              "it, never raise it)", "MK §7", "grade",
              fixed_by_code="'Full-time employees paid at Grade H and above (or equivalent)'"),
    Parameter("record_within_working_days", 20, "working days to record a kept gift, supplier "
              "hospitality or a private interest (the code gives no time)", "MK §6, §7", "int"),
)}

ACCEPTED = ("kept", "shared-with-team")                 # §6: what "accept ... keep it" covers
NOTIFIABLE = ("caution", "charge", "conviction")         # §1: "cautioned, charged or convicted"
VERY_SENIOR = ("head-of-service", "assistant-director", "director", "chief-executive")   # §7
CHILDREN_OR_ADULT_SERVICES = ("works-with-children", "works-with-adults-at-risk")       # §1


def _v(record: Record, name: str) -> Any:
    """A detail as a Python value (Decimal for money, date for dates), None when absent."""
    spec = KINDS.get(record.kind)
    return spec.value(record, name) if spec else None


# --- §7: which of the four paragraphs applies ----------------------------------------------------

@dataclass(frozen=True)
class Route:
    name: str          # consultancy | permission | tell-manager | private-interests-form
    action: str        # approve | acknowledge
    says: str          # what the code asks, in its words
    grade_known: bool = True


def outside_work_route(record: Record, ctx: Context) -> Route:
    """MK §7: consultancy (any grade), full-time Grade H+, part-time Grade H+, all others."""
    if record.details.get("consultancy") is True:
        return Route("consultancy", "approve", "consultancy for another organisation needs "
                     "permission from a very senior manager (Head of Service, Assistant Director, "
                     "Director or Chief Executive) before you start, whatever your grade")
    who = common.person(record, ctx)
    grade = str(ctx.param("permission_grade"))
    grades = ctx.people.grades
    if who is None or who.grade not in grades or grade not in grades:
        return Route("permission", "approve", "your grade is not on the register's scale, so "
                     "coc asks for written permission before you start (the stricter reading)",
                     grade_known=False)
    # the code says Grade H; a register that moved it says so in every route's text
    moved = "" if grade == PARAMETERS["permission_grade"].default else \
        f" ({common.param_note(ctx, 'permission_grade')})"
    if ctx.people.grade_at_least(who, grade):
        if who.hours is None:
            return Route("permission", "approve", f"people.yaml does not say whether you work "
                         f"full-time or part-time at Grade {grade} and above, so coc asks for "
                         "the council's written permission before you start (the stricter "
                         "reading)" + moved, grade_known=False)
        if who.hours == "full-time":
            return Route("permission", "approve", f"full-time staff at Grade {grade} and above "
                         "cannot undertake other work without the council's written permission"
                         + moved)
        return Route("tell-manager", "acknowledge", f"part-time staff at Grade {grade} and above "
                     "tell their manager, so the council can be sure there is no conflict" + moved)
    return Route("private-interests-form", "acknowledge", "complete the Private Interests Form "
                 "before doing any private work" + moved)


# --- deadlines ----------------------------------------------------------------------------------

def _asap(ctx: Context, when: date, what: str) -> Deadline:
    return common.within_working_days(ctx, when, "asap_working_days", what, "MK §1")


def _gift_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§6: a gift you keep is "written down to properly record it"; no time is given."""
    when = _v(record, "received_on")
    if when and record.details.get("outcome") in ACCEPTED:
        return common.record_within(ctx, when, "receiving the gift", "MK §6")
    return None


def _hospitality_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§6: "whenever you accept hospitality from a supplier, you should write it down"."""
    when = _v(record, "date")
    if when and record.details.get("host_is_supplier") is True and \
            record.details.get("outcome") == "accepted":
        return common.record_within(ctx, when, "the hospitality", "MK §6")
    return None


def _outside_work_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§7: permission, and the Private Interests Form, come "before"; part-time staff "tell"."""
    start = _v(record, "start_date")
    if not start:
        return None
    if outside_work_route(record, ctx).name == "tell-manager":
        return common.record_within(ctx, start, "the work starting", "MK §7")
    return common.before(start, "the work starts", "MK §7")


def _criminal_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§1: caution, charge, conviction "as soon as possible"; DBS barring "straight away"."""
    when, event = _v(record, "event_date"), record.details.get("event")
    if not when or record.details.get("subject") != "self":
        return None
    if event == "dbs-barring" and common.has_flag(record, ctx, *CHILDREN_OR_ADULT_SERVICES):
        return common.same_day(ctx, when, "the barring", "MK §1")
    if event in NOTIFIABLE:
        return _asap(ctx, when, f"the {event}")
    return None


def _property_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§5: "without approval in advance from a manager"."""
    start = _v(record, "from_date")
    return common.before(start, "the personal use starts", "MK §5") if start else None


def _overpayment_deadline(record: Record, ctx: Context) -> Deadline | None:
    """§5: "tell your manager as soon as possible so it can be put right"."""
    noticed = _v(record, "noticed_on")
    return common.within_working_days(ctx, noticed, "asap_working_days", "noticing it",
                                      "MK §5") if noticed else None


DEADLINES: dict[str, Callable[[Record, Context], Deadline | None]] = {
    "gift": _gift_deadline,
    "hospitality": _hospitality_deadline,
    "outside-work": _outside_work_deadline,
    "voluntary-work": common.record_within_after(
        KINDS, "start_date", "taking on the role", "MK §7"),
    "interest": common.record_within_after(KINDS, "arose_on", "the interest arising", "MK §7"),
    "directorship": common.record_within_after(KINDS, "appointed_on", "the appointment", "MK §7"),
    "criminal-matter": _criminal_deadline,
    "property-use": _property_deadline,
    "overpayment": _overpayment_deadline,
}


def deadline(record: Record, ctx: Context) -> Deadline | None:
    """When this record was due, from the event's date on the register's calendar."""
    compute = DEADLINES.get(record.kind)
    return compute(record, ctx) if compute else None


# --- the duties, in the code's words (issue 8, contract 1) -----------------------------------------

LINE = "line manager (no one above: the Monitoring Officer)"
DUTIES = (
    Duty("MK §1", "you should report this to a manager and/or the police", "not-a-declaration",
         decider="a manager and/or the police, or Internal Audit, or the Whistleblowing Policy"),
    Duty("MK §1", "notify your manager in writing as soon as possible if you are, cautioned, "
         "charged or convicted of any crime", "notification", "criminal-matter", "notifiable",
         "as soon as possible: asap_working_days working days after the event", LINE,
         ("asap_working_days",)),
    Duty("MK §1", "you must tell your manager straight away if you are barred by the Disclosure "
         "and Barring Service (DBS)", "notification", "criminal-matter", "dbs-barring",
         "straight away: the day of the barring (jobs in children or adult services)", LINE),
    Duty("MK §1", "notify your manager in writing as soon as possible if you are, cautioned, "
         "charged or convicted", "record", "criminal-matter", "not-asked",
         "none: the code asks about a caution, charge or conviction of your own, or a DBS "
         "barring in children or adult services; anything else may be recorded",
         "nobody"),
    Duty("MK §2", "you should not harass or discriminate against anyone else", "forbidden",
         decider="the Grievance policy"),
    Duty("MK §3", "If you have any health and safety or safeguarding concerns, you should raise "
         "these with your manager", "not-a-declaration", decider="your manager, or the "
         "Whistleblowing Policy"),
    Duty("MK §4", "bring to the attention of managers any deficiency in the provision of "
         "services", "not-a-declaration", decider="managers, or the Whistleblowing Policy"),
    Duty("MK §4", "If you have a close personal relationship with an elected councillor, you need "
         "to disclose this", "notification", "relationship", "councillor", "none the code sets",
         LINE),
    Duty("MK §5", "You cannot use council equipment or services for personal use without approval "
         "in advance from a manager", "permission", "property-use", "",
         "before the personal use starts", LINE),
    Duty("MK §5", "You cannot order goods for your own personal use through a City Council "
         "account", "forbidden"),
    Duty("MK §5", "You are not allowed to use your position to obtain a discount for goods or "
         "services", "forbidden"),
    Duty("MK §5", "you must tell your manager as soon as possible so it can be put right",
         "notification", "overpayment", "", "asap_working_days working days after noticing it",
         LINE, ("asap_working_days",)),
    Duty("MK §6", "bribes are never acceptable", "forbidden"),
    Duty("MK §6", "you should check with your manager if you can keep it and write it down to "
         "properly record it", "permission", "gift", "kept",
         "record_within_working_days working days after receiving it (the code gives no time)",
         LINE, ("record_within_working_days",)),
    Duty("MK §6", "it might be OK to accept a small personal gift (under £25)", "forbidden",
         "gift", "kept", decider="a breach until the gift is returned or donated, or the "
         "declaration rejected", parameters=("gift_limit_gbp",)),
    Duty("MK §6", "you should try and avoid accepting gifts and hospitality", "record", "gift",
         "not-kept", "none: a gift declined, returned or donated may be recorded, and is never "
         "late", "nobody"),
    Duty("MK §6", "events should never be for social purposes", "forbidden", "hospitality",
         "social", decider="a breach until the declaration is rejected"),
    Duty("MK §6", "Whenever you accept hospitality from a supplier, you should write it down to "
         "properly record it", "notification", "hospitality", "supplier",
         "record_within_working_days working days after the hospitality (the code gives no "
         "time)", LINE, ("record_within_working_days",)),
    Duty("MK §6", "It can also sometimes be OK to accept hospitality", "record", "hospitality",
         "other", "none: only hospitality accepted from a supplier must be written down; "
         "other hospitality may be recorded, and is never late", "nobody"),
    Duty("MK §7", "cannot undertake other work without the council's written permission",
         "permission", "outside-work", "permission", "before the work starts",
         "the line manager, or anyone above them in the line (the permission is the "
         "council's); full-time staff at permission_grade and above",
         ("permission_grade",)),
    Duty("MK §7", "should tell their manager if they are doing other work or have another job",
         "notification", "outside-work", "tell-manager",
         "record_within_working_days working days after the work starts", LINE,
         ("permission_grade", "record_within_working_days")),
    Duty("MK §7", "before doing any private work", "notification", "outside-work",
         "private-interests-form", "before the work starts: starting first is a breach",
         LINE + ", who receives the Private Interests Form", ("permission_grade",)),
    Duty("MK §7", "need to obtain permission from a very senior manager (Head of Service, "
         "Assistant Director, Director or Chief Executive)", "permission", "outside-work",
         "consultancy", "before the consultancy starts: starting first is a breach",
         "any very senior manager (nearest in the line first); none: the Chief Executive"),
    Duty("MK §7", "You need to tell the City Council if you have any private interests outside "
         "work that may affect the decisions you might make at work", "notification",
         "interest", "", "record_within_working_days working days after it arises", LINE,
         ("record_within_working_days",)),
    Duty("MK §7", "holding an influential or decision-making role with clubs and societies that "
         "we work with or fund", "notification", "voluntary-work", "",
         "record_within_working_days working days after taking on the role", LINE,
         ("record_within_working_days",)),
    Duty("MK §7", "You need to tell the City Council if you have any private interests",
         "notification", "directorship", "", "record_within_working_days working days after "
         "the appointment", LINE, ("record_within_working_days",)),
    Duty("MK §8", "All media enquiries should be quickly referred to our Communications Team",
         "not-a-declaration", decider="the Communications Team"),
    Duty("MK §9", "If something goes wrong, you should report it in line with the Data "
         "Protection Policy straight away", "not-a-declaration",
         decider="as the Data Protection Policy says"),
    Duty("MK §9", "You should never access or use any information obtained in the course of your "
         "employment for personal gain", "forbidden"),
    Duty("MK §10", "You are required to follow all our policies and procedures",
         "not-a-declaration"),
    Duty("MK §11", "you must make sure everyone in your team knows all about it",
         "not-a-declaration", decider="managers, for their teams"),
    Duty("MK §11", "You must undertake regular one-to-one meetings with everyone you directly "
         "manage and ensure there is a note taken of the meetings", "not-a-declaration",
         decider="managers: the notes are kept with the team member's supervision records, "
         "not in a register of declarations"),
    Duty("MK §11", "You must not be involved in making significant decisions that involve a "
         "relative, partner or friend", "notification", "relationship", "decision",
         "none the code sets", LINE + "; the related person is kept from deciding anything of "
         "the declarant's while the relationship stands"),
    Duty("MK §11", "You are not allowed to directly manage a partner or family member, in these "
         "circumstances other arrangements need to be put in place", "notification",
         "relationship", "line-management", "none the code sets",
         LINE + "; a breach until the other arrangements are recorded"),
    Duty("MK §11", "You are not allowed to directly manage a partner or family member",
         "record", "relationship", "other", "none the code sets",
         "nobody; the related person is still kept from deciding the declarant's records"),
)
DUTY = {(d.kind, d.route): d for d in DUTIES if d.kind and d.type != "forbidden"}


def duty_of(record: Record, ctx: Context) -> Duty | None:
    """Which of the code's duties this record is: its kind, and the case the code sets apart."""
    details, kind = record.details, record.kind
    if kind == "gift":
        route = "kept" if details.get("outcome") in ACCEPTED else "not-kept"
    elif kind == "hospitality":
        route = "supplier" if details.get("outcome") == "accepted" and \
            details.get("host_is_supplier") is True else "other"
    elif kind == "outside-work":
        route = outside_work_route(record, ctx).name
    elif kind == "criminal-matter":
        self_ = details.get("subject") == "self"
        barred = details.get("event") == "dbs-barring" and \
            common.has_flag(record, ctx, *CHILDREN_OR_ADULT_SERVICES)
        route = "dbs-barring" if self_ and barred else \
            "notifiable" if self_ and details.get("event") in NOTIFIABLE else "not-asked"
    elif kind == "relationship":
        context = details.get("context")
        route = "councillor" if context == "councillor" or \
            details.get("relationship") == "councillor" else \
            context if context in ("decision", "line-management") else "other"
    elif kind == "attestation":
        return None if "attestation" not in KINDS else Duty(
            KINDS["attestation"].section, "", "record", "attestation")
    else:
        route = ""
    return DUTY.get((kind, route))


# --- who decides --------------------------------------------------------------------------------

def who_may_decide(record: Record, ctx: Context) -> Deciders:
    """The line manager, except §7 consultancy (a very senior manager) and §7's grade rules."""
    spec = KINDS.get(record.kind)
    if record.kind == "outside-work":
        route = outside_work_route(record, ctx)
        candidates = common.line_manager(record, ctx)
        if route.name == "consultancy":
            # "a very senior manager": any of them, the nearest in the line first; never
            # someone the declarant manages (their permission would be no check at all)
            candidates = common.up_the_chain(record, ctx, VERY_SENIOR) + [
                a for role in VERY_SENIOR for a in common.holders(ctx, role)
                if record.declarant not in {p.id for p in ctx.people.chain(a.person.id)}] or \
                common.holders(ctx, "chief-executive")
        elif route.name == "permission":
            # "the council's written permission": the line manager, or anyone above in the line
            candidates = candidates + [common.Authority(p, "above in the line")
                                       for p in ctx.people.chain(record.declarant)[1:]]
        return common.deciders(record, ctx, candidates, action=route.action, section="MK §7")
    action = "acknowledge" if spec and spec.notification else "approve"
    return common.deciders(record, ctx, common.line_manager(record, ctx), action=action,
                           section=spec.section if spec else "")


# --- rules, in the code's order -----------------------------------------------------------------

@rule("criminal-matter-scope", "MK §1", ("criminal-matter",))
def criminal_matter_scope(record: Record, ctx: Context) -> Iterable[Finding]:
    """§1 asks you to notify a caution, charge or conviction, and (in children or adult
    services) a DBS barring; anything else is recorded, with no deadline."""
    event, subject = record.details.get("event"), record.details.get("subject")
    if subject == "household-member":
        yield finding("the code asks only about you, not members of your household: recorded, "
                      "with no deadline", "info", "details.subject")
    elif event == "dbs-barring" and not common.has_flag(record, ctx, *CHILDREN_OR_ADULT_SERVICES):
        yield finding("'straight away' applies to jobs in children or adult services, and "
                      "people.yaml does not say yours is one: recorded, with no deadline", "info",
                      "details.event")
    elif event not in NOTIFIABLE and event != "dbs-barring":
        yield finding(f"the code asks you to notify a caution, charge or conviction; a {event} "
                      "is recorded, with no deadline (notify again if you are charged)", "info",
                      "details.event")


@rule("manage-partner-or-family", "MK §11", ("relationship",))
def manage_partner_or_family(record: Record, ctx: Context) -> Iterable[Finding]:
    """§11: "You are not allowed to directly manage a partner or family member, in these
    circumstances other arrangements need to be put in place"."""
    other = ctx.people.named(record.details.get("other_person"))
    declarant = ctx.people.get(record.declarant)
    close = record.details.get("relationship") in ("partner", "family")
    manages = record.details.get("context") == "line-management" or \
        other is not None and declarant is not None and (
            other.manager == declarant.id or declarant.manager == other.id)
    if close and manages and not record.details.get("arrangements"):
        yield common.breach(record, "a partner or family member may not be directly managed by "
                            "their partner or relative: say what other arrangements are in "
                            "place (`coc amend ID --arrangements ...`)", "details.arrangements")


@rule("decisions-involving-relative", "MK §11", ("relationship",))
def decisions_involving_relative(record: Record, ctx: Context) -> Iterable[Finding]:
    """§11: "You must not be involved in making significant decisions that involve a relative,
    partner or friend"."""
    if record.details.get("context") == "decision" and not record.details.get("arrangements"):
        yield finding("say who makes the decisions instead (arrangements)", "warning",
                      "details.arrangements")


@rule("property-use-in-advance", "MK §5", ("property-use",))
def property_use_in_advance(record: Record, ctx: Context) -> Iterable[Finding]:
    """§5: "You cannot use council equipment or services for personal use without approval in
    advance from a manager"."""
    start, declared = _v(record, "from_date"), record.declared_on
    if start and declared and start < declared:
        yield common.breach(record, f"personal use began on {start}, before approval was asked "
                            f"for on {declared}", "details.from_date")


@rule("gift-value-limit", "MK §6", ("gift",))
def gift_value_limit(record: Record, ctx: Context) -> Iterable[Finding]:
    """§6: "it might be OK to accept a small personal gift (under £25)": £25 or more may not be
    kept; decline, return or donate it."""
    value, limit = _v(record, "value_gbp"), ctx.param("gift_limit_gbp")
    if record.details.get("outcome") in ACCEPTED and value is not None and value >= limit:
        yield common.breach(record, f"a gift worth {common.money(value)} may not be kept: only a "
                            f"small personal gift under {common.money(limit)} may be; decline, "
                            f"return or donate it ({common.param_note(ctx, 'gift_limit_gbp')})",
                            "details.value_gbp")


@rule("hospitality-social", "MK §6", ("hospitality",))
def hospitality_social(record: Record, ctx: Context) -> Iterable[Finding]:
    """§6: "events should never be for social purposes"."""
    if record.details.get("purpose") == "social" and record.details.get("outcome") == "accepted":
        yield common.breach(record, "hospitality for social purposes may never be accepted",
                            "details.purpose")


@rule("hospitality-supplier", "MK §6", ("hospitality",))
def hospitality_supplier(record: Record, ctx: Context) -> Iterable[Finding]:
    """§6: only hospitality accepted from a supplier must be written down."""
    if record.details.get("outcome") == "accepted" and record.details.get("host_is_supplier") is not True:
        yield finding("only hospitality from a supplier must be recorded: recorded anyway, with "
                      "no deadline", "info", "details.host_is_supplier")


@rule("outside-work-route", "MK §7", ("outside-work",))
def outside_work_route_note(record: Record, ctx: Context) -> Iterable[Finding]:
    """§7: say which paragraph applies (and warn when the grade is unknown)."""
    route = outside_work_route(record, ctx)
    yield finding(route.says, "info" if route.grade_known else "warning", "details.consultancy")


@rule("outside-work-permission", "MK §7", ("outside-work",))
def outside_work_permission(record: Record, ctx: Context) -> Iterable[Finding]:
    """§7: full-time Grade H+ "cannot undertake other work without the council's written
    permission"; consultancy needs permission "before undertaking" it."""
    start, declared = _v(record, "start_date"), record.declared_on
    route = outside_work_route(record, ctx)
    # "before doing any private work" binds the Private Interests Form too; only part-time
    # Grade H+ staff "tell" and may do so once the work has begun
    if route.name != "tell-manager" and start and declared and start < declared:
        asked = "the Private Interests Form was completed" if \
            route.name == "private-interests-form" else "permission was asked for"
        yield common.breach(record, f"the work started on {start}, before {asked} on "
                            f"{declared}", "details.start_date")


RULES = (
    criminal_matter_scope,
    common.not_after_declaring("criminal-matter-date", "MK §1", ("criminal-matter",), "event_date"),
    manage_partner_or_family,
    decisions_involving_relative,
    common.other_person_known("MK §11"),
    property_use_in_advance,
    common.date_order("property-use-dates", "MK §5", ("property-use",), "from_date", "to_date"),
    common.date_order("overpayment-dates", "MK §5", ("overpayment",), "paid_on", "noticed_on"),
    common.not_after_declaring("overpayment-date", "MK §5", ("overpayment",), "noticed_on"),
    gift_value_limit,
    common.not_after_declaring("gift-date", "MK §6", ("gift",), "received_on"),
    hospitality_social,
    hospitality_supplier,
    outside_work_route_note,
    outside_work_permission,
    common.date_order("outside-work-dates", "MK §7", ("outside-work",), "start_date", "end_date"),
    common.company_number("MK §7"),
    common.read_code(),
    common.attestation_year(),
)


def side_effects(record: Record, ctx: Context) -> Iterable[str]:
    """§5: an overpayment is told "so it can be put right"."""
    if record.kind == "overpayment" and _v(record, "amount_gbp") is not None:
        yield (f"payroll: put right the overpayment of {common.money(_v(record, 'amount_gbp'))} "
               f"paid on {_v(record, 'paid_on')} (MK §5)")


def _guide() -> Any:
    from .check_milton_keynes import GUIDE

    return GUIDE


POLICY = Policy(
    name="milton-keynes",
    title="Milton Keynes City Council Officer Code of Conduct (February 2025)",
    short="MK",
    kinds=KINDS,
    parameters=PARAMETERS,
    rules=RULES,
    deadline=deadline,
    who_may_decide=who_may_decide,
    side_effects=side_effects,
    guide=_guide,
    duties=DUTIES,
    duty_of=duty_of,
    not_offered={
        "driving-disqualification": "the Milton Keynes code has no section on driving "
                                    "disqualification (run `coc check` for what it covers)",
        "political-restriction-appeal": "the Milton Keynes code has no political-restriction "
                                        "appeal (ask HR about politically restricted posts)",
        "sponsorship": "the Milton Keynes code has no sponsorship section",
        "service-user-exception": "the Milton Keynes code has no section on exceptions with "
                                  "service users (follow the safeguarding policies, MK §3)",
    },
)
