"""Page-timing beacons: cumulative, duplicate-proof, and hostile input refused or clamped."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.models import PageView
from hub.models import ShareVisit
from hub.viewer.service import MAX_PAGE_SECONDS
from hub.viewer.service import SLACK_SECONDS
from tests.factories import make_pdf_asset
from tests.factories import make_share


@pytest.fixture
def opened(client, users):
    """A three-page PDF share opened once by `client` (which now holds the visit cookie)."""
    asset = make_pdf_asset(users["marketer"], pages=3)
    share = make_share(users["rep"], asset)
    assert client.get(f"/s/{share.token}").status_code == 200
    return share, asset


def _views() -> dict[tuple[int, int], float]:
    db.session.expire_all()
    return {(v.asset_id, v.page): v.seconds for v in db.session.scalars(select(PageView))}


def _visit() -> ShareVisit:
    db.session.expire_all()
    return db.session.scalars(select(ShareVisit)).one()


def _age_visit(seconds: float) -> None:
    visit = _visit()
    visit.started_at = visit.started_at - timedelta(seconds=seconds)
    db.session.commit()


def test_beacons_are_cumulative_and_duplicates_harmless(client, opened):
    share, asset = opened
    url = f"/s/{share.token}/beacon"
    assert client.post(url, json={"asset": asset.id, "pages": {"1": 4.5, "2": 0}}).status_code == 204
    assert client.post(url, json={"asset": asset.id, "pages": {"1": 4.5, "2": 0}}).status_code == 204
    assert _views() == {(asset.id, 1): 4.5, (asset.id, 2): 0.0}
    # a late, smaller report never lowers what was stored
    assert client.post(url, json={"asset": asset.id, "pages": {"1": 2}}).status_code == 204
    assert client.post(url, json={"asset": asset.id, "pages": {"1": 9, "2": 6}}).status_code == 204
    assert _views() == {(asset.id, 1): 9.0, (asset.id, 2): 6.0}
    assert _visit().total_seconds == 15.0


def test_beacon_answers_carry_the_viewer_headers(client, opened):
    share, asset = opened
    stored = client.post(f"/s/{share.token}/beacon", json={"asset": asset.id, "pages": {"1": 1}})
    refused = client.post(f"/s/{share.token}/beacon", data=b"{", content_type="text/plain")
    for response in (stored, refused):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert stored.status_code == 204 and stored.data == b""
    assert refused.status_code == 400
    assert refused.get_json() == {"error": {"status": 400, "message": "malformed JSON"}}


def test_beacon_address_takes_only_post(client, opened):
    share, _asset = opened
    response = client.get(f"/s/{share.token}/beacon")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.get_json()["error"]["message"] == "beacons are sent with POST"


def test_viewer_page_gives_the_script_the_beacon_address(client, opened):
    share, _asset = opened
    page = client.get(f"/s/{share.token}").get_data(as_text=True)
    assert f'data-beacon-url="/s/{share.token}/beacon"' in page


def test_a_failing_database_answers_500_and_the_next_beacon_is_stored(client, opened, monkeypatch, caplog):
    from hub.viewer import service

    share, asset = opened
    url = f"/s/{share.token}/beacon"
    real = service.store_page_times

    def failing(*args, **kwargs):
        raise OSError("disk I/O error")

    monkeypatch.setattr(service, "store_page_times", failing)
    response = client.post(url, json={"asset": asset.id, "pages": {"1": 2}})
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    assert "beacon for link failed" in caplog.text
    monkeypatch.setattr(service, "store_page_times", real)
    assert client.post(url, json={"asset": asset.id, "pages": {"1": 2}}).status_code == 204
    assert _views() == {(asset.id, 1): 2.0}


def test_text_plain_body_as_sent_by_send_beacon(client, opened):
    share, asset = opened
    body = json.dumps({"asset": asset.id, "pages": {"3": 7}})
    response = client.post(f"/s/{share.token}/beacon", data=body, content_type="text/plain;charset=UTF-8")
    assert response.status_code == 204
    assert _views() == {(asset.id, 3): 7.0}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        b"[]",
        b'{"asset": "1", "pages": {"1": 3}}',
        b'{"pages": {"1": 3}}',
        b'{"asset": true, "pages": {"1": 3}}',
        b'{"asset": 9223372036854775808, "pages": {"1": 3}}',
        b'{"asset": 1000000000000000000000000000000, "pages": {"1": 3}}',
        b'{"asset": ASSET, "pages": {}}',
        b'{"asset": ASSET, "pages": {"one": 3}}',
        b'{"asset": ASSET, "pages": {"-1": 3}}',
        b'{"asset": ASSET, "pages": {"1": -5}}',
        b'{"asset": ASSET, "pages": {"1": "10"}}',
        b'{"asset": ASSET, "pages": {"1": NaN}}',
        b'{"asset": ASSET, "pages": {"1": Infinity}}',
        b'{"asset": ASSET, "pages": {"1": 1e999}}',
        b'{"asset": ASSET, "pages": {"1": true}}',
        b'{"asset": ASSET, "pages": {"1": 3, "4": 3}}',
        b'{"asset": ASSET, "pages": {"0": 3}}',
        b'{"asset": ASSET, "pages": {"999999": 3}}',
        b"\xff\xfe garbage",
        b"[" * 2000 + b"]" * 2000,
        b'{"asset": ASSET, "pages": ' + b"[" * 1900 + b"]" * 1900 + b"}",
    ],
)
def test_hostile_beacons_are_refused_and_store_nothing(client, opened, body):
    share, asset = opened
    response = client.post(
        f"/s/{share.token}/beacon",
        data=body.replace(b"ASSET", str(asset.id).encode()),
        content_type="text/plain",
    )
    assert response.status_code == 400
    assert response.is_json
    assert _views() == {}


def test_asset_of_another_share_is_refused(client, opened, users):
    share, _asset = opened
    other = make_pdf_asset(users["marketer"], pages=3)
    make_share(users["rep"], other)
    response = client.post(f"/s/{share.token}/beacon", json={"asset": other.id, "pages": {"1": 5}})
    assert response.status_code == 400
    assert _views() == {}


def test_oversized_body_is_refused(client, opened):
    share, asset = opened
    body = json.dumps({"asset": asset.id, "pages": {"1": 1}, "pad": "x" * 5000})
    response = client.post(f"/s/{share.token}/beacon", data=body, content_type="text/plain")
    assert response.status_code == 413
    assert _views() == {}


def test_beacon_without_a_visit_is_refused(app, opened):
    share, asset = opened
    stranger = app.test_client()
    response = stranger.post(f"/s/{share.token}/beacon", json={"asset": asset.id, "pages": {"1": 5}})
    assert response.status_code == 400
    assert _views() == {}


def test_seconds_never_exceed_the_wall_time_of_the_visit(client, opened):
    share, asset = opened
    client.post(f"/s/{share.token}/beacon", json={"asset": asset.id, "pages": {"1": 100000}})
    stored = _views()[(asset.id, 1)]
    # the visit started moments ago: only the slack is allowed
    assert stored <= SLACK_SECONDS + 5
    # and all pages together share that same budget
    client.post(f"/s/{share.token}/beacon", json={"asset": asset.id, "pages": {"2": 100000, "3": 100000}})
    assert sum(_views().values()) <= SLACK_SECONDS + 5


def test_one_page_is_capped_even_for_a_long_visit(client, opened):
    share, asset = opened
    _age_visit(4 * 3600)
    client.post(f"/s/{share.token}/beacon", json={"asset": asset.id, "pages": {"1": 100000, "2": 600}})
    assert _views() == {(asset.id, 1): MAX_PAGE_SECONDS, (asset.id, 2): 600.0}
    assert _visit().total_seconds == MAX_PAGE_SECONDS + 600


def test_viewer_page_starts_from_the_stored_seconds(client, opened):
    share, asset = opened
    _age_visit(600)
    client.post(f"/s/{share.token}/beacon", json={"asset": asset.id, "pages": {"2": 42}})
    html = client.get(f"/s/{share.token}").get_data(as_text=True)
    assert '{"2": 42.0}' in html


def test_racing_beacons_land_on_one_row_per_page_with_the_largest_value(app, client, opened):
    share, asset = opened
    _age_visit(3600)
    path, asset_id = f"/s/{share.token}", asset.id
    cookie = client.get_cookie("hub_visit", path=path)
    statuses: list[int] = []

    def prospect_tab(offset: int) -> None:
        tab = app.test_client()
        tab.set_cookie("hub_visit", cookie.value, path=path)
        for n in range(8):
            pages = {"1": 10 * n + offset, "2": n + offset}
            statuses.append(tab.post(f"{path}/beacon", json={"asset": asset_id, "pages": pages}).status_code)

    tabs = [threading.Thread(target=prospect_tab, args=(offset,)) for offset in range(6)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    assert statuses == [204] * 48
    assert _views() == {(asset_id, 1): 75.0, (asset_id, 2): 12.0}
    assert _visit().total_seconds == 87.0
