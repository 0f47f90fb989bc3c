"""A declaration as read from its file, and its derived status (SPEC §3: status is never stored)."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable, Generic, TypeVar

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


def _canonical(value: Any) -> Any:
    """Every value as [type, payload], so no two different values encode alike (a date and
    its ISO text, 12 and "12"); ints in hex, which has no 4,300-digit limit."""
    if value is None or isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", hex(value)]
    if isinstance(value, float):
        return ["f", value.hex()]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Mapping):
        items = [[_canonical(k), _canonical(v)] for k, v in value.items()]
        return ["m", sorted(items, key=lambda kv: json.dumps(kv[0]))]
    if isinstance(value, (list, tuple)):
        return ["l", [_canonical(v) for v in value]]
    return ["s", str(value)]


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical form: equal values, however written, digest alike."""
    text = json.dumps(_canonical(value), ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def details_digest(data: Mapping[str, Any]) -> str:
    """What a decision saw: the record's identity, its details and how many amendments they
    have had. A decision stores it (`details_digest`) and counts only beside the same details,
    so details changed beside it, on a branch merged in, void it instead of inheriting it."""
    details = data.get("details")
    details = {k: v for k, v in details.items() if v is not None} \
        if isinstance(details, Mapping) else {}
    seen = [data.get(k) for k in ("id", "kind", "declarant")]
    return digest(seen + [details, len(_entries(data.get("amendments")))])


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


_T = TypeVar("_T")


class _once(Generic[_T]):
    """`functools.cached_property` without its lock (Python 3.11 takes one on every first
    access, and an audit reads a few properties of each of 20,000 record versions)."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func, self.name, self.__doc__ = func, func.__name__, func.__doc__

    def __get__(self, obj: Any, owner: Any = None) -> _T:
        if obj is None:
            return self  # type: ignore[return-value]   # the class's own attribute
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(frozen=True)
class Record:
    """One declaration. `data` is the parsed file; `path` is relative to the register root."""

    data: Mapping[str, Any]
    path: str = ""

    @_once
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @_once
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @_once
    def declarant(self) -> str:
        return str(self.data.get("declarant", ""))

    @property
    def recorded_by(self) -> str:
        return str(self.data.get("recorded_by") or self.declarant)

    @property
    def declared_on(self) -> date | None:
        return as_date(self.data.get("declared_on"))

    @_once
    def details(self) -> Mapping[str, Any]:
        details = self.data.get("details")
        return details if isinstance(details, Mapping) else {}

    @_once
    def decisions(self) -> list[Mapping[str, Any]]:
        return _entries(self.data.get("decisions"))

    @_once
    def amendments(self) -> list[Mapping[str, Any]]:
        return _entries(self.data.get("amendments"))

    @property
    def version(self) -> int:
        """How many amendments the details have had; a decision applies to one version."""
        return len(self.amendments)

    @_once
    def details_digest(self) -> str:
        return details_digest(self.data)

    def saw_these_details(self, decision: Mapping[str, Any]) -> bool:
        """Made on the details as they now stand: their version and, when it says (coc writes
        it; decisions from before it did, or written by hand, may not), their digest."""
        digest = decision.get("details_digest")
        return _int(decision.get("details_version")) == self.version and \
            (digest is None or digest == self.details_digest)

    def is_imported(self, decision: Mapping[str, Any]) -> bool:
        """A decision `coc import` carried in from the source with the record: its `imported:`
        names the record's own `imported_from` file and row, and its `by` is whoever recorded
        the record (the HR person who ran the import; who decided is `imported.decided_by`).
        Whether it really came in that way is the history's to say (hook and audit)."""
        note, source = decision.get("imported"), self.data.get("imported_from")
        if not isinstance(note, Mapping) or not isinstance(source, Mapping):
            return False
        return all(note.get(k) == source.get(k) for k in ("file", "line", "item")) and \
            decision.get("by") == self.recorded_by

    def current_decisions(self) -> list[Mapping[str, Any]]:
        """Decisions made on the details as they now stand (SPEC §3: an amendment needs a fresh one)."""
        return [d for d in self.decisions if self.saw_these_details(d)]

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

    @classmethod
    def known(cls, data: Mapping[str, Any], path: str, status: str) -> Record:
        """A record whose status was derived before (by a worker, or kept in the index of
        parsed records beside these very bytes): not derived again, unless it has an ending,
        whose status changes on its day."""
        record = cls(data=data, path=path)
        if not data.get("ended"):
            record.__dict__["status"] = status
        return record

    def ended_by(self, today: date) -> bool:
        """Whether its recorded ending has come: one for a day still to come (`coc end --on`
        takes a planned day up to a year ahead) leaves the record standing until then."""
        ended = self.data.get("ended")
        if not ended:
            return False
        on = as_date(ended.get("on")) if isinstance(ended, Mapping) else None
        return on is None or on <= today

    @_once
    def ending_on(self) -> date | None:
        """The day of an ending still to come (today's date, once per record); else None."""
        ended = self.data.get("ended")
        if not ended or self.data.get("withdrawn") or self.ended_by(date.today()):
            return None
        return as_date(ended.get("on"))

    @property
    def status_text(self) -> str:
        """The status as people read it: "approved, ending on 2027-01-31" until that day."""
        return f"{self.status}, ending on {self.ending_on}" if self.ending_on else self.status

    @_once
    def status(self) -> str:
        """Derived from the file alone (SPEC §3) and today's date (an ending takes effect on its
        day), once per record."""
        if self.data.get("withdrawn"):
            return "withdrawn"
        if self.data.get("ended") and self.ended_by(date.today()):
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
