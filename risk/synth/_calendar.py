"""When applications arrive: a daily intensity with weekday, holiday and festival effects."""

from __future__ import annotations

import datetime as dt

import numpy as np

# Eid al-Fitr and Chinese New Year (first day); other years are extrapolated.
_EID = {
    2019: "06-05",
    2020: "05-24",
    2021: "05-13",
    2022: "05-02",
    2023: "04-21",
    2024: "04-10",
    2025: "03-30",
    2026: "03-20",
    2027: "03-10",
    2028: "02-27",
    2029: "02-14",
    2030: "02-05",
    2031: "01-25",
    2032: "01-14",
}
_CNY = {
    2019: "02-05",
    2020: "01-25",
    2021: "02-12",
    2022: "02-01",
    2023: "01-22",
    2024: "02-10",
    2025: "01-29",
    2026: "02-17",
    2027: "02-06",
    2028: "01-26",
    2029: "02-13",
    2030: "02-03",
    2031: "01-23",
    2032: "02-11",
}
# Month effects: northern summer, Australian school holidays (Jun-Jul), year-end peak.
_MONTH = np.array([1.05, 0.95, 0.95, 1.0, 0.95, 1.05, 1.25, 1.2, 1.0, 0.95, 0.95, 1.25])
# Monday..Sunday; online channels soften the weekend dip.
_WEEKDAY = np.array([1.2, 1.15, 1.1, 1.1, 1.05, 0.75, 0.65])


def eid_al_fitr(year: int) -> dt.date:
    """First day of Eid al-Fitr (tabulated, else ~10.9 days earlier each year)."""
    if year in _EID:
        return dt.date.fromisoformat(f"{year}-{_EID[year]}")
    base = dt.date.fromisoformat(f"2024-{_EID[2024]}")
    shifted = base + dt.timedelta(days=round(-10.875 * (year - 2024)))
    return shifted.replace(year=year) if shifted.year != year else shifted


def chinese_new_year(year: int) -> dt.date:
    """First day of the Chinese New Year (tabulated, else 1 February)."""
    return dt.date.fromisoformat(f"{year}-{_CNY.get(year, '02-01')}")


def daily_weights(start: dt.date, days: int, *, muslim: bool = False) -> np.ndarray:
    """Relative application intensity for each day of the window.

    Parameters
    ----------
    start, days
        First day and length of the window.
    muslim
        Apply the Ramadan dip and the Eid al-Fitr peak (Muslim-majority nationalities).
    """
    dates = np.arange(np.datetime64(start), np.datetime64(start) + days, dtype="datetime64[D]")
    month = dates.astype("datetime64[M]").astype(int) % 12
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    w = _MONTH[month] * _WEEKDAY[weekday]
    w *= 1.0 + 0.08 * np.arange(days) / 365.25  # steady growth of travel
    years = range(start.year - 1, (start + dt.timedelta(days=days)).year + 2)
    for year in years:
        w *= _bump(dates, dt.date(year, 12, 10), 20, 1.3)  # Christmas and New Year
        w *= _bump(dates, chinese_new_year(year) - dt.timedelta(days=10), 14, 1.25)
        if muslim:
            eid = eid_al_fitr(year)
            w *= _bump(dates, eid - dt.timedelta(days=30), 27, 0.6)  # Ramadan: fewer trips
            w *= _bump(dates, eid - dt.timedelta(days=3), 14, 1.9)  # Eid holidays
    return w


def _bump(dates: np.ndarray, first: dt.date, length: int, factor: float) -> np.ndarray:
    lo = np.datetime64(first)
    inside = (dates >= lo) & (dates < lo + length)
    return np.where(inside, factor, 1.0)
