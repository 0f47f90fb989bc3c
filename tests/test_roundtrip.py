"""Editing a record keeps every line the edit did not touch byte for byte (issue 9, item 17).

ruamel.yaml re-emits a whole file: before, `coc approve` and `coc amend` re-wrapped long lines,
re-indented and re-spaced untouched keys, rewrote `\\u00e9` and the `t` of timestamps, and lost a
comment after `...`. Hypothesis writes records in many hand-made layouts and checks that an
append (a decision, an ending) only inserts lines and a changed field replaces only its own.
"""
from __future__ import annotations

import difflib
import json
from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from coc.registers.yamlio import dump_edit, load_fast
from conftest import git

WORDS = st.sampled_from(["box", "of", "Renée", "chocolates", "shared", "with", "the", "team",
                         "from", "Acme", "Lifts", "Ltd", "at", "Christmas", "#7", "café"])


@st.composite
def hand_written(draw: st.DrawFn) -> str:
    """A gift record as a person might type it: any indentation, spacing, quoting, comments."""
    pad = draw(st.sampled_from([2, 4]))
    gap = lambda: " " * draw(st.integers(1, 3))   # noqa: E731 - spacing after a colon
    comment = lambda: draw(st.sampled_from(["", "   # checked", "  # by hand"]))  # noqa: E731
    words = draw(st.lists(WORDS, min_size=3, max_size=40))
    description = " ".join(words)
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "double":
        shown = '"' + description.replace("é", "\\u00e9") + '"'
    elif style == "single":
        shown = "'" + description + "'"
    else:
        shown = description if not description.startswith("#") else "'" + description + "'"
    t = draw(st.sampled_from(["t", "T", " "]))
    dash = draw(st.sampled_from([0, 2]))
    lines = [
        "# typed by hand" if draw(st.booleans()) else "---",
        f"id:{gap()}GIF-2026-K3F7Q2{comment()}",
        "kind: gift",
        f"declarant:{gap()}jsmith{comment()}",
        "declared_on: 2026-11-02",
        "details:",
        " " * pad + "received_on: 2026-11-01",
        " " * pad + f"donor:{gap()}'Ann Other'{comment()}",
        " " * pad + f"description:{gap()}{shown}",
        " " * pad + f'value_gbp:{gap()}"12.50"',
        " " * pad + "outcome: shared-with-team",
    ]
    if draw(st.booleans()):
        lines += ["decisions:", " " * dash + "- decision: rejected",
                  " " * dash + "  by: mjones", " " * dash + f"  at: 2026-11-03{t}09:00:00Z",
                  " " * dash + "  reason: ask again", " " * dash + "  details_version: 0"]
    else:
        lines += ["decisions: []"]
    lines += ["# appended entries follow", "amendments: []"]
    if draw(st.booleans()):
        lines += ["...", "# filed after the document end"]
    return "\n".join(lines) + "\n"


def edited(text: str) -> object:
    data = YAML(typ="rt").load(text)
    return data


def assert_only_inserted(before: str, after: str) -> None:
    ops = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    changed = [op for op in ops.get_opcodes() if op[0] != "equal"]
    assert all(tag == "insert" for tag, *_ in changed), changed


@settings(max_examples=150, deadline=None)
@given(hand_written())
def test_appending_a_decision_or_an_ending_only_inserts_lines(text):
    data = edited(text)
    entry = {"decision": "approved", "by": "mjones",
             "at": datetime(2026, 11, 4, 10, 0, tzinfo=timezone.utc), "details_version": 0}
    if data["decisions"]:
        data["decisions"].append(entry)
        data["ended"] = {"by": "jsmith", "at": datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc),
                         "on": date(2026, 11, 5)}
        out = dump_edit(text, data)
        assert_only_inserted(text, out)
    else:   # `decisions: []` becomes a block list: that one line changes, nothing else
        data["decisions"].append(entry)
        out = dump_edit(text, data)
        ops = difflib.SequenceMatcher(a=text.splitlines(), b=out.splitlines(), autojunk=False)
        replaced = [text.splitlines()[i1:i2] for tag, i1, i2, _, _ in ops.get_opcodes()
                    if tag in ("replace", "delete")]
        assert replaced == [["decisions: []"]], replaced
    assert load_fast(out.encode(), "") == load_fast(dump_edit("", data).encode(), "")


@settings(max_examples=150, deadline=None)
@given(hand_written(), st.sampled_from(["value_gbp", "outcome", "donor"]))
def test_changing_a_field_replaces_only_its_line(text, field):
    data = edited(text)
    data["details"][field] = {"value_gbp": "14.00", "outcome": "donated", "donor": "Bo"}[field]
    data["amendments"].append({"by": "jsmith", "changes": {field: data["details"][field]}})
    out = dump_edit(text, data)
    before, after = text.splitlines(), out.splitlines()
    ops = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    gone = [line for tag, i1, i2, _, _ in ops if tag in ("replace", "delete")
            for line in before[i1:i2]]
    assert len(gone) == 2 and gone[0].strip().startswith(field + ":"), gone
    assert gone[1] == "amendments: []"
    expected = load_fast(text.encode(), "")
    expected["details"][field] = data["details"][field]
    assert load_fast(out.encode(), "")["details"] == expected["details"]


def test_a_long_line_with_runs_of_spaces_is_written_as_one_line():
    """Folding a plain scalar at a run of spaces drops the spaces when it is read back."""
    text = "x" * 80 + " a  b   c " + "y" * 40
    out = dump_edit("", {"details": {"description": text}})
    assert out.count("\n") == 2 and load_fast(out.encode(), "")["details"]["description"] == text


HAND_RECORD = """\
# Jane typed this herself
id: {id}
kind:   gift
declarant: jsmith    # me
recorded_by: jsmith
declared_on: {today}
details:
    received_on: {today}
    donor:  "Ren\\u00e9e Dupont"
    description: {long}
    value_gbp: '12.50'
    outcome: shared-with-team
decisions: []
amendments: []
...
# a note after the end of the document
"""


def test_approve_and_amend_through_the_cli_touch_only_their_own_lines(make_register, coc):
    root = make_register("milton-keynes")
    today = date.today().isoformat()
    result = coc(root, "declare", "gift", "--received-on", today, "--donor", "x",
                 "--description", "x", "--value-gbp", "1", "--outcome", "kept", "--no-input",
                 "--json")
    record_id = json.loads(result.output)["id"]
    path = root / json.loads(result.output)["path"]
    long = ("A hamper of Bedfordshire cheeses, chutneys and a bottle of wine from the supplier "
            "of the new  depot, over one hundred characters")
    text = HAND_RECORD.format(id=record_id, today=today, long=long)
    path.write_text(text)
    git(root, "commit", "-qam", f"hand-edit {record_id}", "--no-verify")

    assert coc(root, "approve", record_id, user="mjones").exit_code == 0
    approved = path.read_text()
    assert_only_inserted(text.replace("decisions: []\n", ""), approved.replace(
        "decisions:\n", ""))
    assert approved.endswith("...\n# a note after the end of the document\n")
    assert '    donor:  "Ren\\u00e9e Dupont"\n' in approved and f"description: {long}\n" in approved

    result = coc(root, "amend", record_id, "--value-gbp", "13", "--note", "receipt found")
    assert result.exit_code == 0, result.output
    amended = path.read_text()
    ops = difflib.SequenceMatcher(a=approved.splitlines(), b=amended.splitlines(),
                                  autojunk=False).get_opcodes()
    gone = [line for tag, i1, i2, _, _ in ops if tag in ("replace", "delete")
            for line in approved.splitlines()[i1:i2]]
    assert gone == ["    value_gbp: '12.50'", "amendments: []"], gone
    assert "    value_gbp: '13.00'" in amended or '    value_gbp: "13.00"' in amended
    assert Path(path).read_text().count("at: 20") == 2   # the decision's and the amendment's
