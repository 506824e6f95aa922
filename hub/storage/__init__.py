"""File storage: a local folder by default, S3 when HUB_STORAGE starts with s3://."""

from __future__ import annotations

from flask import Flask
from flask import current_app

from hub.storage.base import Storage
from hub.storage.base import StorageError
from hub.storage.base import blob_key
from hub.storage.local import LocalStorage

__all__ = ["Storage", "StorageError", "blob_key", "build_storage", "get_storage", "init_app"]


def build_storage(location: str, endpoint_url: str | None = None, region: str | None = None) -> Storage:
    if location.startswith("s3://"):
        from hub.storage.s3 import S3Storage

        return S3Storage(location, endpoint_url=endpoint_url, region=region)
    return LocalStorage(location)


def init_app(app: Flask) -> None:
    app.extensions["hub_storage"] = build_storage(
        app.config["HUB_STORAGE"], app.config.get("HUB_S3_ENDPOINT_URL"), app.config.get("HUB_S3_REGION")
    )


def get_storage() -> Storage:
    return current_app.extensions["hub_storage"]
