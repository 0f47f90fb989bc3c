"""Findings: validation results as data (STYLE §1), rendered by the CLI, never printed here."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

SEVERITIES = ("breach", "error", "warning", "info")
FAILING = frozenset({"breach", "error"})


@dataclass(frozen=True)
class Finding:
    rule: str                  # a stable name: required-fields, gift-value-limit, deadline...
    message: str
    severity: str = "error"    # breach | error | warning | info
    section: str = ""          # the code's section, e.g. "MK §6", "Luton §17.2"
    field: str | None = None   # dotted path inside the record, e.g. "details.value_gbp"
    path: str | None = None    # file, relative to the register root
    line: int | None = None
    record_id: str | None = None
    commit: str | None = None  # audit anomalies: the commit that made the change

    @property
    def failing(self) -> bool:
        return self.severity in FAILING

    def at(self, **where: Any) -> Finding:
        return replace(self, **where)

    def render(self) -> str:
        """`path:line: field: message [section]` — the one text form (SPEC §5)."""
        head = self.path or self.record_id or "-"
        if self.line:
            head += f":{self.line}"
        text = f"{head}: "
        if self.field:
            text += f"{self.field}: "
        text += f"{self.severity}: {self.message} ({self.rule})"
        if self.section:
            text += f" [{self.section}]"
        return text

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items()}
