from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.models import AssetStatus
from hub.models import DealAsset
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import UsageEvent
from tests import factories
from tests.api.conftest import bearer


@pytest.fixture
def library(users):
    personas, stages = factories.make_taxonomy()
    return {
        "roi": factories.make_asset(
            users["marketer"],
            title="ROI calculator guide",
            text="Payback period and savings",
            kind="txt",
            personas=[personas[0]],
            stages=[stages[2]],
        ),
        "security": factories.make_asset(
            users["marketer"], title="Security whitepaper", text="Encryption and SOC 2", kind="txt"
        ),
        "old": factories.make_bare_asset("Retired brochure", status=AssetStatus.ARCHIVED),
        "personas": personas,
        "stages": stages,
    }


def test_list_and_filter_assets(client, tokens, library):
    body = client.get("/api/v1/assets", headers=bearer(tokens["rep"])).get_json()
    titles = {a["title"] for a in body["items"]}
    assert titles == {"ROI calculator guide", "Security whitepaper"}
    filtered = client.get(
        "/api/v1/assets?persona=cfo&stage=Decision", headers=bearer(tokens["rep"])
    ).get_json()
    assert [a["title"] for a in filtered["items"]] == ["ROI calculator guide"]
    assert filtered["items"][0]["personas"] == ["CFO"] and filtered["items"][0]["file"]["filename"].endswith(
        ".txt"
    )
    assert client.get("/api/v1/assets?persona=Astronaut", headers=bearer(tokens["rep"])).status_code == 422
    assert client.get("/api/v1/assets?type=poster", headers=bearer(tokens["rep"])).status_code == 400


def test_archived_assets_are_for_marketing_only(client, tokens, library):
    assert client.get("/api/v1/assets?status=all", headers=bearer(tokens["rep"])).status_code == 403
    assert client.get(f"/api/v1/assets/{library['old'].id}", headers=bearer(tokens["rep"])).status_code == 404
    everything = client.get("/api/v1/assets?status=all", headers=bearer(tokens["marketer"])).get_json()
    assert everything["total"] == 3
    assert (
        client.get(f"/api/v1/assets/{library['old'].id}", headers=bearer(tokens["marketer"])).get_json()[
            "status"
        ]
        == "archived"
    )


def test_search_assets_through_the_index(client, tokens, library):
    body = client.get("/api/v1/assets?q=encryption", headers=bearer(tokens["rep"])).get_json()
    assert [a["title"] for a in body["items"]] == ["Security whitepaper"]
    assert body["query"] == "encryption" and "uses" in body["items"][0]
    search_event = db.session.scalar(select(UsageEvent).where(UsageEvent.kind == EventKind.SEARCH))
    assert search_event.source == "api" and search_event.query == "encryption"


def test_record_view_and_download_events(client, tokens, users, library):
    asset = library["roi"]
    response = client.post(
        "/api/v1/events",
        json={"kind": "view", "asset_id": asset.id, "seconds": 42},
        headers=bearer(tokens["rep"]),
    )
    assert response.status_code == 201
    response = client.post(
        "/api/v1/events",
        json={"kind": "download", "asset_id": asset.id, "occurred_at": "2026-03-01T09:30:00+02:00"},
        headers=bearer(tokens["rep"]),
    )
    assert response.status_code == 201
    events = db.session.scalars(
        select(UsageEvent).where(UsageEvent.source == "api").order_by(UsageEvent.id)
    ).all()
    assert [(e.kind, e.user_id, e.asset_id) for e in events] == [
        (EventKind.VIEW, users["rep"].id, asset.id),
        (EventKind.DOWNLOAD, users["rep"].id, asset.id),
    ]
    assert events[0].seconds == 42 and events[1].created_at == datetime(2026, 3, 1, 7, 30)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"kind": "search", "asset_id": 1}, 400),
        ({"kind": "share_open", "asset_id": 1}, 400),
        ({"kind": "view"}, 400),
        ({"kind": "view", "asset_id": 999999}, 422),
        ({"kind": "view", "asset_id": "1"}, 400),
        ({"kind": "view", "asset_id": None, "seconds": -1}, 400),
        ({"kind": "used_in_deal", "asset_id": "ROI"}, 400),
        ({"kind": "view", "asset_id": 2**63}, 400),
        ({"kind": "view", "asset_id": 2**31}, 400),
        ({"kind": "view", "asset_id": 0}, 400),
    ],
)
def test_event_validation(client, tokens, library, payload, status):
    response = client.post("/api/v1/events", json=payload, headers=bearer(tokens["rep"]))
    assert response.status_code == status
    assert response.get_json()["error"]["status"] == status


def test_future_and_archived_event_targets_are_refused(client, tokens, library):
    future = client.post(
        "/api/v1/events",
        json={"kind": "view", "asset_id": library["roi"].id, "occurred_at": "2999-01-01T00:00:00Z"},
        headers=bearer(tokens["rep"]),
    )
    assert future.status_code == 400 and "occurred_at" in future.get_json()["error"]["fields"]
    archived = client.post(
        "/api/v1/events", json={"kind": "view", "asset_id": library["old"].id}, headers=bearer(tokens["rep"])
    )
    assert archived.status_code == 422


def test_used_in_deal_event_links_the_asset_to_the_deal(client, tokens, users, library):
    mine = factories.make_deal(owner=users["rep"], crm_id="OPP-1")
    factories.make_deal(owner=users["marketer"], crm_id="OPP-2")
    payload = {
        "kind": "used_in_deal",
        "asset_id": library["roi"].id,
        "deal_crm_id": "OPP-1",
        "source": "email",
        "note": "Sent after the demo",
    }
    response = client.post("/api/v1/events", json=payload, headers=bearer(tokens["rep"]))
    assert response.status_code == 201 and response.get_json()["use"]["source"] == "email"
    use = db.session.scalar(select(DealAsset))
    assert (use.deal_id, use.asset_id, use.user_id, use.note) == (
        mine.id,
        library["roi"].id,
        users["rep"].id,
        "Sent after the demo",
    )
    other = client.post(
        "/api/v1/events", json={**payload, "deal_crm_id": "OPP-2"}, headers=bearer(tokens["rep"])
    )
    assert other.status_code == 422
    no_deal = client.post(
        "/api/v1/events",
        json={"kind": "used_in_deal", "asset_id": library["roi"].id},
        headers=bearer(tokens["rep"]),
    )
    assert no_deal.status_code == 400
    share_source = client.post(
        "/api/v1/events", json={**payload, "source": "share"}, headers=bearer(tokens["rep"])
    )
    assert share_source.status_code == 400


def test_report_data_for_marketing(client, tokens, users, library):
    deal = factories.make_deal(
        owner=users["rep"],
        amount=Decimal("30000"),
        status=DealStatus.WON,
        closed_on=datetime(2026, 3, 1).date(),
    )
    factories.link_deal_asset(deal, library["roi"], used_at=datetime(2026, 2, 1))
    factories.make_event(EventKind.VIEW, asset_id=library["roi"].id, user_id=users["rep"].id)
    headers = bearer(tokens["marketer"])
    body = client.get(
        f"/api/v1/reports/asset-outcomes?asset_id={library['roi'].id}&asset_id={library['security'].id}",
        headers=headers,
    ).get_json()
    rows = {row["title"]: row for row in body["items"]}
    assert (
        rows["ROI calculator guide"]["won"] == 1
        and rows["ROI calculator guide"]["influenced_revenue"] == "30000.00"
    )
    assert rows["ROI calculator guide"]["uses"] >= 1
    assert rows["Security whitepaper"]["deals"] == 0 and rows["Security whitepaper"]["win_rate"] is None
    all_assets = client.get("/api/v1/reports/asset-outcomes", headers=headers).get_json()
    assert [row["asset_id"] for row in all_assets["items"]] == [library["roi"].id]
    usage = client.get("/api/v1/reports/usage?since=2020-01-01", headers=headers).get_json()
    assert {row["asset_id"] for row in usage["items"]} >= {library["roi"].id}
    assert client.get("/api/v1/reports/usage", headers=bearer(tokens["rep"])).status_code == 403
    assert (
        client.get(
            "/api/v1/reports/asset-outcomes?start=2026-05-01&end=2026-01-01", headers=headers
        ).status_code
        == 400
    )
    assert client.get("/api/v1/reports/asset-outcomes?start=yesterday", headers=headers).status_code == 400
