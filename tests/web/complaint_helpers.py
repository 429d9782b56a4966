"""Helpers of the complaint page tests (imported by name; tests are not a package)."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from risk.clock import WallClock
from serving.store import AuditEntry, Complaint, Feedback, User

#: The complaint categories as the pages show them, in English and Indonesian.
CATEGORIES = {
    "decision": ("The decision", "Keputusan"),
    "delay": ("Delay", "Keterlambatan"),
    "conduct": ("Staff conduct", "Perilaku petugas"),
    "data_accuracy": ("Accuracy of the data", "Ketepatan data"),
    "discrimination": ("Discrimination", "Diskriminasi"),
    "other": ("Other", "Lainnya"),
}


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def audit(world, action: str, entity_id: str) -> list[AuditEntry]:
    with world.store.transaction() as session:
        query = sa.select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.entity_id == entity_id
        )
        return list(session.scalars(query))


def principal(world, username: str):
    from serving.services import Principal

    with world.store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        return Principal(user.user_id, user.username, user.role)


def open_complaint(world, case_id: int, description: str, category: str = "delay") -> int:
    """A complaint recorded through the service (as the API would), for the page tests."""
    from serving.services import open_complaint

    with world.store.transaction() as session:
        complaint = open_complaint(
            session,
            principal(world, "supervisor"),
            world.settings,
            category=category,
            description=description,
            case_id=case_id,
            clock=WallClock(),
        )
        return complaint.complaint_id


def complaints_of(world, case_id: int) -> list[Complaint]:
    with world.store.transaction() as session:
        query = sa.select(Complaint).where(Complaint.case_id == case_id)
        return list(session.scalars(query.order_by(Complaint.complaint_id)))


def feedback_of(world, case_id: int) -> list[Feedback]:
    with world.store.transaction() as session:
        query = sa.select(Feedback).where(Feedback.case_id == case_id)
        return list(session.scalars(query.order_by(Feedback.feedback_id)))


def desk_row(page: str, complaint_id: int) -> str:
    return re.search(rf'<tr data-complaint="{complaint_id}">(.*?)</tr>', page, re.S).group(1)


def set_times(world, complaint_id: int, opened_days_ago: float, due_in_days: float) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        complaint.opened_at = now - dt.timedelta(days=opened_days_ago)
        complaint.due_at = now + dt.timedelta(days=due_in_days)
