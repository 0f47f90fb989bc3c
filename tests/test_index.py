"""The index of parsed records (`.git/coc/index.sqlite`, issue 11): asked first by every
reading command, never trusted blindly.

Each test that shows the index is *not* believed is paired with one that shows it *is* asked
(a row signed with the user's key is served), so none of them can pass with no index at all.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coc.registers.index import Index, open_index, pack
from conftest import GIFT_FLAGS, git


@pytest.fixture
def register(make_register, coc):
    root = make_register("luton")
    for _ in range(3):
        assert coc(root, "declare", "gift", *GIFT_FLAGS).exit_code == 0
    return root


def listed(coc, root: Path) -> dict[str, dict]:
    result = coc(root, "list", "--json")
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.stdout)}


def index_of(root: Path) -> Index:
    index = open_index(root)
    assert index is not None
    return index


def blob_of(root: Path, rel: str) -> str:
    return git(root, "rev-parse", f":{rel}").strip()


def forget_answers(root: Path) -> None:
    """Drop the kept answers, so that the next command reads the rows below them (the tests
    of the parsed and findings rows would otherwise be answered without reading a row)."""
    db = sqlite3.connect(root / ".git" / "coc" / "index.sqlite")
    db.execute("DELETE FROM answers")
    db.commit()
    db.close()


def forge(root: Path, rel: str, status: str, description: str) -> None:
    """A row for `rel`'s blob, signed with the user's key (so the index believes it)."""
    forget_answers(root)
    from coc.registers.yamlio import read_fast

    data = read_fast(root / rel, rel)
    data["details"]["description"] = description
    index = index_of(root)
    index.store_parsed([(blob_of(root, rel), pack(data, status))])
    index.close()


def a_record(coc, root: Path) -> tuple[str, str]:
    record_id, row = next(iter(listed(coc, root).items()))
    return record_id, row["path"]


def test_the_index_is_asked_first(register, coc):
    """A signed row is what `coc list` shows: the index really is read (the tests below that
    it is not believed when edited would pass vacuously otherwise)."""
    record_id, rel = a_record(coc, register)
    assert (register / ".git" / "coc" / "index.sqlite").is_file()
    forge(register, rel, "rejected", "from the index")
    row = listed(coc, register)[record_id]
    assert (row["status"], row["summary"]) == ("rejected", "from the index")


def test_an_edited_row_is_not_believed(register, coc):
    """A row changed by hand (status and details), or its MAC copied from another row, is
    parsed again from the file."""
    before = listed(coc, register)
    record_id, rel = next((k, v["path"]) for k, v in before.items())
    other = next(v["path"] for k, v in before.items() if k != record_id)
    from coc.registers.yamlio import read_fast

    data = read_fast(register / rel, rel)
    data["details"]["description"] = "hidden"
    db = sqlite3.connect(register / ".git" / "coc" / "index.sqlite")
    db.execute("UPDATE parsed SET payload = ? WHERE blob = ?",
               (pack(data, "rejected")[0], blob_of(register, rel)))
    mac = db.execute("SELECT mac FROM parsed WHERE blob = ?", (blob_of(register, other),)
                     ).fetchone()[0]
    db.execute("UPDATE parsed SET mac = ? WHERE blob = ?", (mac, blob_of(register, rel)))
    db.execute("DELETE FROM answers")
    db.commit()
    db.close()
    assert listed(coc, register) == before


def test_a_row_that_would_run_code_is_refused_even_when_signed(register, coc, tmp_path):
    """Only the value types a record holds are decoded: a pickle naming any other callable is
    refused before it is called, signed or not."""
    before = listed(coc, register)
    record_id, rel = next((k, v["path"]) for k, v in before.items())
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    index = index_of(register)
    index.store_parsed([(blob_of(register, rel), pack({"id": Evil()}, "approved"))])
    index.close()
    forget_answers(register)
    assert listed(coc, register) == before
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "emptied", "deleted"])
def test_a_deleted_or_corrupted_index_is_rebuilt(register, coc, damage):
    before = listed(coc, register)
    path = register / ".git" / "coc" / "index.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"not a database at all\n" * 500)
    elif damage == "truncated":   # half-written
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "emptied":
        path.write_bytes(b"")
    else:
        path.unlink()
    assert listed(coc, register) == before
    assert coc(register, "validate", "--all").exit_code == 0
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM parsed").fetchone()[0]
    assert rows == len(before)


def test_a_modified_working_tree_file_is_never_served_stale(register, coc):
    """Edited and not staged, even with the same size and the old mtime put back: git's stat
    cache (ctime, inode) says it changed, so it is parsed."""
    record_id, rel = a_record(coc, register)
    forge(register, rel, "rejected", "from the index")   # what a stale answer would show
    path = register / rel
    stat = path.stat()
    text = path.read_text()
    assert "Box of chocolates" in text
    path.write_text(text.replace("Box of chocolates", "Box of chocolatez"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    row = listed(coc, register)[record_id]
    assert row["summary"] == "Box of chocolatez"
    assert row["status"] != "rejected"


def test_staged_untracked_renamed_and_removed_records(register, coc):
    before = listed(coc, register)
    ids = sorted(before)
    # staged change: the index's blob is the new one
    rel = before[ids[0]]["path"]
    (register / rel).write_text((register / rel).read_text().replace("Box of chocolates",
                                                                       "Staged box"))
    git(register, "add", rel)
    # renamed (to a wrong folder: validate says so, list shows the new path)
    moved = before[ids[1]]["path"].replace("/gift/", "/gifts/")
    (register / moved).parent.mkdir(parents=True)
    git(register, "mv", before[ids[1]]["path"], moved)
    # removed
    git(register, "rm", "-q", before[ids[2]]["path"])
    # untracked
    untracked = Path(before[ids[0]]["path"]).with_name("GIF-2026-AAAAAAAAAAAA.yaml")
    (register / untracked).write_text((register / rel).read_text().replace(
        ids[0], "GIF-2026-AAAAAAAAAAAA").replace("Staged box", "Untracked box"))
    now = listed(coc, register)
    assert now[ids[0]]["summary"] == "Staged box"
    assert now[ids[1]]["path"] == moved
    assert ids[2] not in now
    assert now["GIF-2026-AAAAAAAAAAAA"]["summary"] == "Untracked box"
    result = coc(register, "validate", "--all", "--format", "json")
    paths = {f["path"] for f in json.loads(result.stdout) if f["rule"] == "record-path"}
    assert moved in paths


def a_hand_broken_record(coc, register):
    """A record whose value was hand-edited to `lots` past the hook, and validate's first
    answer on it (exit 1, naming value_gbp): (id, path, that result)."""
    record_id, rel = a_record(coc, register)
    text = (register / rel).read_text()
    (register / rel).write_text(text.replace("value_gbp: '12.50'", "value_gbp: 'lots'")
                                .replace('value_gbp: "12.50"', 'value_gbp: "lots"'))
    git(register, "commit", "-qam", "hand edit", "--no-verify")
    first = coc(register, "validate", "--all")
    assert first.exit_code == 1 and "value_gbp" in first.output
    return record_id, rel, first


def test_an_edited_findings_row_cannot_hide_a_finding(register, coc):
    """A finding removed from the index by hand (its row emptied) is found again; a signed
    row is believed (so the index is asked)."""
    record_id, rel, first = a_hand_broken_record(coc, register)
    db = sqlite3.connect(register / ".git" / "coc" / "index.sqlite")
    assert db.execute("UPDATE findings SET payload = x'' WHERE path = ?", (rel,)).rowcount == 1
    db.execute("DELETE FROM answers")
    db.commit()
    db.close()
    again = coc(register, "validate", "--all")
    assert again.exit_code == 1 and again.output == first.output
    # a row signed with the user's key is believed: the findings really come from the index
    index = index_of(register)
    (key,) = {k for k, in index._run(lambda db: db.execute("SELECT key FROM findings"))}
    index.store_findings(key, [(rel, blob_of(register, rel), b"")])
    index.close()
    forget_answers(register)
    assert coc(register, "validate", "--all").exit_code == 0


@pytest.mark.parametrize("change", ["people", "config", "toolkit"])
def test_people_config_and_toolkit_changes_change_the_answers(register, coc, change,
                                                              monkeypatch):
    """Findings kept under one people.yaml, coc.yaml or toolkit are not those of another."""
    record_id, rel = a_record(coc, register)
    assert coc(register, "validate", "--all").exit_code == 0
    if change == "people":   # the declarant leaves the organisation
        text = (register / "people.yaml").read_text()
        assert "email: jane.smith@example.gov.uk" in text
        lines = text.splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.strip() == "- id: jsmith")
        end = next(i for i in range(start + 1, len(lines))
                   if lines[i].lstrip().startswith("- id:"))
        (register / "people.yaml").write_text("".join(lines[:start] + lines[end:]))
        result = coc(register, "validate", "--all")
        assert result.exit_code == 1 and "jsmith" in result.output
    elif change == "config":   # a lower limit the gifts now exceed
        text = (register / "coc.yaml").read_text()
        (register / "coc.yaml").write_text(text.replace(
            "parameters:\n", "parameters:\n  low_value_limit_gbp: \"5\"\n", 1))
        result = coc(register, "validate", "--all", "--format", "json")
        assert any(f["path"] == rel for f in json.loads(result.stdout) if f["rule"] != "info")
    else:   # a signed row kept by another toolkit is not served by this one
        forge(register, rel, "rejected", "old toolkit")
        assert listed(coc, register)[record_id]["status"] == "rejected"
        monkeypatch.setattr("coc.registers.version.__version__", "99.0")
        assert listed(coc, register)[record_id]["status"] != "rejected"


CONCURRENT = """
import json, sys
from click.testing import CliRunner
from coc.cli.main import cli
out = []
for _ in range(4):
    r = CliRunner().invoke(cli, ["-C", sys.argv[1], sys.argv[2], *sys.argv[3:]])
    out.append([r.exit_code, r.stdout])
print(json.dumps(out))
"""


def test_two_processes_at_once_both_get_right_answers(register, coc):
    """Two coc processes reading and writing one index (each deleting it first), four times
    each: every answer is the one the files give."""
    expected = coc(register, "list", "--json").stdout
    expected_validate = coc(register, "validate", "--all").exit_code
    (register / ".git" / "coc" / "index.sqlite").unlink()
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(register), *args],
                              stdout=subprocess.PIPE, text=True, env=os.environ.copy())
             for args in (["list", "--json"], ["validate", "--all"], ["list", "--json"])]
    outputs = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    for code, out in outputs[0] + outputs[2]:
        assert (code, out) == (0, expected)
    assert all(code == expected_validate for code, _ in outputs[1])


def test_records_served_from_the_index_are_the_records_in_the_files(register, coc):
    """Records of different shapes (extra keys, a withdrawal) and their
    findings, served from the index, equal a fresh parse of every file."""
    from coc.registers.record import Record
    from coc.registers.store import Register
    from coc.registers.yamlio import read_fast

    ids = sorted(listed(coc, register))
    assert coc(register, "withdraw", ids[0], "--reason", "sent back", user="jsmith").exit_code == 0
    rel = listed(coc, register)[ids[2]]["path"]
    (register / rel).write_text((register / rel).read_text() + "late_reason: a reason\n"
                                "unknown_key: [1, 2]\n")
    git(register, "commit", "-qam", "hand edit", "--no-verify")
    first = coc(register, "validate", "--all", "--format", "json").stdout
    listed(coc, register)   # builds the index
    served = Register(register).load_all()
    assert len(served) == 3
    for loaded in served:
        fresh = Record(data=read_fast(register / loaded.path, loaded.path), path=loaded.path)
        assert dict(loaded.record.data) == dict(fresh.data)
        assert loaded.record.status == fresh.status
    assert coc(register, "validate", "--all", "--format", "json").stdout == first


# Kept answers: what a reading command printed, replayed when nothing it depends on changed.

def answer_rows(root: Path) -> dict[str, tuple[str, bytes, bytes]]:
    db = sqlite3.connect(root / ".git" / "coc" / "index.sqlite")
    rows = db.execute("SELECT name, key, payload, mac FROM answers").fetchall()
    db.close()
    return {json.loads(name)[0]: (key, payload, mac) for name, key, payload, mac in rows}


def test_a_kept_answer_is_replayed(register, coc):
    """A signed answer is what is printed: answers really are kept (so the tests that an edited
    one is not believed cannot pass without them)."""
    from coc.cli.common import Answer

    first = coc(register, "list")
    assert first.exit_code == 0 and "Box of chocolates" in first.output
    db = sqlite3.connect(register / ".git" / "coc" / "index.sqlite")
    ((name, key),) = db.execute("SELECT name, key FROM answers").fetchall()
    db.close()
    index = index_of(register)
    index.store_answer(name, key, Answer([("from the index", False, True)], 0).dumps())
    index.close()
    assert coc(register, "list").output == "from the index\n"


@pytest.mark.parametrize("attack", ["payload", "copied-mac", "wrong-types"])
def test_an_edited_answer_cannot_hide_a_finding(register, coc, attack):
    """validate's kept answer rewritten to say all is well, given another row's MAC, or given
    columns of other types: not believed (and no crash); the finding is printed again."""
    record_id, rel, first = a_hand_broken_record(coc, register)
    assert coc(register, "list").exit_code == 0
    rows = answer_rows(register)
    db = sqlite3.connect(register / ".git" / "coc" / "index.sqlite")
    if attack == "payload":
        db.execute("UPDATE answers SET payload = ? WHERE name LIKE '[\"validate\"%'",
                   (b"[0, []]",))
    elif attack == "copied-mac":
        db.execute("UPDATE answers SET payload = ?, mac = ? WHERE name LIKE '[\"validate\"%'",
                   (rows["list"][1], rows["list"][2]))
    else:
        db.execute("UPDATE answers SET payload = 0, mac = 0 WHERE name LIKE '[\"validate\"%'")
    assert db.total_changes == 1
    db.commit()
    db.close()
    again = coc(register, "validate", "--all")
    assert (again.exit_code, again.output) == (1, first.output)


def test_a_changed_people_yaml_changes_the_answer(register, coc):
    """A declarant's name changed in people.yaml (not even committed) is what `list` shows."""
    assert "Jane Smith" in coc(register, "list").output
    assert "list" in answer_rows(register)
    text = (register / "people.yaml").read_text()
    assert "name: Jane Smith" in text
    (register / "people.yaml").write_text(text.replace("name: Jane Smith", "name: Jane Doe"))
    shown = coc(register, "list").output
    assert "Jane Doe" in shown and "Jane Smith" not in shown


def test_overdue_is_answered_again_when_the_date_rolls_over(make_register, coc):
    """An arrest must be notified by the next working day (Luton §17.2): kept answers are by
    day, so the day after, `overdue` finds it although no file changed."""
    from freezegun import freeze_time

    root = make_register("luton")
    with freeze_time("2027-01-04"):
        made = coc(root, "declare", "criminal-matter", "--event", "arrest", "--event-date",
                   "2027-01-04", "--subject", "self", "--no-input")
        assert made.exit_code == 0, made.output
    for _ in range(2):   # the second is the kept answer
        with freeze_time("2027-01-05"):
            assert (coc(root, "overdue").exit_code, coc(root, "overdue").output) == (0, "")
    assert "overdue" in answer_rows(root)
    with freeze_time("2027-01-06"):
        late = coc(root, "overdue")
    assert late.exit_code == 1 and "criminal-matter" in late.output


def test_a_renamed_record_changes_the_answers(register, coc):
    """A record moved to another folder (committed): `list` shows its new path, and validate
    says it is in the wrong department's folder."""
    record_id, rel = a_record(coc, register)
    assert coc(register, "validate", "--all").exit_code == 0
    moved = rel.replace("registers/housing/", "registers/finance/")
    assert moved != rel
    (register / moved).parent.mkdir(parents=True)
    git(register, "mv", rel, moved)
    git(register, "commit", "-qm", "moved", "--no-verify")
    assert listed(coc, register)[record_id]["path"] == moved
    result = coc(register, "validate", "--all")
    assert result.exit_code == 1 and moved in result.output


def test_a_file_changed_while_a_command_reads_is_never_kept(register, coc):
    """A record edited after git was asked but before it was read: neither the answer nor the
    parse of the new bytes is kept under the old blob id, so once the file is put back the old
    record is shown, not the edit."""
    from coc.registers.store import Register

    record_id, rel = a_record(coc, register)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{register}/.git/coc/index.sqlite{suffix}").unlink(missing_ok=True)
    path = register / rel
    original = path.read_bytes()
    load_all = Register.load_all

    def edit_then_read(self, *args, **kwargs):
        path.write_bytes(original.replace(b"Box of chocolates", b"Box of chocolatez"))
        return load_all(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:   # not monkeypatch.undo(): that undoes HOME too
        patch.setattr(Register, "load_all", edit_then_read)
        assert listed(coc, register)[record_id]["summary"] == "Box of chocolatez"
    assert "list" not in answer_rows(register)
    index = index_of(register)
    kept = index.parsed([blob_of(register, rel)])
    index.close()
    assert all(p.data["details"]["description"] == "Box of chocolates" for p in kept.values())
    path.write_bytes(original)
    assert listed(coc, register)[record_id]["summary"] == "Box of chocolates"


def big_people(root: Path, count: int = 600) -> str:
    """people.yaml grown past the size the index keeps (a whole organisation's)."""
    from coc.registers.people import KEPT_FROM_BYTES

    text = (root / "people.yaml").read_text() + "".join(
        f"  - id: p{n:05d}\n    name: Person {n}\n    email: p{n:05d}@example.gov.uk\n"
        f"    department: housing\n    job_title: Officer\n    grade: E\n    manager: mjones\n"
        for n in range(count))
    assert len(text.encode()) > KEPT_FROM_BYTES
    (root / "people.yaml").write_text(text)
    return text


def test_a_large_people_yaml_is_parsed_once_and_never_believed_edited(register, coc):
    """A whole organisation's people.yaml is kept parsed under the hash of its bytes: a row
    signed with the user's key is what is used (so it is asked); one edited by hand is not
    believed; another people.yaml is another row."""
    import hashlib

    from coc.registers.yamlio import read_fast

    text = big_people(register)
    assert "Jane Smith" in coc(register, "list").output
    key = "people.yaml sha256:" + hashlib.sha256(text.encode()).hexdigest()
    index = index_of(register)
    assert key in index.parsed([key])
    data = read_fast(register / "people.yaml", "people.yaml")
    jane = next(p for p in data["people"] if p["id"] == "jsmith")
    jane["name"] = "Signed Name"
    index.store_parsed([(key, pack(data, ""))])
    index.close()
    forget_answers(register)
    assert "Signed Name" in coc(register, "list").output
    jane["name"] = "Edited Name"
    db = sqlite3.connect(register / ".git" / "coc" / "index.sqlite")
    db.execute("UPDATE parsed SET payload = ? WHERE blob = ?", (pack(data, "")[0], key))
    db.execute("DELETE FROM answers")
    db.commit()
    db.close()
    shown = coc(register, "list").output
    assert "Jane Smith" in shown and "Edited Name" not in shown
    (register / "people.yaml").write_text(text.replace("name: Jane Smith", "name: Jane Doe"))
    assert "Jane Doe" in coc(register, "list").output


def test_each_question_keeps_its_answer_and_only_the_last_few_are_kept(register, coc,
                                                                        monkeypatch):
    """`list` and `list --json` do not push each other out; past ANSWERS_KEPT the answers
    written first are dropped (each may be megabytes)."""
    coc(register, "list")
    coc(register, "list", "--json")
    coc(register, "validate", "--all")
    db = sqlite3.connect(register / ".git" / "coc" / "index.sqlite")
    assert sorted(json.loads(n) for n, in db.execute("SELECT name FROM answers")) == [
        ["list", ["None", "None", "None", "False"]], ["list", ["None", "None", "None", "True"]],
        ["validate", ["text"]]]
    db.close()
    monkeypatch.setattr("coc.registers.index.ANSWERS_KEPT", 2)
    coc(register, "overdue")
    db = sqlite3.connect(register / ".git" / "coc" / "index.sqlite")
    names = [json.loads(n) for n, in db.execute("SELECT name FROM answers ORDER BY rowid")]
    db.close()
    assert [n[0] for n in names] == ["validate", "overdue"]
