"""Working days on a UK nation's calendar: weekends and that nation's bank holidays.

The bank holidays come from the `holidays` package (GB with the nation's subdivision), with
substitute days ("Boxing Day (observed)") included, so a deadline never lands on a day the
council is closed. Importing that package costs 80-140 ms (it loads every country), more than
a pre-commit hook's whole budget, so each year's bank holidays, once computed, are kept in a
small JSON file under `.git/coc/`, keyed by the installed package, and the package is
imported only for a year not seen before.
"""
from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

from coc.registers.errors import CocError

# coc.yaml `calendar:` -> the `holidays` package's subdivision of GB
SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


class WorkingCalendar:
    def __init__(self, name: str = "england-and-wales", cache_dir: Path | None = None) -> None:
        if name not in SUBDIVISIONS:
            raise CocError(f"unknown calendar {name!r} (known: {', '.join(SUBDIVISIONS)})",
                           path="coc.yaml", field="calendar")
        self.name = name
        self.subdivision = SUBDIVISIONS[name]
        self._cache_file = cache_dir / f"bank-holidays-{self.subdivision}.json" if cache_dir \
            else None
        self._years: dict[int, dict[date, str]] | None = None
        # (start, days) -> date: a register's records share their dates, so validating 10,000
        # of them asks the same few hundred questions over and over
        self._added: dict[tuple[date, int], date] = {}
        self._between: dict[tuple[date, date], list[tuple[date, str]]] = {}

    def _year(self, year: int) -> dict[date, str]:
        """That year's bank holidays, from the cache file or else from the `holidays` package."""
        if self._years is None:
            self._years = _read_cache(self._cache_file)
        if year not in self._years:
            import holidays

            found = holidays.country_holidays("GB", subdiv=self.subdivision,
                                              years=range(year - 1, year + 3))
            for y in range(year - 1, year + 3):
                self._years.setdefault(y, {d: str(n) for d, n in found.items() if d.year == y})
            _write_cache(self._cache_file, self._years)
        return self._years[year]

    def holiday_name(self, day: date) -> str | None:
        return self._year(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._year(day.year)

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (0 = `start` itself, or the next working day)."""
        key = (start, days)
        if key not in self._added:
            self._added[key] = self._add_working_days(start, days)
        return self._added[key]

    def _add_working_days(self, start: date, days: int) -> date:
        current = start
        if days == 0:
            while not self.is_working_day(current):
                current += timedelta(days=1)
            return current
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def next_working_day(self, start: date) -> date:
        return self.add_working_days(start, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        # weekdays by arithmetic, then the bank holidays on weekdays: years of waiting cost a
        # few steps, not a step a day (`coc inbox` asks it of every waiting record)
        weeks, rest = divmod((end - start).days, 7)
        count, current = weeks * 5, start + timedelta(weeks=weeks)
        for _ in range(rest):
            current += timedelta(days=1)
            count += current.weekday() < 5
        for year in range(start.year, end.year + 1):
            count -= sum(1 for day in self._year(year)
                         if start < day <= end and day.weekday() < 5)
        return count

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Bank holidays on working weekdays after `start` up to and including `end` (remembered,
        as `add_working_days`: validate asks the same few hundred spans of every record)."""
        key = (start, end)
        if key not in self._between:
            self._between[key] = self._holidays_between(start, end)
        return list(self._between[key])

    def _holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        out, current = [], start
        while current < end:
            current += timedelta(days=1)
            name = self.holiday_name(current) if current.weekday() < 5 else None
            if name:
                out.append((current, name))
        return out


def _package_key() -> str:
    """Which `holidays` is installed (its file and when it was written), without importing it:
    an upgrade brings new bank holidays, so it starts a fresh cache."""
    from importlib.util import find_spec

    spec = find_spec("holidays")
    origin = spec.origin if spec and spec.origin else ""
    try:
        return f"{origin}:{os.stat(origin).st_mtime_ns}"
    except OSError:
        return origin


def _read_cache(path: Path | None) -> dict[int, dict[date, str]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("package") != _package_key():
            return {}
        return {int(y): {date.fromisoformat(d): str(n) for d, n in days.items()}
                for y, days in data["years"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}   # no cache, or one this version cannot read: compute afresh


def _write_cache(path: Path | None, years: dict[int, dict[date, str]]) -> None:
    """Best effort: a register without `.git/`, or read-only, simply goes without a cache."""
    if path is None:
        return
    data = {"package": _package_key(),
            "years": {str(y): {d.isoformat(): n for d, n in sorted(days.items())}
                      for y, days in sorted(years.items())}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=0), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass

