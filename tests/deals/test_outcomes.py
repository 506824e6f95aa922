from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from hub.analytics.influence import asset_outcomes
from hub.deals import importer
from hub.deals import service
from hub.deals.crm_import import Options
from hub.extensions import db
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import utcnow
from tests import factories


@pytest.fixture
def rep(app):
    return factories.make_user(name="Dana Whitfield", email="dana.whitfield@acme.test")


def test_closing_credits_assets_used_before_the_close_date_only(rep):
    deal = factories.make_deal(owner=rep, crm_id="OPP-1", amount=Decimal("40000"))
    early = factories.make_bare_asset("Case study")
    late = factories.make_bare_asset("Follow-up deck")
    service.log_asset_use(deal, early, rep, DealAssetSource.MEETING, used_at=datetime(2026, 2, 1, 10))
    service.log_asset_use(deal, late, rep, DealAssetSource.EMAIL, used_at=datetime(2026, 3, 20, 10))

    open_outcomes = asset_outcomes([early.id, late.id])
    assert open_outcomes[early.id].open == 1 and open_outcomes[late.id].open == 1

    service.close_deal(deal, DealStatus.WON, date(2026, 3, 1), acting=rep)
    outcomes = asset_outcomes([early.id, late.id])
    assert outcomes[early.id].won == 1 and outcomes[early.id].influenced_revenue == Decimal("40000")
    assert late.id not in outcomes  # used after the close: no credit


def test_a_loss_flows_to_the_assets_too(rep):
    deal = factories.make_deal(owner=rep)
    asset = factories.make_bare_asset()
    service.log_asset_use(deal, asset, rep, DealAssetSource.OTHER, used_at=datetime(2026, 1, 5))
    service.close_deal(deal, DealStatus.LOST)
    outcome = asset_outcomes([asset.id])[asset.id]
    assert (outcome.won, outcome.lost, outcome.win_rate) == (0, 1, 0.0)
    assert deal.closed_on == utcnow().date()


def test_an_import_that_closes_deals_updates_asset_outcomes(rep):
    deal = factories.make_deal(owner=rep, crm_id="0065e00000AbCdEAA1", amount=Decimal("48500"))
    asset = factories.make_bare_asset("Platform overview")
    service.log_asset_use(deal, asset, rep, DealAssetSource.MEETING, used_at=datetime(2026, 3, 1, 9))
    data = (
        b'"Opportunity ID","Opportunity Name","Stage","Close Date","Won","Closed","Opportunity Owner"\n'
        b'"0065e00000AbCdEAA1","Northwind - Platform Expansion","Closed Won","03/12/2026","1","1","Dana Whitfield"\n'
    )
    csv_file, preset, mapping = importer.open_file(data)
    plan = importer.build_plan(csv_file, mapping, Options(preset))
    importer.run(plan, acting=None, label="test")
    db.session.expire_all()
    assert deal.status == DealStatus.WON and deal.closed_on == date(2026, 3, 12)
    assert asset_outcomes([asset.id])[asset.id].won == 1
