"""A policy's duties as a table a Monitoring Officer can sign off (`coc policy show`).

Generated from the policy module itself (its `duties`, kinds and parameters), so what is
reviewed is what runs.
"""
from __future__ import annotations

from typing import Any

from .base import Policy

SEVERITY = {"forbidden": "breach", "permission": "error when late",
            "notification": "error when late", "record": "error when late",
            "not-a-declaration": ""}


def _section_key(section: str) -> tuple[Any, ...]:
    """The code's order: "MK §11" after "MK §2", "Luton §19.10" after "Luton §19.9"."""
    number = section.split("§", 1)[1] if "§" in section else ""
    parts = [int(p) if p.isdigit() else 0 for p in number.split(".") if p]
    return (0 if not number else 1, parts)


def duty_rows(policy: Policy) -> list[dict[str, Any]]:
    """One row per duty of the code, in the code's order."""
    rows = []
    for duty in sorted(policy.duties, key=lambda d: _section_key(d.section)):
        rows.append({
            "section": duty.section, "words": duty.words, "kind": duty.kind or None,
            "route": duty.route or None, "duty": duty.type,
            "action": duty.action, "deadline": duty.deadline or None,
            "decider": duty.decider or None,
            "severity": "breach" if duty.type == "forbidden" else
            (SEVERITY[duty.type] if duty.deadline and not duty.deadline.startswith("none")
             else "") or None,
            "parameters": [parameter_row(policy, name) for name in duty.parameters],
        })
    return rows


def parameter_row(policy: Policy, name: str) -> dict[str, Any]:
    spec = policy.parameters.get(name)
    if spec is None:
        return {"name": name, "default": None, "help": "not a parameter of this policy"}
    return {"name": name, "default": str(spec.default), "help": spec.help, "section": spec.section,
            # the code's own figure: coc.yaml may tighten it, never relax it (contract 4)
            "fixed_by_code": spec.fixed_by_code or None}


def as_json(policy: Policy) -> dict[str, Any]:
    return {"policy": policy.name, "title": policy.title, "version": policy.version,
            "duties": duty_rows(policy),
            "parameters": [parameter_row(policy, name) for name in policy.parameters],
            "kinds": [{"kind": k.name, "section": k.section, "title": k.title}
                      for k in policy.kinds.values()],
            "not_offered": dict(policy.not_offered)}


def _cell(value: Any) -> str:
    text = "" if value is None else ", ".join(value) if isinstance(value, list) else str(value)
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def as_markdown(policy: Policy) -> str:
    """The table, then the parameters: what the code leaves open, and the value chosen."""
    lines = [f"# {policy.title}", "",
             f"Policy `{policy.name}`, version {policy.version}. Each row is a duty of the code, "
             "in its own words; *duty* is what the code's verb asks: a **permission** is "
             "approved or rejected before the thing happens, a **notification** is "
             "acknowledged, a **record** needs no one's decision, **forbidden** is a breach "
             "that no approval resolves, and **not-a-declaration** is done outside the "
             "register.", "",
             "| section | the code says | kind | case | duty | deadline | decider | severity |",
             "|---|---|---|---|---|---|---|---|"]
    for row in duty_rows(policy):
        cells = [_cell(row["section"]), f"“{_cell(row['words'])}”"] + [
            _cell(row[key]) for key in ("kind", "route", "duty", "deadline", "decider", "severity")]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Parameters", "", "A figure the code gives may be tightened in coc.yaml, "
              "never relaxed; any other parameter is a number the code does not give.", "",
              "| parameter | default | section | the code's own figure | what it means |",
              "|---|---|---|---|---|"]
    for name, spec in policy.parameters.items():
        lines.append(f"| `{name}` | {_cell(spec.default)} | {_cell(spec.section)} | "
                     f"{_cell(spec.fixed_by_code) or 'no: a parameter'} | {_cell(spec.help)} |")
    return "\n".join(lines) + "\n"
