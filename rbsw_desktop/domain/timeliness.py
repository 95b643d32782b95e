"""Statutory visit timeliness (England): when the next visit is due, and whether it is overdue.

Intervals count from and including the visit day. Working days skip weekends and bank
holidays. Where councils differ (child protection and child in need intervals) the figure is a
`VisitPolicy` setting, not a constant. Sources: Care Planning, Placement and Case Review
(England) Regulations 2010 regs 19, 24, 28; local child protection procedures (DOMAIN.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from rbsw_desktop.domain.enums import CareArrangement, CaseCategory

#: England and Wales bank holidays (gov.uk), 2025-2028. A council may supply its own.
ENGLAND_BANK_HOLIDAYS: frozenset[date] = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-01-01", "2025-04-18",
        "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
        "2026-01-01", "2026-04-03",
        "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-03-26",
        "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
        "2028-01-03", "2028-04-14",
        "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26",
    )
)


@dataclass(frozen=True)
class Interval:
    """A visit interval: `count` working days, or `count` calendar days."""

    count: int
    working_days: bool = False

    def describe(self) -> str:
        if self.working_days:
            return f"every {self.count} working days"
        if self.count % 7 == 0:
            weeks = self.count // 7
            return "every week" if weeks == 1 else f"every {weeks} weeks"
        return f"every {self.count} days"


WEEK = Interval(7)


def weeks(n: int) -> Interval:
    return Interval(7 * n)


@dataclass(frozen=True)
class VisitPolicy:
    """A council's settings. Defaults are common ones (DOMAIN.md)."""

    child_protection: Interval = Interval(10, working_days=True)
    child_in_need: Interval = Interval(20, working_days=True)
    holidays: frozenset[date] = field(default=ENGLAND_BANK_HOLIDAYS)


def is_working_day(day: date, holidays: Iterable[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def due_date(last: date, interval: Interval, holidays: frozenset[date]) -> date:
    """The last day on which the next visit is in time, counting `last` as day one."""
    if not interval.working_days:
        return last + timedelta(days=interval.count - 1)
    day = last
    counted = 1 if is_working_day(day, holidays) else 0
    while counted < interval.count:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def interval_after(
    category: CaseCategory,
    arrangement: CareArrangement | None,
    *,
    started_on: date | None,
    first_review_on: date | None,
    visit_day: date | None,
    policy: VisitPolicy,
) -> Interval:
    """The interval that applies after a visit on `visit_day` (None: before the first visit)."""
    if category is CaseCategory.CHILD_PROTECTION:
        return policy.child_protection
    if category is CaseCategory.CHILD_IN_NEED:
        return policy.child_in_need
    if visit_day is None:
        return WEEK  # within 1 week of the placement, order or approval starting
    before_review = first_review_on is None or visit_day < first_review_on
    arrangement = arrangement or CareArrangement.PLACEMENT
    if arrangement is CareArrangement.PARENT_BEFORE_ASSESSMENT:
        return WEEK if before_review else weeks(6)
    if arrangement is CareArrangement.CONNECTED_TEMPORARY:
        return WEEK if before_review else weeks(4)
    if arrangement is CareArrangement.CARE_ORDER_AT_HOME:
        return weeks(6)
    in_first_year = started_on is None or visit_day < _add_years(started_on, 1)
    if in_first_year:
        return weeks(6)
    return weeks(13) if arrangement is CareArrangement.PLACEMENT_TO_18 else weeks(6)


def next_visit_due(
    category: CaseCategory,
    arrangement: CareArrangement | None = None,
    *,
    last_visit: date | None,
    started_on: date | None = None,
    first_review_on: date | None = None,
    policy: VisitPolicy | None = None,
) -> date | None:
    """When the next statutory visit is due; None when nothing tells us yet."""
    policy = policy or VisitPolicy()
    anchor = last_visit or started_on
    if anchor is None:
        return None
    interval = interval_after(category, arrangement, started_on=started_on,
                              first_review_on=first_review_on, visit_day=last_visit,
                              policy=policy)
    return due_date(anchor, interval, policy.holidays)


def days_overdue(due: date | None, today: date) -> int:
    """0 when in time (or unknown), else how many days late."""
    if due is None or today <= due:
        return 0
    return (today - due).days


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def due_words(due: date | None, today: date) -> str:
    """How a due date is shown everywhere (caseload, case, visit form, timeline, CLI text):
    "Due today", "Due tomorrow", "Due Wed 16 Dec" (with the year when it is not this year),
    "Overdue by 3 days"; "Not set" when there is none."""
    if due is None:
        return "Not set"
    late = days_overdue(due, today)
    if late:
        return f"Overdue by {late} day{'' if late == 1 else 's'}"
    if due == today:
        return "Due today"
    if due == today + timedelta(days=1):
        return "Due tomorrow"
    year = "" if due.year == today.year else f" {due.year}"
    return f"Due {due:%a} {due.day} {due:%b}{year}"
