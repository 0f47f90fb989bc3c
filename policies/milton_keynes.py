"""Milton Keynes City Council Officer Code of Conduct (February 2025).

Sections are the code's numbered headings: §1 Follow the law ... §11 managers.
The full rule set is built out in issue 3; this module declares the kinds and parameters.
"""
from __future__ import annotations

from coc.registers.record import Record

from . import common
from .base import Context, Deadline, Deciders, Parameter, Policy
from .kinds import kind

KINDS = {k.name: k for k in (
    kind("gift", "MK §6", "A gift offered to you because of your job."),
    kind("hospitality", "MK §6", "Hospitality offered because of your job (tickets, meals, events)."),
    kind("outside-work", "MK §7", "Any other work, paid or unpaid, outside the council."),
    kind("voluntary-work", "MK §7", "An influential role in a club or society the council works with or funds."),
    kind("interest", "MK §7", "A private interest that may affect your decisions."),
    kind("directorship", "MK §7", "A directorship (a private interest)."),
    kind("criminal-matter", "MK §1", "Cautioned, charged, convicted or DBS-barred.", notification=True),
    kind("relationship", "MK §4, §11", "A close personal relationship that affects your work."),
    kind("property-use", "MK §5", "Personal use of council equipment or services."),
    kind("overpayment", "MK §5", "A payment received in error.", notification=True),
    kind("attestation", "MK §11", "Yearly acknowledgement of the code, with a nil return."),
)}

PARAMETERS = {p.name: p for p in (
    Parameter("gift_limit_gbp", "25", "value from which a gift may not be kept", "MK §6", "money"),
    Parameter("asap_working_days", 1, "'as soon as possible' read as this many working days "
              "(the code gives no number)", "MK §1", "int"),
    Parameter("decision_period_working_days", 10, "working days a decision may wait before "
              "`coc overdue` chases it (the code gives no number)", "MK §11", "int"),
)}


def deadline(record: Record, ctx: Context) -> Deadline | None:
    return None


def who_may_decide(record: Record, ctx: Context) -> Deciders:
    kind_ = KINDS.get(record.kind)
    action = "acknowledge" if kind_ and kind_.notification else "approve"
    return common.deciders(record, ctx, common.line_manager(record, ctx), action=action,
                           section=kind_.section if kind_ else "")


POLICY = Policy(
    name="milton-keynes",
    title="Milton Keynes City Council Officer Code of Conduct (February 2025)",
    short="MK",
    kinds=KINDS,
    parameters=PARAMETERS,
    rules=(),
    deadline=deadline,
    who_may_decide=who_may_decide,
    not_offered={
        "driving-disqualification": "the Milton Keynes code has no driving-disqualification duty",
        "political-restriction-appeal": "the Milton Keynes code has no political-restriction appeal",
        "sponsorship": "the Milton Keynes code has no sponsorship section",
        "service-user-exception": "the Milton Keynes code has no service-user exception section",
    },
)
