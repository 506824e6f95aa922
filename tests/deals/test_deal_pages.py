from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.models import AuditEntry
from hub.models import DealAsset
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import UsageEvent
from hub.models import utcnow
from tests import factories


@pytest.fixture
def deals(users):
    other = factories.make_user(name="Olivia Other")
    return {
        "mine": factories.make_deal(owner=users["rep"], name="Contoso expansion", account="Contoso"),
        "mine_won": factories.make_deal(
            owner=users["rep"],
            name="Fabrikam pilot",
            account="Fabrikam",
            status=DealStatus.WON,
            closed_on=date(2026, 2, 1),
        ),
        "theirs": factories.make_deal(owner=other, name="Initech renewal", account="Initech"),
    }


def test_reps_see_only_their_deals(rep_client, deals):
    html = rep_client.get("/deals").get_data(as_text=True)
    assert "Contoso expansion" in html and "Fabrikam pilot" in html
    assert "Initech renewal" not in html
    assert rep_client.get(f"/deals/{deals['theirs'].id}").status_code == 404
    assert rep_client.get(f"/deals/{deals['mine'].id}").status_code == 200


@pytest.mark.parametrize("role", ["marketer", "admin"])
def test_marketing_sees_all_deals_and_filters_them(request, role, deals):
    client = request.getfixturevalue(f"{role}_client")
    html = client.get("/deals").get_data(as_text=True)
    assert all(name in html for name in ("Contoso expansion", "Fabrikam pilot", "Initech renewal"))
    assert "Import from CSV" in html
    won = client.get("/deals?status=won").get_data(as_text=True)
    assert "Fabrikam pilot" in won and "Contoso expansion" not in won
    by_owner = client.get(f"/deals?owner={deals['theirs'].owner_id}").get_data(as_text=True)
    assert "Initech renewal" in by_owner and "Contoso expansion" not in by_owner
    searched = client.get("/deals?q=initech").get_data(as_text=True)
    assert "Initech renewal" in searched and "Fabrikam pilot" not in searched
    assert client.get(f"/deals/{deals['theirs'].id}").status_code == 200


def test_stage_filter_and_pagination(marketer_client, users):
    _personas, stages = factories.make_taxonomy()
    for n in range(30):
        factories.make_deal(
            owner=users["rep"], name=f"Bulk deal {n:02d}", stage_id=stages[2].id if n < 3 else None
        )
    page1 = marketer_client.get("/deals").get_data(as_text=True)
    assert "30 deals" in page1 and "Page 1 of 2" in page1
    page2 = marketer_client.get("/deals?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2
    assert marketer_client.get("/deals?page=99").status_code == 200
    staged = marketer_client.get(f"/deals?stage={stages[2].id}").get_data(as_text=True)
    assert "3 deals" in staged


def test_owner_edits_persona_and_stage_with_audit(rep_client, deals):
    personas, stages = factories.make_taxonomy()
    deal = deals["mine"]
    response = rep_client.post(
        f"/deals/{deal.id}/edit", data={"persona_id": personas[0].id, "stage_id": stages[2].id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert deal.persona == personas[0] and deal.stage == stages[2]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "deal.edit")) is not None
    page = rep_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Recommended for this deal" in page


def test_others_cannot_edit_or_close(rep_client, deals):
    theirs = deals["theirs"]
    assert (
        rep_client.post(f"/deals/{theirs.id}/edit", data={"persona_id": 0, "stage_id": 0}).status_code == 404
    )
    assert rep_client.post(f"/deals/{theirs.id}/close", data={"status": "won"}).status_code == 404
    assert rep_client.post(f"/deals/{theirs.id}/uses", data={}).status_code == 404


def test_close_as_won_from_the_page(rep_client, deals):
    deal = deals["mine"]
    response = rep_client.post(f"/deals/{deal.id}/close", data={"status": "won", "closed_on": "2026-03-01"})
    assert response.status_code == 302
    page = rep_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deal closed as won on 2026-03-01" in page
    db.session.expire_all()
    assert deal.status == DealStatus.WON and deal.closed_on == date(2026, 3, 1)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "deal.close")).target_id == str(
        deal.id
    )


def test_close_without_date_closes_today_and_future_dates_are_refused(rep_client, deals):
    deal = deals["mine"]
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    refused = rep_client.post(f"/deals/{deal.id}/close", data={"status": "lost", "closed_on": tomorrow})
    assert refused.status_code == 422 and "cannot be in the future" in refused.get_data(as_text=True)
    rep_client.post(f"/deals/{deal.id}/close", data={"status": "lost", "closed_on": ""})
    db.session.expire_all()
    assert deal.status == DealStatus.LOST and deal.closed_on == utcnow().date()
    rep_client.post(f"/deals/{deal.id}/close", data={"status": "open"})
    db.session.expire_all()
    assert deal.status == DealStatus.OPEN and deal.closed_on is None


def test_log_use_from_the_deal_page_shows_in_the_timeline(rep_client, users, deals):
    asset = factories.make_bare_asset("ROI calculator")
    deal = deals["mine"]
    response = rep_client.post(
        f"/deals/{deal.id}/uses",
        data={
            "asset_id": asset.id,
            "source": "meeting",
            "used_on": "2026-01-20",
            "note": "Walked the CFO through it",
        },
    )
    assert response.status_code == 302
    use = db.session.scalar(select(DealAsset).where(DealAsset.deal_id == deal.id))
    assert use.source == DealAssetSource.MEETING and use.used_at == datetime(2026, 1, 20, 12, 0)
    event = db.session.scalar(select(UsageEvent).where(UsageEvent.kind == EventKind.USED_IN_DEAL))
    assert (event.asset_id, event.deal_id, event.user_id) == (asset.id, deal.id, users["rep"].id)
    page = rep_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "ROI calculator" in page and "Shown in a meeting" in page and "Walked the CFO through it" in page


def test_use_after_the_close_is_marked(rep_client, deals):
    asset = factories.make_bare_asset("Late deck")
    deal = deals["mine_won"]
    rep_client.post(
        f"/deals/{deal.id}/uses", data={"asset_id": asset.id, "source": "email", "used_on": "2026-02-10"}
    )
    page = rep_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Late deck" in page and "after close" in page


def test_log_use_form_from_the_asset_page(rep_client, deals):
    asset = factories.make_bare_asset("Security whitepaper")
    form = rep_client.get(f"/deals/log-use?asset_id={asset.id}").get_data(as_text=True)
    assert "Security whitepaper" in form and "Contoso expansion" in form and "Initech renewal" not in form
    response = rep_client.post(
        f"/deals/log-use?asset_id={asset.id}",
        data={"deal_id": deals["mine"].id, "asset_id": asset.id, "source": "email", "used_on": ""},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/deals/{deals['mine'].id}")
    refused = rep_client.post(
        "/deals/log-use", data={"deal_id": deals["theirs"].id, "asset_id": asset.id, "source": "email"}
    )
    assert refused.status_code == 400 and "Choose one of your deals" in refused.get_data(as_text=True)
    future = (utcnow().date() + timedelta(days=2)).isoformat()
    response = rep_client.post(
        "/deals/log-use",
        data={"deal_id": deals["mine"].id, "asset_id": asset.id, "source": "email", "used_on": future},
    )
    assert response.status_code == 422


def test_share_engagement_appears_on_the_deal_page(rep_client, users, deals):
    from hub.models import PageView
    from hub.models import ShareVisit

    asset = factories.make_asset(users["marketer"], title="Customer story", kind="txt")
    share = factories.make_share(users["rep"], asset, deal=deals["mine"], recipient_name="Pat Prospect")
    visit = ShareVisit(share_id=share.id, visitor_key="v1", total_seconds=95.0)
    db.session.add(visit)
    db.session.flush()
    db.session.add(PageView(visit_id=visit.id, asset_id=asset.id, page=1, seconds=95.0))
    db.session.commit()
    page = rep_client.get(f"/deals/{deals['mine'].id}").get_data(as_text=True)
    assert "Customer story" in page and "Shared by link" in page
    assert "Pat Prospect" in page and "1 min 35 s" in page
