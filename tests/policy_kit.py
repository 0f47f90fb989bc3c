"""Builders the per-council rule tests share: records as read from YAML, a context on the
example organisation, and the findings of one rule. `PolicyKit("luton")` binds them to a
policy, so each council's test file reads `rec("gift", value_gbp="25.00", ...)`."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from coc.policies.base import Context
from coc.policies.engine import check_record
from coc.policies.registry import get_policy
from coc.registers.config import DEFAULT_GRADES, Practice, parse_practice
from coc.registers.findings import Finding
from coc.registers.people import load_people
from coc.registers.record import Record

D = date.fromisoformat
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "register"
EXAMPLE = TEMPLATES / "people.example.yaml"
PEOPLE = load_people(EXAMPLE, DEFAULT_GRADES)


def init_practice() -> Practice:
    """The `practice:` block `coc init` writes (plain YAML inside the coc.yaml template)."""
    import re

    import yaml

    text = (TEMPLATES / "coc.yaml.j2").read_text()
    block = re.search(r"^practice:\n(?:  .*\n)+", text, re.M)
    assert block is not None
    return parse_practice(yaml.safe_load(block[0])["practice"])


PRACTICE = init_practice()


class PolicyKit:
    def __init__(self, policy_name: str) -> None:
        self.policy = get_policy(policy_name)

    def ctx(self, *records: Record, calendar: str = "england-and-wales", **params: Any
            ) -> Context:
        return Context(people=PEOPLE, parameters=self.policy.resolve_parameters(params),
                       calendar_name=calendar, records={r.id: r for r in records},
                       policy=self.policy, practice=PRACTICE)

    def rec(self, kind: str, declarant: str = "jsmith", declared_on: str = "2026-11-24", *,
            suffix: str = "AAAAAA", decisions: list[dict[str, Any]] | None = None,
            late_reason: str | None = None, **details: Any) -> Record:
        """A record as read from YAML: ISO strings become dates for the kind's date fields."""
        spec = self.policy.kinds[kind]
        for name, value in details.items():
            field = spec.field(name)
            if field is not None and field.type == "date" and isinstance(value, str):
                details[name] = D(value)
        data: dict[str, Any] = {"id": f"{spec.prefix}-2026-{suffix}", "kind": kind,
                                "declarant": declarant, "recorded_by": declarant,
                                "declared_on": D(declared_on), "details": details}
        if decisions:
            data["decisions"] = decisions
        if late_reason:
            data["late_reason"] = late_reason
        return Record(data=data)

    def found(self, record: Record, context: Context | None = None) -> list[Finding]:
        return check_record(record, context or self.ctx(record))

    def rule(self, record: Record, name: str, context: Context | None = None) -> list[Finding]:
        return [f for f in self.found(record, context) if f.rule == name]

    def severities(self, record: Record, name: str, context: Context | None = None) -> list[str]:
        return [f.severity for f in self.rule(record, name, context)]
