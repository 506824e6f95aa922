"""The storage interface every backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from typing import Protocol


class StorageError(RuntimeError):
    """The backend could not complete an operation."""


class Storage(Protocol):
    """A flat key → bytes store. Hub chooses the keys; user file names never become keys."""

    def put(self, key: str, fileobj: BinaryIO) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def read(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...

    def check(self) -> None:
        """Raise StorageError when the backend cannot be used."""
        ...

    def describe(self) -> str: ...


def blob_key(sha256: str) -> str:
    """Content-addressed key of a blob: the same bytes always land on the same key."""
    return f"blobs/{sha256[:2]}/{sha256}"
