"""Issue 8, contract 4: a number the code fixes is not a register's to relax.

MK §6 gives £25 ("a small personal gift (under £25)") and MK §7 gives Grade H ("Full-time
employees paid at Grade H and above (or equivalent)"). coc.yaml may tighten either (a lower
limit, a lower grade); raising one is an error naming coc.yaml, the parameter and the
section, from every command that loads the register. Luton §14.3's "small low value gifts"
gives no figure: `low_value_limit_gbp` stays a parameter, labelled as such.
"""
from __future__ import annotations

import json
import re
import subprocess

import pytest

from conftest import EXAMPLE_EMAILS, GIFT_FLAGS, git


def set_parameter(root, name: str, value: str) -> None:
    """Edit coc.yaml in the working tree (the hook would refuse to commit a relaxed one)."""
    text = (root / "coc.yaml").read_text()
    (root / "coc.yaml").write_text(text.replace("parameters:\n", f"parameters:\n  {name}: {value}\n", 1))


def gift(value: str, outcome: str = "kept") -> list[str]:
    flags = list(GIFT_FLAGS)
    flags[flags.index("12.50")] = value
    flags[flags.index("shared-with-team")] = outcome
    return flags


OUTSIDE = ("--organisation", "Bedford College", "--role", "Tutor", "--paid", "yes",
           "--start-date", "2026-12-20", "--hours-per-week", "4", "--no-input")


@pytest.mark.parametrize("name, value, section", [
    ("gift_limit_gbp", '"30"', "MK §6"),
    ("gift_limit_gbp", '"25.01"', "MK §6"),
    ("permission_grade", "I", "MK §7"),
    ("permission_grade", "M", "MK §7"),
])
def test_mk_raising_a_figure_the_code_gives_is_refused_by_every_command(
        make_register, coc, name, value, section):
    root = make_register("milton-keynes")
    declared = coc(root, "declare", "gift", *GIFT_FLAGS, "--json")
    assert declared.exit_code == 0, declared.output
    record_id = json.loads(declared.stdout)["id"]
    set_parameter(root, name, value)
    for args in (["validate", "--all"], ["validate", "coc.yaml"], ["show", record_id],
                 ["list"], ["overdue"], ["declare", "gift", *GIFT_FLAGS]):
        result = coc(root, *args)
        assert result.exit_code == 1, (args, result.output)
        message = result.stderr or result.stdout
        assert "Traceback" not in message
        assert re.search(rf"coc\.yaml(:\d+)?: parameters\.{name}: ", message), (args, message)
        assert section in message and "never raise it" in message, (args, message)
    # nothing was recorded by the refused declaration
    assert len(list((root / "registers").rglob("*.yaml"))) == 1


def test_mk_the_hook_refuses_to_commit_a_relaxed_figure(make_register):
    """Even the Monitoring Officer, who owns coc.yaml, cannot commit a relaxed figure."""
    root = make_register("milton-keynes")
    set_parameter(root, "gift_limit_gbp", '"100"')
    with pytest.raises(subprocess.CalledProcessError) as refused:
        git(root, "commit", "-qam", "relax", email=EXAMPLE_EMAILS["mokafor"])
    done = refused.value
    assert "parameters.gift_limit_gbp" in done.stdout + done.stderr
    assert "MK §6" in done.stdout + done.stderr
    assert git(root, "log", "--format=%s", "-1").strip() != "relax"


def test_mk_s6_a_lower_gift_limit_is_allowed_and_tightens_the_verdict(make_register, coc):
    root = make_register("milton-keynes", config={"parameters": {"gift_limit_gbp": '"20"'}})
    kept = coc(root, "declare", "gift", *gift("22"), "--json")
    assert kept.exit_code == 0, kept.output      # recorded and flagged, never refused
    shown = json.loads(coc(root, "show", json.loads(kept.stdout)["id"], "--json").stdout)
    [breach] = [f for f in shown["findings"] if f["rule"] == "gift-value-limit"]
    assert breach["severity"] == "breach" and breach["section"] == "MK §6"
    assert "under £20" in breach["message"]
    assert "set in coc.yaml: tighter than the code's £25, MK §6" in breach["message"]
    assert coc(root, "validate", "--all").exit_code == 1


def test_mk_s6_the_code_own_limit_still_lets_a_gift_under_25_be_kept(make_register, coc):
    root = make_register("milton-keynes")
    coc(root, "declare", "gift", *gift("22"), "--json")
    assert coc(root, "validate", "--all").exit_code == 0


def test_mk_s7_a_lower_permission_grade_is_allowed_and_brings_more_people_under_it(
        make_register, coc):
    # kpatel is full-time Grade G: at the code's Grade H the Private Interests Form applies
    root = make_register("milton-keynes")
    before = json.loads(coc(root, "declare", "outside-work", *OUTSIDE, "--json",
                            user="kpatel").stdout)["id"]
    assert json.loads(coc(root, "show", before, "--json").stdout)["awaiting"]["action"] == \
        "acknowledge"
    lowered = make_register("milton-keynes", config={"parameters": {"permission_grade": "G"}})
    after = json.loads(coc(lowered, "declare", "outside-work", *OUTSIDE, "--json",
                           user="kpatel").stdout)["id"]
    shown = json.loads(coc(lowered, "show", after, "--json").stdout)
    assert shown["awaiting"]["action"] == "approve"
    assert any("Grade G and above" in f["message"] and "set in coc.yaml" in f["message"]
               for f in shown["findings"])


def test_mk_s7_a_permission_grade_off_the_scale_is_refused(make_register, coc):
    root = make_register("milton-keynes")
    set_parameter(root, "permission_grade", "Z")
    result = coc(root, "validate", "--all")
    assert result.exit_code == 1
    assert re.search(r"coc\.yaml:\d+: parameters\.permission_grade: 'Z' is not on coc\.yaml's "
                     "grades scale", result.stderr), result.stderr


def test_mk_s7_on_a_scale_without_grade_h_the_register_names_its_equivalent(make_register, coc):
    """"Grade H and above (or equivalent)": a register whose scale has no H sets its own."""
    root = make_register("milton-keynes")
    text = (root / "coc.yaml").read_text()
    text = re.sub(r"grades: \[.*\]", "grades: [PO1, PO2, PO3, SO1, SO2]", text)
    (root / "coc.yaml").write_text(text.replace("parameters:\n",
                                                "parameters:\n  permission_grade: SO1\n", 1))
    people = (root / "people.yaml").read_text()
    (root / "people.yaml").write_text(re.sub(r"grade: [A-M]\b", "grade: PO1", people))
    result = coc(root, "validate", "--all")
    assert result.exit_code == 0, result.output


def test_luton_s14_3_the_low_value_limit_is_the_registers_and_says_so(make_register, coc):
    """Luton §14.3 gives no figure ("Small low value gifts such as flowers, pens, a box of
    chocolates, diaries or similar"): a register may raise it, and findings label it."""
    root = make_register("luton", config={"parameters": {"low_value_limit_gbp": '"40"'}})
    assert coc(root, "validate", "--all").exit_code == 0
    kept = coc(root, "declare", "gift", *gift("45"), "--json")
    shown = json.loads(coc(root, "show", json.loads(kept.stdout)["id"], "--json").stdout)
    assert any("low_value_limit_gbp = £40, set in coc.yaml" in f["message"]
               for f in shown["findings"]), shown["findings"]
    from coc.policies.luton import PARAMETERS

    assert not PARAMETERS["low_value_limit_gbp"].fixed_by_code
    assert "the code gives no figure" in PARAMETERS["low_value_limit_gbp"].help


def test_every_figure_fixed_by_code_is_quoted_verbatim_from_its_code():
    from pathlib import Path

    from coc.policies.registry import get_policy

    seeds = Path(__file__).resolve().parent / "data" / "seeds"   # the codes, verbatim
    texts = {"milton-keynes": "milton-keynes-officer-code-of-conduct-2025.txt",
             "luton": "luton-employee-code-of-conduct.txt"}
    for name, file in texts.items():
        text = " ".join((seeds / file).read_text().split())
        for parameter in get_policy(name).parameters.values():
            quote = parameter.fixed_by_code.strip("'")
            assert quote in text, (name, parameter.name, quote)


def test_every_other_number_is_labelled_as_one_the_code_does_not_give():
    """Contract 4's other half: a number the code does not give stays a parameter, and says so."""
    from coc.policies.registry import get_policy

    for name in ("luton", "milton-keynes"):
        for parameter in get_policy(name).parameters.values():
            assert parameter.fixed_by_code or re.search(
                r"the code (gives no|names the \w+, not the)", parameter.help), \
                (name, parameter.name, parameter.help)


def test_mk_a_restricted_register_may_not_relax_the_code_either(tmp_path, coc):
    """The restricted register's coc.yaml is checked by the same policy when it is opened."""
    from coc.cli.init import init_register

    main, restricted = tmp_path / "main", tmp_path / "restricted"
    init_register(main, "milton-keynes", restricted=restricted)
    assert coc(main, "list").exit_code == 0
    set_parameter(restricted, "gift_limit_gbp", '"30"')
    result = coc(main, "list")
    assert result.exit_code == 1
    assert re.match(r"coc: error: \.\./restricted/coc\.yaml:\d+: parameters\.gift_limit_gbp: "
                    r"£30 would relax the code: MK §6", result.stderr), result.stderr
