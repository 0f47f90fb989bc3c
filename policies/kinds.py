"""The record kinds and their fields, shared by every policy (SPEC §4 "Fields of each kind").

A policy picks the kinds its code has, sets their sections, and may add fields; it may not
rename these.
"""
from __future__ import annotations

from dataclasses import replace

from .base import Field, Kind

F = Field

FIELDS: dict[str, tuple[Field, ...]] = {
    "gift": (
        F("received_on", "date", True, help="date the gift was offered or received"),
        F("donor", "text", True, help="who offered it (person)"),
        F("donor_organisation", "text", help="the organisation they represent, if any"),
        F("donor_is_supplier", "bool", help="does the donor supply, or bid to supply, the council?"),
        F("description", "longtext", True, help="what the gift is"),
        F("value_gbp", "money", True, help="estimated value in pounds, e.g. 24.99"),
        F("outcome", "choice", True, ("kept", "shared-with-team", "declined", "returned", "donated"),
          help="what happened to it"),
        F("reason", "longtext", help="why (for example why it was kept)"),
    ),
    "hospitality": (
        F("date", "date", True, help="date of the event or meal"),
        F("host", "text", True, help="who offered it"),
        F("host_is_supplier", "bool", help="does the host supply, or bid to supply, the council?"),
        F("event", "text", True, help="the event, meal or visit"),
        F("purpose", "choice", True, ("work", "social"), help="work-related or social?"),
        F("value_gbp", "money", True, help="estimated value in pounds"),
        F("outcome", "choice", True, ("accepted", "declined"), help="accepted or declined"),
    ),
    "outside-work": (
        F("organisation", "text", True, help="the employer or client"),
        F("role", "text", True, help="the job or role"),
        F("paid", "bool", True, help="is it paid?"),
        F("consultancy", "bool", help="is it consultancy for another organisation?"),
        F("start_date", "date", True, help="when it starts (approval must come first)"),
        F("end_date", "date", help="when it ends, if known"),
        F("hours_per_week", "hours", True, help="average hours a week"),
        F("working_pattern", "longtext", help="days and times worked"),
        F("conflicts", "longtext", help="any possible conflict with council work"),
    ),
    "voluntary-work": (
        F("organisation", "text", True, help="the club, society or body"),
        F("role", "text", True, help="your role in it"),
        F("category", "choice", True, ("management-committee", "tenants-committee",
                                        "school-governor", "youth-group", "play-scheme",
                                        "sports-club-committee", "grant-aided-organisation",
                                        "freemasons-rotary-round-table", "committee-nomination",
                                        "other"), help="the kind of activity"),
        F("start_date", "date", True, help="when it starts"),
        F("hours_per_week", "hours", help="average hours a week"),
    ),
    "interest": (
        F("nature", "choice", True, ("financial", "non-financial", "family", "membership"),
          help="the kind of interest"),
        F("organisation", "text", True, help="the organisation concerned"),
        F("description", "longtext", True, help="what the interest is"),
        F("council_dealings", "longtext", help="how the organisation deals with the council"),
        F("arose_on", "date", True, help="when the interest arose"),
        F("public_knowledge_test", "choice", choices=("yes", "possibly", "not-sure", "no"),
          help="could it raise questions about your integrity if the public knew?"),
    ),
    "directorship": (
        F("company_name", "text", True, help="the company"),
        F("company_number", "text", help="Companies House number, as text (leading zeros, SC…, OC…)"),
        F("appointed_on", "date", True, help="date of appointment"),
        F("council_nominated", "bool", True, help="nominated by the council?"),
    ),
    "criminal-matter": (
        F("event", "choice", True, ("reprimand", "warning", "caution", "investigation", "arrest",
                                    "charge", "conviction", "dbs-barring"), help="what happened"),
        F("event_date", "date", True, help="when it happened"),
        F("subject", "choice", True, ("self", "household-member"), help="you, or a household member"),
        F("follows", "record-id", help="the earlier notice this develops (after an arrest)"),
        F("summary", "longtext", help="a short factual summary"),
    ),
    "driving-disqualification": (
        F("reason", "choice", True, ("medical", "criminal"), help="medical or criminal"),
        F("start_date", "date", True, help="first day of the disqualification"),
        F("end_date", "date", help="last day, if known"),
        F("drives_on_council_business", "bool", help="do you drive on council business?"),
        F("essential_car_user", "bool", help="do you receive the essential car user allowance?"),
        F("job_requires_driving_licence", "bool", help="does your job require a driving licence?"),
    ),
    "relationship": (
        F("other_person", "text", True,
          help="the other person (their people.yaml id where they have one)"),
        F("relationship", "choice", True, ("partner", "family", "friend", "councillor", "other"),
          help="how you are related"),
        F("context", "choice", True, ("line-management", "recruitment", "councillor", "decision"),
          help="where it matters"),
        F("arrangements", "longtext", help="the other arrangements put in place"),
    ),
    "political-restriction-appeal": (
        F("post_title", "text", True, help="the post"),
        F("post_designation", "choice", True, ("sensitive", "specified"),
          help="how the post is designated"),
        F("job_description", "longtext", True, help="the full job description"),
        F("reasons", "longtext", True, help="why the restriction should be lifted"),
    ),
    "sponsorship": (
        F("event", "text", True, help="the event or service sponsored"),
        F("sponsor", "text", True, help="who sponsors it"),
        F("involvement", "longtext", True, help="your involvement"),
        F("family_benefit", "bool", help="could you or your immediate family benefit?"),
    ),
    "property-use": (
        F("item", "text", True, help="the equipment, property or service"),
        F("purpose", "longtext", True, help="what for"),
        F("from_date", "date", True, help="from"),
        F("to_date", "date", help="until"),
    ),
    "overpayment": (
        F("amount_gbp", "money", True, help="the amount paid in error", positive=True),
        F("paid_on", "date", True, help="when it was paid"),
        F("noticed_on", "date", True, help="when you noticed"),
        F("description", "longtext", help="what it was"),
    ),
    "service-user-exception": (
        F("case_reference", "text", True, help="the case reference"),
        F("exception", "choice", True, ("off-duty-meeting", "home-visit", "contact-details",
                                        "property-transaction", "other"), help="the exception"),
        F("reason", "longtext", True, help="why it is needed"),
    ),
    "attestation": (
        F("year", "int", True, help="the year attested", positive=True),
        F("read_code", "bool", True, help="have you read the code of conduct?"),
        F("nil_return", "bool", True, help="nothing (more) to declare this year?"),
    ),
}

PREFIXES = {
    "gift": "GIF", "hospitality": "HOS", "outside-work": "OUT", "voluntary-work": "VOL",
    "interest": "INT", "directorship": "DIR", "criminal-matter": "CRM",
    "driving-disqualification": "DRV", "relationship": "REL",
    "political-restriction-appeal": "POL", "sponsorship": "SPO", "property-use": "PRO",
    "overpayment": "OVP", "service-user-exception": "SUE", "attestation": "ATT",
}
TITLES = {
    "gift": "Gift", "hospitality": "Hospitality", "outside-work": "Outside work",
    "voluntary-work": "Voluntary work", "interest": "Private interest",
    "directorship": "Directorship", "criminal-matter": "Criminal matter notice",
    "driving-disqualification": "Driving disqualification", "relationship": "Relationship",
    "political-restriction-appeal": "Political restriction appeal", "sponsorship": "Sponsorship",
    "property-use": "Use of council property", "overpayment": "Overpayment",
    "service-user-exception": "Service user exception", "attestation": "Annual attestation",
}
SENSITIVE = frozenset({"criminal-matter", "driving-disqualification", "service-user-exception",
                       "relationship"})
ENDABLE = frozenset({"outside-work", "voluntary-work", "interest", "directorship", "relationship",
                     "property-use"})


def kind(name: str, section: str, help: str = "", *, notification: bool = False,
         extra: tuple[Field, ...] = (), overrides: dict[str, Field] | None = None) -> Kind:
    """A kind with the shared fields, as a policy offers it."""
    fields = tuple((overrides or {}).get(f.name, f) for f in FIELDS[name]) + extra
    return Kind(name=name, prefix=PREFIXES[name], title=TITLES[name], fields=fields,
                section=section, help=help, notification=notification,
                sensitive=name in SENSITIVE, has_end=name in ENDABLE)


def with_fields(base: Kind, *extra: Field) -> Kind:
    return replace(base, fields=base.fields + extra)
