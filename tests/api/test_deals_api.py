from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub.analytics.influence import asset_outcomes
from hub.extensions import db
from hub.models import AuditEntry
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealStatus
from tests import factories
from tests.api.conftest import bearer


def deal(crm_id: str) -> Deal | None:
    db.session.expire_all()
    return db.session.scalar(select(Deal).where(Deal.crm_id == crm_id))


DEAL = {
    "name": "Globex - Annual Subscription",
    "account": "Globex Corporation",
    "amount": 64000,
    "currency": "USD",
    "owner": "rep@example.com",
    "crm_stage": "Contract Sent",
    "status": "open",
    "created_on": "2026-01-15",
    "closed_on": "2026-04-30",
}


def test_put_creates_then_updates_then_leaves_unchanged(client, tokens, users):
    created = client.put("/api/v1/deals/HS-1", json=DEAL, headers=bearer(tokens["marketer"]))
    assert created.status_code == 201
    body = created.get_json()
    assert body["result"] == "created" and created.headers["Location"].endswith("/api/v1/deals/HS-1")
    assert body["deal"]["owner"]["email"] == "rep@example.com" and body["deal"]["amount"] == "64000.00"
    same = client.put("/api/v1/deals/HS-1", json=DEAL, headers=bearer(tokens["marketer"]))
    assert same.status_code == 200 and same.get_json()["result"] == "unchanged"
    changed = client.put("/api/v1/deals/HS-1", json={"amount": "70,000.50"}, headers=bearer(tokens["admin"]))
    assert changed.get_json()["result"] == "updated" and changed.get_json()["changed"] == ["amount"]
    stored = deal("HS-1")
    assert (
        stored.amount == Decimal("70000.50") and stored.owner == users["rep"] and stored.name == DEAL["name"]
    )
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "deal")).all()
    assert actions == ["deal.created", "deal.updated"]


def test_post_creates_and_refuses_an_existing_id(client, tokens):
    response = client.post(
        "/api/v1/deals", json={**DEAL, "crm_id": "HS-2"}, headers=bearer(tokens["marketer"])
    )
    assert response.status_code == 201
    again = client.post("/api/v1/deals", json={**DEAL, "crm_id": "HS-2"}, headers=bearer(tokens["marketer"]))
    assert again.status_code == 409 and "PUT" in again.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({**DEAL, "amount": "lots"}, 400, "amount"),
        ({**DEAL, "status": "maybe"}, 400, "status"),
        ({**DEAL, "closed_on": "31/04/2026"}, 400, "closed_on"),
        ({**DEAL, "color": "blue"}, 400, "color"),
        ({**DEAL, "name": ""}, 400, "name"),
        ({**DEAL, "currency": "dollars"}, 400, "currency"),
        ({**DEAL, "owner": "ghost@example.com"}, 422, "owner"),
        ({**DEAL, "persona": "Astronaut"}, 422, "persona"),
        ({**DEAL, "crm_id": "OTHER"}, 409, "crm_id"),
    ],
)
def test_validation_errors_name_the_field(client, tokens, payload, status, field):
    response = client.put("/api/v1/deals/HS-3", json=payload, headers=bearer(tokens["marketer"]))
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["status"] == status and field in error["fields"]
    assert deal("HS-3") is None


def test_new_deal_needs_a_name(client, tokens):
    response = client.put("/api/v1/deals/HS-4", json={"amount": 5}, headers=bearer(tokens["marketer"]))
    assert response.status_code == 400 and "name" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "name=x", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"json": ["a", "list"]}, 400),
        ({"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"}, 400),
    ],
)
def test_bodies_must_be_json_objects(client, tokens, kwargs, status):
    response = client.put("/api/v1/deals/HS-5", headers=bearer(tokens["marketer"]), **kwargs)
    assert response.status_code == status and response.get_json()["error"]["status"] == status


def test_batch_upserts_good_items_and_reports_bad_ones(client, tokens):
    factories.make_deal(crm_id="B-0", name="Existing", amount=Decimal("100"))
    items = [
        {**DEAL, "crm_id": "B-1"},
        {"crm_id": "B-2", "name": "Bravo", "amount": "abc"},
        {"crm_id": "B-0", "name": "Existing", "amount": 100},
        {"crm_id": "B-3", "status": "won"},
        {"crm_id": "B-1", "name": "dup"},
        {"crm_id": "B-4", "name": "Delta", "status": "lost", "closed_on": "2026-03-01"},
    ]
    response = client.post("/api/v1/deals/batch", json={"deals": items}, headers=bearer(tokens["marketer"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body["summary"] == {"created": 2, "updated": 0, "unchanged": 1, "errors": 3}
    results = body["results"]
    assert results[0]["result"] == "created" and results[2]["result"] == "unchanged"
    assert results[1]["error"]["fields"] == {"amount": "bad amount 'abc'"}
    assert results[3]["error"]["fields"] == {"name": "required for a new deal"}
    assert results[4]["error"]["status"] == 409
    assert deal("B-4").status == DealStatus.LOST and deal("B-4").closed_on == date(2026, 3, 1)


def test_batch_limits(client, tokens):
    headers = bearer(tokens["marketer"])
    assert client.post("/api/v1/deals/batch", json={"deals": []}, headers=headers).status_code == 400
    too_many = [{"crm_id": f"X-{n}", "name": "x"} for n in range(501)]
    assert client.post("/api/v1/deals/batch", json={"deals": too_many}, headers=headers).status_code == 413


def test_reps_list_and_read_only_their_deals(client, tokens, users):
    factories.make_deal(owner=users["rep"], crm_id="MINE", name="Mine")
    factories.make_deal(owner=users["marketer"], crm_id="THEIRS", name="Theirs")
    listed = client.get("/api/v1/deals", headers=bearer(tokens["rep"])).get_json()
    assert [d["crm_id"] for d in listed["items"]] == ["MINE"] and listed["total"] == 1
    assert client.get("/api/v1/deals/THEIRS", headers=bearer(tokens["rep"])).status_code == 404
    assert client.get("/api/v1/deals/MINE", headers=bearer(tokens["rep"])).get_json()["name"] == "Mine"
    everything = client.get("/api/v1/deals?per_page=1", headers=bearer(tokens["marketer"])).get_json()
    assert everything["total"] == 2 and everything["pages"] == 2 and len(everything["items"]) == 1
    assert client.get("/api/v1/deals?status=nope", headers=bearer(tokens["marketer"])).status_code == 400
    assert client.get("/api/v1/deals?per_page=1000", headers=bearer(tokens["marketer"])).status_code == 400
    assert client.get("/api/v1/deals?q=thei", headers=bearer(tokens["marketer"])).get_json()["total"] == 1


def test_outcome_via_api_flows_to_assets_used_before_the_close(client, tokens, users):
    target = factories.make_deal(owner=users["rep"], crm_id="OPP-9", amount=Decimal("25000"))
    before = factories.make_bare_asset("Used before")
    after = factories.make_bare_asset("Used after")
    headers = bearer(tokens["rep"])
    first = client.post(
        "/api/v1/deals/OPP-9/assets",
        json={"asset_id": before.id, "source": "meeting", "used_at": "2026-02-01T10:00:00Z"},
        headers=headers,
    )
    assert first.status_code == 201
    client.post(
        "/api/v1/deals/OPP-9/assets", json={"asset_id": after.id, "used_at": "2026-03-15"}, headers=headers
    )
    response = client.put(
        "/api/v1/deals/OPP-9/outcome", json={"status": "won", "closed_on": "2026-03-01"}, headers=headers
    )
    assert response.status_code == 200 and response.get_json()["status"] == "won"
    outcomes = asset_outcomes([before.id, after.id])
    assert outcomes[before.id].won == 1 and outcomes[before.id].influenced_revenue == Decimal("25000")
    assert after.id not in outcomes
    assert db.session.scalar(select(DealAsset).where(DealAsset.asset_id == before.id)).used_at == datetime(
        2026, 2, 1, 10
    )
    assert target.id


def test_outcome_errors(client, tokens, users):
    factories.make_deal(owner=users["marketer"], crm_id="M-1")
    factories.make_deal(owner=users["rep"], crm_id="R-1")
    assert (
        client.put(
            "/api/v1/deals/M-1/outcome", json={"status": "won"}, headers=bearer(tokens["rep"])
        ).status_code
        == 404
    )
    bad = client.put("/api/v1/deals/R-1/outcome", json={"status": "done"}, headers=bearer(tokens["rep"]))
    assert bad.status_code == 400 and "status" in bad.get_json()["error"]["fields"]
    future = client.put(
        "/api/v1/deals/R-1/outcome",
        json={"status": "won", "closed_on": "2999-01-01"},
        headers=bearer(tokens["rep"]),
    )
    assert future.status_code == 422
    ok = client.put("/api/v1/deals/R-1/outcome", json={"status": "lost"}, headers=bearer(tokens["rep"]))
    assert ok.get_json()["closed_on"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"asset_id": 2**63}, "asset_id"),
        ({"asset_id": 2**31}, "asset_id"),
        ({"asset_id": 0}, "asset_id"),
        ({"asset_id": 1, "note": "met\x00the CFO"}, "note"),
    ],
)
def test_logging_use_refuses_out_of_range_ids_and_nul_notes(client, tokens, users, body, field):
    factories.make_deal(owner=users["rep"], crm_id="R-2")
    response = client.post("/api/v1/deals/R-2/assets", json=body, headers=bearer(tokens["rep"]))
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(DealAsset)) is None


@pytest.mark.parametrize(
    ("amount", "message"),
    [(float("nan"), "expected a finite number"), (-5, "expected a positive amount"), (1e15, "at most")],
)
def test_amount_problems_are_named(client, tokens, amount, message):
    response = client.put(
        "/api/v1/deals/AMT-1", json={**DEAL, "amount": amount}, headers=bearer(tokens["marketer"])
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]["fields"]["amount"]
    assert deal("AMT-1") is None


def test_unknown_routes_and_methods_answer_json(client, tokens):
    missing = client.get("/api/v1/nothing-here", headers=bearer(tokens["rep"]))
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    wrong = client.delete("/api/v1/deals", headers=bearer(tokens["rep"]))
    assert wrong.status_code == 405 and wrong.get_json()["error"]["status"] == 405


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=0", "per_page=1000", "page=abc"])
def test_paging_out_of_range_is_refused(client, tokens, query):
    response = client.get(f"/api/v1/deals?{query}", headers=bearer(tokens["marketer"]))
    assert response.status_code == 400
    assert (
        "page must be between 1 and" in response.get_json()["error"]["message"]
        or "whole number" in (response.get_json()["error"]["message"])
    )


@pytest.mark.parametrize(
    ("closed_on", "status"), [("2026-01-02garbage", 400), ("2026-01-02T09:30:00Z", 201), ("2026-01-02", 201)]
)
def test_dates_must_parse_whole(client, tokens, users, closed_on, status):
    response = client.put(
        "/api/v1/deals/DATE-1",
        json={**DEAL, "status": "won", "closed_on": closed_on},
        headers=bearer(tokens["marketer"]),
    )
    assert response.status_code == status, response.get_json()
    if status == 201:
        assert deal("DATE-1").closed_on == date(2026, 1, 2)
    else:
        assert "closed_on" in response.get_json()["error"]["fields"]


def test_the_api_finds_a_deal_by_either_form(client, tokens):
    headers = bearer(tokens["marketer"])
    created = client.put("/api/v1/deals/0065e00000AbCdE", json={"name": "Northwind"}, headers=headers)
    assert created.status_code == 201
    assert created.get_json()["deal"]["crm_id"] == "0065e00000AbCdEAAV"
    assert created.headers["Location"].endswith("/api/v1/deals/0065e00000AbCdEAAV")
    found = client.get("/api/v1/deals/0065E00000ABCDEAAV", headers=headers)
    assert found.status_code == 200 and found.get_json()["name"] == "Northwind"
    again = client.post("/api/v1/deals", json={"crm_id": "0065e00000AbCdEAAV", "name": "X"}, headers=headers)
    assert again.status_code == 409


def test_deal_ids_with_slashes_work_through_the_api(client, tokens, users):
    headers = bearer(tokens["marketer"])
    crm_id = "Acme / Globex renewal 2026/27"
    created = client.put(
        f"/api/v1/deals/{crm_id}", json={"name": crm_id, "owner": users["rep"].email}, headers=headers
    )
    assert created.status_code == 201
    assert client.get(f"/api/v1/deals/{crm_id}", headers=headers).get_json()["crm_id"] == crm_id
    closed = client.put(
        f"/api/v1/deals/{crm_id}/outcome", json={"status": "won", "closed_on": "2026-01-05"}, headers=headers
    )
    assert closed.status_code == 200 and closed.get_json()["status"] == "won"
    assert client.get(f"/api/v1/deals/{crm_id}", headers=bearer(tokens["rep"])).status_code == 200


@pytest.mark.parametrize(
    ("crm_id", "problem"),
    [
        ("a\x00b", "control characters"),
        ("bell\x07here", "control characters"),
        ("x" * 65, "at most 64"),
        (" ", "empty"),
    ],
)
def test_bad_crm_ids_in_the_url_are_refused_clearly(client, tokens, crm_id, problem):
    headers = bearer(tokens["marketer"])
    answers = [
        client.get(f"/api/v1/deals/{crm_id}", headers=headers),
        client.put(f"/api/v1/deals/{crm_id}", json={"name": "N"}, headers=headers),
        client.put(f"/api/v1/deals/{crm_id}/outcome", json={"status": "won"}, headers=headers),
        client.post(f"/api/v1/deals/{crm_id}/assets", json={"asset_id": 1}, headers=headers),
        client.post(
            "/api/v1/events",
            json={"kind": "used_in_deal", "asset_id": 1, "deal_crm_id": crm_id},
            headers=headers,
        ),
    ]
    for answer in answers[:4]:
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert problem in answer.get_json()["error"]["fields"]["crm_id"]
    assert answers[4].status_code in (400, 422) and answers[4].status_code < 500
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0
