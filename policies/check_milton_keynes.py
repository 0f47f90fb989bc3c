"""`coc check` for the Milton Keynes Officer Code of Conduct (February 2025): every section,
including the matters that are never declarations (media §8, whistleblowing §1/§4,
safeguarding §3, data breaches §9), answered in the code's own words.

Deadlines, deciders and breaches are not repeated here: they come from the policy's rules,
run on a draft of the declaration the answer offers.
"""
from __future__ import annotations

from .guide import Answer as A
from .guide import Guide, Node, flagged, grade_at_least, hours, when, yes_no
from .guide import Option as O
from .guide import Question as Q

NODES: dict[str, Node] = {
    "start": Q("topic", "What is it about?", (
        O("gift", "A gift offered to me because of my job", "gift.bribe"),
        O("hospitality", "Hospitality: a ticket, a meal, an event", "hosp.purpose"),
        O("other-work", "Other work or a second job, paid or unpaid, or consultancy",
          "work.consultancy"),
        O("interest", "A private interest: a relative's company, a club or society, a directorship",
          "interest.what"),
        O("criminal", "A caution, charge, conviction, arrest or DBS barring", "crime.subject"),
        O("relationship", "A councillor, or a relative, partner or friend I manage or decide about",
          "rel.what"),
        O("council-property", "Council equipment, services, accounts or discounts", "prop.what"),
        O("overpayment", "A payment I received in error (salary, expenses)", "overpay.noticed"),
        O("media", "A journalist or the media contacted me", "media"),
        O("concern", "I think someone is breaking the law or the code, or a service is failing",
          "concern"),
        O("safeguarding", "A safeguarding or health and safety concern", "safeguarding"),
        O("data", "Personal data: something went wrong, or looking someone up", "data.what"),
        O("conduct", "How we treat people: harassment, social media, working with councillors",
          "conduct.what"),
        O("team", "The yearly acknowledgement of the code (managers: your team)", "team"),
        O("policies", "Other council policies and procedures", "policies"),
        O("driving", "A driving disqualification", "driving"),
        O("political", "A politically restricted post", "political"),
        O("sponsorship", "An event or service the council sponsors", "sponsorship"),
        O("service-users", "Seeing service users or their families outside work", "service-users"),
        O("unsure", "I don't understand the code, or I'm not sure", "unsure"),
    )),

    # §6 Be very careful if offered a gift
    "gift.bribe": yes_no("bribe", "Is it offered to get you to act in someone's favour, or could "
                         "it be seen that way?", "gift.is-bribe", "gift.value"),
    "gift.is-bribe": A("not-allowed", "Bribes are never acceptable: refuse it, and report it to a "
                       "manager and/or the police, or raise it under the Whistleblowing Policy.",
                       "MK §6, §1"),
    "gift.value": Q("value_gbp", "Roughly what is it worth, in pounds?", type="money",
                    then="gift.outcome"),
    "gift.outcome": Q("outcome", "Do you want to keep it (or share it with your team), or have you "
                      "declined, returned or donated it?", (
                          O("kept", "Keep it", "gift.received"),
                          O("shared-with-team", "Share it with my team", "gift.received"),
                          O("declined", "Declined it", "gift.not-kept"),
                          O("returned", "Returned it", "gift.not-kept"),
                          O("donated", "Donated it", "gift.not-kept"))),
    "gift.received": when("received_on", "When was it offered or received?", "gift.keep"),
    "gift.keep": A("declare", "Try to avoid accepting gifts. A small personal gift (under "
                   "{gift_limit_gbp}) may be kept only if your manager agrees: ask them, and write "
                   "it down to properly record it. This declaration does both.", "MK §6", "gift"),
    "gift.not-kept": A("not-needed", "The code asks you to record gifts you keep. A gift you "
                       "declined, returned or donated need not be declared, though you may record "
                       "it.", "MK §6", "gift"),

    "hosp.purpose": Q("purpose", "What is it for?", (
        O("work", "A work-related event (a company pays for the ticket or sponsors the event)",
          "hosp.influence"),
        O("social", "A social occasion", "hosp.social"))),
    "hosp.social": A("not-allowed", "Hospitality should never be for social purposes: decline it. "
                     "If you have already accepted it, record it.", "MK §6", "hospitality",
                     {"outcome": "accepted"}),
    "hosp.influence": yes_no("influence", "Could it be seen as trying to influence you?",
                             "hosp.influences", "hosp.supplier"),
    "hosp.influences": A("not-allowed", "Decline it: hospitality should never be, or be seen as, "
                         "trying to influence you.", "MK §6"),
    "hosp.supplier": yes_no("host_is_supplier", "Is the host a supplier to the council (or bidding "
                            "to be one)?", "hosp.date", "hosp.not-supplier"),
    "hosp.date": when("date", "When is (or was) it?", "hosp.record"),
    "hosp.record": A("declare", "You may accept hospitality for a work-related event. Whenever you "
                     "accept hospitality from a supplier, write it down to properly record it.",
                     "MK §6", "hospitality", {"outcome": "accepted"}),
    "hosp.not-supplier": A("not-needed", "You may accept hospitality for a work-related event; "
                           "only hospitality from a supplier must be recorded (you may still "
                           "record it).",
                           "MK §6", "hospitality", {"outcome": "accepted"}),

    # §7 Tell us about any other work
    "work.consultancy": yes_no("consultancy", "Is it consultancy work for another organisation?",
                               "work.consultancy.start", "work.hours"),
    "work.consultancy.start": when("start_date", "When does (or did) it start?", "work.consult"),
    "work.consult": A("declare", "Before any consultancy work for another organisation you need "
                      "permission from a very senior manager (Head of Service, Assistant Director, "
                      "Director or Chief Executive), whatever your grade.", "MK §7",
                      "outside-work"),
    "work.hours": Q("hours", "Do you work for the council full-time or part-time?", (
        O("full-time", "Full-time", "work.grade.full-time"),
        O("part-time", "Part-time", "work.grade.part-time")), known=hours),
    "work.grade.full-time": yes_no("grade_h", "Are you paid at Grade {permission_grade} or above "
                                   "(or equivalent)?", "work.permission.start", "work.form.start",
                                   known=grade_at_least("permission_grade")),
    "work.grade.part-time": yes_no("grade_h", "Are you paid at Grade {permission_grade} or above "
                                   "(or equivalent)?", "work.tell.start", "work.form.start",
                                   known=grade_at_least("permission_grade")),
    "work.permission.start": when("start_date", "When would the work start?", "work.permission"),
    "work.permission": A("declare", "Full-time employees at Grade {permission_grade} and above "
                         "cannot undertake other work without the council's written permission: "
                         "ask before you start. Permission may be refused if the work is not "
                         "acceptable to the council.", "MK §7", "outside-work",
                         {"consultancy": "no"}),
    "work.tell.start": when("start_date", "When does (or did) the work start?", "work.tell"),
    "work.tell": A("declare", "Part-time employees at Grade {permission_grade} and above tell "
                   "their manager about other work or another job, so the council can be sure "
                   "there is no conflict with your role.", "MK §7", "outside-work",
                   {"consultancy": "no"}),
    "work.form.start": when("start_date", "When would the work start?", "work.form"),
    "work.form": A("declare", "Complete the Private Interests Form (this declaration) before doing "
                   "any private work.", "MK §7", "outside-work", {"consultancy": "no"}),

    "interest.what": Q("what", "Which is it?", (
        O("relative-company", "I, or a relative, own a company the council buys from",
          "interest.family.date"),
        O("similar-services", "I am involved with an organisation providing services similar to "
          "the council's", "interest.similar.date"),
        O("club", "A role in a club or society", "interest.club"),
        O("directorship", "I am a company director", "interest.director"),
        O("other", "Something else outside work", "interest.affects"))),
    "interest.family.date": when("arose_on", "Since when?", "interest.family"),
    "interest.family": A("declare", "Being related to someone who owns a company the council buys "
                         "from is a private interest you should tell the council about.", "MK §7",
                         "interest", {"nature": "family"}),
    "interest.similar.date": when("arose_on", "Since when?", "interest.similar"),
    "interest.similar": A("declare", "Involvement with an organisation that provides similar "
                          "services to the council is a private interest to declare.", "MK §7",
                          "interest"),
    "interest.club": yes_no("influential", "Is your role influential or decision-making, in a club "
                            "or society the council works with or funds?", "interest.club.date",
                            "interest.none"),
    "interest.club.date": when("start_date", "When did the role start?", "interest.club.declare"),
    "interest.club.declare": A("declare", "An influential or decision-making role with a club or "
                               "society the council works with or funds is a private interest "
                               "to declare.", "MK §7", "voluntary-work"),
    "interest.director": yes_no("affects", "Could it affect decisions you might make at work (for "
                                "example, the company deals with the council)?",
                                "interest.director.date", "interest.none"),
    "interest.director.date": when("appointed_on", "When were you appointed?",
                                   "interest.director.declare"),
    "interest.director.declare": A("declare", "A private interest that may affect the decisions "
                                   "you make at work is declared.", "MK §7", "directorship"),
    "interest.affects": yes_no("affects", "Could it affect decisions you might make at work?",
                               "interest.other.date", "interest.none"),
    "interest.other.date": when("arose_on", "Since when?", "interest.other"),
    "interest.other": A("declare", "Tell the council about private interests outside work that may "
                        "affect the decisions you make at work.", "MK §7", "interest"),
    "interest.none": A("not-needed", "The code asks about private interests that may affect your "
                       "decisions at work; this does not seem to be one. If that changes, declare "
                       "it.", "MK §7"),

    # §1 Follow the law
    "crime.subject": Q("subject", "Who is it about?", (
        O("self", "Me", "crime.event"),
        O("household-member", "Someone in my household", "crime.household"))),
    "crime.household": A("not-needed", "The code asks about you, not your household. If it could "
                         "affect your job, talk to your manager.", "MK §1"),
    "crime.event": Q("event", "What happened?", (
        O("caution", "I was cautioned", "crime.date"),
        O("charge", "I was charged", "crime.date"),
        O("conviction", "I was convicted", "crime.date"),
        O("dbs-barring", "I was barred by the Disclosure and Barring Service", "crime.services"),
        O("arrest", "I was arrested", "crime.not-yet"),
        O("investigation", "I am being investigated", "crime.not-yet"),
        O("reprimand", "A reprimand", "crime.not-yet"),
        O("warning", "A warning", "crime.not-yet"))),
    "crime.not-yet": A("not-needed", "The code asks you to notify your manager if you are "
                       "cautioned, charged or convicted. This alone need not be declared; "
                       "declare if you are cautioned, charged or convicted.", "MK §1",
                       "criminal-matter", {"subject": "self"}),
    "crime.date": when("event_date", "On what date?", "crime.notify"),
    "crime.notify": A("declare", "Notify your manager in writing as soon as possible. Managers "
                      "decide whether it affects your employment and what, if anything, to do.",
                      "MK §1", "criminal-matter", {"subject": "self"}),
    "crime.services": yes_no("services", "Does your job involve working in children or adult "
                             "services?", "crime.barred.date", "crime.barred.other",
                             known=flagged("works-with-children", "works-with-adults-at-risk")),
    "crime.barred.date": when("event_date", "On what date were you barred?", "crime.barred"),
    "crime.barred": A("declare", "Tell your manager straight away.", "MK §1", "criminal-matter",
                      {"subject": "self"}),
    "crime.barred.other": A("not-needed", "The 'straight away' duty is for jobs in children or "
                            "adult services. If it could affect your job, tell your manager.",
                            "MK §1", "criminal-matter", {"subject": "self"}),

    # §4 and §11: relationships
    "rel.what": Q("situation", "Which is it?", (
        O("councillor", "A close personal relationship with an elected councillor",
          "rel.councillor"),
        O("manage", "I directly manage (or would manage) my partner or a family member",
          "rel.manage"),
        O("decision", "I may be involved in a significant decision involving a relative, partner "
          "or friend", "rel.decision"),
        O("other", "Something else", "rel.other"))),
    "rel.councillor": A("declare", "If you have a close personal relationship with an elected "
                        "councillor, you need to disclose it.", "MK §4", "relationship",
                        {"relationship": "councillor", "context": "councillor"}),
    "rel.manage": A("not-allowed", "You are not allowed to directly manage a partner or family "
                    "member: other arrangements need to be put in place. Declare it, with the "
                    "arrangements.", "MK §11", "relationship", {"context": "line-management"}),
    "rel.decision": A("declare", "You must not be involved in making significant decisions that "
                      "involve a relative, partner or friend: declare it, so that someone else "
                      "decides.", "MK §11", "relationship", {"context": "decision"}),
    "rel.other": A("not-needed", "The code asks about relationships with councillors (§4) and with "
                   "people you manage or decide about (§11). If it could affect your decisions, it "
                   "may be a private interest (§7).", "MK §4, §11"),

    # §5 Be honest
    "prop.what": Q("use", "Which is it?", (
        O("personal-use", "Using council equipment or services for something personal",
          "prop.date"),
        O("order-goods", "Ordering goods for myself through a council account", "prop.order"),
        O("discount", "Using my position to get a discount", "prop.discount"),
        O("records", "Recording my working time, or claiming expenses", "prop.records"))),
    "prop.date": when("from_date", "From when?", "prop.personal"),
    "prop.personal": A("declare", "You cannot use council equipment or services for personal use "
                       "without approval in advance from a manager (IT only under the acceptable "
                       "use policy).", "MK §5", "property-use"),
    "prop.order": A("not-allowed", "You cannot order goods for your own personal use through a "
                    "City Council account.", "MK §5"),
    "prop.discount": A("not-allowed", "You may not use your position to obtain a discount, unless "
                       "it is part of the official employee discount scheme.", "MK §5"),
    "prop.records": A("not-a-declaration", "Keep accurate records of your working time, and claim "
                      "only the expenses and allowances you are entitled to.", "MK §5"),
    "overpay.noticed": when("noticed_on", "When did you notice it?", "overpay"),
    "overpay": A("declare", "Tell your manager as soon as possible, so it can be put right.",
                 "MK §5", "overpayment"),

    # matters that are never declarations
    "media": A("not-a-declaration", "Refer all media enquiries quickly to the Communications Team. "
               "Do not make statements to reporters or give information to online, print, radio or "
               "television channels on the council's behalf unless it is your job, or the "
               "Communications Team has given you permission.", "MK §8"),
    "concern": A("not-a-declaration", "Report it to a manager and/or the police, depending on the "
                 "circumstances, or contact Internal Audit, or raise it confidentially under the "
                 "Whistleblowing Policy. Deficiencies in services go to managers, without fear of "
                 "recrimination. It is never recorded in a declarations register.", "MK §1, §4"),
    "safeguarding": A("not-a-declaration", "Follow the Safeguarding Policies and Procedures: raise "
                      "safeguarding or health and safety concerns with your manager, or if you "
                      "cannot, under the Whistleblowing Policy. Never act in a way that puts the "
                      "public, colleagues or yourself at risk.", "MK §3"),
    "data.what": Q("what", "Which is it?", (
        O("breach", "Something went wrong with information (lost, sent to the wrong person...)",
          "data.breach"),
        O("lookup", "Looking up information about someone, or myself, not for work",
          "data.lookup"))),
    "data.breach": A("not-a-declaration", "Report it straight away, in line with the Data "
                     "Protection Policy.", "MK §9"),
    "data.lookup": A("not-allowed", "Only access information you need to do your job: never look "
                     "up information on another person (including yourself) if it is not for work, "
                     "and never use information from your job for personal gain.", "MK §9"),
    "conduct.what": Q("what", "Which is it?", (
        O("harassment", "Harassment or discrimination", "conduct.harassment"),
        O("social-media", "Something I want to post, including on social media",
          "conduct.social-media"),
        O("professional", "Dress, punctuality, residents, working with councillors",
          "conduct.professional"))),
    "conduct.harassment": A("not-a-declaration", "Do not harass or discriminate, and challenge it "
                            "when you see or hear it. A complaint of bullying or harassment is "
                            "made under the Grievance Policy.", "MK §2"),
    "conduct.social-media": A("not-a-declaration", "Do not publish or post anything, including on "
                              "social media, that would damage the council's reputation; see the "
                              "Policy on Social Networking Sites and Personal Internet Presence.",
                              "MK §4"),
    "conduct.professional": A("not-a-declaration", "Do your job well, deal with residents "
                              "professionally, and work with councillors regardless of your own "
                              "political beliefs. A close personal relationship with a councillor "
                              "is disclosed (coc check: relationship).", "MK §4"),
    "team": A("declare", "Managers make sure their team knows the code and act straight away "
              "on a breach (MK §11). The code asks for no yearly return: where the organisation's "
              "own practice asks everyone to confirm each year that they have read it (coc.yaml "
              "practice.yearly_attestation), that is an attestation, with a nil return when "
              "there is nothing to declare.", "coc.yaml practice.yearly_attestation",
              "attestation"),
    "policies": A("not-a-declaration", "Follow all the council's policies and procedures and the "
                  "rules in your area of work (the Terms and Conditions Handbook, the intranet); "
                  "ask your manager for a copy.", "MK §10"),
    "unsure": A("not-a-declaration", "If you do not understand the code or how to comply with it, "
                "ask your line manager to explain it; managers ask the HR Advisory Team.",
                "MK Introduction"),

    # kinds this code does not have
    "driving": A("not-in-code", "The Milton Keynes code has no section on driving "
                 "disqualification. A caution, charge or conviction is still notified under §1 "
                 "(coc check: criminal); if your job needs a licence, tell your manager.", "MK §1"),
    "political": A("not-in-code", "The Milton Keynes code has no section on politically "
                   "restricted posts: ask HR.", "MK §10"),
    "sponsorship": A("not-in-code", "The Milton Keynes code has no sponsorship section. "
                     "Hospitality from a sponsor is covered by §6 (coc check: hospitality).",
                     "MK §6"),
    "service-users": A("not-in-code", "The Milton Keynes code has no section on contact with "
                       "service users outside work: follow the Safeguarding Policies and "
                       "Procedures and ask your manager.", "MK §3"),
}

GUIDE = Guide(
    start="start",
    nodes=NODES,
    sections=tuple(f"MK §{n}" for n in range(1, 12)) + ("MK Introduction",),
    advice="If you are unsure, ask your line manager; managers ask the HR Advisory Team.",
)
