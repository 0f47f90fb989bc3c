"""The HR roster: an HR system's export (one row per employee) read through a mapping file,
and the changes it makes to `people.yaml` (joiners, leavers, moves, new managers or grades).

Everything read here is untrusted. A bad row is data (`RosterProblem`: file, line, field), and
every row is checked before anything changes, so one bad row changes nothing. People are matched
on the HR system's employee number (`employee_number` in people.yaml), or by email the first
time; nobody is ever removed: a leaver gets `left: DATE`, so their records keep their owner.
Nothing here knows policies or writes to the register.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from .errors import CocError
from .importing import ImportMapping, Spec, _spec, clean_date, read_rows
from .people import FLAGS, HOURS_IN_A_WEEK, People
from .record import DEPARTMENT_RE, PERSON_ID_RE
from .text import control_character, looks_like_formula

ROSTER_KEYS = ("source", "fields", "full_time_hours", "absent")
SOURCE_KEYS = ("encoding", "delimiter")
# people.yaml fields an HR export feeds; roles stay coc's own (hr, monitoring-officer...)
FIELDS = ("employee_number", "name", "email", "department", "job_title", "grade", "fte",
          "contracted_hours", "manager", "left", "decision_maker")
REQUIRED = ("employee_number", "name", "email", "department")
ABSENT = ("keep", "left")        # someone in people.yaml the export no longer lists
MAX_PEOPLE = 50_000              # the whole organisation is one export (issue 9 item 11: 20,000)
TRUE_WORDS = frozenset({"y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"", "n", "no", "false", "0"})
EMPLOYEE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
SHOWN = ("name", "email", "department", "job_title", "grade", "hours", "contracted_hours",
         "manager", "left", "employee_number", "decision_maker")


@dataclass(frozen=True)
class RosterMapping:
    fields: dict[str, Spec]
    full_time_hours: float = 37.0
    absent: str = "keep"
    encoding: str = "utf-8"
    delimiter: str = ","


@dataclass(frozen=True)
class RosterProblem:
    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """One employee as the export has them, cleaned; `manager` is an employee number."""

    line: int | None
    employee_number: str
    values: dict[str, Any]
    manager: str | None


@dataclass
class RosterChange:
    """What the export does to one person: joins, leaves, changes (field -> (old, new))."""

    person_id: str
    what: str                               # joiner | leaver | changed | rejoined
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    line: int | None = None

    def describe(self) -> str:
        if self.what == "joiner":
            new = {k: v for k, (_, v) in self.changes.items() if v not in (None, "", ())}
            parts = [f"{k}: {v}" for k, v in new.items() if k not in ("name",)]
            return f"+ {self.person_id} joins: {new.get('name', '')} ({'; '.join(parts)})"
        head = {"leaver": "- ", "rejoined": "+ "}.get(self.what, "~ ")
        verb = {"leaver": "leaves", "rejoined": "rejoins"}.get(self.what, "changes")
        parts = [f"{k}: {_show(old)} -> {_show(new)}" for k, (old, new) in self.changes.items()]
        moved = self.changes.get("department")
        if moved and moved[0]:   # records are filed by department, and move only with HR
            parts.append(f"their records stay in registers/{moved[0]}/ until HR moves them")
        return f"{head}{self.person_id} {verb}: {'; '.join(parts)}"


@dataclass
class RosterPlan:
    changes: list[RosterChange]
    problems: list[RosterProblem]
    data: Any = None                        # the new people.yaml content, when no problems
    absent: list[str] = field(default_factory=list)   # people the export does not list

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            label = {"changed": "changed"}.get(c.what, f"{c.what}(s)")
            out[label] = out.get(label, 0) + 1
        return out


def _show(value: Any) -> str:
    if value in (None, ""):
        return "(none)"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


# -- the mapping file ----------------------------------------------------------------------------
def parse_roster_mapping(data: Any, path: str) -> RosterMapping:
    """Check a roster mapping's shape: which column feeds which people.yaml field."""
    if not isinstance(data, Mapping):
        raise CocError("a roster mapping must be a YAML mapping", path=path)
    unknown = sorted(str(k) for k in data if k not in ROSTER_KEYS)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r} (known: {', '.join(ROSTER_KEYS)})",
                       path=path, field=unknown[0])
    source = data.get("source") or {}
    if not isinstance(source, Mapping) or set(source) - set(SOURCE_KEYS):
        raise CocError(f"must be a mapping with only {', '.join(SOURCE_KEYS)}", path=path,
                       field="source")
    probe = ImportMapping(fields={}, encoding=source.get("encoding", "utf-8"),
                          delimiter=source.get("delimiter", ","))
    from .importing import ENCODINGS

    if probe.encoding not in ENCODINGS:
        raise CocError(f"must be one of: {', '.join(ENCODINGS)}", path=path,
                       field="source.encoding")
    if not isinstance(probe.delimiter, str) or len(probe.delimiter) != 1 or \
            probe.delimiter in "\"\r\n":
        raise CocError("must be one character", path=path, field="source.delimiter")
    fields = data.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        raise CocError("required: a mapping of people.yaml field -> column", path=path,
                       field="fields")
    for name in fields:
        if name not in FIELDS:
            raise CocError(f"not a field the roster sets (fields: {', '.join(FIELDS)}; roles "
                           "and flags other than decision_maker stay people.yaml's own)",
                           path=path, field=f"fields.{name}")
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise CocError(f"required: a column for {missing[0]}", path=path, field="fields")
    if "fte" in fields and "contracted_hours" in fields:
        raise CocError("give fte or contracted_hours, not both", path=path, field="fields.fte")
    hours = data.get("full_time_hours", 37)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or \
            not 0 < hours <= HOURS_IN_A_WEEK:
        raise CocError("must be the hours of a full-time week, like 37", path=path,
                       field="full_time_hours")
    absent = data.get("absent", "keep")
    if absent not in ABSENT:
        raise CocError("must be keep (people the export does not list stay as they are) or "
                       "left (they left on the day of the import)", path=path, field="absent")
    return RosterMapping({str(k): _spec(v, path, f"fields.{k}") for k, v in fields.items()},
                         float(hours), absent, probe.encoding, probe.delimiter)


# -- reading the export --------------------------------------------------------------------------
def slug(text: str) -> str:
    """A department folder name from HR's text: "Housing Services" -> "housing-services"."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def read_roster(source: Path, shown: str, mapping: RosterMapping, today: date
                ) -> tuple[list[Entry], list[RosterProblem]]:
    """Every row cleaned, or its problems; duplicate employee numbers and emails refused."""
    header, rows = read_rows(source, shown, ImportMapping(
        fields={}, format="csv", encoding=mapping.encoding, delimiter=mapping.delimiter),
        limit=MAX_PEOPLE)
    problems: list[RosterProblem] = []
    for name, spec in mapping.fields.items():
        absent = [c for c in spec.columns() if c not in header]
        if absent:
            raise CocError(f"column {absent[0]!r} (fields.{name}) is not in {shown} (columns: "
                           f"{', '.join(header)})", path=shown, line=1)
    entries: list[Entry] = []
    numbers: dict[str, int | None] = {}
    emails: dict[str, int | None] = {}
    for row in rows:
        bad = len(problems)
        if row.problem:
            problems.append(RosterProblem(shown, row.line, "", row.problem))
            continue
        values: dict[str, Any] = {}
        for name, spec in mapping.fields.items():
            column = spec.columns()[0] if spec.columns() else name

            def problem(message: str, column: str = column) -> None:
                problems.append(RosterProblem(shown, row.line, column, message))

            raw = {c: row.cells.get(c, "") for c in spec.columns()}
            unsafe = next((c for c, v in raw.items() if control_character(v) or
                           (v.strip() and looks_like_formula(v.strip()))), None)
            if unsafe is not None:
                cell = raw[unsafe]
                problem(control_character(cell) or f"{cell[:40]!r} looks like a spreadsheet "
                        "formula: refused (type the value itself)", unsafe)
                continue
            text = spec.text(row.cells).strip()
            if len(text) > 300:
                problem("longer than 300 characters")
                continue
            try:
                values[name] = _clean(name, text, spec, mapping, today)
            except ValueError as exc:
                problem(str(exc))
        if len(problems) > bad:
            continue
        missing = [f for f in REQUIRED if not values.get(f)]
        if missing:
            column = mapping.fields[missing[0]].describe()
            problems.append(RosterProblem(shown, row.line, missing[0], f"required, but "
                                          f"{column} is empty"))
            continue
        number = values.pop("employee_number")
        if number in numbers:
            problems.append(RosterProblem(shown, row.line, mapping.fields["employee_number"]
                                          .describe(), f"employee number {number!r} is also on "
                                          f"line {numbers[number]}: one row per employee"))
            continue
        email = values["email"].lower()
        if email in emails:
            problems.append(RosterProblem(shown, row.line, mapping.fields["email"].describe(),
                                          f"email {values['email']!r} is also on line "
                                          f"{emails[email]}"))
            continue
        numbers[number], emails[email] = row.line, row.line
        entries.append(Entry(row.line, number, values, values.pop("manager", None) or None))
    return entries, problems


def _clean(name: str, text: str, spec: Spec, mapping: RosterMapping, today: date) -> Any:
    if name in ("employee_number", "manager"):
        if text and not EMPLOYEE_NUMBER.match(text):
            raise ValueError(f"{text!r} is not an employee number (letters, digits, . _ / -)")
        return text
    if name == "email":
        if text and ("@" not in text or any(c.isspace() for c in text)):
            raise ValueError(f"{text!r} is not an email address")
        return text
    if name == "department":
        folder = slug(text)
        if text and not DEPARTMENT_RE.match(folder):
            raise ValueError(f"{text!r} gives no department name (letters or digits)")
        return folder
    if name == "left":
        if not text:
            return None
        left = date.fromisoformat(clean_date(text, spec.date_format))
        return left
    if name == "decision_maker":
        word = text.casefold()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{text!r} is not yes or no")
        return word in TRUE_WORDS
    if name in ("fte", "contracted_hours"):
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        limit = 1.0 if name == "fte" else HOURS_IN_A_WEEK
        if not 0 <= number <= limit:
            raise ValueError(f"{text!r} is not between 0 and {limit:g}")
        return number
    return text


# -- planning the change -------------------------------------------------------------------------
def plan(current: People, data: Any, entries: list[Entry], problems: list[RosterProblem],
         mapping: RosterMapping, shown: str, today: date) -> RosterPlan:
    """The changes the export makes to people.yaml (`data`, as loaded, edited in place only
    when there are no problems; `people_text` writes it)."""
    problems = list(problems)
    by_number = {p.employee_number: p for p in current if p.employee_number}
    by_email = {p.email.lower(): p for p in current}
    ids: dict[str, str] = {}           # employee number -> people.yaml id
    taken = set(current.by_id)
    for entry in entries:
        grade = entry.values.get("grade")
        if grade and current.grades and grade not in current.grades:
            problems.append(RosterProblem(shown, entry.line, mapping.fields["grade"].describe(),
                                          f"grade {grade!r} is not on coc.yaml's scale "
                                          f"({', '.join(current.grades[:20])})"))
            continue
        person = by_number.get(entry.employee_number) or by_email.get(entry.values["email"].lower())
        if person is not None and person.employee_number not in ("", entry.employee_number):
            problems.append(RosterProblem(shown, entry.line, mapping.fields["email"].describe(),
                                          f"{entry.values['email']} is {person.id} in people.yaml,"
                                          f" employee number {person.employee_number}, not "
                                          f"{entry.employee_number}"))
            continue
        ids[entry.employee_number] = person.id if person else _new_id(entry, taken)
    known = {**{p.employee_number: p.id for p in current if p.employee_number}, **ids}
    managers: dict[str, str | None] = {}
    for entry in entries:
        if entry.manager is None:
            managers[entry.employee_number] = None
        elif entry.manager == entry.employee_number:
            problems.append(RosterProblem(shown, entry.line, mapping.fields["manager"].describe(),
                                          "an employee cannot be their own manager"))
        elif entry.manager not in known:
            problems.append(RosterProblem(shown, entry.line, mapping.fields["manager"].describe(),
                                          f"manager {entry.manager!r} is not an employee number "
                                          "in the export or in people.yaml"))
        else:
            managers[entry.employee_number] = entry.manager
    problems += _cycles(entries, managers, current, mapping, shown)
    if problems:
        return RosterPlan([], problems)
    return _apply(current, data, entries, ids, known, mapping, today)


def _new_id(entry: Entry, taken: set[str]) -> str:
    """A joiner's id: their email's local part, made a valid id and unique (jane.smith2)."""
    base = re.sub(r"[^a-z0-9._-]+", "", entry.values["email"].split("@")[0].casefold())
    base = base.lstrip("._-") or f"e{slug(entry.employee_number)}"
    candidate, n = base, 1
    while candidate in taken or not PERSON_ID_RE.match(candidate):
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def _cycles(entries: list[Entry], managers: Mapping[str, str | None], current: People,
            mapping: RosterMapping, shown: str) -> list[RosterProblem]:
    """Line management that goes round in a circle, through the export or people.yaml."""
    number_of = {p.id: p.employee_number for p in current if p.employee_number}
    outside = {p.employee_number: number_of.get(p.manager or "") for p in current
               if p.employee_number}
    up = {**outside, **managers}
    lines = {e.employee_number: e.line for e in entries}
    reaches_top: set[str] = set()   # each person walked once: linear however deep (issue 9)
    for entry in entries:
        walk: dict[str, int] = {}
        step: str | None = entry.employee_number
        while step is not None and step not in reaches_top:
            if step in walk:
                circle = list(walk)[walk[step]:] + [step]
                first = min(circle[:-1], key=lambda n: lines.get(n) or 10**9)
                at = circle.index(first)
                circle = circle[at:-1] + circle[:at] + [first]
                return [RosterProblem(shown, lines.get(first), mapping.fields["manager"]
                                      .describe(), "line management goes round in a circle: "
                                      + " -> ".join(circle))]
            walk[step] = len(walk)
            step = up.get(step)
        reaches_top.update(walk)
    return []


def _apply(current: People, data: Any, entries: list[Entry], ids: dict[str, str],
           known: dict[str, str], mapping: RosterMapping, today: date) -> RosterPlan:
    listed = data["people"]
    position = {str(item.get("id")): i for i, item in enumerate(listed)}
    changes: list[RosterChange] = []
    for entry in entries:
        person_id = ids[entry.employee_number]
        wanted = _wanted(entry, known, mapping)
        if person_id not in position:
            item = {"id": person_id}
            for key, value in wanted.items():
                if value not in (None, "", ()):
                    item[key] = list(value) if isinstance(value, tuple) else value
            listed.append(item)
            position[person_id] = len(listed) - 1
            changes.append(RosterChange(person_id, "joiner", {k: (None, v) for k, v in
                                                              wanted.items()}, entry.line))
            continue
        item = listed[position[person_id]]
        before = current.require(person_id)
        diff: dict[str, tuple[Any, Any]] = {}
        for key, value in wanted.items():
            old = getattr(before, key)
            if key == "flags":
                value = merged_flags(old, value)
                if set(old) == set(value):
                    continue
            elif old == value or (key == "manager" and (old or None) == value):
                continue
            diff[key] = (old, value)
            if value in (None, "", ()):
                item.pop(key, None)
            else:
                item[key] = list(value) if isinstance(value, tuple) else value
        if diff:
            what = "changed"
            if "left" in diff:
                what = "leaver" if diff["left"][1] else "rejoined"
            changes.append(RosterChange(person_id, what, diff, entry.line))
    listed_numbers = {e.employee_number for e in entries}
    absent = [p.id for p in current if p.employee_number and p.left is None
              and p.employee_number not in listed_numbers]
    if mapping.absent == "left":
        for person_id in absent:
            listed[position[person_id]]["left"] = today
            changes.append(RosterChange(person_id, "leaver", {"left": (None, today)}))
        absent = []
    return RosterPlan(changes, [], data, absent)


def _wanted(entry: Entry, known: dict[str, str], mapping: RosterMapping) -> dict[str, Any]:
    """The people.yaml values the export gives this person (only the mapped ones)."""
    values = dict(entry.values)
    out: dict[str, Any] = {"employee_number": entry.employee_number}
    for key in ("name", "email", "department", "job_title", "grade"):
        if key in values:
            out[key] = values[key]
    if "manager" in mapping.fields:
        out["manager"] = known[entry.manager] if entry.manager else None
    hours = values.get("contracted_hours")
    if values.get("fte") is not None:
        hours = round(values["fte"] * mapping.full_time_hours, 2)
    if hours is not None:
        out["hours"] = "full-time" if hours >= mapping.full_time_hours else "part-time"
        out["contracted_hours"] = int(hours) if float(hours).is_integer() else hours
    if "left" in mapping.fields:
        out["left"] = values.get("left")
    if "decision_maker" in mapping.fields:
        out["flags"] = ("decision-maker",) if values.get("decision_maker") else ()
    return out


def merged_flags(old: tuple[str, ...], wanted: tuple[str, ...]) -> tuple[str, ...]:
    """Flags other than decision-maker stay people.yaml's own."""
    kept = tuple(f for f in old if f != "decision-maker" and f in FLAGS)
    return kept + wanted


@lru_cache(maxsize=1)
def _dumper() -> Any:
    """libyaml's safe dumper, also for dates of a subclass of date (a test's frozen clock)."""
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        pass

    real = next(c for c in date.__mro__ if c.__module__ == "datetime" and c.__name__ == "date")
    Dumper.add_multi_representer(real, yaml.representer.SafeRepresenter.represent_date)
    return Dumper


# -- writing people.yaml -------------------------------------------------------------------------
def people_text(original: str, data: Any, changed: set[str]) -> tuple[str, Any]:
    """people.yaml with only the entries of `changed` people rewritten and joiners appended:
    every other line (comments included) stays byte for byte. A round-trip dump of 20,000
    people takes a minute; this takes a parse with libyaml's positions. Falls back to a whole
    dump when the layout is not a plain block list; the result always reads back as `data`
    (returned with the text, as read back, so that it is parsed once)."""
    from .yamlio import load_fast

    try:
        text = _splice_people(original, data, changed)
        if text is not None:
            loaded = load_fast(text.encode("utf-8"), "people.yaml")
            if loaded == data:
                return text, loaded
    except (CocError, ValueError, IndexError, KeyError):
        pass
    from .yamlio import dump_roundtrip

    head = "".join(line for line in original.splitlines(keepends=True)
                   if line.startswith("#")) if original.startswith("#") else ""
    text = head + dump_roundtrip(data)
    return text, load_fast(text.encode("utf-8"), "people.yaml")


def _splice_people(original: str, data: Any, changed: set[str]) -> str | None:
    import yaml

    loader = yaml.CSafeLoader(original) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(
        original)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode):
        return None
    seq = next((v for k, v in root.value if k.value == "people"), None)
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
        return None
    lines = original.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans: list[tuple[int, int, int]] = []   # (first line, line after, dash column) per entry
    for item in seq.value:
        if not isinstance(item, yaml.MappingNode) or item.flow_style or not item.value:
            return None
        last = item.value[-1][1]
        end = last.end_mark.line + (1 if last.end_mark.column > 0 else 0)
        spans.append((item.start_mark.line, end, item.start_mark.column - 2))
    indent = spans[0][2]
    if indent < 0 or any(s[2] != indent for s in spans):
        return None
    people = data["people"]
    if len(people) < len(spans):
        return None
    out: list[str] = []
    at = 0
    for index, (first, after, _) in enumerate(spans):
        out += lines[at:first]
        entry = people[index]
        if str(entry.get("id")) in changed:
            out.append(_entry_text(entry, indent))
        else:
            out += lines[first:after]
        at = after
    tail = lines[at:]
    # joiners go straight after the last entry, before anything that follows the list
    out += [_entry_text(entry, indent) for entry in people[len(spans):]]
    out += tail
    return "".join(out)


def _entry_text(entry: Mapping[str, Any], indent: int) -> str:
    """One person as people.yaml writes them: block keys, lists of names in flow style."""
    import yaml

    rows: list[str] = []
    scalars = {k: v for k, v in entry.items() if not isinstance(v, list)}
    body = yaml.dump(scalars, Dumper=_dumper(), sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1_000_000).splitlines() if scalars else []
    by_key = dict(zip(scalars, body)) if len(body) == len(scalars) else None
    if by_key is None:
        raise ValueError("a value that does not fit on one line")
    for key, value in entry.items():
        if isinstance(value, list):   # roles and flags: names from a fixed list
            if not all(isinstance(v, str) and re.fullmatch(r"[a-z0-9-]+", v) for v in value):
                raise ValueError("a list that is not of plain names")
            rows.append(f"{key}: [{', '.join(value)}]")
        else:
            rows.append(by_key[key])
    pad = " " * indent
    return "".join((f"{pad}- " if i == 0 else f"{pad}  ") + row + "\n"
                   for i, row in enumerate(rows))
