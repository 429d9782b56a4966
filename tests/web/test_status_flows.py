"""From /status: an applicant complains, the desk follows up and answers, the applicant
rates the service once, and a supervisor moderates the comment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from status_helpers import decide, form_csrf, fresh_code, open_case, open_status

from serving.store import Complaint, Survey

pytestmark = pytest.mark.xdist_group("web")


def _applicant(client_factory, web_world, lang="en"):
    case = open_case(web_world)
    reference, code = fresh_code(web_world, case.application_id)
    c = client_factory()
    assert open_status(c, reference, code, lang).status_code == 303
    return c, case


def test_a_complaint_from_status_reaches_the_desk_and_its_answer_comes_back(
    client_factory, web_world
):
    c, case = _applicant(client_factory, web_world)
    decide(web_world, case.case_id, officer="officer2")
    csrf = form_csrf(c.get("/status").text)
    sent = c.post(
        "/status/complaints",
        data={
            "csrf": csrf,
            "category": "explanation_request",
            "description": "Why was my application checked again?",
            "contact_preference": "email",
        },
    )
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        "/status?lang=en&done=complaint#complaints",
    )
    with web_world.store.transaction() as session:
        complaint = session.scalar(
            sa.select(Complaint).where(Complaint.application_id == case.application_id)
        )
    cid = complaint.complaint_id
    page = c.get("/status?done=complaint")
    assert "Thank you. We received your message and will answer by" in page.text
    assert f"Complaint {cid}: Explain how my application was handled" in page.text
    # the desk: the decider cannot take it; another officer takes it and records a step
    decider, officer = client_factory("officer2"), client_factory("officer")
    desk = decider.get(f"/complaints/{cid}")
    assert "Sent by the applicant on the status page" in desk.text
    assert "By email (the address in my application)" in desk.text
    assert 'id="cp-explanation-rule"' in desk.text and 'id="take"' not in desk.text
    desk = officer.get(f"/complaints/{cid}")
    officer.post(f"/complaints/{cid}/take", data={"csrf": form_csrf(desk.text)})
    step = officer.post(
        f"/complaints/{cid}/steps",
        data={"csrf": form_csrf(desk.text), "text": "We asked the deciding officer for notes."},
    )
    assert step.status_code == 303
    refused = decider.post(
        f"/complaints/{cid}/steps",
        data={"csrf": form_csrf(decider.get("/queue").text), "text": "x"},
    )
    assert refused.status_code == 403
    assert "only the handler of complaint" in refused.text
    shown = c.get("/status").text
    assert "What we have done" in shown and "We asked the deciding officer for notes." in shown
    answer = officer.post(
        f"/complaints/{cid}/respond",
        data={"csrf": form_csrf(desk.text), "response": "An officer reviewed your documents."},
    )
    assert answer.status_code == 303
    shown = c.get("/status").text
    assert "Our answer (" in shown and "An officer reviewed your documents." in shown


def test_the_survey_opens_after_the_decision_counts_once_and_waits_for_moderation(
    client_factory, web_world
):
    c, case = _applicant(client_factory, web_world, "id")
    page = c.get("/status?lang=id")
    assert "Anda dapat menilai layanan kami setelah permohonan Anda diputuskan." in page.text
    early = c.post("/status/survey?lang=id", data={"csrf": form_csrf(page.text), "rating": "4"})
    assert early.status_code == 409
    assert "survei dibuka setelah permohonan diputuskan" in early.text
    decide(web_world, case.case_id)
    data = {"csrf": form_csrf(page.text), "rating": "4", "comment": "Petugasnya ramah."}
    assert c.post("/status/survey", data=data).status_code == 303
    again = c.post("/status/survey?lang=id", data={**data, "rating": "1"})
    assert again.status_code == 409
    assert "survei permohonan ini sudah dijawab" in again.text
    assert "Anda memberi nilai 4 dari 5." in c.get("/status?lang=id").text
    with web_world.store.transaction() as session:
        survey = session.scalar(
            sa.select(Survey).where(Survey.application_id == case.application_id)
        )
    assert (survey.rating, survey.comment_status) == (4, "pending")
    # moderation: supervisors only
    assert client_factory("officer").get("/surveys").status_code == 403
    supervisor = client_factory("supervisor")
    queue = supervisor.get("/surveys")
    assert f'data-survey="{survey.survey_id}"' in queue.text and "Petugasnya ramah." in queue.text
    done = supervisor.post(
        f"/surveys/{survey.survey_id}", data={"csrf": form_csrf(queue.text), "decision": "approve"}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/surveys?done=approved")
    assert f'data-survey="{survey.survey_id}"' not in supervisor.get("/surveys").text


def test_public_forms_refuse_a_missing_csrf_token_and_bad_input(client_factory, web_world):
    c, _ = _applicant(client_factory, web_world)
    forged = c.post("/status/complaints", data={"category": "delay", "description": "x"})
    assert forged.status_code == 403
    csrf = form_csrf(c.get("/status").text)
    bad = c.post(
        "/status/complaints", data={"csrf": csrf, "category": "decision", "description": "x"}
    )
    assert bad.status_code == 422
    assert (
        "Please check: category &#39;decision&#39; is not one of explanation_request, delay,"
        in bad.text
    )
    long = c.post(
        "/status/complaints",
        data={"csrf": csrf, "category": "delay", "description": "x" * 4050},
    )
    assert long.status_code == 422
    assert "description: at most 4000 characters (4050 sent)" in long.text


def test_the_transparency_report_publishes_the_channel_and_the_changelog(client_factory, web_world):
    from serving.services import moderate_survey, public_channel_figures
    from serving.web import format_number

    c, case = _applicant(client_factory, web_world)
    decide(web_world, case.case_id)
    page = c.get("/status")
    data = {"csrf": form_csrf(page.text), "rating": "5", "comment": "Clear letters, thank you."}
    assert c.post("/status/survey", data=data).status_code == 303
    report = client_factory().get("/transparency")
    assert "What applicants told us" in report.text
    assert "Clear letters, thank you." not in report.text  # not moderated yet
    with web_world.store.transaction() as session:
        query = sa.select(Survey).where(Survey.application_id == case.application_id)
        survey = session.scalar(query)
        figures = public_channel_figures(session, web_world.settings.fairness.min_group_size)
    from complaint_helpers import principal

    from risk.clock import WallClock

    with web_world.store.transaction() as session:
        moderate_survey(
            session, principal(web_world, "supervisor"), survey.survey_id, True, clock=WallClock()
        )
    report = client_factory().get("/transparency").text
    assert "<li><q>Clear letters, thank you.</q></li>" in report
    responses = format_number(figures["survey_responses"], "en")
    assert (
        f'<th scope="row">Applicants who rated (one per application)</th><td>{responses}</td>'
        in report
    )
    # the seeding's threshold changes are listed with the role, never the name
    assert 'id="tr-changelog"' in report
    assert "(role: administrator)" in report and "seed-admin" not in report


def test_the_report_csv_carries_the_applicants_figures(client_factory, web_world):
    from serving.services import public_channel_figures

    with web_world.store.transaction() as session:
        figures = public_channel_figures(session, web_world.settings.fairness.min_group_size)
    csv_text = client_factory().get("/transparency/report.csv?lang=en").text
    lines = csv_text.splitlines()
    assert f"Totals,Applicants who rated (one per application),,{figures['survey_responses']}" in (
        lines
    )
    assert f"Totals,Decided applications that could rate,,{figures['survey_eligible']}" in lines
