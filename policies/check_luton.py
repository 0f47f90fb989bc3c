"""`coc check` for the Luton Borough Council Employee Code of Conduct: every section, including
the matters that are never declarations (whistleblowing §24, safeguarding §25) and the ones the
code has no section for (media enquiries, a data breach, an overpayment), in the code's words.

Sections are the numbered paragraphs §6-§29; the unnumbered opening paragraphs are cited by
heading ("Luton Responsibilities"), as policies/luton.py does. Deadlines, deciders and breaches
are not repeated here: they come from the policy's rules, run on a draft of the declaration.
"""
from __future__ import annotations

from .guide import Answer as A
from .guide import Guide, Node, flagged, flagged_or_not, when, yes_no
from .guide import Option as O
from .guide import Question as Q

MONITORING_OFFICER = "the Monitoring Officer (Service Director, HR: 01582 546291)"


NODES: dict[str, Node] = {
    "start": Q("topic", "What is it about?", (
        O("gift", "A gift offered to me because of my job", "gift.from"),
        O("hospitality", "Hospitality: a meal, a ticket, an event", "hosp.what"),
        O("other-work", "Paid or unpaid work outside the council, or a second job", "work.what"),
        O("voluntary", "Voluntary or community work (a committee, a governor, Scouts, Rotary...)",
          "vol.category"),
        O("interest", "An outside activity or interest that might conflict with my council work",
          "interest.test"),
        O("directorship", "I am (or will be) a director of a limited company", "dir.nominated"),
        O("criminal", "A reprimand, warning, caution, investigation, arrest, charge or conviction",
          "crime.subject"),
        O("driving", "A driving disqualification", "drive.reason"),
        O("relationship", "A relative or friend: applying for a job here, or someone I manage",
          "rel.what"),
        O("councillor", "Working with councillors (members)", "member.close"),
        O("political", "Politics: a politically restricted post, party, union or professional "
          "body", "pol.what"),
        O("sponsorship", "An event or service the council sponsors", "spons.what"),
        O("service-users", "Service users, their carers or families outside work", "su.exception"),
        O("council-property", "Council property, equipment or facilities", "fac.what"),
        O("information", "Confidential information, personal data or a data breach", "info.what"),
        O("contracts", "Awarding a contract", "contract.authorised"),
        O("concern", "I am worried about a practice I have seen (whistleblowing)",
          "concern.management"),
        O("safeguarding", "A concern about the welfare of a child or adult at risk",
          "safeguarding"),
        O("people", "Dealing with people: aggression, equality, ID badges, my own work's copyright",
          "people.what"),
        O("media", "A journalist or the media contacted me", "media"),
        O("overpayment", "A payment I received in error (salary, expenses)", "overpayment"),
        O("circumstances", "Another change in my circumstances that could affect my job",
          "interest.test"),
        O("team", "The yearly acknowledgement of the code", "team"),
        O("breach", "What happens if the code is broken?", "sanctions"),
        O("unsure", "Who the code applies to, or I'm not sure", "unsure"),
    )),

    # §14 Gifts and hospitality
    "gift.from": Q("from", "Who is offering it?", (
        O("service-user", "A service user, or their carer or family", "gift.service-user"),
        O("other", "Anyone else (a supplier, a partner organisation, a member of the public)",
          "gift.fee"))),
    "gift.service-user": A("not-allowed", "Giving or receiving gifts with service users is "
                           "behaviour that will not be allowed and may lead to disciplinary "
                           "action: decline it politely.", "Luton §26.2"),
    "gift.fee": yes_no("fee", "Is it a fee, payment or reward for doing your job (money, a "
                       "voucher, a commission)?", "gift.is-fee", "gift.value"),
    "gift.is-fee": A("not-allowed", "You may not use your employment to accept any fee or reward "
                     "other than your proper pay (Local Government Act 1972): refuse it.",
                     "Luton §14.1"),
    "gift.value": Q("value_gbp", "Roughly what is it worth, in pounds?", type="money",
                    then="gift.outcome"),
    "gift.outcome": Q("outcome", "Do you want to accept it (keep it, or share it with "
                      "colleagues), or have you declined, returned or donated it?", (
                          O("kept", "Keep it", "gift.small"),
                          O("shared-with-team", "Share it with colleagues", "gift.small"),
                          O("declined", "Declined it", "gift.not-kept"),
                          O("returned", "Returned it", "gift.not-kept"),
                          O("donated", "Donated it (for example to the Mayor's charity)",
                            "gift.not-kept"))),
    "gift.small": Q("small", "Is it a small low-value gift, such as flowers, pens, a box of "
                    "chocolates, a diary or similar, that can be shared with colleagues?", (
                        O("yes", "Yes", "gift.received"),
                        O("no", "No", "gift.not-small"),
                        O("not-sure", "Not sure", "gift.doubt"))),
    "gift.received": when("received_on", "When was it offered or received?", "gift.keep"),
    "gift.keep": A("declare", "A small low-value gift (under {low_value_limit_gbp}) may be "
                   "accepted providing it is declared and recorded in the Register of Gifts & "
                   "Hospitality: this declaration does that.", "Luton §14.3", "gift"),
    "gift.not-small": A("not-allowed", "Only small low-value gifts that can be shared with "
                        "colleagues may be accepted. Return it; if refusing would cause offence "
                        "(around religious festivals, say), consider donating it to the Mayor's "
                        "charity. If in any doubt, check with " + MONITORING_OFFICER + " before "
                        "accepting.", "Luton §14.2, §14.3, §14.5"),
    "gift.doubt": A("not-a-declaration", "If there is any doubt you must check with "
                    + MONITORING_OFFICER + " before accepting the gift. If you are told you may "
                    "keep it, declare it (coc check: gift).", "Luton §14.5"),
    "gift.not-kept": A("not-needed", "Only gifts you accept are declared. A gift you declined, "
                       "returned or donated to the Mayor's charity need not be, though you may "
                       "record it.", "Luton §14.2, §14.3", "gift"),

    "hosp.what": Q("modest", "Is it modest hospitality, normal and reasonable in the "
                   "circumstances, such as lunch or dinner in the course of a working visit, "
                   "a conference or a professional gathering, worth no more than "
                   "{modest_hospitality_limit_gbp}?", (
                       O("yes", "Yes", "hosp.modest"),
                       O("no", "No: more than that, or not in the course of work", "hosp.outcome"),
                       O("not-sure", "Not sure", "hosp.doubt"))),
    "hosp.modest": A("not-needed", "Modest hospitality, normal and reasonable in the "
                     "circumstances, is acceptable and does not need to be declared and "
                     "recorded.", "Luton §14.4"),
    "hosp.doubt": A("not-a-declaration", "If there is any doubt you must check with "
                    + MONITORING_OFFICER + " before accepting hospitality; declare it if you "
                    "accept it and it is more than modest.", "Luton §14.5"),
    "hosp.outcome": Q("outcome", "Have you accepted it (or want to), or declined it?", (
        O("accepted", "Accepted, or want to", "hosp.purpose"),
        O("declined", "Declined it", "hosp.declined"))),
    "hosp.declined": A("not-needed", "Hospitality you declined need not be declared, though you "
                       "may record it.", "Luton §14.4", "hospitality"),
    "hosp.purpose": Q("purpose", "Is it work-related or social?", (
        O("work", "Work-related", "hosp.date"),
        O("social", "Social", "hosp.date"))),
    "hosp.date": when("date", "When is (or was) it?", "hosp.declare"),
    "hosp.declare": A("declare", "Only modest working hospitality is exempt. Check with "
                      + MONITORING_OFFICER + " before accepting anything more, and declare it "
                      "in the Register of Gifts & Hospitality.", "Luton §14.4, §14.5",
                      "hospitality"),

    # §15 Sponsorship
    "spons.what": Q("what", "Which is it?", (
        O("involved", "I am involved with an event or service the council sponsors or proposes "
          "to sponsor", "spons.benefit"),
        O("third-party", "The council is asking for or receiving sponsorship from someone else",
          "spons.third-party"))),
    "spons.benefit": yes_no("family_benefit", "Could you or an immediate family member benefit "
                            "from the sponsorship?", "spons.benefits", "spons.declare"),
    "spons.benefits": A("not-allowed", "Where the council sponsors an event or service, you and "
                        "your immediate family must not benefit from it. Seek guidance: declare "
                        "your involvement so the arrangement can be changed.", "Luton §15.1",
                        "sponsorship"),
    "spons.declare": A("declare", "You must seek guidance if you are involved with any event or "
                       "service the council proposes to sponsor: this declaration asks for it.",
                       "Luton §15.1", "sponsorship"),
    "spons.third-party": A("not-a-declaration", "The council must consider whether the public "
                           "would think the sponsorship appropriate, so that confidence in its "
                           "integrity, impartiality and honesty is not put at risk: raise any "
                           "concern with your line manager.", "Luton §15.2"),

    # §16 Political restrictions, §23 political, professional and trade union activity
    "pol.what": Q("what", "Which is it?", (
        O("appeal", "My post is politically restricted and I think it should not be",
          "pol.designation"),
        O("activity", "Taking part in politics (a party, a campaign, standing for election)",
          "pol.restricted"),
        O("at-work", "Political meetings or views at work", "pol.neutral"),
        O("union", "Trade union or professional body activity", "pol.union"))),
    "pol.designation": Q("post_designation", "How is your post designated as politically "
                         "restricted?", (
                             O("sensitive", "'Sensitive' (its duties need political neutrality)",
                               "pol.appeal"),
                             O("specified", "'Specified' (listed under section 2 of the Local "
                               "Government and Housing Act 1989)", "pol.specified"),
                             O("not-sure", "Not sure", "pol.unsure"))),
    "pol.appeal": A("declare", "A post identified as 'sensitive' may appeal for exemption by "
                    "contacting the Monitoring Officer, with a letter formally seeking exemption, "
                    "the full job description and why the post was wrongly identified as "
                    "sensitive: this declaration is that appeal.", "Luton §16.4",
                    "political-restriction-appeal"),
    "pol.specified": A("not-allowed", "A 'specified' post is restricted by law (LGHA 1989 s.2) "
                       "and cannot appeal: only a 'sensitive' post may.", "Luton §16.2, §16.4"),
    "pol.unsure": A("not-a-declaration", "The Politically Restricted Posts Procedure lists the "
                    "specified posts and the criteria for sensitive ones, and the council keeps "
                    "a public list of restricted posts: ask " + MONITORING_OFFICER + ".",
                    "Luton §16.1, §16.2"),
    "pol.restricted": yes_no("restricted", "Is your post politically restricted?",
                             "pol.is-restricted", "pol.free",
                             known=flagged("politically-restricted")),
    "pol.is-restricted": A("not-allowed", "In a politically restricted post you may not take "
                           "part in the political activities the Politically Restricted Posts "
                           "Procedure defines.", "Luton §16.3"),
    "pol.free": A("not-needed", "You may be a member of a political party. Make sure it causes "
                  "no actual or perceived conflict with your duties, and stay politically neutral "
                  "at work.", "Luton §23.1, §23.2"),
    "pol.neutral": A("not-a-declaration", "At work you must be politically neutral and unbiased: "
                     "do not attend meetings of political groups as a council employee unless "
                     "specifically authorised, and do not let your own views influence how you "
                     "work.", "Luton §16.5, §23.2"),
    "pol.union": A("not-a-declaration", "Union activity must not conflict with your position as "
                   "an employee: where it does, your responsibilities to the council come first "
                   "and you must desist from the union involvement in that issue at once (the "
                   "more senior the post, the more care). Members of a profession uphold its "
                   "standards as well as this code.", "Luton §23.3, §23.4, §23.5, §23.6"),

    # §17 Criminal charges and convictions
    "crime.subject": Q("subject", "Who is it about?", (
        O("self", "Me", "crime.event"),
        O("household-member", "An immediate family member who lives at my address",
          "crime.household.event"),
        O("associate", "Someone I have a relationship with, or associate with, has convictions",
          "crime.associate"),
        O("applicant", "I am applying for a job at the council", "crime.applicant"))),
    "crime.applicant": A("not-a-declaration", "Applicants disclose all contraventions of the law, "
                         "in the UK or elsewhere, on the application, unless the Rehabilitation "
                         "of Offenders Act applies and the period has expired; some posts have a "
                         "DBS check.", "Luton §17.1"),
    "crime.event": Q("event", "What happened?", (
        O("reprimand", "A reprimand", "crime.date"),
        O("warning", "A warning", "crime.date"),
        O("caution", "A caution", "crime.date"),
        O("investigation", "I am being investigated", "crime.date"),
        O("arrest", "I was arrested", "crime.arrest.date"),
        O("charge", "I was charged", "crime.date"),
        O("conviction", "I was convicted, or found guilty (even with no conviction recorded)",
          "crime.date"),
        O("dbs-barring", "I was barred by the Disclosure and Barring Service", "crime.date"),
        O("development", "A development in a case after my arrest", "crime.follows"),
        O("outcome", "The outcome of a case after my arrest", "crime.follows"),
        O("not-sure", "I am not sure it counts", "crime.doubt.date"))),
    "crime.date": when("event_date", "On what date?", "crime.notify"),
    "crime.notify": A("declare", "Inform your manager on the next working day. Failing to notify "
                      "an investigation, arrest, charge or conviction is grounds for disciplinary "
                      "action; the council need not wait for the courts before investigating.",
                      "Luton §17.2, §17.4, §17.5, §17.6", "criminal-matter", {"subject": "self"}),
    "crime.arrest.date": when("event_date", "On what date were you arrested?", "crime.arrest"),
    "crime.arrest": A("declare", "Inform your manager on the next working day, and then notify "
                      "each development and the outcome of the case on the next working day "
                      "after it (coc declare criminal-matter --event development --follows ID).",
                      "Luton §17.2, §17.6", "criminal-matter", {"subject": "self"}),
    "crime.follows": Q("follows", "The id of your first notice (like CRM-2026-K3F9Q2)?",
                       type="record-id", then="crime.follow.date"),
    "crime.follow.date": when("event_date", "On what date?", "crime.follow"),
    "crime.follow": A("declare", "After an arrest, notify the manager of each development and the "
                      "outcome of the case immediately, on the next working day.", "Luton §17.2",
                      "criminal-matter", {"subject": "self"}),
    "crime.doubt.date": when("event_date", "On what date did it happen?", "crime.doubt"),
    "crime.doubt": A("declare", "Always notify your manager if there is any doubt whether you "
                     "fall into one of these categories: choose the nearest event.",
                     "Luton §17.3", "criminal-matter", {"subject": "self"}),
    "crime.household.event": Q("event", "What happened to them?", (
        O("investigation", "Investigated", "crime.household.date"),
        O("arrest", "Arrested", "crime.household.date"),
        O("charge", "Charged", "crime.household.date"),
        O("conviction", "Convicted", "crime.household.date"))),
    "crime.household.date": when("event_date", "On what date?", "crime.household"),
    "crime.household": A("declare", "In certain circumstances (where it bears on your job or "
                         "position of trust) notify your line manager when an immediate family "
                         "member who lives at your address is investigated, arrested, charged or "
                         "convicted; if in doubt, notify.", "Luton §17.3", "criminal-matter",
                         {"subject": "household-member"}),
    "crime.associate": yes_no("with_children", "Do you work with children (or adults at risk)?",
                              "crime.associate.date", "crime.associate.other",
                              known=flagged("works-with-children", "works-with-adults-at-risk")),
    "crime.associate.date": when("arose_on", "Since when?", "crime.associate.declare"),
    "crime.associate.declare": A("declare", "Working with children while in a relationship with, "
                                 "or associating with, someone convicted of child abuse calls "
                                 "your position of trust into question: raise it with your line "
                                 "manager.", "Luton §17.3, §10.3", "interest",
                                 {"nature": "non-financial", "public_knowledge_test": "yes"}),
    "crime.associate.other": A("not-needed", "The code's example is about people who work with "
                               "children. Ask yourself the public knowledge test: if it could "
                               "raise questions about your integrity, raise it with your line "
                               "manager (coc check: interest).", "Luton §17.3, §10.2"),

    # §18 Driving disqualification
    "drive.reason": Q("reason", "Why are you disqualified from driving?", (
        O("medical", "For medical reasons", "drive.duty"),
        O("criminal", "For criminal reasons (a driving conviction or ban)", "drive.duty"),
        O("not-disqualified", "I am not disqualified (penalty points, a warning)",
          "drive.not-disqualified"))),
    "drive.not-disqualified": A("not-needed", "Only a disqualification from driving must be "
                                "reported; a criminal matter is notified under §17 (coc check: "
                                "criminal).", "Luton §18.1, §17.2"),
    "drive.duty": yes_no("drives", "Do you drive on council business, receive the essential car "
                         "user allowance, or does your job require a driving licence?",
                         "drive.date", "drive.no-duty",
                         known=flagged("drives-on-council-business", "essential-car-user")),
    "drive.date": when("start_date", "From what date are you disqualified?", "drive.notify"),
    "drive.notify": A("declare", "Inform your manager immediately (on the next working day). The "
                      "essential car user lump sum stops for the disqualification. The council "
                      "will consider redesigning your job or redeploying you; pay is protected "
                      "only where the reason is disability, not a driving conviction or ban, and "
                      "your job is at risk if neither is possible.",
                      "Luton §18.1, §18.2, §18.3, §18.4", "driving-disqualification",
                      {"drives_on_council_business": "yes"}),
    "drive.no-duty": A("not-needed", "The duty is for those who drive on council business, "
                       "receive the essential car user allowance or whose job needs a licence. "
                       "If that changes, tell your manager.", "Luton §18.1",
                       "driving-disqualification", {"drives_on_council_business": "no"}),

    # §19 Paid or unpaid work, §21 senior managers
    "work.what": Q("what", "Which is it?", (
        O("new", "Work I want to take on (or have taken on)", "work.senior"),
        O("change", "The hours or circumstances of my outside work have changed", "work.change"),
        O("sick", "I am off sick from the council but could do my other job", "work.sick"))),
    "work.senior": yes_no("senior", "Are you a Chief Officer or Senior Manager (or on Chief "
                          "Officer terms and conditions)?", "work.senior.start", "work.start",
                          known=flagged_or_not("chief-officer", "senior-manager")),
    "work.senior.start": when("start_date", "When would it start?", "work.senior.declare"),
    "work.senior.declare": A("declare", "Chief Officers devote their whole time service to the "
                             "council. Chief Officers and Senior Managers must obtain permission "
                             "for any additional professional activity and declare all their "
                             "professional commitments to the Monitoring Officer.", "Luton §21.1",
                             "outside-work"),
    "work.start": when("start_date", "When would it start?", "work.declare"),
    "work.declare": A("declare", "First seek approval from your line manager, in writing, with "
                      "the work and the hours / working pattern. Managers weigh conflicts of "
                      "interest, the Working Time Directive and health and safety, and will not "
                      "refuse unreasonably; approval comes in writing, with any restrictions you "
                      "sign to accept. If you will not accept them, you choose between that work "
                      "and your council job.", "Luton §19.1, §19.2, §19.3, §19.4, §19.5, §19.6, "
                      "§19.7, §19.8", "outside-work"),
    "work.change": A("not-a-declaration", "Advise your manager if the hours or circumstances of "
                     "your secondary employment change: amend your declaration "
                     "(coc amend ID --hours-per-week ... --working-pattern ...).", "Luton §19.4"),
    "work.sick": A("not-a-declaration", "The council expects that if you are too ill to work for "
                   "the council you are too ill for your other employer too. In exceptional "
                   "circumstances it may be possible to work for one and not the other: your "
                   "line manager must be told.", "Luton §19.9"),

    # §20 Voluntary work
    "vol.category": Q("category", "Which kind of voluntary activity is it?", (
        O("management-committee", "(1) A management committee of a community or leisure centre",
          "vol.approval.start"),
        O("tenants-committee", "(2) A tenants' (council property) or residents' action group "
          "committee", "vol.approval.start"),
        O("school-governor", "(3) A school governing body, as Governor or Clerk",
          "vol.approval.start"),
        O("youth-group", "(4) A voluntary youth group: Scouts, Guides, a church group",
          "vol.approval.start"),
        O("play-scheme", "(5) A self-help play scheme or similar", "vol.approval.start"),
        O("sports-club-committee", "(6) A committee of a sports or leisure club",
          "vol.approval.start"),
        O("grant-aided-organisation", "(7) An organisation with grant aid or support from the "
          "council", "vol.approval.start"),
        O("freemasons-rotary-round-table", "(8) Freemasons, Rotary, Round Table, etc.",
          "vol.approval.start"),
        O("committee-nomination", "(9) Nomination for election to one of those committees",
          "vol.approval.start"),
        O("other", "Other voluntary or community work", "vol.advise.start"))),
    "vol.approval.start": when("start_date", "When would it start?", "vol.approval"),
    "vol.approval": A("declare", "This is one of the activities that require you to seek "
                      "approval before you start. Approval comes in writing from your Service "
                      "Director or Service Manager, with any restrictions you sign to accept; if "
                      "you will not accept them, you choose between the activity and your "
                      "council job. It must not conflict with the council's interests.",
                      "Luton §20.1, §20.2, §20.3, §20.5, §20.6, §20.7", "voluntary-work"),
    "vol.advise.start": when("start_date", "When did (or will) it start?", "vol.advise"),
    "vol.advise": A("declare", "Advise your line manager in writing of your commitments outside "
                    "work, so that neither you nor the council is exposed to a conflict of "
                    "interest.", "Luton §20.3, §20.4", "voluntary-work"),

    # §10 Conflicts of interest (and Responsibilities: a change in circumstances)
    "interest.test": Q("public_knowledge_test", "If this became public knowledge, could it raise "
                       "questions about your integrity and could it bring the council into "
                       "disrepute?", (
                           O("yes", "Yes", "interest.date"),
                           O("possibly", "Possibly", "interest.date"),
                           O("not-sure", "I'm not sure", "interest.date"),
                           O("no", "No", "interest.no"))),
    "interest.date": when("arose_on", "Since when?", "interest.raise"),
    "interest.raise": A("declare", "With 'yes', 'possibly' or 'I'm not sure' you are obliged to "
                        "raise it with your line manager, who will seek a decision from your "
                        "Service Director or Service Manager. Tell the council of any change in "
                        "your circumstances or interests that may affect your employment.",
                        "Luton §10.1, §10.3, Responsibilities", "interest"),
    "interest.no": A("not-needed", "With 'no' to the public knowledge test you are not obliged "
                     "to raise it, though you may record it. Ask again if things change.",
                     "Luton §10.2", "interest"),

    # §22 Directorship of limited companies
    "dir.nominated": yes_no("council_nominated", "Has the council asked you to be a director of "
                            "a company in which it is a shareholder?", "dir.council.date",
                            "dir.private.date"),
    "dir.council.date": when("appointed_on", "When were (or will) you be appointed?",
                             "dir.council"),
    "dir.council": A("declare", "Be mindful of conflicts of interest: at the slightest doubt take "
                     "legal advice and inform the Monitoring Officer, and take no part in council "
                     "decisions that could unduly benefit the company.", "Luton §22.2",
                     "directorship"),
    "dir.private.date": when("appointed_on", "When were you appointed?", "dir.private"),
    "dir.private": A("declare", "Declare your directorship, and other professional associations "
                     "with limited companies, to your line manager. If private interests and "
                     "public duties conflict, resolve it in favour of the council.",
                     "Luton §22.1", "directorship"),

    # §13 Recruitment of friends or relatives
    "rel.what": Q("situation", "Which is it?", (
        O("applicant", "A relative, or someone I know closely, applied for a job at the council",
          "rel.selection"),
        O("manage", "I manage, or make decisions about, a relative, partner or friend",
          "rel.manage"))),
    "rel.selection": yes_no("involved", "Are you involved in the selection for that post?",
                            "rel.step-aside", "rel.not-involved"),
    "rel.step-aside": A("declare", "You must not take part in, or try to influence in any way, "
                        "the selection: declare the relationship so someone else takes your "
                        "place. The applicant records it on the application form.", "Luton §13",
                        "relationship", {"context": "recruitment"}),
    "rel.not-involved": A("not-needed", "The applicant records the relationship on the "
                          "application form. Do not take part in, or try to influence, the "
                          "selection.", "Luton §13", "relationship", {"context": "recruitment"}),
    "rel.manage": A("declare", "The code has no separate rule on managing a relative, but it is "
                    "a conflict of interest by the public knowledge test: raise it with your line "
                    "manager so that other arrangements can be made.", "Luton §10.1, §10.3",
                    "relationship", {"context": "line-management"}),

    # §27 Relationships with members
    "member.close": yes_no("close", "Do you have a close personal relationship with a councillor "
                           "(a partner, relative or friend)?", "member.declare", "member.protocol"),
    "member.declare": A("declare", "Follow the Protocol for Member/Officer Relations; a close "
                        "personal relationship with a councillor could raise questions about "
                        "your integrity, so raise it with your line manager.",
                        "Luton §27, §10.3", "relationship", {"context": "councillor"}),
    "member.protocol": A("not-a-declaration", "Comply with the Protocol for Member/Officer "
                         "Relations (Part 5 C of the Constitution), which sets the ground rules "
                         "between councillors and employees.", "Luton §27"),

    # §26 Relationships with vulnerable clients or service users
    "su.exception": Q("exception", "What is it?", (
        O("off-duty-meeting", "(1) Seeing service users, their carers or families when "
          "off-duty", "su.reason"),
        O("home-visit", "(2) Taking service users, their carers or families to my home",
          "su.reason"),
        O("contact-details", "(3) Giving them my telephone number or address", "su.reason"),
        O("property-transaction", "(4) Selling property to, or buying it from, them",
          "su.reason"),
        O("sexual-contact", "Sexual contact", "su.never"),
        O("money", "Lending or borrowing money or property", "su.never"),
        O("wills", "Witnessing a will, or acting as a named executor", "su.never"),
        O("paid-help", "Arranging extra help for a fee", "su.never"),
        O("gifts", "Giving or receiving gifts", "su.never"),
        O("other", "Something else", "su.reason"))),
    "su.reason": yes_no("sound_reason", "Is there a sound reason, and will your line manager "
                        "approve it expressly before it happens?", "su.declare", "su.refused"),
    "su.declare": A("declare", "Only with a sound reason, the express knowledge and approval of "
                    "your line manager, and the decision recorded on the service case papers or "
                    "establishment record: ask before it happens.", "Luton §26.1",
                    "service-user-exception"),
    "su.refused": A("not-allowed", "Without a sound reason and your line manager's express "
                    "approval, recorded on the case papers, you must not do this.", "Luton §26.1"),
    "su.never": A("not-allowed", "This is behaviour that will not be allowed, whatever the "
                  "reason, and may lead to disciplinary action.", "Luton §26.2"),

    # §28 Use of council facilities
    "fac.what": Q("use", "Which is it?", (
        O("take-home", "Taking council property home, or away from my normal place of work",
          "fac.date"),
        O("private-benefit", "Using council facilities (phone, computer, vehicle, tools...) for "
          "my own private benefit", "fac.private"))),
    "fac.date": when("from_date", "From when?", "fac.permission"),
    "fac.permission": A("declare", "Council property may not be taken home, or away from your "
                        "normal place of work, unless your immediate supervisor or manager has "
                        "given permission first.", "Luton §28.1", "property-use"),
    "fac.private": A("not-allowed", "Council facilities must not be used, or abused, for your own "
                     "private benefit or gain.", "Luton §28.1"),

    # §11 Commercial confidentiality/data protection, §12 Awarding contracts
    "info.what": Q("what", "Which is it?", (
        O("internal", "Making internal or commercial information public (prices, customers, "
          "contract negotiations)", "info.internal"),
        O("personal", "Giving personal information about someone to a third party",
          "info.personal"),
        O("breach", "Something went wrong with information (lost, sent to the wrong person...)",
          "info.breach"))),
    "info.internal": A("not-allowed", "You must not make internal information public without "
                       "your manager's express agreement as part of the council's normal "
                       "processes, for anyone's gain or none: above all where it could prejudice "
                       "fair competition or lose commercial advantage.", "Luton §11.1, §11.2"),
    "info.personal": A("not-allowed", "The Data Protection Act binds you: do not release "
                       "information about any employee or person dealing with the council to a "
                       "third party, except internally as part of normal work.", "Luton §11"),
    "info.breach": A("not-a-declaration", "The Luton code has no data breach procedure: tell "
                     "your line manager straight away and follow the council's data protection "
                     "procedures. It is never recorded in a declarations register.",
                     "Luton §11"),
    "contract.authorised": yes_no("authorised", "Are you authorised to award contracts?",
                                  "contract.rules", "contract.not-authorised"),
    "contract.rules": A("not-a-declaration", "Award contracts in line with the council's Standing "
                        "Orders, Financial Regulations and procurement law; contracts questions "
                        "go to the Service Director, Procurement and Shared Services (01582 "
                        "547392). An interest in a bidder is a conflict to declare (coc check: "
                        "interest).", "Luton §12.1"),
    "contract.not-authorised": A("not-allowed", "Only employees who are authorised to do so may "
                                 "award contracts.", "Luton §12.1"),

    # never declarations
    "concern.management": yes_no("management_involved", "Could your manager, or management, be "
                                 "involved in it?", "concern.direct", "concern.manager"),
    "concern.manager": A("not-a-declaration", "If possible, get advice from your manager. "
                         "Public interest disclosures are made to the Monitoring Officer "
                         "(whistle@luton.gov.uk) under the Whistleblowing Policy, and the Public "
                         "Interest Disclosure Act 1998 protects you. It is never recorded in a "
                         "declarations register.", "Luton §24.1, §24.2"),
    "concern.direct": A("not-a-declaration", "Do not raise it with management: go directly to "
                        "the Monitoring Officer at whistle@luton.gov.uk, under the Whistleblowing "
                        "Policy (the Public Interest Disclosure Act 1998 protects you). It is "
                        "never recorded in a declarations register.", "Luton §24.1, §24.2"),
    "safeguarding": A("not-a-declaration", "Never ignore it: record it and share it with your "
                      "manager or the appropriate authority, even outside work. You cannot keep "
                      "abuse told to you in confidence secret, and failing to report it breaches "
                      "your duty of care; the child's or adult's welfare comes before loyalty to "
                      "colleagues. If you cannot go to your manager, use the Whistleblowing Policy "
                      "(the Monitoring Officer, whistle@luton.gov.uk). It is never recorded in a "
                      "declarations register.", "Luton §25.1, §25.2, §25.3, §25.4, §25.5, §25.6"),
    "people.what": Q("what", "Which is it?", (
        O("aggression", "A strained, abusive or violent situation with someone", "people.conduct"),
        O("equality", "Equality, discrimination or harassment", "people.equality"),
        O("badges", "ID badges, or someone without one in a secure area", "people.badges"),
        O("copyright", "Who owns something I made at work", "people.copyright"))),
    "people.conduct": A("not-a-declaration", "Treat everyone courteously, without abusive "
                        "language or aggressive body language. Where there is danger, politely "
                        "withdraw or disengage; use the council's training and policies, and talk "
                        "to your line manager if you work where conflict can arise. The "
                        "Disciplinary Procedure gives examples of misconduct.",
                        "Luton §6.1, §6.2, §6.3"),
    "people.equality": A("not-a-declaration", "Treat no one less favourably than anyone else, "
                         "with dignity and respect, and know the council's policies on equal "
                         "opportunities and preventing discrimination and harassment; raise a "
                         "concern with your line manager.", "Luton §7"),
    "people.badges": A("not-a-declaration", "Wear or carry your ID, challenge (politely) anyone "
                       "without a badge in a secure area, and do not let strangers tailgate you "
                       "in.", "Luton §9"),
    "people.copyright": A("not-needed", "Copyright in what you produce in the course of your work "
                          "belongs to the council unless your contract says otherwise: nothing "
                          "to declare.", "Luton §8"),
    "media": A("not-in-code", "The Luton code has no section on the media. You must not make "
               "internal information public without your manager's express agreement: refer the "
               "enquiry to your line manager (and the council's communications team).",
               "Luton §11.1"),
    "overpayment": A("not-in-code", "The Luton code has no overpayment section, but you must be "
                     "honest in your own dealings with the council: tell payroll and your line "
                     "manager.", "Luton Responsibilities"),
    "team": A("declare", "Line management make sure employees know the code's contents (Luton "
              "Responsibilities). Follow the council's policies, Standing Orders and Financial "
              "Regulations, and use public funds in the best way for Luton. The code asks for no "
              "yearly return: where the organisation's own practice asks everyone to confirm "
              "each year that they have read it (coc.yaml practice.yearly_attestation), that is "
              "an attestation, with a nil return when there is nothing to declare.",
              "coc.yaml practice.yearly_attestation", "attestation"),
    "sanctions": A("not-a-declaration", "A breach is dealt with under the disciplinary "
                   "procedures and may lead to dismissal; the council need not wait for a police "
                   "investigation to finish. Contractors, consultants and people not under the "
                   "disciplinary procedure (such as on probation) are ended at once.",
                   "Luton §29.1, §29.2, §6.3"),
    "unsure": A("not-a-declaration", "The code is part of every employee's terms and "
                "conditions, and its list is not exhaustive: set the highest standards. Ask your "
                "line manager first; then the Service Director, HR and Monitoring Officer (01582 "
                "546291), Finance and Audit for money matters (01582 546087), or Procurement and "
                "Shared Services for contracts (01582 547392).",
                "Luton Purpose, Scope, General principles, Further advice"),
}

GUIDE = Guide(
    start="start",
    nodes=NODES,
    sections=("Luton Purpose", "Luton Scope", "Luton General principles",
              "Luton Responsibilities", "Luton Further advice")
    + tuple(f"Luton §{n}" for n in range(6, 30)),
    advice="Ask your line manager first; then the Service Director, HR and Monitoring Officer "
           "(01582 546291), Finance and Audit (01582 546087) or Procurement (01582 547392).",
)
