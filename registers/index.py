"""A derived index of parsed records in `.git/coc/records.json`, keyed by git blob id, so a
reading command on an unchanged register of 10,000 records parses none of them (SPEC §7).

The register in git is the truth; this file is disposable: unreadable, of another version or
of other content, it is rebuilt, never trusted. It is JSON (never pickle: nothing in it can
run), with dates tagged so that they come back as dates. A file git does not know as an
unchanged tracked blob (edited, untracked, a symbolic link) is read as `load_all` reads it.
Beside each record, its derived status (a function of its content alone, and the costliest
thing to work out for 10,000 records) as `record.extra["status"]`.
"""
from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .record import Record

if TYPE_CHECKING:
    from .store import Loaded, Register

VERSION = 1
FILE = "records.json"


class _Uncacheable(Exception):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not k.startswith("$") for k in value):
            raise _Uncacheable()   # keys JSON cannot keep as they are
        return {k: _encode(v) for k, v in value.items()}
    raise _Uncacheable()          # bytes, sets...: read from the file each time


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$date" in obj:
            return date.fromisoformat(obj["$date"])
        if "$dt" in obj:
            return datetime.fromisoformat(obj["$dt"])
    return obj


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
    except (OSError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or \
            not isinstance(data.get("entries"), dict):
        return {}
    return data["entries"]


def _write(path: Path, entries: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": VERSION, "entries": entries}), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass   # an index that cannot be written only costs speed


def load_indexed(register: "Register") -> list["Loaded"]:
    """Every record file as `register.load_all()` gives it, in path order, parsing only the
    files whose blob the index does not hold."""
    from .git import index_entries
    from .store import Loaded

    entries = index_entries(register.root, "registers/")
    if entries is None:
        return register.load_all()
    path = register.root / ".git" / "coc" / FILE
    cached = _read(path)
    out: dict[str, Loaded] = {}
    keep: dict[str, tuple[str, Any, str]] = {}   # what the index keeps: rel -> (blob, data, status)
    blobs: dict[str, str] = {}
    misses: list[Path] = []
    for rel, (mode, blob) in entries.items():
        if not rel.endswith((".yaml", ".yml")):
            continue
        plain = mode in ("100644", "100755") and bool(blob)
        hit = cached.get(rel)
        if plain and isinstance(hit, list) and len(hit) == 3 and hit[0] == blob \
                and isinstance(hit[1], dict) and isinstance(hit[2], str):
            out[rel] = Loaded(rel, Record(data=hit[1], path=rel, extra={"status": hit[2]}))
            keep[rel] = (blob, hit[1], hit[2])
        else:
            misses.append(register.root / rel)
            if plain:
                blobs[rel] = blob
    start = len(str(register.root)) + 1
    handled = set(out) | {register.rel(m) for m in misses}
    misses += [Path(name) for name in register.record_file_names()   # what git does not list
               if name[start:].replace(os.sep, "/") not in handled]  # as a record: a link...
    fresh = False
    for loaded in register.load_all(misses) if misses else []:
        out[loaded.path] = loaded
        if loaded.record is not None and loaded.path in blobs:
            try:
                _encode(dict(loaded.record.data))
            except _Uncacheable:
                continue
            keep[loaded.path] = (blobs[loaded.path], loaded.record.data, loaded.record.status)
            fresh = True
    if fresh or set(keep) != set(cached):
        _write(path, {rel: [blob, _encode(dict(data)), status]
                      for rel, (blob, data, status) in keep.items()})
    return [out[rel] for rel in sorted(out)]
