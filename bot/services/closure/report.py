"""Closure in figures: the digest's line per plan (implemented vs verified, new dates waiting)
and `stats`' time to verify and to approve. Plans that never used closure get neither, so
their digests and figures read as before."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.when import plural
from store.models import Action, Plan, Review


def _reviews(session: Session, *, plan_code: str | None = None) -> list[tuple[Review, str]]:
    query = (
        select(Review, Plan.code)
        .join(Action, Action.id == Review.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.archived_at.is_(None))
        .order_by(Review.id)
    )
    if plan_code is not None:
        query = query.where(Plan.code == plan_code.upper())
    return [(review, str(code)) for review, code in session.execute(query)]


def digest_lines(session: Session, *, now: datetime) -> dict[str, list[str]]:
    """Plan code → the digest's closure line: implemented and awaiting verification,
    verified and rejected this week, new dates waiting for approval."""
    week_ago = now - timedelta(days=7)
    counts: dict[str, dict[str, int]] = {}
    for plan in session.scalars(select(Plan).where(Plan.archived_at.is_(None))):
        options = plan.options or {}
        if options.get("verify_by") or options.get("approve_dates_by"):
            counts[plan.code] = {}
    for review, code in _reviews(session):
        seen = counts.setdefault(code, {})
        if review.state == "pending":
            seen[review.kind] = seen.get(review.kind, 0) + 1
        elif review.decided_at is not None and review.decided_at >= week_ago:
            seen[review.state] = seen.get(review.state, 0) + 1
    lines: dict[str, list[str]] = {}
    for code, seen in sorted(counts.items()):
        said = [
            f"{plural(seen.get('verify', 0), 'action')} implemented, awaiting verification",
            f"{seen.get('accepted', 0):,} verified and {seen.get('rejected', 0):,} rejected "
            "this week",
            f"{plural(seen.get('extend', 0), 'new date')} awaiting approval",
        ]
        lines[code] = ["Closure: " + "; ".join(said) + "."]
    return lines


def with_closure_lines(
    lines: dict[str, list[str]], closure: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The digest's lines under each plan's totals, the closure line after the others."""
    merged = {code: list(found) for code, found in lines.items()}
    for code, more in closure.items():
        merged.setdefault(code, []).extend(more)
    return merged


@dataclass(frozen=True)
class Timing:
    decided: int
    pending: int
    median_days: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"decided": self.decided, "pending": self.pending, "median_days": self.median_days}


@dataclass(frozen=True)
class ClosureStats:
    verify: Timing
    approve: Timing

    def as_dict(self) -> dict[str, Any]:
        return {"verify": self.verify.as_dict(), "approve": self.approve.as_dict()}

    def text(self) -> str:
        def said(what: str, t: Timing) -> str:
            median = f"median {t.median_days:.1f} days" if t.median_days is not None else "none yet"
            return f"{what}: {median} ({t.decided:,} decided, {t.pending:,} waiting)"

        return (
            "Closure: "
            + said("time to verify", self.verify)
            + "; "
            + said("time to approve a new date", self.approve)
        )


def closure_stats(
    session: Session, *, plan_code: str | None, since: datetime | None
) -> ClosureStats | None:
    """How long verification and date approval take, request to decision (calendar days);
    None when no plan in scope ever asked for either."""
    rows = [
        r
        for r, _ in _reviews(session, plan_code=plan_code)
        if since is None or r.requested_at >= since
    ]
    if not rows:
        return None

    def timing(kind: str) -> Timing:
        mine = [r for r in rows if r.kind == kind]
        # An admin's own date change is approved as it is made: no wait to measure.
        waits = [
            (r.decided_at - r.requested_at).total_seconds() / 86400
            for r in mine
            if r.decided_at is not None and r.decided_by != r.requested_by
        ]
        return Timing(
            decided=sum(1 for r in mine if r.state != "pending"),
            pending=sum(1 for r in mine if r.state == "pending"),
            median_days=round(statistics.median(waits), 2) if waits else None,
        )

    return ClosureStats(verify=timing("verify"), approve=timing("extend"))
