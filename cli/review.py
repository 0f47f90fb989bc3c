"""`coc review`: what a pull request declares or decides, summarised for the person reviewing it.

For the records the branch adds or changes since `--base` (by default where it left the main
branch): who declared what, its status, deadline, who must act and every finding, as Markdown
(a GitHub job summary, `$GITHUB_STEP_SUMMARY`, or a GitLab merge-request note) or as GitHub
workflow annotations, so findings show on the pull request's diff. It informs the reviewer;
`coc validate` is the check that passes or fails the pull request.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from coc.policies.registry import context_for
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.record import Record
from coc.registers.store import RECORDS_DIR, Register

from .common import open_register
from .show import summary


@dataclass(frozen=True)
class Reviewed:
    change: str                    # added | changed | deleted
    path: str
    info: dict[str, Any] | None    # `coc show --json` of the record, None when deleted
    findings: tuple[Finding, ...]  # with line numbers, in the one text form


def _base(register: Register, base: str | None) -> str:
    from coc.registers.git import git, main_branch

    if base is None:
        upstream = git(register.root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD",
                       check=False).strip()
        base = upstream or main_branch(register.root)
        if base is None:
            raise CocError("no main branch to compare with: give --base REV")
        base = git(register.root, "merge-base", base, "HEAD", check=False).strip() or base
    if "\n" in base or base.startswith("-"):
        raise CocError(f"{base!r} is not a revision", field="--base")
    found = git(register.root, "rev-parse", "-q", "--verify", f"{base}^{{commit}}",
                check=False).strip()
    if not found:
        raise CocError(f"--base {base!r} names no commit (fetch it first?)", field="--base")
    return found


def review(register: Register, base: str | None = None) -> list[Reviewed]:
    """The records changed between `base` and HEAD, each described and checked."""
    from coc.policies.validate import check_file, load_context, with_lines
    from coc.registers.git import git

    from .show import describe

    since = _base(register, base)
    out = git(register.root, "diff", "--name-status", "--no-renames", "-z", since, "HEAD",
              "--", RECORDS_DIR + "/")
    parts = out.split("\0")
    ctx = context_for(register, load_context(register))
    reviewed: list[Reviewed] = []
    for status, path in zip(parts[::2], parts[1::2]):
        if not path.endswith((".yaml", ".yml")):
            continue
        if status.startswith("D"):
            gone = Finding("record-deleted", "the pull request deletes this record: records are "
                           "withdrawn or ended, never deleted", path=path)
            reviewed.append(Reviewed("deleted", path, None, (gone,)))
            continue
        data = (register.root / path).read_bytes()
        findings = with_lines(data, check_file(path, data, ctx))
        info = None
        try:
            info = describe(register, register.read(register.root / path))
        except CocError:
            pass   # unreadable: its findings already say why
        reviewed.append(Reviewed("added" if status.startswith("A") else "changed", path, info,
                                 tuple(findings)))
    return reviewed


def _plain(text: Any) -> str:
    """One line with control, bidi and line-break characters spelled out (registers/text.py,
    the one place they are named)."""
    from coc.registers.text import printable

    return printable(text, one_line=True)


def _md(text: Any) -> str:
    """Text from a record made safe inside a Markdown table cell (no HTML, no table breaks)."""
    from html import escape

    plain = " ".join(_plain(text).split())
    return escape(plain, quote=False).replace("|", "\\|").replace("`", "'").replace("*", "\\*") \
        .replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")


def markdown(items: list[Reviewed], register: Register) -> str:
    if not items:
        return "## coc review\n\nThis pull request changes no declaration.\n"
    failing = sum(1 for item in items for f in item.findings if f.failing)
    lines = [f"## coc review: {len(items)} record(s) in this pull request",
             "", f"{failing} finding(s) to fix before merging." if failing
             else "No finding stops this pull request.", "",
             "| record | change | declared by | what | status | deadline | who must act |",
             "|---|---|---|---|---|---|---|"]
    for item in items:
        info = item.info or {}
        record = info.get("record") or {}
        person = register.people.get(str(info.get("declarant", "")))
        awaiting = info.get("awaiting")
        who = f"{awaiting['who']} ({awaiting['action']})" if awaiting else "nobody"
        what = summary(Record(data=record, path=item.path)) if record else ""
        lines.append("| " + " | ".join(_md(cell) for cell in (
            info.get("id", item.path), item.change, person.name if person else
            info.get("declarant", ""), f"{info.get('kind', '')}: {what}".strip(": "),
            info.get("status", ""), info.get("deadline") or "none", who)) + " |")
    for item in items:
        if item.findings:
            lines += ["", f"### {_md((item.info or {}).get('id', item.path))}", ""]
            lines += [f"- **{f.severity}** {_md(f.render())}" for f in item.findings]
    return "\n".join(lines) + "\n"


def _property(text: str) -> str:
    return _plain(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A") \
        .replace(":", "%3A").replace(",", "%2C")


def _message(text: str) -> str:
    return _plain(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_annotations(items: list[Reviewed]) -> str:
    """GitHub workflow commands: `::error file=...,line=...,title=...::message`."""
    level = {"breach": "error", "error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for item in items:
        for f in item.findings:
            where = f"file={_property(item.path)}" + (f",line={f.line}" if f.line else "")
            title = f"{f.rule} [{f.section}]" if f.section else f.rule
            text = f"{f.field}: {f.message}" if f.field else f.message
            lines.append(f"::{level.get(f.severity, 'error')} {where},title={_property(title)}::"
                         f"{_message(text)}")
    return "\n".join(lines)


@click.command("review")
@click.option("--base", metavar="REV", help="Compare with REV (default: where HEAD left the "
              "main branch, origin/HEAD or main).")
@click.option("--format", "fmt", type=click.Choice(["md", "github"]), default="md",
              show_default=True, help="md: a summary for $GITHUB_STEP_SUMMARY or a merge-request "
              "note; github: annotations on the pull request's diff.")
def review_command(base: str | None, fmt: str) -> None:
    """Summarise a pull request's declarations for the reviewer: who declared what, findings,
    deadline and who must decide."""
    register = open_register()
    items = review(register, base)
    text = markdown(items, register) if fmt == "md" else github_annotations(items)
    if text:
        click.echo(text)
