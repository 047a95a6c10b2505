"""When people buy: the shopping calendar of a Vietnamese retailer.

Tết (the lunar new year) dominates: buying climbs over the three to four weeks before it, stops
during the holiday and stays quiet for a month after. Marketplaces add one-day sales on
double dates (9.9, 10.10, 11.11, 12.12), and 8/3 and 20/10 are gift days for women.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._arrow import DAY_US, BoolArray, FloatArray, IntArray
from ._groups import PlantedGroup

#: First day of the lunar new year (mùng 1 Tết).
# fmt: off
TET_DATES: tuple[dt.date, ...] = (
    dt.date(2019, 2, 5), dt.date(2020, 1, 25), dt.date(2021, 2, 12), dt.date(2022, 2, 1),
    dt.date(2023, 1, 22), dt.date(2024, 2, 10), dt.date(2025, 1, 29), dt.date(2026, 2, 17),
    dt.date(2027, 2, 6), dt.date(2028, 1, 26), dt.date(2029, 2, 13), dt.date(2030, 2, 2),
)
#: Marketplace double-date sales (month, day) and their strength.
SALE_DAYS: dict[tuple[int, int], float] = {
    (6, 6): 0.5, (7, 7): 0.5, (8, 8): 0.6, (9, 9): 1.0, (10, 10): 0.8, (11, 11): 1.6, (12, 12): 1.3,
}
# fmt: on
GIFT_DAYS: tuple[tuple[int, int], ...] = ((3, 8), (10, 20), (2, 14))
#: Hour-of-day weights by channel family: online peaks at lunch and late evening, stores in
#: the late afternoon, B2B in office hours.
# fmt: off
HOURS_ONLINE = (
    2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 5, 6, 7, 5, 4, 4, 4, 5, 6, 7, 9, 10, 8, 4,
)
HOURS_STORE = (
    0, 0, 0, 0, 0, 0, 0.2, 1, 3, 5, 6, 6, 5, 4, 4, 5, 6, 8, 9, 9, 7, 4, 1, 0,
)
HOURS_B2B = (
    0, 0, 0, 0, 0, 0, 0, 0.5, 6, 9, 9, 7, 2, 4, 8, 9, 7, 4, 0.5, 0, 0, 0, 0, 0,
)
# fmt: on


@dataclass(frozen=True)
class Calendar:
    """The demo period and each group's buying intensity over it.

    Attributes
    ----------
    start
        First day of the period.
    days
        Number of days.
    intensity
        (groups, days) relative buying intensity, mean 1 for each group.
    cumulative
        (groups, days + 1) running sum of ``intensity``; time-warping through it turns a
        uniform draw into a date that follows the season.
    acquisition_cumulative
        The same for first purchases, which also grow over the period.
    pre_tet
        (days,) whether a day is in the four weeks before a Tết.
    sale_day
        (days,) whether a day is a marketplace sale day.
    """

    start: dt.date
    days: int
    intensity: FloatArray
    cumulative: FloatArray
    acquisition_cumulative: FloatArray
    pre_tet: BoolArray
    sale_day: BoolArray

    @property
    def start_us(self) -> int:
        """Start of the first day, in microseconds since 1970."""
        return (self.start - dt.date(1970, 1, 1)).days * DAY_US

    @property
    def end_us(self) -> int:
        """End of the last day, in microseconds since 1970."""
        return self.start_us + self.days * DAY_US

    def day_of(self, micros: IntArray) -> IntArray:
        """Day index of timestamps (clipped to the period)."""
        day = (micros - self.start_us) // DAY_US
        result: IntArray = np.clip(day, 0, self.days - 1).astype(np.int64)
        return result

    def warp(self, group: IntArray, position: FloatArray, acquisition: bool = False) -> FloatArray:
        """Day (with fraction) at which a group's cumulative intensity reaches ``position``."""
        table = self.acquisition_cumulative if acquisition else self.cumulative
        out = np.empty(len(group))
        for g in np.unique(group):
            rows = group == g
            cum = table[g]
            day = np.searchsorted(cum, position[rows], side="right") - 1
            day = np.clip(day, 0, self.days - 1)
            width = np.maximum(cum[day + 1] - cum[day], 1e-12)
            out[rows] = day + np.clip((position[rows] - cum[day]) / width, 0, 1 - 1e-9)
        return out

    def level(self, group: IntArray, day: FloatArray, acquisition: bool = False) -> FloatArray:
        """Cumulative intensity of each group at (fractional) days."""
        table = self.acquisition_cumulative if acquisition else self.cumulative
        d = np.clip(np.floor(day).astype(np.int64), 0, self.days - 1)
        frac = np.clip(day - d, 0, 1)
        result: FloatArray = table[group, d] + frac * (table[group, d + 1] - table[group, d])
        return result

    def date(self, day: int) -> dt.date:
        """The date of a day index."""
        return self.start + dt.timedelta(days=day)


def _period(end: dt.date, years: int) -> tuple[dt.date, int]:
    try:
        start = end.replace(year=end.year - years) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - years, day=28) + dt.timedelta(days=1)
    return start, (end - start).days + 1


def _dates(start: dt.date, days: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    ordinal = np.arange(days) + start.toordinal()
    dates = [dt.date.fromordinal(int(o)) for o in ordinal]
    month = np.array([d.month for d in dates])
    dom = np.array([d.day for d in dates])
    weekday = np.array([d.weekday() for d in dates])
    return ordinal, month, dom, weekday


def _tet_profile(ordinal: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Ramp before Tết (0..1), the holiday itself, and the quiet month after."""
    ramp = np.zeros(len(ordinal))
    holiday = np.zeros(len(ordinal), dtype=bool)
    after = np.zeros(len(ordinal), dtype=bool)
    for tet in TET_DATES:
        k = ordinal - tet.toordinal()
        before = (k >= -28) & (k <= -2)
        ramp = np.where(before, np.clip(0.55 + 0.45 * (k + 28) / 20, 0, 1), ramp)
        holiday |= (k >= -1) & (k <= 4)
        after |= (k >= 5) & (k <= 30)
    return ramp, holiday.astype(np.float64), after.astype(np.float64)


def build_calendar(end: dt.date, years: int, groups: Sequence[PlantedGroup]) -> Calendar:
    """Build the calendar of ``years`` years ending on ``end``."""
    start, days = _period(end, years)
    ordinal, month, dom, weekday = _dates(start, days)
    ramp, holiday, after = _tet_profile(ordinal)
    sale = np.zeros(days)
    for (m, d), strength in SALE_DAYS.items():
        on = (month == m) & (dom == d)
        sale += strength * on
        sale += 0.3 * strength * (np.roll(on, 1) | np.roll(on, -1))
    gift = np.zeros(days)
    for m, d in GIFT_DAYS:
        k = np.flatnonzero((month == m) & (dom == d))
        for offset, weight in ((0, 1.0), (-1, 0.8), (-2, 0.5), (-3, 0.3)):
            idx = k + offset
            gift[idx[(idx >= 0) & (idx < days)]] += weight
    weekend = weekday >= 5
    intensity = np.empty((len(groups), days))
    for g, group in enumerate(groups):
        level = 1.0 + group.tet_boost * ramp
        level *= 1.0 - 0.75 * holiday
        level *= 1.0 - 0.3 * after
        level *= 1.0 + 2.5 * group.promo_boost * sale
        level *= 1.0 + group.gift_day_boost * gift
        level *= np.where(weekend, group.weekend_factor, 1.0)
        intensity[g] = level / level.mean()
    trend = 0.5 + np.arange(days) / days
    acquisition = intensity * trend
    acquisition /= acquisition.mean(axis=1, keepdims=True)

    def running(x: FloatArray) -> FloatArray:
        out = np.zeros((x.shape[0], days + 1))
        np.cumsum(x, axis=1, out=out[:, 1:])
        return out

    return Calendar(
        start=start,
        days=days,
        intensity=intensity,
        cumulative=running(intensity),
        acquisition_cumulative=running(acquisition),
        pre_tet=ramp > 0,
        sale_day=sale >= 0.5,
    )


def hour_weights(kind: str) -> FloatArray:
    """Normalised hour-of-day weights for ``online``, ``store`` or ``b2b``."""
    w = np.array({"online": HOURS_ONLINE, "store": HOURS_STORE, "b2b": HOURS_B2B}[kind])
    result: FloatArray = w / w.sum()
    return result


def at_usual_hour(rng: np.random.Generator, micros: IntArray, kind: str = "online") -> IntArray:
    """The same days, at an hour people usually do this (``online``, ``store`` or ``b2b``)."""
    day = micros // DAY_US
    hour = rng.choice(24, size=len(micros), p=hour_weights(kind))
    result: IntArray = (
        day * DAY_US + hour * (DAY_US // 24) + rng.integers(0, DAY_US // 24, len(micros))
    )
    return result
