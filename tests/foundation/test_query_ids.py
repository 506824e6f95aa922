"""Ids and page numbers typed into query strings: anything that is not a row id is ignored or refused."""

from __future__ import annotations

import pytest

from hub.routing import MAX_ID
from hub.routing import parse_id
from tests import factories
from tests.api.conftest import bearer

HOSTILE = ["²", "99999999999999999999", str(MAX_ID + 1), "-3", "0", "1e9", " ", "abc", "٣"]


@pytest.mark.parametrize("raw", HOSTILE + [None, ""])
def test_parse_id_refuses_what_names_no_row(raw):
    assert parse_id(raw) is None


@pytest.mark.parametrize(("raw", "value"), [("7", 7), (" 42 ", 42), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_parse_id_reads_row_ids(raw, value):
    assert parse_id(raw) == value


@pytest.mark.parametrize("raw", HOSTILE)
def test_library_and_deal_lists_ignore_bad_ids_and_pages(marketer_client, users, raw):
    factories.make_bare_asset("Pricing Overview")
    library = marketer_client.get("/library", query_string={"page": raw, "persona": raw, "owner": raw})
    assert library.status_code == 200
    assert "Pricing Overview" in library.get_data(as_text=True)
    deals = marketer_client.get("/deals", query_string={"page": raw, "owner": raw, "stage": raw})
    assert deals.status_code == 200


def test_api_deal_list_refuses_an_owner_that_is_no_id(client, users):
    token = factories.make_api_token(users["marketer"])
    response = client.get("/api/v1/deals?owner_id=99999999999999999999", headers=bearer(token))
    assert response.status_code == 400
    assert "owner_id" in response.get_json()["error"]["fields"]
    ok = client.get(f"/api/v1/deals?owner_id={users['rep'].id}", headers=bearer(token))
    assert ok.status_code == 200
