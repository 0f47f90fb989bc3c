"""Reading and writing register YAML safely.

Two loaders, one meaning: bulk reads use libyaml (`CSafeLoader`) with the YAML 1.2 core
schema, so `no` stays a string exactly as ruamel.yaml reads it; edits use ruamel.yaml
round-trip so comments, key order and quoting survive (SPEC §3, §7). Anything hostile —
non-UTF-8, NUL bytes, huge files, anchors/aliases, duplicate keys — is refused with a
`CocError` naming file and line before it can reach the rest of the tool (SPEC §8).
"""
from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .errors import CocError

MAX_BYTES = 256 * 1024  # a declaration is ~1.5 KB; anything this large is not one
_UMASK = os.umask(0)
os.umask(_UMASK)


class _Loader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
    """libyaml safe loader with YAML 1.2 core-schema scalars, no aliases, no duplicate keys."""

    yaml_implicit_resolvers: dict[str, Any] = {}

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # Each node is constructed once; meeting one again means an alias (billion-laughs risk).
        if node in self.constructed_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases are not allowed in a register file",
                node.start_mark)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be plain text", key_node.start_mark)
            key = (key_node.tag, key_node.value)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_CORE_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp",
     r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
     r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
     r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$", "0123456789"),
]
for _tag, _pattern, _first in _CORE_RESOLVERS:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _int_core(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_core)


def check_bytes(data: bytes, path: str) -> str:
    """Refuse what is not a small UTF-8 text file; return the text."""
    if len(data) > MAX_BYTES:
        raise CocError(f"file is {len(data)} bytes, over the {MAX_BYTES}-byte limit for a record",
                       path=path)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CocError("NUL byte in file", path=path, line=line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CocError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line) from None


def load_fast(data: bytes, path: str) -> Any:
    """Parse bytes with libyaml; raise `CocError` with file and line on any problem."""
    text = check_bytes(data, path)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CocError(f"invalid YAML: {exc.problem or exc.context}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise CocError(f"invalid YAML: {exc}", path=path) from None


def read_fast(path: Path, shown: str | None = None) -> Any:
    shown = shown or str(path)
    if path.is_symlink():
        raise CocError("symbolic links are not allowed in a register", path=shown)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CocError(f"cannot read: {exc.strerror}", path=shown) from None
    return load_fast(data, shown)


def _rt() -> Any:
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 100
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def load_roundtrip(path: Path, shown: str | None = None) -> Any:
    """Load one file for editing, keeping comments, order and quoting.

    The fast loader runs first so anything it refuses (aliases, duplicates) is refused here too.
    """
    shown = shown or str(path)
    read_fast(path, shown)
    text = path.read_bytes().decode("utf-8-sig")
    return _rt().load(text)


def dump_roundtrip(data: Any) -> str:
    buffer = io.StringIO()
    _rt().dump(data, buffer)
    return buffer.getvalue()


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


def line_of(path: Path, dotted: str | None) -> int | None:
    """The 1-based line of a dotted field ("details.value_gbp") in a file, for messages.

    Re-parses round-trip, which keeps positions; used only for files that have findings.
    """
    if not dotted:
        return None
    try:
        node = _rt().load(path.read_bytes().decode("utf-8-sig"))
    except Exception:  # noqa: BLE001 - a best-effort position, the finding stands without it
        return None
    line = None
    for part in dotted.split("."):
        key: Any = int(part) if part.isdigit() else part
        try:
            if isinstance(key, int):
                line = node.lc.item(key)[0] + 1
            elif key in node:
                line = node.lc.key(key)[0] + 1
            else:
                return line
            node = node[key]
        except (AttributeError, KeyError, IndexError, TypeError):
            return line
    return line
