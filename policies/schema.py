"""JSON Schema (draft 2020-12) of each record kind, generated from the policy's Kind/Field table.

Editors validate a record as it is typed (yaml-language-server modeline), and any independent
validator should accept what coc accepts and refuse what coc refuses (SPEC §3). Two limits of
JSON Schema, which sees YAML through JSON types: a date is a string here (coc also refuses a
*quoted* date; the schema cannot tell quoting apart), and whether a person is in people.yaml
is a cross-file check only coc makes.
"""
from __future__ import annotations

from typing import Any, Iterable

from coc.registers.record import DECISIONS, ID_RE, ID_TAIL, PERSON_ID_RE

from .base import HOURS_IN_A_WEEK, MAX_TEXT, Field, Kind, Policy

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
TIMESTAMP = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ].*)?$"}
PERSON = {"type": "string", "pattern": PERSON_ID_RE.pattern}
NOT_BLANK = {"type": "string", "pattern": r"\S"}
NULL = {"type": "null"}
# One line of at most 300 characters once surrounding whitespace is stripped (Field.check "text").
ONE_LINE = r"^\s*[^\n]*\S[^\n]*\s*$"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, NULL]}


def _entries(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """A list of decisions/amendments: each a mapping saying at least who and when."""
    return _nullable({"type": "array", "items": {"type": "object", "properties": properties,
                                                 "required": required}})


# The common keys of every record (registers/record.py COMMON_KEYS); `details` and `id` are per kind.
COMMON: dict[str, dict[str, Any]] = {
    "kind": {},
    "id": {},
    "declarant": {**PERSON, "description": "the person declaring (people.yaml id)"},
    "recorded_by": {**_nullable(PERSON), "description": "who recorded it (HR on someone's behalf)"},
    "declared_on": {**DATE, "description": "the date declared (YYYY-MM-DD)"},
    "details": {},
    "decisions": _entries({"by": {"type": "string"}, "at": TIMESTAMP,
                           "decision": {"enum": list(DECISIONS)}}, ["by", "at", "decision"]),
    "amendments": _entries({"by": {"type": "string"}, "at": TIMESTAMP}, ["by", "at"]),
    "late_reason": {**_nullable(NOT_BLANK), "description": "why the declaration is late"},
    "withdrawn": _nullable({"type": "object", "properties": {"by": {"type": "string"}},
                            "required": ["by"]}),
    "ended": _nullable({"type": "object", "properties": {"by": {"type": "string"}},
                        "required": ["by"]}),
    "imported_from": _nullable({
        "type": "object", "additionalProperties": False, "required": ["file"],
        "properties": {"file": NOT_BLANK, "line": {"type": "integer", "minimum": 1},
                       "item": {"type": "string"}},
        "description": "where `coc import` read this record from"}),
}
REQUIRED = ["id", "kind", "declarant", "declared_on", "details"]


def field_schema(spec: Field) -> dict[str, Any]:
    """The schema of one field's stored value, as `Field.check` accepts it."""
    kind = spec.type
    if kind == "bool":
        core: dict[str, Any] = {"type": "boolean"}
    elif kind == "date":
        core = dict(DATE)
    elif kind == "money":
        # quoted text like "24.99", or a whole number of pounds; a float is refused (SPEC §3)
        # (and, where zero makes no sense, not all zeros)
        core = {"anyOf": [{"type": "string", "pattern": (r"^(?![0.]*$)" if spec.positive else "^")
                           + r"[0-9]{1,9}(\.[0-9]{1,2})?$"},
                          {"type": "integer", "minimum": int(spec.positive),
                           "maximum": 999_999_999}]}
    elif kind in ("hours", "int"):
        core = {"type": "number" if kind == "hours" else "integer",
                "maximum": HOURS_IN_A_WEEK if kind == "hours" else 10000,
                **({"exclusiveMinimum": 0} if spec.positive else {"minimum": 0})}
    elif kind == "choice":
        core = {"enum": list(spec.choices)}
    elif kind == "record-id":
        core = {"type": "string", "pattern": ID_RE.pattern}
    elif kind == "text":
        core = {"type": "string", "maxLength": 300, "pattern": ONE_LINE}
    else:
        core = {**NOT_BLANK, "maxLength": MAX_TEXT}
    if not spec.required:
        core = {"anyOf": [core, NULL, {"const": ""}]}   # an empty optional field is absent
    return {"description": spec.help, **core} if spec.help else core


def kind_schema(kind: Kind, policy_name: str | None = None) -> dict[str, Any]:
    """The schema of a whole record of `kind`; `policy_name` None means the shared kinds."""
    details = {"type": "object", "additionalProperties": False,
               "properties": {f.name: field_schema(f) for f in kind.fields},
               "required": [f.name for f in kind.fields if f.required]}
    properties = dict(COMMON)
    properties["id"] = {"type": "string", "pattern": f"^{kind.prefix}{ID_TAIL}$",
                        "description": f"record id, like {kind.prefix}-2026-K3FQ2MX7TAB4"}
    properties["kind"] = {"const": kind.name}
    properties["details"] = details
    under = f"the {policy_name} policy" if policy_name else "the shared kinds"
    return {
        "$schema": DRAFT,
        "title": f"coc {kind.name} record ({under})",
        "description": f"{kind.help} [{kind.section}]" if kind.section else kind.help,
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": REQUIRED,
    }


def schemas(policy: Policy | None) -> dict[str, dict[str, Any]]:
    """kind name -> schema, for every kind the policy offers (or every shared kind)."""
    return {k.name: kind_schema(k, policy.name if policy else None) for k in kinds_of(policy)}


def kinds_of(policy: Policy | None) -> Iterable[Kind]:
    if policy is not None:
        return list(policy.kinds.values())
    from .kinds import FIELDS, kind

    return [kind(name, "") for name in FIELDS]
