"""`coc audit` and `coc log ID`: the register's git history as evidence, for auditors and CI."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from coc.registers.store import check_id

from .common import (
    FORMATS,
    echo_json,
    junit,
    open_register,
    render_findings,
    shown_from,
    to_jsonable,
)
from .progress import Progress, quiet_option


@click.command()
@click.option("--since", metavar="REV",
              help="Report only commits made since REV (a tag, a commit, origin/main).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--no-cache", is_flag=True,
              help="Check every commit again, ignoring .git/coc/audit.json (and not writing it).")
@click.option("--anchor", "anchor_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also check the history still holds what an earlier green audit saw (the "
                   "file --write-anchor wrote).")
@click.option("--write-anchor", type=click.Path(path_type=Path, dir_okay=False),
              help="When the audit is clean, write its anchor (the head commit and each "
                   "record's appended facts) to this file, for the next run's --anchor.")
@quiet_option
def audit(since: str | None, fmt: str, no_cache: bool, anchor_file: Path | None,
          write_anchor: Path | None, quiet: bool) -> None:
    """Find anomalies in the register's git history.

    Every change to every record is checked against the coc.yaml and people.yaml in force at
    its commit: decisions by their author and by someone allowed, nothing deleted or
    rewritten, details changed only by amendment, no back-dating, outside work approved before
    it starts, and signed commits when coc.yaml requires them. Prints nothing and exits 0 when
    the history is clean; exits 1 when there is any anomaly.
    """
    from coc.policies.audit import anchor_findings, make_anchor, moved_in, moved_out, read_history
    from coc.policies.audit import audit as run
    from coc.policies.audit import record_ids
    from coc.registers.errors import CocError
    from coc.registers.history import commits_between, resolve_commit

    register = open_register()
    history = read_history(register.root, use_cache=not no_cache)
    report = commits_between(register.root, resolve_commit(register.root, since)) \
        if since else None
    with Progress("coc audit: checking changes", quiet=quiet) as progress:
        found = run(history, report, use_cache=not no_cache, on_progress=progress.callback)
    restricted = register.readers()[1:]   # its history too, whole, for those who have it
    others = [(prefix, read_history(other.root, use_cache=not no_cache))
              for prefix, other in restricted]
    for (prefix, other_history), (_, other) in zip(others, restricted):
        with Progress(f"coc audit: checking {prefix}", quiet=quiet) as progress:
            found += shown_from(prefix, run(other_history, None, use_cache=not no_cache,
                                            on_progress=progress.callback))
        kept = {loaded.record.id for loaded in other.load_all() if loaded.record}
        found += moved_out(history, kept) + shown_from(prefix, moved_in(history, other_history))
    if anchor_file is not None:
        found += anchor_findings(history, _read_anchor(anchor_file))
    if write_anchor is not None and not found:
        from coc.registers.yamlio import write_atomic

        try:
            write_atomic(write_anchor, json.dumps(make_anchor(history), indent=1) + "\n")
        except OSError as exc:
            raise CocError(f"cannot write the anchor: {exc.strerror}", path=str(write_anchor),
                           field="--write-anchor") from None
    if fmt == "junit":
        click.echo(junit(found, "coc audit", passed=record_ids(history) + [
            i for _, other_history in others for i in record_ids(other_history)]))
    elif fmt == "json" or found:
        click.echo(render_findings(found, fmt, suite="coc audit"))
    if found:
        raise SystemExit(1)


def _read_anchor(path: Path) -> Any:
    from coc.registers.errors import CocError

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not JSON"
        raise CocError(f"cannot read the anchor: {why}", path=str(path), field="--anchor") \
            from None


def _event_text(event: dict[str, Any]) -> str:
    name = event["event"]
    if name == "declared":
        text = f"declared {event['kind']} for {event['declarant']}, declared_on " \
               f"{event['declared_on']}"
        return text + (f" (recorded by {event['recorded_by']})" if "recorded_by" in event else "")
    if name == "merged":
        return f"merged from {event['from'][:10]} (the commits above)"
    if name == "moved":
        return f"moved from {event['from']} to {event['to']}"
    if name == "deleted":
        return f"deleted {event['path']}"
    if name == "edited":
        return "edited without an appended entry: " + ", ".join(event["fields"])
    if name == "unreadable":
        return f"unreadable: {event['error']}"
    text = f"{name.replace('-', ' ')} by {event.get('by')}"
    if event.get("as"):
        text += f" as {event['as']}"
    if event.get("on"):
        text += f" on {event['on']}"
    if event.get("at"):
        text += f", at {to_jsonable(event['at'])}"
    if isinstance(event.get("changes"), dict):
        previous = event["previous"] if isinstance(event.get("previous"), dict) else {}
        from coc.registers.display import plain_value

        text += "; " + ", ".join(f"{k}: {plain_value(previous.get(k))} -> {plain_value(v)}"
                                 for k, v in event["changes"].items())
    for key in ("conditions", "reason"):
        if event.get(key):
            text += f"; {key}: {event[key]}"
    return text


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as one JSON object.")
def log(record_id: str, as_json: bool) -> None:
    """The life of one record from git history, moves included.

    Each commit that touched the record, with its date and author and what it did: declared,
    approved (with conditions), conditions accepted, amended, ended, withdrawn, moved, edited,
    deleted; and any anomaly `coc audit` reports for it, marked with `!`.
    """
    from coc.policies.audit import life
    from coc.registers.errors import CocError
    from coc.registers.history import History

    record_id = check_id(record_id.strip().upper())
    main = open_register()
    register = main.holding(record_id)   # the restricted register's, for those who have it
    entries = life(History.read(register.root), record_id)
    if not entries and register is main and len(main.readers()) > 1:
        register = main.readers()[1][1]
        entries = life(History.read(register.root), record_id)
    if not entries:
        raise CocError(f"no record {record_id} in this register's history", field="id")
    where = "" if register is main else main.readers()[1][0]   # the restricted register's
    if as_json:
        echo_json({"id": record_id, "path": where + entries[-1].path, "entries": [
            {"commit": e.commit.sha, "date": e.commit.date, "subject": e.commit.subject,
             "author": {"name": e.commit.name, "email": e.commit.email, "person": e.person},
             "path": e.path, "events": list(e.events),
             "anomalies": [f.to_json() for f in e.anomalies]} for e in entries]})
        return
    from .common import echo_line  # register text, git names: escaped (issue 9 item 10)

    echo_line(f"{record_id}  {where}{entries[-1].path}")
    for e in entries:
        who = f"{e.commit.name} <{e.commit.email}>" + (f" ({e.person})" if e.person else "")
        echo_line(f"{e.commit.date.isoformat(' ', 'minutes')}  {e.commit.short}  {who}")
        for event in e.events:
            echo_line(f"    {_event_text(event)}")
        for finding in e.anomalies:
            echo_line(f"  ! {finding.render().split(': ', 1)[-1]}")
