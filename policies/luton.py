"""Luton Borough Council Employee Code of Conduct.

Sections are the code's numbered paragraphs (§14 gifts, §17 criminal matters, §19 secondary
employment ...). The full rule set is built out in issue 3; this module declares the kinds
and parameters.
"""
from __future__ import annotations

from coc.registers.record import Record

from . import common
from .base import Context, Deadline, Deciders, Parameter, Policy
from .kinds import kind

KINDS = {k.name: k for k in (
    kind("gift", "Luton §14", "A gift offered because of your job."),
    kind("hospitality", "Luton §14.4", "Hospitality beyond the modest and normal."),
    kind("outside-work", "Luton §19", "Paid or unpaid secondary employment."),
    kind("voluntary-work", "Luton §20", "Voluntary work and community activities."),
    kind("interest", "Luton §10", "Outside activities or interests that may conflict."),
    kind("directorship", "Luton §22", "Directorships and associations with limited companies."),
    kind("criminal-matter", "Luton §17", "Reprimand, warning, caution, investigation, arrest, "
         "charge or conviction.", notification=True),
    kind("driving-disqualification", "Luton §18", "Disqualification from driving.",
         notification=True),
    kind("relationship", "Luton §13, §27", "A relative or close acquaintance (recruitment)."),
    kind("political-restriction-appeal", "Luton §16.4", "Appeal against a politically restricted post."),
    kind("sponsorship", "Luton §15", "Involvement with an event or service the council sponsors."),
    kind("property-use", "Luton §28", "Council property taken home or away from work."),
    kind("service-user-exception", "Luton §26.1", "An exception to the rules on service users."),
    kind("attestation", "Luton Responsibilities", "Yearly acknowledgement of the code."),
)}

PARAMETERS = {p.name: p for p in (
    Parameter("low_value_limit_gbp", "25", "what counts as a 'low value' gift (the code gives "
              "no number)", "Luton §14.2", "money"),
    Parameter("decision_period_working_days", 10, "working days a decision may wait before "
              "`coc overdue` chases it (the code gives no number)", "Luton §19.5", "int"),
)}


def deadline(record: Record, ctx: Context) -> Deadline | None:
    return None


def who_may_decide(record: Record, ctx: Context) -> Deciders:
    kind_ = KINDS.get(record.kind)
    action = "acknowledge" if kind_ and kind_.notification else "approve"
    return common.deciders(record, ctx, common.line_manager(record, ctx), action=action,
                           section=kind_.section if kind_ else "")


POLICY = Policy(
    name="luton",
    title="Luton Borough Council Employee Code of Conduct",
    short="Luton",
    kinds=KINDS,
    parameters=PARAMETERS,
    rules=(),
    deadline=deadline,
    who_may_decide=who_may_decide,
    not_offered={
        "overpayment": "the Luton code has no overpayment section",
    },
)
