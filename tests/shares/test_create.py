"""Creating share links from assets and deals, with the events, audit entries and deal uses they leave."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from sqlalchemy import select

from hub.extensions import db
from hub.library.service import archive_asset
from hub.models import AuditEntry
from hub.models import DealAsset
from hub.models import DealAssetSource
from hub.models import EventKind
from hub.models import ShareLink
from hub.models import UsageEvent
from hub.models import token_digest
from hub.models import utcnow
from tests.factories import make_deal
from tests.factories import make_pdf_asset


def _only_share() -> ShareLink:
    db.session.expire_all()
    return db.session.scalars(select(ShareLink)).one()


def test_form_from_an_asset_preselects_it(rep_client, users):
    asset = make_pdf_asset(users["marketer"], title="Pricing deck")
    response = rep_client.get(f"/shares/new?asset_id={asset.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pricing deck" in html
    assert f'value="{asset.id}" form="share-form" checked' in html
    default = (utcnow() + timedelta(days=30)).date().isoformat()
    assert f'value="{default}"' in html


def test_rep_shares_one_asset(rep_client, users):
    asset = make_pdf_asset(users["marketer"], title="Pricing deck")
    response = rep_client.post(
        "/shares/new",
        data={
            "asset_id": [asset.id],
            "deal_id": 0,
            "recipient_name": "Jane Buyer",
            "recipient_email": "jane@acme.example",
            "recipient_company": "Acme Corp",
            "note": "As promised.",
            "expires_on": (date.today() + timedelta(days=10)).isoformat(),
            "allow_download": "y",
        },
    )
    assert response.status_code == 302
    share = _only_share()
    assert response.headers["Location"] == f"/shares/{share.id}?created=1"
    assert len(share.token) >= 43 and share.token_hash == token_digest(share.token)
    assert share.title == "Pricing deck" and share.recipient_company == "Acme Corp"
    assert share.allow_download and not share.require_email
    assert share.expires_at.date() == date.today() + timedelta(days=11)
    page = rep_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your link is ready" in page
    assert f"http://localhost/s/{share.token}" in page
    events = db.session.scalars(select(UsageEvent).where(UsageEvent.kind == EventKind.SHARE)).all()
    assert [(e.asset_id, e.share_id, e.user_id) for e in events] == [(asset.id, share.id, users["rep"].id)]
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "share.create")).one()
    assert audit.user_id == users["rep"].id and audit.target_id == str(share.id)


def test_deal_room_from_a_deal_writes_deal_uses(rep_client, users):
    deal = make_deal(owner=users["rep"], name="Acme expansion", account="Acme Corp")
    first = make_pdf_asset(users["marketer"], title="Pricing deck")
    second = make_pdf_asset(users["marketer"], title="ROI study")
    form = rep_client.get(f"/shares/new?deal_id={deal.id}").get_data(as_text=True)
    assert "Acme expansion" in form and 'value="Acme Corp"' in form
    response = rep_client.post(
        f"/shares/new?deal_id={deal.id}",
        data={"asset_id": [first.id, second.id], "deal_id": deal.id, "recipient_company": "Acme Corp"},
    )
    assert response.status_code == 302
    share = _only_share()
    assert [a.title for a in share.assets] == ["Pricing deck", "ROI study"]
    assert share.deal_id == deal.id and share.expires_at is None
    uses = db.session.scalars(select(DealAsset).order_by(DealAsset.asset_id)).all()
    assert [(u.asset_id, u.source, u.share_id, u.user_id) for u in uses] == [
        (first.id, DealAssetSource.SHARE, share.id, users["rep"].id),
        (second.id, DealAssetSource.SHARE, share.id, users["rep"].id),
    ]
    shares = db.session.scalars(select(UsageEvent).where(UsageEvent.kind == EventKind.SHARE)).all()
    assert {(e.asset_id, e.deal_id) for e in shares} == {(first.id, deal.id), (second.id, deal.id)}


def test_rep_cannot_use_another_reps_deal(rep_client, users):
    from tests.factories import make_user

    other = make_user()
    deal = make_deal(owner=other)
    asset = make_pdf_asset(users["marketer"])
    assert rep_client.get(f"/shares/new?deal_id={deal.id}").status_code == 404
    response = rep_client.post(
        "/shares/new", data={"asset_id": [asset.id], "deal_id": deal.id, "recipient_name": "Jane"}
    )
    assert response.status_code == 404
    assert db.session.scalars(select(ShareLink)).all() == []


def test_marketer_may_use_any_deal(marketer_client, users):
    deal = make_deal(owner=users["rep"])
    asset = make_pdf_asset(users["marketer"])
    response = marketer_client.post(
        "/shares/new", data={"asset_id": [asset.id], "deal_id": deal.id, "recipient_name": "Jane"}
    )
    assert response.status_code == 302
    assert _only_share().deal_id == deal.id


def test_form_errors_are_shown(rep_client, users):
    asset = make_pdf_asset(users["marketer"])
    response = rep_client.post("/shares/new", data={"deal_id": 0, "recipient_name": "Jane"})
    assert response.status_code == 422
    assert "Choose at least one asset." in response.get_data(as_text=True)
    response = rep_client.post("/shares/new", data={"asset_id": [asset.id], "deal_id": 0})
    assert response.status_code == 422
    assert "Say who the link is for" in response.get_data(as_text=True)
    response = rep_client.post(
        "/shares/new",
        data={"asset_id": [asset.id], "recipient_name": "Jane", "expires_on": "2001-01-01"},
    )
    assert response.status_code == 422
    assert "The expiry must be in the future." in response.get_data(as_text=True)
    response = rep_client.post("/shares/new", data={"asset_id": ["999999"], "recipient_name": "Jane"})
    assert response.status_code == 422
    assert "no longer exists" in response.get_data(as_text=True)
    assert db.session.scalars(select(ShareLink)).all() == []


def test_archived_assets_cannot_be_shared(rep_client, users):
    asset = make_pdf_asset(users["marketer"], title="Old pricing")
    archive_asset(asset, users["marketer"])
    response = rep_client.post("/shares/new", data={"asset_id": [asset.id], "recipient_name": "Jane"})
    assert response.status_code == 422
    assert "“Old pricing” is archived" in response.get_data(as_text=True)


def test_asset_search_in_the_picker(rep_client, users):
    make_pdf_asset(users["marketer"], title="Pricing deck")
    make_pdf_asset(users["marketer"], title="Security whitepaper")
    html = rep_client.get("/shares/new?q=secur").get_data(as_text=True)
    assert "Security whitepaper" in html and "Pricing deck" not in html
