"""The public channel's services on both backends: applicants' complaints, follow-up,
surveys (once per application, moderated) and the figures the transparency report takes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from risk.clock import SimulatedClock
from risk.errors import ConflictError, PermissionDeniedError, RequestValidationError
from serving.services import (
    Principal,
    add_complaint_step,
    applicant_complaints,
    application_status,
    check_access_code,
    claim_case,
    complaint_steps,
    decide_case,
    moderate_survey,
    open_applicant_complaint,
    public_channel_figures,
    read_applicant_session,
    respond_complaint,
    submit_survey,
    take_complaint,
)
from serving.store import AuditEntry, Feedback, Survey, User

pytestmark = pytest.mark.xdist_group("serving_model")


@pytest.fixture
def clock(sim_clock):
    return sim_clock


@pytest.fixture
def applicants(clocked_client, tokens, world, store, settings, clock: SimulatedClock):
    """Three applications scored under the kill switch (so each opens a case), opened on
    /status with their codes: a list of ApplicantAccess in scoring order."""
    clocked_client.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "Drift alarm"},
    )
    out = []
    for payload in world["payloads"][:3]:
        body = clocked_client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
        ).json()
        with store.transaction() as session:
            check = check_access_code(
                session,
                body["reference"],
                body["access_code"],
                address="192.0.2.1",
                settings=settings,
                clock=clock,
            )
            out.append(read_applicant_session(session, check.token, clock.now()))
    return out


@pytest.fixture
def people(store, tokens) -> dict[str, Principal]:
    """Every user as a principal (read before the test opens its own transactions)."""
    with store.transaction() as session:
        return {
            u.username: Principal(u.user_id, u.username, u.role)
            for u in session.scalars(sa.select(User))
        }


def _case_of(store, access) -> int:
    from serving.store import Case

    with store.engine.connect() as conn:
        return conn.execute(
            sa.select(Case.case_id).where(Case.application_id == access.application_id)
        ).scalar_one()


def _decide(store, people, access, clock, officer="officer") -> int:
    case_id = _case_of(store, access)
    who = people[officer]
    with store.transaction() as session:
        claim_case(session, who, case_id, clock=clock)
        decide_case(
            session, who, case_id, clock=clock, outcome="no_violation",
            violation_types=[], reason="Consistent documents.",
        )  # fmt: skip
    return case_id


def test_the_stage_follows_the_case_with_the_services_dates(store, people, applicants, clock):
    import datetime as dt

    access = applicants[0]
    start = clock.now()
    with store.transaction() as session:
        first = application_status(session, access)
    assert (first.stage, first.received_at, first.review_started_at) == ("received", start, None)
    clock.advance(dt.timedelta(days=2))
    with store.transaction() as session:
        claim_case(session, people["officer"], _case_of(store, access), clock=clock)
        claimed = application_status(session, access)
    assert (claimed.stage, claimed.review_started_at) == ("under_review", start + dt.timedelta(2))
    clock.advance(dt.timedelta(days=1))
    with store.transaction() as session:
        decide_case(
            session, people["officer"], _case_of(store, access), clock=clock,
            outcome="no_violation", violation_types=[], reason="Consistent documents.",
        )  # fmt: skip
        decided = application_status(session, access)
    assert (decided.stage, decided.decided_at) == ("decided", start + dt.timedelta(3))


def test_an_applicant_complaint_joins_the_desk_under_the_independence_rule(
    store, people, settings, applicants, clock
):
    import datetime as dt

    access = applicants[0]
    case_id = _decide(store, people, access, clock, officer="officer")
    with store.transaction() as session:
        complaint = open_applicant_complaint(
            session, access, settings, clock=clock, category="explanation_request",
            description="Why was my file reviewed twice?", contact_preference="email",
        )  # fmt: skip
        complaint_id = complaint.complaint_id
    assert (complaint.case_id, complaint.source, complaint.contact_preference) == (
        case_id,
        "applicant",
        "email",
    )
    assert complaint.due_at == clock.now() + dt.timedelta(days=settings.review.complaint_sla_days)
    # the officer who decided the case may not take it; another officer may
    with store.transaction() as session, pytest.raises(PermissionDeniedError) as refused:
        take_complaint(session, people["officer"], complaint_id, clock=clock)
    assert refused.value.rule == "complaint_independent"
    with store.transaction() as session:
        take_complaint(session, people["officer2"], complaint_id, clock=clock)
    # a follow-up step: the handler or a supervisor, not the decider nor another officer
    for name, error in (("officer", PermissionDeniedError), ("analyst", PermissionDeniedError)):
        with store.transaction() as session, pytest.raises(error):
            add_complaint_step(session, people[name], complaint_id, "x", clock=clock)
    with store.transaction() as session:
        add_complaint_step(
            session, people["officer2"], complaint_id, "We asked the post for the file.",
            clock=clock,
        )  # fmt: skip
        add_complaint_step(
            session, people["supervisor"], complaint_id, "A supervisor read it.", clock=clock
        )
    # an explanation needs a written response
    with store.transaction() as session, pytest.raises(RequestValidationError) as empty:
        respond_complaint(session, people["officer2"], complaint_id, "  ", clock=clock)
    assert empty.value.message == "a complaint's answer needs a written response; response is empty"
    with store.transaction() as session:
        respond_complaint(
            session, people["officer2"], complaint_id, "Your file was selected for a"
            " routine additional review; an officer checked the documents.", clock=clock,
        )  # fmt: skip
        mine = applicant_complaints(session, access)
        other = applicant_complaints(session, applicants[1])
        steps = complaint_steps(session, [complaint_id])[complaint_id]
        with pytest.raises(ConflictError):
            add_complaint_step(session, people["supervisor"], complaint_id, "x", clock=clock)
    assert [c.complaint_id for c in mine] == [complaint_id] and other == []
    assert mine[0].status == "answered"
    assert [s.text for s in steps] == ["We asked the post for the file.", "A supervisor read it."]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "decision", "category 'decision' is not one of explanation_request, delay,"
         " conduct, data_accuracy, other"),
        ("contact_preference", "fax", "contact_preference 'fax' is not one of none, email,"
         " phone, post"),
        ("description", " ", "description: a complaint needs a description"),
        ("description", "x" * 4001, "description: at most 4000 characters (4001 sent)"),
        ("description", "a\u202eb", "description: a control character (U+202E) at"
         " position 1 is not allowed"),
    ],
)  # fmt: skip
def test_a_bad_applicant_complaint_names_the_field(
    store, settings, applicants, clock, field, value, message
):
    form = {"category": "delay", "description": "Too slow.", "contact_preference": "none"}
    with store.transaction() as session, pytest.raises(RequestValidationError) as err:
        open_applicant_complaint(
            session, applicants[0], settings, clock=clock, **{**form, field: value}
        )
    assert err.value.message == message


def test_one_survey_per_decided_application_and_comments_wait_for_moderation(
    store, people, applicants, clock
):
    access = applicants[0]
    with store.transaction() as session, pytest.raises(ConflictError) as early:
        submit_survey(session, access, 4, clock=clock)
    assert early.value.rule == "survey_after_decision"
    _decide(store, people, access, clock)
    with store.transaction() as session, pytest.raises(RequestValidationError):
        submit_survey(session, access, 6, clock=clock)
    with store.transaction() as session:
        survey = submit_survey(session, access, 4, "Clear and quick.", clock=clock)
        survey_id = survey.survey_id
    assert (survey.rating, survey.comment_status) == (4, "pending")
    with store.transaction() as session, pytest.raises(ConflictError) as twice:
        submit_survey(session, access, 1, clock=clock)
    assert twice.value.rule == "survey_once"
    # a unique constraint backs the rule even if the check is bypassed
    with store.transaction() as session, pytest.raises(sa.exc.IntegrityError):
        session.add(Survey(application_id=access.application_id, rating=2, comment="",
                           comment_status="none", created_at=clock.now()))  # fmt: skip
        session.flush()
    for name in ("officer", "analyst", "auditor", "admin"):
        with store.transaction() as session, pytest.raises(PermissionDeniedError):
            moderate_survey(session, people[name], survey_id, True, clock=clock)
    with store.transaction() as session:
        moderate_survey(session, people["supervisor"], survey_id, True, clock=clock)
    with store.transaction() as session, pytest.raises(ConflictError) as again:
        moderate_survey(session, people["supervisor"], survey_id, False, clock=clock)
    assert again.value.rule == "survey_moderated"
    with store.transaction() as session:
        audited = session.scalars(
            sa.select(AuditEntry.actor)
            .where(AuditEntry.action.in_(["survey.submit", "survey.moderate"]))
            .order_by(AuditEntry.seq)
        ).all()
    assert audited == ["(applicant)", "supervisor"]


def test_published_figures_count_one_response_per_application_and_suppress_small_ones(
    store, people, settings, applicants, clock
):
    for access, rating in zip(applicants, (5, 3, 4), strict=True):
        case_id = _decide(store, people, access, clock)
        with store.transaction() as session:
            submit_survey(session, access, rating, clock=clock)
    with store.transaction() as session:
        session.add(Feedback(case_id=case_id, rating=1, comment="", created_at=clock.now()))
        open_applicant_complaint(
            session, applicants[0], settings, clock=clock, category="explanation_request",
            description="Why?",
        )  # fmt: skip
        shown = public_channel_figures(session, 3)
        hidden = public_channel_figures(session, 4)
    assert shown == {
        "survey_eligible": 3,
        "survey_responses": 3,
        "survey_response_rate": 1.0,
        "survey_mean": 4.0,
        "officer_ratings": 1,
        "officer_mean": None,
        "applicant_complaints": 1,
        "applicant_complaints_answered": 0,
        "applicant_complaints_within_sla_rate": None,
        "explanation_requests": None,
    }
    assert (hidden["survey_mean"], hidden["survey_response_rate"]) == (None, None)
    assert hidden["survey_responses"] == 3


def _promotion(version, at, *, waiver=None, failed=(), verdict="pass"):
    """A promotion record as ``experiments`` writes it."""
    return {
        "version": str(version),
        "name": f"v{version} (2579f6f8)",
        "by": "ana",
        "result": "promoted",
        "at": at,
        "previous_champion": str(version - 1) if version > 1 else None,
        "checks": [{"check": "fairness", "gated": True, "passed": verdict == "pass",
                    "value": verdict}],
        "failed": list(failed),
        "waiver": waiver,
    }  # fmt: skip


def test_the_changelog_names_roles_never_people(store, people, clock):
    import datetime as dt

    from serving.services import public_changelog, set_runtime
    from serving.web._transparency import change_row

    with store.transaction() as session:
        set_runtime(session, people["supervisor"], "blind_sample_rate", 0.05, clock=clock)
        set_runtime(session, people["supervisor"], "blind_sample_rate", 0.05, clock=clock)
    clock.advance(dt.timedelta(hours=1))
    with store.transaction() as session:
        set_runtime(session, people["admin"], "threshold", 0.3, clock=clock)
    waiver = {"reason": "Known small gap", "requested_by": "ana", "approved_by": "budi",
              "approver_role": "supervisor"}  # fmt: skip
    records = [
        _promotion(1, "2024-02-01T10:00:00+00:00"),
        _promotion(
            2, "2024-03-01T11:00:00+07:00", waiver=waiver, failed=["fairness"], verdict="fail"
        ),
        {**_promotion(3, "2024-03-02T00:00:00+00:00"), "result": "refused"},
    ]
    with store.transaction() as session:
        changes = public_changelog(session, records)
    rows = [change_row(c, "en") for c in changes]
    assert rows == [
        (
            "2024-03-01",
            "The score above which an application goes to an officer changed from the"
            " model's own to 0.300 (role: administrator).",
            "",
            "",
        ),
        (
            "2024-03-01",
            "The share of other applications an officer checks at random changed from the"
            " configured default to 5.0% (role: supervisor).",
            "",
            "",
        ),
        (
            "2024-03-01",
            "A new model, v2 (2579f6f8), started selecting applications for review.",
            "outside tolerance",
            "approved by a second person (supervisor); the gate found: fairness outside tolerance",
        ),
        (
            "2024-02-01",
            "A new model, v1 (2579f6f8), started selecting applications for review.",
            "within tolerance",
            "none",
        ),
    ]
    assert "budi" not in str(rows) and "ana" not in str(rows)
    indonesian = change_row(changes[2], "id")
    assert indonesian[3] == (
        "disetujui orang kedua (penyelia); gerbang menemukan: keadilan di luar batas toleransi"
    )


def test_an_application_has_at_most_three_unanswered_complaints(
    store, people, settings, applicants, clock
):
    def send():
        with store.transaction() as session:
            return open_applicant_complaint(
                session, applicants[0], settings, clock=clock, category="delay",
                description="Still waiting.",
            ).complaint_id  # fmt: skip

    first = [send() for _ in range(3)]
    with pytest.raises(ConflictError) as err:
        send()
    assert err.value.message == (
        "this application already has 3 complaints waiting for an answer; we answer those first"
    )
    with store.transaction() as session:
        respond_complaint(session, people["supervisor"], first[0], "Answered.", clock=clock)
    assert send() > first[-1]  # an answer makes room for the next
