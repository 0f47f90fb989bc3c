"""Progress of long work (audit, import, validate --all, register) on the terminal.

Only on a terminal, never in a pipe, a file or CI's log (`CI` set, as every CI service sets
it; some give the job a pseudo-terminal), never on a `TERM=dumb` terminal that cannot wipe a
line, and never with `--quiet`: the line is redrawn in place on stderr, at most ten times a
second, and wiped when the work is done, so nothing of it is left in what the command prints.
The work below `cli/` never prints: it calls an `on_progress(done, total)` it is given.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Callable, TextIO

import click

OnProgress = Callable[[int, int], None]

quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="No progress line on the terminal while the work runs.")


def wanted(stream: TextIO) -> bool:
    """Whether a progress line belongs on `stream`: a real terminal, outside CI."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):   # a replaced or closed stream
        return False


class Progress:
    """Called with how much is done; shows `label: 1,234 of 10,000` while the work runs."""

    def __init__(self, label: str, *, quiet: bool = False, stream: TextIO | None = None,
                 every_s: float = 0.1) -> None:
        from coc.registers.text import printable

        self.stream = stream or sys.stderr
        self.enabled = not quiet and wanted(self.stream)
        self.label = printable(label, one_line=True)   # only ever our words, but escaped anyway
        self.every_s = every_s
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.shown and now - self.last < self.every_s and (total is None or done < total):
            return
        self.last = now
        text = f"{self.label}: {int(done):,}" + (f" of {int(total):,}" if total else "")
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self.shown = True

    @property
    def callback(self) -> OnProgress | None:
        """What to pass down as `on_progress`: None when nothing would be shown (no cost)."""
        return self if self.enabled else None

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: Any) -> None:
        self.done()


def offset(on_progress: OnProgress | None, before: int, total: int) -> OnProgress | None:
    """`on_progress` for one part of a larger piece of work: `before` done already, of `total`."""
    if on_progress is None:
        return None
    return lambda done, _part: on_progress(before + done, total)
