"""Reference periods of observations, written compactly in the source files.

``2023``            the year 2023
``2023-07``         July 2023
``2020-11-01``      one day (e.g. a census moment)
``2023-01..2023-09`` from the start of January to the end of September 2023
``..2022-12-31``    as of the end of that day (a stock figure)
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

_PART = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime.date | None
    end: datetime.date
    label_zh: str
    label_en: str

    @property
    def slug(self) -> str:
        if self.key.startswith(".."):
            return "as-of-" + self.key[2:]
        return self.key.replace("..", "--")


def _bounds(part: str) -> tuple[datetime.date, datetime.date, str, str]:
    m = _PART.match(part)
    if not m:
        raise ValueError(f"'{part}' is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    if day:
        d = datetime.date(year, month, day)
        return d, d, f"{year}年{month}月{day}日", f"{day} {_MONTHS[month - 1]} {year}"
    if month:
        if not 1 <= month <= 12:
            raise ValueError(f"'{part}' has no month {month}")
        last = calendar.monthrange(year, month)[1]
        return (datetime.date(year, month, 1), datetime.date(year, month, last),
                f"{year}年{month}月", f"{_MONTHS[month - 1]} {year}")
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年", str(year)


def parse_period(key: str) -> Period:
    """Parse a period key; raise ``ValueError`` with a readable message if it is malformed."""
    key = str(key).strip()
    try:
        if key.startswith(".."):
            _, end, zh, en = _bounds(key[2:])
            return Period(key, None, end, f"截至{zh}", f"as of {en}")
        if ".." in key:
            first, last = key.split("..", 1)
            start, _, zh1, en1 = _bounds(first)
            _, end, zh2, en2 = _bounds(last)
            if end < start:
                raise ValueError(f"the period ends before it starts")
            return Period(key, start, end, f"{zh1}至{zh2}", f"{en1} to {en2}")
        start, end, zh, en = _bounds(key)
        return Period(key, start, end, zh, en)
    except ValueError as e:
        raise ValueError(f"period '{key}': {e}") from None
