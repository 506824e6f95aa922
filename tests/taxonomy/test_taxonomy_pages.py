"""Personas and stages managed in the web UI: add, rename, reorder, retire, un-retire."""

from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.models import AuditEntry
from hub.models import Persona
from hub.models import Stage
from tests import factories


def names(model) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(model.name).order_by(model.position, model.id)))


def test_page_lists_both_lists(marketer_client, users):
    factories.make_taxonomy()
    page = marketer_client.get("/taxonomy").get_data(as_text=True)
    assert "Personas" in page and "Buyer-journey stages" in page
    assert "CFO" in page and "Advocacy" in page


def test_add_and_duplicate(marketer_client, users):
    response = marketer_client.post("/taxonomy/personas/add", data={"personas-name": "  Chief   Nurse "})
    assert response.status_code == 302
    assert names(Persona) == ["Chief Nurse"]
    again = marketer_client.post("/taxonomy/personas/add", data={"personas-name": "chief nurse"})
    assert again.status_code == 422
    assert "already a persona called" in again.get_data(as_text=True)
    empty = marketer_client.post("/taxonomy/stages/add", data={"stages-name": ""})
    assert empty.status_code == 422
    assert marketer_client.post("/taxonomy/colours/add", data={"colours-name": "Red"}).status_code == 404


def test_rename(admin_client, users):
    personas, _ = factories.make_taxonomy()
    response = admin_client.post(
        f"/taxonomy/personas/{personas[0].id}/rename",
        data={
            f"t{personas[0].id}-name": "Chief financial officer",
            f"t{personas[0].id}-description": "Owns budget",
        },
    )
    assert response.status_code == 302
    assert names(Persona)[0] == "Chief financial officer"
    clash = admin_client.post(
        f"/taxonomy/personas/{personas[0].id}/rename", data={f"t{personas[0].id}-name": "End user"}
    )
    assert clash.status_code == 422


def test_reorder_stages(marketer_client, users):
    _, stages = factories.make_taxonomy()
    marketer_client.post(f"/taxonomy/stages/{stages[2].id}/move", data={"direction": "up"})
    assert names(Stage) == ["Awareness", "Decision", "Consideration", "Onboarding", "Advocacy"]
    marketer_client.post(f"/taxonomy/stages/{stages[0].id}/move", data={"direction": "down"})
    assert names(Stage) == ["Decision", "Awareness", "Consideration", "Onboarding", "Advocacy"]
    marketer_client.post(f"/taxonomy/stages/{stages[4].id}/move", data={"direction": "down"})
    assert names(Stage)[-1] == "Advocacy"


def test_retire_keeps_history(marketer_client, users):
    personas, _ = factories.make_taxonomy()
    asset = factories.make_asset(
        users["marketer"], title="For procurement", kind="txt", personas=[personas[4]]
    )
    marketer_client.post(f"/taxonomy/personas/{personas[4].id}/retire")
    db.session.expire_all()
    assert db.session.get(Persona, personas[4].id).is_retired
    upload_page = marketer_client.get("/library/upload").get_data(as_text=True)
    assert ">Procurement</option>" not in upload_page
    asset_page = marketer_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Procurement (retired)" in asset_page
    edit_page = marketer_client.get(f"/assets/{asset.id}/edit").get_data(as_text=True)
    assert "Procurement (retired)" in edit_page
    marketer_client.post(f"/taxonomy/personas/{personas[4].id}/restore")
    db.session.expire_all()
    assert not db.session.get(Persona, personas[4].id).is_retired
    assert ">Procurement</option>" in marketer_client.get("/library/upload").get_data(as_text=True)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("persona.%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["persona.retire", "persona.restore"]


def test_reps_cannot_change_the_lists(rep_client, users):
    personas, _ = factories.make_taxonomy()
    assert rep_client.get("/taxonomy").status_code == 403
    assert rep_client.post("/taxonomy/personas/add", data={"personas-name": "X"}).status_code == 403
    assert rep_client.post(f"/taxonomy/personas/{personas[0].id}/retire").status_code == 403
