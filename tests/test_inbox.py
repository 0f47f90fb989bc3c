"""`coc inbox` and `coc list --awaiting` through the real CLI on a real Luton register, the
clock frozen (freezegun) to watch working days pass.

Declarations are made on Monday 4 January 2027 (Friday 1 January was a bank holiday) and the
days after; each test asks what waits for whom on a later day.
"""
from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from coc.cli.init import init_register
from coc.cli.main import cli
from conftest import EXAMPLE_EMAILS

DAY0 = "2027-01-04"
GIT_ENV = ("HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "GIT_COMMITTER_DATE",
           "GIT_AUTHOR_DATE")


def run(root: Path, *args: str, user: str = "jsmith") -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args],
                              env={"GIT_AUTHOR_EMAIL": EXAMPLE_EMAILS.get(user, user)},
                              catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def declare(root: Path, kind: str, *flags: str, user: str) -> str:
    result = ok(run(root, "declare", kind, *flags, "--no-input", "--json", user=user))
    return str(json.loads(result.output)["id"])


def items(root: Path, user: str, *extra: str) -> list[dict[str, Any]]:
    return json.loads(ok(run(root, "inbox", "--json", *extra, user=user)).output)


def outside_work(root: Path, user: str, start: str = "2027-03-01") -> str:
    return declare(root, "outside-work", "--organisation", "Evening classes", "--role", "Tutor",
                   "--paid", "yes", "--start-date", start, "--hours-per-week", "3",
                   "--working-pattern", "Tuesday evenings", user=user)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n"
                                     "[commit]\n\tgpgsign = false\n")
    saved = {k: os.environ.get(k) for k in GIT_ENV}
    os.environ.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1",
                      GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
                      GIT_COMMITTER_DATE="2026-06-01T09:00:00Z",
                      GIT_AUTHOR_DATE="2026-06-01T09:00:00Z")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def register(env: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("inbox") / "register"
    init_register(root, "luton")
    del os.environ["GIT_COMMITTER_DATE"], os.environ["GIT_AUTHOR_DATE"]
    ids: dict[str, Any] = {"root": root}
    with freeze_time(DAY0):
        ids["crm"] = declare(root, "criminal-matter", "--event", "arrest", "--event-date", DAY0,
                             "--subject", "self", user="jsmith")
        ids["cond"] = outside_work(root, "jsmith")
        ok(run(root, "approve", ids["cond"], "--conditions",
               "Not in working hours\nrun: rm -rf /", user="mjones"))
        # agreen declares a relationship with her line manager: he may not decide for her
        ids["rel"] = declare(root, "relationship", "--other-person", "mjones", "--relationship",
                             "partner", "--context", "line-management", user="agreen")
        ids["agreen"] = outside_work(root, "agreen")
    with freeze_time("2027-01-05"):
        ids["later"] = outside_work(root, "pbrown")
    return ids


def test_the_approvers_inbox_oldest_first_with_deadline_and_working_days_waited(register):
    root = register["root"]
    with freeze_time("2027-01-18"):       # ten working days after Monday 4 January
        mine = items(root, "mjones")
    assert [i["id"] for i in mine] == [register["crm"], register["later"]]
    crm, later = mine
    assert crm["action"] == "acknowledge" and crm["role"] == "approver"
    assert crm["waited_working_days"] == 10 and crm["since"] == DAY0
    assert crm["deadline"] == "2027-01-05" and crm["overdue"] is True
    assert crm["section"] == "Luton §17.2" and crm["command"] == f"coc approve {register['crm']}"
    assert later["action"] == "approve" and later["waited_working_days"] == 9
    assert later["deadline"] == "2027-01-19" and later["overdue"] is False   # 10 WD after 5 Jan
    assert later["section"] == "coc.yaml practice.decision_period_working_days"
    assert later["also"] == f"coc reject {register['later']} --reason TEXT"


def test_the_inbox_names_exactly_whom_who_must_act_names(register):
    """Someone with a declared relationship is passed over, in the inbox as by `coc approve`."""
    root = register["root"]
    shown = ok(run(root, "show", register["agreen"], "--json")).output
    awaiting = {p["id"] for p in json.loads(shown)["awaiting"]["people"]}
    assert "mjones" not in awaiting and awaiting
    assert register["agreen"] not in {i["id"] for i in items(root, "mjones")}
    for person in awaiting:
        assert register["agreen"] in {i["id"] for i in items(root, person)}
    refused = run(root, "approve", register["agreen"], user="mjones")
    assert refused.exit_code == 1


def test_the_inbox_reads_who_must_act_and_never_works_it_out_again(register, monkeypatch):
    """Change the one shared answer and the inbox follows it: it has no answer of its own."""
    from coc.policies import engine
    from coc.policies.base import Authority, Deciders

    real = engine.who_must_act

    def only_the_chief_executive(record, ctx):
        found = real(record, ctx)
        if found is None:
            return None
        return Deciders((Authority(ctx.people.get("ccarter"), "stand-in"),), found.action)

    monkeypatch.setattr(engine, "who_must_act", only_the_chief_executive)
    with freeze_time("2027-01-06"):
        assert items(register["root"], "mjones") == []
        assert {i["id"] for i in items(register["root"], "ccarter")} >= {register["crm"],
                                                                         register["later"]}


def test_the_declarants_inbox_conditions_and_follow_ups(register):
    root = register["root"]
    with freeze_time("2027-01-06"):
        mine = ok(run(root, "inbox", user="jsmith")).output
        data = items(root, "jsmith")
    assert {(i["action"], i["id"]) for i in data} == {("accept conditions", register["cond"]),
                                                      ("follow up", register["crm"])}
    assert "To do, as declarant (2):" in mine
    assert f"run: coc accept {register['cond']}" in mine
    assert f"run: coc declare criminal-matter --follows {register['crm']}" in mine
    # the conditions' line break is printed escaped: it cannot fake a line of output
    assert "Not in working hours\\nrun: rm -rf /" in mine
    assert "\nrun: rm -rf" not in mine and "To decide" not in mine


def test_a_follow_up_is_owed_until_the_outcome(tmp_path, env):
    root = tmp_path / "r"
    init_register(root, "luton")
    with freeze_time("2027-02-01"):
        arrest = declare(root, "criminal-matter", "--event", "arrest", "--event-date",
                         "2027-02-01", "--subject", "self", user="kpatel")
        development = declare(root, "criminal-matter", "--event", "development", "--event-date",
                              "2027-02-01", "--subject", "self", "--follows", arrest,
                              user="kpatel")
        assert [i["id"] for i in items(root, "kpatel")] == [arrest]   # still open
        declare(root, "criminal-matter", "--event", "outcome", "--event-date", "2027-02-01",
                "--subject", "self", "--follows", development, user="kpatel")
        assert items(root, "kpatel") == []


def test_milton_keynes_asks_for_no_follow_ups(tmp_path, env):
    root = tmp_path / "r"
    init_register(root, "milton-keynes")
    with freeze_time("2027-02-01"):
        declare(root, "criminal-matter", "--event", "charge", "--event-date", "2027-02-01",
                "--subject", "self", user="kpatel")
        assert items(root, "kpatel") == []
        assert [i["action"] for i in items(root, "ddavies")] == ["acknowledge"]


def test_an_overdue_attestation_is_in_the_declarants_inbox(register):
    with freeze_time("2027-04-01"):
        mine = items(register["root"], "kpatel")
    (attest,) = [i for i in mine if i["action"] == "attest"]
    assert attest["deadline"] == "2027-03-31" and attest["overdue"] is True
    assert attest["section"] == "coc.yaml practice.yearly_attestation"
    assert attest["command"] == "coc declare attestation --year 2027"
    with freeze_time("2027-03-31"):
        assert not [i for i in items(register["root"], "kpatel") if i["action"] == "attest"]


def test_the_inbox_is_yours_by_default_and_anyones_by_id_name_or_email(register):
    root = register["root"]
    with freeze_time("2027-01-06"):
        mine = items(root, "mjones")
        for given in ("mjones", "Max Jones", "max.jones@example.gov.uk"):
            assert items(root, "jsmith", "--for", given) == mine
    wrong = run(root, "inbox", "--for", "nobody")
    assert wrong.exit_code == 1 and "no one 'nobody' in people.yaml" in wrong.output
    stranger = run(root, "inbox", user="stranger@example.org")
    assert stranger.exit_code == 1 and "stranger@example.org" in stranger.output


def test_an_empty_inbox_prints_nothing(register):
    with freeze_time("2027-01-06"):
        result = ok(run(register["root"], "inbox", user="hreed"))
    assert result.output == ""


def test_list_awaiting_filters_by_the_same_items(register):
    root = register["root"]
    with freeze_time("2027-01-06"):
        listed = json.loads(ok(run(root, "list", "--awaiting", "mjones", "--json")).output)
        expected = {i["id"] for i in items(root, "mjones")}
        mine = json.loads(ok(run(root, "list", "--awaiting", "jsmith", "--json")).output)
    assert {r["id"] for r in listed} == expected and expected
    assert {r["id"] for r in mine} == {register["cond"], register["crm"]}
    assert run(root, "list", "--awaiting", "nobody").exit_code == 1


def test_working_days_between_counts_as_the_calendar_does(tmp_path):
    """The fast count agrees with stepping day by day, across bank holidays and years."""
    from coc.policies.calendar import WorkingCalendar

    calendar = WorkingCalendar("england-and-wales")
    start = date(2025, 12, 19)
    for span in (0, 1, 2, 3, 6, 7, 8, 13, 14, 15, 30, 400, 800):
        end = start + timedelta(days=span)
        slow, day = 0, start
        while day < end:
            day += timedelta(days=1)
            slow += calendar.is_working_day(day)
        assert calendar.working_days_between(start, end) == slow, span
    assert calendar.working_days_between(date(2027, 1, 4), date(2027, 1, 1)) == 0


def test_a_restricted_record_waits_only_for_those_who_have_the_restricted_register(tmp_path, env):
    import shutil

    main, restricted = tmp_path / "main", tmp_path / "restricted"
    init_register(main, "luton", restricted=restricted)
    with freeze_time("2027-02-01"):
        notice = declare(main, "criminal-matter", "--event", "caution", "--event-date",
                         "2027-02-01", "--subject", "self", user="jsmith")
        (item,) = items(main, "mjones")
        assert item["id"] == notice and item["path"].startswith("../restricted/registers/")
        listed = json.loads(ok(run(main, "list", "--awaiting", "mjones", "--json")).output)
        assert [r["id"] for r in listed] == [notice]
        shutil.move(str(restricted), str(tmp_path / "elsewhere"))   # a clone without it
        assert items(main, "mjones") == []


def test_a_source_added_by_another_part_of_coc_reaches_every_reader(register, monkeypatch,
                                                                   tmp_path):
    """The extension point (campaign returns will use it): one function, every reader."""
    from coc.policies import inbox as inbox_module

    def campaign(inputs):
        yield inbox_module.new_item(
            inputs, person="hreed", role="declarant", action="return", record_id=None,
            kind="attestation", declarant="hreed", since=date(2027, 1, 4),
            deadline=date(2027, 1, 5), basis="the campaign's window", section="coc.yaml campaigns",
            why="the 2027 return", command="coc declare attestation --year 2027")

    monkeypatch.setattr(inbox_module, "SOURCES", list(inbox_module.SOURCES))
    inbox_module.add_source(campaign)
    root = register["root"]
    with freeze_time("2027-01-06"):
        (item,) = items(root, "hreed")
        mail = ok(run(root, "remind", "--out", str(tmp_path / "mail")))
    assert item["action"] == "return" and item["overdue"] is True
    assert item["waited_working_days"] == 2
    assert "coc declare attestation --year 2027" in (tmp_path / "mail" / "hreed.eml").read_text()
    assert "Wrote hreed" in mail.output
