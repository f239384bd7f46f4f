"""When things happen: weekday factors, hour-of-day patterns and US federal holidays.

Weekday factors (``WeekdayProfile``) run Monday to Sunday and average 1: a factor of 0.5 on Sunday means
half the daily average. Hour-of-day profiles (``HourProfile``) give the share of events in each hour 0-23.
Sources and derivations are in ``docs/calibration.md`` (section "Calendar").
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from .types import Holiday, HourProfile, WeekdayProfile


def _mean_one(values: tuple[float, ...]) -> tuple[float, ...]:
    mean = sum(values) / len(values)
    return tuple(v / mean for v in values)


def _sum_one(values: tuple[float, ...]) -> tuple[float, ...]:
    total = sum(values)
    return tuple(v / total for v in values)


def weekend_share(profile: WeekdayProfile) -> float:
    """Share of a profile's events that fall on Saturday or Sunday (days weighted equally).

    Args:
        profile: a weekday profile.

    Returns:
        (Saturday + Sunday factor) / 7.
    """
    return (profile.factors[5] + profile.factors[6]) / sum(profile.factors)


# --- weekdays -------------------------------------------------------------------------------------------
# HCUP SB #87 (NIS 2007, table 1): 31.882M weekday and 7.660M weekend admissions (19.4% at weekends);
# 28.0% of weekday and 10.6% of weekend admissions were elective. Hence electives: 0.812M of 9.739M at
# weekends (8.3%); non-elective: 6.848M of 29.803M at weekends (23.0%). The split of the weekday total
# over Monday-Friday is an assumption (electives: Monday-Thursday OR blocks fuller than Friday's;
# emergencies: a Monday peak, as ED visits, then a slow decline).
ELECTIVE = WeekdayProfile("elective", _mean_one((1.36, 1.36, 1.34, 1.30, 1.06, 0.30, 0.28)), "hcup_sb87")
EMERGENCY = WeekdayProfile("emergency", _mean_one((1.13, 1.08, 1.07, 1.06, 1.05, 0.82, 0.79)), "hcup_sb87")
# Births by weekday: scheduled inductions and cesareans avoid weekends; Tuesday is the busiest day and
# Sunday the quietest (NCHS natality, day-of-week index of births; the values are approximate).
BIRTHS = WeekdayProfile("births", _mean_one((1.05, 1.14, 1.12, 1.11, 1.08, 0.79, 0.71)), "nvss_births_weekday")
# Discharges: Friday the busiest day, Sunday the quietest, weekends 21% of discharges (Vizient clinical
# database 2015-17, 12.6M discharges). The Monday-Thursday values are an assumption (rising to Friday).
DISCHARGE = WeekdayProfile("discharge", _mean_one((0.98, 1.04, 1.06, 1.10, 1.35, 0.86, 0.61)), "vizient_weekend")
WEEKDAY_PROFILES: dict[str, WeekdayProfile] = {p.name: p for p in (ELECTIVE, EMERGENCY, BIRTHS, DISCHARGE)}

# A federal holiday (observed day) relative to an ordinary weekday of the same profile. Assumption:
# elective programmes close (almost no electives), emergencies and discharges run as on a Sunday.
HOLIDAY_FACTOR: dict[str, float] = {
    "elective": 0.05,
    "emergency": EMERGENCY.factors[6],
    "births": BIRTHS.factors[6],
    "discharge": DISCHARGE.factors[6],
}

# --- hours of the day ------------------------------------------------------------------------------------
# ED arrivals: fewest at 4-5 a.m., rising from 7 a.m. to a plateau from late morning into the evening
# (NHAMCS ED summaries: ED occupancy from 19,000 patients at 6 a.m. to 58,000 at 7 p.m.). Shape values
# are an assumption consistent with that curve.
ED_ARRIVALS = HourProfile(
    "ed_arrival",
    _sum_one(
        (2.6, 2.2, 1.9, 1.6, 1.5, 1.6, 2.1, 3.0, 4.2, 5.2, 5.8, 6.0)
        + (5.9, 5.8, 5.7, 5.6, 5.6, 5.6, 5.6, 5.4, 5.0, 4.5, 3.9, 3.2)
    ),
    "nhamcs_ed",
)
# Emergency admissions are written when the admitted patient leaves the ED: arrival plus the ED stay of
# admitted patients (CMS measure ED-1b/ED-2b: a median of roughly five hours; assumption: 5 hours).
ED_ADMIT_DELAY_HOURS = 5
EMERGENCY_ADMISSIONS = HourProfile(
    "emergency_admission",
    tuple(ED_ARRIVALS.shares[(hour - ED_ADMIT_DELAY_HOURS) % 24] for hour in range(24)),
    "cms_ed_timeliness",
)
# Elective admissions: patients arrive about two hours before a 7:30 first case, later cases through the
# early afternoon (assumption).
ELECTIVE_ADMISSIONS = HourProfile(
    "elective_admission",
    _sum_one(
        (0.1, 0.1, 0.1, 0.1, 0.3, 14.0, 20.0, 12.0, 8.0, 7.0, 7.0, 6.0)
        + (5.0, 5.0, 4.0, 3.0, 2.5, 1.8, 1.2, 0.9, 0.7, 0.5, 0.4, 0.3)
    ),
    "assumption",
)
# Discharges (weekdays, all 202 acute hospitals of Florida, 2010-2018): 13.0% before noon, 42.2% before
# 3 p.m., median hour 3 p.m. The hourly values are fitted to those three figures.
DISCHARGES = HourProfile(
    "discharge",
    _sum_one(
        (0.05, 0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.08, 0.6, 1.5, 3.6, 7.0)
        + (9.0, 10.0, 10.2, 12.5, 12.5, 10.0, 8.0, 5.5, 4.0, 2.8, 1.6, 0.9)
    ),
    "florida_discharge_times",
)
# Transfers between units (ICU to step-down or floor) follow the floor's discharges by a few hours:
# most between noon and 8 p.m., some late in the evening (assumption).
TRANSFERS = HourProfile(
    "transfer",
    _sum_one(
        (1.5, 1.2, 1.0, 0.8, 0.8, 0.8, 1.0, 1.5, 2.5, 3.5, 4.5, 5.5)
        + (6.5, 7.5, 8.0, 8.5, 8.5, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0)
    ),
    "assumption",
)
# Births: spontaneous labour round the clock, scheduled cesareans and inductions in working hours; a
# morning peak (NCHS natality, births by time of day: more births 8 a.m.-5 p.m.; values approximate).
BIRTH_HOURS = HourProfile(
    "birth",
    _sum_one(
        (3.3, 3.2, 3.1, 3.0, 3.0, 3.0, 3.1, 3.5, 5.0, 5.5, 5.3, 5.0)
        + (5.2, 5.2, 5.0, 4.8, 4.6, 4.4, 4.2, 4.0, 3.8, 3.6, 3.5, 3.4)
    ),
    "nvss_births_weekday",
)
HOUR_PROFILES: dict[str, HourProfile] = {
    p.name: p for p in (ED_ARRIVALS, EMERGENCY_ADMISSIONS, ELECTIVE_ADMISSIONS, DISCHARGES, TRANSFERS, BIRTH_HOURS)
}


# --- US federal holidays --------------------------------------------------------------------------------------
# 5 U.S.C. 6103 (OPM): eleven holidays; a holiday on a Saturday is observed on the Friday before, one on a
# Sunday on the Monday after. Juneteenth since 2021, Martin Luther King Jr. Day since 1986.
def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-based; -1 = last) given weekday (Monday = 0) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@lru_cache(maxsize=512)
def federal_holidays(year: int) -> tuple[Holiday, ...]:
    """The US federal holidays of a calendar year, in date order.

    Args:
        year: the calendar year (e.g. 2025).

    Returns:
        One ``Holiday`` per holiday of that year, with its calendar date (``actual``) and the day it is
        observed (``date``; may fall on 31 December of the year before for New Year's Day).
    """
    days: list[tuple[str, dt.date]] = [("New Year's Day", dt.date(year, 1, 1))]
    if year >= 1986:
        days.append(("Birthday of Martin Luther King, Jr.", _nth_weekday(year, 1, 0, 3)))
    days += [
        ("Washington's Birthday", _nth_weekday(year, 2, 0, 3)),
        ("Memorial Day", _nth_weekday(year, 5, 0, -1)),
    ]
    if year >= 2021:
        days.append(("Juneteenth National Independence Day", dt.date(year, 6, 19)))
    days += [
        ("Independence Day", dt.date(year, 7, 4)),
        ("Labor Day", _nth_weekday(year, 9, 0, 1)),
        ("Columbus Day", _nth_weekday(year, 10, 0, 2)),
        ("Veterans Day", dt.date(year, 11, 11)),
        ("Thanksgiving Day", _nth_weekday(year, 11, 3, 4)),
        ("Christmas Day", dt.date(year, 12, 25)),
    ]
    return tuple(Holiday(name, _observed(day), day) for name, day in days)


def observed_holidays(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """Observed federal holidays between two dates.

    Args:
        start: first day (inclusive).
        end: last day (inclusive).

    Returns:
        The observed days (the days hospitals' elective programmes close) within the range.
    """
    found: set[dt.date] = set()
    for year in range(start.year, end.year + 2):  # 1 January of next year may be observed on 31 December
        found.update(h.date for h in federal_holidays(year) if start <= h.date <= end)
    return frozenset(found)


def is_federal_holiday(day: dt.date) -> bool:
    """True when a day is the observed day of a US federal holiday.

    Args:
        day: the date.

    Returns:
        Whether ``day`` is an observed federal holiday.
    """
    return day in observed_holidays(day, day)
