"""`coc remind` against a real SMTP server (aiosmtpd, started here), asserting on what it
received: recipients, subject, body; nobody reminded twice within the interval; STARTTLS and
a login from the environment; escalation to the manager and then the Monitoring Officer as
working days pass (freezegun); no text able to add a header.
"""
from __future__ import annotations

import email
import email.policy
import json
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from coc.cli.main import cli
from conftest import EXAMPLE_EMAILS, git

aiosmtpd = pytest.importorskip("aiosmtpd.controller")
# the server's event loop keeps the real clock while the register's days are frozen
REAL_CLOCK = ["asyncio", "aiosmtpd", "selectors", "socket", "ssl", "smtplib", "threading"]
DAY0 = "2027-01-04"       # a Monday


@dataclass
class Received:
    sender: str
    rcpt: list[str]
    message: email.message.EmailMessage
    tls: bool = False
    login: str | None = None


@dataclass
class Server:
    port: int
    got: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def to(self, person: str) -> list[Received]:
        return [r for r in self.got if r.message["To"].addresses[0].addr_spec ==
                EXAMPLE_EMAILS[person]]


class Handler:
    def __init__(self, server: Server) -> None:
        self.server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        login = session.login_data.decode() if isinstance(session.login_data, bytes) else \
            session.login_data
        self.server.got.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                        bool(session.ssl), login))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(server: Server, **kwargs: Any) -> Any:
    controller = aiosmtpd.Controller(Handler(server), hostname="127.0.0.1", port=server.port,
                                     **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[Server]:
    server = Server(free_port())
    controller = start(server)
    try:
        yield server
    finally:
        controller.stop()


def reminders_block(port: int, *, starttls: bool = False, extra: str = "") -> str:
    return (f"reminders:\n  smtp_host: localhost\n  smtp_port: {port}\n"
            f"  starttls: {'true' if starttls else 'false'}\n"
            "  sender: coc-register@example.gov.uk\n  interval_working_days: 2\n" + extra)


def configure(root: Path, block: str, *, bad: bool = False) -> None:
    """Add to coc.yaml and commit it as the Monitoring Officer (past the hook when `bad`)."""
    (root / "coc.yaml").write_text((root / "coc.yaml").read_text() + block)
    git(root, "commit", "-qam", "reminders", *(["--no-verify"] if bad else []),
        email=EXAMPLE_EMAILS["mokafor"])


def run(root: Path, *args: str, user: str = "jsmith", env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args],
                              env={"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user),
                                   "COC_SMTP_USER": None, "COC_SMTP_PASSWORD": None,
                                   **(env or {})}, catch_exceptions=False)


def declare(root: Path, kind: str, *flags: str, user: str) -> str:
    result = run(root, "declare", kind, *flags, "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def work(root: Path, user: str, conditions_text: str = "Tuesday evenings") -> str:
    return declare(root, "outside-work", "--organisation", "Evening classes", "--role", "Tutor",
                   "--paid", "yes", "--start-date", "2027-06-01", "--hours-per-week", "3",
                   "--working-pattern", conditions_text, user=user)


@pytest.fixture
def register(make_register, smtp) -> dict[str, Any]:
    """Luton, without the yearly practice (so only declarations wait): jsmith's and kpatel's
    outside work, declared on DAY0; pbrown's approved with conditions to accept."""
    root = make_register("luton")
    text = (root / "coc.yaml").read_text()
    (root / "coc.yaml").write_text(text[:text.index("practice:")] +
                                   "practice:\n  decision_period_working_days: 10\n")
    git(root, "commit", "-qam", "practice", email=EXAMPLE_EMAILS["mokafor"])
    configure(root, reminders_block(smtp.port, extra=(
        "  escalate_to_manager_after_working_days: 3\n"
        "  escalate_to_monitoring_officer_after_working_days: 6\n")))
    with freeze_time(DAY0):
        ids = {"root": root, "jsmith": work(root, "jsmith"), "kpatel": work(root, "kpatel"),
               "pbrown": work(root, "pbrown")}
        approved = run(root, "approve", ids["pbrown"], "--conditions",
                       "Not in working hours\nBcc: evil@example.org", user="mjones")
        assert approved.exit_code == 0, approved.output
    return ids


def test_one_digest_per_person_with_deadline_why_and_command(register, smtp):
    root = register["root"]
    with freeze_time("2027-01-05", ignore=REAL_CLOCK):
        result = run(root, "remind", "--send")
    assert result.exit_code == 0, result.output
    by_person = {r.message["To"].addresses[0].addr_spec: r for r in smtp.got}
    # jsmith's work waits for mjones (line manager) or sshah (service director); kpatel's for
    # ddavies; pbrown must accept conditions
    who = {"mjones", "sshah", "ddavies", "pbrown"}
    assert set(by_person) == {EXAMPLE_EMAILS[p] for p in who}
    assert len(smtp.got) == 4
    mjones = by_person[EXAMPLE_EMAILS["mjones"]]
    assert mjones.rcpt == [EXAMPLE_EMAILS["mjones"]]
    assert mjones.sender == "coc-register@example.gov.uk"
    assert str(mjones.message["From"]) == "Code of Conduct register <coc-register@example.gov.uk>"
    assert mjones.message["Subject"] == "[coc] 1 waiting for you"
    body = mjones.message.get_content()
    assert body.startswith("Dear Max Jones,")
    assert f"{register['jsmith']}: approve, outside-work of Jane Smith" in body
    assert "due 2027-01-18" in body and "[coc.yaml practice.decision_period_working_days]" in body
    assert f"run: coc approve {register['jsmith']}" in body
    assert "why: Outside work declared by Jane Smith on 2027-01-04" in body
    pbrown = by_person[EXAMPLE_EMAILS["pbrown"]].message.get_content()
    assert f"run: coc accept {register['pbrown']}" in pbrown
    assert "Reminded mjones <max.jones@example.gov.uk>: 1 item(s)" in result.output


def test_nobody_is_reminded_twice_within_the_interval(register, smtp):
    root = register["root"]
    with freeze_time("2027-01-05", ignore=REAL_CLOCK):
        assert run(root, "remind", "--send", "--since-last").exit_code == 0
        first = len(smtp.got)
        again = run(root, "remind", "--send", "--since-last")
    assert again.exit_code == 0 and len(smtp.got) == first == 4
    assert "Skipped 4 reminded within the last 2 working day(s)" in again.output
    with freeze_time("2027-01-06", ignore=REAL_CLOCK):   # one working day on
        assert run(root, "remind", "--send", "--since-last").exit_code == 0
    assert len(smtp.got) == 4
    with freeze_time("2027-01-07", ignore=REAL_CLOCK):   # two working days on
        assert run(root, "remind", "--send", "--since-last").exit_code == 0
    assert len(smtp.got) == 8
    assert sorted(r.rcpt[0] for r in smtp.got[4:]) == sorted(r.rcpt[0] for r in smtp.got[:4])


def test_escalation_to_the_manager_then_the_monitoring_officer(register, smtp):
    root = register["root"]
    with freeze_time("2027-01-07", ignore=REAL_CLOCK):   # 3 working days: not past 3 yet
        run(root, "remind", "--send")
    assert all(r.message["Cc"] is None for r in smtp.got)
    smtp.got.clear()
    with freeze_time("2027-01-08", ignore=REAL_CLOCK):   # 4 working days: past the first period
        run(root, "remind", "--send")
    mjones = smtp.to("mjones")[0]
    assert [a.addr_spec for a in mjones.message["Cc"].addresses] == [EXAMPLE_EMAILS["hhughes"]]
    assert sorted(mjones.rcpt) == sorted([EXAMPLE_EMAILS["mjones"], EXAMPLE_EMAILS["hhughes"]])
    body = mjones.message.get_content()
    assert "Hana Hughes (your line manager) is copied" in body
    assert "coc.yaml reminders.escalate_to_manager_after_working_days" in body
    assert "§" not in body.split("Hana Hughes (your line manager)")[1]
    assert smtp.to("pbrown")[0].message["Cc"] is None   # a declarant's own item: no escalation
    smtp.got.clear()
    with freeze_time("2027-01-13", ignore=REAL_CLOCK):   # 7 working days: past the second
        run(root, "remind", "--send")
    cc = [a.addr_spec for a in smtp.to("mjones")[0].message["Cc"].addresses]
    assert cc == [EXAMPLE_EMAILS["hhughes"], EXAMPLE_EMAILS["mokafor"]]
    assert "coc.yaml reminders.escalate_to_monitoring_officer_after_working_days" in \
        smtp.to("mjones")[0].message.get_content()


def test_out_writes_eml_files_and_sends_nothing(register, smtp, tmp_path):
    root = register["root"]
    with freeze_time("2027-01-05", ignore=REAL_CLOCK):
        result = run(root, "remind", "--out", str(tmp_path / "mail"))
    assert result.exit_code == 0, result.output
    assert smtp.got == []
    files = sorted(p.name for p in (tmp_path / "mail").iterdir())
    assert files == ["ddavies.eml", "mjones.eml", "pbrown.eml", "sshah.eml"]
    parsed = email.message_from_bytes((tmp_path / "mail" / "mjones.eml").read_bytes(),
                                      policy=email.policy.default)
    assert parsed["To"].addresses[0].addr_spec == EXAMPLE_EMAILS["mjones"]
    assert not (root / ".git" / "coc" / "reminders.json").exists()   # a dry run records nothing


def test_no_text_can_add_a_header(register, smtp):
    """pbrown's conditions hold a line break and 'Bcc:': it stays in the body."""
    with freeze_time("2027-01-05", ignore=REAL_CLOCK):
        assert run(register["root"], "remind", "--send").exit_code == 0
    got = smtp.to("pbrown")[0]
    assert got.rcpt == [EXAMPLE_EMAILS["pbrown"]] and got.message["Bcc"] is None
    assert "evil@example.org" not in " ".join(r for x in smtp.got for r in x.rcpt)
    assert "Bcc: evil@example.org" in got.message.get_content()   # said, in the body


def test_the_message_builder_refuses_line_breaks_in_headers():
    from coc.registers.errors import CocError
    from coc.registers.mail import Mail, message

    msg = message(Mail(("Eve\r\nBcc: evil@example.org", "eve@example.gov.uk"), (),
                       "3 waiting\r\nBcc: evil@example.org", "body"),
                  "coc@example.gov.uk", "coc\nX-Evil: 1")
    raw = msg.as_bytes()
    assert b"\nBcc:" not in raw and b"\nX-Evil" not in raw
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    with pytest.raises(CocError):
        message(Mail(("Eve", "eve@example.gov.uk\r\nBcc: evil@example.org"), (), "s", "b"),
                "coc@example.gov.uk", "coc")


def test_a_name_with_a_line_break_in_people_yaml_is_refused_at_its_line(register, smtp):
    root = register["root"]
    people = root / "people.yaml"
    people.write_text(people.read_text().replace("name: Max Jones", 'name: "Max\\r\\nBcc: x@y.z"'))
    result = run(root, "remind", "--send")
    assert result.exit_code == 1 and "people.yaml:" in result.output and "name" in result.output
    assert smtp.got == []


def test_a_corrupt_state_file_is_rebuilt(register, smtp):
    root = register["root"]
    state = root / ".git" / "coc" / "reminders.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    for garbage in (b"\x00\xff{not json", b'{"reminded": ["jsmith"]}',
                    b'{"reminded": {"mjones": "yesterday"}}'):
        state.write_bytes(garbage)
        smtp.got.clear()
        with freeze_time("2027-01-05", ignore=REAL_CLOCK):
            result = run(root, "remind", "--send", "--since-last")
        assert result.exit_code == 0, result.output
        assert "rebuilt" in result.stderr and len(smtp.got) == 4
        assert set(json.loads(state.read_text())["reminded"]) == \
            {"mjones", "sshah", "ddavies", "pbrown"}


def test_credentials_never_in_the_register_and_send_needs_settings(make_register):
    root = make_register("luton")
    result = run(root, "remind", "--send")
    assert result.exit_code == 1 and "coc.yaml" in result.output and "reminders" in result.output
    configure(root, "reminders:\n  smtp_host: localhost\n  password: hunter2\n", bad=True)
    result = run(root, "remind")
    assert result.exit_code == 1
    assert result.output.startswith("coc: error: coc.yaml:")
    assert "reminders.password" in result.output and "COC_SMTP_PASSWORD" in result.output


@pytest.mark.parametrize("line, field_", [
    ("  smtp_port: 99999\n", "reminders.smtp_port"),
    ("  sender: \"a@b.c\\r\\nBcc: x@y.z\"\n", "reminders.sender"),
    ("  starttls: maybe\n", "reminders.starttls"),
    ("  escalate_to_manager_after_working_days: 5\n"
     "  escalate_to_monitoring_officer_after_working_days: 2\n",
     "reminders.escalate_to_monitoring_officer_after_working_days"),
    ("  every: 3\n", "reminders.every")])
def test_bad_reminder_settings_name_file_line_and_field(make_register, line, field_):
    root = make_register("luton")
    configure(root, "reminders:\n  smtp_host: localhost\n" + line, bad=True)
    result = run(root, "remind")
    assert result.exit_code == 1, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("coc: error: coc.yaml:") and field_ in first
    number = int(first.split("coc.yaml:")[1].split(":")[0])
    assert (root / "coc.yaml").read_text().splitlines()[number - 1].strip().startswith(
        field_.split(".")[-1])


def test_an_unreachable_server_is_a_one_line_error(register):
    import re

    root = register["root"]
    text = (root / "coc.yaml").read_text()
    (root / "coc.yaml").write_text(re.sub(r"smtp_port: \d+", f"smtp_port: {free_port()}", text))
    result = run(root, "remind", "--send")
    assert result.exit_code == 1 and "cannot send through localhost:" in result.output
    assert len(result.output.splitlines()) == 1 and "Traceback" not in result.output
    assert not (root / ".git" / "coc" / "reminders.json").exists() or \
        json.loads((root / ".git" / "coc" / "reminders.json").read_text())["reminded"] == {}


# STARTTLS and a login, with a certificate made here ---------------------------------------------

@pytest.fixture
def tls_smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))   # coc trusts it as it would a real CA's
    server = Server(free_port())

    def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        server.logins.append((auth.login.decode(), auth.password.decode()))
        return AuthResult(success=(auth.login, auth.password) == (b"coc-bot", b"s3cret"),
                          handled=False)   # False: the server answers 535 itself

    controller = start(server, tls_context=context, require_starttls=True,
                       authenticator=authenticate, auth_required=True)
    try:
        yield server
    finally:
        controller.stop()


def test_starttls_and_a_login_from_the_environment(make_register, tls_smtp):
    root = make_register("luton")
    configure(root, reminders_block(tls_smtp.port, starttls=True))
    work(root, "jsmith")
    refused = run(root, "remind", "--send")     # no credentials: the server refuses the mail
    assert refused.exit_code == 1 and "cannot send" in refused.output
    assert tls_smtp.got == []
    result = run(root, "remind", "--send",
                 env={"COC_SMTP_USER": "coc-bot", "COC_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 0, result.output
    assert tls_smtp.logins[-1] == ("coc-bot", "s3cret")
    assert {r.rcpt[0] for r in tls_smtp.got} == {EXAMPLE_EMAILS["mjones"], EXAMPLE_EMAILS["sshah"]}
    assert all(r.tls for r in tls_smtp.got)
    assert "s3cret" not in (root / "coc.yaml").read_text()


def test_without_starttls_a_server_that_requires_it_refuses(make_register, tls_smtp):
    root = make_register("luton")
    configure(root, reminders_block(tls_smtp.port, starttls=False))
    work(root, "jsmith")
    result = run(root, "remind", "--send",
                 env={"COC_SMTP_USER": "coc-bot", "COC_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 1 and tls_smtp.got == []


def test_a_sensitive_record_is_named_by_its_id_only(make_register, smtp):
    from datetime import date

    root = make_register("luton")
    configure(root, reminders_block(smtp.port))
    notice = declare(root, "criminal-matter", "--event", "caution", "--event-date",
                     date.today().isoformat(), "--subject", "self", "--summary",
                     "Caution for a public order offence", user="kpatel")
    assert run(root, "remind", "--send").exit_code == 0
    (got,) = smtp.to("ddavies")
    body = got.message.get_content()
    assert f"{notice}: acknowledge (a sensitive declaration: see `coc show {notice}`)" in body
    assert "Kiran" not in body and "public order" not in body and "criminal" not in \
        got.message["Subject"]
