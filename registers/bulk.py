"""Reading thousands of records on both cores.

Workers are forked, so they inherit what the parent has loaded (the register, the policy,
the context) instead of pickling it; only paths go out and small results come back.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from .errors import CocError

if TYPE_CHECKING:
    from .store import Loaded, Register

T = TypeVar("T")
PARALLEL_FROM = 400          # below this, starting workers costs more than it saves
_shared: dict[str, Any] = {}


def shared() -> dict[str, Any]:
    """What the parent put aside for forked workers (see `parallel_map`)."""
    return _shared


def _run_chunk(args: tuple[Callable[[Any], T], Sequence[Any]]) -> list[T]:
    fn, items = args
    return [fn(item) for item in items]


def parallel_map(fn: Callable[[Any], T], items: Sequence[Any], *,
                 on_progress: Callable[[int, int], None] | None = None, **share: Any) -> list[T]:
    """`[fn(i) for i in items]` on every core for large inputs; `share` is visible via `shared()`.
    `on_progress(done, total)` is told as items are done (the caller shows it; nothing here
    prints)."""
    _shared.clear()
    _shared.update(share)
    workers = min(os.cpu_count() or 1, 8)
    tell = on_progress or (lambda done, total: None)

    def serial() -> list[T]:
        out = []
        for item in items:
            out.append(fn(item))
            tell(len(out), len(items))
        return out

    if len(items) < PARALLEL_FROM or workers < 2:
        return serial()
    import multiprocessing   # only when it pays: it costs 6 ms to import

    if "fork" not in multiprocessing.get_all_start_methods():
        return serial()
    size = max(50, len(items) // (workers * 4))
    chunks = [(fn, items[i:i + size]) for i in range(0, len(items), size)]
    results: list[list[T]] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for chunk in pool.imap(_run_chunk, chunks):   # in order, as each is done
            results.append(chunk)
            tell(min(len(results) * size, len(items)), len(items))
    return [item for chunk in results for item in chunk]


def _read_one(path: Path | str) -> tuple[str, tuple[bytes, bytes] | None, CocError | None,
                                        str | None]:
    """Runs in a worker: the file's parse and status, pickled once here (the parent keeps the
    same bytes in the index), or the error that stopped it being read; and the git blob id of
    the bytes read, so that a file changed since git was asked is never kept under the old id."""
    from .git import blob_id
    from .index import pack
    from .record import Record
    from .yamlio import load_fast, read_regular

    register = _shared["register"]
    rel = register.rel(path)
    try:
        data = read_regular(Path(path), rel)
        parsed = load_fast(data, rel)
        if not isinstance(parsed, dict):
            raise CocError("a record must be a YAML mapping", path=rel)
    except CocError as exc:
        return rel, None, exc, None
    record = Record(data=parsed, path=rel)
    return rel, pack(record.data, record.status), None, blob_id(data)


def read_many(register: "Register", paths: Sequence[Path | str],
              blobs: dict[str, str] | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> list["Loaded"]:
    """Each file's record, from the index when `blobs` (rel -> blob id, from git) knows it is
    unchanged and the index holds that blob, else read and parsed; what was parsed and has a
    known blob is added to the index. `on_progress(done, total)` is told as files are parsed
    (those from the index are done at once)."""
    import pickle

    from .index import open_index, unpack
    from .record import Record
    from .store import Loaded

    blobs = blobs or {}
    rels = [register.rel(path) for path in paths]
    index = open_index(register.root) if blobs else None
    hits = index.parsed(blobs[rel] for rel in rels if rel in blobs) if index else {}
    out: list[Loaded | None] = []
    todo: list[Path | str] = []
    for path, rel in zip(paths, rels):
        hit = hits.get(blobs.get(rel, ""))
        if hit is None:
            out.append(None)
            todo.append(path)
        else:
            out.append(Loaded(rel, Record.known(hit.data, rel, hit.status)))
    found = len(paths) - len(todo)
    tell = None if on_progress is None else \
        (lambda done, _total: on_progress(found + done, len(paths)))
    fresh = iter(parallel_map(_read_one, todo, on_progress=tell, register=register))
    new_rows = []
    for i, slot in enumerate(out):
        if slot is not None:
            continue
        rel, payload, error, read_as = next(fresh)
        parsed = unpack(*payload, loads=pickle.loads) if payload else None   # our worker's
        if payload is None or parsed is None:
            out[i] = Loaded(rel, None, error)
            continue
        out[i] = Loaded(rel, Record.known(parsed.data, rel, parsed.status))
        if index is not None and rel in blobs and read_as == blobs[rel]:
            new_rows.append((blobs[rel], payload))
    if index is not None:
        index.store_parsed(new_rows)
        index.close()
    return [slot for slot in out if slot is not None]
