"""Rep feedback: a 1-5 rating with an optional comment, recorded as a FEEDBACK event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.models import AssetStatus
from hub.models import EventKind
from hub.models import Feedback
from hub.models import UsageEvent
from tests.factories import make_bare_asset


def test_rep_rates_an_asset(app, rep_client, users):
    asset = make_bare_asset("Battle card")
    response = rep_client.post(
        f"/assets/{asset.id}/feedback",
        data={"rating": "4", "comment": " Worked well ", "next": "/requests"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/requests#feedback")

    feedback = db.session.scalars(select(Feedback)).one()
    assert (feedback.rating, feedback.comment, feedback.user_id) == (4, "Worked well", users["rep"].id)
    event = db.session.scalars(select(UsageEvent)).one()
    assert (event.kind, event.asset_id) == (EventKind.FEEDBACK, asset.id)


@pytest.mark.parametrize("rating", ["0", "6", "-1", "five", ""])
def test_rating_outside_range_is_refused(app, rep_client, rating):
    asset = make_bare_asset("Battle card")
    response = rep_client.post(f"/assets/{asset.id}/feedback", data={"rating": rating, "next": "/requests"})
    assert response.status_code == 422
    assert "Choose a rating from 1 (poor) to 5 (excellent)." in response.get_data(as_text=True)
    assert db.session.scalars(select(Feedback)).all() == []


def test_comment_is_optional_and_redirect_stays_on_site(app, rep_client):
    asset = make_bare_asset()
    response = rep_client.post(
        f"/assets/{asset.id}/feedback", data={"rating": "5", "next": "https://evil.example/x"}
    )
    assert response.status_code == 303
    assert "evil.example" not in response.headers["Location"]
    assert db.session.scalars(select(Feedback)).one().comment is None


def test_unknown_or_archived_asset(app, rep_client, marketer_client):
    assert rep_client.post("/assets/999/feedback", data={"rating": "3"}).status_code == 404
    archived = make_bare_asset(status=AssetStatus.ARCHIVED)
    assert rep_client.post(f"/assets/{archived.id}/feedback", data={"rating": "3"}).status_code == 404


def test_feedback_requires_sign_in(app, client):
    asset = make_bare_asset()
    response = client.post(f"/assets/{asset.id}/feedback", data={"rating": "3"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_rating_from_the_asset_page(app, rep_client):
    from tests.factories import make_asset

    asset = make_asset(title="Pricing one-pager", kind="txt")
    page = rep_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert f'action="/assets/{asset.id}/feedback"' in page
    assert f'name="next" value="/assets/{asset.id}"' in page

    response = rep_client.post(
        f"/assets/{asset.id}/feedback",
        data={"rating": "5", "comment": "Closed a deal", "next": f"/assets/{asset.id}"},
    )
    assert response.headers["Location"].endswith(f"/assets/{asset.id}#feedback")
    followed = rep_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thanks, your rating was sent to marketing." in followed
