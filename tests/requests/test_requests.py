"""Content requests: a rep files one, marketing answers and closes it; reps only see their own."""

from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.models import AuditEntry
from hub.models import ContentRequest
from hub.models import RequestStatus
from hub.models import Role
from tests.factories import make_bare_asset
from tests.factories import make_taxonomy
from tests.factories import make_user


def _file(client, **data):
    return client.post("/requests", data={"title": "ROI calculator", "persona": 0, "stage": 0, **data})


def test_rep_files_a_request_for_a_persona_and_stage(app, rep_client, users):
    personas, stages = make_taxonomy()
    response = _file(rep_client, persona=personas[0].id, stage=stages[2].id, details="Prospect asked")
    assert response.status_code == 302

    item = db.session.scalars(select(ContentRequest)).one()
    assert (item.persona.name, item.stage.name) == ("CFO", "Decision")
    assert item.requested_by_id == users["rep"].id
    assert item.status is RequestStatus.OPEN
    page = rep_client.get("/requests").get_data(as_text=True)
    assert "ROI calculator" in page and "Open" in page


def test_request_without_title_is_refused(app, rep_client):
    response = _file(rep_client, title="  ")
    assert response.status_code == 422
    assert "Say in a few words" in response.get_data(as_text=True)
    assert db.session.scalars(select(ContentRequest)).all() == []


def test_unknown_persona_is_refused(app, rep_client):
    response = _file(rep_client, persona=9999)
    assert response.status_code == 422
    assert db.session.scalars(select(ContentRequest)).all() == []


def test_marketer_answers_links_asset_and_closes(app, rep_client, marketer_client, users):
    _file(rep_client)
    item = db.session.scalars(select(ContentRequest)).one()
    asset = make_bare_asset("ROI workbook")
    assert ">ROI calculator</a>" in marketer_client.get("/requests").get_data(as_text=True)

    response = marketer_client.post(
        f"/requests/{item.id}",
        data={"status": "done", "response": "Here it is.", "asset_id": asset.id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(ContentRequest, item.id)
    assert item.status is RequestStatus.DONE
    assert item.asset_id == asset.id
    assert item.answered_by_id == users["marketer"].id
    assert item.closed_at is not None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "request.answer")).one()

    # the rep sees the answer; closed requests leave the default list
    detail = rep_client.get(f"/requests/{item.id}").get_data(as_text=True)
    assert "Here it is." in detail and "ROI workbook" in detail
    assert ">ROI calculator</a>" not in rep_client.get("/requests").get_data(as_text=True)
    assert ">ROI calculator</a>" in rep_client.get("/requests?status=closed").get_data(as_text=True)

    # reopening clears the close date
    marketer_client.post(f"/requests/{item.id}", data={"status": "in_progress", "response": "More soon"})
    db.session.expire_all()
    assert db.session.get(ContentRequest, item.id).closed_at is None


def test_done_needs_an_answer_or_asset(app, rep_client, marketer_client):
    _file(rep_client)
    item = db.session.scalars(select(ContentRequest)).one()
    response = marketer_client.post(f"/requests/{item.id}", data={"status": "done", "response": ""})
    assert response.status_code == 422
    assert "link the asset" in response.get_data(as_text=True)


def test_unknown_asset_id_is_refused(app, rep_client, marketer_client):
    _file(rep_client)
    item = db.session.scalars(select(ContentRequest)).one()
    response = marketer_client.post(f"/requests/{item.id}", data={"status": "done", "asset_id": 424242})
    assert response.status_code == 422
    assert "no asset with ID 424242" in response.get_data(as_text=True)


def test_reps_see_only_their_own_requests(app, rep_client):
    other = make_user(Role.REP)
    db.session.add(ContentRequest(title="Someone else's ask", requested_by=other))
    db.session.commit()
    item = db.session.scalars(select(ContentRequest)).one()
    assert "Someone else" not in rep_client.get("/requests").get_data(as_text=True)
    assert rep_client.get(f"/requests/{item.id}").status_code == 404


def test_rep_cannot_answer(app, rep_client):
    _file(rep_client)
    item = db.session.scalars(select(ContentRequest)).one()
    assert rep_client.post(f"/requests/{item.id}", data={"status": "declined"}).status_code == 403


def test_bad_status_filter_falls_back(app, rep_client):
    assert rep_client.get("/requests?status=bogus&page=x").status_code == 200
