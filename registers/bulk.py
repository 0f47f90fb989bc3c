"""Reading thousands of records on both cores.

Workers are forked, so they inherit what the parent has loaded (the register, the policy,
the context) instead of pickling it; only paths go out and small results come back.
"""
from __future__ import annotations

import multiprocessing
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
    if len(items) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        out = []
        for item in items:
            out.append(fn(item))
            tell(len(out), len(items))
        return out
    size = max(50, len(items) // (workers * 4))
    chunks = [(fn, items[i:i + size]) for i in range(0, len(items), size)]
    results: list[list[T]] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for chunk in pool.imap(_run_chunk, chunks):   # in order, as each is done
            results.append(chunk)
            tell(min(len(results) * size, len(items)), len(items))
    return [item for chunk in results for item in chunk]


def _read_one(path: Path) -> "Loaded":
    from .store import Loaded

    register = _shared["register"]
    try:
        return Loaded(register.rel(path), register.read(path))
    except CocError as exc:
        return Loaded(register.rel(path), None, exc)


def read_many(register: "Register", paths: list[Path],
              on_progress: Callable[[int, int], None] | None = None) -> list["Loaded"]:
    return parallel_map(_read_one, paths, on_progress=on_progress, register=register)
