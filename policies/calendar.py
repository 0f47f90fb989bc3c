"""Working days on a UK nation's calendar: weekends and that nation's bank holidays.

The bank holidays come from the `holidays` package (GB with the nation's subdivision), with
substitute days ("Boxing Day (observed)") included, so a deadline never lands on a day the
council is closed. It is imported only when a deadline is computed (it costs ~120 ms).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coc.registers.errors import CocError

# coc.yaml `calendar:` -> the `holidays` package's subdivision of GB
SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


class WorkingCalendar:
    def __init__(self, name: str = "england-and-wales") -> None:
        if name not in SUBDIVISIONS:
            raise CocError(f"unknown calendar {name!r} (known: {', '.join(SUBDIVISIONS)})",
                           path="coc.yaml", field="calendar")
        self.name = name
        self.subdivision = SUBDIVISIONS[name]
        self._holidays: Any = None
        # (start, days) -> date: a register's records share their dates, so validating 10,000
        # of them asks the same few hundred questions over and over
        self._added: dict[tuple[date, int], date] = {}

    def _bank_holidays(self) -> Any:
        if self._holidays is None:
            import holidays

            self._holidays = holidays.country_holidays("GB", subdiv=self.subdivision)
        return self._holidays

    def holiday_name(self, day: date) -> str | None:
        name = self._bank_holidays().get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._bank_holidays()

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
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Bank holidays on working weekdays after `start` up to and including `end`."""
        out, current = [], start
        while current < end:
            current += timedelta(days=1)
            name = self.holiday_name(current) if current.weekday() < 5 else None
            if name:
                out.append((current, name))
        return out
