"""The register's `coc.yaml`: which policy, which calendar, the grade scale, policy parameters."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping   # isinstance: typing's alias is 3x slower
from typing import Any

from .errors import CocError

CALENDARS = ("england-and-wales", "scotland", "northern-ireland")
DEFAULT_GRADES = tuple("ABCDEFGHIJKLM")
CONFIG_KEYS = ("policy", "calendar", "grades", "parameters", "practice",
               "require_signed_commits", "restricted_register", "restricted", "reminders")
PRACTICE_KEYS = ("yearly_attestation", "nil_return", "yearly_review",
                 "decision_period_working_days", "campaign")
CAMPAIGN_KEYS = ("who", "opens", "closes", "kinds")
CAMPAIGN_WHO = ("everyone", "decision-makers")   # or {grade_at_least: GRADE}
MAX_DECISION_PERIOD = 366   # working days: a year's worth, as for a policy's parameters
PRACTICE_SECTION = "coc.yaml practice"   # what findings of the practice cite: never a code


@dataclass(frozen=True)
class Campaign:
    """The yearly declarations campaign (coc.yaml practice.campaign): who must make a return
    (everyone, people flagged decision-maker, or a grade and above), the window it runs in
    each year ("MM-DD" to "MM-DD"), and the kinds of declaration a return covers."""

    who: str = "everyone"                     # everyone | decision-makers | grade
    grade: str | None = None                  # with who == "grade": this grade and above
    opens: str = "01-01"
    closes: str = "03-31"
    kinds: tuple[str, ...] = ()               # () : every kind the policy offers

    def describe(self) -> str:
        if self.who == "grade":
            return f"Grade {self.grade} and above"
        return "people flagged decision-maker" if self.who == "decision-makers" else "everyone"


@dataclass(frozen=True)
class Practice:
    """What the organisation does that neither code asks for (issue 8, contract 5): a yearly
    attestation by a day, a nil return from those with nothing to declare, a yearly review
    of continuing declarations, a time to decide. Off unless coc.yaml's `practice:` says so."""

    attestation_due_by: str | None = None     # "MM-DD": the yearly attestation is on
    nil_return: bool = False                   # people with nothing declared attest too
    yearly_review: bool = False                # continuing declarations are reviewed yearly
    decision_period_working_days: int | None = None   # decisions are chased after this
    campaign: Campaign | None = None           # the yearly campaign (`coc campaign`)

    @staticmethod
    def cite(key: str) -> str:
        return f"{PRACTICE_SECTION}.{key}"


REMINDER_KEYS = ("smtp_host", "smtp_port", "starttls", "sender", "sender_name",
                 "interval_working_days", "escalate_to_manager_after_working_days",
                 "escalate_to_monitoring_officer_after_working_days")
REMINDERS_SECTION = "coc.yaml reminders"   # what escalation cites: the organisation's, never a code
CREDENTIALS_ENV = ("COC_SMTP_USER", "COC_SMTP_PASSWORD")
_HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^\[[0-9A-Fa-f:.]+\]$")
_ADDRESS_RE = re.compile(r"^[^\s@<>()\[\],;:\"\\]+@[A-Za-z0-9.-]+$")


@dataclass(frozen=True)
class Reminders:
    """coc.yaml `reminders:`: how `coc remind` sends its digests, how often, and when a wait
    is copied to the approver's manager, then to the Monitoring Officer. The organisation's
    practice, not the code's; the SMTP user and password come only from the environment."""

    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True
    sender: str | None = None
    sender_name: str = "Code of Conduct register"
    interval_working_days: int = 2
    escalate_to_manager_after_working_days: int | None = None
    escalate_to_monitoring_officer_after_working_days: int | None = None

    @staticmethod
    def cite(key: str) -> str:
        return f"{REMINDERS_SECTION}.{key}"


def parse_reminders(data: Any, path: str = "coc.yaml") -> Reminders | None:
    """coc.yaml's `reminders:` block, each mistake naming its field; None when absent."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise CocError(f"must be a mapping of {', '.join(REMINDER_KEYS)}", path=path,
                       field="reminders")
    for key in data:
        if str(key).lower() in ("user", "username", "password", "smtp_user", "smtp_password"):
            raise CocError("SMTP credentials never go in the register: set "
                           f"{' and '.join(CREDENTIALS_ENV)} in the environment (CI secrets)",
                           path=path, field=f"reminders.{key}")
        if key not in REMINDER_KEYS:
            raise CocError(f"unknown key {key!r} (known: {', '.join(REMINDER_KEYS)})", path=path,
                           field=f"reminders.{key}")

    def text(key: str, pattern: re.Pattern[str], what: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise CocError(f"must be {what}", path=path, field=f"reminders.{key}")
        return value

    def number(key: str, low: int, high: int, default: int | None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise CocError(f"must be a whole number from {low} to {high}", path=path,
                           field=f"reminders.{key}")
        return value

    host = text("smtp_host", _HOST_RE, "a host name like smtp.example.gov.uk")
    sender = text("sender", _ADDRESS_RE, "an email address like coc-register@example.gov.uk")
    name = data.get("sender_name", Reminders.sender_name)
    if not isinstance(name, str) or not name.strip() or len(name) > 100 or \
            any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise CocError("must be one line of text of at most 100 characters", path=path,
                       field="reminders.sender_name")
    starttls = data.get("starttls", True)
    if not isinstance(starttls, bool):
        raise CocError("must be true or false", path=path, field="reminders.starttls")
    port = number("smtp_port", 1, 65535, 587)
    interval = number("interval_working_days", 1, MAX_DECISION_PERIOD, 2)
    manager = number("escalate_to_manager_after_working_days", 1, MAX_DECISION_PERIOD, None)
    officer = number("escalate_to_monitoring_officer_after_working_days", 1,
                     MAX_DECISION_PERIOD, None)
    if manager is not None and officer is not None and officer <= manager:
        raise CocError("must be more than escalate_to_manager_after_working_days "
                       f"({manager}): the Monitoring Officer is told after the manager",
                       path=path,
                       field="reminders.escalate_to_monitoring_officer_after_working_days")
    assert port is not None and interval is not None
    return Reminders(host, port, starttls, sender, name, interval, manager, officer)


@dataclass(frozen=True)
class Config:
    policy: str
    calendar: str = "england-and-wales"
    grades: tuple[str, ...] = DEFAULT_GRADES
    parameters: Mapping[str, Any] = field(default_factory=dict)
    require_signed_commits: bool = False
    restricted_register: str | None = None
    practice: Practice = field(default_factory=Practice)
    restricted: bool = False     # this repository IS an organisation's restricted register
    reminders: Reminders | None = None   # coc.yaml `reminders:`, for `coc remind`

    @property
    def role(self) -> str:
        """`restricted` (holds the sensitive kinds), `main` (routes them to a restricted
        register) or `single` (holds everything: no restricted register configured)."""
        if self.restricted:
            return "restricted"
        return "main" if self.restricted_register else "single"


def parse_practice(data: Any, path: str = "coc.yaml",
                   grades: tuple[str, ...] = DEFAULT_GRADES) -> Practice:
    """coc.yaml's `practice:` block; each part off when absent."""
    if data is None:
        return Practice()
    if not isinstance(data, Mapping):
        raise CocError(f"must be a mapping of {', '.join(PRACTICE_KEYS)}", path=path,
                       field="practice")
    unknown = sorted(str(k) for k in data if k not in PRACTICE_KEYS)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r} (known: {', '.join(PRACTICE_KEYS)})",
                       path=path, field=f"practice.{unknown[0]}")
    due_by = None
    attestation = data.get("yearly_attestation")
    if attestation is not None and attestation is not False:
        if not isinstance(attestation, Mapping) or set(attestation) != {"due_by"}:
            raise CocError('must be a mapping with due_by, like {due_by: "03-31"}', path=path,
                           field="practice.yearly_attestation")
        due_by = attestation["due_by"]
        if not isinstance(due_by, str) or not _month_day(due_by):
            raise CocError('must be a day every year has, as quoted "MM-DD" like "03-31"',
                           path=path, field="practice.yearly_attestation.due_by")
    flags = {}
    for key in ("nil_return", "yearly_review"):
        flags[key] = data.get(key, False)
        if not isinstance(flags[key], bool):
            raise CocError("must be true or false", path=path, field=f"practice.{key}")
        if flags[key] and due_by is None:
            # the attestation is where a nil return is made and a declaration said to stand
            raise CocError("needs practice.yearly_attestation: the yearly attestation is where "
                           + ("a nil return is made" if key == "nil_return" else
                              "a continuing declaration is confirmed"), path=path,
                           field=f"practice.{key}")
    period = data.get("decision_period_working_days")
    if period is not None and (isinstance(period, bool) or not isinstance(period, int)
                               or not 0 < period <= MAX_DECISION_PERIOD):
        raise CocError(f"must be a whole number of working days from 1 to {MAX_DECISION_PERIOD}",
                       path=path, field="practice.decision_period_working_days")
    campaign = _campaign(data.get("campaign"), due_by, path, grades)
    return Practice(due_by, flags["nil_return"], flags["yearly_review"], period, campaign)


def _campaign(data: Any, due_by: str | None, path: str, grades: tuple[str, ...]) -> Campaign | None:
    """practice.campaign; its return is the yearly attestation, so it needs that switched on."""
    where = "practice.campaign"
    if data is None or data is False:
        return None
    if not isinstance(data, Mapping):
        raise CocError(f"must be a mapping of {', '.join(CAMPAIGN_KEYS)}", path=path, field=where)
    unknown = sorted(str(k) for k in data if k not in CAMPAIGN_KEYS)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r} (known: {', '.join(CAMPAIGN_KEYS)})",
                       path=path, field=f"{where}.{unknown[0]}")
    if due_by is None:
        raise CocError("needs practice.yearly_attestation: a campaign's return is the yearly "
                       "attestation (a nil return, or confirming what is declared)", path=path,
                       field=where)
    who, grade = data.get("who", "everyone"), None
    if isinstance(who, Mapping) and set(who) == {"grade_at_least"}:
        grade = str(who["grade_at_least"])
        if grade not in grades:
            raise CocError(f"grade {grade!r} is not on the grades scale ({', '.join(grades)})",
                           path=path, field=f"{where}.who.grade_at_least")
        who = "grade"
    elif who not in CAMPAIGN_WHO:
        raise CocError("must be everyone, decision-makers (people flagged decision-maker), or "
                       "{grade_at_least: H}", path=path, field=f"{where}.who")
    days = {}
    for key, default in (("opens", "01-01"), ("closes", due_by)):
        days[key] = data.get(key, default)
        if not isinstance(days[key], str) or not _month_day(days[key]):
            raise CocError('must be a day every year has, as quoted "MM-DD" like "03-31"',
                           path=path, field=f"{where}.{key}")
    if days["opens"] > days["closes"]:
        raise CocError(f"closes ({days['closes']}) is before opens ({days['opens']}): a "
                       "campaign runs within one year", path=path, field=f"{where}.closes")
    kinds = data.get("kinds") or []
    if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
        raise CocError("must be a list of kinds (interest, outside-work, gift...)", path=path,
                       field=f"{where}.kinds")
    return Campaign(who, grade, days["opens"], days["closes"], tuple(kinds))


def _month_day(text: str) -> bool:
    from datetime import date

    try:   # 2025 is not a leap year: "02-29" is not a day every year has
        date.fromisoformat(f"2025-{text}")
    except ValueError:
        return False
    return len(text) == 5


def parse_config(data: Any, path: str = "coc.yaml") -> Config:
    """Check the shape of coc.yaml; parameter names are checked against the policy later."""
    if not isinstance(data, Mapping):
        raise CocError("expected a mapping", path=path)
    unknown = sorted(str(k) for k in data if k not in CONFIG_KEYS)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r} (known: {', '.join(CONFIG_KEYS)})", path=path,
                       field=unknown[0])
    policy = data.get("policy")
    if not isinstance(policy, str) or not policy:
        raise CocError("required: the name of a policy (luton, milton-keynes)", path=path,
                       field="policy")
    calendar = data.get("calendar", "england-and-wales")
    if calendar not in CALENDARS:
        raise CocError(f"unknown calendar {calendar!r} (known: {', '.join(CALENDARS)})", path=path,
                       field="calendar")
    grades = data.get("grades", list(DEFAULT_GRADES))
    if (not isinstance(grades, list) or not grades
            or not all(isinstance(g, (str, int)) and not isinstance(g, bool) for g in grades)
            or len(set(map(str, grades))) != len(grades)):
        raise CocError("must be a list of distinct grade names, lowest first", path=path,
                       field="grades")
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise CocError("must be a mapping of parameter names to values", path=path,
                       field="parameters")
    signed = data.get("require_signed_commits", False)
    if not isinstance(signed, bool):
        raise CocError("must be true or false", path=path, field="require_signed_commits")
    restricted = data.get("restricted_register")
    if restricted is not None and (not isinstance(restricted, str) or not restricted.strip()
                                   or len(restricted) > 1000
                                   or any(ord(c) < 32 or ord(c) == 127 for c in restricted)):
        raise CocError("must be the path of the restricted register repository (relative to "
                       "this register, or absolute)", path=path, field="restricted_register")
    is_restricted = data.get("restricted", False)
    if not isinstance(is_restricted, bool):
        raise CocError("must be true or false", path=path, field="restricted")
    if is_restricted and restricted is not None:
        raise CocError("a restricted register routes nothing further: remove "
                       "restricted_register here", path=path, field="restricted_register")
    return Config(policy=policy, calendar=calendar, grades=tuple(map(str, grades)),
                  parameters=dict(parameters), require_signed_commits=signed,
                  restricted_register=restricted, restricted=is_restricted,
                  practice=parse_practice(data.get("practice"), path, tuple(map(str, grades))),
                  reminders=parse_reminders(data.get("reminders"), path))


def load_config(path: Path) -> Config:
    from .yamlio import located, read_fast

    try:
        return parse_config(read_fast(path, path.name), path.name)
    except CocError as exc:
        raise located(exc, path) from None
