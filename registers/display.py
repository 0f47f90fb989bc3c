"""Values as people read them in messages: never Python's own spelling of them (issue 10)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any


def plain_value(value: Any) -> str:
    """`2026-12-02`, not `datetime.date(2026, 12, 2)`; `yes`/`no`, not `True`/`False`; `none`."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(plain_value(v) for v in value)
    return str(value)
