"""What the command modules share: finding the register, who is acting, JSON and findings output."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import click

from coc.policies.registry import parameters_for, policy_for
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.people import Person
from coc.registers.store import Register
from coc.registers.text import json_safe, printable, xml_text


def _chosen_dir() -> Path | None:
    """The folder given with `coc -C DIR`, if any."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().obj:
        chosen = ctx.find_root().obj.get("register_dir")
        return Path(chosen) if chosen else None
    return None


_WARNED: set[str] = set()


def open_register() -> Register:
    from coc.registers.writing import interrupted

    start = _chosen_dir()
    if start is not None and not (start / "coc.yaml").is_file():
        raise CocError(f"{start} is not a coc register (no coc.yaml)")
    # every command checks the policy name and its parameters (issue 2), the restricted
    # register's too when it is opened: the policy is composed here, not in registers/
    register = Register(start, parameters_for) if start is not None else \
        Register.find(check=parameters_for)
    problem = interrupted(register.root)   # two stats when all is well (issue 9, item 14)
    if problem and problem not in _WARNED:
        _WARNED.add(problem)
        click.echo(f"coc: warning: {problem}", err=True)
    return register


def said_duplicates(register: Register) -> bool:
    """Warn (stderr, one line each) of every record id at two paths, in this register or across
    it and its restricted one, and say whether there was one. A reading command still prints
    both copies, then exits 1 as `coc validate` does: two records claim one id, and `show`,
    `approve` and the rest refuse it, so a list, an export or an inbox that looks clean would
    tell an auditor otherwise (issue 9 item 16: duplicates detected everywhere)."""
    from coc.registers.store import duplicate_ids

    paths = [prefix + one.rel(name) for prefix, one in register.readers()
             for name in one.record_file_names()]
    found = duplicate_ids(paths)
    for record_id, where in sorted(found.items()):
        echo_line(f"coc: record {record_id} exists twice: {', '.join(where)}; ids must be "
                  "unique: run `coc validate --all`", err=True)
    return bool(found)


def destination(register: Register, kind_name: str) -> Register:
    """Where a new record of `kind_name` is written: a sensitive kind into the restricted
    register that coc.yaml names (refused, nothing written, when it is not on this machine),
    everything else into `register` itself."""
    kind = policy_for(register).kinds.get(kind_name)
    if kind is None or not kind.sensitive or register.config.role != "main":
        return register
    other = register.restricted()
    if other is None:
        from coc.registers.yamlio import located

        raise located(CocError(
            f"a {kind_name} is recorded only in the restricted register "
            f"{register.config.restricted_register!r}, which is not on this machine: nothing "
            "was recorded; ask HR or the Monitoring Officer to record it", path="coc.yaml",
            field="restricted_register"), register.root / "coc.yaml")
    return other


def shown_from(prefix: str, findings: Iterable[Finding]) -> list[Finding]:
    """Findings of the restricted register (`prefix` is its path as coc.yaml names it), their
    paths shown from the main register, so that each one names its file unambiguously."""
    if not prefix:
        return list(findings)
    return [f.at(path=prefix + f.path) if f.path else
            f.at(message=f"in {prefix.rstrip('/')}: {f.message}") for f in findings]


def user_path(path: Path) -> Path:
    """A path the user typed: relative to `-C DIR` when given (as `git -C`), else to the cwd."""
    return path if path.is_absolute() else (_chosen_dir() or Path.cwd()) / path


def acting_person(register: Register) -> Person:
    """The person in people.yaml whose email is git's user.email (SPEC §5)."""
    from coc.registers.git import user_email

    return register.people.for_email(user_email(register.root))


def on_behalf(register: Register, actor: Person, for_person: str | None) -> Person:
    """`--for PERSON`: only someone with the hr role records for another person."""
    if not for_person or for_person == actor.id:
        return actor
    if not actor.has_role("hr"):
        raise CocError(f"--for is for HR: {actor.id} does not have the hr role in people.yaml",
                       field="--for")
    return register.people.require(for_person)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def echo(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold register content: control and bidi characters spelled out
    (issue 9 item 10). Line breaks stay; values that must stay on one line are escaped with
    `printable(value, one_line=True)` by the caller first."""
    click.echo(printable(text), err=err, nl=nl)


def echo_line(text: object, *, err: bool = False) -> None:
    """Print one line of output that may hold register content: nothing in it can start
    another line, a tab or an escape sequence."""
    click.echo(printable(text, one_line=True), err=err)


def text_table(rows: list[list[str]], headers: list[str]) -> str:
    """Rows of text cells as tabulate's "simple" table (what `coc list` always printed) without
    its per-cell type inference: cells stripped, columns left-aligned two spaces apart, each
    at least its heading plus two wide, trailing blanks dropped."""
    rows = [[c.strip() for c in row] for row in rows]
    widths = [len(h) + 2 for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def echo_json(value: Any) -> None:
    click.echo(dumps_json(value))


def dumps_json(value: Any) -> str:
    """JSON for a terminal or a pipe: every character a terminal acts on is a \\u escape."""
    return json_safe(_indented(to_jsonable(value), "\n"))


def _indented(value: Any, newline: str) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, exactly, for what `to_jsonable`
    gives, but with each string escaped by json's C encoder: the json module falls back to
    its pure-Python encoder whenever `indent` is set (3x slower on `coc list --json`)."""
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        return "{" + inner + ("," + inner).join(
            _encode_string(k) + ": " + _indented(v, inner) for k, v in value.items()) \
            + newline + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(_indented(v, inner) for v in value) \
            + newline + "]"
    return json.dumps(value)


_encode_string = json.encoder.encode_basestring   # type: ignore[attr-defined]


def render_findings(findings: Iterable[Finding], fmt: str, *, suite: str = "coc") -> str:
    """Findings as text lines, a JSON list, or a JUnit XML report (one test case per file)."""
    findings = list(findings)
    if fmt == "json":
        return dumps_json([f.to_json() for f in findings])
    if fmt == "junit":
        return junit(findings, suite)
    return "\n".join(printable(f.render(), one_line=True) for f in findings)


def junit(findings: list[Finding], suite: str, passed: Iterable[str] = ()) -> str:
    """A JUnit XML report that always parses: every text goes through `xml_text`."""

    def quoteattr(value: object) -> str:
        return '"' + xml_text(printable(value, one_line=True)) + '"'

    def escape(value: str) -> str:
        return xml_text(value)

    by_file: dict[str, list[Finding]] = {}
    for name in passed:
        by_file.setdefault(name, [])
    for f in findings:
        by_file.setdefault(f.path or f.record_id or suite, []).append(f)
    failures = sum(1 for fs in by_file.values() if any(f.failing for f in fs))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuite name={quoteattr(suite)} tests="{len(by_file)}" failures="{failures}">']
    for name, fs in sorted(by_file.items()):
        lines.append(f"  <testcase classname={quoteattr(suite)} name={quoteattr(name)}>")
        failing = [f for f in fs if f.failing]
        if failing:
            body = escape("\n".join(printable(f.render(), one_line=True) for f in failing))
            lines.append(f"    <failure message={quoteattr(failing[0].message)}>{body}</failure>")
        others = [f for f in fs if not f.failing]
        if others:
            text = chr(10).join(printable(f.render(), one_line=True) for f in others)
            lines.append(f"    <system-out>{escape(text)}"
                         "</system-out>")
        lines.append("  </testcase>")
    lines.append("</testsuite>")
    return "\n".join(lines)


FORMATS = ("text", "json", "junit")


class Answer:
    """What a reading command prints (each write to stdout or stderr, in order) and its exit
    code: printed by `play`, and kept by `answered` so an unchanged register is answered again
    without reading a record."""

    def __init__(self, writes: list[tuple[str, bool, bool]] | None = None, code: int = 0) -> None:
        self.writes, self.code = writes or [], code

    def echo(self, text: object = "", *, err: bool = False, nl: bool = True) -> None:
        """As `echo` (register content made printable)."""
        self.write(printable(text), err=err, nl=nl)

    def write(self, text: str, *, err: bool = False, nl: bool = True) -> None:
        """As `click.echo`: text the caller has made printable."""
        self.writes.append((text, err, nl))

    def play(self, *, duplicates_of: Register | None = None) -> None:
        """Print it and exit with its code; with `duplicates_of`, warn of ids at two paths
        first (`said_duplicates`, never kept: it costs a walk) and exit 1 if there are."""
        for text, err, nl in self.writes:
            click.echo(text, err=err, nl=nl)
        if duplicates_of is not None and said_duplicates(duplicates_of):
            raise SystemExit(1)
        if self.code:
            raise SystemExit(self.code)

    def dumps(self) -> bytes:
        return json.dumps([self.code, self.writes], ensure_ascii=False).encode("utf-8")

    @classmethod
    def loads(cls, payload: bytes) -> Answer | None:
        """A kept answer back, or None when it is not one (it was signed, but be strict)."""
        try:
            code, writes = json.loads(payload)
        except (ValueError, TypeError):
            return None
        if type(code) is not int or type(writes) is not list or not all(
                type(w) is list and len(w) == 3 and type(w[0]) is str and type(w[1]) is bool
                and type(w[2]) is bool for w in writes):
            return None
        return cls([(text, err, nl) for text, err, nl in writes], code)


def answered(register: Register, name: str, parts: Iterable[object],
             work: Callable[[Answer], None], *, use: bool = True) -> Answer:
    """`work`'s answer (the caller plays it), or the one kept in the index of parsed records
    for exactly this question: `name` and `parts` (the command's arguments and anything else
    it reads), every record file's path and blob id, coc.yaml and people.yaml of this register
    and of the restricted one, today's date, and this toolkit's code. Anything not known
    unchanged (a modified or untracked file) and anything changed while `work` ran means
    nothing is kept. Errors are not kept: they are raised again each time."""
    from coc.registers.index import open_index

    parts = list(parts)
    key = _answer_key(register, name, parts) if use else None
    question = json.dumps([name, [str(p) for p in parts]])   # one kept answer for each
    index = open_index(register.root) if key is not None else None
    if index is not None and key is not None:
        payload = index.answer(question, key)
        kept = Answer.loads(payload) if payload is not None else None
        if kept is not None:
            index.close()
            return kept
    answer = Answer()
    try:
        work(answer)
        # asked again: a file changed while `work` read it must not be kept under the old state
        if index is not None and key is not None and \
                _answer_key(register, name, parts, fresh=True) == key:
            index.store_answer(question, key, answer.dumps())
    finally:
        if index is not None:
            index.close()
    return answer


def _answer_key(register: Register, name: str, parts: list[object],
                fresh: bool = False) -> str | None:
    import hashlib

    digest = hashlib.sha256(json.dumps([name, [str(p) for p in parts],
                                        date.today().isoformat(), code_digest()]).encode())
    for prefix, one in register.readers():
        state = one.fingerprint(fresh=fresh)
        if state is None:
            return None
        digest.update(f"\0{prefix}\0{state}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


# What else an answer is made with: the libraries that render and print it.
_LIBRARIES = ("click", "jinja2", "markupsafe", "tabulate", "yaml", "ruamel.yaml", "dateutil",
              "holidays")


def code_digest() -> str:
    """The toolkit's version and code (registers.index.toolkit_digest), the command line's
    code and templates, Python's version and each library's installed files, by their
    modification: a new version of any of them never replays an old answer."""
    import hashlib
    import importlib.util
    import os
    import sys

    from coc.registers.index import toolkit_digest

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{toolkit_digest()}\0{sys.version}\0".encode())
    for source in sorted((package / "cli").glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    for folder, _, names in sorted(os.walk(package / "templates")):
        for name in sorted(names):
            if not name.endswith(".pyc"):
                path = os.path.join(folder, name)
                digest.update(path.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    for library in _LIBRARIES:
        try:
            spec = importlib.util.find_spec(library)
            st = os.stat(spec.origin) if spec is not None and spec.origin else None
        except (ImportError, ValueError, OSError):
            st = None
        digest.update(f"{library}\0{st and (st.st_size, st.st_mtime_ns)}\0".encode())
    return digest.hexdigest()
