"""/health reports database, storage and index, for load balancers."""

from __future__ import annotations

import shutil

from tests import factories


def test_healthy_instance_answers_200(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["storage"]["status"] == "ok"
    assert body["index"]["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_reports_index_documents_against_assets(client, users):
    factories.make_asset(users["marketer"], title="Pricing one-pager")
    body = client.get("/health").get_json()
    assert body["index"] == {"status": "ok", "documents": 1, "assets": 1}


def test_missing_storage_answers_503(app, client):
    shutil.rmtree(app.config["HUB_STORAGE"], ignore_errors=True)
    response = client.get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["storage"] == {"status": "error"}
    assert body["database"]["status"] == "ok"


def test_broken_database_answers_503(app_config, instance_path, monkeypatch):
    from hub import create_app

    monkeypatch.setenv("HUB_INSTANCE_PATH", str(instance_path))
    config = {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path}/missing/dir/hub.db"}
    broken = create_app(config)
    response = broken.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == {"status": "error"}
    # nothing about paths or engines leaks to an anonymous caller
    assert "missing" not in response.get_data(as_text=True)


def test_missing_index_with_assets_answers_503(app, client, users):
    factories.make_asset(users["marketer"], title="Battle card")
    shutil.rmtree(app.config["HUB_INDEX_DIR"])
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["index"]["status"] == "error"
