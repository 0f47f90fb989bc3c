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
