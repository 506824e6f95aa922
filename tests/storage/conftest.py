"""An S3 server (moto's server mode) on a real local port, and an app whose storage is a bucket there."""

from __future__ import annotations

import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from hub import create_app
from hub.extensions import db


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint, monkeypatch) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"hub-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_app_config(app_config, s3_endpoint, s3_bucket) -> dict:
    return {**app_config, "HUB_STORAGE": f"s3://{s3_bucket}/collateral", "HUB_S3_ENDPOINT_URL": s3_endpoint}


@pytest.fixture
def s3_app(s3_app_config, instance_path, monkeypatch):
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(instance_path))
    application = create_app(s3_app_config)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
