"""Issue 9 items 8, 9, 10, 11 and 16, attack by attack: each test tries to get round a rule and
shows it caught. (tests/test_hostile_corpus.py runs every command over the whole corpus.)"""
from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result

from coc.cli.codeowners import department_approvers, render_codeowners
from coc.policies.base import Field, Parameter
from coc.policies.registry import get_policy
from coc.registers.errors import CocError
from coc.registers.people import People, _refuse_cycles, parse_people
from coc.registers.record import ID_RE
from coc.registers.store import ID_RANDOM_CHARS, check_id, duplicate_ids, new_id
from coc.registers.text import control_character, printable, xml_text
from coc.registers.yamlio import load_fast, load_roundtrip
from conftest import EXAMPLE_EMAILS, git

Coc = Callable[..., Result]
GIFT = """\
id: {id}
kind: gift
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-11-21
details:
  received_on: 2026-11-20
  donor: A. Supplier
  description: Box of chocolates
  value_gbp: "12.50"
  outcome: shared-with-team
decisions: {decisions}
amendments: []
"""


def put(root: Path, text: str, record_id: str, folder: str = "housing/gift/2026") -> Path:
    path = root / "registers" / folder / f"{record_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def gift(record_id: str, decisions: str = "[]") -> str:
    return GIFT.format(id=record_id, decisions=decisions)


def one_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coc: error: "), result.stderr
    return lines[0]


# -- item 9: the two loaders agree ----------------------------------------------------------------

REFUSED_BY_BOTH = {
    "tab after a colon": ("a: 1\nb:\t2\n", 2),
    "tab before a comment": ("a: 1 \t# note\n", 1),
    "impossible time": ("at: 2026-11-22 25:61:00\n", 1),
    "impossible date": ("on: 2026-02-30\n", 1),
    "nanoseconds": ("at: 2026-11-22T10:00:00.123456789Z\n", 1),
    "year 9999": ("on: 9999-12-31\n", 1),
    "year 1": ("on: 0001-01-01\n", 1),
    "5,000 digits": ("n: 1" + "0" * 5000 + "\n", 1),
    "4,400 hex digits": ("n: 0x" + "f" * 4400 + "\n", 1),
    "19 digits": ("n: 1234567890123456789\n", 1),
    "an explicit tag on text that is not one": ("n: !!float abc\n", 1),
    "a %YAML 1.1 directive": ("a: 1\n%YAML 1.1\n---\nb: 017\n", 2),
}


@pytest.mark.parametrize("text,line", REFUSED_BY_BOTH.values(), ids=REFUSED_BY_BOTH.keys())
def test_what_the_fast_loader_refuses_the_editing_loader_never_reaches(
        text: str, line: int, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(text)
    with pytest.raises(CocError) as fast:
        load_fast(text.encode(), "r.yaml")
    assert fast.value.line == line and str(fast.value).startswith(f"r.yaml:{line}: invalid YAML")
    with pytest.raises(CocError):
        load_roundtrip(path, "r.yaml")


@pytest.mark.parametrize("text", ["at: 2026-1-2 3:04:05", "at: 2026-11-22t10:00:00",
                                  "at: 2026-11-22 10:00:00.5 +01:00", "at: 2026-11-22T10:00:00-05",
                                  "at: 2026-11-22T10:00:00.123456Z", "on: 2026-11-22", "n: 123",
                                  "n: 0x1F", "n: -0o17"])
def test_both_loaders_read_the_same_value(text: str, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(text + "\n")
    fast = load_fast(text.encode(), "r.yaml")
    slow = load_roundtrip(path, "r.yaml")
    assert list(fast.values()) == list(slow.values())


def test_approve_refuses_what_validate_refuses_a_tab_after_a_colon(
        make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    put(root, gift("GIF-2026-TABAAA").replace("  donor: A.", "  donor:\tA."), "GIF-2026-TABAAA")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "by hand", "--no-verify")
    validated = coc(root, "validate", "--all")
    assert validated.exit_code == 1
    assert "GIF-2026-TABAAA.yaml:8: error: invalid YAML" in validated.stdout
    error = one_error(coc(root, "approve", "GIF-2026-TABAAA", user="mjones"))
    assert "GIF-2026-TABAAA.yaml:8: invalid YAML" in error
    assert coc(root, "list", "--json").exit_code == 0


# -- item 9: hostile values in coc.yaml and people.yaml -------------------------------------------

@pytest.mark.parametrize("value", ["99999999999", "1000000", "367", "1" + "0" * 5000])
def test_a_working_day_parameter_is_bounded_and_refused_at_once(
        value: str, make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    config = root / "coc.yaml"
    config.write_text(config.read_text().replace(
        "parameters:\n", f"parameters:\n  record_within_working_days: {value}\n"))
    error = one_error(coc(root, "list"))
    assert error.startswith("coc: error: coc.yaml:")
    assert "record_within_working_days" in error or "digits" in error


def test_a_year_of_working_days_is_still_allowed() -> None:
    spec = Parameter("days", 20, "", type="int")
    assert spec.coerce(366) == 366
    with pytest.raises(CocError, match="at most 366"):
        spec.coerce(367)


@pytest.mark.parametrize("value", [".nan", ".inf", "-1", "169", "1" + "0" * 400, "1e999"])
def test_contracted_hours_must_be_hours_in_a_week(
        value: str, make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    people = root / "people.yaml"
    people.write_text(people.read_text().replace("contracted_hours: 37", f"contracted_hours: {value}", 1))
    error = one_error(coc(root, "list"))
    assert error.startswith("coc: error: people.yaml:")
    assert "contracted_hours" in error or "digits" in error


@pytest.mark.parametrize("name", ['"Jane \\e]52;c;aGk=\\a Smith"', '"Jane \\u202eSmith"',
                                  '"Jane\\x9b2J"'])
def test_control_and_bidi_characters_in_peoples_names_are_refused(
        name: str, make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    people = root / "people.yaml"
    people.write_text(people.read_text().replace("name: Jane Smith", f"name: {name}"))
    error = one_error(coc(root, "list"))
    assert ".name: contains the control character" in error and "\x1b" not in error


def test_a_fifo_named_like_a_record_is_reported_not_waited_on(
        make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    put(root, gift("GIF-2026-GOODAA"), "GIF-2026-GOODAA")
    os.mkfifo(root / "registers/housing/gift/2026/GIF-2026-FIFOAA.yaml")
    listed = coc(root, "list", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)] == ["GIF-2026-GOODAA"]
    assert "1 record file(s) could not be read" in listed.stderr
    assert "not a plain file" in one_error(coc(root, "show", "GIF-2026-FIFOAA"))
    validated = coc(root, "validate", "--all")
    assert "GIF-2026-FIFOAA.yaml: error: not a plain file" in validated.stdout


# -- item 8: validate refuses what the rest of coc refuses ----------------------------------------

def _findings(coc: Coc, root: Path) -> dict[str, set[str]]:
    result = coc(root, "validate", "--all", "--format", "json", "--no-cache")
    out: dict[str, set[str]] = {}
    for f in json.loads(result.stdout):
        out.setdefault(f["path"], set()).add(f"{f['field']}:{f['rule']}")
    return out


def test_validate_show_and_the_hook_agree_on_decisions_by_the_wrong_people(
        make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    decided = "\n  - {{decision: approved, by: {by}, at: 2026-11-22T10:00:00Z, details_version: 0}}"
    put(root, gift("GIF-2026-STRANG", decided.format(by="nobody")), "GIF-2026-STRANG")
    put(root, gift("GIF-2026-NOTMGR", decided.format(by="kpatel")), "GIF-2026-NOTMGR")
    put(root, gift("GIF-2026-MGRAAA", decided.format(by="mjones")), "GIF-2026-MGRAAA")
    found = _findings(coc, root)
    stranger = found["registers/housing/gift/2026/GIF-2026-STRANG.yaml"]
    assert "decisions.0.by:unknown-person" in stranger
    assert "decisions.0.by:decision-authority" in \
        found["registers/housing/gift/2026/GIF-2026-NOTMGR.yaml"]
    assert "registers/housing/gift/2026/GIF-2026-MGRAAA.yaml" not in found
    shown = json.loads(coc(root, "show", "GIF-2026-NOTMGR", "--json").stdout)
    assert any(f["rule"] == "decision-authority" for f in shown["findings"])
    # the hook: a commit of the same file is refused
    git(root, "add", "registers/housing/gift/2026/GIF-2026-NOTMGR.yaml")
    hooked = subprocess.run(["git", "-c", f"user.email={EXAMPLE_EMAILS['kpatel']}", "commit",
                             "-qm", "by hand"], cwd=root, capture_output=True, text=True, check=False)
    assert hooked.returncode != 0 and "decision-authority" in hooked.stderr


def test_a_record_in_another_departments_or_years_folder_is_an_error(
        make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    put(root, gift("GIF-2026-LEGALA"), "GIF-2026-LEGALA", "legal/gift/2026")
    put(root, gift("GIF-2026-YEARAA"), "GIF-2026-YEARAA", "housing/gift/2025")
    found = _findings(coc, root)
    assert "declarant:record-path" in found["registers/legal/gift/2026/GIF-2026-LEGALA.yaml"]
    assert "id:record-path" in found["registers/housing/gift/2025/GIF-2026-YEARAA.yaml"]
    shown = json.loads(coc(root, "show", "GIF-2026-LEGALA", "--json").stdout)
    assert [f["rule"] for f in shown["findings"]] == ["record-path"]   # show agrees


@pytest.mark.parametrize("link", ["registers", "registers/legal", "registers/housing/gift/2027"])
def test_a_symlinked_folder_is_reported_by_validate_and_counted_by_list(
        link: str, make_register: Callable[..., Path], coc: Coc, tmp_path: Path) -> None:
    root = make_register()
    put(root, gift("GIF-2026-GOODAA"), "GIF-2026-GOODAA")
    outside = tmp_path / "outside"
    outside.mkdir()
    if link == "registers":
        os.rename(root / "registers", outside / "registers")
        (root / "registers").symlink_to(outside / "registers")
    else:
        (root / link).symlink_to(outside)
    validated = coc(root, "validate", "--all")
    assert validated.exit_code == 1
    assert f"{link}: error: symbolic links are not allowed in a register" in validated.stdout
    assert "could not be read" in coc(root, "list").stderr


@pytest.mark.parametrize("where,text", [
    ("late_reason", 'late_reason: "sorry\\e[2J"\n'),
    ("decisions.0.reason", None),
])
def test_control_characters_in_late_reasons_and_decisions_are_errors(
        where: str, text: str | None, make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    decisions = '\n  - {decision: rejected, by: mjones, at: 2026-11-22T10:00:00Z, ' \
        'details_version: 0, reason: "no\\e]52;c;aGk=\\a"}' if text is None else "[]"
    put(root, gift("GIF-2026-CTRLAA", decisions) + (text or ""), "GIF-2026-CTRLAA")
    found = _findings(coc, root)["registers/housing/gift/2026/GIF-2026-CTRLAA.yaml"]
    assert any(f.startswith(where) for f in found), found


def test_a_criminal_matter_that_follows_itself_is_an_error(
        make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    notice = """\
id: CRM-2026-{me}
kind: criminal-matter
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-11-21
late_reason: test
details:
  event: charge
  event_date: 2026-11-20
  subject: self
  follows: CRM-2026-{other}
"""
    put(root, notice.format(me="SELFAA", other="SELFAA"), "CRM-2026-SELFAA",
        "housing/criminal-matter/2026")
    put(root, notice.format(me="LOOPAA", other="LOOPBB"), "CRM-2026-LOOPAA",
        "housing/criminal-matter/2026")
    put(root, notice.format(me="LOOPBB", other="LOOPAA"), "CRM-2026-LOOPBB",
        "housing/criminal-matter/2026")
    found = _findings(coc, root)
    for me in ("SELFAA", "LOOPAA", "LOOPBB"):
        assert "details.follows:follows" in \
            found[f"registers/housing/criminal-matter/2026/CRM-2026-{me}.yaml"]


@pytest.mark.parametrize("text", ["１２", "12.５0", "٣"])
def test_unicode_digits_are_not_money(text: str) -> None:
    money = Field("value_gbp", "money")
    assert money.check(text) is not None
    with pytest.raises(CocError):
        money.parse(text)


def test_unicode_digits_are_not_an_id() -> None:
    for record_id in ("GIF-２０２６-K3F9Q2", "GIF-2026-K3F9Q٢", "GIF-٢٠٢٦-K3FQ2MX7TAB4"):
        assert not ID_RE.match(record_id)
        with pytest.raises(CocError):
            check_id(record_id)


# -- item 16: ids ---------------------------------------------------------------------------------

def test_new_ids_have_60_random_bits_and_old_ids_stay_valid() -> None:
    made = {new_id("GIF", 2026) for _ in range(2000)}
    assert len(made) == 2000 and all(ID_RE.match(i) and len(i) == 9 + ID_RANDOM_CHARS for i in made)
    assert ID_RANDOM_CHARS * 5 >= 60   # n²/2^61 at n = 1,000,000: about 4e-7
    assert ID_RE.match("GIF-2026-K3FZQ2") and not ID_RE.match("GIF-2026-K3FZQ2M")


def test_the_same_id_in_two_departments_is_found_by_validate_and_refused_by_the_hook(
        make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    declared = coc(root, "declare", "gift", "--received-on", "2026-11-20", "--donor", "A",
                   "--description", "Pen", "--value-gbp", "5", "--outcome", "kept", "--no-input",
                   "--json")
    record_id = json.loads(declared.stdout)["id"]
    first = root / json.loads(declared.stdout)["path"]
    copy = root / "registers/legal/gift/2026" / first.name
    copy.parent.mkdir(parents=True)
    copy.write_text(first.read_text())
    found = _findings(coc, root)
    assert "id:duplicate-id" in found[f"registers/legal/gift/2026/{record_id}.yaml"]
    assert "id:duplicate-id" in found[f"registers/housing/gift/2026/{record_id}.yaml"]
    assert duplicate_ids([f"a/{record_id}.yaml", f"b/{record_id}.yaml", "c/GIF-2026-ZZZZZZ.yaml"]) \
        == {record_id: [f"a/{record_id}.yaml", f"b/{record_id}.yaml"]}
    git(root, "add", "-A")
    hooked = subprocess.run(["git", "-c", f"user.email={EXAMPLE_EMAILS['jsmith']}", "commit",
                             "-qm", "copy"], cwd=root, capture_output=True, text=True, check=False)
    assert hooked.returncode != 0 and "duplicate-id" in hooked.stderr
    git(root, "commit", "-qm", "copy, past the hook", "--no-verify")
    audited = coc(root, "audit")
    assert audited.exit_code == 1 and f"{record_id} is at registers/housing" in audited.stdout


# -- item 10: one escaping function at every printer ----------------------------------------------

HOSTILE_TEXT = "a\x1b]52;c;aGk=\x07b\x9b2J\u202e\u2066c\u200f\r\x00\ud800\ufffe"


def test_printable_spells_out_every_control_and_bidi_character() -> None:
    shown = printable(HOSTILE_TEXT + "\nd\te")
    assert shown.isprintable() is False and "\n" in shown and "\t" in shown
    assert printable(HOSTILE_TEXT + "\n\t", one_line=True).isprintable()
    assert "\\x1b]52" in shown and "\\u202e" in shown
    assert control_character("plain text, café, 日本, עברית") is None
    assert control_character("x\u202ey") is not None


def test_xml_text_always_parses() -> None:
    doc = f'<a b="{xml_text(HOSTILE_TEXT)}">{xml_text(HOSTILE_TEXT + "<&>")}</a>'
    assert ET.fromstring(doc).get("b") == printable(HOSTILE_TEXT)


def test_log_and_audit_escape_a_git_author_name(make_register: Callable[..., Path],
                                                coc: Coc) -> None:
    root = make_register()
    put(root, gift("GIF-2026-OSCAAA"), "GIF-2026-OSCAAA")
    git(root, "add", "-A")
    env = {**os.environ, "GIT_AUTHOR_NAME": "Eve \x1b]52;c;aGk=\x07\u202e",
           "GIT_AUTHOR_EMAIL": "eve@example.gov.uk", "GIT_COMMITTER_NAME": "Eve",
           "GIT_COMMITTER_EMAIL": "eve@example.gov.uk"}
    subprocess.run(["git", "commit", "-qm", "x", "--no-verify"], cwd=root, env=env, check=True)
    for args in (("log", "GIF-2026-OSCAAA"), ("audit",), ("audit", "--format", "json")):
        result = coc(root, *args)
        assert result.exit_code in (0, 1)
        assert "\x1b" not in result.output and "\u202e" not in result.output, args
    junit = coc(root, "audit", "--format", "junit").stdout
    ET.fromstring(junit)


# -- item 11: the organisation's size -------------------------------------------------------------

def _organisation(n: int, depth: int) -> dict[str, Any]:
    people = [{"id": "ceo", "name": "Chief", "email": "ceo@x.gov.uk", "department": "corporate",
               "roles": ["chief-executive"]},
              {"id": "mo", "name": "MO", "email": "mo@x.gov.uk", "department": "legal",
               "manager": "ceo", "roles": ["monitoring-officer"]}]
    for i in range(n):
        manager = "ceo" if i == 0 else f"p{i - 1}" if i < depth else f"p{i % depth}"
        people.append({"id": f"p{i}", "name": f"Person {i}", "email": f"p{i}@x.gov.uk",
                       "department": f"d{i % 20}", "manager": manager,
                       "roles": ["service-manager"] if i % 50 == 0 else []})
    return {"people": people}


class CountingDict(dict):  # type: ignore[type-arg]
    """by_id that counts lookups, so a walk's cost is measured in steps, not seconds."""

    lookups = 0

    def get(self, *args: Any) -> Any:
        CountingDict.lookups += 1
        return super().get(*args)

    def __getitem__(self, key: Any) -> Any:
        CountingDict.lookups += 1
        return super().__getitem__(key)


def test_line_management_walks_are_linear_in_the_organisation() -> None:
    n, depth = 20_000, 2_000
    people = parse_people(_organisation(n, depth), "people.yaml", ())
    counted = People(list(people))
    counted.by_id = CountingDict(counted.by_id)
    CountingDict.lookups = 0
    _refuse_cycles(counted, "people.yaml")
    assert CountingDict.lookups < 3 * n
    CountingDict.lookups = 0
    for department in {p.department for p in counted}:
        department_approvers(counted, department)
    assert CountingDict.lookups < 20 * 3 * n   # each department walks each person once at most
    assert "/registers/d7/" in render_codeowners(people, get_policy("luton"))


def test_people_yaml_holds_20000_people(make_register: Callable[..., Path], coc: Coc) -> None:
    root = make_register()
    organisation = _organisation(20_000, 2_000)
    organisation["people"].append({"id": "jsmith", "name": "Jane Smith", "department": "housing",
                                   "email": EXAMPLE_EMAILS["jsmith"], "manager": "p1999"})
    (root / "people.yaml").write_text(json.dumps(organisation))   # JSON is YAML
    assert (root / "people.yaml").stat().st_size > 256 * 1024
    assert coc(root, "list").exit_code == 0
    shown = coc(root, "codeowners", "--output", "-")
    assert shown.exit_code == 0 and "/registers/d19/" in shown.stdout
