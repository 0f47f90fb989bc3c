"""`coc schema KIND`: the JSON Schema agrees with coc — it accepts what coc writes and refuses
what coc refuses — as judged by an independent validator (the `jsonschema` package)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from conftest import git
from jsonschema import Draft202012Validator

from coc.cli.common import to_jsonable
from coc.policies.kinds import FIELDS
from coc.policies.schema import COMMON, kind_schema, schemas
from coc.policies.validate import check_file
from coc.registers.record import COMMON_KEYS
from coc.registers.store import Register
from coc.registers.yamlio import load_fast
from coc.policies.registry import context_for, get_policy, policy_for

GIFT = """\
id: GIF-2026-ABCDEF
kind: gift
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-03-02
details:
  received_on: 2026-03-01
  donor: A. Supplier
  description: Box of chocolates
  value_gbp: "12.50"
  outcome: shared-with-team
decisions: []
amendments: []
"""
REL = "registers/housing/gift/2026/GIF-2026-ABCDEF.yaml"


def sample_text(spec: Any) -> str | None:
    """A valid CLI value for a field of this type (today for dates, so nothing is late)."""
    return {"date": date.today().isoformat(), "money": "12.50", "bool": "no", "hours": "5",
            "int": str(date.today().year), "choice": spec.choices[0] if spec.choices else "",
            "record-id": None}.get(spec.type, "Something plain")


def verdicts(register: Register, text: str, schema: dict[str, Any]) -> tuple[bool, bool]:
    """(coc accepts, the schema accepts) for one record's YAML text."""
    ctx = context_for(register)
    coc_ok = not any(f.failing for f in check_file(REL, text.encode(), ctx)
                     if f.rule not in ("deadline",))
    instance = to_jsonable(load_fast(text.encode(), REL))   # YAML 1.2 core, as editors read it
    return coc_ok, Draft202012Validator(schema).is_valid(instance)


@pytest.mark.parametrize("policy", ["luton", "milton-keynes", None])
def test_every_schema_is_a_valid_draft_2020_12_schema(policy: str | None) -> None:
    documents = schemas(get_policy(policy) if policy else None)
    assert documents, "no kinds"
    for name, document in documents.items():
        Draft202012Validator.check_schema(document)
        assert document["properties"]["kind"] == {"const": name}


def test_schema_describes_every_common_key() -> None:
    assert set(COMMON) == set(COMMON_KEYS)


@pytest.mark.parametrize("policy", ["luton", "milton-keynes"])
def test_schema_accepts_every_kind_of_record_coc_writes(make_register, coc, policy) -> None:
    root = make_register(policy)
    register = Register(root)
    for kind in policy_for(register).kinds.values():
        args = []
        for spec in kind.fields:
            value = sample_text(spec)
            if value is not None:
                args += [spec.flag, value]
        result = coc(root, "declare", kind.name, *args, "--no-input", "--json")
        assert result.exit_code == 0, (kind.name, result.output)
        path = root / json.loads(result.output)["path"]
        schema = json.loads(coc(root, "schema", kind.name).output)
        instance = to_jsonable(load_fast(path.read_bytes(), path.name))
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(instance)]
        assert errors == [], (kind.name, errors)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = record
        for part in parents:
            node = node[part]
        node[last] = value
    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = record
        for part in parents:
            node = node[part]
        del node[last]
    return change


CASES = [
    # (what, change, coc and the schema should both accept it)
    ("as coc writes it", lambda r: None, True),
    ("money as a whole number", _set("details.value_gbp", 20), True),
    ("optional field null", _set("details.donor_organisation", None), True),
    ("optional field empty", _set("details.reason", ""), True),
    ("optional bool", _set("details.donor_is_supplier", True), True),
    ("late reason given", _set("late_reason", "I was on leave"), True),
    ("a decision", _set("decisions", [{"decision": "approved", "by": "mjones",
                                       "at": "2026-03-03T10:00:00+00:00"}]), True),
    ("import note", _set("imported_from", {"file": "gifts.csv", "line": 12}), True),
    ("missing required field", _drop("details.donor"), False),
    ("required field empty", _set("details.donor", ""), False),
    ("wrong choice", _set("details.outcome", "eaten"), False),
    ("float money", _set("details.value_gbp", 12.5), False),
    ("three-decimal money", _set("details.value_gbp", "12.505"), False),
    ("money with a pound sign", _set("details.value_gbp", "£12.50"), False),
    ("unknown detail field", _set("details.colour", "blue"), False),
    ("unknown top-level key", _set("path", "../../etc/passwd"), False),
    ("id of another kind", _set("id", "HOS-2026-ABCDEF"), False),
    ("malformed id", _set("id", "GIF-2026-abcdef"), False),
    ("declared_on not a date", _set("declared_on", "last Tuesday"), False),
    ("bool as text", _set("details.donor_is_supplier", "yes"), False),
    ("two-line donor", _set("details.donor", "A.\nSupplier"), False),
    ("over-long donor", _set("details.donor", "x" * 301), False),
    ("blank late reason", _set("late_reason", "   "), False),
    ("decision without verdict", _set("decisions", [{"by": "mjones", "at": "2026-03-03"}]), False),
    ("details not a mapping", _set("details", "chocolates"), False),
    ("missing declarant", _drop("declarant"), False),
    ("bad import note", _set("imported_from", {"file": "gifts.csv", "line": 0}), False),
    ("import note with a path", _set("imported_from", {"file": "x", "path": "/etc"}), False),
]


@pytest.mark.parametrize("what,change,accepted", CASES, ids=[c[0] for c in CASES])
def test_schema_and_coc_agree(make_register, what, change, accepted) -> None:
    register = Register(make_register("luton"))
    schema = kind_schema(policy_for(register).kind("gift"), "luton")
    record = load_fast(GIFT.encode(), REL)
    change(record)
    text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
    assert verdicts(register, text, schema) == (accepted, accepted), text


def test_coc_schema_prints_the_registers_policy_and_refuses_kinds_it_lacks(make_register, coc):
    root = make_register("milton-keynes")
    result = coc(root, "schema", "gift")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["title"] == "coc gift record (the milton-keynes policy)"
    refused = coc(root, "schema", "sponsorship")
    assert refused.exit_code == 1
    assert "no 'sponsorship' declarations" in refused.output


def test_coc_schema_outside_a_register_uses_the_shared_kinds(coc_subprocess, tmp_path: Path):
    result = coc_subprocess(tmp_path, "schema", "driving-disqualification")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == \
        "coc driving-disqualification record (the shared kinds)"
    unknown = coc_subprocess(tmp_path, "schema", "bribe")
    assert unknown.returncode == 1 and "unknown kind 'bribe'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert coc_subprocess(tmp_path, "schema").returncode == 2


def test_init_writes_the_schemas_for_editors_and_write_refreshes_them(make_register, coc,
                                                                      tmp_path: Path):
    root = make_register("luton")
    written = sorted(p.name for p in (root / ".coc" / "schemas").iterdir())
    assert written == sorted(f"{k}.json" for k in get_policy("luton").kinds)
    assert "gift.json" in git(root, "ls-files", ".coc/schemas"), "committed by init"
    out = tmp_path / "out"
    result = coc(root, "schema", "--write", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "gift.json").read_text() == (root / ".coc" / "schemas" / "gift.json").read_text()
    assert coc(root, "schema", "gift", "--write", str(out)).exit_code == 2


def test_a_policys_own_field_is_in_its_schema() -> None:
    from coc.policies.base import Field
    from coc.policies.kinds import kind, with_fields

    gift = with_fields(kind("gift", "Test §1"), Field("witness", "text", True, help="who saw it"))
    document = kind_schema(gift, "test")
    assert "witness" in document["properties"]["details"]["required"]
    assert set(document["properties"]["details"]["properties"]) == \
        {spec.name for spec in FIELDS["gift"]} | {"witness"}


# what coc writes, read by other tools (issue 10) ----------------------------------------------

@pytest.mark.parametrize("policy", ["luton", "milton-keynes"])
def test_every_record_of_a_demo_register_passes_check_jsonschema_via_its_modeline(policy,
                                                                                 tmp_path):
    """Each record's first line points at its kind's schema; check-jsonschema (its own YAML
    loader) accepts every record coc wrote, and PyYAML reads what coc reads."""
    import re
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import yaml
    from click.testing import CliRunner

    from coc.cli.main import cli
    from coc.registers.yamlio import load_fast

    root = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", str(root), "--policy", policy]).exit_code == 0
    interest = CliRunner().invoke(cli, [
        "-C", str(root), "declare", "interest", "--nature", "family", "--organisation",
        "Acme Lifts", "--description", "My brother owns it", "--arose-on", "2026-11-02",
        "--public-knowledge-test", "yes", "--late-reason", "Only just found out", "--no-input",
        "--json"], env={"GIT_AUTHOR_EMAIL": "jane.smith@example.gov.uk"})
    assert interest.exit_code == 0, interest.output
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker, "check-jsonschema is a test dependency"
    records = sorted((root / "registers").rglob("*.yaml"))
    assert len(records) >= 3
    for path in records:
        text = path.read_text()
        schema = re.match(r"# yaml-language-server: \$schema=(\S+)\n", text)
        assert schema, f"{path.name} has no schema modeline"
        target = (path.parent / schema[1]).resolve()
        assert target.is_file()
        done = subprocess.run([checker, "--schemafile", str(target), str(path)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert yaml.safe_load(text) == load_fast(text.encode(), path.name)
    assert "public_knowledge_test: 'yes'" in (root / json.loads(interest.stdout)["path"]
                                              ).read_text()


ZERO = [  # (kind, field, stored value, accepted): zero only where it makes sense (issue 10)
    ("overpayment", "amount_gbp", "0", False), ("overpayment", "amount_gbp", "0.00", False),
    ("overpayment", "amount_gbp", "00.0", False), ("overpayment", "amount_gbp", 0, False),
    ("overpayment", "amount_gbp", "0.01", True), ("overpayment", "amount_gbp", 120, True),
    ("overpayment", "amount_gbp", "10.50", True),
    ("attestation", "year", 0, False), ("attestation", "year", 2026, True),
    ("outside-work", "hours_per_week", 0, True),   # occasional work: no regular hours
    ("gift", "value_gbp", "0", True),   # a token of no value is still declared, as given
]


@pytest.mark.parametrize("kind, name, value, accepted", ZERO)
def test_zero_where_it_makes_no_sense_is_refused_by_coc_and_the_schema(kind, name, value,
                                                                        accepted) -> None:
    from coc.policies.schema import field_schema

    spec = next(f for f in FIELDS[kind] if f.name == name)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **field_schema(spec)}
    assert (spec.check(value) is None, Draft202012Validator(schema).is_valid(value)) == \
        (accepted, accepted), spec.check(value)
