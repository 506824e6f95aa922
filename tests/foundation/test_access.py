"""Route-by-route access matrix built from app.url_map, so no route is left unguarded by accident."""

from __future__ import annotations

import pytest
from werkzeug.routing import FloatConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import UUIDConverter

from hub import create_app
from hub.access import PUBLIC
from hub.access import access_of
from hub.models import Role

# the only routes anyone may reach without an account; adding one here is a deliberate decision
PUBLIC_ENDPOINTS = {
    "main.home",
    "auth.login",
    "viewer.view",
    "api.index",
    "api.openapi",
}
PUBLIC_PREFIXES = ("viewer.", "health.")
DUMMY_ARGS = (
    (IntegerConverter, "999999"),
    (FloatConverter, "1.5"),
    (UUIDConverter, "00000000-0000-0000-0000-000000000000"),
)


def _dummy(converter) -> str:
    return next((value for kind, value in DUMMY_ARGS if isinstance(converter, kind)), "x")


def _routes():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rows = []
    for rule in app.url_map.iter_rules():
        # build-only rules serve nothing through Flask (the beacon address is answered in front of it)
        if rule.endpoint == "static" or rule.build_only:
            continue
        url = rule.rule
        for arg, converter in rule._converters.items():
            token = _dummy(converter)
            url = url.replace(f"<{converter_spec(rule, arg)}>", token)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        rows.append((rule.endpoint, url, method, access_of(app.view_functions[rule.endpoint])))
    return rows


def converter_spec(rule, arg: str) -> str:
    for part in rule.rule.split("<")[1:]:
        spec = part.split(">")[0]
        if spec.split(":")[-1] == arg:
            return spec
    raise KeyError(arg)


ROUTES = _routes()


def test_every_route_declares_its_access():
    undeclared = [endpoint for endpoint, _url, _m, access in ROUTES if access is None]
    assert undeclared == []


def test_public_routes_are_exactly_the_allowed_ones():
    public = {endpoint for endpoint, _url, _m, access in ROUTES if access == PUBLIC}
    unexpected = {e for e in public if e not in PUBLIC_ENDPOINTS and not e.startswith(PUBLIC_PREFIXES)}
    assert unexpected == set()


@pytest.mark.parametrize(("endpoint", "url", "method", "access"), ROUTES, ids=[r[0] for r in ROUTES])
def test_anonymous(client, endpoint, url, method, access):
    response = client.open(url, method=method)
    if access == PUBLIC:
        assert response.status_code != 401
        assert "/login" not in response.headers.get("Location", "") or endpoint == "main.home"
    elif endpoint.startswith("api."):
        assert response.status_code == 401
        assert response.is_json
    else:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["rep", "marketer", "admin"])
@pytest.mark.parametrize(("endpoint", "url", "method", "access"), ROUTES, ids=[r[0] for r in ROUTES])
def test_signed_in(request, role, endpoint, url, method, access):
    client = request.getfixturevalue(f"{role}_client")
    response = client.open(url, method=method)
    if access == PUBLIC or endpoint.startswith("api."):
        return
    if Role(role) in access:
        assert response.status_code not in (401, 403), f"{role} refused at {url}"
        assert response.status_code < 500
    else:
        assert response.status_code == 403, f"{role} reached {url}"


def test_undeclared_view_is_refused(app_config, users):
    from tests.conftest import IsolatedClient
    from tests.conftest import login

    app = create_app(app_config)
    app.test_client_class = IsolatedClient

    def sneaky():
        return "secret"

    app.add_url_rule("/sneaky", "sneaky", sneaky)
    client = app.test_client()
    assert login(client, users["rep"].email).status_code == 302
    response = client.get("/sneaky")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/assets/99999999999999999999", "/deals/2147483648", "/admin/users/-1"])
def test_ids_beyond_the_database_range_are_not_found(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 404
    assert "could not find" in response.get_data(as_text=True)
