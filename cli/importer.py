"""`coc import FILE --kind K [--mapping FILE]`: bring existing declarations into the register.

Each row is built and checked exactly like a declaration (`build_record`, `check_record`); a bad
row is one line `FILE:line: field: message`. All or nothing by default (`--skip-bad` imports the
good rows), in ONE commit by the importer, who needs the hr role to import other people's
declarations. Records keep the source's declaration date and say where they came from
(`imported_from`), so an audit can tell an import from back-dating.
"""
from __future__ import annotations

import json
import os
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from coc.policies.registry import context_for, policy_for
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.importing import (EARLIEST, ImportMapping, Row, Spec, bare_name, clean_date,
                                     clean_money, default_mapping, parse_mapping, read_rows,
                                     verdict)
from coc.registers.people import Person
from coc.registers.record import PERSON_ID_RE, Record
from coc.registers.store import Register
from coc.registers.text import control_character
from coc.registers.writing import Change
from coc.registers.yamlio import dump_many

from .common import (acting_person, echo_json, echo_line, open_register, render_findings,
                     to_jsonable)
from .declare import build_record
from .progress import OnProgress, Progress, quiet_option

NOT_MAPPABLE = {
    "id": "ids are always generated", "kind": "the kind is --kind",
    "path": "a record's place comes from its declarant's department in people.yaml",
    "department": "a record's place comes from its declarant's department in people.yaml",
    "declarant": "say how to find the declarant under the top-level `declarant:`",
    "declared_on": "use the top-level `declared_on:`",
    "late_reason": "use the top-level `late_reason:`",
    "recorded_by": "the person importing is recorded as recorded_by",
}


@dataclass(frozen=True)
class Planned:
    """A good row, ready to write: its record and the (non-failing) findings it carries."""

    id: str
    path: Path
    data: Any
    row: Row
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Imported:
    planned: list[Planned]
    bad: list[Finding]
    skipped: int
    commit: str | None = None


class _Rows:
    """Turns rows into records for one import: the register, kind, mapping and who imports."""

    def __init__(self, register: Register, kind_name: str, mapping: ImportMapping, actor: Person,
                 source: str, today: date) -> None:
        from coc.policies.validate import load_context

        self.register, self.mapping, self.actor = register, mapping, actor
        self.kind = policy_for(register).kind(kind_name)
        self.source, self.today = source, today
        self.ctx = context_for(register, load_context(register))
        self.by_name: dict[str, list[Person]] = {}
        for person in register.people:
            self.by_name.setdefault(bare_name(person.name), []).append(person)
        self.seen: dict[str, str] = self._existing()
        # every file name under registers/ (and each id given in this import): ids not to reuse
        self.taken = {name.rpartition(os.sep)[2].rpartition(".")[0]
                      for name in register.record_file_names()}

    def _existing(self) -> dict[str, str]:
        """Signature -> record id for records of this kind already in the register."""
        paths = sorted((self.register.root / "registers").glob(f"*/{self.kind.name}/*/*.yaml"))
        return {self._signature(r.record.declarant, r.record.details): r.record.id
                for r in self.register.load_all(paths) if r.record is not None}

    @staticmethod
    def _signature(declarant: str, details: Any) -> str:
        """What makes two rows the same declaration; runs of white space in text do not count,
        so a record saved by a version that folded long lines (and lost the spaces at the fold)
        still matches its source row on a second import (issue 9, item 19)."""
        values = {k: " ".join(v.split()) if isinstance(v, str) else v
                  for k, v in to_jsonable(dict(details)).items()}
        return declarant + json.dumps(values, sort_keys=True)

    def where(self, row: Row) -> str:
        return f"{self.source}:{row.item}" if row.item else self.source

    def plan(self, row: Row) -> Planned | list[tuple[str, str]]:
        """The record for a row, or its problems as (field, message)."""
        if row.problem:
            return [("", row.problem)]
        problems: list[tuple[str, str]] = []
        declarant = self._declarant(row, problems)
        details: dict[str, Any] = {}
        for name, spec in self.mapping.fields.items():
            value = self._value(name, spec, row, problems)
            if value is not None:
                details[name] = value
        for spec in self.kind.fields:
            if spec.required and spec.name not in details and \
                    not any(f == f"details.{spec.name}" for f, _ in problems):
                problems.append((f"details.{spec.name}",
                                 f"required, but {self.mapping.fields[spec.name].empty()}"))
        declared_on = self._declared_on(row, problems)
        late_reason = self.mapping.late_reason.text(row.cells) if self.mapping.late_reason else ""
        past = self._past_decision(row, problems, declared_on)
        if problems or declarant is None or declared_on is None:
            return problems
        return self._record(row, declarant, details, declared_on, late_reason or None, past)

    def _past_decision(self, row: Row, problems: list[tuple[str, str]],
                       declared_on: date | None) -> dict[str, Any] | None:
        """The decision the source says was made (verdict, by whom, when), or None."""
        specs = self.mapping.decision
        if specs is None:
            return None
        text = specs["verdict"].text(row.cells)
        said = verdict(text)
        if said is None:
            problems.append(("decision.verdict", f"{text!r} is not approved, noted or declined "
                             f"({specs['verdict'].describe()}; map the source's words with "
                             "values:)"))
            return None
        if not said:
            return None     # no decision in the source: the record waits for one, as declared
        by = " ".join(specs["by"].text(row.cells).split())
        problem = control_character(by) or ("longer than 300 characters" if len(by) > 300
                                             else None)
        if not by or problem:
            problems.append(("decision.by", problem or f"who decided is needed with a "
                             f"decision, but {specs['by'].empty()}"))
            return None
        on_text = specs["on"].text(row.cells)
        try:
            on = date.fromisoformat(clean_date(on_text, specs["on"].date_format)) \
                if on_text else None
        except ValueError as exc:
            problems.append(("decision.on", str(exc)))
            return None
        if on is None:
            problems.append(("decision.on", f"when it was decided is needed with a decision, "
                             f"but {specs['on'].empty()}"))
        elif on > self.today or (declared_on is not None and on < declared_on):
            problems.append(("decision.on", f"{on} is " + ("in the future" if on > self.today
                             else f"before the declaration ({declared_on})")))
        else:
            return {"decision": said, "by": by, "on": on}
        return None

    def _declarant(self, row: Row, problems: list[tuple[str, str]]) -> Person | None:
        spec = self.mapping.declarant
        if spec is None:
            return self.actor
        text = spec.text(row.cells)
        people = self.register.people
        if not text:
            problems.append(("declarant", f"no declarant: {spec.empty()}"))
            return None
        if spec.match == "id":
            person = people.get(text) if PERSON_ID_RE.match(text) else None
            found = [person] if person else []
        elif spec.match == "email":
            found = [p for p in people if p.email.lower() == text.lower()]
        else:
            found = self.by_name.get(bare_name(text), [])
        if len(found) != 1:
            who = "no one" if not found else "more than one person"
            problems.append(("declarant", f"{who} in people.yaml has the {spec.match} {text!r}"))
            return None
        if found[0].id != self.actor.id and not self.actor.has_role("hr"):
            problems.append(("declarant", f"only HR imports others' declarations: {self.actor.id} "
                             "does not have the hr role"))
            return None
        return found[0]

    def _value(self, name: str, spec: Spec, row: Row, problems: list[tuple[str, str]]) -> Any:
        field = self.kind.field(name)
        assert field is not None
        text = spec.text(row.cells)
        if not text:
            return None
        try:
            if field.type == "date":
                text = clean_date(text, spec.date_format)
            elif field.type == "money":
                text = clean_money(text)
            return field.parse(text)
        except (ValueError, CocError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            problems.append((f"details.{name}", f"{message} ({spec.describe()})"))
            return None

    def _declared_on(self, row: Row, problems: list[tuple[str, str]]) -> date | None:
        spec = self.mapping.declared_on
        text = spec.text(row.cells) if spec else ""
        if not text:
            return self.today
        try:
            declared = date.fromisoformat(clean_date(text, spec.date_format if spec else ()))
        except ValueError as exc:
            problems.append(("declared_on", str(exc)))
            return None
        if not EARLIEST <= declared <= self.today:
            problems.append(("declared_on", f"{declared} is in the future"))
            return None
        return declared

    def _record(self, row: Row, declarant: Person, details: dict[str, Any], declared_on: date,
                late_reason: str | None, past: dict[str, Any] | None = None
                ) -> Planned | list[tuple[str, str]]:
        from ruamel.yaml.comments import CommentedMap

        from coc.policies.engine import check_record

        signature = self._signature(declarant.id, details)
        if signature in self.seen:
            return [("", f"the same {self.kind.name} of {declarant.id} is already "
                     f"{self.seen[signature]}")]
        record_id = self.register.allocate_id(self.kind.prefix, declared_on.year, self.taken)
        data = build_record(record_id, self.kind.name, declarant, self.actor, details,
                            late_reason, declared_on)
        note = CommentedMap(file=Path(self.source).name[:200])
        note["line" if row.line else "item"] = row.line or row.item
        data.insert(len(data) - 2, "imported_from", note)
        path = self.register.record_path(declarant.department, self.kind.name, record_id)
        findings = check_record(Record(data=dict(data), path=self.register.rel(path)), self.ctx)
        if not late_reason and any(f.rule == "deadline" and f.failing for f in findings):
            data.insert(len(data) - 3, "late_reason", f"imported from {note['file']}; the "
                        "source does not say why it was declared late")
            findings = check_record(Record(data=dict(data), path=self.register.rel(path)),
                                    self.ctx)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            return [(f.field or "", f.message + (f" [{f.section}]" if f.section else ""))
                    for f in errors]
        if past is not None:
            outcome = self._carry(data, path, note, past)
            if isinstance(outcome, list):
                return outcome
            findings += [outcome] if outcome is not None else []
        self.taken.add(record_id)
        self.seen[signature] = "in this file" + (f" (line {row.line})" if row.line else "")
        kept = tuple(f for f in findings if f.severity != "info")
        return Planned(record_id, path, data, row, kept)


    def _carry(self, data: Any, path: Path, note: Any, past: dict[str, Any]
               ) -> Finding | list[tuple[str, str]] | None:
        """Add the source's decision to the record as an imported decision, as the duty asks:
        an approval of a notification is its acknowledgement (noted). Not carried, with a
        warning, when nobody decides the record (the code asks only that it is recorded) or
        it shows an open breach (an approval never resolves one). A bad row when the source
        only "noted" a permission."""
        from ruamel.yaml.comments import CommentedMap

        from coc.policies.engine import duty_of, open_breaches
        from coc.policies.history import Committer, history_findings
        from coc.registers.record import details_digest, now_utc

        record = Record(data=dict(data), path=self.register.rel(path))
        said = past["decision"]
        duty = duty_of(record, self.ctx)
        source = f"the source's {said} (by {past['by']} on {past['on']})"
        if said != "rejected" and open_breaches(record, self.ctx):
            return Finding("imported-decision", f"{source} is not carried: an approval never "
                           "resolves a breach; the record waits to be rejected, amended or "
                           "withdrawn", "warning")
        if duty is not None and duty.action is None:
            return Finding("imported-decision", f"{source} is not carried: {duty.section} asks "
                           "only that this is recorded; nobody decides it", "warning")
        decision = said
        if duty is not None and duty.action == "acknowledge" and said == "approved":
            decision = "noted"
        if duty is not None and duty.action == "approve" and said == "noted":
            return [("decision.verdict", f"under {duty.section} this {self.kind.name} is "
                     "approved or declined, not noted: map the source's word to one of them")]
        imported = CommentedMap(decided_by=past["by"], decided_on=past["on"], **dict(note))
        if decision != said:
            imported["verdict"] = said
        entry = CommentedMap(decision=decision, by=self.actor.id, at=now_utc(),
                             details_version=0, details_digest=details_digest(data),
                             imported=imported)
        data["decisions"] = [entry]
        after = Record(data=dict(data), path=record.path)
        refused = [f for f in history_findings(None, after, self.ctx,
                                               Committer(self.actor.email, self.actor))
                   if f.failing]
        if refused:
            return [(f.field or "decisions", f.message) for f in refused]
        return None


def load_mapping(register: Register, kind_name: str, mapping_file: Path) -> ImportMapping:
    """The mapping file, checked against the kind: only its fields, never ids or paths."""
    from coc.registers.yamlio import read_fast

    kind = policy_for(register).kind(kind_name)
    names = [f.name for f in kind.fields]
    shown = str(mapping_file)
    mapping = parse_mapping(read_fast(mapping_file, shown), shown)
    for name, spec in mapping.fields.items():
        if name in NOT_MAPPABLE:
            raise CocError(f"{name!r} cannot be mapped: {NOT_MAPPABLE[name]}", path=shown,
                           field=f"fields.{name}")
        field = kind.field(name)
        if field is None:
            raise CocError(f"{kind.name} has no field {name!r} (fields: {', '.join(names)})",
                           path=shown, field=f"fields.{name}")
        if spec.date_format and field.type != "date":
            raise CocError("date_format is for date fields", path=shown, field=f"fields.{name}")
    return mapping


def import_file(register: Register, source: Path, kind_name: str, mapping_file: Path | None, *,
                actor: Person, dry_run: bool = False, skip_bad: bool = False,
                today: date | None = None, on_progress: OnProgress | None = None) -> Imported:
    """Check every row; write the good ones in one commit unless a row is bad (or `skip_bad`);
    `on_progress(done, total)` is told as rows are checked."""
    shown = str(source)
    kind = policy_for(register).kind(kind_name)
    given = load_mapping(register, kind_name, mapping_file) if mapping_file else None
    header, rows = read_rows(source, shown, given)
    mapping = given or default_mapping([f.name for f in kind.fields], header)
    missing = [c for c in mapping.columns() if c not in header]
    if missing:
        raise CocError(f"column {missing[0]!r} is not in {shown} (columns: {', '.join(header)})",
                       path=str(mapping_file or shown))
    unmapped = [f.name for f in kind.fields if f.required and f.name not in mapping.fields]
    if unmapped:
        raise CocError(f"no column for required field(s) {', '.join(unmapped)} of a {kind.name}"
                       + ("" if mapping_file else "; name the columns so, or give --mapping FILE"),
                       path=str(mapping_file or shown), field=f"fields.{unmapped[0]}")
    # Checked against the register and written under one lock, so a second import of the same
    # file running at the same time finds the first one's records (issue 9, item 15).
    with nullcontext() if dry_run else register.changing() as change:
        return _plan_and_write(register, kind_name, mapping, actor, shown, rows, change,
                               skip_bad, today or date.today(), on_progress)


def _plan_and_write(register: Register, kind_name: str, mapping: ImportMapping, actor: Person,
                    shown: str, rows: list[Row], change: Change | None, skip_bad: bool,
                    today: date, on_progress: OnProgress | None = None) -> Imported:
    """Plan every row; with `change` (not a dry run), write the good ones as one commit."""
    planner = _Rows(register, kind_name, mapping, actor, shown, today)
    planned, bad, skipped = [], [], 0
    for done, row in enumerate(rows, 1):
        if on_progress is not None:
            on_progress(done, len(rows))
        if not row.problem and mapping.skipped(row.cells):
            skipped += 1
            continue
        result = planner.plan(row)
        if isinstance(result, Planned):
            planned.append(result)
            continue
        (field, first), rest = result[0], result[1:]
        message = "; ".join([first] + [f"{f}: {m}" if f else m for f, m in rest])
        bad.append(Finding("import-row", message, field=field or None,
                           path=planner.where(row), line=row.line))
    if change is None or not planned or (bad and not skip_bad):
        return Imported(planned, bad, skipped)
    lines = [f"{p.id} {p.row.item or f'line {p.row.line}'} ({p.data['declarant']})"
             for p in planned]
    message = (f"import({planner.kind.name}): {len(planned)} record(s) from "
               f"{Path(shown).name[:200]} by {actor.id}\n\n" + "\n".join(lines))
    texts = dump_many([p.data for p in planned])
    commit = change.commit([(p.path, text) for p, text in zip(planned, texts)], message,
                           actor.name, actor.email, new=True)
    return Imported(planned, bad, skipped, commit)


@click.command("import")
@click.argument("source", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--kind", "kind_name", required=True, metavar="KIND",
              help="The kind of every record in FILE (gift, hospitality, interest, ...).")
@click.option("--mapping", "mapping_file", type=click.Path(path_type=Path, dir_okay=False),
              help="YAML: which column feeds which field, value clean-ups, how to find the "
                   "declarant. Without it, columns are named like the fields.")
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some are bad.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@quiet_option
def import_(source: Path, kind_name: str, mapping_file: Path | None, dry_run: bool,
            skip_bad: bool, as_json: bool, quiet: bool) -> None:
    """Import declarations from a CSV or JSON FILE as records, in one commit.

    All or nothing: one bad row (reported as FILE:line: field: message) stops the import,
    unless --skip-bad. HR may import other people's declarations; others only their own.
    """
    from .common import destination

    register = open_register()
    actor = acting_person(register)
    target = destination(register, kind_name)   # sensitive kinds: the restricted register
    if target is not register:
        register, actor = target, target.people.require(actor.id)
    with Progress(f"coc import: checking rows of {source.name}", quiet=quiet) as progress:
        result = import_file(register, source, kind_name, mapping_file, actor=actor,
                             dry_run=dry_run, skip_bad=skip_bad, on_progress=progress.callback)
    failed = not result.planned or (bool(result.bad) and not skip_bad)
    if as_json:
        echo_json({"dry_run": dry_run, "commit": result.commit, "skipped": result.skipped,
                   "imported": [{"id": p.id, "path": register.rel(p.path), "line": p.row.line,
                                 "item": p.row.item, "decision": _carried(p)}
                                for p in result.planned]
                   if result.commit or dry_run else [],
                   "bad": [f.to_json() for f in result.bad]})
    else:
        _report(register, result, source, kind_name, dry_run, skip_bad)
    if failed:
        raise SystemExit(1)


def _carried(planned: Planned) -> str | None:
    """The imported decision the record carries (approved, noted, rejected), if any."""
    decisions = planned.data.get("decisions") or []
    return str(decisions[0]["decision"]) if decisions else None


def _report(register: Register, result: Imported, source: Path, kind: str, dry_run: bool,
            skip_bad: bool) -> None:
    """What the import did, in lines that hold the file's name: escaped (issue 9 item 10)."""
    if result.bad:
        click.echo(render_findings(result.bad, "text"))
    warnings = 0
    for planned in result.planned:   # a breach of something already done is recorded and flagged
        for f in planned.findings:
            if not f.failing:
                warnings += 1
                continue
            where = f"{source}:{planned.row.item}" if planned.row.item else str(source)
            echo_line(f.at(path=where, line=planned.row.line, record_id=planned.id).render())
    good, bad = len(result.planned), len(result.bad)
    notes = [f"{result.skipped} row(s) skipped by the mapping"] if result.skipped else []
    if warnings:
        notes.append(f"{warnings} warning(s) on the records: see `coc show ID`")
    if not good:
        echo_line(f"Nothing to import from {source}: no good rows" +
                  (f" ({', '.join(notes)})" if notes else "") + ".")
        return
    if bad and not skip_bad:
        echo_line(f"Nothing {'would be ' if dry_run else ''}imported: {bad} bad row(s). Fix "
                  f"them, or use --skip-bad to import the {good} good row(s).")
        return
    if bad:
        notes.append(f"{bad} bad row(s) skipped")
    tail = f" ({'; '.join(notes)})" if notes else ""
    if dry_run:
        echo_line(f"Would import {good} {kind} record(s) from {source}{tail}.")
    else:
        echo_line(f"Imported {good} {kind} record(s) from {source} in commit "
                  f"{(result.commit or '')[:10]}{tail}.")
