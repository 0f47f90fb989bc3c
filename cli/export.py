"""`coc register`: publish the register for governance and comms, as CSV, Markdown, HTML or JSON.

Only what a council publishes leaves the register: chosen columns per kind (people's names and
job titles, never emails or internal notes), no withdrawn records, and never a sensitive kind —
criminal-offence or special-category data (UK GDPR arts. 9 and 10) — not even when asked for
by name. Text from records is untrusted: HTML is autoescaped, Markdown escaped, and CSV cells
that a spreadsheet would run as a formula are neutralised (OWASP CSV injection).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from coc.policies.registry import policy_for
from coc.registers.errors import CocError
from coc.registers.record import Record
from coc.registers.store import Register
from coc.registers.text import FORMULA_START, looks_like_formula  # noqa: F401 - tests use it

from .common import Answer, answered, open_register, said_duplicates, to_jsonable
from .progress import OnProgress, Progress, quiet_option

if TYPE_CHECKING:
    from coc.policies.base import Kind

Columns = tuple[tuple[str, str], ...]   # (key, heading)

HEAD: Columns = (("id", "ID"), ("name", "Name"), ("job_title", "Job title"),
                 ("department", "Department"))
TAIL: Columns = (("declared_on", "Declared"), ("status", "Status"))
# The details a council publishes, per kind; a kind not here is not published.
PUBLIC: dict[str, Columns] = {
    "gift": (("received_on", "Date received"), ("donor", "Donor"),
             ("donor_organisation", "Donor organisation"), ("description", "Description"),
             ("value_gbp", "Value (GBP)"), ("outcome", "Outcome")),
    "hospitality": (("date", "Date"), ("host", "Host"), ("event", "Event"),
                    ("purpose", "Purpose"), ("value_gbp", "Value (GBP)"), ("outcome", "Outcome")),
    "outside-work": (("organisation", "Organisation"), ("role", "Role"), ("paid", "Paid"),
                     ("start_date", "Start date"), ("end_date", "End date")),
    "voluntary-work": (("organisation", "Organisation"), ("role", "Role"),
                       ("category", "Category"), ("start_date", "Start date")),
    "interest": (("nature", "Nature"), ("organisation", "Organisation"),
                 ("description", "Description"), ("arose_on", "Arose on")),
    "directorship": (("company_name", "Company"), ("company_number", "Company number"),
                     ("appointed_on", "Appointed on"), ("council_nominated", "Council nominated")),
    "sponsorship": (("event", "Event"), ("sponsor", "Sponsor"), ("involvement", "Involvement")),
}
NOT_PUBLISHED = {
    "political-restriction-appeal": "an appeal reveals political opinions (special-category "
                                    "data, UK GDPR art. 9)",
    "property-use": "they are internal permissions, not a transparency matter",
    "overpayment": "they are payroll matters between one employee and the council",
    "attestation": "they are internal compliance records",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


@dataclass(frozen=True)
class Table:
    kind: str
    title: str
    columns: Columns
    rows: list[dict[str, Any]]


def refusal(register: Register, kind_name: str) -> str | None:
    """Why records of this kind are never published, or None when they are."""
    kind = policy_for(register).kind(kind_name)
    if kind.sensitive:
        return (f"{kind.name} records are never published: criminal-offence or special-category "
                "personal data (UK GDPR arts. 9 and 10)")
    if kind.name not in PUBLIC:
        why = NOT_PUBLISHED.get(kind.name, "no public columns are defined for this kind")
        return f"{kind.name} records are not published: {why}"
    return None


def public_kinds(register: Register, only: str | None) -> list[str]:
    """The kinds to publish: `only` (refused with a reason if it may not be), else all that may."""
    if only:
        why = refusal(register, only)
        if why:
            raise CocError(why, field="--kind")
        return [only]
    return [name for name in policy_for(register).kinds if refusal(register, name) is None]


def public_row(register: Register, record: Record, columns: Columns,
               kind: Kind | None = None) -> dict[str, Any]:
    person = register.people.get(record.declarant)
    row: dict[str, Any] = {
        "id": record.id,
        "name": person.name if person else record.declarant,
        "job_title": person.job_title if person else "",
        "department": person.department if person else "",
        "declared_on": record.declared_on,
        "status": record.status_text,   # "approved, ending on 2027-01-31" until that day
    }
    kind = kind or policy_for(register).kind(record.kind)
    for key, _ in columns:
        value = kind.value(record, key)   # Decimal for money, date for dates
        row[key] = value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value
    return {key: row[key] for key, _ in HEAD + columns + TAIL}


def tables(register: Register, only: str | None = None,
           on_progress: OnProgress | None = None) -> tuple[list[Table], int]:
    """The published tables, newest first, and how many record files could not be read;
    `on_progress(done, total)` is told as record files are read.

    The register is read once for every kind (from the index of parsed records), each file
    by the kind folder it is in."""
    names = public_kinds(register, only)
    folders: dict[str, list[str]] = {name: [] for name in names}
    for path in register.record_file_names():
        parts = register.rel(path).split("/")
        if len(parts) == 5 and parts[2] in folders and parts[4].endswith(".yaml"):
            folders[parts[2]].append(path)
    loaded = iter(register.load_all([path for name in names for path in folders[name]],
                                    on_progress))
    out, broken = [], 0
    policy = policy_for(register)
    for name in names:
        kind = policy.kind(name)
        rows = []
        for _ in folders[name]:
            record = next(loaded).record
            if record is None:
                broken += 1
            elif record.kind == name and record.status != "withdrawn":
                rows.append(public_row(register, record, PUBLIC[name], kind))
        rows.sort(key=lambda r: (str(r["declared_on"]), r["id"]), reverse=True)
        out.append(Table(name, kind.title, HEAD + PUBLIC[name] + TAIL, rows))
    return out, broken


def cell(value: Any) -> str:
    """A value as published text: yes/no, ISO dates, empty for absent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value: Any) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (OWASP CSV injection): one that
    starts with a formula sign, a fullwidth or compatibility form of one, or anything invisible
    or blank (a zero-width space, a bidi mark, a space) that a spreadsheet may look past."""
    text = cell(value)
    return "'" + text if looks_like_formula(text) else text


def md_cell(value: Any) -> str:
    """One Markdown table cell: one line, with table- and markup-breaking characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(cell(value).split()))


@dataclass(frozen=True)
class Page:
    title: str
    policy: str
    published_on: date
    tables: list[Table]


def to_csv(page: Page) -> str:
    if len(page.tables) != 1:
        raise click.UsageError("a CSV file holds one kind: choose it with --kind ("
                               + ", ".join(t.kind for t in page.tables) + ")")
    table = page.tables[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([label for _, label in table.columns])
    writer.writerows([[csv_cell(row[key]) for key, _ in table.columns] for row in table.rows])
    return buffer.getvalue()


def to_markdown(page: Page) -> str:
    lines = [f"# {md_cell(page.title)}", "",
             f"{md_cell(page.policy)}. Published {page.published_on.isoformat()}.", ""]
    for table in page.tables:
        lines += [f"## {md_cell(table.title)}", ""]
        if not table.rows:
            lines += ["None recorded.", ""]
            continue
        lines.append("| " + " | ".join(label for _, label in table.columns) + " |")
        lines.append("|" + "---|" * len(table.columns))
        for row in table.rows:
            lines.append("| " + " | ".join(md_cell(row[key]) for key, _ in table.columns) + " |")
        lines.append("")
    return "\n".join(lines)


def to_html(page: Page) -> str:
    from importlib import resources

    import jinja2

    source = (resources.files("coc.templates") / "exports" / "register.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    rows = [[[cell(row[key]) for key, _ in table.columns] for row in table.rows]
            for table in page.tables]
    return env.from_string(source).render(page=page, rows=rows)


def to_json(page: Page) -> str:
    return json.dumps(to_jsonable({
        "title": page.title, "policy": page.policy, "published_on": page.published_on,
        "tables": [{"kind": t.kind, "title": t.title,
                    "columns": [{"key": k, "heading": h} for k, h in t.columns],
                    "rows": t.rows} for t in page.tables],
    }), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Page], str]] = {
    "csv": to_csv, "md": to_markdown, "html": to_html, "json": to_json}


def publish(register: Register, fmt: str, kind: str | None = None,
            today: date | None = None,
            on_progress: OnProgress | None = None) -> tuple[str, int]:
    """The published register as text in `fmt`, and how many record files could not be read."""
    found, broken = tables(register, kind, on_progress)
    title = "Register of declarations" + (f": {found[0].title}" if kind else "")
    page = Page(title, policy_for(register).title, today or date.today(), found)
    return RENDERERS[fmt](page), broken


@click.command()
@click.option("--kind", metavar="KIND", help="Only this kind (gift, hospitality, interest, ...).")
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="md",
              show_default=True, help="CSV holds one kind, so it needs --kind.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file (atomically) instead of standard output.")
@quiet_option
def register(kind: str | None, fmt: str, output: Path | None, quiet: bool) -> None:
    """Publish the register: names, job titles and the public details of each declaration.

    Sensitive kinds (criminal matters, driving disqualifications, relationships, service-user
    exceptions) and withdrawn records are never published.
    """
    if output is not None and output.name in ("", ".", ".."):   # `--output ''` is Path(".")
        raise CocError("--output needs a file name", field="--output")
    reg = open_register()

    def work(answer: Answer) -> None:
        with Progress("coc register: reading records", quiet=quiet) as progress:
            text, broken = publish(reg, fmt, kind, on_progress=progress.callback)
        answer.write(text, nl=False)
        if broken:
            answer.write(f"coc: {broken} record file(s) could not be read and are not in the "
                         "export; run `coc validate --all`", err=True)

    answer = answered(reg, "register", [kind, fmt], work)
    text = answer.writes[0][0]
    if output is not None:
        from coc.registers.yamlio import write_atomic

        write_atomic(output, text)
    else:
        from coc.registers.text import printable

        click.echo(printable(text), nl=False)   # a terminal acts on escapes (issue 9 item 10)
    Answer(answer.writes[1:]).play()
    if said_duplicates(reg):
        raise SystemExit(1)
