"""One arm of a simulation: the service operated day by day on a simulated clock.

Everything goes through the service's own functions (scoring, the queue, claims,
decisions and their amendments, complaints, ratings), each event in its own transaction
with the clock set to the event's instant, so the store, the audit log and the inference
log hold what a real year would leave, stamped with simulated time.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from risk.clock import SimulatedClock
from risk.settings import Settings

from ._people import PeopleRates, draw_finding, draw_follow_up
from ._world import SimWorld

__all__ = ["Operation", "Staff", "officers_needed"]

#: Cases one officer decides in a working day (sizes the team from the expected load).
CASES_PER_OFFICER_DAY = 6
#: Officers are staffed for this multiple of the expected review load.
STAFFING_SLACK = 1.1
_WORKING_DAYS_PER_MONTH = 21.7
_DAY_START, _DAY_HOURS = dt.time(9), 8


def officers_needed(monthly_applications: float, settings: Settings) -> tuple[int, int]:
    """``(officers, cases per working day)`` for the expected review load.

    The load is the flagged share (the capacity) plus the blind sample of a month's
    applications, with :data:`STAFFING_SLACK`; at least two officers.
    """
    share = settings.review.capacity + settings.review.blind_sample_rate
    per_day = math.ceil(STAFFING_SLACK * share * monthly_applications / _WORKING_DAYS_PER_MONTH)
    return max(2, math.ceil(per_day / CASES_PER_OFFICER_DAY)), max(per_day, 1)


@dataclass(frozen=True)
class Staff:
    """The principals the simulation acts as (``serving.services.Principal``)."""

    intake: Any
    officers: list[Any]
    supervisor: Any


@dataclass
class Operation:
    """The service of one arm, operated event by event.

    Parameters
    ----------
    store, bundle, settings
        The arm's store, the model in force, the arm's settings.
    clock
        The arm's simulated clock; every service call reads it.
    world
        The split world (applications to arrive, truth for the officers' findings).
    staff
        Who scores, reviews, complains and rates.
    seed
        Seed of the blind sample and of the people's draws.
    per_day
        Cases the officers decide per working day.
    """

    store: Any
    bundle: Any
    settings: Settings
    clock: SimulatedClock
    world: SimWorld
    staff: Staff
    seed: int
    per_day: int
    rates: PeopleRates = field(default_factory=PeopleRates)
    _events: list = field(default_factory=list)
    _order: Any = field(default_factory=itertools.count)
    _apps: dict[str, dict] = field(default_factory=dict)
    _truth: dict[str, dict] = field(default_factory=dict)
    _turn: int = 0
    #: Each application's reference and access code, as the intake handed them over.
    _codes: dict[str, Any] = field(default_factory=dict)
    #: The service's shadow scorer once a challenger is in shadow (``None``: no shadow).
    shadow: Any = None
    _committed: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._truth = {
            r["application_id"]: r
            for r in self.world.truth.select(
                "application_id", "overstay", "document_fraud", "misrepresentation"
            ).iter_rows(named=True)
        }

    def _at(self, when: dt.datetime, kind: str, payload: Any) -> None:
        heapq.heappush(self._events, (when, next(self._order), kind, payload))

    def run_month(self, i: int, progress: Callable[[str], None] | None = None) -> dict[str, int]:
        """Operate month ``i``: arrivals, officers' working days, everything that falls due."""
        lo, hi = self.world.boundaries[i], self.world.boundaries[i + 1]
        apps = self.world.applications(i)
        docs = self.world.tables.documents.join(
            apps.lazy().select("application_id"), on="application_id", how="semi"
        ).collect()
        by_app: dict[str, list[dict]] = {}
        for d in docs.iter_rows(named=True):
            by_app.setdefault(d["application_id"], []).append(d)
        for app in apps.iter_rows(named=True):
            self._apps[app["application_id"]] = app
            self._at(app["submitted_at"], "score", (app, by_app.get(app["application_id"], [])))
        day = lo
        while day < hi:
            if day.weekday() < 5:
                self._at(dt.datetime.combine(day.date(), _DAY_START), "work", None)
            day += dt.timedelta(days=1)
        counts: dict[str, int] = {}
        while self._events and self._events[0][0] < hi:
            when, _, kind, payload = heapq.heappop(self._events)
            self.clock.set(when)
            with self.store.transaction() as session:
                getattr(self, f"_{kind}")(session, payload)
            self._to_shadow()
            counts[kind] = counts.get(kind, 0) + 1
        self.clock.set(hi)
        return counts

    # -- the events -------------------------------------------------------------------

    def _score(self, session: Any, payload: tuple[dict, list[dict]]) -> None:
        from serving.services import score_application

        app, docs = payload
        # One stream per application: both arms draw the same blind sample for it.
        rng = random.Random(f"{self.seed}:{app['application_id']}")
        out = score_application(
            session, self.bundle, self.settings, self.staff.intake, app, docs,
            clock=self.clock, rng=rng,
        )  # fmt: skip
        if out.access is not None:
            self._codes[app["application_id"]] = out.access
        if self.shadow is not None and not out.replayed:
            self._committed.append(out.score)

    def _to_shadow(self) -> None:
        """Committed scores go to the shadow scorer, as a request hands them over; the
        simulation then waits for the shadow process (drained before the clock moves on),
        so the shadow scores and their times do not depend on timing."""
        if self._committed:
            self.shadow.submit(self.store, self.clock, self.settings, self._committed)
            self._committed = []
            self.shadow.drain()

    def _work(self, session: Any, _: None) -> None:
        """A working day: each officer claims the queue's next cases, decided through the day."""
        from serving.services import QueueFilter, claim_case, list_queue

        cases, _ = list_queue(session, QueueFilter(status="open", limit=self.per_day))
        officers = self.staff.officers
        per_officer = math.ceil(self.per_day / len(officers))
        step = dt.timedelta(hours=_DAY_HOURS) / per_officer
        for k, case in enumerate(cases):
            # turns carry over from day to day, so a light day's cases rotate too
            officer = officers[(self._turn + k) % len(officers)]
            claim_case(session, officer, case.case_id, clock=self.clock)
            when = self.clock.now() + step * (k // len(officers) + 1)
            self._at(when, "decide", (case.case_id, case.application_id, case.created_at, officer))
        self._turn += len(cases)

    def _decide(self, session: Any, payload: tuple) -> None:
        from serving.services import decide_case

        case_id, application_id, opened, officer = payload
        app = self._apps[application_id]
        finding = draw_finding(self.seed, app, self._truth[application_id], self.rates)
        decision = decide_case(
            session, officer, case_id,
            outcome=finding.outcome, violation_types=list(finding.types),
            reason=_REASONS[finding.outcome], clock=self.clock,
        )  # fmt: skip
        horizon = self.world.boundaries[-1]
        if finding.overstay_known_at is not None and finding.overstay_known_at < horizon:
            self._at(
                max(finding.overstay_known_at, self.clock.now()),
                "overstay",
                (case_id, decision.decision_id, finding.types, officer),
            )
        now = self.clock.now()
        sla = dt.timedelta(days=self.settings.review.case_sla_days)
        follow = draw_follow_up(
            self.seed, application_id, now, bool(finding.types), now - opened, sla, self.rates
        )
        if follow.complaint_at is not None:
            self._at(
                follow.complaint_at, "complain", (application_id, follow, self._handler(officer))
            )
        if follow.rating_at is not None:
            self._at(follow.rating_at, "rate", (application_id, follow.rating))

    def _overstay(self, session: Any, payload: tuple) -> None:
        """The authorised stay ended without an exit: the decision is amended."""
        from serving.services import decide_case

        case_id, decision_id, types, officer = payload
        decide_case(
            session, officer, case_id,
            outcome="violation_confirmed", violation_types=sorted({*types, "overstay"}),
            reason=_REASONS["overstay"], amends=decision_id, clock=self.clock,
        )  # fmt: skip

    def _handler(self, decider: Any) -> Any:
        """Who handles a complaint about ``decider``'s case: never the decider."""
        others = [o for o in self.staff.officers if o.user_id != decider.user_id]
        if not others:
            return self.staff.supervisor
        return others[decider.user_id % len(others)]

    def _applicant(self, session: Any, application_id: str) -> Any:
        """The applicant's status page, opened with the code the intake handed over."""
        from serving.services import check_access_code, read_applicant_session

        issued = self._codes[application_id]
        check = check_access_code(
            session, issued.reference, issued.code, address="simulated applicant",
            settings=self.settings, clock=self.clock,
        )  # fmt: skip
        return read_applicant_session(session, check.token, self.clock.now())

    def _complain(self, session: Any, payload: tuple) -> None:
        from serving.services import open_applicant_complaint

        application_id, follow, officer = payload
        # from /status: a disagreement with the finding asks for an explanation
        category = "explanation_request" if follow.category == "decision" else follow.category
        complaint = open_applicant_complaint(
            session, self._applicant(session, application_id), self.settings,
            clock=self.clock, category=category, description=_COMPLAINTS[follow.category],
        )  # fmt: skip
        take = self.clock.now() + dt.timedelta(days=1)
        self._at(take, "take", (complaint.complaint_id, officer, follow.answer_after))

    def _take(self, session: Any, payload: tuple) -> None:
        from serving.services import take_complaint

        complaint_id, officer, answer_after = payload
        take_complaint(session, officer, complaint_id, clock=self.clock)
        self._at(self.clock.now() + answer_after, "answer", (complaint_id, officer))

    def _answer(self, session: Any, payload: tuple) -> None:
        from serving.services import respond_complaint

        complaint_id, officer = payload
        respond_complaint(session, officer, complaint_id, _ANSWER, clock=self.clock)

    def _rate(self, session: Any, payload: tuple) -> None:
        """The applicant answers the survey on /status (once per application)."""
        from serving.services import submit_survey

        application_id, rating = payload
        access = self._applicant(session, application_id)
        submit_survey(session, access, rating, clock=self.clock)


_REASONS = {
    "violation_confirmed": "Simulated review: the documents and statements do not hold up.",
    "no_violation": "Simulated review: documents verified, statements consistent.",
    "insufficient_evidence": "Simulated review: doubts remain but nothing could be confirmed.",
    "overstay": "No exit recorded after the authorised stay ended: overstay confirmed.",
}
_COMPLAINTS = {
    "decision": "Simulated applicant: I disagree with the finding on my application.",
    "delay": "Simulated applicant: my application waited longer than promised.",
    "conduct": "Simulated applicant: I was not treated courteously.",
    "data_accuracy": "Simulated applicant: my file holds a wrong detail.",
    "other": "Simulated applicant: a question about my case.",
}
_ANSWER = "Simulated answer: the case was looked at again and the applicant was informed."


def monthly_volume(world: SimWorld) -> float:
    """Mean applications per month over the last year of history (sizes the team)."""
    start = world.start
    year_before = start.replace(year=start.year - 1)
    n = (
        world.tables.applications.filter(
            pl.col("submitted_at").is_between(year_before, start, "left")
        )
        .select(pl.len())
        .collect()
        .item()
    )
    return n / 12
