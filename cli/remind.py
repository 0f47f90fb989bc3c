"""`coc remind [--send | --out DIR] [--since-last]`: one e-mail digest per person who must act.

Items from coc.policies.inbox (what `coc inbox` shows), digests and escalation from
coc.policies.reminders, SMTP and the record of who was reminded from coc.registers.mail.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from coc.policies.registry import context_for, policy_for
from coc.registers.config import CREDENTIALS_ENV, Reminders
from coc.registers.errors import CocError
from coc.registers.yamlio import located

from .common import echo_json, echo_line, open_register, user_path


@click.command()
@click.option("--send", is_flag=True, help="E-mail the digests through coc.yaml's reminders: SMTP.")
@click.option("--out", "out", metavar="DIR", type=click.Path(path_type=Path, file_okay=False),
              help="Write each digest to DIR/<person>.eml instead (a dry run: nothing is sent).")
@click.option("--since-last", is_flag=True,
              help="Skip people reminded within reminders.interval_working_days (what CI runs).")
@click.option("--json", "as_json", is_flag=True, help="Print who is reminded, as JSON.")
def remind(send: bool, out: Path | None, since_last: bool, as_json: bool) -> None:
    """Remind each person who must act: one digest of what waits for them (as `coc inbox`),
    each item with its deadline, why, and the exact command.

    A decision waiting longer than reminders.escalate_to_manager_after_working_days is copied
    to the approver's line manager, and longer than
    reminders.escalate_to_monitoring_officer_after_working_days to the Monitoring Officer:
    the organisation's practice, set in coc.yaml, not the code's. The SMTP user and password
    come only from the environment (COC_SMTP_USER, COC_SMTP_PASSWORD). Without --send or
    --out, prints who would be reminded.
    """
    from coc.policies.reminders import digests
    from coc.registers.mail import Mail, Sender, message, read_state, state_path, write_eml, \
        write_state

    if send and out is not None:
        raise click.UsageError("--send or --out DIR, not both")
    register = open_register()
    settings = register.config.reminders
    if send:
        settings = _ready_to_send(register, settings)
    settings = settings or Reminders()
    from .inbox import gather

    today = date.today()
    items = gather(register, today)
    git_dir = register.root / ".git"
    state_file = state_path(git_dir) if git_dir.is_dir() else None
    reminded, rebuilt = read_state(state_file) if state_file else ({}, False)
    if rebuilt:
        click.echo(f"coc: warning: {state_file} could not be read; rebuilt (anyone in it may be "
                   "reminded again once)", err=True)
    ctx = context_for(register)
    policy = policy_for(register)
    sensitive = frozenset(k.name for k in policy.kinds.values() if k.sensitive)
    skipped = []
    chosen = []
    for one in digests(items, register.people, settings, sensitive):
        last = reminded.get(one.person.id)
        if since_last and last is not None and \
                ctx.calendar.working_days_between(last, today) < settings.interval_working_days:
            skipped.append(one.person.id)
            continue
        chosen.append(one)
    sender = settings.sender or "coc-register@localhost"
    mails = [(one, message(Mail((one.person.name, one.person.email),
                                tuple((c.person.name, c.person.email) for c in one.cc),
                                one.subject, one.body), sender, settings.sender_name, today))
             for one in chosen]
    if out is not None:
        folder = user_path(out)
        for one, msg in mails:
            write_eml(folder, one.person.id, msg)
    elif send:
        if state_file is None:
            raise CocError(f"{register.root} is not a git repository: coc remind --send keeps who "
                           "it reminded in .git/coc/")
        assert settings.smtp_host is not None
        connection = Sender(settings.smtp_host, settings.smtp_port, settings.starttls)
        try:
            for one, msg in mails:
                connection.send(msg)
                reminded[one.person.id] = today
        finally:
            connection.close()
            write_state(state_file, reminded)   # what was sent stays recorded, even on a failure
    rows = [{"person": one.person.id, "email": one.person.email, "items": len(one.items),
             "cc": [c.person.id for c in one.cc]} for one, _ in mails]
    if as_json:
        echo_json({"reminded" if send else "digests": rows, "skipped": skipped,
                   "sent": send, "out": str(out) if out is not None else None})
        return
    verb = "Reminded" if send else ("Wrote" if out is not None else "Would remind")
    for row in rows:
        cc = f", copied to {', '.join(row['cc'])}" if row["cc"] else ""
        echo_line(f"{verb} {row['person']} <{row['email']}>: {row['items']} item(s){cc}")
    if skipped:
        echo_line(f"Skipped {len(skipped)} reminded within the last "
                  f"{settings.interval_working_days} working day(s) "
                  "(reminders.interval_working_days).")


def _ready_to_send(register: object, settings: Reminders | None) -> Reminders:
    """--send needs coc.yaml's reminders.smtp_host and sender; credentials only from the
    environment."""
    from coc.registers.store import CONFIG_FILE, Register

    assert isinstance(register, Register)
    for key in ("smtp_host", "sender"):
        if settings is None or getattr(settings, key) is None:
            raise located(CocError(f"--send needs coc.yaml reminders.{key} (and "
                                   f"{' and '.join(CREDENTIALS_ENV)} in the environment, if "
                                   "the server asks for a login)", path=CONFIG_FILE,
                                   field="reminders" if settings is None else f"reminders.{key}"),
                          register.root / CONFIG_FILE)
    assert settings is not None
    return settings
