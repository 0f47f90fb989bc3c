"""Status is derived from a record's facts, never stored (SPEC §3).

Each case is the record's history written as YAML, and the status it must give.
"""
from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from coc.registers.record import STATUSES, Record
from coc.registers.yamlio import load_fast

HEAD = """\
id: OUT-2026-K3F7Q2
kind: outside-work
declarant: jsmith
recorded_by: jsmith
declared_on: 2026-11-02
details: {organisation: Bedford College, role: Tutor, paid: true, start_date: 2027-01-11,
          hours_per_week: 6}
"""


def record(tail: str) -> Record:
    return Record(data=load_fast((HEAD + tail).encode(), "r.yaml"), path="r.yaml")


CASES = {
    "nothing decided": ("decisions: []\namendments: []\n", "submitted"),
    "no history keys at all": ("", "submitted"),
    "approved": ("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z}
""", "approved"),
    "rejected": ("""\
decisions:
  - {decision: rejected, by: mjones, at: 2026-11-03T09:00:00Z, reason: conflict}
""", "rejected"),
    "noted (a notification acknowledged)": ("""\
decisions:
  - {decision: noted, by: mjones, at: 2026-11-03T09:00:00Z}
""", "noted"),
    "approved with conditions, not yet accepted": ("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z, conditions: no weekends}
""", "approved"),
    "approved with conditions, accepted (Luton §19.7)": ("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z, conditions: no weekends}
  - {decision: conditions-accepted, by: jsmith, at: 2026-11-04T09:00:00Z}
""", "accepted"),
    "acceptance before the verdict does not count": ("""\
decisions:
  - {decision: conditions-accepted, by: jsmith, at: 2026-11-02T09:00:00Z}
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z, conditions: no weekends}
""", "approved"),
    "acceptance of an approval without conditions changes nothing": ("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z}
  - {decision: conditions-accepted, by: jsmith, at: 2026-11-04T09:00:00Z}
""", "approved"),
    "the latest verdict wins": ("""\
decisions:
  - {decision: rejected, by: mjones, at: 2026-11-03T09:00:00Z, reason: more detail}
  - {decision: approved, by: mjones, at: 2026-11-05T09:00:00Z}
""", "approved"),
    "an amendment needs a fresh decision": ("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z}
amendments:
  - {by: jsmith, at: 2026-12-01T09:00:00Z, changes: {hours_per_week: 10}}
""", "submitted"),
    "a decision on the amended details counts": ("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z}
  - {decision: rejected, by: mjones, at: 2026-12-02T09:00:00Z, details_version: 1}
amendments:
  - {by: jsmith, at: 2026-12-01T09:00:00Z, changes: {hours_per_week: 10}}
""", "rejected"),
    "ended after approval": ("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z}
ended: {by: jsmith, at: 2027-03-01T09:00:00Z, on: 2027-02-28, reason: course finished}
""", "ended"),
    "withdrawn while waiting": ("""\
withdrawn: {by: jsmith, at: 2026-11-03T09:00:00Z, reason: declared twice}
""", "withdrawn"),
    "withdrawn beats ended": ("""\
ended: {by: jsmith, at: 2027-03-01T09:00:00Z, reason: finished}
withdrawn: {by: jsmith, at: 2027-03-02T09:00:00Z, reason: wrong record}
""", "withdrawn"),
    "an empty withdrawn key is not a withdrawal": ("withdrawn:\n", "submitted"),
    "an unknown verdict is not a decision": ("""\
decisions:
  - {decision: maybe, by: mjones, at: 2026-11-03T09:00:00Z}
""", "submitted"),
}


@pytest.mark.parametrize("tail, expected", CASES.values(), ids=CASES.keys())
@freeze_time("2027-03-01")   # the day the last of these facts was recorded
def test_status_is_derived_from_the_history(tail, expected):
    assert expected in STATUSES
    assert record(tail).status == expected


def test_an_ending_takes_effect_on_its_day():
    """`ended.on` may be a planned day (up to a year ahead): until it comes, the record stands
    as decided and says when it ends; from that day it is ended."""
    tail = CASES["ended after approval"][0]
    with freeze_time("2027-02-27"):
        early = record(tail)
        assert (early.status, early.ending_on) == ("approved", date(2027, 2, 28))
        assert early.status_text == "approved, ending on 2027-02-28"
    with freeze_time("2027-02-28"):
        due = record(tail)
        assert (due.status, due.ending_on, due.status_text) == ("ended", None, "ended")


HAND_EDITED = {
    "decisions is a number": "decisions: 5\n",
    "decisions is a mapping": "decisions: {decision: approved}\n",
    "decisions is text": "decisions: approved\n",
    "amendments is a number": "amendments: 5\n",
    "entries are not mappings": "decisions: [5, approved, [1]]\namendments: [x]\n",
    "details_version is text": "decisions:\n  - {decision: approved, by: mjones, details_version: x}\n",
    "details_version is a bool": "decisions:\n  - {decision: approved, by: mjones, details_version: true}\n",
    "details is a list": "",
}


@pytest.mark.parametrize("tail", HAND_EDITED.values(), ids=HAND_EDITED.keys())
def test_status_of_a_hand_edited_record_never_crashes(tail):
    """`coc list` and `coc show` derive status from whatever is in the file; validate reports it."""
    rec = record(tail)
    assert rec.status in STATUSES
    assert isinstance(rec.decisions, list) and isinstance(rec.amendments, list)
    assert isinstance(rec.version, int)


def test_details_version_true_is_not_version_one():
    rec = record("""\
decisions:
  - {decision: approved, by: mjones, at: 2026-11-03T09:00:00Z, details_version: true}
amendments:
  - {by: jsmith, at: 2026-12-01T09:00:00Z}
""")
    assert rec.status == "submitted"


def test_record_accessors_tolerate_missing_and_odd_values():
    rec = Record(data={"id": 123, "details": [1, 2], "declared_on": "not a date"})
    assert rec.id == "123" and rec.kind == "" and rec.declarant == ""
    assert rec.details == {} and rec.declared_on is None and rec.year is None
    assert rec.recorded_by == ""
    assert Record(data={"declarant": "jsmith"}).recorded_by == "jsmith"
    assert record("").year == 2026
