"""The derived index of parsed records (.git/coc/records.json): what it gives is exactly what
reading the files gives, it follows every edit, and a broken index is rebuilt, never trusted."""
from __future__ import annotations

import json
import os
from datetime import date

from coc.registers import bulk
from coc.registers.index import load_indexed
from coc.registers.store import Register
from conftest import GIFT_FLAGS, git


def snapshot(loaded):
    return [(one.path, dict(one.record.data) if one.record else None,
             str(one.error) if one.error else None) for one in loaded]


def declared(coc, root, n=3):
    for _ in range(n):
        assert coc(root, "declare", "gift", *GIFT_FLAGS).exit_code == 0


def test_the_index_gives_what_the_files_give_and_parses_nothing_twice(make_register, coc,
                                                                     monkeypatch):
    root = make_register("luton")
    declared(coc, root)
    register = Register(root)
    first = load_indexed(register)
    assert snapshot(first) == snapshot(register.load_all())
    assert isinstance(first[0].record.data["declared_on"], date)
    parsed = []
    real = bulk.read_many
    monkeypatch.setattr(bulk, "read_many", lambda reg, paths: parsed.extend(paths) or
                        real(reg, paths))
    again = load_indexed(register)
    assert parsed == [] and snapshot(again) == snapshot(first)
    assert type(again[0].record.data["declared_on"]) is date
    assert {one.record.extra["status"] for one in again} == {"submitted"}


def test_an_edit_staged_or_not_is_seen_at_once(make_register, coc):
    root = make_register("luton")
    declared(coc, root, 1)
    register = Register(root)
    load_indexed(register)
    path = next(root.glob("registers/*/gift/*/*.yaml"))
    path.write_text(path.read_text().replace("Box of chocolates", "A pen"))
    assert load_indexed(register)[0].record.data["details"]["description"] == "A pen"
    git(root, "add", "-A")
    assert load_indexed(register)[0].record.data["details"]["description"] == "A pen"
    (path.parent / "GIF-2026-AAAAAA.yaml").write_text("id: [unclosed\n")   # untracked, broken
    loaded = {one.path: one for one in load_indexed(register)}
    broken = loaded["/".join(path.relative_to(root).parts[:-1]) + "/GIF-2026-AAAAAA.yaml"]
    assert broken.record is None and broken.error is not None


def test_a_broken_index_is_rebuilt(make_register, coc):
    root = make_register("luton")
    declared(coc, root, 2)
    register = Register(root)
    expected = snapshot(register.load_all())
    index = root / ".git" / "coc" / "records.json"
    for garbage in ("\x00not json", "[]", '{"version": 1, "entries": {"x": 1}}',
                    json.dumps({"version": 1, "entries": {
                        p: ["0" * 40, {"id": "forged"}, "approved"] for p, _, _ in expected}})):
        index.parent.mkdir(parents=True, exist_ok=True)
        index.write_text(garbage)
        assert snapshot(load_indexed(register)) == expected
        assert json.loads(index.read_text())["version"] == 1


def test_what_json_cannot_keep_is_read_from_the_file_each_time(make_register, coc):
    root = make_register("luton")
    declared(coc, root, 1)
    path = next(root.glob("registers/*/gift/*/*.yaml"))
    path.write_text(path.read_text() + "1: a number as a key\n$date: 2026-01-01\n")
    git(root, "commit", "-qam", "odd keys", "--no-verify")
    register = Register(root)
    for _ in range(2):
        (one,) = load_indexed(register)
        assert one.record.data[1] == "a number as a key"
        assert one.record.data["$date"] == date(2026, 1, 1)
    index = root / ".git/coc/records.json"
    assert not index.exists() or json.loads(index.read_text())["entries"] == {}


def test_a_symlinked_record_is_reported_as_load_all_reports_it(make_register, coc, tmp_path):
    root = make_register("luton")
    declared(coc, root, 1)
    path = next(root.glob("registers/*/gift/*/*.yaml"))
    (tmp_path / "elsewhere.yaml").write_text(path.read_text())
    link = path.parent / "GIF-2026-BBBBBB.yaml"
    os.symlink(tmp_path / "elsewhere.yaml", link)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a link", "--no-verify")
    register = Register(root)
    assert snapshot(load_indexed(register)) == snapshot(register.load_all())
    assert snapshot(load_indexed(register)) == snapshot(register.load_all())


def test_a_symlinked_folder_is_reported_as_load_all_reports_it(make_register, coc, tmp_path):
    root = make_register("luton")
    declared(coc, root, 1)
    (tmp_path / "outside").mkdir()
    (root / "registers" / "legal").symlink_to(tmp_path / "outside")
    register = Register(root)
    got = snapshot(load_indexed(register))
    assert got == snapshot(register.load_all())
    assert any(path == "registers/legal" and error for path, _, error in got)
