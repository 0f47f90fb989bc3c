"""A third council as a plugin (README "Adding a third council"): the example module, installed
through the `coc.policies` entry-point group, runs `coc init`, `coc check` and `coc declare`.

The module below is the README's example, word for word; keep the two the same.
"""
from __future__ import annotations

import json
import os
import sysconfig
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from coc.cli.init import init_register
from coc.cli.main import cli
from coc.policies import registry
from coc.policies.guide import problems, uncovered
from conftest import EXAMPLE_EMAILS

EXAMPLE = '''
"""Example District Council Code of Conduct (a made-up third council for coc)."""
from __future__ import annotations

from typing import Any, Iterable

from coc.policies import common
from coc.policies.base import Context, Deadline, Deciders, Parameter, Policy, rule
from coc.policies.guide import Answer, Guide, Option, Question
from coc.policies.kinds import kind
from coc.registers.findings import Finding
from coc.registers.record import Record

KINDS = {k.name: k for k in (
    kind("gift", "EDC §3", "A gift offered because of your job."),
    kind("outside-work", "EDC §4", "Any work outside the council."),
)}

PARAMETERS = {p.name: p for p in (
    Parameter("gift_limit_gbp", "30", "gifts at or above this may not be kept (the code's own "
              "figure)", "EDC §3", "money"),
    Parameter("record_within_working_days", 10, "working days to record a kept gift (the code "
              "says 'promptly')", "EDC §3", "int"),
)}


@rule("gift-limit", "EDC §3", ("gift",))
def gift_limit(record: Record, ctx: Context) -> Iterable[Finding]:
    """§3: "a gift worth less than £30 may be kept"."""
    value = KINDS["gift"].value(record, "value_gbp")
    if record.details.get("outcome") == "kept" and value is not None \
            and value >= ctx.param("gift_limit_gbp"):
        yield common.breach(record, f"a gift worth £{value} may not be kept", "details.value_gbp")


def deadline(record: Record, ctx: Context) -> Deadline | None:
    """§3: a kept gift is recorded promptly; §4: outside work is approved before it starts."""
    spec = KINDS.get(record.kind)
    if record.kind == "gift" and record.details.get("outcome") == "kept":
        when = spec.value(record, "received_on")
        return common.within_working_days(ctx, when, "record_within_working_days",
                                          "receiving the gift", "EDC §3") if when else None
    if record.kind == "outside-work":
        start = spec.value(record, "start_date")
        return common.before(start, "the work starts", "EDC §4") if start else None
    return None


def who_may_decide(record: Record, ctx: Context) -> Deciders:
    """The line manager decides everything (§5)."""
    return common.deciders(record, ctx, common.line_manager(record, ctx), action="approve",
                           section="EDC §5")


def guide() -> Any:
    return Guide(
        start="start",
        sections=("EDC §3", "EDC §4", "EDC §5"),
        advice="Ask your line manager.",
        nodes={
            "start": Question("topic", "What is it about?", (
                Option("gift", "A gift", "gift.value"),
                Option("other-work", "Work outside the council", "work.start"),
                Option("unsure", "Something else", "unsure"))),
            "gift.value": Question("value_gbp", "What is it worth, in pounds?", type="money",
                                   then="gift.date"),
            "gift.date": Question("received_on", "When did you get it? (Enter for today)",
                                  type="date", then="gift.keep"),
            "gift.keep": Answer("declare", "Gifts under {gift_limit_gbp} may be kept if "
                                "recorded promptly.", "EDC §3", "gift", {"outcome": "kept"}),
            "work.start": Question("start_date", "When would it start?", type="date",
                                   then="work"),
            "work": Answer("declare", "Ask your line manager before you start.", "EDC §4, §5",
                           "outside-work"),
            "unsure": Answer("not-a-declaration", "Ask your line manager.", "EDC §5"),
        })


POLICY = Policy(
    name="example-council",
    title="Example District Council Code of Conduct (2026)",
    short="EDC",
    kinds=KINDS,
    parameters=PARAMETERS,
    rules=(gift_limit, common.date_order("outside-work-dates", "EDC §4", ("outside-work",),
                                          "start_date", "end_date")),
    deadline=deadline,
    who_may_decide=who_may_decide,
    guide=guide,
    not_offered={"criminal-matter": "the Example code has no section on criminal matters"},
)
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The example installed as a distribution with a `coc.policies` entry point."""
    site = tmp_path / "site"
    info = site / "coc_example_council-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "coc_example_council.py").write_text(EXAMPLE)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: coc-example-council\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[coc.policies]\nexample-council = coc_example_council:POLICY\n")
    monkeypatch.syspath_prepend(str(site))
    # the commit hook's own `coc` process runs isolated (python -I: no PYTHONPATH), so the
    # plugin is "installed" where pip would put it, coc's site-packages, for this test only
    pth = Path(sysconfig.get_paths()["purelib"]) / f"coc-test-plugin-{os.getpid()}.pth"
    pth.write_text(f"{site}\n")
    monkeypatch.delitem(registry._loaded, "example-council", raising=False)
    try:
        yield site
    finally:
        pth.unlink(missing_ok=True)
        registry._loaded.pop("example-council", None)


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args],
                              env={"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS["jsmith"]},
                              catch_exceptions=False)


@freeze_time("2026-11-25")
def test_third_council_plugin_checks_and_declares(plugin: Path, tmp_path: Path) -> None:
    assert "example-council" in registry.names()
    policy = registry.get_policy("example-council")
    assert problems(policy.guide(), policy) == [] and uncovered(policy.guide()) == []
    root = init_register(tmp_path / "reg", "example-council")

    kept = run(root, "check", "--json", "--answer", "topic=gift", "--answer", "value_gbp=40")
    out = json.loads(kept.stdout)
    assert out["verdict"] == "not-allowed" and out["findings"][0]["rule"] == "gift-limit"

    ok = json.loads(run(root, "check", "--json", "--answer", "topic=gift", "--answer",
                        "value_gbp=12").stdout)
    assert ok["verdict"] == "declare" and ok["deadline"] == "2026-12-09"
    assert ok["decided_by"]["people"][0]["id"] == "mjones"

    declared = run(root, "declare", "gift", *ok["declare"]["args"], "--donor", "A. Resident",
                   "--description", "Flowers", "--no-input", "--json")
    assert declared.exit_code == 0, declared.output
    refused = run(root, "declare", "criminal-matter", "--no-input")
    assert refused.exit_code == 1
    assert "no section on criminal matters" in refused.output
