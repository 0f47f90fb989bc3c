"""`coc demo DIR`: the main job end to end on the example organisation, for newcomers.

Runs the real `coc` executable as each person in turn and prints every command it runs, so
the output doubles as a walkthrough of the declare → approve → audit loop.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import click

from coc.registers.errors import CocError

EMAILS = {"jsmith": "jane.smith@example.gov.uk", "mjones": "max.jones@example.gov.uk",
          "pbrown": "pat.brown@example.gov.uk", "hreed": "harper.reed@example.gov.uk",
          "agreen": "alex.green@example.gov.uk", "mokafor": "morgan.okafor@example.gov.uk",
          "hhughes": "hana.hughes@example.gov.uk"}


def _coc() -> list[str]:
    """This toolkit's coc, isolated: the steps run inside the register, and neither a file there
    (a `click.py`, a `coc/`) nor a PYTHONPATH may stand in for the toolkit."""
    from coc.hooks.install import isolated_coc

    return isolated_coc()


class Demo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.last = ""

    def run(self, who: str | None, *args: str, check: bool = True) -> str:
        env = {**os.environ}
        if who:
            env["GIT_AUTHOR_EMAIL"] = EMAILS[who]
        shown = " ".join(shlex.quote(a) for a in args)
        click.secho(f"\n{'[' + who + ']' if who else ''} $ coc {shown}", fg="cyan")
        proc = subprocess.run([*_coc(), *args], cwd=self.root if who else None, env=env,
                              capture_output=True, text=True)
        output = (proc.stdout + proc.stderr).rstrip()
        if output:
            click.echo(output)
        if check and proc.returncode != 0:
            raise CocError(f"demo step failed (exit {proc.returncode}): coc {shown}")
        self.last = proc.stdout
        return proc.stdout

    def decide_if_awaited(self, record_id: str, who: str, *extra: str) -> None:
        """Approve or acknowledge only when the policy says someone must act on this record:
        a record-only duty (Luton §14.3 "declared and recorded") waits for nobody."""
        import json

        shown = json.loads(self.run(who, "show", record_id, "--json"))
        if shown.get("awaiting") and shown["awaiting"].get("action") in ("approve", "acknowledge"):
            self.run(who, "approve", record_id, *extra)
        else:
            click.secho(f"({record_id} waits for no decision under this policy.)", fg="green")


def _fresh(directory: Path, force: bool) -> None:
    """Refuse to build over an existing folder unless it is an earlier demo and --force is given."""
    if not directory.exists():
        return
    if directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        return
    if not force:
        raise CocError(f"{directory} already exists; run `coc demo {shlex.quote(str(directory))} "
                       "--force` to replace an earlier demo, or give a new folder")
    if not ((directory / "coc.yaml").is_file() and (directory / ".git").is_dir()):
        raise CocError(f"{directory} is not an earlier coc demo register (no coc.yaml and .git): "
                       "coc demo --force only replaces a demo; give a new folder")
    shutil.rmtree(directory)


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--policy", default="luton", show_default=True, help="luton or milton-keynes.")
@click.option("--force", is_flag=True, help="Replace DIRECTORY if it holds an earlier demo.")
def demo(directory: Path | None, policy: str, force: bool) -> None:
    """Create a demo register in DIRECTORY (default: a new folder under the system's temporary
    folder) and walk declarations through it: declare, approve with conditions, accept, then
    validate, overdue, audit and log.

    Every date is worked out from today, so the demo runs the same on any day."""
    import json
    import tempfile

    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="coc-demo-"))
    directory = directory.resolve()
    _fresh(directory, force)
    today = date.today()
    received = (today - timedelta(days=1)).isoformat()
    starts = (today + timedelta(weeks=4)).isoformat()
    d = Demo(directory)
    d.run(None, "init", str(directory), "--policy", policy)
    gift = json.loads(d.run("jsmith", "declare", "gift", "--received-on", received,
                            "--donor", "Ann Other", "--donor-organisation", "Acme Lifts Ltd",
                            "--donor-is-supplier", "yes", "--description", "Box of chocolates",
                            "--value-gbp", "12.50", "--outcome", "shared-with-team",
                            "--no-input", "--json"))
    d.run("jsmith", "show", gift["id"])
    work = json.loads(d.run("pbrown", "declare", "outside-work", "--organisation",
                            "Bedford College", "--role", "Evening tutor", "--paid", "yes",
                            "--start-date", starts, "--hours-per-week", "6",
                            "--working-pattern", "Tuesday evenings", "--no-input", "--json",
                            # MK §7: a part-time Grade H tells their manager; consultancy is a
                            # permission, from a very senior manager, whatever the grade
                            *(["--consultancy", "yes"] if policy == "milton-keynes" else [])))
    d.run("pbrown", "show", work["id"])
    click.secho("\nThe approver decides; each decision is a commit by the approver.", fg="green")
    d.decide_if_awaited(gift["id"], "mjones")
    approver = json.loads(d.run("pbrown", "show", work["id"], "--json"))["awaiting"]["people"][0]
    d.run(approver["id"], "approve", work["id"], "--conditions",
          "No work for Bedford College during council hours; tell me if the hours change.")
    click.secho("\nThe employee signs the conditions (Luton §19.7, MK §7).", fg="green")
    d.run("pbrown", "accept", work["id"])
    d.run("jsmith", "list")
    click.secho("\nWhat CI runs every night, and what an auditor reads:", fg="green")
    d.run("jsmith", "validate", "--all")
    d.run("jsmith", "overdue")
    d.run("jsmith", "audit")
    d.run("jsmith", "log", work["id"])
    click.secho(f"\nDemo register: {directory}  (cd there and try `coc list`, `git log`)",
                fg="green")
