"""FHIR dates (``2018``, ``2018-05``, ``2018-05-03``, full instants) as calendar dates."""

from __future__ import annotations

import datetime as dt
from typing import Any


def parse(value: Any) -> dt.date | None:
    """A FHIR date, dateTime or instant as a date (partial dates at their first day)."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    try:
        if len(value) == 4:
            return dt.date(int(value), 1, 1)
        if len(value) == 7:
            return dt.date(int(value[:4]), int(value[5:7]), 1)
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def today() -> dt.date:
    """Today's date (UTC)."""
    return dt.datetime.now(dt.UTC).date()


def weeks_between(start: dt.date | None, end: dt.date | None) -> float | None:
    """Whole weeks (one decimal) from start to end, or to today when there is no end."""
    if start is None:
        return None
    return round(max(0, ((end or today()) - start).days) / 7, 1)


def months_ago(when: dt.date | None) -> float | None:
    """Months (one decimal) from a date to today."""
    if when is None:
        return None
    return round(max(0, (today() - when).days) / 30.44, 1)


def age_on(born: dt.date, on: dt.date) -> int:
    """Age in whole years on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
