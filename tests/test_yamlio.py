"""Register YAML: round-trip edits keep the file as people wrote it, writes are atomic, the two
loaders agree, and hostile bytes are refused with file and line (SPEC §3, §7, §8)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from coc.registers import yamlio
from coc.registers.errors import CocError
from coc.registers.store import Register
from coc.registers.yamlio import (MAX_BYTES, dump_roundtrip, line_of, load_fast, load_roundtrip,
                                  read_fast, write_atomic)

HAND_WRITTEN = """\
# Jane's gift, typed by hand: comments, key order and quoting must survive every edit.
id: GIF-2026-K3F7Q2
kind: gift
declarant: jsmith   # that's me
recorded_by: jsmith
declared_on: 2026-11-02
details:
  # the donor wrote a card
  received_on: 2026-11-01
  donor: "Ann Other"
  donor_organisation: 'Acme Lifts Ltd'
  description: >-
    A box of chocolates,
    shared with the team.
  value_gbp: "12.50"
  outcome: shared-with-team
decisions: []
amendments: []
"""


def test_an_edit_keeps_comments_order_and_quoting(make_register):
    root = make_register("luton")
    path = root / "registers/housing/gift/2026/GIF-2026-K3F7Q2.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    register = Register(root)

    found, data = register.load_for_edit("GIF-2026-K3F7Q2")
    decision = CommentedMap([("decision", "approved"), ("by", "mjones"),
                             ("at", datetime(2026, 11, 3, 9, 0))])
    data["decisions"].append(decision)
    register.save(found, data)

    text = path.read_text()
    unchanged, _, added = text.partition("decisions:")
    assert unchanged == HAND_WRITTEN.partition("decisions:")[0]
    assert "decision: approved" in added and "by: mjones" in added
    again = load_fast(path.read_bytes(), "x")
    assert again["decisions"][0]["by"] == "mjones"
    assert again["details"]["value_gbp"] == "12.50"


def test_write_atomic_replaces_whole_files_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "deep" / "folder" / "r.yaml"
    write_atomic(path, "a: 1\n")
    write_atomic(path, "a: 2\n")
    assert path.read_text() == "a: 2\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.yaml"]


def test_write_atomic_makes_an_ordinary_file_not_a_private_one(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.yaml", "a: 1\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.yaml").stat().st_mode) == 0o644


def test_a_write_that_fails_half_way_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\n")

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(yamlio.os, "replace", crash)
    with pytest.raises(OSError):
        write_atomic(path, "a: 2\n")
    assert path.read_text() == "a: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.yaml"]


TRICKY_TEXT = [
    "null", "Null", "~", "true", "True", "yes", "no", "on", "off", "y", "n", "2026-01-01",
    "2026-01-01T10:00:00Z", "0x1F", "0o17", "012", "1_000", "1.5", ".5", "1e3", ".inf", ".nan",
    "+1", "-0", "12:30", "0b101", "<script>alert(1)</script>", "#not a comment", "- dash",
    "key: value", "'quoted'", 'say "hi"', "Café ☕ 北京", "@at", "`tick", "%pct", "!bang", "&amp",
    "*star", "|pipe", ">gt", "?q", "[x]", "{y}", "=HYPERLINK(\"http://x\")", "---", "...",
    "a #b", "trailing ", "1,000", "£5", "NaN", "a\u2028b", "a\tb", "line one\nline two",
]


@pytest.mark.parametrize("text", TRICKY_TEXT)
def test_any_text_written_is_read_back_as_the_same_text(text):
    """What declare writes (ruamel round-trip) is what validate reads (libyaml core schema)."""
    data = CommentedMap([("details", CommentedMap([("donor", text)]))])
    assert load_fast(dump_roundtrip(data).encode(), "r.yaml")["details"]["donor"] == text


AGREE = ["null", "~", "", "true", "True", "FALSE", "yes", "no", "on", "2026-01-01",
         "2026-11-02 10:00:00", "2026-11-02T10:00:00Z", "0x1F", "0o17", "012", "1.5", ".5",
         "1e3", ".inf", "-.inf", "+1", "-0", "12:30", "'5'", '"2026-01-01"', "£5", "24.99"]


@pytest.mark.parametrize("scalar", AGREE)
def test_the_fast_loader_and_the_round_trip_loader_agree(scalar):
    """Bulk reads (libyaml) and edits (ruamel) must see the same value, or an edit changes
    meaning. (They differ on `1_000` and `0b101`, which ruamel reads as numbers.)"""
    text = f"x: {scalar}\n"
    fast = load_fast(text.encode(), "r.yaml")["x"]
    slow = yamlio._rt().load(text)["x"]
    assert fast == slow
    assert type(fast) is type(slow) or isinstance(slow, type(fast))


HOSTILE = {
    "malformed": (b"id: x\nkind: gift\n  bad: [\n", "invalid YAML", 3),
    "not UTF-8": (b"id: x\ndonor: caf\xe9\n", "not UTF-8", 2),
    "NUL byte": (b"id: x\n\ndonor: a\x00b\n", "NUL byte", 3),
    "anchor and alias": (b"a: &x [1, 2]\nb: *x\n", "aliases are not allowed", 1),
    "alias bomb": (b"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c, *c]\n",
                   "aliases are not allowed", 1),
    "duplicate key": (b"id: x\nkind: gift\nkind: hospitality\n", "duplicate key 'kind'", 3),
    "duplicate nested key": (b"details:\n  donor: a\n  donor: b\n", "duplicate key 'donor'", 3),
    "merge key": (b"base: {a: 1}\nother:\n  <<: {a: 2}\n", "merge", 3),
    "python tag": (b"x: !!python/object/apply:os.system [echo hi]\n", "not allowed", 1),
    "custom tag": (b"x: !include /etc/passwd\n", "not allowed", 1),
    "binary tag": (b"x: !!binary aGVsbG8=\n", "not allowed", 1),
    "complex key": (b"? [a, b]\n: c\n", "keys must be plain text", 1),
    "not a date": (b"id: x\ndeclared_on: 2026-02-30\n", "2026-02-30", 2),
    "two documents": (b"a: 1\n---\nb: 2\n", "invalid YAML", 2),
    "tab indentation": (b"details:\n\tdonor: a\n", "invalid YAML", 2),
    "nested 40 deep": (b"x: " + b"[" * 40 + b"]" * 40 + b"\n", "nested", 1),
}


@pytest.mark.parametrize("data, message, line", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_yaml_is_refused_naming_file_and_line(data, message, line):
    with pytest.raises(CocError) as caught:
        load_fast(data, "registers/x.yaml")
    error = caught.value
    assert message in str(error)
    assert (error.path, error.line) == ("registers/x.yaml", line)
    assert str(error).startswith(f"registers/x.yaml:{line}: ")
    assert "\n" not in str(error)


def test_an_over_size_file_is_refused_naming_the_file():
    with pytest.raises(CocError, match=r"^big.yaml: file is \d+ bytes, over the"):
        load_fast(b"x: " + b"a" * MAX_BYTES, "big.yaml")


@pytest.mark.parametrize("shape", ["[" * 100_000, "- " * 100_000 + "x", "{a: " * 60_000,
                                   "? " * 100_000 + "x"],
                         ids=["flow sequences", "block sequences", "flow mappings", "explicit keys"])
def test_pathologically_deep_nesting_is_refused_not_a_crash(tmp_path, shape):
    """A 200 KB file of `[[[[` overflowed libyaml's C stack (a segfault, killing `coc validate
    --all`). Run in a child process so a regression fails this test instead of the whole run."""
    path = tmp_path / "deep.yaml"
    path.write_text(shape)
    code = ("import sys; from pathlib import Path; from coc.registers.yamlio import read_fast\n"
            "from coc.registers.errors import CocError\n"
            "try:\n    read_fast(Path(sys.argv[1]), 'deep.yaml')\n"
            "except CocError as e:\n    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-500:]}"
    assert proc.stdout.startswith("deep.yaml:") and "invalid YAML" in proc.stdout


def test_a_byte_order_mark_is_accepted():
    assert load_fast(b"\xef\xbb\xbfid: x\n", "r.yaml") == {"id": "x"}


def test_core_schema_scalars():
    """YAML 1.2: `no` and `yes` are text, dates are dates, quoted numbers stay text."""
    data = load_fast(b"a: no\nb: yes\nc: 2026-11-02\nd: '24.99'\ne: 24.99\nf: true\ng:\n"
                     b"h: 2026-11-02T09:30:00Z\n", "r.yaml")
    assert data == {"a": "no", "b": "yes", "c": date(2026, 11, 2), "d": "24.99", "e": 24.99,
                    "f": True, "g": None, "h": data["h"]}
    assert isinstance(data["h"], datetime) and data["h"].hour == 9


def test_read_fast_refuses_a_symlink(tmp_path):
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    with pytest.raises(CocError, match="symbolic links are not allowed"):
        read_fast(tmp_path / "link.yaml", "link.yaml")


def test_load_roundtrip_refuses_what_the_fast_loader_refuses(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"a: &x 1\nb: *x\n")
    with pytest.raises(CocError, match="aliases"):
        load_roundtrip(path, "r.yaml")


def test_line_of_finds_nested_fields(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(HAND_WRITTEN)
    assert line_of(path, "details.value_gbp") == 15
    assert line_of(path, "declarant") == 4
    assert line_of(path, "details.no_such_field") == 7   # the nearest enclosing key
    assert line_of(path, None) is None
    assert line_of(Path(tmp_path / "missing.yaml"), "id") is None


@pytest.mark.parametrize("alphabet", ["aZ09 .,:()/&+_-", "abcXYZ0123456789 .-",
                                      "aZ09 .,:()/&+_-'\"#!?@*%$é\t"])
def test_dump_new_writes_what_ruamel_writes_or_leaves_it_to_ruamel(alphabet):
    """`coc import` writes new records with `dump_new`: byte for byte what ruamel.yaml writes
    (random details, YAML 1.1 words, numbers and dates as text), or None when unsure."""
    import random
    from datetime import date as day

    from ruamel.yaml.comments import CommentedMap

    from coc.registers.yamlio import dump_many, dump_new, dump_roundtrip, unambiguous

    rng = random.Random(alphabet)
    pieces = list(alphabet) + ["yes", "no", "true", "null", "1e5", "0x1F", ".inf", "2026-01-01",
                               "12:30", "~", "-", "- ", ": ", " #", "Box", "12.50", " "]
    fast, records = 0, []
    for _ in range(3000):
        record = CommentedMap()
        record.yaml_set_start_comment("yaml-language-server: $schema=../../../../x.json")
        record["id"], record["declared_on"] = "GIF-2026-AAAAAAAAAAAA", day(2026, 1, 2)
        record["details"] = CommentedMap(
            {f"f{k}": unambiguous("".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))))
             for k in range(2)})
        record["details"]["flag"] = rng.choice([True, False, 3, -2])
        record["imported_from"] = CommentedMap(file="rows.csv", line=3)
        record["decisions"], record["amendments"] = [], []
        text = dump_new(record)
        assert text in (None, dump_roundtrip(record))
        fast += text is not None
        records.append(record)
    assert fast > 30   # it is used, not always left to ruamel.yaml
    assert dump_many(records[:50]) == [dump_roundtrip(r) for r in records[:50]]


# load_fast_parts: audit parses each top-level entry of a record's versions once -------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Top-level chunks a record file may hold, tricky ones included: text that spans lines back to
# column 0 (quoted, flow), aliases across entries, duplicate keys, document markers, comments.
CHUNKS = [
    "id: GIF-2026-K3FQ2MX7TAB4\n", "kind: gift\n", "declared_on: 2026-11-02\n",
    "details:\n  donor: Ann\n  value_gbp: '12.50'\n", "details:\n  donor: Bob\n",
    "decisions: []\n", "decisions:\n  - decision: approved\n    by: mjones\n    at: 2026-11-03T09:00:00Z\n",
    "amendments: []\n", "# a comment\n", "\n", "note: |\n  kept\n  as is\n", "note: >-\n  folded\n",
    "quoted: \"two\n", "lines: x\"\n", "flow: {a: 1,\n", "b: 2}\n", "anchor: &a [1]\n",
    "alias: *a\n", "plain: one\n", "two\n", "---\n", "...\n", "kind: hospitality\n",
    "? complex\n", ": value\n", "- item\n", "n: 0x1F\n", "at: 2026-02-30\n", "bad: [\n",
    "empty:\n", "'quoted key': 1\n", "x: 1 # trailing\n", "dup: 1\ndup: 2\n",
]
PARTS: dict = {}   # shared by every example, as by every version in one audit


def _outcome(load, data: bytes) -> str:
    """The value (as repr: `nan` is not equal to itself) or the error message."""
    try:
        return f"ok {load(data)!r}"
    except CocError as exc:
        return f"error {exc}"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(CHUNKS), min_size=1, max_size=9))
def test_parsing_by_top_level_entry_is_parsing_the_whole(chunks):
    data = "".join(chunks).encode()
    assert _outcome(lambda d: yamlio.load_fast_parts(d, "r.yaml", PARTS), data) == \
        _outcome(lambda d: load_fast(d, "r.yaml"), data)


def test_every_hostile_record_parses_by_entry_as_whole():
    corpus = Path(__file__).parent / "hostile" / "records"
    for case in sorted(corpus.iterdir()):
        data = case.read_bytes()
        assert _outcome(lambda d: yamlio.load_fast_parts(d, case.name, PARTS), data) == \
            _outcome(lambda d: load_fast(d, case.name), data), case.name
    for data, _, _ in HOSTILE.values():
        assert _outcome(lambda d: yamlio.load_fast_parts(d, "x", PARTS), data) == \
            _outcome(lambda d: load_fast(d, "x"), data)


def test_reads_as_text_from_the_table_is_ruamels_own_answer():
    """`dump_many` reads ruamel.yaml's implicit resolvers once; each answer must still be what
    ruamel.yaml's `resolve` says, for every scalar YAML 1.1 or 1.2 might read as another type."""
    import random
    import string

    from coc.registers.yamlio import _implicit_resolvers, _reads_as_text

    table = _implicit_resolvers()
    assert table is not None
    rng = random.Random(11)
    values = ["", "true", "True", "TRUE", "yes", "No", "on", "Off", "y", "null", "Null", "~",
              "12", "-1", "+1", "0x1F", "0o17", "017", "1_000", "1.5", ".5", "1e3", "-.inf",
              ".NaN", "2026-01-01", "2026-01-01 10:00:00", "2026-01-01T10:00:00Z", "=SUM(A1)",
              "Donor 1", "<<", "=", "-", "1:20", "190:20:30"]
    values += ["".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(1, 10)))
               for _ in range(5000)]
    assert [v for v in values if _reads_as_text(v, table) != _reads_as_text(v)] == []
    assert not _reads_as_text("true", table) and not _reads_as_text("12", table)
    assert _reads_as_text("Donor 1", table)


# load_simple: coc's own block style read without libyaml, equal to load_fast where it answers

from coc.registers.yamlio import load_simple  # noqa: E402


def _same(a, b) -> bool:
    """Equal, with the same types all the way down (a date is not a datetime, 1 is not True)
    and mapping keys in the same order; nan equal to nan."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    if hasattr(a, "tzinfo"):
        return a == b and repr(a) == repr(b)
    return a == b


def _simple_agrees(text: str) -> bool:
    """load_simple gives nothing, or exactly what load_fast gives (which must not fail)."""
    simple = load_simple(text)
    if simple is None:
        return False
    assert _same(simple, load_fast(text.encode("utf-8"), "r.yaml")), text
    return True


SCALARS = ["Ann", "Acme Lifts Ltd", "yes", "no", "true", "False", "null", "~", "", "12", "-3",
           "012", "0x1F", "0o17", "1_000", "12.50", "1e5", ".inf", "-.inf", ".nan", "2026-01-02",
           "2026-02-30", "2026-01-02T09:00:00Z", "2026-01-02 09:00:00+01:00",
           "2026-1-2T9:00:00", "2026-01-02T25:00:00Z", "12:30", "a: b", "a:b", "a #b", "a#b",
           "x:", "- x", "-x", "-", "? x", "?x", ": x", "[1]", "{a: 1}", "[]", "{}", "&a", "*a",
           "!!str 3", "!x", "|", ">-", ">", "|-", "|+", ">2", "'q'", "'it''s'", "'a'b'", '"q"',
           '"a\\"b"', '"a\\tb"', '"a', "'a", "%x", "@x", "`x", "Siân", "a\u2028b", "a\x85b",
           "a\u202eb", "a\ufeffb", "a\x07b", "a\tb", "a  b", " a", "é", "9" * 19, "-" + "9" * 19,
           "1" * 18, "0b101", "+1", "+.5", ".5", "1.", "Null", "NULL", "nULL", "TRUE", "tRUE",
           "y", "n", "on", "off", "<<", "=1+2", "a,b", "a]b", "x'y", 'x"y', "#x", "[a, b]", "[a,b]",
           "[a, 1]", "[yes, no, null]", "[ a ]", "[a, [b]]", "[a, ]", "[2026-01-02, 0x1F]",
           "[a@b.c, x/y, -1]", "[a, b] c", "[a, 'b']"]
KEYS = ["id", "kind", "details", "value_gbp", "a", "a-b", "a_b", "_x", "true", "null", "no",
        "on", "y", "x1", "B"]


@st.composite
def _simple_documents(draw, depth: int = 0, indent: int = 0) -> str:
    """Block YAML near coc's own style: nested mappings and sequences at various indents,
    scalars from SCALARS plain or quoted, block scalars, comments, blank lines, odd spaces."""
    pad = " " * indent
    lines = []
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4)):
        shape = draw(st.sampled_from(["scalar"] * 4 + ["map", "seq", "block", "comment",
                                                       "blank", "odd"]))
        value = draw(st.sampled_from(SCALARS))
        if shape == "scalar":
            quote = draw(st.sampled_from(["", "", "'", '"']))
            lines.append(f"{pad}{key}: {quote}{value}{quote}".rstrip() if value or quote
                         else f"{pad}{key}:")
        elif shape == "map" and depth < 3:
            lines.append(f"{pad}{key}:")
            lines.append(draw(_simple_documents(depth + 1, indent + draw(
                st.sampled_from([2, 2, 4, 1, 0])))).rstrip("\n"))
        elif shape == "seq" and depth < 3:
            lines.append(f"{pad}{key}:")
            dash = " " * (indent + draw(st.sampled_from([0, 2, 2, 4])))
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    inner = draw(_simple_documents(depth + 1, len(dash) + 2)).rstrip("\n")
                    lines.append(dash + "- " + inner[len(dash) + 2:])
                else:
                    lines.append(f"{dash}- {draw(st.sampled_from(SCALARS))}".rstrip())
        elif shape == "block":
            head = draw(st.sampled_from([">-", ">", "|-", "|", "|+", ">2"]))
            lines.append(f"{pad}{key}: {head}")
            for _ in range(draw(st.integers(0, 3))):
                extra = draw(st.sampled_from(["", "", "", " ", "  "]))
                lines.append(f"{pad}  {extra}{draw(st.sampled_from(SCALARS))}")
        elif shape == "comment":
            lines.append(f"{pad}# {value}")
            lines.append(f"{pad}{key}: {value}".rstrip())
        elif shape == "blank":
            lines.append(draw(st.sampled_from(["", "  ", " " * (indent + 2)])))
            lines.append(f"{pad}{key}: x")
        else:
            lines.append(draw(st.sampled_from([f"{pad}{key}:  x", f"{pad}{key}:x",
                                               f"{pad}{key}: x ", f"{pad}{key}: x\r",
                                               f"{pad}{key}:\t x", f"{pad} {key}: x",
                                               f"---\n{pad}{key}: x", f"{pad}{key}: x\n..."])))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "\n", "", "\n\n", "\n# end\n"]))


SIMPLE_USED = []


@settings(max_examples=1500, deadline=None)
@given(_simple_documents())
def test_load_simple_answers_only_what_load_fast_answers(text):
    SIMPLE_USED.append(_simple_agrees(text))


def test_load_simple_is_used_not_always_left_to_libyaml():
    """The property above cannot pass by answering nothing: most of coc's own files, and a
    fair share of the generated ones, are read by load_simple."""
    test_load_simple_answers_only_what_load_fast_answers()
    assert sum(SIMPLE_USED) > len(SIMPLE_USED) // 20
    examples = Path(__file__).parent.parent / "templates"
    written = [p for p in examples.rglob("*.yaml") if p.stat().st_size < 200_000]
    assert written and sum(_simple_agrees(p.read_text(encoding="utf-8")) for p in written) > 0


def test_load_simple_reads_what_coc_writes(tmp_path):
    record = (
        "# yaml-language-server: $schema=../../../../.coc/schemas/gift.json\n"
        "id: GIF-2026-K3FQ2MX7TAB4\nkind: gift\ndeclarant: jsmith\ndeclared_on: 2026-11-02\n"
        "details:\n  received_on: 2026-11-01\n  donor: Ann O'Neil\n  value_gbp: '12.50'\n"
        "  description: >-\n    A box of chocolates; shared\n    with the team.\n"
        "  donor_is_supplier: false\ndecisions:\n- decision: approved\n  by: mjones\n"
        "  at: 2026-11-03T09:00:00+00:00\n  details_version: 0\namendments: []\n")
    assert _simple_agrees(record)
    assert load_simple(record)["details"]["description"] == \
        "A box of chocolates; shared with the team."
    for block in ("a: |\n  x\n  y\n", "a: >\n  x\n  y\n", "a: |-\n  x\n", "b: 1\na: >-\n  x\n"):
        assert _simple_agrees(block), block


@pytest.mark.parametrize("text", [
    "a: x\u2028y\n", "a: x\x85y\n", "a: 'x\u2029'\n", "\ufeffa: 1\n", "a: 1\r\n", "a:\tb\n",
    "a: b \n", "a:  b\n", "a: b\n  c\n", "a: 'b\n  c'\n", "a: |\n  x\n\n  y\n", "a: >\n  x\n   y\n",
    "a: |\n  x\n\n", "a: 1\na: 2\n", "true: 1\n", "a: &x 1\nb: *x\n", "a: !!int '3'\n",
    "a: " + "9" * 40 + "\n", "a: 2026-02-30\n", "- a\n", "a: [1, [2]]\n", "a:\n- b\n  c\n",
    "a:\n  - b\n - c\n", "---\na: 1\n", "a: 1\n...\n", "%YAML 1.2\n---\na: 1\n", "a: x # c\n",
    "a: 1", "", "# only\n", "a:\n", "a: -\n", "a:\n  -\n",
])
def test_load_simple_leaves_the_rest_to_libyaml(text):
    """Each of these is outside load_simple's subset (or an error): it answers nothing, and
    load_fast gives its own value or error as ever."""
    assert load_simple(text) is None


def test_a_date_read_under_a_frozen_clock_is_not_kept_for_the_real_one():
    """load_simple remembers each line's value; freezegun swaps the `date` class, and a
    FakeDate kept from a frozen test must not come back to unfrozen code (`type(x) is date`)."""
    import datetime

    from freezegun import freeze_time

    from coc.registers.yamlio import timestamp

    for text in (b"on: 2026-02-03\n", b"at: 2026-02-03T10:00:00Z\n", b"days: [2026-02-03, x]\n"):
        for read_before in (True, False):
            if read_before:
                load_fast(text, "r.yaml")
            with freeze_time("2026-01-01"):
                frozen = load_fast(text, "r.yaml").popitem()[1]
                frozen = frozen[0] if isinstance(frozen, list) else frozen
                assert type(frozen) in (datetime.date, datetime.datetime)   # freezegun's
                assert type(timestamp("2026-02-04")) is datetime.date
            real = load_fast(text, "r.yaml").popitem()[1]
            real = real[0] if isinstance(real, list) else real
            assert type(real) in (datetime.date, datetime.datetime), text
            assert type(real) is not type(frozen) and type(timestamp("2026-02-04")) is datetime.date
