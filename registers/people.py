"""The organisation from `people.yaml`: people, line management, roles, flags; and who is acting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from collections.abc import Mapping   # isinstance: typing's alias is 3x slower
from typing import Any, Iterator

from .errors import CocError, raise_all
from .record import DEPARTMENT_RE, PERSON_ID_RE
from .text import control_character

ROLES = ("service-manager", "service-director", "head-of-service", "assistant-director",
         "director", "chief-executive", "monitoring-officer", "hr")
FLAGS = ("drives-on-council-business", "essential-car-user", "works-with-children",
         "works-with-adults-at-risk", "politically-restricted", "chief-officer", "senior-manager",
         "requires-driving-licence", "decision-maker")
HOURS = ("full-time", "part-time")
HOURS_IN_A_WEEK = 168
PERSON_KEYS = ("id", "name", "email", "department", "job_title", "grade", "hours",
               "contracted_hours", "manager", "roles", "flags", "employee_number", "left")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    department: str
    job_title: str = ""
    grade: str = ""
    hours: str = "full-time"
    contracted_hours: float = 37.0
    manager: str | None = None
    roles: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    employee_number: str = ""     # the HR system's key (`coc people import` matches on it)
    left: date | None = None      # the day they left: kept in people.yaml, never removed

    def has_left(self, today: date) -> bool:
        """True on and after the day they left: from then on they decide and are chased for
        nothing (their records stay theirs)."""
        return self.left is not None and self.left <= today

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_flag(self, flag: str) -> bool:
        return flag in self.flags

    def label(self) -> str:
        return f"{self.name} ({self.id})"


class People:
    """All people, looked up by id or email, with the line-management chain."""

    def __init__(self, people: list[Person], grades: tuple[str, ...] = ()) -> None:
        self.by_id = {p.id: p for p in people}
        self.by_email = {p.email.lower(): p for p in people}
        self.grades = grades
        self._by_folded_id: dict[str, Person] | None = None

    def __iter__(self) -> Iterator[Person]:
        return iter(self.by_id.values())

    def __contains__(self, person_id: object) -> bool:
        return person_id in self.by_id

    def get(self, person_id: str) -> Person | None:
        return self.by_id.get(person_id)

    def named(self, text: object) -> Person | None:
        """The person a free-text field means: their id in any case, or their email. A
        relationship naming "MJones" or "max.jones@..." still keeps Max from deciding."""
        if not isinstance(text, str) or not text.strip():
            return None
        text = text.strip()
        if text in self.by_id:
            return self.by_id[text]
        if self._by_folded_id is None:
            self._by_folded_id = {p.id.casefold(): p for p in self.by_id.values()}
        return self._by_folded_id.get(text.casefold()) or self.by_email.get(text.lower())

    def require(self, person_id: str, *, what: str = "person") -> Person:
        person = self.by_id.get(person_id)
        if person is None:
            import difflib   # a typo names the nearest id (issue 10); only on this error path

            near = difflib.get_close_matches(str(person_id), list(self.by_id), n=1, cutoff=0.6)
            raise CocError(f"unknown {what} {person_id!r}: not in people.yaml"
                           + (f"; did you mean {near[0]}?" if near else ""))
        return person

    def for_email(self, email: str) -> Person:
        person = self.by_email.get(email.strip().lower())
        if person is None:
            raise CocError(f"no one in people.yaml has the email {email!r} "
                           "(set `git config user.email` to yours, or ask HR to add you)")
        return person

    def chain(self, person_id: str) -> list[Person]:
        """The line managers above a person, nearest first (linear: ids are checked in a set,
        so a 2,000-deep chain costs 2,000 steps, not 2,000² comparisons)."""
        result: list[Person] = []
        seen = {person_id}
        person = self.by_id.get(person_id)
        while person is not None and person.manager and person.manager not in seen:
            seen.add(person.manager)
            person = self.by_id.get(person.manager)
            if person is None:
                break
            result.append(person)
        return result

    def with_role(self, role: str) -> list[Person]:
        return [p for p in self if role in p.roles]

    def grade_at_least(self, person: Person, grade: str) -> bool:
        """True when the person's grade is `grade` or higher on the register's scale (lowest first)."""
        if person.grade not in self.grades or grade not in self.grades:
            return False
        return self.grades.index(person.grade) >= self.grades.index(grade)


def parse_people(data: Any, path: str, grades: tuple[str, ...]) -> People:
    """Validate `people.yaml` content; every problem is a `CocError` naming the entry and field."""
    if not isinstance(data, Mapping) or not isinstance(data.get("people"), list):
        raise CocError("expected a mapping with a `people:` list", path=path, field="people")
    people: list[Person] = []
    seen_ids: set[str] = set()
    seen_emails: dict[str, str] = {}
    errors: list[CocError] = []   # every mistake at once, not one per run
    places: list[int] = []
    for index, entry in enumerate(data["people"]):
        where = f"people[{index}]"
        try:
            if not isinstance(entry, Mapping):
                raise CocError("each person must be a mapping", path=path, field=where)
            unknown = set(entry) - set(PERSON_KEYS)
            if unknown:
                raise CocError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}",
                               path=path, field=where)
            person = _person(entry, path, where, grades)
            if person.id in seen_ids:
                raise CocError(f"duplicate id {person.id!r}", path=path, field=f"{where}.id")
            if person.email.lower() in seen_emails:
                raise CocError(f"duplicate email {person.email!r} (also "
                               f"{seen_emails[person.email.lower()]})", path=path,
                               field=f"{where}.email")
        except CocError as exc:
            errors.append(exc)
            continue
        seen_ids.add(person.id)
        seen_emails[person.email.lower()] = person.id
        people.append(person)
        places.append(index)
    result = People(people, grades)
    for index, person in zip(places, people):
        if person.manager is not None and person.manager not in result \
                and person.manager not in _ids_of_broken(data["people"], places):
            errors.append(CocError(f"manager {person.manager!r} of {person.id!r} is not in "
                                   "people.yaml", path=path, field=f"people[{index}].manager"))
        if person.manager == person.id:
            errors.append(CocError(f"{person.id!r} cannot be their own manager", path=path,
                                   field=f"people[{index}].manager"))
    raise_all(errors)
    _refuse_cycles(result, path)
    return result


def _ids_of_broken(entries: list[Any], good: list[int]) -> set[str]:
    """Ids of entries already reported broken: their reports should not multiply."""
    kept = set(good)
    return {str(e.get("id")) for i, e in enumerate(entries)
            if i not in kept and isinstance(e, Mapping) and e.get("id")}


def _person(entry: Mapping[str, Any], path: str, where: str, grades: tuple[str, ...]) -> Person:
    def text(key: str, required: bool = True) -> str:
        value = entry.get(key)
        if value is None or value == "":
            if required:
                raise CocError("required", path=path, field=f"{where}.{key}")
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise CocError("must be text", path=path, field=f"{where}.{key}")
        value = str(value)
        problem = control_character(value) or ("must be one line of at most 300 characters"
                                               if "\n" in value or len(value) > 300 else None)
        if problem:
            raise CocError(problem, path=path, field=f"{where}.{key}")
        return value

    def listed(key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        value = entry.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CocError("must be a list of names", path=path, field=f"{where}.{key}")
        bad = [v for v in value if v not in allowed]
        if bad:
            raise CocError(f"unknown {key[:-1]} {bad[0]!r} (known: {', '.join(allowed)})",
                           path=path, field=f"{where}.{key}")
        return tuple(value)

    person_id = text("id")
    if not PERSON_ID_RE.match(person_id):
        raise CocError(f"id {person_id!r} must match {PERSON_ID_RE.pattern}", path=path,
                       field=f"{where}.id")
    department = text("department")
    if not DEPARTMENT_RE.match(department):
        raise CocError(f"department {department!r} must match {DEPARTMENT_RE.pattern}", path=path,
                       field=f"{where}.department")
    email = text("email")
    if "@" not in email or any(c.isspace() for c in email):
        raise CocError(f"{email!r} is not an email address", path=path, field=f"{where}.email")
    grade = text("grade", required=False)
    if grade and grades and grade not in grades:
        scale = ", ".join(grades[:20]) + (", …" if len(grades) > 20 else "")
        raise CocError(f"grade {grade!r} is not on the register's scale ({scale})",
                       path=path, field=f"{where}.grade")
    hours = text("hours", required=False) or "full-time"
    if hours not in HOURS:
        raise CocError(f"hours must be one of {', '.join(HOURS)}", path=path, field=f"{where}.hours")
    contracted = entry.get("contracted_hours", 37 if hours == "full-time" else 0)
    if isinstance(contracted, bool) or not isinstance(contracted, (int, float)) \
            or not 0 <= contracted <= HOURS_IN_A_WEEK:   # also refuses .nan; .inf is too many
        raise CocError(f"must be a number of hours in a week (0 to {HOURS_IN_A_WEEK})",
                       path=path, field=f"{where}.contracted_hours")
    manager = text("manager", required=False) or None
    left = entry.get("left")
    if isinstance(left, str):
        try:
            left = date.fromisoformat(left)
        except ValueError:
            left = "bad"
    if left is not None and (not isinstance(left, date) or hasattr(left, "hour")):
        raise CocError("must be a date (YYYY-MM-DD): the day they left", path=path,
                       field=f"{where}.left")
    return Person(id=person_id, name=text("name"), email=email, department=department,
                  job_title=text("job_title", required=False), grade=grade, hours=hours,
                  contracted_hours=float(contracted), manager=manager,
                  roles=listed("roles", ROLES), flags=listed("flags", FLAGS),
                  employee_number=text("employee_number", required=False), left=left)


def _refuse_cycles(people: People, path: str) -> None:
    """Each person is walked up to someone already known to reach the top, so the whole
    organisation costs one step per person however deep the chains (issue 9 item 11)."""
    reaches_top: set[str] = set()
    for index, person in enumerate(people):
        walk: dict[str, int] = {}   # id -> position on this walk, for the loop's text
        current: Person | None = person
        while current is not None and current.id not in reaches_top:
            if current.id in walk:
                ids = list(walk)[walk[current.id]:] + [current.id]
                raise CocError(f"line management goes round in a circle: {' -> '.join(ids)}",
                               path=path, field=f"people[{index}].manager")
            walk[current.id] = len(walk)
            current = people.by_id.get(current.manager) if current.manager else None
        reaches_top.update(walk)


def load_people(path: Path, grades: tuple[str, ...]) -> People:
    from .yamlio import located, read_regular

    try:
        return parse_people(_people_data(path, read_regular(path, path.name)), path.name,
                            grades)
    except CocError as exc:
        raise located(exc, path) from None


KEPT_FROM_BYTES = 64 * 1024   # below this, parsing costs less than opening the index


def _people_data(path: Path, data: bytes) -> Any:
    """people.yaml parsed. A whole organisation's (20,000 people: ~3 s of YAML, paid by every
    command) is kept in the index of parsed records under the SHA-256 of its bytes, MAC'd and
    decoded as plain values like every row there, so each version is parsed once."""
    import hashlib

    from .index import open_index, pack
    from .yamlio import load_fast

    if len(data) < KEPT_FROM_BYTES:
        return load_fast(data, path.name)
    key = "people.yaml sha256:" + hashlib.sha256(data).hexdigest()
    index = open_index(path.parent)
    try:
        hit = index.parsed([key]).get(key) if index is not None else None
        if hit is not None and type(hit.data) is dict:
            return hit.data
        parsed = load_fast(data, path.name)
        if index is not None and isinstance(parsed, dict):
            index.store_parsed([(key, pack(parsed, ""))])
        return parsed
    finally:
        if index is not None:
            index.close()
