"""The demo loader builds a realistic company that every page can show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub.extensions import db
from hub.models import Asset
from hub.models import AssetVersion
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealStatus
from hub.models import Persona
from hub.models import Role
from hub.models import ShareLink
from hub.models import Stage
from hub.models import UsageEvent
from hub.models import User
from hub.models import utcnow
from hub.storage import blob_key
from hub.storage import get_storage


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_loads_the_whole_company(demo, app):
    assert "Demo loaded" in demo.output
    assert _count(Persona) == 5
    assert [s.name for s in db.session.scalars(select(Stage).order_by(Stage.position))] == [
        "Awareness",
        "Consideration",
        "Decision",
        "Onboarding",
        "Advocacy",
    ]
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {Role.ADMIN: 1, Role.MARKETER: 1, Role.REP: 4}
    assert 35 <= _count(Asset) <= 45
    assert _count(Deal) == 150
    statuses = dict(db.session.execute(select(Deal.status, func.count()).group_by(Deal.status)).all())
    assert all(statuses.get(s, 0) > 20 for s in DealStatus)
    assert _count(DealAsset) > 100
    assert _count(ShareLink) > 10
    events = _count(UsageEvent)
    assert events >= 3000
    oldest = db.session.scalar(select(func.min(UsageEvent.created_at)))
    assert oldest >= utcnow() - timedelta(days=91)
    _assets_are_real_documents_with_different_text()
    _every_role_sees_demo_data(app)


def _assets_are_real_documents_with_different_text():
    versions = db.session.scalars(select(AssetVersion)).all()
    kinds = {v.mime_type for v in versions}
    assert {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    } <= kinds
    texts = [v.extracted_text for v in versions]
    assert all(texts)
    assert len(set(texts)) == len(texts)
    storage = get_storage()
    pdf = next(v for v in versions if v.mime_type == "application/pdf")
    assert storage.read(blob_key(pdf.blob_sha256)).startswith(b"%PDF")


def test_demo_refuses_to_overwrite_and_can_skip_or_reset(demo, runner):
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "--reset" in again.output
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "skipped" in skipped.output
    reset = runner.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    db.session.expire_all()
    assert _count(Deal) == 150
    assert _count(User) == 6


def test_demo_logins_are_printed(runner):
    result = runner.invoke(args=["demo-logins"])
    assert "admin@hub.demo" in result.output
    assert "hub-demo-2026" in result.output


ROLE_PAGES = [
    ("rob@hub.demo", ["/search", "/search?q=roi", "/shares", "/deals", "/requests"]),
    ("maya@hub.demo", ["/library", "/reports", "/taxonomy", "/deals", "/shares"]),
    ("admin@hub.demo", ["/admin/users", "/reports", "/library"]),
]


def _every_role_sees_demo_data(app):
    from tests.conftest import login

    for email, pages in ROLE_PAGES:
        client = app.test_client()
        assert login(client, email, "hub-demo-2026").status_code == 302
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
