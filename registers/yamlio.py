"""Reading and writing register YAML safely.

Two loaders, one meaning: bulk reads use libyaml (`CSafeLoader`) with the YAML 1.2 core
schema, so `no` stays a string exactly as ruamel.yaml reads it; edits use ruamel.yaml
round-trip so comments, key order and quoting survive (SPEC §3, §7). Anything hostile —
non-UTF-8, NUL bytes, huge files, anchors/aliases, duplicate keys — is refused with a
`CocError` naming file and line before it can reach the rest of the tool (SPEC §8).
"""
from __future__ import annotations

import datetime as _datetime_module
import functools
import io
import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import CocError

MAX_BYTES = 256 * 1024  # a declaration is ~1.5 KB; anything this large is not one
# people.yaml of a large organisation: 20,000 people at ~250 bytes each is 5 MB (issue 9 item 11)
PEOPLE_MAX_BYTES = 32 * 1024 * 1024
MAX_DIGITS = 18         # a whole number in a register is a sum of money or hours, never longer
_UMASK = os.umask(0)
os.umask(_UMASK)


_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MAX_DEPTH = 32

# YAML 1.2 core schema as ruamel.yaml's resolver has it (so `no` stays a string, and `1_000`,
# `-0o17` and `0b101` are the same numbers to both loaders).
_CORE_RESOLVERS = [
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_INT, r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$",
     "-+0123456789"),
    (_FLOAT, r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    (_NULL, r"^(?:~|null|Null|NULL)$", "~nN"),
    (_TIMESTAMP, r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
     r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
     r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$", "0123456789"),
]
_PATTERNS = {tag: re.compile(pattern) for tag, pattern, _ in _CORE_RESOLVERS}
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in _CORE_RESOLVERS:
    for _char in _first:
        _BY_FIRST.setdefault(_char, []).append((_tag, re.compile(_pattern)))


class _Loader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
    """libyaml parses and composes nodes; `_build` below turns them into plain Python data.

    PyYAML's generic constructor is skipped (it is most of the cost of a bulk read), and so
    are path resolvers, which register files never use.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _plain_tag(value) if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


def _plain_tag(value: str) -> str:
    """The tag of an unquoted scalar in the YAML 1.2 core schema."""
    if value == "":
        return _NULL
    for tag, regexp in _BY_FIRST.get(value[0], ()):
        if regexp.match(value):
            return tag
    return _STR


class _Refused(Exception):
    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1 if node is not None and node.start_mark else None


def _scalar(node: Any) -> Any:
    return _typed(node.tag, node.value, node)


def _typed(tag: str, text: str, node: Any) -> Any:
    """The value of a scalar of this tag; `_Refused` (at `node`) for text that is not one."""
    if tag == _STR:
        return text
    if tag in _PATTERNS and not _PATTERNS[tag].match(text) and not (tag == _NULL and text == ""):
        # `!!float abc`, `!!bool maybe`: an explicit tag on text that is not one
        raise _Refused(f"{text!r} is not a {tag.rsplit(':', 1)[-1]}", node)
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        # int() of more than 4,300 digits raises ValueError, and a huge one overflows float():
        # refuse long numbers here, the one place every register file is read (issue 9 item 9)
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        if len(digits) > MAX_DIGITS:
            raise _Refused(f"the number {text[:12]}… has more than {MAX_DIGITS} digits", node)
        base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2], 10)
        try:
            return sign * int(digits[2:] if base != 10 else digits, base)
        except ValueError:
            raise _Refused(f"{text!r} is not a number", node) from None
    if tag == _FLOAT:
        lowered = text.lower().replace("_", "")
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        return float("nan") if lowered == ".nan" else float(lowered)
    if tag == _TIMESTAMP:
        try:
            return timestamp(text)
        except ValueError as exc:
            raise _Refused(str(exc), node) from None
    raise _Refused(f"the tag {tag!r} is not allowed in a register file", node)


_TIMESTAMP_PARTS = re.compile(
    r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]*))?(?:[ \t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$")


def timestamp(text: str) -> Any:
    """A YAML date or date-time as ruamel.yaml reads it, or ValueError saying why it is not one:
    an impossible day or time, more than microseconds, a year coc cannot count working days in.
    Both loaders must agree (issue 9 item 9), so the fast one is the strict one. Remembered:
    a register's records share their dates, and dates are immutable values."""
    value = _TIMESTAMPS.get(text)
    if value is None or not _current(value):
        value = _timestamp(text)
        if len(_TIMESTAMPS) < 100_000:
            _TIMESTAMPS[text] = value
    return value


def _current(value: Any) -> bool:
    """A remembered date or date-time is served only while its class is the one in use: a
    test's frozen clock (freezegun) swaps `datetime.date` and `datetime.datetime`, and back,
    and values made with the one must never be served under the other."""
    kind = type(value)
    return kind is _datetime_module.date or kind is _datetime_module.datetime


def _has_dates(value: Any) -> bool:
    """A token's value holds a date or date-time (alone, or in a flow list)."""
    values = value if type(value) is tuple else (value,)
    return any(hasattr(v, "toordinal") for v in values)


def _all_current(value: Any) -> bool:
    values = value if type(value) is tuple else (value,)
    return all(_current(v) for v in values if hasattr(v, "toordinal"))


_TIMESTAMPS: dict[str, Any] = {}


def _timestamp(text: str) -> Any:
    from datetime import date, datetime, timedelta, timezone

    from .record import check_year

    match = _TIMESTAMP_PARTS.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a date or date-time")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    check_year(int(year), text)
    if hour is None:
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{text} is not a real date") from None
    if fraction and len(fraction) > 6:
        raise ValueError(f"{text}: more than 6 digits of a second (microseconds at most)")
    tz = None
    if zone:
        if zone == "Z":
            tz = timezone.utc
        else:
            sign = -1 if zone[0] == "-" else 1
            hours, _, minutes = zone[1:].partition(":")
            offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
            if offset >= timedelta(hours=24):
                raise ValueError(f"{text}: the time zone is more than 24 hours from UTC")
            tz = timezone(sign * offset)
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                        int((fraction or "0").ljust(6, "0")), tzinfo=tz)
    except ValueError:
        raise ValueError(f"{text} is not a real date and time") from None


def _build(node: Any, seen: set[int], depth: int = 0) -> Any:
    """Plain dicts, lists and scalars; refuses aliases, duplicate keys, merge keys, odd tags."""
    if id(node) in seen:
        raise _Refused("anchors and aliases are not allowed in a register file", node)
    seen.add(id(node))
    if depth > _MAX_DEPTH:
        raise _Refused(f"nested more than {_MAX_DEPTH} levels deep", node)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _Refused(f"the tag {node.tag!r} is not allowed in a register file", node)
        return [_build(item, seen, depth + 1) for item in node.value]
    if node.tag != _MAP:
        raise _Refused(f"the tag {node.tag!r} is not allowed in a register file", node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
            raise _Refused("mapping keys must be plain text (no merge keys)", key_node)
        key = _scalar(key_node)
        if key in result:
            raise _Refused(f"duplicate key {key_node.value!r}", key_node)
        result[key] = _build(value_node, seen, depth + 1)
    return result


def limit_for(path: str) -> int:
    """The size limit of a file: people.yaml holds a whole organisation, the rest are small."""
    return PEOPLE_MAX_BYTES if path.rsplit("/", 1)[-1] == "people.yaml" else MAX_BYTES


def check_bytes(data: bytes, path: str, limit: int | None = None) -> str:
    """Refuse what is not a small UTF-8 text file; return the text."""
    limit = limit or limit_for(path)
    if len(data) > limit:
        what = "a record" if limit == MAX_BYTES else "this file"
        raise CocError(f"file is {len(data)} bytes, over the {limit}-byte limit for {what}",
                       path=path)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CocError("NUL byte in file", path=path, line=line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CocError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line) from None


_DEEP_SUSPECT = 2000   # nesting shallower than this cannot hurt libyaml


def _refuse_deep_nesting(text: str, path: str) -> None:
    """libyaml composes nodes recursively in C, so ~25,000 levels (a 100 KB file of `[[[`)
    overflow its stack: a segfault, not an exception. Flow nesting needs a `[` or `{` per
    level, block nesting a column or a `- `/`? ` on one line per level: text with fewer
    brackets and no line that long cannot be deep (a 20,000-person people.yaml is neither),
    and only the rest is walked as events (no recursion) first."""
    if text.count("[") + text.count("{") < _DEEP_SUSPECT and \
            max(map(len, text.splitlines()), default=0) < _DEEP_SUSPECT:
        return
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > _MAX_DEPTH:
                    mark = event.start_mark
                    raise CocError(f"invalid YAML: nested more than {_MAX_DEPTH} levels deep",
                                   path=path, line=mark.line + 1 if mark else None)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return   # the parse proper reports it, with its line
    finally:
        loader.dispose()


def _refuse_tabs_ruamel_refuses(text: str, path: str) -> None:
    """libyaml takes a tab after `key:` or `-` (YAML 1.2 allows it); ruamel.yaml, which edits
    the file in `coc approve`, does not. A file with a tab is parsed by ruamel.yaml too, so
    validate refuses what approve would fail on (issue 9 item 9); tabs are rare, so this is cheap."""
    if "\t" not in text:
        return
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    try:
        YAML(typ="rt").compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise CocError(f"invalid YAML: {exc.problem or exc.context} (a tab: use spaces)",
                       path=path, line=mark.line + 1 if mark else None) from None


def load_fast(data: bytes, path: str, limit: int | None = None) -> Any:
    """Parse bytes with libyaml; raise `CocError` with file and line on any problem."""
    text = check_bytes(data, path, limit)
    if text.startswith("%") or "\n%" in text:   # only a directive starts a line with %
        at = 1 if text.startswith("%") else text[: text.index("\n%") + 1].count("\n") + 1
        raise CocError("invalid YAML: directives (%YAML 1.1 would change how ruamel.yaml reads "
                       "yes, no and 017) are not allowed in a register file", path=path, line=at)
    simple = load_simple(text)
    if simple is not None:
        return simple
    _refuse_deep_nesting(text, path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        result = None if node is None else _build(node, set())
    except _Refused as exc:
        raise CocError(f"invalid YAML: {exc}", path=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CocError(f"invalid YAML: {exc.problem or exc.context}", path=path, line=line) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise CocError(f"invalid YAML: {exc or 'nested too deeply'}", path=path) from None
    finally:
        loader.dispose()
    _refuse_tabs_ruamel_refuses(text, path)
    return result


# load_simple: the plain block YAML coc writes, read without libyaml --------------------------

# Text load_simple takes at all: printable, one kind of line break (YAML 1.1 readers also break
# lines at NEL, U+2028 and U+2029), no tab, no BOM, no CR.
_SIMPLE_TEXT = re.compile("[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe"
                          "\uff00-\ufffd\U00010000-\U0010ffff]*\\Z")
# A line's text after its indentation: `- ` (an item) and `key: rest`, or an item's scalar
_SIMPLE_LINE = re.compile(r"(- )?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?\Z|(.*)\Z)")
_BLOCK_HEADS = {">-": (" ", ""), ">": (" ", "\n"), "|-": ("\n", ""), "|": ("\n", "\n")}
# A plain scalar that means the same in any block context: not starting with an indicator,
# no `: ` or ` #` inside, no `:` at the end (libyaml's own rules are wider; those texts fall back)
_SIMPLE_PLAIN = re.compile(r"(?![- ?:,\[\]{}#&*!|>'\"%@`])(?!.*(?:: | #))(?!.*:\Z).+\Z"
                           r"|-[0-9.][^ ]*\Z")


class _NotSimple(Exception):
    """The text is not in load_simple's subset: libyaml reads it (and reports any error)."""


def load_simple(text: str) -> dict[str, Any] | None:
    """What `load_fast` returns for `text`, when the text is a mapping in the plain block style
    coc itself writes (`key: value`, nested mappings, `- ` sequences of mappings or scalars,
    single-line quoted scalars, `>-`/`|` blocks of even lines, `[]`, `{}`, whole-line comments);
    None for anything else (flow collections, anchors, tags, multi-line plain or quoted text,
    odd indentation, any doubt), which libyaml then reads. A bulk read of a register (audit over
    every version in history, validate) is mostly this shape and costs a fraction as much read
    here: libyaml builds a Python node per scalar before `_build` walks it again. Equal to
    load_fast wherever it answers (tests/test_yamlio.py checks that with hypothesis)."""
    if not text.endswith("\n") or "\t" in text or "\r" in text or \
            _SIMPLE_TEXT.match(text) is None:
        return None
    try:
        root = _simple_parse(text.split("\n"))
    except (_NotSimple, _Refused, RecursionError):
        return None
    return root or None


_SCALAR, _OPEN, _BLOCK, _EMPTY_LIST, _EMPTY_MAP, _FLOW_LIST = range(6)   # after `key:`, `- `
# `[chief-officer, politically-restricted]`: a flow list of single words (people.yaml's flags)
_SIMPLE_FLOW = re.compile(r"\[[A-Za-z0-9_][A-Za-z0-9_.@/+-]*(?:, [A-Za-z0-9_][A-Za-z0-9_.@/+-]*)*\]\Z")
_TOKENS: dict[str, tuple[Any, ...] | None] = {}   # line -> its token: a register repeats lines
_TOKENS_MAX = 100_000


def _simple_token(line: str) -> tuple[Any, ...] | None:
    """(column, item, key, what, value) of a line, None for a blank or comment line;
    `_NotSimple` for a line outside the subset. Remembered, as many lines recur."""
    token = _TOKENS.get(line, False)
    if token is not False and (token is None or not token[5] or _all_current(token[4])):
        return token  # type: ignore[return-value]
    body = line.lstrip(" ")
    if not body or body[0] == "#":
        token = None
    else:
        column = len(line) - len(body)
        if line[-1] == " " or column == 0 and body.startswith(("---", "...", "%")):
            raise _NotSimple   # trailing spaces, document markers, directives
        item, key, rest, scalar = _SIMPLE_LINE.match(body).groups()  # type: ignore[union-attr]
        if key is None:
            if not item:
                raise _NotSimple
            rest = scalar
        elif key[0] in "tTfFnN" and _plain_tag(key) != _STR:
            raise _NotSimple   # `true:`, `null:`: a key that is not text
        if rest is None:
            what, value = _OPEN, None
        elif rest in _BLOCK_HEADS:
            what, value = (_BLOCK, rest) if key is not None else (_SCALAR, _simple_scalar(rest))
        elif rest == "[]":
            what, value = _EMPTY_LIST, None
        elif rest == "{}":
            what, value = _EMPTY_MAP, None
        elif rest[0] == "[" and _SIMPLE_FLOW.match(rest):
            what, value = _FLOW_LIST, tuple(_simple_scalar(word) for word in rest[1:-1].split(", "))
        else:
            what, value = _SCALAR, _simple_scalar(rest)
        token = (column, bool(item), key, what, value, _has_dates(value))
    if len(_TOKENS) >= _TOKENS_MAX:
        _TOKENS.clear()
    _TOKENS[line] = token
    return token


def _simple_parse(lines: list[str]) -> dict[str, Any]:
    """One pass over the lines with a stack of open mappings and sequences, each with its
    column (a mapping's keys, a sequence's `- ` marks); `_NotSimple` at anything unsure."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, Any]] = [(0, root)]
    pending: tuple[dict[str, Any], str, int] | None = None   # `key:` waiting for its value
    limit = 1 << 30         # a line deeper than this would continue the last scalar
    i, count = 0, len(lines) - 1       # the text ends with "\n": the last piece is empty
    while i < count:
        token = _simple_token(lines[i])
        i += 1
        if token is None:
            continue
        column, item, key, what, value, _ = token
        if column > limit:
            raise _NotSimple
        limit = 1 << 30
        if pending is not None:
            owner, name, at = pending
            pending = None
            if item and column >= at:
                owner[name] = []
                stack.append((column, owner[name]))
            elif key is not None and not item and column > at:
                owner[name] = {}
                stack.append((column, owner[name]))
            else:
                owner[name] = None
        while stack[-1][0] > column or \
                stack[-1][0] == column and not item and type(stack[-1][1]) is list:
            stack.pop()
            if not stack:
                raise _NotSimple
        top_column, top = stack[-1]
        if top_column != column:
            raise _NotSimple
        if item:
            if type(top) is not list:
                raise _NotSimple
            if key is None:
                if what == _OPEN:
                    raise _NotSimple   # a bare `-`
                top.append(value if what == _SCALAR else [] if what == _EMPTY_LIST else
                           list(value) if what == _FLOW_LIST else {})
                limit = column
                continue
            top.append({})
            column += 2
            stack.append((column, top[-1]))
            top = top[-1]
        elif key is None or type(top) is not dict:
            raise _NotSimple
        if len(stack) > _MAX_DEPTH or key in top:
            raise _NotSimple
        if what == _SCALAR:
            top[key] = value
            limit = column
        elif what == _OPEN:
            pending = (top, key, column)
        elif what == _BLOCK:
            top[key], i = _simple_block(lines, i, count, column, value)
        else:
            top[key] = [] if what == _EMPTY_LIST else list(value) if what == _FLOW_LIST else {}
            limit = column
    if pending is not None:
        raise _NotSimple    # a bare `key:` at the end
    return root


def _simple_scalar(text: str) -> Any:
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"' or '"' in text[1:-1] or "\\" in text:
            raise _NotSimple
        return text[1:-1]
    if text[0] == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _NotSimple
        return inner.replace("''", "'")
    if _SIMPLE_PLAIN.match(text) is None:
        raise _NotSimple
    if text[0] not in _BY_FIRST:
        return text
    return _typed(_plain_tag(text), text, None)


def _simple_block(lines: list[str], i: int, count: int, column: int,
                  head: str) -> tuple[str, int]:
    """A `>-`, `>`, `|-` or `|` block from line `i` whose lines all start at one column
    deeper than the key's, none blank, and the line after it."""
    first = lines[i] if i < count else ""
    body = first.lstrip(" ")
    at = len(first) - len(body)
    content: list[str] = []
    while i < count:
        line = lines[i]
        body = line.lstrip(" ")
        if len(line) - len(body) <= column and body:
            break
        if not body or len(line) - len(body) != at or line[-1] == " ":
            raise _NotSimple   # a blank line, a deeper one, trailing spaces
        content.append(body)
        i += 1
    if not content:
        raise _NotSimple
    joiner, end = _BLOCK_HEADS[head]
    return joiner.join(content) + end, i


# A top-level entry starts a line with a plain key; everything to the next one belongs to it.
_TOP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*:(?=[ \r\n]|$)", re.M)
_NOTHING = re.compile(r"(?:[ ]*(?:#[^\n]*)?\n)*")


def load_fast_parts(data: bytes, path: str, parts: dict[str, Any]) -> Any:
    """What `load_fast` returns, for many versions of similar files (a record through its
    history: each commit appends a decision, the rest stays as it was). Each top-level entry,
    a `key:` line at column 0 and the lines below it, is parsed once into `parts` and shared
    by every version holding the same text, so a version costs what changed. A file that is
    anything but comments and such entries, or that has any problem, is parsed whole by
    `load_fast`, which gives the same result or the same error as ever. The values are shared
    between results: read them, never change them."""
    text = check_bytes(data, path)
    starts = [m.start() for m in _TOP_KEY.finditer(text)]
    if not starts or "\t" in text or "\n%" in text or "\n---" in text or "\n..." in text or \
            text.startswith(("%", "---", "...")) or \
            _NOTHING.fullmatch(text, 0, starts[0]) is None:
        return load_fast(data, path)
    starts[0] = 0
    starts.append(len(text))
    result: dict[Any, Any] = {}
    nesting_checked = False
    for start, end in zip(starts, starts[1:]):
        part = text[start:end]
        value = parts.get(part)
        if value is None:
            value = load_simple(part)
            if value is None:
                if not nesting_checked:   # before libyaml reads any of it (load_simple cannot
                    _refuse_deep_nesting(text, path)   # nest deeper than _MAX_DEPTH)
                    nesting_checked = True
                value = _load_part(part)
            if value is None:
                return load_fast(data, path)
            parts[part] = value
        for key, item in value.items():
            if key in result:
                return load_fast(data, path)   # a duplicate key, refused with its line
            result[key] = item
    return result


def _load_part(part: str) -> dict[Any, Any] | None:
    """One top-level entry read by libyaml; None if it is not a mapping or has any problem."""
    loader = _Loader(part)
    try:
        node = loader.get_single_node()
        value = _build(node, set()) if node is not None else None
    except (_Refused, yaml.YAMLError, RecursionError):
        value = None
    finally:
        loader.dispose()
    return value if isinstance(value, dict) else None


def read_regular(path: Path, shown: str, limit: int | None = None) -> bytes:
    """The bytes of a plain file, at most `limit` + 1 of them. A symbolic link, a FIFO (which
    would block the read for ever), a directory or a device named like a record is refused."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if path.is_symlink():
            raise CocError("symbolic links are not allowed in a register", path=shown) from None
        raise CocError(f"cannot read: {exc.strerror}", path=shown) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise CocError("not a plain file (a folder, FIFO or device named like one)", path=shown)
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read((limit or limit_for(shown)) + 1)
        except OSError as exc:
            raise CocError(f"cannot read: {exc.strerror}", path=shown) from None


def read_fast(path: Path, shown: str | None = None, limit: int | None = None) -> Any:
    shown = shown or str(path)
    return load_fast(read_regular(path, shown, limit), shown, limit)


def _rt() -> Any:
    from _datetime import date, datetime   # the C classes: never replaced by a test's clock

    from ruamel.yaml import YAML
    from ruamel.yaml.representer import SafeRepresenter

    rt = YAML(typ="rt")
    # Dates by their base class too, so a date subclass (freezegun's FakeDate in tests, or a
    # library's) is written as a YAML date instead of failing with "cannot represent".
    representer = type(rt.representer)
    representer.add_multi_representer(date, SafeRepresenter.represent_date)
    representer.add_multi_representer(datetime, SafeRepresenter.represent_datetime)
    # One value in two places (an amended date, also in the amendment's `changes`) is written
    # twice, never as an anchor and alias, which every register reader refuses.
    rt.representer.ignore_aliases = lambda data: True
    rt.preserve_quotes = True
    rt.width = 1_000_000   # never fold a line: a fold at a run of spaces loses the spaces
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def load_roundtrip(path: Path, shown: str | None = None) -> Any:
    """Load one file for editing, keeping comments, order and quoting.

    The fast loader runs first so anything it refuses (aliases, duplicates) is refused here too.
    """
    shown = shown or str(path)
    read_fast(path, shown)
    text = read_regular(path, shown).decode("utf-8-sig")
    try:
        return _rt().load(text)
    except Exception as exc:  # noqa: BLE001 - whatever ruamel.yaml trips on, name the file
        mark = getattr(exc, "problem_mark", None)
        raise CocError(f"cannot edit: {type(exc).__name__}: {exc}".splitlines()[0], path=shown,
                       line=mark.line + 1 if mark else None) from None


# Words YAML 1.1 readers (PyYAML, many editors' plugins) load as booleans, where coc, as YAML
# 1.2, reads text: `public_knowledge_test: yes` must not become True elsewhere (issue 10).
_YAML11_WORDS = frozenset("y Y yes Yes YES n N no No NO true True TRUE false False FALSE "
                          "on On ON off Off OFF".split())


def unambiguous(value: Any) -> Any:
    """A new value as every YAML reader will load it: ambiguous words are written quoted."""
    if type(value) is str and value in _YAML11_WORDS:
        from ruamel.yaml.scalarstring import SingleQuotedScalarString

        return SingleQuotedScalarString(value)
    return value


def dump_roundtrip(data: Any) -> str:
    buffer = io.StringIO()
    _rt().dump(data, buffer)
    return buffer.getvalue()


# What `dump_new` writes itself, and only when it is sure ruamel.yaml would write the same:
# a plain scalar of ordinary characters (that reads back as text), else one single-quoted.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,()/&+_-]*[A-Za-z0-9.)]\Z|[A-Za-z]\Z")
_QUOTABLE = re.compile(r"[A-Za-z0-9.,:()/&+_-][A-Za-z0-9 .,:()/&+_-]*[A-Za-z0-9.,:()/&+_-]\Z|"
                       r"[A-Za-z0-9.+_-]\Z")
_KEY = re.compile(r"[a-z][a-z0-9_]*\Z")


def dump_new(data: Any, implicit: Any = None) -> str | None:
    """A new record (`build_record`'s mapping: scalars, empty lists, one level of mappings, a
    start comment) as the text `dump_roundtrip` writes, at a hundredth of its cost (`coc
    import` writes thousands); None for anything it is not sure of, which ruamel.yaml then
    writes. `dump_many` checks it against ruamel.yaml's own output."""
    comment = getattr(getattr(data, "ca", None), "comment", None)
    prefix = ""
    if comment:
        if comment[0] or len(comment) > 2 and comment[2]:
            return None
        prefix = "".join(token.value for token in comment[1] or ())
    lines: list[str] = []
    table = implicit if implicit is not None else _implicit_resolvers()
    return prefix + "\n".join(lines) + "\n" if _emit_map(data, "", lines, table) else None


def _emit_map(data: Any, indent: str, lines: list[str], table: Any) -> bool:
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    if not isinstance(data, dict) or not data or getattr(getattr(data, "ca", None), "items", {}):
        return False
    for key, value in data.items():
        if type(key) is not str or not _KEY.match(key):
            return False
        kind = type(value)
        if kind is bool:
            text = "true" if value else "false"
        elif kind is int:
            text = str(value)
        elif kind is date:
            text = value.isoformat()
        elif kind is list and not value:
            text = "[]"
        elif kind is SingleQuotedScalarString and _QUOTABLE.match(value):
            text = f"'{value}'"
        elif kind is str and value:
            text_ = _reads_as_text(value, table)
            if text_ and _PLAIN.match(value) and "  " not in value:
                text = value
            elif not text_ and _QUOTABLE.match(value) and "  " not in value:
                text = f"'{value}'"   # a number, date or word YAML would read as another type
            else:
                return False
        elif isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            if not _emit_map(value, indent + "  ", lines, table):
                return False
            continue
        else:
            return False
        lines.append(f"{indent}{key}: {text}")
    return True


@functools.lru_cache(maxsize=1)
def _resolver() -> Any:
    return _rt().resolver


def _implicit_resolvers() -> Any:
    """ruamel.yaml's implicit resolvers as it resolves a plain scalar now (first character ->
    [(tag, pattern)]), or None when path resolvers are set, which `_reads_as_text` leaves to
    it. Its `resolve` looks this table up twice per scalar; `dump_many` looks it up once."""
    resolver = _resolver()
    return None if resolver.yaml_path_resolvers else resolver.versioned_resolver


def _reads_as_text(value: str, table: Any = None) -> bool:
    """Whether YAML 1.2 (ruamel.yaml's resolver, as it writes) reads `value` unquoted as text:
    `Resolver.resolve` for a plain scalar, given its table of implicit resolvers."""
    if table is None:
        from ruamel.yaml.nodes import ScalarNode

        return bool(_resolver().resolve(ScalarNode, value, (True, False))
                    == "tag:yaml.org,2002:str")
    for tag, pattern in [*table.get(value[0] if value else "", ()), *table.get(None, ())]:
        if pattern.match(value):
            return bool(tag == "tag:yaml.org,2002:str")
    return True   # no implicit resolver matches: ruamel.yaml's default scalar tag, str


def dump_many(records: list[Any]) -> list[str]:
    """Many new records' text: `dump_new` where it can, checked byte for byte against
    ruamel.yaml on the first one (a ruamel.yaml that writes differently turns it off)."""
    table = _implicit_resolvers()
    fast = [dump_new(data, table) for data in records]
    first = next((i for i, text in enumerate(fast) if text is not None), None)
    if first is not None and fast[first] != dump_roundtrip(records[first]):
        fast = [None] * len(records)
    return [text if text is not None else dump_roundtrip(data)
            for text, data in zip(fast, records)]


def dump_edit(original: str, data: Any) -> str:
    """`data` (an edit of the record in `original`) as text in which every line the edit did not
    touch is byte for byte what it was: ruamel.yaml re-emits a whole file (re-wrapped lines, new
    indentation and spacing, `\u00e9` and timestamps rewritten, a comment after `...` lost),
    so only the top-level entries and `details` fields whose values changed are re-emitted, and
    entries appended to a list go after its last line (issue 9, item 17). Falls back to a whole
    dump when the original's layout is not one this understands; the result always reads back
    as exactly `data`."""
    whole = dump_roundtrip(data)
    wanted = load_fast(whole.encode("utf-8"), "")
    try:
        spliced = _splice(original, wanted)
    except (yaml.YAMLError, _Refused, ValueError, IndexError, KeyError):
        return whole
    try:
        if spliced is not None and load_fast(spliced.encode("utf-8"), "") == wanted:
            return spliced
    except CocError:
        pass
    return whole


def _last_line(node: Any) -> int:
    """The 0-based last line holding `node`'s own text (not the comments after it)."""
    if isinstance(node, yaml.ScalarNode) or not node.value or node.flow_style:
        end = node.end_mark
        return end.line if end.column > 0 else end.line - 1
    last = node.value[-1]
    return _last_line(last[1] if isinstance(node, yaml.MappingNode) else last)


def _dumped(key: Any, value: Any, indent: int) -> list[str]:
    """`key: value` as ruamel writes it, shifted to start at column `indent`."""
    lines = dump_roundtrip({key: value}).splitlines(keepends=True)
    return [(" " * indent + line) if line.strip() else line for line in lines]


def _splice(original: str, wanted: Any) -> str | None:
    loader = _Loader(original)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode) or root.flow_style or not isinstance(wanted, dict):
        return None
    lines = original.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    edits: list[tuple[int, int, list[str]]] = []   # replace lines [start, end) with new lines
    _splice_mapping(root, wanted, 0, lines, edits, top=True)
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:end] = new
    return "".join(lines)


def _splice_mapping(node: Any, wanted: dict[Any, Any], indent: int, lines: list[str],
                    edits: list[tuple[int, int, list[str]]], top: bool = False) -> None:
    pairs = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.start_mark.column != indent:
            raise ValueError("a key not at the start of its line")
        pairs[_scalar(key_node)] = (key_node, value_node)
    old = _build(node, set())
    if set(old) - set(wanted):
        raise ValueError("an entry removed")   # an edit only appends and changes
    after = _last_line(node.value[-1][1]) + 1 if node.value else 0
    for key, value in wanted.items():
        if key not in pairs:   # a new entry: after the one before it in `wanted`
            edits.append((after, after, _dumped(key, value, indent)))
            continue
        key_node, value_node = pairs[key]
        start, end = key_node.start_mark.line, _last_line(value_node) + 1
        after = end
        if old[key] == value:
            continue
        if top and key == "details" and isinstance(value, dict) and \
                isinstance(value_node, yaml.MappingNode) and value_node.value and \
                not value_node.flow_style and value_node.start_mark.line > start:
            _splice_mapping(value_node, value, value_node.value[0][0].start_mark.column, lines,
                            edits)
        elif isinstance(value, list) and isinstance(old[key], list) and old[key] and \
                value[:len(old[key])] == old[key] and isinstance(value_node, yaml.SequenceNode) \
                and not value_node.flow_style:
            dash = value_node.value[0].start_mark.column - 2   # items in the file's own style
            if dash < 0 or lines[value_node.value[0].start_mark.line][dash] != "-":
                raise ValueError("an unusual list layout")
            new = _dumped(key, value[len(old[key]):], 0)[1:]
            lead = len(new[0]) - len(new[0].lstrip(" "))
            edits.append((end, end, [" " * dash + line[lead:] if line.strip() else line
                                     for line in new]))
        else:
            edits.append((start, end, _dumped(key, value, indent)))


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename, so a crash never leaves half a record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a register file is ordinary
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_new(files: list[tuple[Path, str]]) -> None:
    """Write many new files at once (`coc import`): each created only if it does not exist
    (never through a symbolic link), then one `sync` for all of them instead of an fsync and a
    rename each (3 ms a file). A half-written set is removed by the caller's journal."""
    made: set[Path] = set()
    for path, text in files:
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    os.sync()


def line_of(path: Path, dotted: str | None) -> int | None:
    """The 1-based line of a dotted field ("details.value_gbp") in a file, for messages."""
    try:
        data = read_regular(path, str(path))
    except CocError:
        return None
    return field_lines(data, [dotted] if dotted else []).get(dotted or "")


def field_lines(data: bytes, fields: Iterable[str]) -> dict[str, int | None]:
    """The 1-based line of each dotted field ("details.value_gbp") in a file's bytes; the
    nearest enclosing key's line when a field is absent, None when the file does not parse.

    One libyaml parse for all the fields; its nodes carry their positions, ~100x cheaper than
    a round-trip parse, so `validate --all` can afford it for every finding.
    """
    fields = [f for f in fields if f]
    if not fields:
        return {}
    try:
        text = check_bytes(data, "")
        _refuse_deep_nesting(text, "")
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except (CocError, yaml.YAMLError):
        return {f: None for f in fields}
    return {f: _line_in(root, f) for f in fields}


def _line_in(node: Any, dotted: str) -> int | None:
    line = None
    for part in dotted.split("."):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value
                         if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and part.isascii() and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def located(exc: CocError, path: Path) -> CocError:
    """`exc` with the line of its dotted field filled in, so a one-line error names file, line
    and field (SPEC §8); the configuration files are small, so re-reading one costs nothing."""
    for one in getattr(exc, "errors", [exc]):
        if one.line is None and one.field and one.path:
            one.line = line_of(path, re.sub(r"\[([0-9]+)\]", r".\1", one.field))  # people[1].id
    return exc

