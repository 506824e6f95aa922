"""Hostile and careless input on every route, and on shares, the viewer, sign-in, admin, requests and
the API in detail: no 500s."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub.api.tokens import create_token
from hub.extensions import db
from hub.models import ContentRequest
from hub.models import Feedback
from hub.models import PageView
from hub.models import Role
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import User
from hub.models import utcnow
from hub.requests.service import file_request
from tests import factories
from tests.conftest import PASSWORD
from tests.security.helpers import make_share

PATH_VALUES = ("0", "-1", "abc", "99999999999999999999", "%00", "..%2F..%2Fetc", "%E2%98%83", "%C2%B2")
WEIRD_JSON = {
    "email": 5,
    "title": {"a": 1},
    "name": [1, [2]],
    "rating": None,
    "next": True,
    "asset_id": 1e308,
}
BODIES = (
    {"json": [1]},
    {"json": "text"},
    {"json": WEIRD_JSON},
    {"data": "{bad", "content_type": "application/json"},
)


@pytest.fixture
def world(users):
    share, asset = make_share(users["rep"], pages=2)
    return {"token": share.token, "asset_id": asset.id, "share_id": share.id}


def _fill(rule, values) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(
            rf"<(?:[^:>]+:)?{arg}>", str(values.get(arg, 1) if isinstance(values, dict) else values), url
        )
    return url


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in ("static", "auth.logout")]


@pytest.fixture
def crawler(request, users):
    """The client of one role for the route crawls; "api" is a script with an admin's API token, so the
    API's own lookups are reached."""
    role = request.param
    http = request.getfixturevalue("client" if role in ("anonymous", "api") else f"{role}_client")
    if role == "api":
        _token, raw = create_token(users["admin"], "crawl")
        http.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return http


@pytest.mark.parametrize("crawler", ["anonymous", "rep", "admin", "api"], indirect=True)
def test_no_route_answers_500_to_hostile_requests(app, crawler, world):
    failures = []
    for rule in _rules(app):
        good = _fill(rule, world)
        for url in {_fill(rule, value) for value in PATH_VALUES} | {good}:
            for method in ("GET", "HEAD", "OPTIONS"):
                status = crawler.open(url, method=method).status_code
                if status >= 500:
                    failures.append(f"{method} {url} -> {status}")
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            for body in BODIES:
                status = crawler.open(good, method=method, **body).status_code
                if status >= 500:
                    failures.append(f"{method} {good} {body} -> {status}")
    assert failures == []


# every query-string name the pages and the API read, each given the same hostile value at once
QUERY_NAMES = (
    "asset_id created deal deal_id dir fragment live next owner_id page persona q scope sid sort stage status "
    "type width start end from to days period team role kind user_id format limit per_page preset"
).split()


@pytest.mark.parametrize("crawler", ["rep", "admin", "api"], indirect=True)
@pytest.mark.parametrize("value", ["%00", "a%00b", "%C2%B2", "x" * 3000, "-1", "1e999"])
def test_no_page_answers_500_to_hostile_query_strings(app, crawler, world, value):
    query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
    failures = []
    for rule in _rules(app):
        if "GET" in rule.methods:
            url = f"{_fill(rule, world)}?{query}"
            status = crawler.get(url).status_code
            if status >= 500:
                failures.append(f"GET {url[:100]}… -> {status}")
    assert failures == []


def test_a_nul_in_the_address_is_dropped(marketer_client, rep_client, users):
    factories.make_asset(users["marketer"], title="Pricing deck", kind="txt", text="pricing")
    factories.make_asset(users["marketer"], title="Security brief", kind="txt", text="security")
    page = marketer_client.get("/library?q=Pric%00ing&sort=tit%00le").get_data(as_text=True)
    assert "Pricing deck" in page and "Security brief" not in page
    assert rep_client.get("/deals?q=%00&status=%00").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https:evil.com",
        "/\\evil.com",
        "javascript:alert(1)",
        "/\t/evil.com",
        "\\\\evil.com",
        " //evil.com",
        "/x\r\nSet-Cookie: a=b",
        "http://localhost/x",
    ],
)
def test_sign_in_never_redirects_off_site(app, users, target):
    quoted = "".join(ch if ch.isalnum() or ch in "/:." else f"%{ord(ch):02X}" for ch in target)
    response = app.test_client().post(
        f"/login?next={quoted}", data={"email": users["rep"].email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_keeps_a_local_next(app, users):
    response = app.test_client().post(
        "/login?next=/search%3Fq%3Dcfo", data={"email": users["rep"].email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/search?q=cfo"


def test_full_width_lookalike_email_is_the_same_account(app, admin_client, users):
    response = admin_client.post(
        "/admin/users",
        data={"email": "ＡDMIN@example.com", "name": "Fake", "role": "admin", "password": "long-password"},
    )
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 3
    signed_in = app.test_client().post("/login", data={"email": "ＡDMIN@example.com", "password": PASSWORD})
    assert signed_in.status_code == 302


def test_pasted_spaces_around_an_email_are_trimmed(admin_client):
    response = admin_client.post(
        "/admin/users",
        data={"email": " New@Example.com ", "name": "New", "role": "rep", "password": "long-password"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is not None


def test_admin_cannot_deactivate_themself(admin_client, users):
    response = admin_client.post(f"/admin/users/{users['admin'].id}", data={"name": "Admin", "role": "admin"})
    assert "cannot remove your own admin role or deactivate yourself" in response.get_data(as_text=True)
    db.session.expire_all()
    assert users["admin"].is_active_account and users["admin"].role is Role.ADMIN


@pytest.mark.parametrize(
    "query", ["end=9999-12-31", "start=9999-12-31&end=9999-12-31", "page=99999999999999999999"]
)
def test_audit_log_takes_extreme_dates(admin_client, query):
    assert admin_client.get(f"/admin/audit?{query}").status_code == 200
    assert admin_client.get(f"/admin/audit.csv?{query}").status_code == 200


def _gated(users):
    share, asset = make_share(users["rep"], require_email=True, title="Gated deck")
    return share, asset


@pytest.mark.parametrize(
    "email",
    ["not-an-email", "a" * 500 + "@example.com", "a@b.c\r\nBcc: x@evil.com", "a@b.c\nBcc: x", "\x00@b.co"],
)
def test_email_gate_refuses_bad_addresses_with_a_message(client, users, email):
    share, _asset = _gated(users)
    client.get(f"/s/{share.token}")
    response = client.post(f"/s/{share.token}/email", data={"email": email})
    assert response.status_code == 400
    assert "Invalid email address." in response.get_data(as_text=True)
    assert db.session.scalars(select(ShareVisit.viewer_email)).all() == [None]


def test_email_gate_trims_and_accepts_unicode(client, users):
    share, _asset = _gated(users)
    response = client.post(f"/s/{share.token}/email", data={"email": "  Jürgen@Exämple.com "})
    assert response.status_code == 302
    assert db.session.scalars(select(ShareVisit.viewer_email)).all() == ["jürgen@exämple.com"]


@pytest.mark.parametrize(
    "tail", ["/\r\nX-Injected: 1", "/\\evil.com", "//evil.com", "/../../login", "/%2e%2e/%2E%2E/login"]
)
def test_email_gate_next_stays_on_the_link(client, users, tail):
    share, _asset = _gated(users)
    home = f"/s/{share.token}"
    response = client.post(f"{home}/email", data={"email": "pat@example.com", "next": home + tail})
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize("body", [{"json": [1]}, {"json": {"email": ["a@b.co"], "next": 5}}])
def test_json_posted_to_the_email_gate_is_an_empty_form(client, users, body):
    share, _asset = _gated(users)
    response = client.post(f"/s/{share.token}/email", **body)
    assert response.status_code == 400
    assert "Enter your email to open the document." in response.get_data(as_text=True)


def test_head_requests_are_not_counted_as_opens_or_downloads(client, world):
    token, asset_id = world["token"], world["asset_id"]
    assert client.head(f"/s/{token}").status_code == 200
    assert client.head(f"/s/{token}/a/{asset_id}/download").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ShareVisit.id))) == 0
    assert db.session.get(ShareLink, world["share_id"]).last_opened_at is None


@pytest.mark.parametrize(
    "pages", [b'{"1": ' + b"9" * 400 + b"}", '{"\u00b2": 3}'.encode(), '{"\u0663": 3}'.encode()]
)
def test_beacon_with_absurd_numbers_is_refused(client, world, pages):
    client.get(f"/s/{world['token']}")
    body = b'{"asset": ' + str(world["asset_id"]).encode() + b', "pages": ' + pages + b"}"
    response = client.post(f"/s/{world['token']}/beacon", data=body, content_type="text/plain")
    assert response.status_code == 400
    assert response.is_json
    assert db.session.scalars(select(PageView)).all() == []


def test_beacon_head_has_no_body(client, world):
    response = client.head(f"/s/{world['token']}/beacon")
    assert response.status_code == 405
    assert response.data == b""


def _create(http, **fields):
    return http.post("/shares/new", data={"recipient_name": "Jane", **fields})


def test_share_expiry_far_in_the_future_is_refused_with_a_message(rep_client, world):
    for day in ("9999-12-31", (utcnow() + timedelta(days=4000)).date().isoformat()):
        response = _create(rep_client, asset_id=[world["asset_id"]], expires_on=day)
        assert response.status_code == 422
        assert "within ten years" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ShareLink.id))) == 1


def test_changing_expiry_to_year_9999_keeps_the_old_expiry(rep_client, world):
    before = db.session.get(ShareLink, world["share_id"]).expires_at
    response = rep_client.post(f"/shares/{world['share_id']}/expiry", data={"expires_on": "9999-12-31"})
    assert response.status_code == 302
    assert "within ten years" in rep_client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ShareLink, world["share_id"]).expires_at == before


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([str(i) for i in range(1, 10_001)], "at most 25 assets"),
        (["99999999999999999999"], "no longer exists"),
        (["-1"], "no longer exists"),
    ],
)
def test_share_with_absurd_asset_lists_is_refused(rep_client, world, ids, message):
    response = _create(rep_client, asset_id=ids)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ShareLink.id))) == 1


def test_duplicate_assets_make_one_item(rep_client, world):
    assert _create(rep_client, asset_id=[world["asset_id"]] * 5).status_code == 302
    share = db.session.scalars(select(ShareLink).order_by(ShareLink.id.desc())).first()
    assert len(share.items) == 1


def test_revoking_someone_elses_link_is_not_found(app, users, world):
    other = factories.make_user(Role.REP, email="other@example.com", password=PASSWORD)
    http = app.test_client()
    http.post("/login", data={"email": other.email, "password": PASSWORD})
    assert http.post(f"/shares/{world['share_id']}/revoke").status_code == 404
    assert db.session.get(ShareLink, world["share_id"]).revoked_at is None


def test_nul_characters_are_dropped_from_form_fields(rep_client):
    assert rep_client.post("/requests", data={"title": "CFO\x00 deck"}).status_code == 302
    assert db.session.scalars(select(ContentRequest.title)).all() == ["CFO deck"]


@pytest.mark.parametrize("page", ["99999999999999999999", "%C2%B2", "-3"])
def test_request_list_takes_any_page(rep_client, page):
    assert rep_client.get(f"/requests?page={page}&persona=%C2%B2").status_code == 200


@pytest.mark.parametrize("asset_id", [str(2**31), str(2**63), "1" + "0" * 30])
def test_answer_with_an_impossible_asset_id_is_explained(marketer_client, users, asset_id):
    item = file_request(requester=users["rep"], title="Need a one-pager")
    response = marketer_client.post(f"/requests/{item.id}", data={"status": "done", "asset_id": asset_id})
    assert response.status_code == 422
    assert "Enter the number shown in the asset" in response.get_data(as_text=True)


def test_feedback_with_a_header_injecting_next_is_stored_once(rep_client, world):
    response = rep_client.post(
        f"/assets/{world['asset_id']}/feedback", data={"rating": "4", "next": "/x\r\nSet-Cookie: a=b"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/assets/{world['asset_id']}#")
    assert db.session.scalar(select(func.count(Feedback.id))) == 1


def test_api_names_the_roles_it_needs(client, users):
    raw = factories.make_api_token(users["rep"])
    response = client.post("/api/v1/deals", json={}, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
    assert response.json["error"]["message"] == (
        "This endpoint needs the token of an admin or a marketer; yours is a rep's."
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"crm_id": "A\x00B", "name": "Deal"}, "crm_id"),
        ({"crm_id": "A", "name": "Deal\r\nX"}, "name"),
    ],
)
def test_api_refuses_control_characters(client, users, body, field):
    raw = factories.make_api_token(users["marketer"])
    response = client.post("/api/v1/deals", json=body, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 400
    assert field in response.json["error"]["fields"]


def test_api_refuses_a_date_time_past_year_9999(client, users, world):
    deal = factories.make_deal(owner=users["rep"], crm_id="D-1")
    raw = factories.make_api_token(users["rep"])
    response = client.post(
        f"/api/v1/deals/{deal.crm_id}/assets",
        json={"asset_id": world["asset_id"], "used_at": "9999-12-31T23:59:59-05:00"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 400
    assert "used_at" in response.json["error"]["fields"]
