from __future__ import annotations

import json
import re

from hub.api.views import OPENAPI_PATH


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_api_route_is_documented(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, ops in spec["paths"].items()
        for method in ops
        if method != "parameters"
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")) or "/"
        routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented


def test_references_resolve_and_the_file_is_openapi_3():
    spec = json.loads(OPENAPI_PATH.read_text())
    assert spec["openapi"].startswith("3.0")
    for ref in set(_refs(spec)):
        node = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert node, ref


def test_the_document_validates_as_openapi():
    import pytest

    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(json.loads(OPENAPI_PATH.read_text()))
