"""Runs a policy over records: the shared schema checks, then the policy's own rules.

Returns findings as data; nothing here prints, exits or touches git.
"""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Mapping   # isinstance: typing's alias is 3x slower
from datetime import date
from typing import Any, Iterable

from coc.registers.findings import Finding
from coc.registers.record import COMMON_KEYS, DECISIONS, ID_RE, Record, as_date, as_datetime

from coc.registers.text import control_character

from .base import Context, Deciders, Duty, Kind, Policy

DECIDING = ("approved", "rejected", "noted")


def _f(rule: str, message: str, field: str | None = None, severity: str = "error",
       section: str = "") -> Finding:
    return Finding(rule=rule, message=message, severity=severity, field=field, section=section)


def schema_findings(record: Record, policy: Policy, ctx: Context) -> list[Finding]:
    """Required fields, types, choices, unknown keys, identities: what any record must satisfy."""
    data, out = record.data, []
    if not isinstance(data, Mapping):
        return [_f("record-shape", "a record must be a YAML mapping")]
    for key in data:
        if key not in COMMON_KEYS:
            out.append(_f("unknown-field", f"unknown key {key!r}", str(key)))
    record_id = data.get("id")
    if not isinstance(record_id, str) or not ID_RE.match(record_id):
        out.append(_f("record-id", "missing or malformed id (like GIF-2026-K3FZQ2)", "id"))
    kind_name = data.get("kind")
    kind = policy.kinds.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        why = policy.not_offered.get(kind_name, "") if isinstance(kind_name, str) else ""
        out.append(_f("unknown-kind", f"kind {kind_name!r} is not offered by the {policy.name} "
                      f"policy" + (f": {why}" if why else ""), "kind"))
    elif isinstance(record_id, str) and ID_RE.match(record_id) and record_id[:3] != kind.prefix:
        out.append(_f("record-id", f"id prefix {record_id[:3]} does not match kind {kind.name} "
                      f"({kind.prefix})", "id"))
    out += _identity_findings(record, ctx)
    if as_date(data.get("declared_on")) is None or isinstance(data.get("declared_on"), str):
        out.append(_f("required-fields", "required: the date declared (YYYY-MM-DD)", "declared_on"))
    late = data.get("late_reason")
    if late is not None and (not isinstance(late, str) or not late.strip()):
        out.append(_f("late-reason", "must be text saying why the declaration is late", "late_reason"))
    elif isinstance(late, str) and control_character(late):
        out.append(_f("late-reason", str(control_character(late)), "late_reason"))
    if kind is not None:
        out += _details_findings(data.get("details"), kind)
    out += _history_findings(data)
    out += _history_text_findings(data, ctx)
    return out


def _history_text_findings(data: Mapping[str, Any], ctx: Context) -> list[Finding]:
    """Each decision, amendment, ending and withdrawal is by someone in people.yaml, and what
    it says holds no control or bidi characters: what the hook and `coc approve` refuse,
    validate refuses too (issue 9 item 8)."""
    out = []
    entries: list[tuple[str, Any]] = [(k, data.get(k)) for k in ("withdrawn", "ended")]
    for key in ("decisions", "amendments"):
        listed = data.get(key)
        if isinstance(listed, list):
            entries += [(f"{key}.{i}", e) for i, e in enumerate(listed)]
    for where, entry in entries:
        if not isinstance(entry, Mapping):
            continue
        by = entry.get("by")
        if isinstance(by, str) and by not in ctx.people:
            out.append(_f("unknown-person", f"{by!r} is not in people.yaml", f"{where}.by"))
        for name, text in _strings(entry, where):
            problem = control_character(text)
            if problem:
                out.append(_f("control-character", problem, name))
                break
    return out


def _strings(value: Any, where: str) -> Iterable[tuple[str, str]]:
    """Every text inside a history entry (keys too), with its dotted field."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key, where)
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}.{i}")


def _identity_findings(record: Record, ctx: Context) -> list[Finding]:
    out = []
    declarant = record.data.get("declarant")
    if not isinstance(declarant, str) or not declarant:
        out.append(_f("required-fields", "required: the person declaring (people.yaml id)",
                      "declarant"))
    elif declarant not in ctx.people:
        out.append(_f("unknown-person", f"{declarant!r} is not in people.yaml", "declarant"))
    recorder = record.data.get("recorded_by")
    if recorder is not None and recorder != declarant:
        person = ctx.people.get(recorder) if isinstance(recorder, str) else None
        if person is None:
            out.append(_f("unknown-person", f"{recorder!r} is not in people.yaml", "recorded_by"))
        elif not person.has_role("hr"):
            out.append(_f("recorded-by-hr", f"{recorder} recorded this for {declarant} but does "
                          "not have the hr role", "recorded_by"))
    return out


def _details_findings(details: Any, kind: Kind) -> list[Finding]:
    if not isinstance(details, Mapping):
        return [_f("required-fields", "required: a mapping of the declaration's details", "details")]
    out = []
    known = {f.name for f in kind.fields}
    for key in details:
        if key not in known:
            out.append(_f("unknown-field", f"{kind.name} has no field {key!r} "
                          f"(fields: {', '.join(sorted(known))})", f"details.{key}"))
    for spec in kind.fields:
        value = details.get(spec.name)
        if value is None or value == "":
            if spec.required:
                out.append(_f("required-fields", f"required: {spec.help or spec.name}",
                              f"details.{spec.name}"))
            continue
        problem = spec.check(value)
        if problem:
            out.append(_f("field-type", problem, f"details.{spec.name}"))
    return out


def _history_findings(data: Mapping[str, Any]) -> list[Finding]:
    out = []
    for key in ("decisions", "amendments"):
        entries = data.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            out.append(_f("record-shape", "must be a list", key))
            continue
        for i, entry in enumerate(entries):
            where = f"{key}.{i}"
            if not isinstance(entry, Mapping):
                out.append(_f("record-shape", "must be a mapping", where))
                continue
            if not isinstance(entry.get("by"), str):
                out.append(_f("required-fields", "required: who (people.yaml id)", f"{where}.by"))
            if as_datetime(entry.get("at")) is None:
                out.append(_f("required-fields", "required: when (ISO date-time)", f"{where}.at"))
            if key == "decisions" and entry.get("decision") not in DECISIONS:
                out.append(_f("record-shape", f"decision must be one of {', '.join(DECISIONS)}",
                              f"{where}.decision"))
            if key == "decisions" and "imported" in entry and not _imported_ok(entry["imported"]):
                out.append(_f("record-shape", "must be a mapping with decided_by (one line of "
                              "text), decided_on (a date), file and line or item, as `coc "
                              "import` writes it", f"{where}.imported"))
    for key in ("withdrawn", "ended"):
        entry = data.get(key)
        if entry is not None and (not isinstance(entry, Mapping) or not isinstance(entry.get("by"), str)):
            out.append(_f("record-shape", "must be a mapping with by, at and reason", key))
    imported = data.get("imported_from")
    if imported is not None and not _import_note_ok(imported):
        out.append(_f("record-shape", "must be a mapping with file (text) and line (a number) "
                      "or item (text)", "imported_from"))
    return out


def _imported_ok(note: Any) -> bool:
    """A decision's `imported: {decided_by, decided_on, file, line | item}`."""
    if not isinstance(note, Mapping) or set(note) - {"decided_by", "decided_on", "file", "line",
                                                     "item", "verdict"}:
        return False
    by, on = note.get("decided_by"), note.get("decided_on")
    return (isinstance(by, str) and bool(by.strip()) and len(by) <= 300 and "\n" not in by
            and control_character(by) is None and as_date(on) is not None
            and _import_note_ok({k: v for k, v in note.items() if k in ("file", "line", "item")}))


def _import_note_ok(note: Any) -> bool:
    """`imported_from: {file, line | item}`, as `coc import` writes it."""
    if not isinstance(note, Mapping) or set(note) - {"file", "line", "item"}:
        return False
    line = note.get("line")
    return (isinstance(note.get("file"), str) and bool(note["file"].strip())
            and (line is None or (isinstance(line, int) and not isinstance(line, bool) and line >= 1))
            and isinstance(note.get("item", ""), str))


def deadline_findings(record: Record, policy: Policy, ctx: Context) -> list[Finding]:
    """Late declarations are accepted, never blocked, but must say why (SPEC §6)."""
    deadline = policy.deadline(record, ctx)
    declared = record.declared_on
    if deadline is None or declared is None or declared <= deadline.due:
        return []
    if record.data.get("late_reason"):
        return [_f("deadline", f"declared {declared}, after the deadline {deadline.due} "
                    f"({deadline.basis}); late reason given", "declared_on", "info",
                    deadline.section)]
    return [_f("deadline", f"declared {declared}, after the deadline {deadline.due} "
                f"({deadline.basis}): add late_reason saying why", "late_reason", "error",
                deadline.section)]


def self_decision_findings(record: Record) -> list[Finding]:
    """Nobody decides their own declaration, nor one they recorded for someone (SPEC §4)."""
    out = []
    for i, decision in enumerate(record.decisions):
        verdict, by = decision.get("decision"), decision.get("by")
        if record.is_imported(decision):
            continue   # recorded by the importer; decided by `imported.decided_by`
        if verdict in DECIDING and by == record.declarant:
            out.append(_f("self-decision", f"{by} decided their own declaration",
                          f"decisions.{i}.by", "breach"))
        elif verdict in DECIDING and by == record.recorded_by:
            out.append(_f("self-decision", f"{by} recorded this declaration for "
                          f"{record.declarant} and cannot also decide it", f"decisions.{i}.by",
                          "breach"))
        elif verdict == "conditions-accepted" and by != record.declarant:
            out.append(_f("decision-authority", "only the declarant accepts the conditions",
                          f"decisions.{i}.by", "breach"))
    return out


def stale_decision_findings(record: Record) -> list[Finding]:
    """A decision binds to the details it saw (`details_digest`): beside other details, e.g.
    a branch's edit merged under an approval given on main, it no longer counts, and is an
    error until someone decides the details as they now stand."""
    out = []
    decisions = record.decisions
    for i, decision in enumerate(decisions):
        digest = decision.get("details_digest")
        if digest is None or record.saw_these_details(decision) or \
                _int_version(decision) != record.version or \
                any(record.saw_these_details(d) for d in decisions[i + 1:]):
            continue
        out.append(_f("decision-digest", f"this {decision.get('decision')} decision by "
                      f"{decision.get('by')} was made on other details than these, so it does "
                      f"not count: ask for a decision on the details as they now stand (`coc "
                      f"approve {record.id}` or `coc reject {record.id}`)",
                      f"decisions.{i}.details_digest"))
    return out


def _int_version(decision: Mapping[str, Any]) -> int:
    """As Record reads it: anything but an int is version 0."""
    version = decision.get("details_version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def authority_findings(record: Record, ctx: Context, decisions: Iterable[int]) -> list[Finding]:
    """The decisions at these positions were made by someone the policy allows (for new decisions)."""
    assert ctx.policy is not None
    by_day: dict[date | None, Deciders] = {}
    out = []
    for i in decisions:
        decision = record.decisions[i]
        if decision.get("decision") not in DECIDING:
            continue
        if record.is_imported(decision):
            person = ctx.people.get(str(decision.get("by")))
            if person is None or not person.has_role("hr"):
                out.append(_f("decision-authority", f"{decision.get('by')} recorded an imported "
                              "decision but does not have the hr role: only HR imports a past "
                              "decision", f"decisions.{i}.by", "error"))
            continue   # the decision was made elsewhere, before the register: not coc's to route
        # judged on the decision's own day: someone who has left since still decided it then
        moment = as_datetime(decision.get("at"))
        day = moment.date() if moment else None
        if day not in by_day:
            by_day[day] = ctx.policy.who_may_decide(
                record, replace(ctx, today=day) if day else ctx)
        deciders = by_day[day]
        by = str(decision.get("by"))
        if deciders.allows(by) is None:
            why = dict(deciders.excluded).get(by) or (
                "is the declarant" if by == record.declarant else
                "recorded it on the declarant's behalf" if by == record.recorded_by else None)
            out.append(_f("decision-authority", f"{by} may not decide this {record.kind}"
                          + (f" ({by} {why})" if why else "") + f"; who may: {deciders.describe()}",
                          f"decisions.{i}.by", "error", deciders.section))
    return out


def verdict_authority_findings(record: Record, ctx: Context) -> list[Finding]:
    """The decision that sets the record's status was made by someone the policy allows, by
    the people.yaml now in force: the check the hook makes on a new decision, made on every
    record so that a hand-written approval does not pass `validate --all` (issue 9 item 8)."""
    verdict = record.verdict()
    if verdict is None or verdict.get("by") in (record.declarant, record.recorded_by):
        return []   # no decision, or a self-decision: a breach of its own
    index = next(i for i, d in enumerate(record.decisions) if d is verdict)
    return authority_findings(record, ctx, [index])


def follow_findings(record: Record, ctx: Context) -> list[Finding]:
    follows = record.details.get("follows")
    if isinstance(follows, str) and follows == record.id:
        return [_f("follows", f"{follows} follows itself: name the first notice", "details.follows")]
    if not follows or not ctx.records or not isinstance(follows, str):
        return []
    seen, step = {record.id}, ctx.records.get(follows)
    while step is not None and isinstance(step.details.get("follows"), str):
        if step.id in seen:
            return [_f("follows", f"the notices {follows} follows go round in a circle "
                       f"(through {step.id})", "details.follows")]
        seen.add(step.id)
        step = ctx.records.get(step.details["follows"])
    earlier = ctx.records.get(follows)
    if earlier is None:
        return [_f("follows", f"{follows} is not a record in this register", "details.follows")]
    if earlier.kind != record.kind or earlier.declarant != record.declarant:
        return [_f("follows", f"{follows} is not an earlier {record.kind} of {record.declarant}",
                   "details.follows")]
    return []


def check_record(record: Record, ctx: Context) -> list[Finding]:
    """All findings for one record: schema first; policy rules only on a well-formed record."""
    policy = ctx.policy
    assert policy is not None
    found = schema_findings(record, policy, ctx)
    if any(f.failing for f in found):
        return found
    found += deadline_findings(record, policy, ctx)
    found += self_decision_findings(record)
    found += stale_decision_findings(record)
    found += verdict_authority_findings(record, ctx)
    found += follow_findings(record, ctx)
    for rule_fn in policy.rules:
        found.extend(rule_fn(record, ctx))
    return found


# --- who must act (issue 8, contracts 1 and 3) ----------------------------------------------------

def duty_of(record: Record, ctx: Context) -> Duty | None:
    """The duty of the code this record falls under; for a plugin policy that routes nothing,
    its kind's own word (a notification is acknowledged, anything else approved)."""
    policy = ctx.policy
    assert policy is not None
    kind = policy.kinds.get(record.kind)
    if kind is None:
        return None
    if policy.duty_of is not None:
        return policy.duty_of(record, ctx)
    return Duty(kind.section, "", "notification" if kind.notification else "permission", kind.name)


def who_must_act(record: Record, ctx: Context) -> Deciders | None:
    """Who has to approve or acknowledge this record now, or None when nobody has to act: it
    is decided, ended or withdrawn, or the code asks only that it is recorded (Luton §14.3).

    The one answer `coc declare`, `check`, `show`, `overdue`, `inbox`, `approve` and the hook
    read, so the person one names is the person another accepts.
    """
    if record.status != "submitted":
        return None
    duty = duty_of(record, ctx)
    if duty is None or duty.action is None:
        return None
    assert ctx.policy is not None
    deciders = ctx.policy.who_may_decide(record, ctx)
    return replace(deciders, action=duty.action, section=deciders.section or duty.section)


def open_breaches(record: Record, ctx: Context) -> list[Finding]:
    """What this record shows the code was breached in, and nobody has yet handled: an
    approval never handles a breach; an amendment that removes the cause, a rejection or a
    withdrawal does (issue 8, contract 2). `coc approve`, the hook and `coc audit` all refuse a
    decision that would approve one."""
    assert ctx.policy is not None
    failing = [f for f in schema_findings(record, ctx.policy, ctx) if f.failing]
    if failing:
        # the rules cannot read a record that fails its schema, so nothing shows it is not a
        # breach: nobody approves it until it is put right (a hand-written "£900" stays open)
        return [replace(f, severity="breach", message=f"{f.field or 'the record'}: "
                        f"{f.message} (put right before any decision)") for f in failing[:1]]
    return [f for rule_fn in ctx.policy.rules for f in rule_fn(record, ctx)
            if f.severity == "breach"]
