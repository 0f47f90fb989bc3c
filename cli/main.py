"""The `coc` click group: lazy subcommands (fast `--help`) and the one place errors become exit codes.

Exit codes (SPEC §5, STYLE §2): 0 ok; 1 a known failure (`CocError`: bad input, a refused
action, findings that fail); 2 usage; 3 unexpected, with a crash report; 130 Ctrl-C.
"""
from __future__ import annotations

import errno
import importlib
import os
import sys
import tempfile
import traceback
from typing import Any

import click

from coc.cli import __version__

# name -> (module, function, one-line help). Help lives here so `coc --help` imports nothing else.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("coc.cli.init", "init", "Create a register repository for a policy."),
    "declare": ("coc.cli.declare", "declare_group", "Declare a gift, interest, outside work, ..."),
    "check": ("coc.cli.check", "check", "Do I need to declare this, and by when?"),
    "show": ("coc.cli.show", "show", "Show one record: status, deadline, findings."),
    "list": ("coc.cli.show", "list_records", "List records, filtered by kind, status or person."),
    "approve": ("coc.cli.decide", "approve", "Approve (or acknowledge) a declaration."),
    "reject": ("coc.cli.decide", "reject", "Reject a declaration, with a reason."),
    "accept": ("coc.cli.decide", "accept", "Accept the conditions set on your approval."),
    "amend": ("coc.cli.decide", "amend", "Amend a declaration's details (a change of circumstances)."),
    "end": ("coc.cli.decide", "end", "Record that an interest or outside work has ended."),
    "withdraw": ("coc.cli.decide", "withdraw", "Withdraw a declaration, with a reason."),
    "validate": ("coc.cli.validate", "validate", "Check records against the schema and the policy."),
    "overdue": ("coc.cli.overdue", "overdue", "List work past its deadline, and who must act."),
    "inbox": ("coc.cli.inbox", "inbox", "What waits for you: decisions to make, conditions to accept."),
    "remind": ("coc.cli.remind", "remind", "E-mail each person a digest of what waits for them."),
    "audit": ("coc.cli.audit", "audit", "Find anomalies in the register's git history."),
    "log": ("coc.cli.audit", "log", "The life of one record from git history."),
    "register": ("coc.cli.export", "register", "Publish the register as CSV, Markdown, HTML or JSON."),
    "import": ("coc.cli.importer", "import_", "Import declarations from a CSV or JSON file."),
    "people": ("coc.cli.people", "people", "Update people.yaml from HR's roster export."),
    "campaign": ("coc.cli.campaign", "campaign",
                 "The yearly declarations campaign: open it, its progress, non-declarers."),
    "policy": ("coc.cli.policy", "policy", "List the policies, or show one's duties in its words."),
    "schema": ("coc.cli.schema", "schema", "Print the JSON Schema of a record kind."),
    "hooks": ("coc.cli.hooks", "hooks", "Install git hooks that check each commit."),
    "codeowners": ("coc.cli.codeowners", "codeowners", "Write CODEOWNERS from people.yaml."),
    "review": ("coc.cli.review", "review_command",
               "Summarise a pull request's declarations for its reviewer."),
    "recover": ("coc.cli.recover", "recover", "Undo what an interrupted coc command left half-done."),
    "demo": ("coc.cli.demo", "demo", "Create a demo register and walk a declaration through it."),
}


class CocGroup(click.Group):
    """Loads a subcommand's module only when that subcommand runs (click's LazyGroup pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, _, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102 - the error handler
        kwargs["standalone_mode"] = False
        given = kwargs.get("args", args[0] if args else None)
        argv = list(given) if given is not None else sys.argv[1:]
        for index, arg in enumerate(argv):
            if isinstance(arg, str) and not _utf8(arg):   # bytes from argv that were not UTF-8
                flag = argv[index - 1] if index and str(argv[index - 1]).startswith("--") else None
                where = f"{flag}: " if flag else f"argument {index + 1}: "
                click.echo(f"coc: error: {where}not UTF-8 text; type plain text", err=True)
                sys.exit(1)
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if _wants_json(argv):
                _json_error(exc.format_message(), usage=isinstance(exc, click.UsageError))
            else:
                exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("coc: aborted", err=True)
            sys.exit(130)
        except KeyboardInterrupt:
            click.echo("coc: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001 - the one place unexpected errors are caught
            from coc.registers.errors import CocError

            if isinstance(exc, CocError):
                if _wants_json(argv):
                    _json_error(exc.args[0] if exc.args else str(exc), field=exc.field,
                                path=exc.path, line=exc.line,
                                more=[str(e) for e in getattr(exc, "errors", [])[1:]])
                else:
                    from coc.registers.text import printable

                    for line in str(exc).splitlines() or [""]:
                        click.echo(f"coc: error: {printable(line, one_line=True)}", err=True)
                sys.exit(1)
            if isinstance(exc, OSError) and exc.strerror:   # a name too long, a folder busy...
                from coc.registers.text import printable

                where = f"{exc.filename}: " if exc.filename not in (None, "") else ""
                click.echo(f"coc: error: {printable(where + exc.strerror, one_line=True)}",
                           err=True)
                sys.exit(1)
            if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT:   # disk full, read-only
                where = f" {exc.filename}" if exc.filename else ""
                if _wants_json(argv):
                    _json_error(f"cannot write{where}: {exc.strerror}")
                else:
                    click.echo(f"coc: error: cannot write{where}: {exc.strerror}", err=True)
                sys.exit(1)
            _crash_report(exc)
            sys.exit(3)
        sys.exit(result if isinstance(result, int) else 0)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _wants_json(args: list[str]) -> bool:
    """`--json` or `--format json` anywhere on the command line: errors are JSON too."""
    return "--json" in args or "--format=json" in args or any(
        a == "--format" and b == "json" for a, b in zip(args, args[1:]))


def _json_error(message: str, *, usage: bool = False, field: str | None = None,
                path: str | None = None, line: int | None = None,
                more: list[str] | None = None) -> None:
    """One JSON object on stderr, so a script that parses stdout never mistakes it for data."""
    import json

    error: dict[str, object] = {"error": message, "field": field, "path": path, "line": line}
    if usage:
        error["usage"] = True
    if more:
        error["more"] = more   # the other mistakes of the same file, one line each
    from coc.registers.text import json_safe

    click.echo(json_safe(json.dumps(error, ensure_ascii=False)), err=True)


# Failures of the machine, not of coc: a one-line error, exit 1 (issue 9, item 13).
_ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def _crash_report(exc: BaseException) -> None:
    """An unexpected failure: one line for the user, the traceback in a file for the bug report."""
    fd, path = tempfile.mkstemp(prefix="coc-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"coc {__version__}, python {sys.version.split()[0]}\n")
        handle.write(f"argv: {sys.argv!r}\n\n")
        handle.write("".join(traceback.format_exception(exc)))
    from coc.registers.text import printable

    click.echo(f"coc: internal error: {type(exc).__name__}: {printable(exc, one_line=True)}",
               err=True)
    click.echo(f"coc: this is a bug in coc; please report it with the crash log {path}", err=True)


@click.group(cls=CocGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="coc")
@click.option("-C", "--register", "register_dir", metavar="DIR", envvar="COC_REGISTER",
              help="Run as if started in DIR (a register repository).")
@click.pass_context
def cli(ctx: click.Context, register_dir: str | None) -> None:
    """Declarations under an employee Code of Conduct, as YAML records in git.

    Employees declare (`coc declare gift`), approvers decide (`coc approve ID`), auditors read
    the history (`coc audit`, `coc log ID`), and CI checks everything (`coc validate --all`).
    """
    ctx.obj = {"register_dir": register_dir}


def main() -> None:
    cli(prog_name="coc")


if __name__ == "__main__":  # pragma: no cover
    main()
