"""Working-day deadlines on the register's calendar (SPEC §4): England & Wales by default,
Scotland and Northern Ireland selectable, bank holidays and substitute days from `holidays`.

The rules are tested directly on `WorkingCalendar` and the deadline helpers of
`policies.common`; two tests go through the real CLI to prove `coc.yaml`'s `calendar:` is the
one used and that a deadline counts from the event, not from today.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from freezegun import freeze_time

from coc.policies import common
from coc.policies.base import Context
from coc.policies.calendar import WorkingCalendar
from coc.policies.registry import get_policy
from coc.registers.config import DEFAULT_GRADES
from coc.registers.errors import CocError
from coc.registers.people import load_people
from conftest import git

D = date.fromisoformat
EXAMPLE = Path(__file__).resolve().parents[1] / "templates" / "register" / "people.example.yaml"
PEOPLE = load_people(EXAMPLE, DEFAULT_GRADES)


def ctx(calendar: str = "england-and-wales", policy: str = "milton-keynes", **params: object
        ) -> Context:
    chosen = get_policy(policy)
    return Context(people=PEOPLE, parameters=chosen.resolve_parameters(params),
                   calendar_name=calendar, policy=chosen)


@pytest.fixture(scope="module")
def cals() -> dict[str, WorkingCalendar]:
    return {name: WorkingCalendar(name) for name in
            ("england-and-wales", "scotland", "northern-ireland")}


# --- Christmas and substitute days -------------------------------------------------------------

def test_christmas_2027_substitute_days_are_not_working_days_anywhere(cals):
    # 25 and 26 December 2027 fall on a weekend: Monday 27 and Tuesday 28 are the substitutes.
    for cal in cals.values():
        assert not cal.is_working_day(D("2027-12-27"))
        assert not cal.is_working_day(D("2027-12-28"))
        assert cal.is_working_day(D("2027-12-29"))
        assert cal.next_working_day(D("2027-12-24")) == D("2027-12-29")


def test_next_working_day_over_christmas_2027_names_the_days_it_skips():
    deadline = common.next_working_day(ctx(), D("2027-12-24"), "the arrest", "Luton §17.2")
    assert deadline.due == D("2027-12-29")
    assert "Christmas Day (observed) 2027-12-27" in deadline.basis
    assert "Boxing Day (observed) 2027-12-28" in deadline.basis


def test_christmas_2026_on_a_friday_then_boxing_day_substitute_on_monday(cals):
    # 2026: Christmas Friday, Boxing Day Saturday -> substitute Monday 28 December.
    cal = cals["england-and-wales"]
    assert cal.next_working_day(D("2026-12-24")) == D("2026-12-29")


# --- Easter -----------------------------------------------------------------------------------

def test_easter_monday_is_a_bank_holiday_in_england_and_wales_not_in_scotland(cals):
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    assert cals["england-and-wales"].next_working_day(D("2027-03-25")) == D("2027-03-30")
    assert cals["northern-ireland"].next_working_day(D("2027-03-25")) == D("2027-03-30")
    assert cals["scotland"].next_working_day(D("2027-03-25")) == D("2027-03-29")
    assert cals["scotland"].holiday_name(D("2027-03-26")) == "Good Friday"


# --- Scotland ---------------------------------------------------------------------------------

def test_scotland_2_january_is_a_bank_holiday(cals):
    assert cals["england-and-wales"].next_working_day(D("2026-01-01")) == D("2026-01-02")
    assert cals["scotland"].next_working_day(D("2026-01-01")) == D("2026-01-05")


def test_scotland_2_january_on_a_saturday_is_substituted_on_monday(cals):
    # 2027: 1 January Friday, 2 January Saturday -> Monday 4 January off in Scotland only.
    assert cals["scotland"].next_working_day(D("2026-12-31")) == D("2027-01-05")
    assert cals["england-and-wales"].next_working_day(D("2026-12-31")) == D("2027-01-04")


def test_scotland_st_andrews_day_and_august_bank_holiday(cals):
    scotland, england = cals["scotland"], cals["england-and-wales"]
    assert not scotland.is_working_day(D("2026-11-30")) and england.is_working_day(D("2026-11-30"))
    # Summer bank holiday: first Monday of August in Scotland, last Monday in England & Wales.
    assert not scotland.is_working_day(D("2026-08-03")) and england.is_working_day(D("2026-08-03"))
    assert scotland.is_working_day(D("2026-08-31")) and not england.is_working_day(D("2026-08-31"))


# --- Northern Ireland -------------------------------------------------------------------------

def test_northern_ireland_st_patricks_day(cals):
    assert cals["northern-ireland"].next_working_day(D("2026-03-16")) == D("2026-03-18")
    assert cals["england-and-wales"].next_working_day(D("2026-03-16")) == D("2026-03-17")
    assert cals["scotland"].next_working_day(D("2026-03-16")) == D("2026-03-17")


def test_northern_ireland_battle_of_the_boyne_substitute(cals):
    # 12 July 2026 is a Sunday: Monday 13 July is the holiday in Northern Ireland only.
    assert not cals["northern-ireland"].is_working_day(D("2026-07-13"))
    assert cals["england-and-wales"].is_working_day(D("2026-07-13"))


def test_unknown_calendar_is_a_clear_error():
    with pytest.raises(CocError, match="unknown calendar 'wales'.*england-and-wales"):
        WorkingCalendar("wales")


# --- the deadline helpers ---------------------------------------------------------------------

def test_same_day_straight_away_on_a_working_day_is_that_day():
    deadline = common.same_day(ctx(), D("2026-11-24"), "the barring", "MK §1")
    assert deadline.due == D("2026-11-24")
    assert deadline.basis.startswith("straight away")


def test_same_day_straight_away_on_a_bank_holiday_is_the_next_working_day():
    deadline = common.same_day(ctx(), D("2027-12-25"), "the barring", "MK §1")
    assert deadline.due == D("2027-12-29")
    assert "not a working day" in deadline.basis


def test_as_soon_as_possible_defaults_to_one_working_day_and_says_so():
    deadline = common.within_working_days(ctx(), D("2026-11-27"), "asap_working_days",
                                          "the caution", "MK §1")
    assert deadline.due == D("2026-11-30")     # Friday -> Monday
    assert "parameters.asap_working_days = 1, the policy's default" in deadline.basis


def test_as_soon_as_possible_from_coc_yaml_counts_working_days_and_says_so():
    deadline = common.within_working_days(ctx(asap_working_days=3), D("2027-12-23"),
                                          "asap_working_days", "the caution", "MK §1")
    assert deadline.due == D("2027-12-30")     # 24, (27, 28 off), 29, 30
    assert "set in coc.yaml" in deadline.basis


def test_before_start_is_the_start_date_itself():
    # Declaring on the day the work starts, before starting, is on time.
    deadline = common.before(D("2026-11-24"), "the work starts", "MK §7")
    assert deadline.due == D("2026-11-24")


# --- through the real CLI ---------------------------------------------------------------------

def _set_calendar(root: Path, name: str) -> None:
    path = root / "coc.yaml"
    path.write_text(path.read_text().replace("calendar: england-and-wales", f"calendar: {name}"))
    git(root, "commit", "-qam", f"calendar: {name}", email="morgan.okafor@example.gov.uk")


@freeze_time("2026-11-28")
def test_cli_scottish_register_skips_st_andrews_day(make_register, coc):
    root = make_register("luton")
    _set_calendar(root, "scotland")
    out = coc(root, "declare", "criminal-matter", "--event", "arrest", "--event-date",
              "2026-11-27", "--subject", "self", "--no-input", "--json")
    assert out.exit_code == 0, out.output
    shown = json.loads(coc(root, "show", json.loads(out.stdout)["id"], "--json").stdout)
    assert shown["deadline"] == "2026-12-01"
    assert "Saint Andrew's Day 2026-11-30" in shown["deadline_basis"]


@freeze_time("2026-12-10")
def test_cli_deadline_counts_from_the_event_not_from_today(make_register, coc):
    root = make_register("luton")
    late = coc(root, "declare", "criminal-matter", "--event", "arrest", "--event-date",
               "2026-11-27", "--subject", "self", "--no-input")
    assert late.exit_code == 1
    assert "after the deadline 2026-11-30" in late.output and "late_reason" in late.output
    out = coc(root, "declare", "criminal-matter", "--event", "arrest", "--event-date",
              "2026-11-27", "--subject", "self", "--late-reason", "I was in hospital",
              "--no-input", "--json")
    assert out.exit_code == 0, out.output
    shown = json.loads(coc(root, "show", json.loads(out.stdout)["id"], "--json").stdout)
    assert shown["deadline"] == "2026-11-30"
    assert [f["severity"] for f in shown["findings"] if f["rule"] == "deadline"] == ["info"]


def test_bank_holidays_are_cached_so_the_package_is_not_imported_again(tmp_path):
    """The `holidays` import costs more than a hook's budget (SPEC §7): once a year's bank
    holidays are known they come from .git/coc/, and the package is not imported at all."""
    import subprocess
    import sys

    script = (
        "import sys; from datetime import date; from pathlib import Path\n"
        "from coc.policies.calendar import WorkingCalendar\n"
        f"cal = WorkingCalendar('scotland', Path({str(tmp_path)!r}))\n"
        "print(cal.is_working_day(date(2027, 1, 4)), cal.holiday_name(date(2026, 11, 30)),\n"
        "      'holidays' in sys.modules)\n")

    def run() -> str:
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True).stdout.strip()

    assert run() == "False Saint Andrew's Day True"      # computed, and written down
    assert (tmp_path / "bank-holidays-SCT.json").is_file()
    assert run() == "False Saint Andrew's Day False"     # from the file alone


def test_a_damaged_or_stale_holiday_cache_is_ignored(tmp_path):
    cache = tmp_path / "bank-holidays-ENG.json"
    cache.write_text('{"package": "some other version", "years": {"2026": {}}}')
    assert not WorkingCalendar("england-and-wales", tmp_path).is_working_day(date(2026, 12, 25))
    cache.write_text("{not json")
    assert not WorkingCalendar("england-and-wales", tmp_path).is_working_day(date(2026, 12, 28))
    assert '"2026-12-28": "Boxing Day (observed)"' in cache.read_text().replace("\n", "")
