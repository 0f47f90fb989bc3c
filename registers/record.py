"""A declaration as read from its file, and its derived status (SPEC §3: status is never stored)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Mapping

# `GIF-2026-K3FQ2MX7TAB4`: 12 random base32 characters (60 bits) since issue 9 item 16; the
# 6-character ids made before stay valid. ASCII digits only: `\\d` also matches "２０２６".
ID_TAIL = r"-[0-9]{4}-(?:[A-Z2-7]{12}|[A-Z2-7]{6})"   # after the kind prefix
ID_CHARS = "[A-Z]{3}" + ID_TAIL
ID_RE = re.compile(f"^{ID_CHARS}$")
PERSON_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
DEPARTMENT_RE = re.compile(r"^[a-z0-9-]+$")

COMMON_KEYS = ("id", "kind", "declarant", "recorded_by", "declared_on", "details", "decisions",
               "amendments", "late_reason", "withdrawn", "ended",
               "imported_from")   # {file, line | item}: where `coc import` read the record from
STATUSES = ("submitted", "approved", "accepted", "rejected", "noted", "ended", "withdrawn")
# A decision's verdict; `conditions-accepted` is the declarant signing the conditions (Luton §19.7).
DECISIONS = ("approved", "rejected", "noted", "conditions-accepted")


# Years coc counts working days in: 9999-12-31 plus a deadline overflows `date` (issue 9
# item 9), and no declaration is about the year 1066. Both loaders and every parser refuse others.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def check_year(year: int, text: str) -> None:
    """ValueError when a date's year is outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{text}: the year must be between {FIRST_YEAR} and {LAST_YEAR}")


def as_date(value: Any) -> date | None:
    """A YAML date (or ISO string) as a `date`; None when absent, not a date, or out of range."""
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, date):
        return value if FIRST_YEAR <= value.year <= LAST_YEAR else None
    return None


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, date) or not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Record:
    """One declaration. `data` is the parsed file; `path` is relative to the register root."""

    data: Mapping[str, Any]
    path: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def declarant(self) -> str:
        return str(self.data.get("declarant", ""))

    @property
    def recorded_by(self) -> str:
        return str(self.data.get("recorded_by") or self.declarant)

    @property
    def declared_on(self) -> date | None:
        return as_date(self.data.get("declared_on"))

    @property
    def details(self) -> Mapping[str, Any]:
        details = self.data.get("details")
        return details if isinstance(details, Mapping) else {}

    @property
    def decisions(self) -> list[Mapping[str, Any]]:
        return _entries(self.data.get("decisions"))

    @property
    def amendments(self) -> list[Mapping[str, Any]]:
        return _entries(self.data.get("amendments"))

    @property
    def version(self) -> int:
        """How many amendments the details have had; a decision applies to one version."""
        return len(self.amendments)

    def current_decisions(self) -> list[Mapping[str, Any]]:
        """Decisions made on the details as they now stand (SPEC §3: an amendment needs a fresh one)."""
        return [d for d in self.decisions if _int(d.get("details_version")) == self.version]

    def verdict(self) -> Mapping[str, Any] | None:
        """The latest approve/reject/note decision on the current details."""
        verdicts = [d for d in self.current_decisions()
                    if d.get("decision") in ("approved", "rejected", "noted")]
        return verdicts[-1] if verdicts else None

    def conditions(self) -> str | None:
        verdict = self.verdict()
        if verdict and verdict.get("decision") == "approved" and verdict.get("conditions"):
            return str(verdict["conditions"])
        return None

    def conditions_accepted(self) -> bool:
        verdict = self.verdict()
        if verdict is None:
            return False
        after = self.current_decisions()
        index = max(i for i, d in enumerate(after) if d is verdict)
        return any(d.get("decision") == "conditions-accepted" for d in after[index + 1:])

    @property
    def status(self) -> str:
        if self.data.get("withdrawn"):
            return "withdrawn"
        if self.data.get("ended"):
            return "ended"
        verdict = self.verdict()
        if verdict is None:
            return "submitted"
        decision = str(verdict.get("decision"))
        if decision == "approved" and self.conditions() and self.conditions_accepted():
            return "accepted"
        return decision

    @property
    def year(self) -> int | None:
        match = ID_RE.match(self.id)
        return int(self.id[4:8]) if match else None


def _entries(value: Any) -> list[Mapping[str, Any]]:
    """The mapping entries of a history list; a hand-edited non-list reads as empty (validate
    reports it) rather than crashing `coc list`."""
    return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
