"""Reading other systems' declarations for `coc import`: CSV or JSON rows, and the mapping file
that says which column feeds which field and how to clean its values.

Everything read here is untrusted: size, encoding, NUL bytes, nesting and malformed rows are
refused with the file and line. A problem in one row is data on that row (`Row.problem`), so
the rest of the file is still checked. Nothing here knows policies or writes to the register.
"""
from __future__ import annotations

import csv
import io
import json
import json.scanner
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from collections.abc import Mapping   # isinstance: typing's alias is 3x slower
from typing import Any

from .errors import CocError

MAX_SOURCE_BYTES = 20 * 1024 * 1024   # a council's whole register is a few MB at most
MAX_ROWS = 10_000                      # one commit, one review: split bigger imports
ENCODINGS = {"utf-8": "utf-8-sig", "cp1252": "cp1252", "latin-1": "latin-1"}
FORMATS = ("csv", "json")
MAPPING_KEYS = ("source", "declarant", "declared_on", "late_reason", "fields", "skip",
                "decision")
DECISION_KEYS = ("verdict", "by", "on")   # a past decision: what, by whom (as the source names
#                                           them), when
VERDICT_WORDS = {"approved": "approved", "approve": "approved", "accepted": "approved",
                 "granted": "approved", "noted": "noted", "acknowledged": "noted",
                 "declined": "rejected", "rejected": "rejected", "refused": "rejected"}
SOURCE_KEYS = ("format", "records", "encoding", "delimiter")
SPEC_KEYS = ("column", "value", "template", "values", "default", "date_format")
MATCHES = ("id", "name", "email")
EARLIEST = date(1900, 1, 1)
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)
# A pound sign as exports mangle it: itself, read as cp1252 twice, or replaced (U+FFFD).
_CURRENCY = ("Â£", "£", "\ufffd", "GBP")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rt", "hon"})


def norm(text: str) -> str:
    """Text for matching: case and runs of whitespace do not matter."""
    return " ".join(text.split()).casefold()


def bare_name(text: str) -> str:
    """A name for matching people: `norm`, without full stops or leading titles, so the
    source's "Ms Nusrat Ghani" or "Sir Keir Starmer" finds people.yaml's "Nusrat Ghani"."""
    words = norm(text).replace(".", " ").split()
    while len(words) > 1 and words[0] in _TITLES:
        words.pop(0)
    return " ".join(words)


@dataclass(frozen=True)
class Row:
    """One source row: its cells as text, and where it is (CSV line, or JSON item)."""

    cells: dict[str, str]
    line: int | None = None
    item: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Spec:
    """Where one value comes from: a column (the first non-empty of several), a template of
    columns, or a constant."""

    column: tuple[str, ...] = ()
    template: str | None = None
    value: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)   # norm(source text) -> text
    default: str | None = None
    date_format: tuple[str, ...] = ()
    match: str = "id"

    def columns(self) -> list[str]:
        return list(self.column) or _TEMPLATE.findall(self.template or "")

    def describe(self) -> str:
        if self.column:
            return ("column " if len(self.column) == 1 else "columns ") + \
                ", ".join(repr(c) for c in self.column)
        return "template" if self.template is not None else "mapping value"

    def empty(self) -> str:
        """Why a required value is missing, for messages."""
        if len(self.column) > 1:
            return self.describe() + " are all empty"
        return self.describe() + " is empty"

    def text(self, cells: Mapping[str, str]) -> str:
        """This row's text: read, mapped through `values`, then `default` when empty."""
        if self.column:
            text = next((cells[c] for c in self.column if cells.get(c, "").strip()), "")
        elif self.template is not None:
            text = _TEMPLATE.sub(lambda m: cells.get(m.group(1), ""), self.template)
        else:
            text = self.value or ""
        text = self.values.get(norm(text), text.strip())
        return text if text or self.default is None else self.default


@dataclass(frozen=True)
class ImportMapping:
    fields: dict[str, Spec]
    declarant: Spec | None = None        # None: every row is the importer's own
    declared_on: Spec | None = None      # None: today
    late_reason: Spec | None = None
    skip: tuple[tuple[str, frozenset[str]], ...] = ()
    decision: Mapping[str, Spec] | None = None   # verdict, by, on: a decision already made
    format: str | None = None
    records: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","

    def specs(self) -> dict[str, Spec]:
        named = {"declarant": self.declarant, "declared_on": self.declared_on,
                 "late_reason": self.late_reason}
        decided = {f"decision.{k}": v for k, v in (self.decision or {}).items()}
        return {**{k: v for k, v in named.items() if v is not None}, **self.fields, **decided}

    def columns(self) -> list[str]:
        wanted = [c for spec in self.specs().values() for c in spec.columns()]
        return list(dict.fromkeys(wanted + [column for column, _ in self.skip]))

    def skipped(self, cells: Mapping[str, str]) -> bool:
        return any(norm(cells.get(column, "")) in values for column, values in self.skip)


# -- the mapping file ----------------------------------------------------------------------------
def _text(value: Any, path: str, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    raise CocError("must be text", path=path, field=where)


def _spec(raw: Any, path: str, where: str, *, declarant: bool = False) -> Spec:
    if isinstance(raw, str):
        return Spec(column=(raw,))
    if not isinstance(raw, Mapping):
        raise CocError("must be a column name or a mapping (column, value, template, ...)",
                       path=path, field=where)
    allowed = SPEC_KEYS + (("match",) if declarant else ())
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r} (known: {', '.join(allowed)})", path=path,
                       field=f"{where}.{unknown[0]}")
    sources = [k for k in ("column", "template", "value") if k in raw]
    if len(sources) != 1:
        raise CocError("give exactly one of column, template or value", path=path, field=where)
    values = raw.get("values") or {}
    if not isinstance(values, Mapping):
        raise CocError("must map source text to coc text", path=path, field=f"{where}.values")
    formats = raw.get("date_format") or ()
    formats = (formats,) if isinstance(formats, str) else formats
    if not isinstance(formats, (list, tuple)) or not all(isinstance(f, str) for f in formats):
        raise CocError("must be a strptime format such as \"%d/%m/%Y\", or a list of them",
                       path=path, field=f"{where}.date_format")
    match = raw.get("match", "id")
    if match not in MATCHES:
        raise CocError(f"must be one of: {', '.join(MATCHES)}", path=path, field=f"{where}.match")
    default = raw.get("default")
    columns = raw.get("column", [])
    columns = columns if isinstance(columns, list) else [columns]
    if "column" in raw and not columns:
        raise CocError("name at least one column", path=path, field=f"{where}.column")
    return Spec(
        column=tuple(_text(c, path, f"{where}.column") for c in columns),
        template=_text(raw["template"], path, f"{where}.template") if "template" in raw else None,
        value=_text(raw["value"], path, f"{where}.value") if "value" in raw else None,
        values={norm(_text(k, path, f"{where}.values")): _text(v, path, f"{where}.values.{k}")
                for k, v in values.items()},
        default=None if default is None else _text(default, path, f"{where}.default"),
        date_format=tuple(formats), match=match)


def parse_mapping(data: Any, path: str) -> ImportMapping:
    """Check a mapping file's shape; field names are checked against the kind by the caller."""
    if not isinstance(data, Mapping):
        raise CocError("a mapping file must be a YAML mapping", path=path)
    unknown = sorted(str(k) for k in data if k not in MAPPING_KEYS)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r} (known: {', '.join(MAPPING_KEYS)})",
                       path=path, field=unknown[0])
    source = data.get("source") or {}
    if not isinstance(source, Mapping) or set(source) - set(SOURCE_KEYS):
        raise CocError(f"must be a mapping with only {', '.join(SOURCE_KEYS)}", path=path,
                       field="source")
    fmt, encoding = source.get("format"), source.get("encoding", "utf-8")
    delimiter, records = source.get("delimiter", ","), source.get("records")
    if fmt is not None and fmt not in FORMATS:
        raise CocError(f"must be one of: {', '.join(FORMATS)}", path=path, field="source.format")
    if encoding not in ENCODINGS:
        raise CocError(f"must be one of: {', '.join(ENCODINGS)}", path=path,
                       field="source.encoding")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise CocError("must be one character", path=path, field="source.delimiter")
    if records is not None and not isinstance(records, str):
        raise CocError("must be the key holding the list of rows", path=path,
                       field="source.records")
    fields = data.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        raise CocError("required: a mapping of field name -> column", path=path, field="fields")
    skip = []
    for i, rule in enumerate(data.get("skip") or []):
        if not isinstance(rule, Mapping) or set(rule) != {"column", "equals"}:
            raise CocError("each rule is {column: NAME, equals: [TEXT, ...]}", path=path,
                           field=f"skip[{i}]")
        equals = rule["equals"] if isinstance(rule["equals"], list) else [rule["equals"]]
        skip.append((_text(rule["column"], path, f"skip[{i}].column"),
                     frozenset(norm(_text(e if e is not None else "", path, f"skip[{i}].equals"))
                               for e in equals)))

    def optional(key: str, declarant: bool = False) -> Spec | None:
        return _spec(data[key], path, key, declarant=declarant) if data.get(key) else None

    return ImportMapping(
        fields={str(name): _spec(spec, path, f"fields.{name}") for name, spec in fields.items()},
        declarant=optional("declarant", declarant=True), declared_on=optional("declared_on"),
        late_reason=optional("late_reason"), skip=tuple(skip),
        decision=_decision(data.get("decision"), path), format=fmt, records=records,
        encoding=encoding, delimiter=delimiter)


def _decision(raw: Any, path: str) -> dict[str, Spec] | None:
    """`decision: {verdict, by, on}`: a decision the source records as already made."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(raw) != set(DECISION_KEYS):
        raise CocError("must be a mapping of verdict (approved, noted or declined), by (who "
                       "decided, as the source names them) and on (the day)", path=path,
                       field="decision")
    return {key: _spec(raw[key], path, f"decision.{key}") for key in DECISION_KEYS}


def verdict(text: str) -> str | None:
    """approved / noted / rejected from a source's word for it ("declined" is rejected), ""
    for no decision; None when the word is not one of them."""
    if not text.strip():
        return ""
    return VERDICT_WORDS.get(norm(text))


def default_mapping(field_names: list[str], header: list[str]) -> ImportMapping:
    """No mapping file: columns named like the fields (and `declarant`, `declared_on`)."""
    return ImportMapping(
        fields={name: Spec(column=(name,)) for name in field_names if name in header},
        declarant=Spec(column=("declarant",)) if "declarant" in header else None,
        declared_on=Spec(column=("declared_on",)) if "declared_on" in header else None,
        late_reason=Spec(column=("late_reason",)) if "late_reason" in header else None)


# -- the source file -----------------------------------------------------------------------------
def read_source(path: Path, shown: str, mapping: ImportMapping | None) -> str:
    """The file's text, refused when it is too big, binary, or not in the expected encoding."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise CocError(f"file is {size} bytes, over the {MAX_SOURCE_BYTES}-byte limit for one "
                           "import: split it", path=shown)
        data = path.read_bytes()
    except OSError as exc:
        raise CocError(f"cannot read: {exc.strerror}", path=shown) from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CocError("NUL byte: this is not a text file (save the sheet as CSV)", path=shown,
                       line=line)
    encoding = mapping.encoding if mapping else "utf-8"
    try:
        return data.decode(ENCODINGS[encoding])
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CocError(f"not {encoding} (byte 0x{data[exc.start]:02x}): save it as UTF-8, or set "
                       "`source: {encoding: cp1252}` in the mapping", path=shown,
                       line=line) from None


def source_format(path: Path, mapping: ImportMapping | None) -> str:
    if mapping and mapping.format:
        return mapping.format
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise CocError("cannot tell the format: name the file .csv or .json, or set source.format in "
                   "the mapping", path=str(path))


def read_rows(path: Path, shown: str, mapping: ImportMapping | None,
              limit: int = MAX_ROWS) -> tuple[list[str], list[Row]]:
    """(header, rows) of a CSV or JSON file, at most `limit` rows (one commit, one review)."""
    text = read_source(path, shown, mapping)
    if source_format(path, mapping) == "json":
        return _json_rows(text, shown, mapping.records if mapping else None)
    return _csv_rows(text, shown, mapping.delimiter if mapping else ",", limit)


def _csv_rows(text: str, shown: str, delimiter: str,
              limit: int = MAX_ROWS) -> tuple[list[str], list[Row]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    header: list[str] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not header:
                header = [c.strip() for c in cells]
                if not any(header):
                    raise CocError("the first line must name the columns", path=shown, line=line)
                duplicated = sorted({c for c in header if header.count(c) > 1})
                if duplicated:
                    raise CocError(f"column {duplicated[0]!r} appears twice in the header",
                                   path=shown, line=line)
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= limit:
                raise CocError(f"more than {limit} rows: split the file", path=shown, line=line)
            extra = [c for c in cells[len(header):] if c.strip()]
            problem = (f"{len(cells)} cells but the header names {len(header)} columns"
                       if extra else None)
            rows.append(Row(dict(zip(header, cells)), line=line, problem=problem))
    except csv.Error as exc:
        raise CocError(f"malformed CSV: {exc}", path=shown, line=reader.line_num) from None
    if not header:
        raise CocError("empty file", path=shown)
    return header, rows


def _json_int(text: str) -> int:
    """int() of more than 4,300 digits raises a bare ValueError; no cell is a number that long."""
    if len(text.lstrip("-")) > 18:
        raise ValueError(f"the number {text[:12]}… has more than 18 digits")
    return int(text)


def _json_constant(text: str) -> float:
    raise ValueError(f"{text} is not a value a declaration can hold")


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _duplicate_line(text: str, key: str) -> int | None:
    """The line of the second `"key":` in the first object that has it twice (the error path
    only: a pure-Python scan of the file that reports where each object starts)."""
    decoder = json.JSONDecoder()
    found: list[int] = []

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        start = s_and_end[1]
        strict, scan_once, _hook, _pairs_hook, memo = args[:5]
        pairs, end = json.decoder.JSONObject(   # type: ignore[attr-defined]
            s_and_end, strict, scan_once, None, list, memo)
        keys = [k for k, _ in pairs]
        if not found and keys.count(key) > 1:
            spelled = list(re.finditer(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:",
                                       text[start:end]))
            at = start + spelled[1].start() if len(spelled) > 1 else start
            found.append(text.count("\n", 0, at) + 1)
        return dict(pairs), end

    decoder.parse_object = parse_object   # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)   # type: ignore[attr-defined]
    try:
        decoder.decode(text)
    except (ValueError, RecursionError):
        return None
    return found[0] if found else None


def _json_rows(text: str, shown: str, records: str | None) -> tuple[list[str], list[Row]]:
    try:
        data = json.loads(text, parse_int=_json_int, parse_constant=_json_constant,
                          object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:   # json keeps the last silently; a row would lose a value
        key = str(exc.args[0])
        raise CocError(f"duplicate key {key!r} in one object: which value is meant?", path=shown,
                       line=_duplicate_line(text, key), field=key) from None
    except json.JSONDecodeError as exc:
        raise CocError(f"invalid JSON: {exc.msg}", path=shown, line=exc.lineno) from None
    except ValueError as exc:   # from the hooks below (issue 9 item 9)
        raise CocError(f"invalid JSON: {exc}", path=shown) from None
    except RecursionError:
        raise CocError("invalid JSON: nested too deeply", path=shown) from None
    if records:
        if not isinstance(data, dict) or not isinstance(data.get(records), list):
            raise CocError(f"no list of rows under {records!r}", path=shown, field="source.records")
        items = data[records]
    elif isinstance(data, list):
        items = data
    else:
        keys = [k for k, v in data.items() if isinstance(v, list)] if isinstance(data, dict) else []
        raise CocError("expected a list of rows; say which key holds them with source.records"
                       + (f" (lists here: {', '.join(keys)})" if keys else ""), path=shown)
    if len(items) > MAX_ROWS:
        raise CocError(f"more than {MAX_ROWS} rows: split the file", path=shown)
    header: dict[str, None] = {}
    rows = []
    for i, item in enumerate(items):
        where = f"{records or ''}[{i}]"
        if not isinstance(item, dict):
            rows.append(Row({}, item=where, problem="not an object of named values"))
            continue
        cells, nested = {}, []
        for key, value in item.items():
            header.setdefault(key)
            if isinstance(value, bool):
                cells[key] = "true" if value else "false"
            elif value is None or isinstance(value, (str, int, float)):
                cells[key] = "" if value is None else str(value)
            else:
                nested.append(key)
        problem = f"{nested[0]!r} is not a plain value" if nested else None
        rows.append(Row(cells, item=where, problem=problem))
    return list(header), rows


# -- value clean-ups -----------------------------------------------------------------------------
def clean_date(text: str, formats: tuple[str, ...]) -> str:
    """An ISO date from text in one of `formats` (ISO when none); ValueError saying why not."""
    text = _ORDINAL.sub("", " ".join(text.split()))
    parsed = None
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    if not formats:
        try:
            parsed = datetime.fromisoformat(text).date()   # 2026-03-01, or with a time
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValueError(f"{text!r} is not a date in the form "
                         + (", ".join(formats) if formats else "YYYY-MM-DD"))
    if parsed < EARLIEST:
        raise ValueError(f"{text!r} reads as {parsed.isoformat()}, before {EARLIEST.year}: "
                         "check the date format")
    return parsed.isoformat()


def clean_money(text: str) -> str:
    """Pounds as plain digits: "£1,234.50", "GBP 50", "\ufffd35" (a mangled £) -> "1234.50"."""
    for token in _CURRENCY:
        text = text.replace(token, "")
    return text.replace(",", "").strip()
