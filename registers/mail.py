"""E-mail for `coc remind`: messages built so no text can add a header, sent through SMTP
(smtplib) or written as `.eml` files, and the record of who was reminded when.

Knows nothing of policies: it is handed addresses, a subject and a body.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Iterable

from .config import CREDENTIALS_ENV
from .errors import CocError

# CR, LF and every other control character: none may reach a header, where a line break
# would start a header of its own ("Bcc: everyone@...")
_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
STATE_FILE = "reminders.json"


def header_text(value: str) -> str:
    """One line for a header: control characters (CR and LF above all) become spaces."""
    return " ".join(_UNSAFE_HEADER.sub(" ", value).split())


def address(name: str, email: str) -> Address:
    """A mailbox; an address that is not one plain `local@domain` is refused, not repaired."""
    email = email.strip()
    if _UNSAFE_HEADER.search(email) or email.count("@") != 1 or any(c.isspace() for c in email):
        raise CocError(f"{email!r} is not an email address that can be written to", field="email")
    local, domain = email.split("@")
    return Address(display_name=header_text(name), username=local, domain=domain)


@dataclass(frozen=True)
class Mail:
    to: tuple[str, str]                  # (name, email)
    cc: tuple[tuple[str, str], ...]
    subject: str
    body: str


def message(mail: Mail, sender: str, sender_name: str, when: date | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = address(sender_name, sender)
    msg["To"] = address(*mail.to)
    if mail.cc:
        msg["Cc"] = [address(*c) for c in mail.cc]
    msg["Subject"] = header_text(mail.subject)
    if when is not None:
        from datetime import datetime, time, timezone

        msg["Date"] = format_datetime(datetime.combine(when, time(6), timezone.utc))
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    msg["Auto-Submitted"] = "auto-generated"   # RFC 3834: no out-of-office replies to it
    msg.set_content(mail.body)
    return msg


def write_eml(folder: Path, name: str, msg: EmailMessage) -> Path:
    """`folder/name.eml` (name is a people.yaml id, already checked): a dry run's copy, so
    written plainly (no temporary file and rename, no fsync: 2,000 of them must not take a
    minute)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    path.write_bytes(msg.as_bytes())
    return path


def credentials() -> tuple[str | None, str | None]:
    """The SMTP user and password, from the environment only (never the register)."""
    return os.environ.get(CREDENTIALS_ENV[0]) or None, os.environ.get(CREDENTIALS_ENV[1]) or None


class Sender:
    """One SMTP connection for a run: STARTTLS when asked, login when credentials are set."""

    def __init__(self, host: str, port: int, starttls: bool, timeout: float = 30.0) -> None:
        import smtplib
        import ssl

        self.where = f"{host}:{port}"
        try:
            self.smtp = smtplib.SMTP(host, port, timeout=timeout)
            if starttls:
                self.smtp.starttls(context=ssl.create_default_context())
            user, password = credentials()
            if user and password:
                self.smtp.login(user, password)
            elif user or password:
                raise CocError(f"set both {' and '.join(CREDENTIALS_ENV)}, or neither")
        except smtplib.SMTPAuthenticationError as exc:
            said = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
                else str(exc.smtp_error)
            raise CocError(f"{self.where} refused the login of {CREDENTIALS_ENV[0]} "
                           f"({exc.smtp_code} {header_text(said)}): check "
                           f"{' and '.join(CREDENTIALS_ENV)}; nothing was sent") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise CocError(f"cannot send through {self.where}: {exc}", path="coc.yaml",
                           field="reminders.smtp_host") from None

    def send(self, msg: EmailMessage) -> None:
        import smtplib

        try:
            self.smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise CocError(f"cannot send to {msg['To']} through {self.where}: {exc}") from None

    def close(self) -> None:
        try:
            self.smtp.quit()
        except Exception:  # noqa: BLE001 - the messages are sent; a rude server does not matter
            pass


# who was reminded when ----------------------------------------------------------------------

def state_path(git_dir: Path) -> Path:
    return git_dir / "coc" / STATE_FILE


def read_state(path: Path) -> tuple[dict[str, date], bool]:
    """person id -> the day they were last reminded, and whether the file had to be rebuilt
    (unreadable, not JSON, the wrong shape: read as no one reminded, never a crash)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, False
    except (OSError, ValueError):
        return {}, True
    reminded = data.get("reminded") if isinstance(data, dict) else None
    if not isinstance(reminded, dict):
        return {}, True
    out, broken = {}, False
    for person, day in reminded.items():
        try:
            out[str(person)] = date.fromisoformat(day)
        except (TypeError, ValueError):
            broken = True
    return out, broken


def write_state(path: Path, reminded: dict[str, date]) -> None:
    """Atomically: a run killed while writing leaves the old file or the new, never half."""
    from .yamlio import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"version": 1, "reminded": {
        person: day.isoformat() for person, day in sorted(reminded.items())}}, indent=1))


def sent_to(msg: EmailMessage) -> Iterable[str]:
    for key in ("To", "Cc"):
        for one in msg.get_all(key, []):
            yield str(one)
