"""Progress of long work (audit, import, validate --all, register) on the terminal.

Only on a terminal, never in a pipe, a file or CI's log, and never with `--quiet`: the line is
redrawn in place on stderr, at most ten times a second, and wiped when the work is done, so
nothing of it is left in what the command prints.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Called with how much is done; shows `label: 1,234 of 10,000` while the work runs."""

    def __init__(self, label: str, *, quiet: bool = False, stream: TextIO | None = None,
                 every_s: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = not quiet and self.stream.isatty()
        self.label = label
        self.every_s = every_s
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < self.every_s and (total is None or done < total):
            return
        self.last = now
        text = f"{self.label}: {done:,}" + (f" of {total:,}" if total else "")
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.done()
