"""hub.asgi, the application gunicorn's asgi worker serves: beacons stored in groups, pages by Flask."""

from __future__ import annotations

import asyncio
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from hub import samples
from hub.asgi import FILE_BLOCK
from hub.asgi import HubASGI
from hub.asgi import beacon_threads
from hub.asgi import page_threads
from hub.extensions import db
from hub.models import AssetType
from hub.models import PageView
from hub.models import ShareVisit
from hub.models import utcnow
from hub.viewer import service
from hub.viewer.service import SLACK_SECONDS
from hub.viewer.views import VISIT_COOKIE
from tests.conftest import PASSWORD
from tests.factories import make_pdf_asset
from tests.factories import make_share
from tests.security.helpers import limited_app


@pytest.fixture
def visits(app, client, users):
    """Three visits, each by its own browser, of one three-page PDF share: (share, asset, visit keys)."""
    asset = make_pdf_asset(users["marketer"], pages=3)
    share = make_share(users["rep"], asset)
    keys, path = [], f"/s/{share.token}"
    for _ in range(3):
        client.delete_cookie(VISIT_COOKIE, path=path)
        assert client.get(path).status_code == 200
        keys.append(client.get_cookie(VISIT_COOKIE, path=path).value)
    return share, asset, keys


@pytest.fixture
def group_sizes(monkeypatch) -> list[int]:
    """How many beacons each store_page_times call held (the real one still stores them)."""
    sizes: list[int] = []
    real = service.store_page_times

    def counting(connection, checked):
        sizes.append(len(checked))
        return real(connection, checked)

    monkeypatch.setattr(service, "store_page_times", counting)
    return sizes


def run_apart(main):
    """asyncio.run(main()) on a thread of its own: a browser test's Playwright may hold this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, main()).result()


def send_all(app, requests: list[dict], storers: int | None = None) -> list[httpx.Response]:
    """Send the requests at once to a fresh HubASGI, as a browser on 198.51.100.7 would.

    `storers` sets how many groups it stores at once (1 on SQLite, 4 on PostgreSQL by default).
    """
    hub_asgi = HubASGI(app, storers)

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(hub_asgi, client=("198.51.100.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            return await asyncio.gather(*(client.request(**request) for request in requests))

    return run_apart(run)


def beacon(share, asset, key: str, pages: dict) -> dict:
    return {
        "method": "POST",
        "url": f"/s/{share.token}/beacon",
        "content": json.dumps({"asset": asset.id, "pages": pages}),
        "headers": {"Content-Type": "text/plain;charset=UTF-8", "Cookie": f"{VISIT_COOKIE}={key}"},
    }


def stored_seconds() -> dict[tuple[int, int], float]:
    db.session.expire_all()
    return {(v.visit_id, v.page): v.seconds for v in db.session.scalars(select(PageView))}


def visit_ids() -> list[int]:
    """The visits' ids, in the order of the fixture's visit keys."""
    return list(db.session.scalars(select(ShareVisit.id).order_by(ShareVisit.id)))


def test_beacons_arriving_together_share_one_commit_and_all_are_stored(app, visits, group_sizes):
    share, asset, keys = visits
    requests = [beacon(share, asset, keys[n % 3], {str(1 + n // 3): 1.5}) for n in range(9)]
    responses = send_all(app, requests, storers=1)
    assert [r.status_code for r in responses] == [204] * 9
    assert all(r.content == b"" and r.headers["X-Content-Type-Options"] == "nosniff" for r in responses)
    first, second, third = visit_ids()
    assert stored_seconds() == {(visit, page): 1.5 for visit in (first, second, third) for page in (1, 2, 3)}
    # the first beacon is stored alone; the rest, which arrived meanwhile, in groups of one per visit
    assert sum(group_sizes) == 9 and len(group_sizes) < 9 and max(group_sizes) == 3


@pytest.mark.parametrize("storers", [1, 4])
def test_a_visits_beacons_are_clamped_against_each_other_however_groups_form(
    app, visits, storers, monkeypatch
):
    share, asset, keys = visits
    real = service.store_page_times

    def slow(connection, checked):
        # a slow disk: groups read while earlier ones are still being stored
        time.sleep(0.2)
        return real(connection, checked)

    monkeypatch.setattr(service, "store_page_times", slow)
    for visit in db.session.scalars(select(ShareVisit)):
        visit.started_at -= timedelta(seconds=10)
    db.session.commit()
    # the first visit claims 25 s on page 1, then 30 s more on page 2 and on page 3; two other visits 1 s
    first = [beacon(share, asset, keys[0], {str(page): seconds}) for page, seconds in ((1, 25), (2, 30))]
    others = [beacon(share, asset, key, {"3": 1}) for key in keys[1:]]
    requests = [*first, *others, beacon(share, asset, keys[0], {"3": 30})]
    # with one storer (SQLite) or four (PostgreSQL), the visit's later beacons wait for later groups
    assert [r.status_code for r in send_all(app, requests, storers=storers)] == [204] * 5
    answered_at = utcnow()
    seconds = stored_seconds()
    visit = visit_ids()[0]
    # the visit's time can never pass its wall time, however its beacons were grouped; each of the three
    # pages is stored rounded to a tenth of a second
    wall = (answered_at - db.session.get(ShareVisit, visit).started_at).total_seconds() + SLACK_SECONDS
    assert seconds[(visit, 1)] == 25
    assert wall - 1.5 <= sum(s for (v, _page), s in seconds.items() if v == visit) <= wall + 3 * 0.05


def test_a_failing_group_is_stored_beacon_by_beacon(app, visits, monkeypatch, caplog):
    share, asset, keys = visits
    real = service.store_page_times
    spoiled = visit_ids()[1]

    def failing_for_one_visit(connection, checked):
        if any(times.visit_id == spoiled for times in checked):
            raise OSError("disk I/O error")
        return real(connection, checked)

    monkeypatch.setattr(service, "store_page_times", failing_for_one_visit)
    # the first beacon is stored alone; the other three, which arrive meanwhile, as one group
    requests = [
        beacon(share, asset, keys[0], {"2": 1}),
        *(beacon(share, asset, key, {"1": 2}) for key in keys),
    ]
    responses = send_all(app, requests, storers=1)
    statuses = [r.status_code for r in responses]
    assert statuses == [204, 204, 500, 204]
    assert responses[2].json() == {"error": {"status": 500, "message": "Something went wrong on our side."}}
    first, second, third = visit_ids()
    assert stored_seconds() == {(first, 2): 1.0, (first, 1): 2.0, (third, 1): 2.0}
    assert "storing each alone" in caplog.text


def test_refused_beacons_get_their_own_answers_within_a_group(app, visits):
    share, asset, keys = visits
    good = beacon(share, asset, keys[0], {"1": 1})
    requests = [
        good,
        {**good, "content": "{"},
        {**good, "content": json.dumps({"asset": asset.id, "pages": {"9": 1}})},
        {**good, "content": b"x" * 5000},
        {**good, "url": "/s/not-a-real-token-at-all/beacon"},
        {**good, "method": "HEAD"},
        {**good, "headers": {"Content-Type": "text/plain"}},
    ]
    responses = send_all(app, requests)
    assert [r.status_code for r in responses] == [204, 400, 400, 413, 404, 405, 400]
    messages = [r.json()["error"]["message"] for r in responses[1:5]]
    assert messages == ["malformed JSON", "unknown page 9", "beacon too large", "unknown link"]
    assert responses[5].content == b"" and responses[5].headers["Allow"] == "POST"
    assert responses[6].json()["error"]["message"] == "no visit; open the link first"


def test_a_revoked_link_answers_410(app, visits):
    share, asset, keys = visits
    share.revoked_at = share.created_at
    db.session.commit()
    [response] = send_all(app, [beacon(share, asset, keys[0], {"1": 1})])
    assert response.status_code == 410
    assert response.json()["error"]["message"] == "link no longer available"


def test_beacon_rate_limit_counts_the_forwarded_client_address(app_config, visits):
    share, asset, keys = visits
    app = limited_app(app_config, HUB_RATELIMIT_BEACON="2/minute", HUB_PROXY_FIX=1)

    def forwarded_for(address: str) -> dict:
        request = beacon(share, asset, keys[0], {"1": 1})
        request["headers"] = {**request["headers"], "X-Forwarded-For": address}
        return request

    responses = send_all(app, [forwarded_for("192.0.2.44") for _ in range(3)])
    assert sorted(r.status_code for r in responses) == [204, 204, 429]
    [limited] = [r for r in responses if r.status_code == 429]
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["retry_after"] == int(limited.headers["Retry-After"])
    # another client behind the same proxy has a budget of its own
    assert [r.status_code for r in send_all(app, [forwarded_for("192.0.2.45")])] == [204]


def test_pages_go_to_the_flask_app_with_its_headers(app, users):
    responses = send_all(app, [{"method": "GET", "url": "/health"}, {"method": "GET", "url": "/login"}])
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json()["status"] == "ok"
    assert "default-src 'self'" in responses[1].headers["Content-Security-Policy"]
    assert 'name="password"' in responses[1].text


def test_lifespan_starts_and_stops(app):
    async def run() -> list[str]:
        events = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
        sent: list[str] = []

        async def receive():
            return next(events)

        async def send(message):
            sent.append(message["type"])

        await HubASGI(app)({"type": "lifespan"}, receive, send)
        return sent

    assert run_apart(run) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


@pytest.mark.parametrize(
    ("config", "threads"),
    [
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/hub/hub.db", "HUB_STORAGE": "/srv/hub/files"}, 2),
        ({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://hub@db/hub", "HUB_STORAGE": "/srv/files"}, 4),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/hub/hub.db", "HUB_STORAGE": "s3://hub-files/prod"}, 4),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///hub.db", "HUB_STORAGE": "/f", "HUB_PAGE_THREADS": 8}, 8),
    ],
)
def test_pages_get_more_threads_when_requests_wait_on_other_servers(config, threads):
    assert page_threads({"HUB_PAGE_THREADS": 0, **config}) == threads


def test_uploads_and_downloads_pass_the_bridge_whole_and_in_large_blocks(app, users):
    pdf = samples.make_pdf("Bridge deck", ["Pricing for the finance team."]) + b"\n%" + os.urandom(3 << 20)
    hub_asgi, body_sizes, email = HubASGI(app), [], users["marketer"].email

    async def counting(scope, receive, send):
        async def counted(message):
            if message["type"] == "http.response.body":
                body_sizes.append(len(message.get("body", b"")))
            await send(message)

        await hub_asgi(scope, receive, counted)

    async def run() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(counting)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub.test", follow_redirects=True
        ) as client:
            await client.post("/login", data={"email": email, "password": PASSWORD})
            uploaded = await client.post(
                "/library/upload",
                data={"title": "Bridge deck", "asset_type": AssetType.OTHER.value},
                files={"file": ("bridge.pdf", pdf, "application/pdf")},
            )
            body_sizes.clear()
            return uploaded, await client.get(f"{uploaded.url.path}/download")

    uploaded, downloaded = run_apart(run)
    assert uploaded.status_code == 200 and "Bridge deck" in uploaded.text
    assert downloaded.status_code == 200 and downloaded.content == pdf
    assert downloaded.headers["Content-Disposition"] == "attachment; filename=bridge.pdf"
    assert downloaded.headers["X-Content-Type-Options"] == "nosniff"
    # werkzeug's own 8 KiB blocks would take about 400 hand-overs from the page thread to the loop
    assert len(body_sizes) <= len(pdf) // FILE_BLOCK + 3


def test_beacon_groups_are_stored_one_at_a_time_on_sqlite_and_several_at_once_elsewhere():
    assert beacon_threads({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/hub/hub.db"}) == 1
    assert beacon_threads({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://hub@db/hub"}) == 4


def test_postgresql_keeps_a_connection_open_for_every_thread_of_a_worker(app_config):
    from hub import create_app

    config = {**app_config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://hub@db.invalid/hub"}
    options = create_app(config).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_size"] >= 2 * 4 + 4
